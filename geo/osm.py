"""Build the gazetteer JSON (docs/CONTRACTS.md) from an OpenStreetMap extract (.osm or .osm.pbf).

The same command serves the synthetic demo extract and a real extract of a deployment, so
nothing here knows about the demo: streets come from named highways, addresses from
addr:* tags, landmarks from POI tags, districts from place=suburb/... areas. The output is
sorted and rounded so that a rebuild from the same file is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import osmium
from shapely.geometry import LineString, MultiLineString, MultiPoint, Polygon
from shapely.ops import linemerge

from geo.street_types import NAME_KEYS, canonical_pairs, learn_types, street_type

ATTRIBUTION = "© OpenStreetMap contributors"
# Tags that name the same object: what the geocoder may match. Every language's form of the
# current, old, alternative, official, short and local name (NAME_KEYS), current names first.
_KEY_RANK = ("name", "official_name", "alt_name", "old_name", "short_name", "loc_name", "reg_name")
# Best class first: a street merged from several ways reports its most important class.
HIGHWAY_RANK = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "pedestrian",
    "service",
    "road",
    "track",
)
_PLACE_RANK = ("city", "town", "village")
DISTRICT_PLACES = ("suburb", "neighbourhood", "quarter", "borough", "city_block")
WATER = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"), ("water", "river")}
_AMENITY_KIND = {
    "marketplace": "market",
    "bus_station": "bus_station",
    "hospital": "hospital",
    "clinic": "hospital",
    "place_of_worship": "church",
    "bar": "bar",
    "pub": "bar",
    "cafe": "cafe",
    "restaurant": "cafe",
    "fast_food": "cafe",
    "pharmacy": "pharmacy",
    "townhall": "townhall",
    "police": "police",
}
_NUMBER = re.compile(r"№\s*(\d+[а-яіїєґ]?)", re.IGNORECASE)
_ROUND = 6


def _r(value: float) -> float:
    return round(value, _ROUND)


def _tags(obj: Any) -> dict[str, str]:
    return {t.k: t.v for t in obj.tags}


def alias_keys(keys: Iterable[str]) -> list[str]:
    """The naming tags among `keys`, in a stable order: kind (current names first), then
    the plain key before its language forms."""

    def rank(key: str) -> tuple[int, str]:
        base = key.split(":")[0]
        return _KEY_RANK.index(base), key

    return sorted((k for k in set(keys) if NAME_KEYS.match(k)), key=rank)


def split_street_name(
    full: str, separate: Mapping[str, str] | None = None, glued: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """'вулиця Соборності' -> ('Соборності', 'вулиця'); 'Маріупольська вулиця' likewise;
    'Ленинский переулок' -> ('Ленинский', 'провулок'). The type is canonical (see
    geo.street_types); the extract's learned types count when given.

    A name without a type word is returned unchanged with type 'вулиця' (the usual case).
    """
    bare, _word, kind = street_type(full, separate or {}, glued or {})
    return bare, kind


def landmark_kind(tags: dict[str, str]) -> str | None:
    """The contract's landmark kind for an object's tags, or None if it is not a landmark."""
    name = tags.get("name", "").lower()
    if tags.get("railway") in ("station", "halt"):
        return "railway_station"
    amenity = tags.get("amenity")
    if amenity == "school" or amenity == "college":
        return "lyceum" if "ліце" in name else "school"
    if amenity:
        return _AMENITY_KIND.get(amenity, amenity)
    if "shop" in tags:
        return "shop"
    if "leisure" in tags:
        return tags["leisure"]
    if tags.get("natural") == "spring":
        return "spring"
    if "tourism" in tags:
        return tags["tourism"]
    if "office" in tags:
        return "office"
    if tags.get("public_transport") == "station":
        return "station"
    return None


def _names(tags: dict[str, str]) -> dict[str, str]:
    return {k: tags[k] for k in alias_keys(tags) if tags.get(k)}


def _number(tags: dict[str, str]) -> str | None:
    ref = tags.get("ref", "").strip()
    if ref and ref[0].isdigit():
        return ref
    m = _NUMBER.search(tags.get("name", ""))
    return m.group(1) if m else None


def _ring(coords: list[tuple[float, float]]) -> list[list[float]]:
    return [[_r(lon), _r(lat)] for lon, lat in coords]


def house_key(house: str) -> tuple[int, str]:
    """Natural order of house numbers: 2 < 15 < 15а < 23/27 < 101."""
    m = re.match(r"\d+", house)
    return (int(m.group()) if m else 10**9, house)


class _Reader:
    """One pass over the file with pyosmium; collects plain Python data only."""

    def __init__(self) -> None:
        self.street_ways: dict[str, list[tuple[dict[str, str], list[tuple[float, float]]]]] = defaultdict(list)
        self.addr_points: list[tuple[str, str, float, float]] = []
        self.pois: list[tuple[dict[str, str], float, float]] = []
        self.districts: list[tuple[dict[str, str], list[tuple[float, float]]]] = []
        self.boundaries: list[tuple[dict[str, str], list[tuple[float, float]]]] = []
        self.water: list[tuple[str, list[tuple[float, float]]]] = []
        self.parks: list[tuple[str, list[tuple[float, float]]]] = []
        self.synthetic = False
        self.places: list[dict[str, str]] = []  # place=city/town/village points: the city's names

    def read(self, path: Path) -> None:
        for obj in osmium.FileProcessor(str(path)).with_areas():
            tags = _tags(obj)
            if not tags:
                continue
            self.synthetic |= tags.get("synthetic") in ("yes", "geometry")
            if obj.is_node():
                self._point(tags, obj.location.lon, obj.location.lat)
            elif obj.is_way():
                if tags.get("highway") and tags.get("name") and tags.get("area") != "yes":
                    coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                    if len(coords) >= 2:
                        self.street_ways[tags["name"]].append((tags, coords))
            elif obj.is_area():
                self._area(tags, [[(n.lon, n.lat) for n in ring] for ring in obj.outer_rings()])

    def _point(self, tags: dict[str, str], lon: float, lat: float) -> None:
        if tags.get("place") in _PLACE_RANK and tags.get("name"):
            self.places.append(tags)
        if tags.get("addr:street") and tags.get("addr:housenumber"):
            self.addr_points.append((tags["addr:street"], tags["addr:housenumber"], lon, lat))
        if tags.get("name") and landmark_kind(tags):
            self.pois.append((tags, lon, lat))

    def _area(self, tags: dict[str, str], rings: list[list[tuple[float, float]]]) -> None:
        if not rings or "highway" in tags:
            return
        main = max(rings, key=lambda r: Polygon(r).area)
        if tags.get("addr:street") or (tags.get("name") and landmark_kind(tags)):
            c = Polygon(main).centroid
            self._point(tags, c.x, c.y)
        if tags.get("boundary") == "administrative" or tags.get("place") in ("city", "town", "village"):
            self.boundaries.append((tags, main))
        elif tags.get("place") in DISTRICT_PLACES and tags.get("name"):
            self.districts.append((tags, main))
        if any((k, v) in WATER for k, v in tags.items()):
            self.water += [(tags.get("name", ""), ring) for ring in rings]
        if tags.get("leisure") == "park":
            self.parks += [(tags.get("name", ""), ring) for ring in rings]


def _merge_lines(lines: list[list[tuple[float, float]]]) -> list[list[list[float]]]:
    """Ways of one street joined end to end where they touch, in a stable order."""
    rounded = sorted([[(_r(x), _r(y)) for x, y in line] for line in lines])
    merged = linemerge(MultiLineString(rounded))
    parts = [merged] if isinstance(merged, LineString) else list(merged.geoms)
    out = []
    for part in parts:
        coords = [[_r(x), _r(y)] for x, y in part.coords]
        out.append(coords if coords[0] <= coords[-1] else coords[::-1])
    return sorted(out)


def _street_names(ways: list[tuple[dict[str, str], Any]]) -> dict[str, str]:
    """Each naming tag's most frequent value over the ways of one street."""
    names: dict[str, str] = {}
    for key in alias_keys(k for tags, _ in ways for k in tags):
        values = Counter(tags[key] for tags, _ in ways if tags.get(key))
        if values:
            names[key] = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return names


