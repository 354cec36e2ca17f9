"""WGS84 <-> the city's metric CRS, vectorised, so distance work (buffers, DBSCAN eps, KDE)
is in metres. The CRS is the city profile's (data/city_profile.py) unless a caller that
works on another place (a gazetteer of another city) names its own."""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from data.city_profile import profile

WGS84 = "EPSG:4326"


@cache
def _transformer(src: str, dst: str) -> Transformer:
    """Building a Transformer costs milliseconds; reuse one per direction."""
    return Transformer.from_crs(src, dst, always_xy=True)


def metric_crs(crs: str | None = None) -> str:
    """``crs`` when given, else the city profile's metric CRS."""
    return crs or profile().metric_crs


def to_metres(lat: ArrayLike, lon: ArrayLike, crs: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Project lat/lon (degrees) to metric x/y (metres); scalars give 0-d arrays."""
    x, y = _transformer(WGS84, metric_crs(crs)).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def to_wgs84(x: ArrayLike, y: ArrayLike, crs: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of to_metres: metric x/y (metres) to (lat, lon) degrees."""
    lon, lat = _transformer(metric_crs(crs), WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat), np.asarray(lon)
