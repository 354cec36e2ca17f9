"""Police and council layers: role refusals, layer names, legends, caps, survey suppression."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import folium
import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon
from test_layers_privacy import CELLS, make_reports
from test_layers_public import ACTIONS, GAZETTEER, GAZETTEER_JSON

from geo.gazetteer import Gazetteer
from geo.projection import to_metres
from layers import council, police
from layers.privacy import MIN_SURVEY_N, Month, counted_reports

RES9 = sorted(h3.cell_to_children(CELLS[0], 9))
GISTAR = pd.DataFrame(
    {
        "cell": RES9,
        "n": [30, 20, 9, 5, 1, 0, 0],
        "z": [4.1, 2.2, 1.7, 0.3, -1.8, -2.1, -2.9],
        "p": [0.0001, 0.03, 0.09, 0.7, 0.07, 0.04, 0.004],
        "bin": [3, 2, 1, 0, -1, -2, -3],
    }
)
EMERGING = pd.DataFrame({"cell": RES9[:3], "category": ["new_hot", "persistent_hot", "diminishing_cold"]})
CLUSTERS = pd.DataFrame(
    {
        "cluster": [0],
        "n": [12],
        "lat": [47.566],
        "lon": [31.33],
        "area_m2": [9e4],
        "geometry": [Polygon([(31.329, 47.565), (31.331, 47.565), (31.331, 47.567)])],
    }
)


def density_grid() -> SimpleNamespace:
    """A DensityGrid look-alike (clustering.kde): metres, density[y, x], one peak."""
    x0, y0 = to_metres(47.566, 31.33)
    xs, ys = float(x0) + np.arange(-500, 501, 50.0), float(y0) + np.arange(-500, 501, 50.0)
    gx, gy = np.meshgrid(xs, ys)
    dens = 100 * np.exp(-((gx - float(x0)) ** 2 + (gy - float(y0)) ** 2) / 2e4)
    return SimpleNamespace(x=xs, y=ys, density=dens, cell_m=50.0)


def survey(n1: int, n2: int) -> pd.DataFrame:
    rows = [{"wave": "1", "district": "West", "trust_police": 2.0}] * n1
    rows += [{"wave": "1", "district": "East", "trust_police": 3.0}] * n2
    rows += [{"wave": "2", "district": "West", "answers": {"trust_police": 3.5}}] * n1
    rows += [{"wave": "2", "district": "d-02", "answers": {"trust_police": 3.0}}] * n2
    return pd.DataFrame(rows)


def every_police_layer(gazetteer=GAZETTEER, reports: pd.DataFrame | None = None) -> folium.Map:  # type: ignore[no-untyped-def]
    """A police map with every kind of layer: Gi* cells, top cells, KDE (hidden), clusters,
    trends and February's points (by default 150 reports in 4 cells, 75 m precise)."""
    if reports is None:
        reports = make_reports(4, 150)
        reports["uncertainty_m"] = 75.0
    return police.police_map(
        gazetteer,
        role="police",
        period_label="2026-02",
        lang="en",
        gistar=GISTAR,
        density=density_grid(),
        clusters=CLUSTERS,
        emerging=EMERGING,
        reports=reports,
        points_window=(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    )


def test_police_map_layers_legends_and_points() -> None:
    df = make_reports(4, 150)
    df["uncertainty_m"] = 75.0
    m = every_police_layer(reports=df)
    html = m.get_root().render()
    for needle in (
        "Gi* hot and cold spots",
        "Hot spot, 99%",
        "Cold spot, 95%",
        "Density (KDE)",
        "reports per km²",
        "Clusters (DBSCAN/HDBSCAN)",
        "Emerging hotspots",
        "New (hot)",
        "Diminishing (cold)",
        "Top hotspot cells",
        "No. 1: z = 4.10",
        "Reports (showing",
        "markerClusterGroup",
        "Period: 2026-02",
        "OpenStreetMap contributors",
        "DEMO DATA",
        "± 75 m",
        "Text (redacted)",
    ):
        assert needle in html, needle
    assert html.index("typeof L.markerClusterGroup") < html.index("L.markerClusterGroup(")  # offline fallback
    counted = counted_reports(df)
    in_feb = counted[pd.to_datetime(counted["occurred_at"], utc=True).dt.month.eq(2)]
    assert in_feb["text"].iloc[0] in html  # the police do see redacted texts
    rejected = df[df["status"].eq("rejected") & pd.to_datetime(df["occurred_at"], utc=True).dt.month.eq(2)]
    assert not any(f"{t}<" in html or f'{t}"' in html for t in rejected["text"])


def test_points_are_capped_and_limited_to_a_short_period() -> None:
    df = make_reports(5, 160)
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)
    markers, _ = police.points_layers(df, role="admin", start=start, end=end, cap=10)
    assert "showing 10 of" in markers.layer_name or "показано 10 з" in markers.layer_name
    with pytest.raises(ValueError, match="at most"):
        police.points_layers(df, role="police", start=start, end=datetime(2026, 3, 1, tzinfo=UTC))


def test_kde_contours_are_nested_bands() -> None:
    bands = police.density_contours(density_grid())
    assert len(bands) >= 3
    areas = [shape.area for _, shape in bands]
    assert areas == sorted(areas, reverse=True)
    assert bands[-1][1].contains(bands[-1][1].centroid)


