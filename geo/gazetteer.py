"""Load the gazetteer JSON (built by geo.osm) into typed objects with shapely helpers.

Usage (the geocoder's entry point):
    gz = load_gazetteer()                  # cached; the city profile's gazetteer (CITY_PROFILE, else the demo)
    gz.streets / gz.addresses / gz.landmarks / gz.districts / gz.water / gz.parks
    gz.street_by_id("st-0001").aliases()   # every spelling: current, old, proposal, ru, en
    gz.all_street_names()                  # {alias: [street ids]} for matching
    gz.addresses_of("st-0001")             # address points of one street, in number order
    gz.district_at(lat, lon)               # microdistrict name or None
    gz.boundary_polygon, gz.water_polygon  # shapely geometries in lon/lat
Geometry is kept as lon/lat tuples (as in the JSON); shapely objects are made lazily.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from shapely import prepared
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from data.city_profile import demo_profile, profile
from geo.city import build_city_gazetteer
from geo.osm import write_gazetteer

# The demo city's files, named by its profile (config/cities/voznesensk-demo.toml).
_DEMO = demo_profile()
assert _DEMO.gazetteer is not None and _DEMO.osm_extract is not None, "the demo profile names both files"
DEFAULT_GAZETTEER: Path = _DEMO.gazetteer
DEFAULT_OSM: Path = _DEMO.osm_extract

Coords = tuple[tuple[float, float], ...]  # (lon, lat) pairs


def _coords(raw: list[list[float]]) -> Coords:
    return tuple((float(lon), float(lat)) for lon, lat in raw)


def _aliases(names: dict[str, str]) -> list[str]:
    """Alias values in key order, ';'-lists split, duplicates dropped."""
    out: list[str] = []
    for value in names.values():
        for part in value.split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


@dataclass(frozen=True)
class Street:
    """A named street: `name` is the bare name ("Соборності"), `names` the full OSM names."""

    id: str
    name: str
    type: str
    highway: str
    names: dict[str, str]
    lines: tuple[Coords, ...]
    synthetic: bool

    @property
    def full_name(self) -> str:
        return self.names.get("name", self.name)

    def aliases(self) -> list[str]:
        """The bare name and every alias tag value (current, old, proposed; uk/ru/en)."""
        return _aliases({"bare": self.name, **self.names})

    @cached_property
    def geometry(self) -> MultiLineString:
        """All lines of the street as one MultiLineString (lon/lat)."""
        return MultiLineString([LineString(line) for line in self.lines])


@dataclass(frozen=True)
class Address:
    street_id: str
    house: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Landmark:
    id: str
    kind: str
    name: str
    number: str | None
    names: dict[str, str]
    lat: float
    lon: float
    synthetic: bool

    def aliases(self) -> list[str]:
        return _aliases({"name": self.name, **self.names})


@dataclass(frozen=True)
class District:
    id: str
    name: str
    names: dict[str, str]
    polygon: Coords
    population: int
    synthetic: bool

    def aliases(self) -> list[str]:
        return _aliases({"name": self.name, **self.names})

    @cached_property
    def shape(self) -> Polygon:
        return Polygon(self.polygon)


@dataclass(frozen=True)
class Area:
    """A basemap polygon (water or park)."""

    name: str
    polygon: Coords

    @cached_property
    def shape(self) -> Polygon:
        return Polygon(self.polygon)


@dataclass
class Gazetteer:
    """Everything the geocoder and the maps need about the city's places."""

    meta: dict[str, Any]
    boundary: Coords
    streets: list[Street]
    addresses: list[Address]
    landmarks: list[Landmark]
    districts: list[District]
    water: list[Area]
    parks: list[Area]
    _by_id: dict[str, Street] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.streets}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gazetteer:
        return cls(
            meta=data["meta"],
            boundary=_coords(data["boundary"]),
            streets=[
                Street(
                    s["id"],
                    s["name"],
                    s["type"],
                    s["highway"],
                    s["names"],
                    tuple(_coords(line) for line in s["lines"]),
                    s["synthetic"],
                )
                for s in data["streets"]
            ],
            addresses=[Address(a["street_id"], a["house"], a["lat"], a["lon"]) for a in data["addresses"]],
            landmarks=[
                Landmark(m["id"], m["kind"], m["name"], m["number"], m["names"], m["lat"], m["lon"], m["synthetic"])
                for m in data["landmarks"]
            ],
            districts=[
                District(d["id"], d["name"], d["names"], _coords(d["polygon"]), d["population"], d["synthetic"])
                for d in data["districts"]
            ],
            water=[Area(w["name"], _coords(w["polygon"])) for w in data["water"]],
            parks=[Area(p["name"], _coords(p["polygon"])) for p in data["parks"]],
        )

    # --- lookups ---------------------------------------------------------------
    def street_by_id(self, street_id: str) -> Street | None:
        return self._by_id.get(street_id)

    def all_street_names(self) -> dict[str, list[str]]:
        """Every street alias (as written in the data) -> ids of the streets carrying it."""
        return {alias: list(ids) for alias, ids in self._street_names.items()}

    @cached_property
    def _street_names(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = defaultdict(list)
        for street in self.streets:
            for alias in street.aliases():
                if street.id not in index[alias]:
                    index[alias].append(street.id)
        return {alias: tuple(ids) for alias, ids in index.items()}

    def addresses_of(self, street_id: str) -> list[Address]:
        """Address points of one street in house-number order (as stored)."""
        return list(self._addresses_by_street.get(street_id, ()))

    @cached_property
    def _addresses_by_street(self) -> dict[str, tuple[Address, ...]]:
        grouped: dict[str, list[Address]] = defaultdict(list)
        for address in self.addresses:
            grouped[address.street_id].append(address)
        return {k: tuple(v) for k, v in grouped.items()}

    def place_names(self) -> list[str]:
        """Every spelling of every street, landmark, park and district: the names redaction
        spares (data.text.redact.place_index), because many carry a person's name."""
        names: list[str] = []
        for record in (*self.streets, *self.landmarks, *self.districts):
            names += record.aliases()
        return names + [park.name for park in self.parks]

    def landmarks_of_kind(self, kind: str) -> list[Landmark]:
        return [m for m in self.landmarks if m.kind == kind]

    # --- geometry --------------------------------------------------------------
    @cached_property
    def boundary_polygon(self) -> Polygon:
        """City outline (lon/lat)."""
        return Polygon(self.boundary)

    @cached_property
    def water_polygon(self) -> BaseGeometry:
        """Union of all water polygons (lon/lat): nothing should be geocoded into it."""
        return unary_union([w.shape for w in self.water])

    @cached_property
    def _prepared_districts(self) -> list[tuple[str, Any]]:
        return [(d.name, prepared.prep(d.shape)) for d in self.districts]

    def district_at(self, lat: float, lon: float) -> str | None:
        """Name of the district containing the point, or None (outside or in the river)."""
        point = Point(lon, lat)
        return next((name for name, shape in self._prepared_districts if shape.contains(point)), None)

    def district_by_name(self, name: str) -> District | None:
        return next((d for d in self.districts if name in d.aliases()), None)

    def contains(self, lat: float, lon: float) -> bool:
        """Inside the city outline."""
        return self.boundary_polygon.contains(Point(lon, lat))


def selected_gazetteer(given: Path | None = None) -> Path:
    """The gazetteer file in force: `given` (a command's --gazetteer), else the one of the city
    profile (CITY_PROFILE, else the demo's profile)."""
    if given is not None:
        return Path(given).resolve()
    return (profile().gazetteer or DEFAULT_GAZETTEER).resolve()


@cache
def _load(path: Path) -> Gazetteer:
    if not path.exists():
        city = profile()
        if city.gazetteer is None or city.gazetteer.resolve() != path:
            raise FileNotFoundError(f"no gazetteer at {path} (build it: python cli.py gazetteer build)")
        write_gazetteer(build_city_gazetteer(city).data, path)
    return Gazetteer.from_dict(json.loads(path.read_text(encoding="utf-8")))


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer at `path`, else the city profile's (built from its extract if missing).

    Cached per resolved path: every caller shares one object, so treat it as read-only.
    """
    return _load(selected_gazetteer(path))
