"""The study area and the districts of a city, chosen explicitly from an OSM extract or a GeoJSON file.

Why: a regional or cut extract often carries the city's boundary relation without all its
member ways, so no polygon can be assembled. Guessing (the hull of the streets) would put a
wrong outline under every count, so here an incomplete boundary is an error that names the
relation and how many of its ways are missing, and the deployer gives a GeoJSON instead.
Districts come from one source the city profile names: OSM `boundary=administrative`
levels, `place=suburb|quarter|neighbourhood` polygons, or a GeoJSON file with names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import osmium
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union

from geo.osm import _names, _ring

CITY_LEVEL = 8  # admin_level of a municipality in most countries (OSM wiki, admin_level table)
CITY_PLACES = ("city", "town", "village")
DISTRICT_PLACE_KINDS = ("suburb", "quarter", "neighbourhood")


class AreaError(ValueError):
    """A study area or district source that cannot be used as the profile says; the message
    tells the deployer what is missing and what to give instead."""


@dataclass(frozen=True)
class OsmArea:
    """One boundary or place object of the extract, assembled into a polygon or not."""

    kind: str  # "relation" or "way"
    osm_id: int
    tags: dict[str, str]
    ways_total: int
    ways_present: int
    polygon: Polygon | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.tags.get("name", "")

    @property
    def complete(self) -> bool:
        return self.polygon is not None

    def describe(self) -> str:
        level = self.tags.get("admin_level") or self.tags.get("place", "?")
        state = (
            "complete"
            if self.complete
            else f"incomplete: {self.ways_present} of {self.ways_total} member ways in the extract"
        )
        return f"{self.kind} {self.osm_id} '{self.name}' (level {level}; {state})"


def _is_area_object(tags: dict[str, str]) -> bool:
    return tags.get("boundary") == "administrative" or tags.get("place") in CITY_PLACES + DISTRICT_PLACE_KINDS


def scan_areas(osm_path: Path) -> list[OsmArea]:
    """Every administrative boundary and city/district place object (relation or closed way)
    in the extract, with its polygon when osmium could assemble it, in OSM id order."""
    ways: set[int] = set()
    relations: dict[int, tuple[dict[str, str], int]] = {}
    members: dict[int, list[int]] = {}
    polygons: dict[tuple[str, int], tuple[dict[str, str], Polygon]] = {}
    for obj in osmium.FileProcessor(str(osm_path)).with_areas():
        if obj.is_way():
            ways.add(obj.id)
        elif obj.is_relation():
            tags = {t.k: t.v for t in obj.tags}
            if _is_area_object(tags):
                members[obj.id] = [m.ref for m in obj.members if m.type == "w"]
                relations[obj.id] = (tags, len(members[obj.id]))
        elif obj.is_area():
            tags = {t.k: t.v for t in obj.tags}
            if _is_area_object(tags):
                rings = [Polygon([(n.lon, n.lat) for n in ring]) for ring in obj.outer_rings()]
                if rings:
                    kind = "way" if obj.from_way() else "relation"
                    polygons[(kind, obj.orig_id())] = (tags, max(rings, key=lambda p: p.area))
    out = [
        OsmArea(
            "relation",
            rid,
            tags,
            total,
            sum(1 for w in members[rid] if w in ways),
            polygons.get(("relation", rid), (None, None))[1],
        )
        for rid, (tags, total) in relations.items()
    ]
    out += [OsmArea("way", wid, tags, 1, 1, poly) for (kind, wid), (tags, poly) in polygons.items() if kind == "way"]
    return sorted(out, key=lambda a: (a.kind, a.osm_id))


def city_candidates(areas: list[OsmArea]) -> list[OsmArea]:
    """Objects that can be a city's outline: municipality-level boundaries and city/town/village areas."""
    return [
        a
        for a in areas
        if a.tags.get("admin_level") == str(CITY_LEVEL)
        or (a.tags.get("place") in CITY_PLACES and a.tags.get("boundary") != "administrative")
    ]


