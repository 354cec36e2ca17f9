"""Places in words for H3 cells: the streets, the nearest landmark and the microdistrict.

Officers know streets, not H3 ids. For a cell this names the streets that run through it
(longest stretch first), or the nearest street when none does, the nearest landmark and
the microdistrict, all from the gazetteer (reverse geocoding on the cell's area). Names
come in the asked language where the extract has them (`name:xx`), else the local name.

Distances use a local equirectangular frame at the cell's own latitude: accurate to well
under a metre across a hexagon, and free of any city constant.

>>> from geo.gazetteer import load_gazetteer
>>> gz = load_gazetteer()
>>> lon, lat = gz.streets[0].lines[0][1]
>>> cell = h3.latlng_to_cell(lat, lon, 9)
>>> gz.streets[0].full_name in describe_cells([cell], gz)[cell].streets
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import h3
from shapely import STRtree
from shapely.geometry import LineString, Point, Polygon

from geo.gazetteer import Gazetteer

EARTH_RADIUS_M = 6_371_008.8
LANDMARK_RADIUS_M = 500.0  # farther than this a landmark does not help find the place
NEAREST_STREET_M = 400.0  # a cell with no street inside names the nearest one within this
DESCRIBED_KEPT = 50_000  # cell descriptions kept per gazetteer (a few MB)


@dataclass(frozen=True)
class CellPlace:
    """Where a cell is, in words: streets (longest stretch inside first), landmark, district."""

    cell: str
    streets: tuple[str, ...]
    landmark: str | None
    landmark_m: float | None
    district: str | None


def _name(names: dict[str, str], fallback: str, lang: str) -> str:
    return names.get(f"name:{lang}") or names.get("name") or fallback


def _metres(lat0: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude at latitude lat0."""
    per_deg = math.pi * EARTH_RADIUS_M / 180
    return per_deg * math.cos(math.radians(lat0)), per_deg


class _Index:
    """STR trees over one gazetteer's street lines and landmarks (built once per gazetteer)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.lines: list[LineString] = []
        self.line_street: list[int] = []
        for i, street in enumerate(gazetteer.streets):
            for line in street.lines:
                if len(line) >= 2:
                    self.lines.append(LineString(line))
                    self.line_street.append(i)
        self.line_tree = STRtree(self.lines)
        self.landmark_points = [Point(m.lon, m.lat) for m in gazetteer.landmarks]
        self.landmark_tree = STRtree(self.landmark_points) if self.landmark_points else None
        # a cell's words depend only on the gazetteer: pages describe the same top cells on
        # every period and category (~1 ms of geometry a cell), so each is worked out once
        self.described: dict[tuple[str, str, int], CellPlace] = {}


_INDEXES: dict[int, tuple[Gazetteer, _Index]] = {}


def _index(gazetteer: Gazetteer) -> _Index:
    cached = _INDEXES.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        cached = (gazetteer, _Index(gazetteer))
        _INDEXES[id(gazetteer)] = cached
    return cached[1]


def describe_cells(
    cells: Iterable[str], gazetteer: Gazetteer, *, lang: str = "uk", max_streets: int = 2
) -> dict[str, CellPlace]:
    """Each distinct cell described in words (see the module docstring)."""
    index = _index(gazetteer)
    out: dict[str, CellPlace] = {}
    for cell in dict.fromkeys(cells):
        key = (cell, lang, max_streets)
        place = index.described.get(key)
        if place is None:
            if len(index.described) >= DESCRIBED_KEPT:
                index.described.clear()  # bounded: a national deployment has millions of cells
            place = index.described[key] = _describe(cell, gazetteer, index, lang, max_streets)
        out[cell] = place
    return out


def _describe(cell: str, gazetteer: Gazetteer, index: _Index, lang: str, max_streets: int) -> CellPlace:
    lat, lon = h3.cell_to_latlng(cell)
    mx, my = _metres(lat)
    hexagon = Polygon([(x, y) for y, x in h3.cell_to_boundary(cell)])
    lengths: dict[int, float] = {}
    for k in index.line_tree.query(hexagon, predicate="intersects"):
        inside = index.lines[k].intersection(hexagon)
        street = index.line_street[k]
        lengths[street] = lengths.get(street, 0.0) + _length_m(inside, mx, my)
    ranked = sorted(lengths, key=lambda s: (-lengths[s], gazetteer.streets[s].id))[:max_streets]
    if not ranked:
        centre = Point(lon, lat)
        reach = NEAREST_STREET_M / my
        near = index.line_tree.query(centre.buffer(reach * max(1.0, my / mx)))
        best = min(near, key=lambda k: _distance_m(index.lines[k], centre, mx, my), default=None)
        if best is not None and _distance_m(index.lines[best], centre, mx, my) <= NEAREST_STREET_M:
            ranked = [index.line_street[best]]
    streets = tuple(_name(gazetteer.streets[s].names, gazetteer.streets[s].full_name, lang) for s in ranked)
    landmark, landmark_m = _nearest_landmark(gazetteer, index, lat, lon, mx, my, lang)
    district = _district(gazetteer, lat, lon, lang)
    return CellPlace(cell, streets, landmark, landmark_m, district)


def _length_m(geometry, mx: float, my: float) -> float:  # noqa: ANN001 (any shapely line geometry)
    parts = getattr(geometry, "geoms", [geometry])
    total = 0.0
    for part in parts:
        coords = list(getattr(part, "coords", []))
        total += sum(math.hypot((x2 - x1) * mx, (y2 - y1) * my) for (x1, y1), (x2, y2) in zip(coords, coords[1:]))
    return total


def _distance_m(line: LineString, point: Point, mx: float, my: float) -> float:
    nearest = line.interpolate(line.project(point))
    return math.hypot((nearest.x - point.x) * mx, (nearest.y - point.y) * my)


def _nearest_landmark(
    gazetteer: Gazetteer, index: _Index, lat: float, lon: float, mx: float, my: float, lang: str
) -> tuple[str | None, float | None]:
    if index.landmark_tree is None:
        return None, None
    reach = LANDMARK_RADIUS_M / min(mx, my)
    candidates = index.landmark_tree.query(Point(lon, lat).buffer(reach))
    scored = sorted(
        (
            math.hypot((gazetteer.landmarks[k].lon - lon) * mx, (gazetteer.landmarks[k].lat - lat) * my),
            gazetteer.landmarks[k].id,
            k,
        )
        for k in candidates
    )
    if not scored or scored[0][0] > LANDMARK_RADIUS_M:
        return None, None
    distance, _, k = scored[0]
    mark = gazetteer.landmarks[k]
    return _name(mark.names, mark.name, lang), round(distance)


def _district(gazetteer: Gazetteer, lat: float, lon: float, lang: str) -> str | None:
    name = gazetteer.district_at(lat, lon)
    if name is None:
        return None
    district = gazetteer.district_by_name(name)
    return _name(district.names, district.name, lang) if district else name
