"""WGS84 <-> UTM 36N (EPSG:32636) for the distance-based methods.

Kept inside clustering/ so the package depends on nothing else in the project;
the CRS is the one fixed in DESIGN.md ("Hotspot method", step 1).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

__all__ = ["METRIC_CRS", "WGS84", "to_lonlat", "to_metres"]

METRIC_CRS = "EPSG:32636"
WGS84 = "EPSG:4326"


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = (METRIC_CRS, WGS84) if inverse else (WGS84, METRIC_CRS)
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metres(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 2) array of UTM 36N x, y in metres."""
    x, y = _transformer(False).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """(n, 2) array of lon, lat from UTM 36N metres."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    lon, lat = _transformer(True).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)])
