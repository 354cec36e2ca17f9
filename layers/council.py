"""Restricted district-review layers (council, partner, admin).

Counts per microdistrict (absolute, per 1,000 residents, change against the previous
period of the same length), res-8 cells, the action plan with its status, survey results
(suppressed below the minimum sample by layers/privacy.py) and meeting places. No report
points, texts or reporter data are drawn here: the council's job is districts and actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium
import h3
import numpy as np
import pandas as pd
from shapely import contains_xy
from shapely.geometry import Polygon

from layers import privacy
from layers.access import require
from layers.basemap import basemap, cell_geometry, polygon_geometry
from layers.popups import TextPopups
from layers.privacy import Period
from layers.public import actions_layer
from layers.style import (
    DIVERGING,
    FLAGGED,
    SEQUENTIAL,
    VIRIDIS,
    add_geojson,
    break_labels,
    class_breaks,
    color_for,
    diverging_breaks,
    diverging_labels,
    legend,
    polygon_style,
)
from layers.text import district_names_of, plain, tr

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer


def _in_period(reports: pd.DataFrame, period: Period) -> pd.DataFrame:
    counted = privacy.counted_reports(reports)
    when = pd.to_datetime(counted["occurred_at"], utc=True)
    return counted.loc[(when >= period.start) & (when < period.end)]


def district_ids(lat: np.ndarray, lon: np.ndarray, gazetteer: Gazetteer) -> np.ndarray:
    """Microdistrict id of each exact point ('' outside all); restricted, so points are used."""
    out = np.full(len(lat), privacy.OUTSIDE_DISTRICTS, dtype=object)
    for d in gazetteer.districts:
        inside = contains_xy(Polygon(d.polygon), np.asarray(lon, float), np.asarray(lat, float))
        out[inside & (out == privacy.OUTSIDE_DISTRICTS)] = d.id
    return out


def district_stats(reports: pd.DataFrame, gazetteer: Gazetteer, *, period: Period, role: str | None) -> pd.DataFrame:
    """district, name, population, n, per_1000, n_prev, change (vs the previous period), from
    the reports' points (the row path; the page reads :func:`district_stats_of` counts)."""
    require(role, "council_map")
    now, prev = _in_period(reports, period), _in_period(reports, period.previous())
    cur = pd.Series(district_ids(now["lat"].to_numpy(), now["lon"].to_numpy(), gazetteer)).value_counts()
    old = pd.Series(district_ids(prev["lat"].to_numpy(), prev["lon"].to_numpy(), gazetteer)).value_counts()
    return _district_table(cur, old, gazetteer)


def district_stats_of(counts: pd.DataFrame, gazetteer: Gazetteer, *, period: Period, role: str | None) -> pd.DataFrame:
    """:func:`district_stats` from counts per ``district``, ``month`` (city time) and ``n`` (the
    store's grouped counts of counted reports): a period is its months."""
    require(role, "council_map")

    def per_district(chosen: Period) -> pd.Series:
        months = counts["month"].isin([m.label for m in chosen.months])
        return counts.loc[months].groupby("district")["n"].sum()

    return _district_table(per_district(period), per_district(period.previous()), gazetteer)


def _district_table(cur: pd.Series, old: pd.Series, gazetteer: Gazetteer) -> pd.DataFrame:
    rows = []
    for d in gazetteer.districts:
        n, n_prev, pop = int(cur.get(d.id, 0)), int(old.get(d.id, 0)), d.population
        rows.append(
            {
                "district": d.id,
                "name": d.name,
                "population": pop,
                "n": n,
                "per_1000": round(1000 * n / pop, 2) if pop else np.nan,
                "n_prev": n_prev,
                "change": n - n_prev,
            }
        )
    return pd.DataFrame(rows)


#: gazetteer id -> (that gazetteer, each district's simplified GeoJSON geometry)
_GEOMETRIES: dict[int, tuple[Gazetteer, dict[str, dict]]] = {}


def _district_geometries(gazetteer: Gazetteer) -> dict[str, dict]:
    """Each microdistrict's simplified polygon, made once per gazetteer: the review map draws
    them in five layers for every period (shared, never changed: folium only reads them)."""
    known = _GEOMETRIES.get(id(gazetteer))
    if known is not None and known[0] is gazetteer:
        return known[1]
    made = {d.id: polygon_geometry(d.polygon) for d in gazetteer.districts}
    if len(_GEOMETRIES) > 8:  # tests make many small gazetteers
        _GEOMETRIES.clear()
    _GEOMETRIES[id(gazetteer)] = (gazetteer, made)
    return made


