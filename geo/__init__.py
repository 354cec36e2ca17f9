"""Geography of the city: gazetteer, projection and the geocoder.

`geo.geocode`, `geo.geocode_many` and `geo.Match` are re-exported from geo.geocoding, lazily:
importing geo.projection (the maps do) should not load the morphology
dictionaries and the geocoder's dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.geocoding import Match, geocode, geocode_lines, geocode_many

__all__ = ["Match", "geocode", "geocode_lines", "geocode_many"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from geo import geocoding

        return getattr(geocoding, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
