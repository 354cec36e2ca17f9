"""The demo city as the generator needs it: metric geometry and lookup helpers.

Why a separate view of the gazetteer: the generator draws thousands of points and asks
"which street, address, crossing or landmark is near here?" for each one; doing that in
metres (UTM 36N) with shapely trees keeps generation to a few seconds and keeps the
distances honest (DESIGN.md: project to metres wherever distance matters). It reads the
gazetteer JSON of docs/CONTRACTS.md directly so it depends only on that documented layout.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import unary_union

from data.city_profile import demo_profile
from geo.demo.texts import StreetForms, ru_from_uk

REPO = Path(__file__).resolve().parents[2]
GAZETTEER_JSON = REPO / "geo" / "demo" / "gazetteer.json"
METRIC_CRS = demo_profile().metric_crs  # the demo city's, whatever CITY_PROFILE says
_TO_M = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_LL = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def to_metres(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_M.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def to_lonlat(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_LL.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def _ring_m(ring: list[list[float]]) -> Polygon:
    lon, lat = zip(*ring, strict=True)
    x, y = to_metres(lon, lat)
    return Polygon(zip(x, y, strict=True)).buffer(0)


@dataclass(frozen=True)
class District:
    name: str
    name_ru: str
    population: int
    polygon: Polygon  # metres


@dataclass(frozen=True)
class Crossing:
    a: str  # street id
    b: str
    x: float
    y: float


class City:
    """Metric geometry of the gazetteer plus nearest-feature queries."""

    def __init__(self, gaz: dict[str, Any], sha256: str) -> None:
        self.sha256 = sha256
        self.boundary = _ring_m(gaz["boundary"])
        water = [_ring_m(w["polygon"]) for w in gaz.get("water", [])]
        self.water = unary_union(water) if water else Polygon()
        # Land that can hold a report: inside the city, out of the rivers.
        self.land = self.boundary.difference(self.water.buffer(5.0))
        shapely.prepare(self.land)
        self.districts = [
            District(
                d["name"],
                (d.get("names") or {}).get("name:ru") or ru_from_uk(d["name"]),
                int(d.get("population") or 0),
                _ring_m(d["polygon"]),
            )
            for d in gaz["districts"]
        ]
        self.streets: dict[str, dict[str, Any]] = {s["id"]: s for s in gaz["streets"]}
        self.forms: dict[str, StreetForms] = {sid: _forms(s) for sid, s in self.streets.items()}
        self.street_ids = [sid for sid, s in self.streets.items() if s.get("lines")]
        self.street_geoms = [_lines_m(self.streets[sid]["lines"]) for sid in self.street_ids]
        self.street_tree = STRtree(self.street_geoms)
        self.addresses = [a for a in gaz["addresses"] if a["street_id"] in self.streets]
        ax, ay = to_metres([a["lon"] for a in self.addresses], [a["lat"] for a in self.addresses])
        self.addr_xy = np.column_stack([ax, ay])
        self.addr_district = self.district_of(ax, ay)
        on_land = shapely.contains_xy(self.land, ax, ay)
        self.addr_ok = on_land & (self.addr_district >= 0)
        self.landmarks = list(gaz["landmarks"])
        names = Counter(m["name"] for m in self.landmarks)
        # Chain shops share a name ("Магазин «АТБ»"): residents then add the street.
        self.lm_ambiguous = [names[m["name"]] > 1 for m in self.landmarks]
        lx, ly = to_metres([m["lon"] for m in self.landmarks], [m["lat"] for m in self.landmarks])
        self.lm_xy = np.column_stack([lx, ly])
        self.crossings = self._crossings()
        self.cross_xy = np.array([[c.x, c.y] for c in self.crossings]).reshape(-1, 2)

    @classmethod
    def load(cls, path: Path = GAZETTEER_JSON) -> City:
        raw = path.read_bytes()
        return cls(json.loads(raw), hashlib.sha256(raw).hexdigest())

    # ------------------------------------------------------------------ queries
    def district_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into self.districts per point; -1 outside every district."""
        out = np.full(np.shape(x), -1, dtype=int)
        for i, d in enumerate(self.districts):
            inside = shapely.contains_xy(d.polygon, x, y)
            out[(out < 0) & inside] = i
        return out

    def on_land(self, x: float, y: float) -> bool:
        return bool(shapely.contains_xy(self.land, x, y))

    def nearest_street(self, x: float, y: float) -> tuple[str, float]:
        idx = int(self.street_tree.nearest(Point(x, y)))
        return self.street_ids[idx], float(self.street_geoms[idx].distance(Point(x, y)))

    def nearest_address(self, x: float, y: float) -> tuple[int, float]:
        d = np.hypot(self.addr_xy[:, 0] - x, self.addr_xy[:, 1] - y)
        d[~self.addr_ok] = np.inf
        i = int(np.argmin(d))
        return i, float(d[i])

    def nearest_crossing(self, x: float, y: float) -> tuple[int, float]:
        if not len(self.crossings):
            return -1, float("inf")
        d = np.hypot(self.cross_xy[:, 0] - x, self.cross_xy[:, 1] - y)
        i = int(np.argmin(d))
        return i, float(d[i])

    def landmarks_near(self, x: float, y: float, radius: float, kinds: set[str] | None = None) -> list[int]:
        d = np.hypot(self.lm_xy[:, 0] - x, self.lm_xy[:, 1] - y)
        order = np.argsort(d, kind="stable")
        return [int(i) for i in order if d[i] <= radius and (kinds is None or self.landmarks[i]["kind"] in kinds)]

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = to_lonlat(x, y)
        return round(float(lat), 6), round(float(lon), 6)

    # ------------------------------------------------------------------ build
    def _crossings(self) -> list[Crossing]:
        """Named street pairs that meet: the places "на розі X і Y" can name."""
        out: list[Crossing] = []
        for i, geom in enumerate(self.street_geoms):
            for j in self.street_tree.query(geom, predicate="intersects"):
                j = int(j)
                if j <= i:
                    continue
                a, b = self.street_ids[i], self.street_ids[j]
                if self.streets[a]["name"] == self.streets[b]["name"]:
                    continue
                pt = geom.intersection(self.street_geoms[j])
                if pt.is_empty:
                    continue
                p = pt.representative_point() if pt.geom_type != "Point" else pt
                if self.on_land(p.x, p.y):
                    out.append(Crossing(a, b, float(p.x), float(p.y)))
        return out