def _district_choropleth(
    stats: pd.DataFrame,
    gazetteer: Gazetteer,
    column: str,
    *,
    name: str,
    palette: list[str],
    breaks: list[float],
    show: bool,
    lang: str,
) -> folium.FeatureGroup:
    polygons = _district_geometries(gazetteer)
    names = district_names_of(gazetteer, lang)
    feats = []
    for r in stats.itertuples(index=False):
        value = getattr(r, column)
        fill = FLAGGED if pd.isna(value) else color_for(value, breaks, palette)
        feats.append(
            {
                "type": "Feature",
                "geometry": polygons[r.district],
                "properties": {
                    "tip": f"{names[r.district]}: {'—' if pd.isna(value) else value}",
                    "style": polygon_style(fill, weight=1.5, opacity=0.65),
                },
            }
        )
    group = folium.FeatureGroup(name=name, show=show)
    add_geojson(group, feats, name=name)
    return group


def district_layers(
    stats: pd.DataFrame, gazetteer: Gazetteer, *, role: str | None, lang: str = "uk"
) -> list[tuple[folium.FeatureGroup, list[tuple[str, str]], str]]:
    """(layer, legend items, unit) for counts, rate per 1,000 residents and change."""
    require(role, "council_map")
    out = []
    for column, key, unit_key, palette, show in (
        ("n", "layer.district_counts", "legend.reports", SEQUENTIAL, True),
        ("per_1000", "layer.district_rates", "legend.per_1000", SEQUENTIAL, False),
        ("change", "layer.district_change", "legend.change", DIVERGING, False),
    ):
        values = stats[column].dropna().tolist()
        if column == "change":
            breaks = diverging_breaks(values)
            labels = diverging_labels(breaks)
        else:
            breaks = class_breaks(values)
            labels = break_labels(breaks, 0) if column == "n" else [f"≤ {b:g}" for b in breaks]
        layer = _district_choropleth(
            stats, gazetteer, column, name=tr(key, lang), palette=palette, breaks=breaks, show=show, lang=lang
        )
        out.append(
            (
                layer,
                [(color_for(b, breaks, palette), lab) for b, lab in zip(breaks, labels, strict=True)],
                tr(unit_key, lang),
            )
        )
    return out


def cell_counts(reports: pd.DataFrame, period: Period) -> pd.Series:
    """Res-8 cell -> counted reports of the period, from the points (the row path)."""
    sel = _in_period(reports, period)
    return pd.Series(
        [h3.latlng_to_cell(a, b, privacy.PUBLIC_RES) for a, b in zip(sel["lat"], sel["lon"], strict=True)]
    ).value_counts()


def cells_layer(
    reports: pd.DataFrame | None = None,
    *,
    period: Period,
    role: str | None,
    lang: str = "uk",
    counts: pd.Series | None = None,
) -> folium.FeatureGroup:
    """Res-8 cell counts for the period (restricted: no k, the council plans with them), from
    the reports or from ``counts`` (cell -> n) the store counted."""
    require(role, "council_map")
    counts = cell_counts(reports, period) if counts is None else counts
    breaks = class_breaks(counts.tolist(), floor=1)
    feats = [
        {
            "type": "Feature",
            "geometry": cell_geometry(cell),
            "properties": {
                "tip": tr("tip.count", lang, n=int(n)),
                "style": polygon_style(color_for(n, breaks), opacity=0.6),
            },
        }
        for cell, n in counts.items()
    ]
    group = folium.FeatureGroup(name=tr("layer.council_cells", lang), show=False)
    add_geojson(group, feats, name=tr("layer.council_cells", lang))
    return group


def _survey_breaks(values: list[float]) -> list[float]:
    """Quantile breaks for mean answers (fractional, so no rounding to whole counts)."""
    vals = np.asarray(values, dtype=float)
    return sorted({round(float(q), 2) for q in np.quantile(vals, np.linspace(0, 1, 6)[1:])}) if vals.size else []


def _plain_labels(breaks: list[float]) -> list[str]:
    return [f"≤ {b:.2f}" for b in breaks]


