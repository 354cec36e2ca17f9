"""Small map helpers for pages: a click-to-place map and reading its click."""

from __future__ import annotations

from typing import Any

import folium

from geo.gazetteer import load_gazetteer
from layers.basemap import basemap


def click_map(marker: tuple[float, float] | None = None) -> folium.Map:
    """The offline basemap, with the current choice marked (if any)."""
    fmap = basemap(load_gazetteer())
    if marker is not None:
        folium.Marker(marker).add_to(fmap)
    return fmap


def clicked_point(payload: dict[str, Any] | None) -> tuple[float, float] | None:
    """(lat, lon) of the last click that st_folium returned, inside the city; else None.

    >>> clicked_point({"last_clicked": {"lat": 47.566, "lng": 31.33}})
    (47.566, 31.33)
    >>> clicked_point({"last_clicked": None}) is None
    True
    """
    click = (payload or {}).get("last_clicked")
    if not click:
        return None
    lat, lon = float(click["lat"]), float(click["lng"])
    return (lat, lon) if load_gazetteer().contains(lat, lon) else None