def _lines_m(lines: list[list[list[float]]]) -> MultiLineString:
    parts = []
    for line in lines:
        lon, lat = zip(*line, strict=True)
        x, y = to_metres(lon, lat)
        parts.append(LineString(zip(x, y, strict=True)))
    return MultiLineString(parts)


STREET_TYPE_WORDS = {
    "вулиця",
    "провулок",
    "проспект",
    "площа",
    "бульвар",
    "узвіз",
    "проїзд",
    "шосе",
    "тупик",
    "майдан",
    "алея",
    "улица",
    "переулок",
    "площадь",
    "спуск",
    "проезд",
    "шоссе",
}


def bare_name(full: str | None) -> str | None:
    """'Маріупольська вулиця' / 'улица Единства' -> the name without its type word."""
    if not full:
        return None
    words = full.split()
    if len(words) > 1 and words[0].lower() in STREET_TYPE_WORDS:
        words = words[1:]
    elif len(words) > 1 and words[-1].lower() in STREET_TYPE_WORDS:
        words = words[:-1]
    return " ".join(words)


def _forms(street: dict[str, Any]) -> StreetForms:
    names = street.get("names") or {}
    uk = street["name"]
    old_uk = bare_name(names.get("old_name"))
    if old_uk == uk:
        old_uk = None
    return StreetForms(
        uk=uk,
        ru=bare_name(names.get("name:ru")) or ru_from_uk(uk),
        old_uk=old_uk,
        old_ru=(bare_name(names.get("old_name:ru")) or ru_from_uk(old_uk)) if old_uk else None,
        type=street.get("type") or "вулиця",
    )
