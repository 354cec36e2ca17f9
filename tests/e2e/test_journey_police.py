"""Police journey: change the period and the category, download the briefing; the PDF and
the audit log say which period and category it was made for."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader
from sqlalchemy import text

from geo.gazetteer import load_gazetteer
from i18n import t
from services.clock import now
from services.labels import category_names
from tests.e2e.helpers import MAP_FRAME, go, map_layers_changed, map_layers_version, map_ready, sign_in, wait_idle
from tests.e2e.test_journey_council import choose

pytestmark = pytest.mark.e2e


def test_police_change_period_and_category_and_download_the_briefing(page, app_url, app_store, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    sign_in(page, app_url, "police")
    go(page, "nav.police")
    map_ready(page)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".hm-legend").first.wait_for(timeout=30_000)
    before = map_layers_version(page)
    frame.locator("body").evaluate("body => { body.dataset.kept = 'yes'; }")
    choose(page, t("police_period.label"), t("police_period.weeks", n=4))
    map_layers_changed(page, before)  # the new period's layers, drawn in the same frame (not a new one)
    assert frame.locator("body").get_attribute("data-kept") == "yes"
    with pytest.raises(PlaywrightTimeout):  # the sign bench/pages_browser.py waits for fails on unchanged layers
        map_layers_changed(page, map_layers_version(page), timeout_ms=1000)
    assert (
        frame.locator(".hm-legend").count() >= 1
        and "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    )
    litter = category_names("uk")["litter"]
    page.get_by_role("combobox", name=t("filters.category")).click()
    page.keyboard.type("Сміття")
    page.get_by_role("option", name=litter).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    map_ready(page)
    shot("police-1-filtered")
    page.get_by_text(t("police.prepare_pdf")).click()
    wait_idle(page)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=t("police.download_pdf")).click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    start = f"{now() - timedelta(weeks=4):%Y-%m-%d}"
    assert t("police.briefing_title") in words and start in words
    assert t("police.briefing_categories", names=litter) in words
    assert any(p.images for p in pdf.pages)
    # places in words (#21): street names and Ukrainian category names, no H3 id an officer must decode
    streets = {s.full_name for s in load_gazetteer().streets}
    assert sum(1 for name in streets if name in words) >= 2
    assert litter in words.split(t("police.briefing_categories", names=litter))[0]  # in the plan's rows too
    assert not re.search(r"\b8[0-9a-f]{14}\b", words)
    with app_store.connect() as conn:
        detail = conn.execute(
            text(
                "SELECT detail FROM audit_log WHERE actor = 'police' AND "
                "target = 'patrol_briefing.pdf' ORDER BY id DESC"
            )
        ).first()[0]
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["categories"] == ["litter"] and detail["period"][0] == start
    shot("police-2-briefing")
    page.get_by_test_id("stSelectbox").filter(has_text=t("police.cell")).first.click()  # places listed in words
    page.get_by_role("option").filter(
        has_text=re.compile("|".join(re.escape(n) for n in sorted(streets)))
    ).first.wait_for(timeout=30_000)
