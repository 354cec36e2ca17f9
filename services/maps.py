"""Small map helpers for pages: a click-to-place map and reading its click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium

from geo.gazetteer import load_gazetteer
from layers.basemap import basemap


@dataclass(frozen=True)
class Click:
    """Where a map click landed, and whether that is inside the city (only then usable)."""

    lat: float
    lon: float
    inside: bool

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.lat, self.lon) if self.inside else None


def click_map(marker: tuple[float, float] | None = None, *, lang: str = "uk") -> folium.Map:
    """The offline basemap fitted to the city, with the current choice marked (if any)."""
    fmap = basemap(load_gazetteer(), lang=lang)
    if marker is not None:
        folium.Marker(marker).add_to(fmap)
    return fmap


def read_click(payload: dict[str, Any] | None) -> Click | None:
    """The last click st_folium returned, flagged inside or outside the city; None before any.

    >>> read_click({"last_clicked": {"lat": 47.566, "lng": 31.33}})
    Click(lat=47.566, lon=31.33, inside=True)
    >>> read_click({"last_clicked": {"lat": 50.45, "lng": 30.52}}).inside
    False
    >>> read_click({"last_clicked": None}) is None
    True
    """
    click = (payload or {}).get("last_clicked")
    if not click:
        return None
    lat, lon = float(click["lat"]), float(click["lng"])
    return Click(lat, lon, bool(load_gazetteer().contains(lat, lon)))
