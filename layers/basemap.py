"""The offline basemap: the city drawn from the gazetteer, so no tile server is needed.

Streets (grey, by class), water (blue), parks (green) and the city outline are merged
into a handful of simplified GeoJSON features (tens of kB, not thousands of objects);
OpenStreetMap tiles are an optional base layer that is not loaded until chosen. The
ODbL attribution is always on the map, and a synthetic gazetteer gets a DEMO DATA label.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import folium
import h3
from shapely.geometry import LineString, MultiLineString, Polygon, mapping

from data.city_profile import profile
from layers.style import Attribution, MetricScale, _ScriptControl, label_control
from layers.text import tr

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

MAJOR_HIGHWAYS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
SIMPLIFY_DEG = 0.00004  # about 3-4 m: invisible at city zoom, halves the vertex count
DECIMALS = 5  # about 1 m; more digits only add bytes
# The background map needs no more than ~10 m; coarser than report points (5 decimals), so
# no basemap vertex (a street crossing, say) can repeat where a report was placed.
BASEMAP_DECIMALS = 4
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def rounded(geom: dict, decimals: int = DECIMALS) -> dict:
    """GeoJSON geometry with coordinates rounded to `decimals` (nested lists of pairs)."""

    def walk(c: Any) -> Any:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(v), decimals) for v in c]
        return [walk(x) for x in c]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def cell_geometry(cell: str) -> dict:
    """GeoJSON polygon of an H3 cell (lon/lat, closed ring, rounded)."""
    ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
    return rounded({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


def polygon_geometry(ring: list, decimals: int = DECIMALS) -> dict:
    """GeoJSON polygon from a gazetteer ring ([[lon, lat], ...]), simplified."""
    return rounded(mapping(Polygon(ring).simplify(SIMPLIFY_DEG, preserve_topology=True)), decimals)


def _feature(geom: dict, style: dict) -> dict:
    return {"type": "Feature", "geometry": geom, "properties": {"style": style}}


def basemap_features(gazetteer: Gazetteer) -> list[dict]:
    """The basemap as a few styled GeoJSON features (one per street class, water, park)."""
    feats: list[dict] = []
    for poly in gazetteer.water:
        feats.append(
            _feature(
                polygon_geometry(poly.polygon, BASEMAP_DECIMALS),
                {"color": "#6baed6", "weight": 0.5, "fillColor": "#c6dbef", "fillOpacity": 0.9},
            )
        )
    for poly in gazetteer.parks:
        feats.append(
            _feature(
                polygon_geometry(poly.polygon, BASEMAP_DECIMALS),
                {"color": "#74c476", "weight": 0.5, "fillColor": "#c7e9c0", "fillOpacity": 0.8},
            )
        )
    for major in (False, True):
        lines = [
            LineString(line)
            for street in gazetteer.streets
            if (street.highway in MAJOR_HIGHWAYS) == major
            for line in street.lines
            if len(line) >= 2
        ]
        if lines:
            geom = MultiLineString(lines).simplify(SIMPLIFY_DEG, preserve_topology=False)
            style = {"color": "#8c8c8c" if major else "#b5b5b5", "weight": 2.5 if major else 1.0, "opacity": 0.9}
            feats.append(_feature(rounded(mapping(geom), BASEMAP_DECIMALS), style))
    boundary = gazetteer.boundary
    if boundary:
        feats.append(
            _feature(
                polygon_geometry(boundary, BASEMAP_DECIMALS),
                {"color": "#525252", "weight": 2, "fill": False, "dashArray": "6 4"},
            )
        )
    return feats


@dataclass(frozen=True)
class BaseStamp:
    """What a map's base was made from (its gazetteer, language and zoom) and the names of the
    base elements :func:`basemap` gave it: two maps whose base still holds exactly those
    elements draw the same base, so ui/map_frame.py renders it once per stamp."""

    key: tuple[int, str, int]
    names: tuple[str, ...]


_GAZETTEERS: dict[int, int] = {}  # id of a live gazetteer -> its number
_SERIAL = itertools.count(1)
_SERIAL_LOCK = threading.RLock()  # re-entrant: a finalizer may run while it is held


def _serial(gazetteer: Gazetteer) -> int:
    """A number for this gazetteer object, never given to another one (its entry goes with it)."""
    with _SERIAL_LOCK:
        number = _GAZETTEERS.get(id(gazetteer))
        if number is None:
            number = _GAZETTEERS[id(gazetteer)] = next(_SERIAL)
            weakref.finalize(gazetteer, _forget, id(gazetteer), number)
        return number


def _forget(key: int, number: int) -> None:
    with _SERIAL_LOCK:
        _GAZETTEERS.pop(key, None)
        _FEATURES.pop(number, None)


_FEATURES: dict[int, list[dict]] = {}  # gazetteer number -> its basemap features


def _features_of(gazetteer: Gazetteer) -> list[dict]:
    """:func:`basemap_features`, derived once per gazetteer object and shared by every map (a new
    list of the same feature dicts, never changed: a deep copy cost each map ~0.6 ms CPU).

    Each feature carries the ``id`` folium's GeoJson would add to it (``str`` of its position,
    after its other keys, as ``GeoJson.find_identifier`` writes it): folium then finds the
    ids it needs and writes nothing into the shared dicts, and the rendered map is the same."""
    number = _serial(gazetteer)
    with _SERIAL_LOCK:
        feats = _FEATURES.get(number)
    if feats is None:
        feats = [{**feature, "id": str(i)} for i, feature in enumerate(basemap_features(gazetteer))]
        with _SERIAL_LOCK:
            _FEATURES[number] = feats
    return list(feats)


class UrlTileLayer(folium.TileLayer):
    """folium's ``TileLayer(tiles=url, name=...)`` without its look-up of the URL among
    xyzservices' provider names (it flattens every provider to find none: ~2.5 ms a map);
    the layer renders the same (tests/test_basemap_shared.py)."""

    def __init__(self, url: str, *, name: str, attr: str, **kwargs: Any) -> None:
        super().__init__(tiles=None, name=name, attr=attr, **kwargs)  # no str: no provider look-up
        self.tiles = url


def basemap(gazetteer: Gazetteer, *, lang: str = "uk", zoom_start: int = 13) -> folium.Map:
    """A folium map on the offline basemap, with optional OSM tiles and the attribution.

    Every audience's map starts here, so attribution and the demo label cannot be
    forgotten by a page.
    """
    boundary = gazetteer.boundary
    if boundary:
        c = Polygon(boundary).centroid
        centre = (round(c.y, DECIMALS), round(c.x, DECIMALS))
    else:
        centre = profile().centre  # no boundary in the gazetteer: the city profile's centre
    m = folium.Map(location=centre, zoom_start=zoom_start, tiles=None)  # SVG: hexagons are paths
    m.options["max_zoom"] = 19  # marker clusters need the map's maxZoom when no tile layer sets one
    base = folium.FeatureGroup(name=tr("layer.basemap", lang), overlay=False, control=True)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": _features_of(gazetteer)},
        style_function=lambda f: f["properties"]["style"],
        interactive=False,
        embed=True,
    ).add_to(base)
    base.add_to(m)
    UrlTileLayer(
        OSM_TILES,
        attr=tr("attribution", lang),
        name=tr("layer.osm", lang),
        overlay=False,
        show=False,
        max_zoom=19,
    ).add_to(m)
    Attribution(tr("attribution", lang)).add_to(m)
    MetricScale(tr("unit.km", lang), tr("unit.m", lang)).add_to(m)
    meta = gazetteer.meta
    if meta.get("synthetic"):
        label_control(tr("demo_label", lang), position="topleft", emphasis=True).add_to(m)
    if boundary:
        lon_min, lat_min, lon_max, lat_max = Polygon(boundary).bounds
        m.fit_bounds(
            [[round(lat_min, DECIMALS), round(lon_min, DECIMALS)], [round(lat_max, DECIMALS), round(lon_max, DECIMALS)]]
        )
    names = tuple(name for name, child in m._children.items() if not isinstance(child, _ScriptControl))
    m.hm_base = BaseStamp((_serial(gazetteer), lang, zoom_start), names)
    return m