@pytest.mark.parametrize("role", [None, "public", "council", "partner", "moderator", "nobody"])
def test_police_layers_refuse_other_roles(role) -> None:
    calls = [
        lambda: police.police_map(GAZETTEER, role=role, period_label="x"),
        lambda: police.gistar_layer(GISTAR, role=role),
        lambda: police.top_cells_layer(GISTAR, role=role),
        lambda: police.kde_layer(density_grid(), role=role),
        lambda: police.clusters_layer(CLUSTERS, role=role),
        lambda: police.emerging_layer(EMERGING, role=role),
        lambda: police.points_layers(
            make_reports(1, 5), role=role, start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 8, tzinfo=UTC)
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionError):
            call()


@pytest.mark.parametrize("role", [None, "public", "police", "moderator"])
def test_council_layers_refuse_other_roles(role) -> None:
    calls = [
        lambda: council.council_map(GAZETTEER, role=role, period=Month(2026, 2)),
        lambda: council.district_stats(make_reports(1, 5), GAZETTEER, period=Month(2026, 2), role=role),
        lambda: council.cells_layer(make_reports(1, 5), period=Month(2026, 2), role=role),
        lambda: council.survey_layers(survey(30, 30), GAZETTEER, wave="1", role=role),
        lambda: council.meetings_layer(pd.DataFrame(columns=["lat", "lon"]), role=role),
    ]
    for call in calls:
        with pytest.raises(PermissionError):
            call()


def test_district_stats_counts_rates_and_change() -> None:
    df = make_reports(6, 160)
    stats = council.district_stats(df, GAZETTEER, period=Month(2026, 2), role="council").set_index("district")
    counted = df[df["status"].ne("rejected") & df["duplicate_of"].isna()]
    feb = counted[pd.to_datetime(counted["occurred_at"], utc=True).dt.month.eq(2)]
    jan = counted[pd.to_datetime(counted["occurred_at"], utc=True).dt.month.eq(1)]
    assert stats["n"].sum() == len(feb)  # every test point lies in one of the two districts
    assert stats["n_prev"].sum() == len(jan)
    assert stats.loc["d-01", "per_1000"] == round(1000 * stats.loc["d-01", "n"] / 4000, 2)
    assert (stats["change"] == stats["n"] - stats["n_prev"]).all()


def test_council_map_has_layers_survey_suppression_and_no_report_text() -> None:
    df = make_reports(8, 160)
    meetings = pd.DataFrame(
        [{"place": "Бібліотека № 2", "date": "2026-02-11", "attendees": 31, "lat": 47.56, "lon": 31.32}]
    )
    m = council.council_map(
        GAZETTEER,
        role="partner",
        period=Month(2026, 2),
        lang="en",
        reports=df,
        actions=ACTIONS,
        survey=survey(MIN_SURVEY_N, MIN_SURVEY_N - 1),
        wave="2",
        previous_wave="1",
        meetings=meetings,
    )
    html = m.get_root().render()
    for needle in (
        "Reports by microdistrict",
        "Per 1,000 residents",
        "Change vs the previous period",
        "Reports by cell (resolution 8)",
        "Survey: trust in the police",
        "Survey: change, trust in the police",
        f"fewer than {MIN_SURVEY_N} answers: not shown",
        "Meeting places",
        "Бібліотека № 2",
        "Actions and what was done",
        "internal plan detail",
        "Period: 2026-02",
        "OpenStreetMap contributors",
    ):
        assert needle in html, needle
    assert not any(t in html for t in df["text"])
    layers = council.survey_layers(
        survey(MIN_SURVEY_N, MIN_SURVEY_N - 1), GAZETTEER, wave="2", previous_wave="1", role="council", lang="en"
    )
    wave_html, change_html = (folium_html(layer) for layer, _, _ in layers)
    suppressed = "East: —"  # tooltip texts are embedded as readable JSON (layers/popups.py)
    assert "West: 3.5" in wave_html and suppressed in wave_html
    assert "West: 1.5" in change_html and suppressed in change_html


def test_district_tips_name_each_microdistrict_in_the_page_language() -> None:
    local = {"d-01": ("Захід", "West"), "d-02": ("Схід", "East")}
    named = Gazetteer.from_dict(
        GAZETTEER_JSON
        | {
            "districts": [
                d | {"name": local[d["id"]][0], "names": {"name:en": local[d["id"]][1]}}
                for d in GAZETTEER_JSON["districts"]
            ]
        }
    )
    stats = council.district_stats(make_reports(3, 60), named, period=Month(2026, 2), role="council")
    for lang, shown, hidden in (("en", "West", "Захід"), ("uk", "Захід", "West")):
        (counts, _, _), *_ = council.district_layers(stats, named, role="council", lang=lang)
        html = folium_html(counts)
        assert f"{shown}: " in html and hidden not in html, lang


def folium_html(layer) -> str:
    m = folium.Map(tiles=None)
    layer.add_to(m)
    return m.get_root().render()


def test_report_points_are_one_script_and_their_texts_stay_data() -> None:
    df = make_reports(4, 150)
    df["text"] = "</script><img src=x onerror=alert(1)>{{ 7*7 }}${x}"
    start, end = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    m = folium.Map()
    markers, circles = police.points_layers(df, role="police", start=start, end=end, lang="en")
    markers.add_to(m)
    circles.add_to(m)
    html = m.get_root().render()
    shown = int(markers.layer_name.split("showing ")[1].split(" ")[0])
    assert shown > 1 and html.count("L.circleMarker(") == 1  # one loop for every point, not one element each
    assert "<img" not in html and "{{" not in html and "7*7" in html  # not rendered as a template either
    # the one distinct text, escaped, as data, sent once for every point that shows it
    assert html.count("\\u003c/script\\u003e\\u003cimg") == 1
