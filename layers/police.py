"""Restricted patrol-planning layers (police, admin): Gi* cells, density, clusters, points.

Every function checks the role itself (layers/access.py), because a page that forgot to
would otherwise hand out report points and texts. Payloads stay small: cells and
outlines are merged polygons, and report points only for a short period, capped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import folium
import h3
import numpy as np
import pandas as pd
import shapely
from branca.element import Template
from folium.plugins import MarkerCluster
from shapely.geometry import box, mapping
from shapely.ops import unary_union

from data.categories import label as category_label
from data.city_profile import city_zone
from encoders import js_value, visible_controls
from geo.projection import to_wgs84
from layers.access import require
from layers.basemap import basemap, cell_geometry, rounded
from layers.popups import OwnElement, TextPopupPoints
from layers.privacy import counted_reports
from layers.style import (
    GISTAR_COLORS,
    OKABE_ITO,
    SEQUENTIAL,
    add_geojson,
    legend,
    polygon_style,
)
from layers.text import code_label, plain, tr

MAX_POINTS = 1500  # markers beyond this make the page slow and the HTML megabytes
MAX_POINT_DAYS = 31  # points are for "this week / this month", not for history
EMERGING_NAMES = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)


def gistar_layer(gistar: pd.DataFrame, *, role: str | None, lang: str = "uk") -> folium.FeatureGroup:
    """Res-9 cells coloured by Gi* bin (-3..3, RdBu); not-significant cells are left undrawn."""
    require(role, "police_map")
    feats = [
        {
            "type": "Feature",
            "geometry": cell_geometry(r.cell),
            "properties": {
                "tip": tr("tip.gistar", lang, label=tr(f"gistar.{int(r.bin)}", lang), z=f"{r.z:.2f}", n=int(r.n)),
                "style": polygon_style(GISTAR_COLORS[int(r.bin)], weight=0.4, opacity=0.75),
            },
        }
        for r in gistar.itertuples(index=False)
        if int(r.bin) != 0
    ]
    group = folium.FeatureGroup(name=tr("layer.gistar", lang), show=True)
    add_geojson(group, feats, name=tr("layer.gistar", lang))
    return group


def gistar_legend(*, lang: str, period: str) -> Any:
    items = [(GISTAR_COLORS[b], tr(f"gistar.{b}", lang)) for b in (3, 2, 1, 0, -1, -2, -3)]
    return legend(
        tr("legend.gistar", lang), items, unit=tr("legend.z", lang), period=tr("legend.period", lang, period=period)
    )


def _to_lonlat(geom: Any) -> Any:
    """A geometry in UTM metres (clustering's DensityGrid) to lon/lat."""

    def fn(xy: np.ndarray) -> np.ndarray:
        lat, lon = to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, fn)


def density_contours(grid: Any, levels: list[float] | None = None) -> list[tuple[float, Any]]:
    """(level, lon/lat polygon) per level of a DensityGrid (x, y in metres, density[y, x]).

    Squares above each level are merged row run by row run, then unioned and simplified:
    robust nested bands without a contouring library, and a few hundred vertices each.
    """
    dens = np.asarray(grid.density, dtype=float)
    positive = dens[dens > 0]
    if positive.size == 0:
        return []
    if levels is None:
        levels = sorted({float(q) for q in np.quantile(positive, [0.5, 0.75, 0.9, 0.97])})
    half = grid.cell_m / 2
    out = []
    for level in levels:
        boxes = []
        for i, row in enumerate(dens >= level):
            if not row.any():
                continue
            padded = np.concatenate([[False], row, [False]]).astype(int)
            starts, ends = np.flatnonzero(np.diff(padded) == 1), np.flatnonzero(np.diff(padded) == -1) - 1
            y = grid.y[i]
            boxes += [
                box(grid.x[s] - half, y - half, grid.x[e] + half, y + half) for s, e in zip(starts, ends, strict=True)
            ]
        if boxes:
            shape = unary_union(boxes).simplify(grid.cell_m * 0.6)
            out.append((level, _to_lonlat(shape)))
    return out


def kde_layer(
    grid: Any, *, role: str | None, lang: str = "uk", levels: list[float] | None = None
) -> tuple[folium.FeatureGroup, list[tuple[str, str]]]:
    """Kernel-density bands (reports per km²) and their legend items."""
    require(role, "police_map")
    bands = density_contours(grid, levels)
    feats, items = [], []
    for i, (level, shape) in enumerate(bands):
        colour = SEQUENTIAL[min(len(SEQUENTIAL) - 1, i + (len(SEQUENTIAL) - len(bands)))]
        feats.append(
            {
                "type": "Feature",
                "geometry": rounded(mapping(shape)),
                "properties": {
                    "tip": f"≥ {level:.0f} {tr('legend.per_km2', lang)}",
                    "style": polygon_style(colour, weight=0.8, opacity=0.35),
                },
            }
        )
        items.append((colour, f"≥ {level:.0f}"))
    group = folium.FeatureGroup(name=tr("layer.kde", lang), show=False)
    add_geojson(group, feats, name=tr("layer.kde", lang))
    return group, items