def _learned_types(all_names: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Street-type words of the extract's own languages (geo.street_types)."""
    by_tag: dict[str, list[str]] = defaultdict(list)
    for names in all_names:
        for key, value in names.items():
            if key == "name" or key.startswith("name:"):
                by_tag[key].append(value)
    separate, glued = learn_types(by_tag)
    canonical_pairs(all_names, separate, glued)
    return separate, glued


def _streets(reader: _Reader) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    all_names = {name: _street_names(reader.street_ways[name]) for name in sorted(reader.street_ways)}
    separate, glued = _learned_types(list(all_names.values()))
    streets = []
    for name in sorted(reader.street_ways):
        ways = reader.street_ways[name]
        names = all_names[name]
        bare, kind = split_street_name(name, separate, glued)
        highways = [tags["highway"] for tags, _ in ways]
        highway = min(highways, key=lambda h: (HIGHWAY_RANK.index(h) if h in HIGHWAY_RANK else len(HIGHWAY_RANK), h))
        streets.append(
            {
                "name": bare,
                "type": kind,
                "highway": highway,
                "names": names,
                "lines": _merge_lines([coords for _, coords in ways]),
                "synthetic": all(tags.get("synthetic") == "yes" for tags, _ in ways),
            }
        )
    streets.sort(key=lambda s: (s["name"], s["type"], s["names"]["name"]))
    for k, street in enumerate(streets, start=1):
        street["id"] = f"st-{k:04d}"
    return streets, {"separate": dict(sorted(separate.items())), "glued": dict(sorted(glued.items()))}


def _alias_index(streets: list[dict[str, Any]]) -> dict[str, str]:
    """addr:street value -> street id; the current name wins over another street's old name."""
    index: dict[str, str] = {}
    for current in (True, False):
        for street in streets:
            keys = alias_keys(street["names"])
            for key in keys if not current else [k for k in keys if k.split(":")[0] == "name"]:
                for value in street["names"].get(key, "").split(";"):
                    if value.strip():
                        index.setdefault(value.strip().lower(), street["id"])
    return index


def _boundary(reader: _Reader, streets: list[dict[str, Any]]) -> list[list[float]]:
    """The city outline: the largest admin_level 8 (or place=city) polygon, else the street hull
    (marked in meta as `boundary_source`; `cli.py city init` refuses it, see geo.areas)."""
    if reader.boundaries:

        def rank(item: tuple[dict[str, str], list[tuple[float, float]]]) -> tuple[int, float]:
            tags, ring = item
            return (tags.get("admin_level") == "8" or tags.get("place") in ("city", "town"), Polygon(ring).area)

        return _ring(max(reader.boundaries, key=rank)[1])
    points = [tuple(p) for s in streets for line in s["lines"] for p in line]
    hull = MultiPoint(points).convex_hull
    return _ring(list(hull.exterior.coords)) if isinstance(hull, Polygon) else []


def _city(reader: _Reader) -> dict[str, str]:
    """Names of the extract's main settlement (city before town before village, then the
    most populous): the geocoder tells the city ("у <місті>") from a street named after it."""
    if not reader.places:
        return {}

    def rank(tags: dict[str, str]) -> tuple[int, int, str]:
        population = re.sub(r"\D", "", tags.get("population", ""))
        return (-_PLACE_RANK.index(tags["place"]), int(population) if population else 0, tags["name"])

    return _names(max(reader.places, key=rank))


def build_gazetteer(
    osm_path: Path, *, study_area: list[list[float]] | None = None, districts: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Read an .osm/.osm.pbf extract and return the gazetteer dict of docs/CONTRACTS.md.

    `study_area` (a lon/lat ring) and `districts` (gazetteer district records), chosen by the
    city profile (geo.areas), replace what the extract alone would give.
    """
    osm_path = Path(osm_path)
    reader = _Reader()
    reader.read(osm_path)
    streets, learned = _streets(reader)
    index = _alias_index(streets)
    addresses = []
    seen: set[tuple[str, str, float, float]] = set()
    for street_name, house, lon, lat in reader.addr_points:
        street_id = index.get(street_name.strip().lower())
        key = (street_id or "", house.strip(), _r(lat), _r(lon))
        if street_id and key not in seen:
            seen.add(key)
            addresses.append({"street_id": street_id, "house": key[1], "lat": key[2], "lon": key[3]})
    addresses.sort(key=lambda a: (a["street_id"], house_key(a["house"]), a["lat"], a["lon"]))

    landmarks = []
    for tags, lon, lat in reader.pois:
        landmarks.append(
            {
                "kind": landmark_kind(tags),
                "name": tags["name"],
                "number": _number(tags),
                "names": _names(tags),
                "lat": _r(lat),
                "lon": _r(lon),
                "synthetic": tags.get("synthetic") == "yes",
            }
        )
    landmarks.sort(key=lambda m: (m["kind"], m["name"], m["lat"], m["lon"]))
    for k, landmark in enumerate(landmarks, start=1):
        landmark["id"] = f"lm-{k:04d}"

    found = []
    for tags, ring in sorted(reader.districts, key=lambda d: (d[0]["name"], d[1])):
        population = re.sub(r"\D", "", tags.get("population", ""))
        found.append(
            {
                "name": tags["name"],
                "names": _names(tags),
                "polygon": _ring(ring),
                "population": int(population) if population else 0,
                "synthetic": tags.get("synthetic") == "yes",
            }
        )
    for k, district in enumerate(found, start=1):
        district["id"] = f"d-{k:02d}"
    hull = study_area is None and not reader.boundaries

    return {
        "meta": {
            "source": osm_path.name,
            "source_sha256": hashlib.sha256(osm_path.read_bytes()).hexdigest(),
            "synthetic": reader.synthetic,
            "attribution": ATTRIBUTION,
            **({"street_types": learned} if learned["separate"] or learned["glued"] else {}),
            **({"city": city} if (city := _city(reader)) else {}),
            **({"boundary_source": "street_hull"} if hull else {}),
        },
        "boundary": study_area if study_area is not None else _boundary(reader, streets),
        "streets": streets,
        "addresses": addresses,
        "landmarks": landmarks,
        "districts": districts if districts is not None else found,
        "water": sorted(
            ({"name": n, "polygon": _ring(r)} for n, r in reader.water), key=lambda w: (w["name"], w["polygon"])
        ),
        "parks": sorted(
            ({"name": n, "polygon": _ring(r)} for n, r in reader.parks), key=lambda p: (p["name"], p["polygon"])
        ),
    }


def dumps_gazetteer(data: dict[str, Any]) -> str:
    """Canonical JSON text: sorted keys, compact, one trailing newline."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write_gazetteer(data: dict[str, Any], path: Path) -> Path:
    """Write the canonical JSON (byte-identical for the same input)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_gazetteer(data), encoding="utf-8")
    return path
