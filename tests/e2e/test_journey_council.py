"""Council and partner journeys on the action plan.

Council: changes only the status of an action and its public note survives, then exports
the programme report for a quarter: the file holds exactly that quarter's actions (oracle:
the demo action plan file) with their notes. Partner: edits its organisation's action and
is offered no other, with a message saying why."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import text

from i18n import t
from services.demo import DEMO_DIR
from tests.e2e.helpers import go, sign_in, wait_idle

pytestmark = pytest.mark.e2e

QUARTER = "2025-Q2"


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label` (typing filters long lists)."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(option[:25])
    page.get_by_role("option", name=re.compile(re.escape(option[:25]))).first.click()
    wait_idle(page)


def _plan_rows() -> list[dict]:
    with (DEMO_DIR / "actions.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _action(app_store, description: str):  # type: ignore[no-untyped-def]
    with app_store.connect() as conn:
        return conn.execute(
            text("SELECT id, status, public_note FROM actions WHERE description = :d"), {"d": description}
        ).one()


def test_council_changes_a_status_the_note_survives_and_exports_a_quarter(page, app_url, app_store, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    target = next(r for r in _plan_rows() if r["description"].startswith("Розпис стін"))
    before = _action(app_store, target["description"])
    assert before.status == "done" and before.public_note == target["public_note"]
    sign_in(page, app_url, "council")
    go(page, "nav.council")
    choose(page, t("public.period"), QUARTER)
    page.get_by_role("tab", name=t("council.plan")).click()
    wait_idle(page)
    choose(page, t("council.col_id"), target["description"])
    form = page.get_by_test_id("stForm").first
    expect(form.get_by_role("textbox", name=t("council.col_public_note"))).to_have_value(target["public_note"])
    choose(page, t("council.col_status"), t("action_status.in_progress"))
    form.get_by_role("button", name=t("council.save")).click()
    wait_idle(page)
    page.get_by_text(t("council.saved_fields", fields=t("council.col_status"))).wait_for(timeout=30_000)
    shot("council-1-status-saved")
    after = _action(app_store, target["description"])
    assert (after.status, after.public_note) == ("in_progress", target["public_note"])  # the note survived
    with app_store.connect() as conn:
        detail = conn.execute(
            text("SELECT detail FROM audit_log WHERE target = :t ORDER BY id DESC"), {"t": f"action:{after.id}"}
        ).first()[0]
    assert "in_progress" in str(detail) and "public_note" not in str(detail)  # only the change, original kept

    page.get_by_role("tab", name=t("council.report")).click()
    wait_idle(page)
    page.get_by_text(t("council.prepare")).click()
    wait_idle(page)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="XLSX").click()
    assert download.value.suggested_filename == f"programme-report-{QUARTER}.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))[t("council.h_actions")]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    first, last = date(2025, 4, 1), date(2025, 7, 1)
    expected = [r for r in _plan_rows() if first <= date.fromisoformat(r["due_date"]) < last]
    assert sorted(r[t("council.col_description")] for r in rows) == sorted(r["description"] for r in expected)
    notes = {r[t("council.col_description")]: r[t("council.col_public_note")] for r in rows}
    assert notes == {r["description"]: r["public_note"] for r in expected}
    edited = next(r for r in rows if r[t("council.col_description")] == target["description"])
    assert edited[t("council.col_status")] == t("action_status.in_progress")
    shot("council-2-report")


def test_partner_edits_its_organisations_action_and_no_other(page, app_url, app_store, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    own = next(r for r in _plan_rows() if r["owner_org_id"] == "org-chyste-misto")
    sign_in(page, app_url, "partner")
    go(page, "nav.council")
    page.get_by_role("tab", name=t("council.plan")).click()
    wait_idle(page)
    with app_store.connect() as conn:
        n_others = conn.execute(
            text("SELECT count(*) FROM actions WHERE owner_org_id IS NULL OR owner_org_id <> 'org-chyste-misto'")
        ).scalar()
    page.get_by_text(t("council.partner_only", org="ГО «Чисте місто»", n=n_others)).wait_for(timeout=30_000)
    page.get_by_role("combobox", name=t("council.col_id")).click()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 1 and own["description"] in options[0]  # another organisation's action is not offered
    page.keyboard.press("Escape")
    wait_idle(page)
    shot("partner-0-plan")
    form = page.get_by_test_id("stForm").first
    note = form.get_by_role("textbox", name=t("council.col_public_note"))
    expect(note).to_have_value(own["public_note"])  # pre-filled
    note.fill(own["public_note"] + " Полито всі 25 дерев у серпні.")
    form.get_by_role("button", name=t("council.save")).click()
    wait_idle(page)
    page.get_by_text(t("council.saved_fields", fields=t("council.col_public_note"))).wait_for(timeout=30_000)
    shot("partner-1-note-saved")
    saved = _action(app_store, own["description"])
    assert saved.public_note == own["public_note"] + " Полито всі 25 дерев у серпні." and saved.status == own["status"]
