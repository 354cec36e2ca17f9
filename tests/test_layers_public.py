"""The public map and every public download: nothing of a single report leaks into them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import folium
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_layers_privacy import CELLS, DISTRICTS, SETTINGS, make_addresses, make_reports, released

from geo.gazetteer import Gazetteer
from i18n import t as tr
from layers import exports
from layers.basemap import basemap
from layers.popups import TextPopupPoints
from layers.privacy import Month, Quarter, public_table
from layers.public import ACTION_STYLE, action_place, actions_layer, display_table, method_markdown, public_map
from layers.style import STATUS_COLORS

GAZETTEER_JSON = {
    "meta": {"source": "test", "synthetic": True, "attribution": "© OpenStreetMap contributors"},
    "boundary": [[31.30, 47.54], [31.36, 47.54], [31.36, 47.59], [31.30, 47.59]],
    "streets": [
        {
            "id": "st-1",
            "name": "Соборності",
            "type": "вулиця",
            "highway": "primary",
            "names": {},
            "synthetic": True,
            "lines": [[[31.31, 47.56], [31.35, 47.57]]],
        },
        {
            "id": "st-2",
            "name": "Бузька",
            "type": "вулиця",
            "highway": "residential",
            "names": {},
            "synthetic": True,
            "lines": [[[31.32, 47.55], [31.32, 47.58]]],
        },
    ],
    "addresses": [],
    "landmarks": [],
    "districts": [dataclasses.asdict(d) for d in DISTRICTS],
    "water": [{"name": "Південний Буг", "polygon": [[31.34, 47.54], [31.35, 47.54], [31.35, 47.59], [31.34, 47.59]]}],
    "parks": [{"name": "Парк", "polygon": [[31.31, 47.57], [31.315, 47.57], [31.315, 47.575], [31.31, 47.575]]}],
}
GAZETTEER = Gazetteer.from_dict(GAZETTEER_JSON)
POINTS = {"d-01": (47.56, 31.25), "d-02": (47.56, 31.45), "": (47.56, 31.33)}
ACTIONS = pd.DataFrame(
    [
        {
            "cell": "891e43a500fffff",
            "district": None,
            "owner": "council",
            "description": "internal plan detail",
            "status": "done",
            "public_note": "Встановлено 5 контейнерів",
        },
        {
            "cell": None,
            "district": "d-02",
            "owner": "police",
            "description": "internal patrol detail",
            "status": "in_progress",
            "public_note": None,
        },
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
@given(
    st.integers(0, 10_000),
    st.integers(0, 160),
    st.sampled_from([*Quarter(2026, 1).months, Quarter(2026, 1)]),
    st.sampled_from([None, "cleanliness", "disorder", "traffic"]),
    st.sampled_from(["uk", "en"]),
)
def test_public_outputs_hold_no_report_point_or_text(seed, n, period, group, lang) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    t = public_table(released(df, addr), period=period, group=group)
    html = public_map(t, GAZETTEER, lang=lang, actions=ACTIONS).get_root().render()
    outputs = {
        "html": html,
        "csv": exports.public_csv(t),
        "geojson": exports.public_geojson(t, GAZETTEER),
        "requests": exports.requests_json(t, POINTS),
    }
    for name, out in outputs.items():
        assert not leaks(df, out), name
    assert "internal plan detail" not in html and "internal patrol detail" not in html
    shown = display_table(t, GAZETTEER, lang=lang).to_csv()
    assert t.units.empty or "≈" in shown
    assert not leaks(df, shown)
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert all(int(r["count"]) >= 1 and r["approximate"] == "True" for r in rows)
    assert sum(int(r["count"]) for r in rows) == t.total
    feats = json.loads(outputs["geojson"])["features"]
    assert sum(f["properties"]["count"] for f in feats) == t.total
    assert len(json.loads(outputs["requests"])) == t.total  # the feed's total is the page's


def test_public_map_has_legend_attribution_layers_and_demo_label() -> None:
    df = make_reports(7, 150)
    t = public_table(released(df, make_addresses(7)), period=Quarter(2026, 1), group="cleanliness")
    html = public_map(t, GAZETTEER, lang="en", actions=ACTIONS).get_root().render()
    for needle in (
        "OpenStreetMap contributors",
        "DEMO DATA",
        "Reports by cell",
        "Reports by microdistrict",
        "Actions and what was done",
        "Offline basemap",
        "OpenStreetMap tiles",
        "Period: 2026-Q1",
        "Cleanliness and greenery",
        "reports (approximate)",
        "hm-legend",
        "Встановлено 5 контейнерів",
    ):
        assert needle in html, needle
    uk = public_map(t, GAZETTEER, lang="uk", view="districts").get_root().render()
    assert "Звернення за мікрорайонами" in uk and "Період: 2026-Q1" in uk


def test_public_map_draws_no_report_markers_even_for_public_asset_categories() -> None:
    df = make_reports(9, 160)
    df["category"] = "lighting"  # a public-space asset: still never a point on the public map
    t = public_table(released(df, make_addresses(9)), period=Month(2026, 1), group="infrastructure")
    m = public_map(t, GAZETTEER, actions=ACTIONS)
    html = m.get_root().render()
    drawn = [e for layer in m._children.values() for e in layer._children.values() if isinstance(e, TextPopupPoints)]
    assert sum(len(e.points) for e in drawn) == len(ACTIONS)  # one circle per action-plan item
    assert html.count("L.circleMarker(") == len(drawn)  # and no other circle: no report point
    assert "L.marker(" not in html and "markerClusterGroup" not in html


def test_osm_tiles_are_optional_and_never_added_by_default() -> None:
    m = basemap(GAZETTEER)
    html = m.get_root().render()
    assert "tile.openstreetmap.org" in html
    tile_var = next(c.get_name() for c in m._children.values() if isinstance(c, folium.TileLayer))
    assert f"{tile_var}.addTo" not in html
    assert (
        "DEMO DATA"
        not in basemap(dataclasses.replace(GAZETTEER, meta={"synthetic": False}), lang="en").get_root().render()
    )


def test_method_text_states_cell_size_noise_releases_lag_and_approximate_places() -> None:
    t = public_table(released(make_reports(1, 30), {}), period=Month(2026, 2), group=None)
    text = method_markdown(t, lang="en")
    for needle in (
        "resolution 8",
        "0.74 km²",
        "fewer than 8 addresses",
        "7 days",
        "2026-02",
        "approximate",
        "Cell Key Method",
        "numbered release",
        "revision",
        "a 0 does not prove",
        "Public order): deviation at most ±3, variance 1",
        "Parking, Other): deviation at most ±2, variance 0.5",
        "probability 5%",
        "checked by a moderator",
        "OpenStreetMap",
    ):
        assert needle in text, needle
    uk = method_markdown(lang="uk")
    assert "Як зроблено мапу" in uk and "приблизні" in uk and "±3" in uk


def test_requests_json_is_open311_shaped() -> None:
    df = make_reports(11, 600)
    t = public_table(released(df, dict.fromkeys(CELLS, 50)), period=Quarter(2026, 1), group=None)
    out = json.loads(exports.requests_json(t, POINTS))
    assert out, "the dense test data should publish some requests"
    assert len(out) == t.total
    assert {r["status"] for r in out} <= {"open", "closed"}
    assert len({r["service_request_id"] for r in out}) == len(out)
    points = {(round(a, 5), round(b, 5)) for a, b in zip(df["lat"], df["lon"], strict=True)}
    for r in out:
        assert (r["lat"], r["long"]) not in points and r["description"] == ""
        assert r["requested_datetime"][8:19] == "01T00:00:00"
        assert set(r) == {
            "service_request_id",
            "status",
            "service_code",
            "service_name",
            "description",
            "requested_datetime",
            "lat",
            "long",
        }


@pytest.mark.parametrize(
    ("fn", "allowed"),
    [
        (lambda role: exports.police_csv(make_reports(1, 3), role=role), {"police", "admin"}),
        (
            lambda role: exports.council_csv(pd.DataFrame({"district": ["d-01"], "n": [3]}), role=role),
            {"council", "partner", "admin"},
        ),
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
    t = public_table(released(make_reports(2, 80), make_addresses(2)), period=Month(2026, 1), group=None)
    header = exports.public_csv(t).removeprefix(exports.BOM).splitlines()[0].split(",")
    assert header == exports.PUBLIC_COLUMNS
    assert not set(header) & {"lat", "lon", "text", "occurred_at", "id", "reporter_hash"}


@pytest.mark.parametrize("public", [True, False])
def test_actions_layer_draws_each_action_once_at_its_place_in_its_status_colour(public: bool) -> None:
    """One browser-made element per status colour: every action is one circle at its place,
    in its status colour, with the popup rows of its audience (the public: status and note)."""
    plan = pd.concat([ACTIONS, ACTIONS.assign(status="open", public_note="ще ні")], ignore_index=True)
    plan = plan.assign(progress=[40, None, 10, 0], due_date="2026-03-01", owner_org=[None, "ГО Двір", None, None])
    group = actions_layer(plan, GAZETTEER, lang="en", public=public)
    drawn = [e for e in group._children.values() if isinstance(e, TextPopupPoints)]
    assert len(drawn) == 3  # done, in progress, open
    circles = sorted((p[0], p[1], json.loads(e.style_js)["fillColor"], p[2]["rows"]) for e in drawn for p in e.points)
    assert all(
        json.loads(e.style_js) == ACTION_STYLE | {"fillColor": json.loads(e.style_js)["fillColor"]} for e in drawn
    )
    cell, district = action_place(ACTIONS.iloc[0], GAZETTEER), action_place(ACTIONS.iloc[1], GAZETTEER)
    staff = [  # the organisation when there is one, else the owner's kind
        [["Owner", "City council"], ["Due", "2026-03-01"], ["", "internal plan detail"]],
        [["Owner", "ГО Двір"], ["Due", "2026-03-01"], ["", "internal patrol detail"]],
        [["Owner", "City council"], ["Due", "2026-03-01"], ["", "internal plan detail"]],
        [["Owner", "Police"], ["Due", "2026-03-01"], ["", "internal patrol detail"]],
    ]
    expected = [
        (
            *cell,
            STATUS_COLORS["done"],
            [["Status", "done"], ["What was done", "Встановлено 5 контейнерів"], ["Progress", "40%"]],
        ),
        (*district, STATUS_COLORS["in_progress"], [["Status", "in progress"]]),
        (*cell, STATUS_COLORS["open"], [["Status", "planned"], ["What was done", "ще ні"], ["Progress", "10%"]]),
        (*district, STATUS_COLORS["open"], [["Status", "planned"], ["What was done", "ще ні"], ["Progress", "0%"]]),
    ]
    if not public:
        expected = [(*e[:3], e[3] + rows) for e, rows in zip(expected, staff, strict=True)]
    assert circles == sorted(expected)


def test_staff_action_popups_name_every_status_from_the_catalogue() -> None:
    """The council's map shows proposed and rejected actions too (grey): their status is named
    in the page's language like the others, never shown as its code."""
    plan = ACTIONS.assign(status=["proposed", "rejected"][: len(ACTIONS)])
    for lang in ("uk", "en"):
        group = actions_layer(plan, GAZETTEER, lang=lang, public=False)
        shown = [
            p[2]["rows"][0][1] for e in group._children.values() if isinstance(e, TextPopupPoints) for p in e.points
        ]
        assert sorted(shown) == sorted(tr(f"action_status.{s}", lang) for s in plan["status"]), lang