def clusters_layer(clusters: pd.DataFrame, *, role: str | None, lang: str = "uk") -> folium.FeatureGroup:
    """DBSCAN/HDBSCAN outlines (clustering's rows: cluster, n, geometry in lon/lat)."""
    require(role, "police_map")
    feats = [
        {
            "type": "Feature",
            "geometry": rounded(mapping(r.geometry.simplify(0.00005))),
            "properties": {
                "tip": tr("tip.cluster", lang, cluster=r.cluster, n=int(r.n)),
                "style": {"color": "#000000", "weight": 2, "dashArray": "5 3", "fill": False},
            },
        }
        for r in clusters.itertuples(index=False)
        if r.geometry is not None and not r.geometry.is_empty
    ]
    group = folium.FeatureGroup(name=tr("layer.clusters", lang), show=False)
    add_geojson(group, feats, name=tr("layer.clusters", lang))
    return group


def emerging_layer(
    emerging: pd.DataFrame, *, role: str | None, lang: str = "uk"
) -> tuple[folium.FeatureGroup, list[tuple[str, str]]]:
    """Emerging hot/cold spot categories per cell (Okabe-Ito by pattern; cold ones dashed)."""
    require(role, "police_map")
    colours = dict(zip(EMERGING_NAMES, OKABE_ITO, strict=True))
    feats, used = [], {}
    for r in emerging.itertuples(index=False):
        name, _, side = str(r.category).partition("_")
        if name not in colours:
            continue
        text = f"{tr('emerging.' + name, lang)} ({tr('emerging.' + side, lang)})"
        used[text] = colours[name]
        feats.append(
            {
                "type": "Feature",
                "geometry": cell_geometry(r.cell),
                "properties": {
                    "tip": text,
                    "style": polygon_style(
                        colours[name],
                        weight=1.2 if side == "cold" else 0.5,
                        opacity=0.35 if side == "cold" else 0.7,
                        dash="4 3" if side == "cold" else None,
                    ),
                },
            }
        )
    group = folium.FeatureGroup(name=tr("layer.emerging", lang), show=False)
    add_geojson(group, feats, name=tr("layer.emerging", lang))
    return group, [(c, t) for t, c in sorted(used.items())]


class NumberedMarkers(OwnElement):
    """Numbered round markers, each with a plain-text hover tooltip, made in the browser from
    one JSON array ([lat, lon, number, tooltip]): one element for the layer instead of a
    folium Marker, DivIcon and binding per marker (each one rendered from its own template)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.items_js }}.forEach(function(p) {
            var icon = document.createElement('div');
            icon.style.cssText = {{ this.css_js }};
            icon.textContent = String(p[2]);
            L.marker([p[0], p[1]], {icon: L.divIcon({html: icon, className: 'empty', iconSize: [22, 22], iconAnchor: [11, 11]})})
                .bindTooltip(function() {
                    var div = document.createElement('div');
                    div.textContent = p[3];
                    return div;
                }, {sticky: true})
                .addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    CSS = (
        "background:#b2182b;color:#fff;border-radius:50%;width:22px;height:22px;"
        "text-align:center;font:bold 12px/22px sans-serif"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "NumberedMarkers"
        self.items: list[list[object]] = []
        self.css_js = js_value(self.CSS)

    def add(self, lat: float, lon: float, number: int, tip: str) -> None:
        self.items.append([lat, lon, int(number), visible_controls(tip)])

    @property
    def items_js(self) -> str:
        return js_value(self.items)


def top_cells_layer(gistar: pd.DataFrame, *, role: str | None, lang: str = "uk", n: int = 10) -> folium.FeatureGroup:
    """The `n` strongest significant hot spots, numbered 1..n at their cell centres."""
    require(role, "police_map")
    top = gistar.loc[gistar["bin"] > 0].sort_values(["z", "n"], ascending=False).head(n)
    group = folium.FeatureGroup(name=tr("layer.top", lang), show=True)
    markers = NumberedMarkers()
    for rank, r in enumerate(top.itertuples(index=False), 1):
        lat, lon = h3.cell_to_latlng(r.cell)
        markers.add(round(lat, 5), round(lon, 5), rank, tr("tip.rank", lang, rank=rank, z=f"{r.z:.2f}", n=int(r.n)))
    markers.add_to(group)
    return group


class ClusterFallback(OwnElement):
    """Keeps the map working where the MarkerCluster plugin script is not served (a map
    saved as HTML and opened outside the app, a missing static/vendor): the points are
    then shown unclustered instead of one script error blanking every layer after them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (typeof L.markerClusterGroup !== "function") {
            L.markerClusterGroup = function() { return L.featureGroup(); };
        }
        {% endmacro %}
        """
    )


class UncertaintyCircles(OwnElement):
    """Each point's uncertainty radius as one script for the whole layer (numbers only)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.circles_js }}.forEach(function(c) {
            L.circle([c[0], c[1]], {radius: c[2], color: "#d55e00", weight: 1, fill: false})
                .addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "UncertaintyCircles"
        self.circles: list[list[float]] = []  # [lat, lon, radius in metres]

    @property
    def circles_js(self) -> str:
        return js_value(self.circles)


