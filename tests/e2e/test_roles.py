"""Each audience does its main job in headless Chromium; screenshots go to tests/artifacts/."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from data.categories import CATEGORIES
from geo.gazetteer import load_gazetteer
from i18n import t
from tests.e2e.helpers import MAP_FRAME, go, map_ready, open_page, sign_in, wait_idle

pytestmark = pytest.mark.e2e

ROLE_PAGES = {
    "police": ["nav.police"],
    "council": ["nav.council"],
    "partner": ["nav.council"],
    "moderator": ["nav.moderator"],
    "admin": ["nav.police", "nav.council", "nav.moderator", "nav.admin"],
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_role_signs_in_and_opens_its_pages(page, app_url, shot, role) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, app_url, role)
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    for key in ("nav.police", "nav.council", "nav.moderator", "nav.admin"):
        assert (t(key) in nav) == (key in ROLE_PAGES[role]), (role, key)
    for key in ROLE_PAGES[role]:
        go(page, key)
        assert t("auth.forbidden") not in page.content()
        shot(f"{role}-{key.split('.')[1]}")
    page.reload()  # the sign-in survives a refresh
    wait_idle(page)
    assert t(ROLE_PAGES[role][0]) in page.get_by_test_id("stSidebarNav").inner_text()


def test_resident_reports_a_problem_and_looks_up_its_status(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1200, "height": 1400})
    open_page(page, f"{app_url}/report")
    page.get_by_role("textbox", name=t("form.address")).fill("вул. Соборності, 23")
    page.get_by_role("textbox", name=t("form.address")).press("Enter")
    wait_idle(page)
    page.get_by_text(re.compile(t("form.found", place="", level="").split(":")[0])).first.wait_for(timeout=60_000)
    description = page.get_by_role("textbox", name=t("form.description"))
    description.fill("Біля під'їзду третій день лежить купа будівельного сміття")
    description.press("Control+Enter")  # a text area commits its value on Ctrl+Enter or blur
    wait_idle(page)
    page.get_by_role("button", name=t("form.submit")).click()
    wait_idle(page)
    thanks = page.get_by_text(re.compile(r"VZ-[0-9A-F]{8}")).first
    thanks.wait_for(timeout=60_000)
    tracking = re.search(r"VZ-[0-9A-F]{8}", thanks.inner_text()).group(0)
    shot("resident-report")
    page.get_by_role("tab", name=t("form.status")).click()
    page.get_by_label(t("form.tracking")).fill(tracking)
    page.get_by_label(t("form.tracking")).press("Enter")
    wait_idle(page)
    page.get_by_text(t("status.new")).wait_for(timeout=30_000)
    shot("resident-status")


def test_moderator_places_a_quarantined_report_on_the_map(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1300})
    sign_in(page, app_url, "moderator")
    go(page, "nav.moderator")
    page.get_by_role("tab", name=t("mod.queue")).click()
    wait_idle(page)
    map_ready(page)
    page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").click()  # the centre: inside the city
    wait_idle(page)
    place = page.get_by_role("button", name=re.compile(t("mod.place", lat="", lon="").split("(")[0].strip()))
    place.wait_for(timeout=60_000)
    place.click()
    wait_idle(page)
    page.get_by_text(re.compile(t("mod.placed", id="").rstrip())).wait_for(timeout=30_000)
    shot("moderator-placed")


def test_council_creates_an_action(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    sign_in(page, app_url, "council")
    go(page, "nav.council")
    page.get_by_role("tab", name=t("council.plan")).click()
    wait_idle(page)
    page.get_by_role("textbox", name=t("council.col_description")).fill("Встановити урни біля автостанції (перевірка e2e)")
    page.get_by_role("button", name=t("council.create")).click()
    wait_idle(page)
    page.get_by_text(re.compile(t("council.created", id="").rstrip())).wait_for(timeout=30_000)
    shot("council-action")


def test_police_download_a_briefing_pdf_with_cyrillic_and_the_map(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1600})
    sign_in(page, app_url, "police")
    go(page, "nav.police")
    map_ready(page)
    page.get_by_text(t("police.prepare_pdf")).click()
    wait_idle(page)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=t("police.download_pdf")).click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) >= 1
    assert t("police.briefing_title") in text
    assert any(p.images for p in pdf.pages)
    # places in words, Ukrainian category names, no H3 id in what an officer reads
    streets = {s.full_name for s in load_gazetteer().streets}
    flat = " ".join(text.split())
    assert sum(1 for name in streets if name in flat) >= 2
    assert any(c.uk in flat for c in CATEGORIES.values())
    assert not re.search(r"\b8[0-9a-f]{14}\b", flat)
    shot("police-briefing")
    page.get_by_test_id("stSelectbox").filter(has_text=t("police.cell")).first.click()  # the "when" place picker lists places in words
    page.get_by_role("option").filter(has_text=re.compile("|".join(re.escape(n) for n in sorted(streets)))
                                      ).first.wait_for(timeout=30_000)
    shot("police-briefing")
