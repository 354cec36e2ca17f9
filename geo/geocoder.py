"""The geocoder's former module path, kept for callers written against it: the code lives in
the geo.geocoding package (one module per step)."""

from __future__ import annotations

from geo.geocoding import Match, build_index, geocode, geocode_lines, geocode_many, get_index, name_key
from geo.geocoding.weights import *  # noqa: F403  (the named constants, as before)

__all__ = ["Match", "build_index", "geocode", "geocode_lines", "geocode_many", "get_index", "name_key"]
