"""WGS84 <-> UTM 36N, vectorised, so distance work (buffers, DBSCAN eps, KDE) is in metres."""
from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from geo.constants import METRIC_CRS, WGS84


@cache
def _transformer(src: str, dst: str) -> Transformer:
    """Building a Transformer costs milliseconds; reuse one per direction."""
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metres(lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Project lat/lon (degrees) to METRIC_CRS x/y (metres); scalars give 0-d arrays."""
    x, y = _transformer(WGS84, METRIC_CRS).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def to_wgs84(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of to_metres: METRIC_CRS x/y (metres) to (lat, lon) degrees."""
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat), np.asarray(lon)
