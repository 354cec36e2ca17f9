"""Moderator journey: import a file on the page and read its accounting, place a
quarantined report by clicking the map, reject one (told when the reason is missing),
then edit a placed report: take the lock, move it on the map, merge it into another."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from i18n import t
from tests.e2e.helpers import MAP_FRAME, go, map_ready, sign_in, wait_idle

pytestmark = pytest.mark.e2e

HOTLINE = """Номер звернення;Дата звернення;ПІБ заявника;Телефон;Адреса;Зміст звернення;Категорія;Виконавець;Статус
ГЛ-E2E-00001;05.12.2025 10:00;Іваненко Іван;;вул. Соборності, 23;Повідомлення: біля під'їзду купа будівельного сміття.;Благоустрій;;Нове
ГЛ-E2E-00002;05.12.2025 11:00;Петренко Олена;;вул. Київська, 5;Повідомлення: розбито ліхтар, увечері темно.;Освітлення;;Нове
ГЛ-E2E-00003;05.12.2025 12:00;Сидоренко Петро;;;Повідомлення: знову хтось спалює листя, дим на весь двір.;Благоустрій;;Нове
"""


def _before(key: str) -> re.Pattern:
    """A button or message whose catalogue text starts like `key`'s (before its first value)."""
    return re.compile(
        "^"
        + re.escape(t(key, **{k: "\0" for k in ("lat", "lon", "id", "n", "original", "time")}).split("\0")[0].strip())
    )


def _click_map(page, dx: float = 0, dy: float = 0) -> None:
    map_ready(page)
    page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    page.frame_locator(MAP_FRAME).first.locator("path").first.wait_for(timeout=60_000)  # the basemap is drawn
    box = page.locator(MAP_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)
    wait_idle(page)


def test_moderator_imports_places_rejects_moves_and_merges(page, app_url, app_store, shot, tmp_path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    sign_in(page, app_url, "moderator")
    go(page, "nav.moderator")

    upload = tmp_path / "hotline-e2e.csv"
    upload.write_text(HOTLINE, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(upload))
    wait_idle(page)
    page.get_by_role("button", name=t("mod.import"), exact=True).click()
    wait_idle(page)
    page.get_by_text(t("mod.imported_batches", n=1).split(".")[0]).wait_for(timeout=120_000)
    shot("moderator-1-imported")
    with app_store.connect() as conn:
        batch = conn.execute(
            text("SELECT n_read, n_imported, n_quarantined FROM import_batches WHERE file_name = 'hotline-e2e.csv'")
        ).one()
    assert batch.n_read == 3 and batch.n_imported + batch.n_quarantined == 3 and batch.n_quarantined >= 1
    line = t(
        "mod.batch_line",
        file_name="hotline-e2e.csv",
        read=batch.n_read,
        imported=batch.n_imported,
        duplicates=0,
        quarantined=batch.n_quarantined,
        not_located=batch.n_quarantined,
        already_imported=0,
    )
    page.get_by_text(line).wait_for(timeout=10_000)  # the batch's accounting, as the store holds it

    page.get_by_text(t("mod.queue"), exact=True).click()
    wait_idle(page)
    _click_map(page)
    page.get_by_text(_before("form.click_here")).wait_for(timeout=30_000)
    page.get_by_role("button", name=_before("mod.place")).click()
    wait_idle(page)
    placed_text = page.get_by_text(_before("mod.placed")).first
    placed_text.wait_for(timeout=30_000)
    placed = int(re.search(r"(\d+)\s*$", placed_text.inner_text()).group(1))
    shot("moderator-2-placed")
    with app_store.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM quarantine WHERE resolution = :r"),
                {"r": f"placed by moderator as report {placed}"},
            ).scalar()
            == 1
        )
        assert conn.execute(text("SELECT lat FROM reports WHERE id = :r"), {"r": placed}).scalar() is not None
        rejected = text("SELECT id FROM quarantine WHERE resolution LIKE 'rejected by moderator%'")
        assert conn.execute(rejected).all() == []

    page.get_by_role("button", name=t("mod.reject"), exact=True).click()  # no reason given
    wait_idle(page)
    page.get_by_text(t("mod.need_reason")).first.wait_for(timeout=30_000)
    shot("moderator-3-no-reason")
    with app_store.connect() as conn:
        assert conn.execute(rejected).all() == []  # told, and nothing rejected
    page.get_by_label(t("mod.reject_reason")).last.fill("реклама, не звернення")
    page.get_by_label(t("mod.reject_reason")).last.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=t("mod.reject"), exact=True).click()
    wait_idle(page)
    page.get_by_text(t("mod.rejected_n", n=1)).wait_for(timeout=30_000)
    with app_store.connect() as conn:
        resolutions = conn.execute(text("SELECT resolution FROM quarantine WHERE resolution LIKE 'rejected%'")).all()
    assert resolutions == [("rejected by moderator: реклама, не звернення",)]

    page.get_by_text(t("mod.edit"), exact=True).click()
    wait_idle(page)
    number = page.get_by_label(t("mod.report_id"))
    expect(number).to_have_count(1, timeout=30_000)  # a loaded machine may still show the last run's input
    number.fill(str(placed))
    number.press("Enter")
    wait_idle(page)
    with app_store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM edit_locks WHERE report_id = :r"), {"r": placed}).scalar() == 0
    page.get_by_role("button", name=t("mod.start_editing")).click()
    wait_idle(page)
    page.get_by_text(_before("mod.locked_until")).wait_for(timeout=30_000)
    with app_store.connect() as conn:
        before = conn.execute(text("SELECT lat, lon FROM reports WHERE id = :r"), {"r": placed}).one()
        holder = conn.execute(text("SELECT holder FROM edit_locks WHERE report_id = :r"), {"r": placed}).scalar()
    assert holder == "moderator"
    _click_map(page, dx=60, dy=40)
    page.get_by_role("button", name=_before("mod.move")).click()
    wait_idle(page)
    page.get_by_text(t("mod.moved", id=placed)).wait_for(timeout=30_000)
    shot("moderator-4-moved")
    with app_store.connect() as conn:
        after = conn.execute(text("SELECT lat, lon FROM reports WHERE id = :r"), {"r": placed}).one()
    assert (after.lat, after.lon) != (before.lat, before.lon)

    original = page.get_by_label(t("mod.duplicate_of"))
    expect(original).to_have_count(1, timeout=30_000)
    original.fill("1")
    original.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=t("mod.merge")).click()
    wait_idle(page)
    page.get_by_text(t("mod.merged", id=placed, original=1)).wait_for(timeout=30_000)
    shot("moderator-5-merged")
    with app_store.connect() as conn:
        assert conn.execute(text("SELECT duplicate_of FROM reports WHERE id = :r"), {"r": placed}).scalar() == 1
