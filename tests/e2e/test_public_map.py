"""A resident opens the dashboard: the city, hexagons, legend, attribution, DEMO DATA."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_public_map_shows_hexagons_attribution_and_demo_label(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url, timeout=180_000)
    page.get_by_test_id("stApp").wait_for(timeout=180_000)
    page.locator(MAP_FRAME).first.wait_for(timeout=180_000)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    hexagons = frame.locator("path.leaflet-interactive").count()
    assert hexagons >= 20
    assert "© OpenStreetMap contributors" in frame.locator(".leaflet-control-attribution").inner_text()
    assert re.search("DEMO DATA", page.content() + frame.locator("body").inner_html())
    shot("public_map")
