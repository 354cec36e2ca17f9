"""Resident journey (desktop and a 390 px phone): send a report, get a tracking number, look
it up and see its status; the form refuses what it must and says why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from i18n import t
from tests.e2e.helpers import MAP_FRAME, map_ready, open_page, wait_idle

pytestmark = pytest.mark.e2e

DESCRIPTION = "Біля під'їзду третій день лежить купа будівельного сміття ({width} px)"


@pytest.mark.parametrize("width", [1200, 390])
def test_resident_reports_and_looks_up_the_status(page, app_url, app_store, shot, width) -> None:
    page.set_viewport_size({"width": width, "height": 1600})
    open_page(page, f"{app_url}/report")
    address = page.get_by_role("textbox", name=t("form.address"))
    address.fill("вул. Соборності, 23")
    address.press("Enter")
    wait_idle(page)
    page.get_by_text(re.compile(t("form.found", place="", level="").split(":")[0])).first.wait_for(timeout=60_000)
    map_ready(page)
    page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    box = page.locator(MAP_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 30)  # a corner: outside the city
    wait_idle(page)
    outside = t("form.click_outside", lat="", lon="").split("(")[0].strip()
    page.get_by_text(re.compile(re.escape(outside))).wait_for(timeout=30_000)
    shot(f"resident-{width}-click-outside")

    page.get_by_role("button", name=t("form.submit")).click()  # no description yet: refused, with a reason
    wait_idle(page)
    page.get_by_text(t("form.need_description")).wait_for(timeout=30_000)

    description = page.get_by_role("textbox", name=t("form.description"))
    description.fill(DESCRIPTION.format(width=width))
    description.press("Control+Enter")  # a text area commits its value on Ctrl+Enter or blur
    wait_idle(page)
    page.get_by_role("button", name=t("form.submit")).click()
    wait_idle(page)
    thanks = page.get_by_text(re.compile(r"VZ-[0-9A-F]{8}")).first
    thanks.wait_for(timeout=60_000)
    tracking = re.search(r"VZ-[0-9A-F]{8}", thanks.inner_text()).group(0)
    for field in ("form.description", "form.address"):  # the form is cleared (once the rerun has settled)
        box = page.get_by_role("textbox", name=t(field))
        expect(box).to_have_count(1, timeout=30_000)
        expect(box).to_have_value("", timeout=30_000)
    shot(f"resident-{width}-sent")
    with app_store.connect() as conn:
        stored = conn.execute(
            text("SELECT text, status, received_at, lat FROM reports WHERE source_ref = :r"), {"r": f"form:{tracking}"}
        ).one()
    assert stored.text.startswith(DESCRIPTION.format(width=width)) and stored.status == "new"
    assert str(stored.received_at).startswith("2026-01-01")  # the demo clock, not the wall clock
    assert stored.lat is not None

    page.get_by_text(t("form.status"), exact=True).click()
    wait_idle(page)
    lookup = page.get_by_role("textbox", name=t("form.tracking"))
    lookup.fill(tracking)
    lookup.press("Enter")
    wait_idle(page)
    page.get_by_text(t("status.new")).wait_for(timeout=30_000)
    assert page.get_by_role("textbox", name=t("form.tracking")).is_visible()  # Enter did not leave the look-up
    shot(f"resident-{width}-status")