def _survey_frame(table: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """Survey rows keyed by district name or id -> gazetteer ids."""
    ids = {d.name: d.id for d in gazetteer.districts} | {d.id: d.id for d in gazetteer.districts}
    out = table.assign(district=table["district"].map(ids))
    return out.dropna(subset=["district"])


def survey_layers(
    responses: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    wave: str,
    previous_wave: str | None = None,
    measure: str = "trust_police",
    role: str | None,
    lang: str = "uk",
) -> list[tuple[folium.FeatureGroup, list[tuple[str, str]], str]]:
    """A survey measure by district for a wave (and its change since the previous wave).

    Districts below privacy.MIN_SURVEY_N answers are grey: the suppression is decided in
    layers/privacy.py, here only drawn.
    """
    require(role, "council_map")
    means = privacy.survey_by_district(responses, wave)
    change = None if previous_wave is None else privacy.survey_change(responses, previous_wave, wave)
    return survey_layers_of(means, change, gazetteer, wave=wave, measure=measure, role=role, lang=lang)


def survey_layers_of(
    means: pd.DataFrame,
    change: pd.DataFrame | None,
    gazetteer: Gazetteer,
    *,
    wave: str,
    measure: str = "trust_police",
    role: str | None,
    lang: str = "uk",
) -> list[tuple[folium.FeatureGroup, list[tuple[str, str]], str]]:
    """:func:`survey_layers` from the wave's means (:func:`layers.privacy.survey_by_district`)
    and their change since the previous wave (:func:`layers.privacy.survey_change`, or None)."""
    require(role, "council_map")
    label = tr(f"survey.{measure}", lang)
    suppressed = tr("legend.suppressed", lang, n=privacy.MIN_SURVEY_N)
    out = []
    tables = [(means, tr("layer.survey", lang, measure=label), VIRIDIS, _survey_breaks, _plain_labels)]
    if change is not None:
        tables.append(
            (change, tr("layer.survey_change", lang, measure=label), DIVERGING, diverging_breaks, diverging_labels)
        )
    for table, name, palette, make_breaks, make_labels in tables:
        frame = _survey_frame(table, gazetteer)
        frame = frame.assign(value=frame[measure].round(2) if measure in frame else np.nan)
        breaks = make_breaks(frame["value"].dropna().tolist()) or [0.0]
        layer = _district_choropleth(
            frame[["district", "value"]],
            gazetteer,
            "value",
            name=name,
            palette=palette,
            breaks=breaks,
            show=False,
            lang=lang,
        )
        items = [(color_for(b, breaks, palette), lab) for b, lab in zip(breaks, make_labels(breaks), strict=True)]
        items.append((FLAGGED, suppressed))
        out.append((layer, items, wave))
    return out


def meetings_layer(meetings: pd.DataFrame, *, role: str | None, lang: str = "uk") -> folium.FeatureGroup:
    """Where the dialogue meetings took place (date, place, attendees)."""
    require(role, "council_map")
    group = folium.FeatureGroup(name=tr("layer.meetings", lang), show=True)
    popups = TextPopups(max_width=300)  # places come from minutes files: text only
    for r in meetings.dropna(subset=["lat", "lon"]).itertuples(index=False):
        marker = folium.Marker(
            (round(float(r.lat), 5), round(float(r.lon), 5)), icon=folium.Icon(color="darkblue", icon="user")
        ).add_to(group)
        attendees = plain(getattr(r, "attendees", None)) or "—"
        popups.bind(marker, [("", plain(r.date)), (tr("popup.attendees", lang), attendees)], title=plain(r.place))
    popups.add_to(group)
    return group


def council_map(
    gazetteer: Gazetteer,
    *,
    role: str | None,
    period: Period,
    lang: str = "uk",
    reports: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    wave: str | None = None,
    previous_wave: str | None = None,
    survey_measure: str = "trust_police",
    meetings: pd.DataFrame | None = None,
    stats: pd.DataFrame | None = None,
    cells: pd.Series | None = None,
    survey_means: pd.DataFrame | None = None,
    survey_change: pd.DataFrame | None = None,
) -> folium.Map:
    """The district-review map: each given input becomes its own toggleable layer. The
    district and cell counts come from ``reports`` or, counted by the store, as ``stats``
    (:func:`district_stats_of`) and ``cells`` (res-8 cell -> n); the survey layers from the
    ``survey`` responses or, computed already, as ``survey_means`` of ``wave`` and their
    ``survey_change`` since the wave before (see :func:`survey_layers_of`)."""
    require(role, "council_map")
    m = basemap(gazetteer, lang=lang)
    caption = tr("legend.period", lang, period=period.label)
    if reports is not None:
        stats = district_stats(reports, gazetteer, period=period, role=role)
        cells = cell_counts(reports, period)
    if stats is not None:
        for i, (layer, items, unit) in enumerate(district_layers(stats, gazetteer, role=role, lang=lang)):
            layer.add_to(m)
            if i == 0:
                legend(layer.layer_name, items, unit=unit, period=caption).add_to(m)
    if cells is not None:
        cells_layer(period=period, role=role, lang=lang, counts=cells).add_to(m)
    if actions is not None and len(actions):
        actions_layer(actions, gazetteer, lang=lang, public=False).add_to(m)
    if survey_means is not None and wave is not None:
        survey_maps = survey_layers_of(
            survey_means, survey_change, gazetteer, wave=wave, measure=survey_measure, role=role, lang=lang
        )
    elif survey is not None and wave is not None:
        survey_maps = survey_layers(
            survey, gazetteer, wave=wave, previous_wave=previous_wave, measure=survey_measure, role=role, lang=lang
        )
    else:
        survey_maps = []
    if survey_maps:
        for layer, _, _ in survey_maps:
            layer.add_to(m)
        last, items, _ = survey_maps[-1]  # one legend, of the last survey layer
        legend(
            last.layer_name, items, unit=tr("legend.wave", lang, wave=wave), period=None, position="bottomleft"
        ).add_to(m)
    if meetings is not None and len(meetings):
        meetings_layer(meetings, role=role, lang=lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
