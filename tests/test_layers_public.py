"""The public map and every public download: nothing of a single report leaks into them."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers import exports
from layers.basemap import basemap
from layers.privacy import Month, Quarter, public_counts
from layers.public import display_table, method_markdown, public_map
from test_layers_privacy import CELLS, DISTRICTS, NOW, SETTINGS, make_addresses, make_reports

GAZETTEER = {
    "meta": {"source": "test", "synthetic": True, "attribution": "© OpenStreetMap contributors"},
    "boundary": [[31.30, 47.54], [31.36, 47.54], [31.36, 47.59], [31.30, 47.59]],
    "streets": [
        {"id": "st-1", "name": "Соборності", "highway": "primary", "lines": [[[31.31, 47.56], [31.35, 47.57]]]},
        {"id": "st-2", "name": "Бузька", "highway": "residential", "lines": [[[31.32, 47.55], [31.32, 47.58]]]},
    ],
    "addresses": [],
    "landmarks": [],
    "districts": [{**d, "names": {"name:en": d["name"]}, "population": 4000} for d in DISTRICTS],
    "water": [{"name": "Південний Буг", "polygon": [[31.34, 47.54], [31.35, 47.54], [31.35, 47.59], [31.34, 47.59]]}],
    "parks": [{"name": "Парк", "polygon": [[31.31, 47.57], [31.315, 47.57], [31.315, 47.575], [31.31, 47.575]]}],
}
ACTIONS = pd.DataFrame(
    [
        {"cell": "891e43a500fffff", "district": None, "owner": "council", "description": "internal plan detail",
         "status": "done", "public_note": "Встановлено 5 контейнерів"},
        {"cell": None, "district": "d-02", "owner": "police", "description": "internal patrol detail",
         "status": "in_progress", "public_note": None},
    ]
)


def leaks(df: pd.DataFrame, output: str) -> list[str]:
    """Report coordinate pairs (5 decimals) or report texts found in `output`."""
    found = []
    for lat, lon, text in zip(df["lat"], df["lon"], df["text"]):
        if f"{lat:.5f}" in output and f"{lon:.5f}" in output:
            found.append(f"{lat:.5f},{lon:.5f}")
        if text in output:
            found.append(text)
    return found


@SETTINGS
@given(st.integers(0, 10_000), st.integers(0, 160), st.sampled_from([*Quarter(2026, 1).months, Quarter(2026, 1)]),
       st.sampled_from([None, "cleanliness", "disorder", "traffic"]), st.sampled_from(["uk", "en"]))
def test_public_outputs_hold_no_report_point_or_text(seed, n, period, group, lang) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    t = public_counts(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
    html = public_map(t, GAZETTEER, lang=lang, actions=ACTIONS).get_root().render()
    outputs = {
        "html": html,
        "csv": exports.public_csv(t),
        "geojson": exports.public_geojson(t, GAZETTEER),
        "requests": exports.requests_json(df, period=period, group=group, now=NOW, address_counts=addr,
                                          districts=DISTRICTS),
    }
    for name, out in outputs.items():
        assert not leaks(df, out), name
    assert "internal plan detail" not in html and "internal patrol detail" not in html
    shown = display_table(t, GAZETTEER, lang=lang).to_csv()
    assert not leaks(df, shown)
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert all(r["count"] == "" or int(r["count"]) >= t.k for r in rows)
    feats = json.loads(outputs["geojson"])["features"]
    assert all(f["properties"]["count"] is None or f["properties"]["count"] >= t.k for f in feats)
    assert sum(f["properties"]["count"] or 0 for f in feats) == t.total


def test_public_map_has_legend_attribution_layers_and_demo_label() -> None:
    df = make_reports(7, 150)
    t = public_counts(df, period=Quarter(2026, 1), group="cleanliness", now=NOW, address_counts=make_addresses(7),
                      districts=DISTRICTS)
    html = public_map(t, GAZETTEER, lang="en", actions=ACTIONS).get_root().render()
    for needle in ("OpenStreetMap contributors", "DEMO DATA", "Reports by cell", "Reports by microdistrict",
                   "Actions and what was done", "Offline basemap", "OpenStreetMap tiles", "Period: 2026-Q1",
                   "Cleanliness and greenery", "fewer than 5 reports", "hm-legend", "Встановлено 5 контейнерів"):
        assert needle in html, needle
    uk = public_map(t, GAZETTEER, lang="uk", view="districts").get_root().render()
    assert "Звернення за мікрорайонами" in uk and "Період: 2026-Q1" in uk


def test_public_map_draws_no_report_markers_even_for_public_asset_categories() -> None:
    df = make_reports(9, 160)
    df["category"] = "lighting"  # a public-space asset: still never a point on the public map
    t = public_counts(df, period=Month(2026, 1), group="infrastructure", now=NOW,
                      address_counts=make_addresses(9), districts=DISTRICTS)
    html = public_map(t, GAZETTEER, actions=ACTIONS).get_root().render()
    assert html.count("L.circleMarker(") == len(ACTIONS)  # the action-plan items only
    assert "L.marker(" not in html and "markerClusterGroup" not in html


def test_osm_tiles_are_optional_and_never_added_by_default() -> None:
    m = basemap(GAZETTEER)
    html = m.get_root().render()
    assert "tile.openstreetmap.org" in html
    tile_var = next(c.get_name() for c in m._children.values() if type(c).__name__ == "TileLayer")
    assert f"{tile_var}.addTo" not in html
    assert "DEMO DATA" not in basemap({**GAZETTEER, "meta": {"synthetic": False}}, lang="en").get_root().render()


def test_method_text_states_cell_size_k_months_lag_and_approximate_places() -> None:
    t = public_counts(make_reports(1, 30), period=Month(2026, 2), group=None, now=NOW, address_counts={},
                      districts=DISTRICTS)
    text = method_markdown(t, lang="en")
    for needle in ("resolution 8", "0.74 km²", "fewer than 8 addresses", "7 days", "2026-02", "approximate",
                   "Public order: 10", "Cleanliness and greenery: 5", "OpenStreetMap"):
        assert needle in text, needle
    assert "Як зроблено мапу" in method_markdown(lang="uk")


def test_requests_json_is_open311_shaped() -> None:
    df = make_reports(11, 600)
    out = json.loads(exports.requests_json(df, period=Quarter(2026, 1), group=None, now=NOW,
                                           address_counts=dict.fromkeys(CELLS, 50), districts=DISTRICTS))
    assert out, "the dense test data should publish some requests"
    assert {r["status"] for r in out} <= {"open", "closed"}
    assert len({r["service_request_id"] for r in out}) == len(out)


@pytest.mark.parametrize(
    ("fn", "allowed"),
    [
        (lambda role: exports.police_csv(make_reports(1, 3), role=role), {"police", "admin"}),
        (lambda role: exports.council_csv(pd.DataFrame({"district": ["d-01"], "n": [3]}), role=role),
         {"council", "partner", "admin"}),
    ],
)
def test_restricted_exports_refuse_other_roles(fn, allowed) -> None:
    for role in (None, "public", "police", "council", "partner", "moderator", "admin", "nobody"):
        if role in allowed:
            assert fn(role)
        else:
            with pytest.raises(PermissionError):
                fn(role)


def test_public_csv_columns_carry_no_report_fields() -> None:
    t = public_counts(make_reports(2, 80), period=Month(2026, 1), group=None, now=NOW,
                      address_counts=make_addresses(2), districts=DISTRICTS)
    header = exports.public_csv(t).removeprefix(exports.BOM).splitlines()[0].split(",")
    assert header == exports.PUBLIC_COLUMNS
    assert not set(header) & {"lat", "lon", "text", "occurred_at", "id", "reporter_hash"}