def points_layers(
    reports: pd.DataFrame, *, role: str | None, start: datetime, end: datetime, lang: str = "uk", cap: int = MAX_POINTS
) -> tuple[folium.FeatureGroup, folium.FeatureGroup]:
    """Report markers (clustered) with popups, and their uncertainty circles, for [start, end).

    Only a short period (<= MAX_POINT_DAYS) and at most `cap` newest reports, so the map
    stays a patrol tool and not a full export. Rejected reports and duplicates are left
    out; times are shown in city time.
    """
    require(role, "police_map")
    if end - start > timedelta(days=MAX_POINT_DAYS):
        raise ValueError(f"report points are shown for at most {MAX_POINT_DAYS} days")
    counted = counted_reports(reports)  # no spam, each event once
    when = pd.to_datetime(counted["occurred_at"], utc=True)
    sel = counted.loc[(when >= start) & (when < end)].assign(when_utc=when)
    sel = sel.sort_values("when_utc", ascending=False)
    total = len(sel)
    sel = sel.head(cap)
    name = tr("layer.points", lang, shown=len(sel), total=total)
    markers = folium.FeatureGroup(name=name, show=True)
    circles = folium.FeatureGroup(name=f"{name}: ±", show=False)
    ClusterFallback().add_to(markers)
    cluster = MarkerCluster(options={"disableClusteringAtZoom": 18}).add_to(markers)
    # text only: report texts are the police map's most hostile input; one element for all points
    points = TextPopupPoints(
        cluster,
        max_width=360,
        style={"radius": 5, "color": "#333333", "weight": 1, "fill": True, "fillColor": "#d55e00", "fillOpacity": 0.9},
    )
    rings = UncertaintyCircles()
    # one catalogue lookup per label, category, status, level and radius, and the times converted as a column
    heads = [tr(f"popup.{key}", lang) for key in ("category", "time", "status", "level", "text")]
    radius: dict[int, str] = {}
    times = sel["when_utc"].dt.tz_convert(city_zone()).dt.strftime("%Y-%m-%d %H:%M").tolist()
    uncs = sel["uncertainty_m"].tolist() if "uncertainty_m" in sel else [None] * len(sel)
    columns = [sel[c].tolist() for c in ("lat", "lon", "category", "status", "level", "text")]
    names = {c: category_label(c, lang) for c in set(columns[2])}
    statuses = {s: code_label("status", plain(s), lang) for s in set(columns[3])}
    levels = {v: code_label("level", plain(v), lang) for v in set(columns[4])}
    for (lat, lon, category, status, level, text), when, unc in zip(zip(*columns), times, uncs, strict=True):
        lat, lon = float(lat), float(lon)
        known = unc is not None and np.isfinite(unc)
        if known and int(unc) not in radius:
            radius[int(unc)] = f" ({tr('popup.uncertainty', lang, m=int(unc))})"
        points.add(
            lat,
            lon,
            list(
                zip(
                    heads,
                    [
                        names[category],
                        when,
                        statuses[status],
                        levels[level] + (radius[int(unc)] if known else ""),
                        plain(text),
                    ],
                    strict=True,
                )
            ),
        )
        if known and unc > 0:
            rings.circles.append([lat, lon, float(unc)])
    points.add_to(markers)  # after the cluster it fills
    rings.add_to(circles)
    return markers, circles


def police_map(
    gazetteer: Any,
    *,
    role: str | None,
    period_label: str,
    lang: str = "uk",
    gistar: pd.DataFrame | None = None,
    density: Any = None,
    clusters: pd.DataFrame | None = None,
    emerging: pd.DataFrame | None = None,
    reports: pd.DataFrame | None = None,
    points_window: tuple[datetime, datetime] | None = None,
    top_n: int = 10,
) -> folium.Map:
    """The patrol-planning map: whatever analysis results are given, each as its own layer."""
    require(role, "police_map")
    m = basemap(gazetteer, lang=lang)
    if gistar is not None:
        gistar_layer(gistar, role=role, lang=lang).add_to(m)
        top_cells_layer(gistar, role=role, lang=lang, n=top_n).add_to(m)
        gistar_legend(lang=lang, period=period_label).add_to(m)
    if density is not None:
        layer, items = kde_layer(density, role=role, lang=lang)
        layer.add_to(m)
        if items:
            legend(
                tr("layer.kde", lang), items, unit=tr("legend.per_km2", lang), period=None, position="bottomleft"
            ).add_to(m)
    if clusters is not None:
        clusters_layer(clusters, role=role, lang=lang).add_to(m)
    if emerging is not None:
        layer, items = emerging_layer(emerging, role=role, lang=lang)
        layer.add_to(m)
        if items:
            legend(tr("layer.emerging", lang), items, unit="", period=None, position="topright").add_to(m)
    if reports is not None and points_window is not None:
        for layer in points_layers(reports, role=role, start=points_window[0], end=points_window[1], lang=lang):
            layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
