"""Points and radii in metres: addresses, crossings, street middles, districts."""

from __future__ import annotations

import math
from functools import lru_cache

from pyproj import Transformer
from shapely.geometry import Point
from shapely.ops import nearest_points

from geo.geocoding.index import _house_key, _Index, _leading_number, _Street
from geo.geocoding.match import Match
from geo.geocoding.weights import (
    EXACT_ADDRESS_M,
    FAR_HOUSE_M,
    INTERSECTION_M,
    MAX_INTERSECTION_GAP_M,
    NEAR_HOUSE_M,
    STREET_DISTRICT_SHARE,
    STREET_OFFSET_M,
)
from geo.projection import WGS84


def _address_point(st: _Street, house: str) -> tuple[float, float, float, bool] | None:
    """(x, y, uncertainty, exact) for a house: the address point, else interpolation along
    the street between the nearest numbers of the same parity."""
    key = _house_key(house)
    if key in st.exact:
        x, y = st.exact[key]
        return x, y, EXACT_ADDRESS_M, True
    number = _leading_number(key)
    if number is None:
        return None
    if str(number) in st.exact and key != str(number):
        x, y = st.exact[str(number)]  # "15к2" or "15/2" sits on the plot of 15
        return x, y, EXACT_ADDRESS_M + NEAR_HOUSE_M, False
    points = st.by_parity.get(number % 2) or []
    if not points:
        return None
    lower = [p for p in points if p[0] < number]
    upper = [p for p in points if p[0] > number]
    if lower and upper:
        (n1, s1), (n2, s2) = lower[-1], upper[0]
        s = s1 + (s2 - s1) * (number - n1) / (n2 - n1)
        # the house lies somewhere between its known neighbours: half their distance at most
        uncertainty = EXACT_ADDRESS_M + max(NEAR_HOUSE_M if n2 - n1 <= 4 else FAR_HOUSE_M, abs(s2 - s1) / 2)
    elif len(points) >= 2:
        (n1, s1), (n2, s2) = points[0], points[-1]
        slope = (s2 - s1) / (n2 - n1) if n2 != n1 else 0.0
        ref_n, ref_s = (n1, s1) if number < n1 else (n2, s2)
        s = min(max(ref_s + slope * (number - ref_n), 0.0), st.main.length)
        # beyond the last known number: anywhere from there to where the numbering leads
        uncertainty = EXACT_ADDRESS_M + max(FAR_HOUSE_M, abs(s - ref_s))
    else:
        return None
    p = st.main.interpolate(s)
    return p.x, p.y, round(uncertainty, 1), False


def _intersection(a: _Street, b: _Street) -> tuple[float, float, float] | None:
    """:func:`_crossing` of two streets, remembered on the first (it depends on the
    gazetteer alone, and the same corners recur from message to message). Keyed by the
    second street's identity, kept beside the answer (the pieces of one gazetteer street
    in two parts of town share its id)."""
    hit = a.crossings.get(id(b))
    if hit is None or hit[0] is not b:
        hit = a.crossings[id(b)] = (b, _crossing(a, b))
    return hit[1]


def _crossing(a: _Street, b: _Street) -> tuple[float, float, float] | None:
    """Crossing point of two streets (the one nearest both middles if several), or the
    midpoint of their nearest points when they end close to each other."""
    cross = a.geom.intersection(b.geom)
    if not cross.is_empty:
        pts = [g for g in getattr(cross, "geoms", [cross]) if g.geom_type == "Point"]
        if not pts:
            pts = [cross.representative_point()]
        mid = a.main.interpolate(0.5, normalized=True)
        p = min(pts, key=lambda q: q.distance(mid))
        return p.x, p.y, INTERSECTION_M
    pa, pb = nearest_points(a.geom, b.geom)
    gap = pa.distance(pb)
    if gap > MAX_INTERSECTION_GAP_M:
        return None
    return (pa.x + pb.x) / 2, (pa.y + pb.y) / 2, INTERSECTION_M + gap / 2


def _street_point(st: _Street) -> tuple[float, float, float]:
    """The middle of the street's main line, with a radius reaching its farthest point
    (every piece of it, however it bends) plus the offset of an event from the line."""
    if st.middle is None:  # the same for every message naming the street: computed once
        p = st.main.interpolate(0.5, normalized=True)
        pieces = getattr(st.geom, "geoms", [st.geom])
        reach = max(math.hypot(x - p.x, y - p.y) for piece in pieces for x, y in piece.coords)
        st.middle = (p.x, p.y, max(reach, 25.0) + STREET_OFFSET_M)
    return st.middle


# --- main -------------------------------------------------------------------------------


def _district_at(index: _Index, lat: float, lon: float) -> str | None:
    if index.district_tree is None:
        return None
    point = Point(lon, lat)
    for i in index.district_tree.query(point, predicate="intersects"):
        return index.districts[int(i)].name
    return None


@lru_cache(maxsize=4)
def _to_wgs84(crs: str) -> Transformer:
    """From the index's metric CRS (_Index.crs) back to degrees."""
    return Transformer.from_crs(crs, WGS84, always_xy=True)


POINT_MEMO_SIZE = 32768  # answer points remembered per index (~300 bytes each, <= 10 MB)


def _finish(index: _Index, match: Match, x: float, y: float, *, point_district: bool = True) -> Match:
    """The answer's degrees (and microdistrict) for its metric point. Answers land on a
    few thousand points (street middles, addresses, landmarks, corners), so each point's
    transform and district lookup is remembered per index; bounded, it starts again when full."""
    hit = index.point_memo.get((x, y))
    if hit is None:
        lon, lat = _to_wgs84(index.crs).transform(x, y)  # scalars: no array round trip per answer
        lat, lon = round(float(lat), 7), round(float(lon), 7)
        hit = [lat, lon, ...]  # the district is looked up when an answer first needs it
        if len(index.point_memo) >= POINT_MEMO_SIZE:
            index.point_memo.clear()
        index.point_memo[(x, y)] = hit
    match.lat, match.lon = hit[0], hit[1]
    if match.district is None and point_district:
        if hit[2] is ...:
            hit[2] = _district_at(index, hit[0], hit[1])
        match.district = hit[2]
    return match


def _street_district(index: _Index, idx: int) -> str | None:
    """The microdistrict holding most of a street (STREET_DISTRICT_SHARE of its length), or
    None: a street through three microdistricts says nothing about which one."""
    if idx not in index.street_districts:
        st = index.streets[idx]
        name = None
        for d in index.districts:
            if st.geom.intersection(d.metric).length >= STREET_DISTRICT_SHARE * st.geom.length:
                name = d.name
                break
        index.street_districts[idx] = name
    return index.street_districts[idx]
