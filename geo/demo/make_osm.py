"""Write geo/demo/voznesensk-demo.osm: a synthetic, clearly labelled OSM extract of Voznesensk.

No open street geometry of the city exists, so this script invents it (seeded, so every run
writes the same bytes) around the real facts in geo/demo/sources: street names and their
renamings, park and spring names with their rounded points. Everything invented carries
`synthetic=yes`; real names on invented geometry carry `synthetic=geometry`.
Run: python3 -m geo.demo.make_osm [OUT.osm]
"""

from __future__ import annotations

import csv
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import shapely
from shapely import STRtree
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import split, unary_union

from geo.demo.layout import (
    BANK_ANCHORS,
    CITY_BBOX,
    CITY_CENTRE,
    CITY_NAME,
    CITY_NAME_EN,
    CITY_NAME_RU,
    CITY_OUTLINE,
    CITY_POPULATION,
    MERTVOVID_COURSE,
    MERTVOVID_WIDTH_M,
    METRIC_CRS,
    MICRODISTRICTS,
    RAILWAY_COURSE,
    SOUTHERN_BUG_COURSE,
    SOUTHERN_BUG_WIDTH_M,
    Microdistrict,
)
from geo.demo.street_names import SOURCES, StreetSpec, real_streets, synthetic_streets, translit_uk
from geo.projection import to_metres, to_wgs84

SEED = 20261125
OUT = Path(__file__).with_name("voznesensk-demo.osm")
EDGE_M = 35.0  # streets keep this far from water and the city edge
MIN_PIECE_M = 140.0  # shorter grid pieces are dropped
HOUSE_OFFSET_M = 16.0  # address points sit this far from the street axis
WAY_SPLIT_M = 700.0  # longer street pieces become several ways, as in real OSM data

# Arterials: (uk name as in street_names, highway, course lon/lat). Real names first.
ARTERIALS: tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...] = (
    ("Соборності", "primary", ((31.3035, 47.5662), (31.330, 47.5660), (31.386, 47.5665))),
    (
        "Маріупольська",
        "primary",
        ((31.336, 47.5975), (31.334, 47.584), (31.332, 47.5745), (31.330, 47.566), (31.327, 47.548), (31.324, 47.5345)),
    ),
    ("Молодогвардійська", "secondary", ((31.356, 47.5735), (31.3565, 47.557), (31.357, 47.540))),
    ("Бузька", "secondary", ((31.318, 47.5612), (31.296, 47.5608), (31.272, 47.563))),
    ("Набережна", "tertiary", ((31.3055, 47.5718), (31.3030, 47.566), (31.3015, 47.556), (31.3030, 47.545))),
    ("Вокзальна", "secondary", ((31.330, 47.5585), (31.345, 47.5545), (31.3625, 47.5492))),
    ("Одеська", "tertiary", ((31.3145, 47.5880), (31.340, 47.5905), (31.362, 47.5900))),
    ("Миколаївська", "tertiary", ((31.284, 47.545), (31.2855, 47.565), (31.286, 47.585))),
)
RAILWAY_STATION = (31.3662, 47.5484)
BAR_STREET = "Набережна"


# --- projection helpers -------------------------------------------------------------
def _to_m(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda lon, lat: to_metres(lat, lon, METRIC_CRS), interleaved=False)


def _to_ll(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda x, y: to_wgs84(x, y, METRIC_CRS)[::-1], interleaved=False)


def _pt_ll(x: float, y: float) -> tuple[float, float]:
    lat, lon = to_wgs84(x, y, METRIC_CRS)
    return float(lon), float(lat)


def _line_m(course: Sequence[tuple[float, float]]) -> LineString:
    return _to_m(LineString(course))


def _largest(geom: BaseGeometry) -> Polygon:
    """District cuts can leave slivers; keep the main polygon without holes."""
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    main = max((p for p in polys if p.geom_type == "Polygon"), key=lambda p: p.area)
    return Polygon(main.exterior)


def _pieces(geom: BaseGeometry) -> list[LineString]:
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    return [g for g in getattr(geom, "geoms", []) if g.geom_type == "LineString"]


# --- the layout --------------------------------------------------------------------
@dataclass
class Street:
    spec: StreetSpec
    highway: str
    lines: list[list[tuple[float, float]]]  # metres, ordered along the street
    district: str | None  # microdistrict of a grid street (None for arterials)
    house_step: float = 34.0


@dataclass
class Layout:
    outline: Polygon  # metres
    water: dict[str, BaseGeometry]  # name -> polygon (metres)
    districts: dict[str, Polygon]  # name -> polygon (metres)
    parks: list[tuple[str, Polygon, bool]] = field(default_factory=list)  # name, polygon, real?
    springs: list[tuple[str, tuple[float, float]]] = field(default_factory=list)
    streets: list[Street] = field(default_factory=list)