def study_area_from_osm(areas: list[OsmArea], relation: int | None = None) -> OsmArea:
    """The city outline: the relation given, else the largest complete city candidate.

    Raises AreaError naming every candidate when none is complete (never a street hull).
    """
    if relation is not None:
        found = [a for a in areas if a.kind == "relation" and a.osm_id == relation]
        if not found:
            raise AreaError(f"relation {relation} is not a boundary in this extract")
        if not found[0].complete:
            raise AreaError(
                f"the study area {found[0].describe()} cannot be assembled; "
                "give the outline as a GeoJSON file (--study-area FILE.geojson)"
            )
        return found[0]
    candidates = city_candidates(areas)
    complete = [a for a in candidates if a.complete]
    if not complete:
        listed = "; ".join(a.describe() for a in candidates) or "none"
        raise AreaError(
            "the extract has no complete city boundary (candidates: " + listed + "); "
            "give the outline as a GeoJSON file (--study-area FILE.geojson)"
        )
    return max(complete, key=lambda a: (a.polygon.area, -a.osm_id))  # type: ignore[union-attr]


def _one_polygon(geom: Any, what: str) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    if isinstance(geom, MultiPolygon) and len(geom.geoms) == 1:
        return geom.geoms[0]
    raise AreaError(f"{what} must be one polygon, found {geom.geom_type} with {len(getattr(geom, 'geoms', []))} parts")


def _read_geojson(path: Path) -> Any:
    import geopandas as gpd  # only when a profile names a file: it is slow to import

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio's errors differ by driver; the deployer needs the file and reason
        raise AreaError(f"cannot read {path}: {exc}") from exc
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def study_area_from_geojson(path: Path) -> Polygon:
    """The union of every polygon in the file (lon/lat); one outline is required."""
    frame = _read_geojson(path)
    if frame.empty:
        raise AreaError(f"{path} has no features")
    return _one_polygon(unary_union(list(frame.geometry)), f"the study area in {path}")


def _population(tags: dict[str, str]) -> int:
    digits = re.sub(r"\D", "", tags.get("population", ""))
    return int(digits) if digits else 0


def _district(
    name: str, names: dict[str, str], polygon: Polygon, population: int, synthetic: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "names": names,
        "polygon": _ring(list(polygon.exterior.coords)),
        "population": population,
        "synthetic": synthetic,
    }


def _numbered(districts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    districts.sort(key=lambda d: (d["name"], d["polygon"]))
    for k, district in enumerate(districts, start=1):
        district["id"] = f"d-{k:02d}"
    return districts


@dataclass(frozen=True)
class Districts:
    """Districts in gazetteer form plus the objects that were asked for but could not be used."""

    items: list[dict[str, Any]]
    skipped: list[str]


def districts_from_osm(
    areas: list[OsmArea], *, levels: tuple[int, ...] = (), places: tuple[str, ...] = ()
) -> Districts:
    """Named `boundary=administrative` areas of the given admin levels, or `place=` polygons of
    the given kinds; incomplete ones are reported in `skipped`, never dropped in silence."""
    items, skipped = [], []
    wanted_levels = {str(level) for level in levels}
    for area in areas:
        wanted = (
            area.tags.get("boundary") == "administrative" and area.tags.get("admin_level") in wanted_levels
        ) or area.tags.get("place") in places
        if not wanted or not area.name:
            continue
        if area.complete:
            items.append(
                _district(
                    area.name,
                    _names(area.tags),
                    area.polygon,  # type: ignore[arg-type]
                    _population(area.tags),
                    area.tags.get("synthetic") == "yes",
                )
            )
        else:
            skipped.append(area.describe())
    return Districts(_numbered(items), skipped)


def districts_from_geojson(path: Path, name_field: str = "name") -> Districts:
    """One district per named polygon feature of a GeoJSON file (any CRS; other `name:xx`
    columns become aliases, a `population` column is kept)."""
    frame = _read_geojson(path)
    if name_field not in frame.columns:
        raise AreaError(f"{path} has no '{name_field}' property; columns: {', '.join(map(str, frame.columns))}")
    items: list[dict[str, Any]] = []
    for row_no, record in enumerate(frame.to_dict("records"), start=1):
        name = str(record.get(name_field) or "").strip()
        if not name:
            raise AreaError(f"feature {row_no} of {path} has no {name_field}")
        polygon = _one_polygon(record["geometry"], f"district '{name}' in {path}")
        names = {
            "name": name,
            **{k: str(v) for k, v in sorted(record.items()) if k.startswith("name:") and isinstance(v, str) and v},
        }
        items.append(_district(name, names, polygon, _population({"population": str(record.get("population") or "")})))
    return Districts(_numbered(items), [])


def polygon_ring(polygon: Polygon) -> list[list[float]]:
    """A polygon's outline in the gazetteer's rounded lon/lat form."""
    return _ring(list(polygon.exterior.coords))
