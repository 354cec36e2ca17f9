"""WGS84 <-> the city's metric CRS for the distance-based methods, and the city's clock.

The CRS and time zone come from the city profile (data/city_profile.py) unless a caller
names its own: the methods hold no city constant (DESIGN.md, "Hotspot method", step 1).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

from data.city_profile import profile

__all__ = ["WGS84", "city_tz", "metric_crs", "to_lonlat", "to_metres"]

WGS84 = "EPSG:4326"


def metric_crs(crs: str | None = None) -> str:
    """``crs`` when given, else the city profile's metric CRS."""
    return crs or profile().metric_crs


def city_tz(tz: str | None = None) -> str:
    """``tz`` when given, else the city profile's time zone (Area/City)."""
    return tz or profile().time_zone


@lru_cache(maxsize=8)
def _transformer(crs: str, inverse: bool) -> Transformer:
    src, dst = (crs, WGS84) if inverse else (WGS84, crs)
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metres(lat: np.ndarray, lon: np.ndarray, crs: str | None = None) -> np.ndarray:
    """(n, 2) array of metric x, y (metres)."""
    x, y = _transformer(metric_crs(crs), False).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def to_lonlat(xy: np.ndarray, crs: str | None = None) -> np.ndarray:
    """(n, 2) array of lon, lat from metric metres."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    lon, lat = _transformer(metric_crs(crs), True).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)])