class Frame:
    """A rotated grid frame (u across, v along) anchored at a district's centroid."""

    def __init__(self, md: Microdistrict, poly: Polygon) -> None:
        c = poly.centroid
        self.ox, self.oy = round(c.x, -1), round(c.y, -1)
        a = math.radians(md.grid_angle_deg)
        self.cos, self.sin = math.cos(a), math.sin(a)
        self.dx, self.dy = md.spacing_m
        minx, miny, maxx, maxy = poly.bounds
        self.reach = math.hypot(maxx - minx, maxy - miny) / 2 + max(self.dx, self.dy)

    def xy(self, u: float, v: float) -> tuple[float, float]:
        return (self.ox + u * self.cos - v * self.sin, self.oy + u * self.sin + v * self.cos)

    def uv(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.ox, y - self.oy
        return (x * self.cos + y * self.sin, -x * self.sin + y * self.cos)

    def range(self, step: float) -> range:
        return range(-int(self.reach // step) - 1, int(self.reach // step) + 2)

    def block(self, i: int, j: int, shrink: float) -> Polygon:
        u0, v0 = i * self.dx + shrink, j * self.dy + shrink
        u1, v1 = (i + 1) * self.dx - shrink, (j + 1) * self.dy - shrink
        return Polygon([self.xy(u0, v0), self.xy(u1, v0), self.xy(u1, v1), self.xy(u0, v1)])


def build_layout(rng: random.Random) -> Layout:
    """Rivers, land pieces, microdistricts, parks, springs and the named street network."""
    bug = _line_m(SOUTHERN_BUG_COURSE).buffer(SOUTHERN_BUG_WIDTH_M / 2, cap_style="flat")
    mertvovid = _line_m(MERTVOVID_COURSE).buffer(MERTVOVID_WIDTH_M / 2, cap_style="flat")
    lon0, lat0, lon1, lat1 = CITY_BBOX
    frame_box = _to_m(box(lon0 - 0.02, lat0 - 0.015, lon1 + 0.02, lat1 + 0.015))
    water = {
        "Південний Буг": bug.intersection(frame_box).simplify(1.0),
        "Мертвовід": mertvovid.difference(bug).intersection(frame_box).simplify(1.0),
    }
    water_all = unary_union(list(water.values()))
    outline = _to_m(Polygon(CITY_OUTLINE))
    land_ll = _to_ll(outline.difference(water_all))
    banks = {bank: next(p for p in land_ll.geoms if p.contains(Point(pt))) for bank, pt in BANK_ANCHORS.items()}
    districts = {
        md.name: _to_m(_largest(banks[md.bank].intersection(box(*md.box)))).simplify(1.0) for md in MICRODISTRICTS
    }
    layout = Layout(outline, water, districts)
    inner_land = outline.difference(water_all).buffer(-EDGE_M)
    frames = {md.name: Frame(md, districts[md.name]) for md in MICRODISTRICTS}

    specs = {s.name.uk: s for s in real_streets()}
    synth_streets, synth_lanes = synthetic_streets()
    specs.update({s.name.uk: s for s in synth_streets})

    arterials: list[tuple[StreetSpec, str, LineString]] = []
    for uk, highway, course in ARTERIALS:
        arterials.append((specs.pop(uk), highway, _line_m(course)))
    art_buffer = unary_union([line.buffer(70) for _, _, line in arterials])

    _place_parks(layout, frames, inner_land, art_buffer)
    blocked = unary_union([p for _, p, _ in layout.parks])

    # Grid lines per district, clipped to the district, away from arterials and parks.
    grid: list[tuple[str, list[LineString]]] = []
    for md in MICRODISTRICTS:
        fr, inner = frames[md.name], districts[md.name].intersection(inner_land)
        half_u = [k * fr.dx / 2 for k in fr.range(fr.dx / 2)]
        half_v = [k * fr.dy for k in fr.range(fr.dy)]
        candidates = [LineString([fr.xy(i * fr.dx, v) for v in half_v]) for i in fr.range(fr.dx)]
        candidates += [LineString([fr.xy(u, j * fr.dy) for u in half_u]) for j in fr.range(fr.dy)]
        for line in candidates:
            pieces = _clip(line, inner, art_buffer, blocked)
            if pieces:
                grid.append((md.name, pieces))
    lanes = _lanes(rng, frames, districts, inner_land, art_buffer, blocked)

    real_vul = sorted(
        (s for s in specs.values() if not s.synthetic and s.name.kind == "вулиця"), key=lambda s: s.name.uk
    )
    real_lanes = sorted(
        (s for s in specs.values() if not s.synthetic and s.name.kind == "провулок"), key=lambda s: s.name.uk
    )
    synth = [s for s in synth_streets if s.name.uk in specs]
    rng.shuffle(real_vul)
    rng.shuffle(synth)
    # The longest grid lines get names; real names are spread over the whole city.
    grid.sort(key=lambda g: -sum(p.length for p in g[1]))
    names = real_vul + synth
    grid = grid[: len(names)]
    order = list(range(len(grid)))
    rng.shuffle(order)
    steps = {md.name: md.house_step_m for md in MICRODISTRICTS}
    for spec, idx in zip(names, order):
        district, pieces = grid[idx]
        layout.streets.append(Street(spec, "residential", [list(p.coords) for p in pieces], district, steps[district]))
    for spec, highway, line in arterials:
        parts = [list(p.coords) for p in _pieces(line.intersection(outline.buffer(-EDGE_M)))]
        layout.streets.append(Street(spec, highway, parts, None, 32.0))
    lane_specs = real_lanes + synth_lanes
    for spec, (district, line) in zip(lane_specs, lanes):
        layout.streets.append(Street(spec, "residential", [list(line.coords)], district, steps[district]))
    _add_crossings(layout.streets)
    _settle_springs(layout, inner_land)
    return layout


def _settle_springs(layout: Layout, inner_land: BaseGeometry, clearance: float = 25.0) -> None:
    """Move each spring the least distance (10 m steps) to land that is off every street."""
    streets = unary_union([LineString(line) for s in layout.streets for line in s.lines])
    parks = unary_union([p for _, p, _ in layout.parks])
    settled = []
    for name, (x, y) in layout.springs:
        offsets = sorted(
            ((dx * 10.0, dy * 10.0) for dx in range(-60, 61) for dy in range(-60, 61)),
            key=lambda d: (math.hypot(*d), d),
        )
        for dx, dy in offsets:
            p = Point(x + dx, y + dy)
            if inner_land.contains(p) and p.distance(streets) >= clearance and not parks.contains(p):
                settled.append((name, (p.x, p.y)))
                break
    layout.springs = settled


def _clip(line: LineString, inner: BaseGeometry, art_buffer: BaseGeometry, blocked: BaseGeometry) -> list[LineString]:
    """Clip a grid line; drop it where it runs along an arterial (not where it crosses one)."""
    pieces = _pieces(line.intersection(inner).difference(blocked))
    out: list[LineString] = []
    for piece in pieces:
        if piece.intersection(art_buffer).length > 200:
            out += _pieces(piece.difference(art_buffer))
        else:
            out.append(piece)
    return [p for p in out if p.length >= MIN_PIECE_M]


def _lanes(
    rng: random.Random,
    frames: dict[str, Frame],
    districts: dict[str, Polygon],
    inner_land: BaseGeometry,
    art_buffer: BaseGeometry,
    blocked: BaseGeometry,
    per_district: int = 3,
) -> list[tuple[str, LineString]]:
    """Провулки: mid-block lanes joining two grid streets, in whole blocks only."""
    lanes: list[tuple[str, LineString]] = []
    for md in MICRODISTRICTS:
        fr, inner = frames[md.name], districts[md.name].intersection(inner_land)
        blocks = [
            (i, j)
            for i in fr.range(fr.dx)
            for j in fr.range(fr.dy)
            if inner.contains(fr.block(i, j, -1))
            and not fr.block(i, j, -30).intersects(art_buffer)
            and not fr.block(i, j, -1).intersects(blocked)
        ]
        for i, j in sorted(rng.sample(blocks, min(per_district, len(blocks)))):
            u = i * fr.dx + fr.dx / 2
            lanes.append((md.name, LineString([fr.xy(u, j * fr.dy), fr.xy(u, (j + 1) * fr.dy)])))
    return lanes


def _place_parks(layout: Layout, frames: dict[str, Frame], inner_land: BaseGeometry, art_buffer: BaseGeometry) -> None:
    """Real parks (rounded geonames points) move to the nearest whole free block."""
    taken: list[Polygon] = []

    def nearest_block(x: float, y: float) -> tuple[str, Polygon]:
        best: tuple[float, str, Polygon] | None = None
        for md in MICRODISTRICTS:
            fr = frames[md.name]
            u, v = fr.uv(x, y)
            i0, j0 = math.floor(u / fr.dx), math.floor(v / fr.dy)
            for i in range(i0 - 3, i0 + 4):
                for j in range(j0 - 3, j0 + 4):
                    blk = fr.block(i, j, 20)
                    if not layout.districts[md.name].intersection(inner_land).contains(fr.block(i, j, 0)):
                        continue
                    if blk.intersects(art_buffer) or any(blk.intersects(t) for t in taken):
                        continue
                    d = blk.centroid.distance(Point(x, y))
                    if best is None or d < best[0]:
                        best = (d, md.name, blk)
        assert best is not None, "no free block near a park"
        return best[1], best[2]

    with open(SOURCES / "geonames_voznesensk_area.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lon0, lat0, lon1, lat1 = CITY_BBOX
    for row in rows:
        lat, lon = float(row["lat"]), float(row["lon"])
        if not (lon0 <= lon <= lon1 and lat0 <= lat <= lat1):
            continue
        x, y = (float(v) for v in to_metres(lat, lon, METRIC_CRS))
        if row["name_uk"].startswith("Парк"):
            _, blk = nearest_block(x, y)
            taken.append(blk)
            layout.parks.append((row["name_uk"], blk, True))
        elif row["name_uk"].startswith("Джерело"):
            layout.springs.append((row["name_uk"], (x, y)))  # settled by _settle_springs
    for name, (lon, lat) in (("Центральний сквер", (31.322, 47.5635)), ("Парк Молодіжний", (31.372, 47.570))):
        x, y = (float(v) for v in to_metres(lat, lon, METRIC_CRS))
        _, blk = nearest_block(x, y)
        taken.append(blk)
        layout.parks.append((name, blk, False))


def _snap_insert(coords: list[tuple[float, float]], p: tuple[float, float], tol: float = 0.5) -> tuple[float, float]:
    """Insert p into a polyline (or reuse a vertex within tol); return the shared vertex."""
    for c in coords:
        if math.dist(c, p) <= tol:
            return c
    line = LineString(coords)
    at = line.project(Point(p))
    for k in range(1, len(coords)):
        if LineString(coords[: k + 1]).length >= at:
            coords.insert(k, p)
            return p
    coords.append(p)
    return p


def _add_crossings(streets: list[Street]) -> None:
    """Give crossing streets a shared vertex, so OSM ways share a node at junctions."""
    parts = [(s_i, p_i) for s_i, s in enumerate(streets) for p_i in range(len(s.lines))]
    geoms = [LineString(streets[s].lines[p]) for s, p in parts]
    tree = STRtree(geoms)
    for a, b in sorted({tuple(sorted(pair)) for pair in zip(*tree.query(geoms, predicate="intersects"))}):
        if a == b or parts[a][0] == parts[b][0]:
            continue
        la, lb = streets[parts[a][0]].lines[parts[a][1]], streets[parts[b][0]].lines[parts[b][1]]
        inter = LineString(la).intersection(LineString(lb))
        points = [g for g in getattr(inter, "geoms", [inter]) if g.geom_type == "Point"]
        for pt in sorted((q.x, q.y) for q in points):
            shared = _snap_insert(la, pt)
            for k, c in enumerate(lb):
                if math.dist(c, shared) <= 0.5:
                    lb[k] = shared
                    break
            else:
                _snap_insert(lb, shared, tol=0.0)


# --- addresses ---------------------------------------------------------------------
# Real addresses from sources/known_streets.csv (their position is invented).
REAL_ADDRESSES = {"Соборності": "23/27", "Молодогвардійська": "45"}


@dataclass
class Address:
    street: Street
    house: str
    x: float
    y: float
    angle: float  # street direction, for building footprints
    district: str | None
    building: bool = False
    poi: dict[str, str] | None = None  # landmark tags claimed onto this address


def _district_of(layout: Layout, x: float, y: float) -> str | None:
    p = Point(x, y)
    return next((n for n, poly in layout.districts.items() if poly.contains(p)), None)


def place_addresses(layout: Layout, rng: random.Random) -> list[Address]:
    """Odd numbers on the left, even on the right, rising along the street; some 15а and 23/27."""
    all_lines = [(s_i, LineString(line)) for s_i, s in enumerate(layout.streets) for line in s.lines]
    tree = STRtree([g for _, g in all_lines])
    forbidden = unary_union([*layout.water.values(), *(p for _, p, _ in layout.parks)])
    land = layout.outline.buffer(-10).difference(forbidden.buffer(8))
    occupied: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def free(x: float, y: float, s_i: int) -> bool:
        p = Point(x, y)
        if not land.contains(p):
            return False
        for k in tree.query(p, predicate="dwithin", distance=HOUSE_OFFSET_M - 4):
            if all_lines[k][0] != s_i:
                return False
        cx, cy = int(x // 14), int(y // 14)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if any(math.dist(q, (x, y)) < 14 for q in occupied.get((cx + dx, cy + dy), [])):
                    return False
        return True

    def put(addrs: list[Address], s_i: int, house: str, x: float, y: float, ang: float) -> None:
        occupied.setdefault((int(x // 14), int(y // 14)), []).append((x, y))
        street = layout.streets[s_i]
        addrs.append(
            Address(
                street, house, x, y, ang, street.district or _district_of(layout, x, y), building=rng.random() < 0.12
            )
        )

    out: list[Address] = []
    for s_i, street in enumerate(layout.streets):
        is_sobornosti = street.spec.name.uk == "Соборності"
        random_ranges = street.spec.name.uk not in REAL_ADDRESSES  # keep the real numbers intact
        for side, first in ((1, 1), (-1, 2)):
            number = first
            for line in street.lines:
                geom = LineString(line)
                at = street.house_step / 2
                while at < geom.length - 8:
                    p0, p1 = geom.interpolate(at - 2), geom.interpolate(at + 2)
                    ang = math.atan2(p1.y - p0.y, p1.x - p0.x)
                    mid = geom.interpolate(at)
                    x = mid.x - side * HOUSE_OFFSET_M * math.sin(ang)
                    y = mid.y + side * HOUSE_OFFSET_M * math.cos(ang)
                    at += street.house_step
                    if not free(x, y, s_i):
                        continue
                    roll = rng.random()
                    ranged = number == 23 and is_sobornosti or (roll < 0.012 and number > 5 and random_ranges)
                    if side == 1 and ranged:
                        put(out, s_i, f"{number}/{number + 4}", x, y, ang)
                        number += 6
                        continue
                    put(out, s_i, str(number), x, y, ang)
                    if roll > 0.97:
                        xs = x + 0.5 * street.house_step * math.cos(ang)
                        ys = y + 0.5 * street.house_step * math.sin(ang)
                        if free(xs, ys, s_i):
                            put(out, s_i, f"{number}{rng.choice('аааб')}", xs, ys, ang)
                    number += 2
    return out


# --- landmarks ---------------------------------------------------------------------
SCHOOL_DISTRICTS = (
    "Центр",
    "Центр",
    "Болгарка",
    "Заріччя",
    "Молодіжний",
    "Привокзальний",
    "Південний",
    "Східний",
    "Молодіжний",
)


def _school(n: int) -> dict[str, str]:
    return {
        "amenity": "school",
        "name": f"Вознесенська загальноосвітня школа І-ІІІ ступенів № {n}",
        "name:ru": f"Вознесенская общеобразовательная школа І-ІІІ ступеней № {n}",
        "name:en": f"Voznesensk Secondary School No. {n}",
        "short_name": f"ЗОШ № {n}",
        "ref": str(n),
        "isced:level": "1;2;3",
    }


def claim_landmarks(addresses: list[Address], rng: random.Random) -> None:
    """Put POI tags on chosen address points (schools, market, bars on the bar street...)."""
    free_idx = list(range(len(addresses)))

    def pick(
        district: str | None = None,
        street: str | None = None,
        house: str | None = None,
        building: bool | None = None,
        among: set[int] | None = None,
    ) -> Address:
        cands = [
            i
            for i in free_idx
            if (district is None or addresses[i].district == district)
            and (street is None or addresses[i].street.spec.name.uk == street)
            and (house is None or addresses[i].house == house)
            and (among is None or i in among)
        ]
        i = rng.choice(cands)
        free_idx.remove(i)
        a = addresses[i]
        if building is not None:
            a.building = building
        return a

    def claim(tags: dict[str, str], **where: object) -> Address:
        a = pick(**where)  # type: ignore[arg-type]
        a.poi = {**tags, "synthetic": "yes"}
        return a

    for n, district in enumerate(SCHOOL_DISTRICTS, start=1):
        claim({**_school(n), "building": "school"}, district=district, building=True)
    claim(
        {
            "amenity": "school",
            "name": "Вознесенський ліцей",
            "name:ru": "Вознесенский лицей",
            "name:en": "Voznesensk Lyceum",
            "building": "school",
        },
        district="Центр",
        building=True,
    )
    claim(
        {
            "amenity": "townhall",
            "name": "Вознесенська міська рада",
            "name:ru": "Вознесенский городской совет",
            "name:en": "Voznesensk City Council",
            "townhall:type": "city",
            "building": "civic",
        },
        street="Соборності",
        district="Центр",
        building=True,
    )
    claim(
        {
            "amenity": "police",
            "name": "Вознесенський районний відділ поліції",
            "name:ru": "Вознесенский районный отдел полиции",
            "name:en": "Voznesensk District Police Department",
            "short_name": "Вознесенський РВП",
        },
        street="Маріупольська",
        district="Центр",
    )
    claim(
        {
            "office": "government",
            "name": "Територіальний сервісний центр МВС",
            "name:ru": "Территориальный сервисный центр МВД",
            "short_name": "Сервісний центр МВС",
        },
        street="Молодогвардійська",
        house="45",
    )
    claim(
        {
            "amenity": "marketplace",
            "name": "Центральний ринок",
            "name:ru": "Центральный рынок",
            "name:en": "Central Market",
        },
        street="Маріупольська",
        district="Центр",
    )
    claim(
        {
            "amenity": "bus_station",
            "name": "Автостанція Вознесенськ",
            "name:ru": "Автостанция Вознесенск",
            "name:en": "Voznesensk Bus Station",
            "short_name": "Автостанція",
            "public_transport": "station",
        },
        street="Соборності",
        district="Молодіжний",
    )
    claim(
        {
            "amenity": "hospital",
            "name": "Вознесенська центральна районна лікарня",
            "name:ru": "Вознесенская центральная районная больница",
            "short_name": "ЦРЛ",
            "name:en": "Voznesensk Central District Hospital",
            "building": "hospital",
        },
        district="Молодіжний",
        building=True,
    )
    churches = (
        ("Свято-Вознесенський собор", "Свято-Вознесенский собор", "Центр"),
        ("Свято-Покровська церква", "Свято-Покровская церковь", "Болгарка"),
        ("Церква Святого Миколая", "Церковь Святого Николая", "Заріччя"),
    )
    for uk, ru, district in churches:
        claim(
            {
                "amenity": "place_of_worship",
                "religion": "christian",
                "denomination": "orthodox",
                "name": uk,
                "name:ru": ru,
                "building": "church",
            },
            district=district,
            building=True,
        )
    bars = (
        "Бар «Причал»",
        "Паб «Бузький»",
        "Бар «Маяк»",
        "Кафе-бар «Хвиля»",
        "Бар «Якір»",
        "Паб «Старий млин»",
        "Бар «Острів»",
    )
    # The bar street: the bars sit together on a ~400 m stretch of the embankment in the centre.
    stretch = sorted(
        (i for i in free_idx if addresses[i].street.spec.name.uk == BAR_STREET and addresses[i].district == "Центр"),
        key=lambda i: (addresses[i].y, addresses[i].x),
    )
    start = rng.randrange(len(stretch) - 2 * len(bars))
    for name in bars:
        claim(
            {"amenity": "pub" if name.startswith("Паб") else "bar", "name": name, "opening_hours": "Mo-Su 16:00-02:00"},
            among=set(stretch[start : start + 2 * len(bars)]),
        )
    cafes = ("Кафе «Каштан»", "Кав'ярня «Зерно»", "Кафе «Бузок»", "Піцерія «Оліва»", "Кафе «Затишок»")
    for name, district in zip(cafes, ("Центр", "Центр", "Молодіжний", "Заріччя", "Болгарка")):
        claim({"amenity": "cafe", "name": name}, district=district)
    shops = (
        "АТБ",
        "Продукти",
        "Сільпо",
        "Копійка",
        "Будмаркет",
        "Квіти",
        "Господарчі товари",
        "Наш край",
        "Фора",
        "Продукти 24",
        "Автозапчастини",
        "Хлібна крамниця",
    )
    shop_types = (
        "supermarket",
        "convenience",
        "supermarket",
        "convenience",
        "doityourself",
        "florist",
        "hardware",
        "convenience",
        "supermarket",
        "convenience",
        "car_parts",
        "bakery",
    )
    districts = [md.name for md in MICRODISTRICTS]
    for k in range(28):
        name, kind = shops[k % len(shops)], shop_types[k % len(shops)]
        claim({"shop": kind, "name": f"Магазин «{name}»"}, district=districts[k % len(districts)])
    for k in range(9):
        claim(
            {"amenity": "pharmacy", "healthcare": "pharmacy", "name": f"Аптека № {k + 1}", "ref": str(k + 1)},
            district=districts[k % len(districts)],
        )
    playgrounds = (
        "Веселка",
        "Сонечко",
        "Казка",
        "Дитинство",
        "Дзвіночок",
        "Барвінок",
        "Ромашка",
        "Лелека",
        "Малятко",
        "Колосок",
        "Теремок",
        "Зірочка",
        "Карусель",
        "Пролісок",
    )
    for k, name in enumerate(playgrounds):
        a = claim(
            {"leisure": "playground", "name": f"Дитячий майданчик «{name}»"}, district=districts[k % len(districts)]
        )
        a.building = False


# --- OSM XML -----------------------------------------------------------------------
class OsmWriter:
    """Collects nodes/ways/relations with sequential ids and writes OSM XML deterministically."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, float, float, dict[str, str]]] = []
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self.relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = []
        self._shared: dict[tuple[float, float], int] = {}

    def node(self, lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = len(self.nodes) + 1
        self.nodes.append((nid, round(lon, 7), round(lat, 7), tags or {}))
        return nid

    def shared_node(self, lon: float, lat: float) -> int:
        """Street vertices: one node per location, so junctions are connected."""
        key = (round(lon, 7), round(lat, 7))
        if key not in self._shared:
            self._shared[key] = self.node(*key)
        return self._shared[key]

    def way(self, refs: list[int], tags: dict[str, str]) -> int:
        wid = len(self.ways) + 1
        self.ways.append((wid, refs, tags))
        return wid

    def ring(self, coords_m: Iterable[tuple[float, float]]) -> list[int]:
        coords = list(coords_m)[:-1]
        refs = [self.node(*_pt_ll(x, y)) for x, y in coords]
        return refs + refs[:1]

    def area(self, poly: Polygon, tags: dict[str, str]) -> int:
        return self.way(self.ring(poly.exterior.coords), tags)

    def multipolygon(self, poly: Polygon, tags: dict[str, str], parts: int = 2, rel_type: str = "multipolygon") -> int:
        """Outer ring split into several untagged ways, as big areas are mapped in OSM."""
        refs = self.ring(poly.exterior.coords)
        cut = [round(k * (len(refs) - 1) / parts) for k in range(parts + 1)]
        members = [("way", self.way(refs[a : b + 1], {}), "outer") for a, b in zip(cut, cut[1:])]
        rid = len(self.relations) + 1
        self.relations.append((rid, members, {"type": rel_type, **tags}))
        return rid

    def write(self, path: Path) -> None:
        def tag_lines(tags: dict[str, str]) -> list[str]:
            return [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items())]

        lon0, lat0, lon1, lat1 = CITY_BBOX
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<osm version="0.6" generator="geo/demo/make_osm.py (synthetic demo extract)">',
            f'  <bounds minlat="{lat0}" minlon="{lon0}" maxlat="{lat1}" maxlon="{lon1}"/>',
        ]
        for nid, lon, lat, tags in self.nodes:
            head = f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
            out += [head + ">", *tag_lines(tags), "  </node>"] if tags else [head + "/>"]
        for wid, refs, tags in self.ways:
            out.append(f'  <way id="{wid}" version="1">')
            out += [f'    <nd ref="{r}"/>' for r in refs]
            out += [*tag_lines(tags), "  </way>"]
        for rid, members, tags in self.relations:
            out.append(f'  <relation id="{rid}" version="1">')
            out += [f'    <member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members]
            out += [*tag_lines(tags), "  </relation>"]
        out.append("</osm>")
        path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _street_ways(w: OsmWriter, street: Street, water_all: BaseGeometry) -> None:
    """Ways of one street: split at bridges and every ~WAY_SPLIT_M, sharing end nodes."""
    base = {**street.spec.tags(), "highway": street.highway}
    if street.district is None:
        base["lanes"] = "2"
    for line in street.lines:
        geom = LineString(line)
        water_zone = water_all.buffer(12)
        segments: list[tuple[list[tuple[float, float]], bool]] = []
        if geom.intersects(water_zone):
            for part in split(geom, water_zone.boundary).geoms:
                mid = part.interpolate(0.5, normalized=True)
                segments.append((list(part.coords), water_zone.contains(mid)))
        else:
            segments.append((line, False))
        for coords, bridge in segments:
            tags = {**base, "bridge": "yes", "layer": "1"} if bridge else base
            for chunk in _chunks(coords):
                w.way([w.shared_node(*_pt_ll(x, y)) for x, y in chunk], tags)


def _chunks(coords: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    total = LineString(coords).length
    n = max(1, round(total / WAY_SPLIT_M))
    if n == 1 or len(coords) < 3:
        return [coords]
    out, start, run = [], 0, 0.0
    for k in range(1, len(coords) - 1):
        run += math.dist(coords[k - 1], coords[k])
        if run >= total / n * (len(out) + 1):
            out.append(coords[start : k + 1])
            start = k
    out.append(coords[start:])
    return out


def _footprint(a: Address) -> Polygon:
    c, s = math.cos(a.angle), math.sin(a.angle)
    hw, hd = (14.0, 9.0) if a.poi and "building" in a.poi else (6.0, 5.0)
    corners = ((-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd), (-hw, -hd))
    return Polygon([(a.x + u * c - v * s, a.y + u * s + v * c) for u, v in corners])


def write_osm(path: Path = OUT, seed: int = SEED) -> dict[str, int]:
    """Generate the layout and write the extract; returns counts for the README/report."""
    rng = random.Random(seed)
    layout = build_layout(rng)
    addresses = place_addresses(layout, rng)
    claim_landmarks(addresses, rng)
    w = OsmWriter()
    water_all = unary_union(list(layout.water.values()))

    city = {
        "boundary": "administrative",
        "admin_level": "8",
        "place": "city",
        "name": CITY_NAME,
        "name:uk": CITY_NAME,
        "name:ru": CITY_NAME_RU,
        "name:en": translit_uk(CITY_NAME),
        "population": str(CITY_POPULATION),
        "katotth": "UA48040070010053688",
        "synthetic": "geometry",
        "source:katotth": "sources/SOURCE.md (KATOTTG codifier)",
    }
    w.multipolygon(layout.outline, city, parts=2, rel_type="boundary")
    lat_c, lon_c = CITY_CENTRE
    w.node(
        lon_c,
        lat_c,
        {
            "place": "city",
            "name": CITY_NAME,
            "name:ru": CITY_NAME_RU,
            "name:en": CITY_NAME_EN,
            "population": str(CITY_POPULATION),
        },
    )
    for md in MICRODISTRICTS:
        w.area(
            layout.districts[md.name],
            {
                "place": "suburb",
                "name": md.name,
                "name:uk": md.name,
                "name:ru": md.name_ru,
                "name:en": translit_uk(md.name),
                "population": str(md.population),
                "synthetic": "yes",
            },
        )
    river_tags = {"Південний Буг": ("Южный Буг", "Pivdennyi Buh"), "Мертвовід": ("Мертвовод", "Mertvovid")}
    for name, geom in layout.water.items():
        ru, en = river_tags[name]
        tags = {
            "natural": "water",
            "water": "river",
            "name": name,
            "name:ru": ru,
            "name:en": en,
            "synthetic": "geometry",
        }
        poly = _largest(geom)
        if name == "Південний Буг":
            w.multipolygon(poly, tags, parts=3)
        else:
            w.area(poly, tags)
    for name, course, width in (("Південний Буг", SOUTHERN_BUG_COURSE, "180"), ("Мертвовід", MERTVOVID_COURSE, "45")):
        ru, en = river_tags[name]
        refs = [w.node(lon, lat) for lon, lat in course]
        w.way(
            refs,
            {"waterway": "river", "name": name, "name:ru": ru, "name:en": en, "width": width, "synthetic": "geometry"},
        )
    for name, poly, real in layout.parks:
        tags = {"leisure": "park", "name": name, "synthetic": "geometry" if real else "yes"}
        if real:
            tags["source:name"] = "sources/geonames_voznesensk_area.csv (point moved to the nearest block)"
        w.area(poly, tags)
    for name, (x, y) in layout.springs:
        w.node(
            *_pt_ll(x, y),
            {
                "natural": "spring",
                "name": name,
                "synthetic": "geometry",
                "source:name": "sources/geonames_voznesensk_area.csv",
            },
        )
    rail = _line_m(RAILWAY_COURSE)
    for coords, bridge in [
        (list(p.coords), water_all.buffer(12).contains(p.interpolate(0.5, normalized=True)))
        for p in split(rail, water_all.buffer(12).boundary).geoms
    ]:
        tags = {"railway": "rail", "usage": "main", "gauge": "1520", "synthetic": "yes"}
        if bridge:
            tags |= {"bridge": "yes", "layer": "1"}
        w.way([w.node(*_pt_ll(x, y)) for x, y in coords], tags)
    w.node(
        *RAILWAY_STATION,
        {
            "railway": "station",
            "public_transport": "station",
            "name": "Залізнична станція Вознесенськ",
            "name:ru": "Железнодорожная станция Вознесенск",
            "name:en": "Voznesensk railway station",
            "short_name": "Вокзал",
            "synthetic": "yes",
        },
    )
    for street in sorted(layout.streets, key=lambda s: s.spec.name.full()):
        _street_ways(w, street, water_all)
    for a in addresses:
        real = REAL_ADDRESSES.get(a.street.spec.name.uk) == a.house
        tags = {
            "addr:street": a.street.spec.name.full(),
            "addr:housenumber": a.house,
            "addr:city": CITY_NAME,
            "synthetic": "geometry" if real else "yes",
        }
        if a.street.spec.name.uk == "Соборності" and a.house == "23/27":
            tags["addr:postcode"] = "56501"
        if a.poi:
            if a.poi.get("leisure") == "playground":  # a playground takes the slot, not the address
                tags = {k: v for k, v in tags.items() if not k.startswith("addr:")}
            tags.update(a.poi)
        if a.building:
            tags.setdefault("building", "apartments" if a.district in ("Центр", "Молодіжний") else "house")
            w.area(_footprint(a), tags)
        else:
            tags.pop("building", None)
            w.node(*_pt_ll(a.x, a.y), tags)
    w.write(path)
    real = sum(1 for s in layout.streets if not s.spec.synthetic)
    return {
        "streets_real": real,
        "streets_synthetic": len(layout.streets) - real,
        "addresses": sum(1 for a in addresses if not (a.poi and a.poi.get("leisure") == "playground")),
        "landmarks": sum(1 for a in addresses if a.poi) + len(layout.springs) + len(layout.parks) + 1,
        "nodes": len(w.nodes),
        "ways": len(w.ways),
        "relations": len(w.relations),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(write_osm(target))
