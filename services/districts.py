"""Each stored report's microdistrict, kept to the city profile's district polygons.

The store derives and counts (data/store/microdistricts.py); the polygons live in the
gazetteer, a layer above the store, so they are handed down from here: after each import
and before the council's counts are read (a no-op costing one indexed look-up when every
report has its microdistrict and the districts did not change).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine

from data.store.microdistricts import Districts, district_of, ensure_microdistricts
from geo.gazetteer import load_gazetteer


def polygons() -> Districts:
    """(id, (lon, lat) ring) of each microdistrict of the city profile, in its order."""
    return [(d.id, d.polygon) for d in load_gazetteer().districts]


def of_point(lat: float | None, lon: float | None) -> str | None:
    """The microdistrict a report at (lat, lon) carries ("" outside all; None without a point)."""
    if lat is None or lon is None:
        return None
    return of_points([lat], [lon])[0]


def of_points(lats: Sequence[float], lons: Sequence[float]) -> list[str]:
    """The microdistrict of each located point ("" outside all), in one vectorised pass."""
    if not lats:
        return []
    return [str(d) for d in district_of(np.asarray(lats, float), np.asarray(lons, float), polygons())]


def ensure(engine: Engine) -> int:
    """Derive the microdistrict of every report without one (all of them when the districts
    changed); returns how many reports were written."""
    return ensure_microdistricts(engine, polygons())
