"""Kernel density forecast: a smooth surface of the recent reports, read at cell centres.

The classic "retrospective" hotspot map used as a forecast (open_cp ``kde`` and
``retrohotspot``: a fixed kernel over the events of a training window). Quartic
kernel (ArcGIS, sfhotspot), reports weighted by their aoristic share of the
window; the bandwidth defaults to the larger of the spatial Silverman radius
(:func:`clustering.kde.silverman_radius`) and one cell spacing, so the surface
never gets finer than the cells it ranks. Scaled to the recent rate.

Examples
--------
>>> import numpy as np
>>> from clustering.forecast.events import Events, Grid
>>> grid = Grid(pd.Index(["a", "b", "c"]), np.array([[0.0, 0], [100, 0], [1000, 0]]), 9, "EPSG:32635", 100.0)
>>> t = np.array([5.0, 6.0])
>>> ev = Events(np.array([[0.0, 0], [0, 0]]), np.array([0, 0]), t, t)
>>> f = forecast(ev, grid, 10.0, 10.0, lookback_days=10.0, bandwidth_m=200.0)
>>> [round(v, 3) for v in f.tolist()]  # quartic: (1 - 0.5**2)**2 = 0.5625 of the peak at 100 m, 0 beyond 200 m
[1.28, 0.72, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401  (doctest)

from ..kde import kernel_density, silverman_radius
from ._common import to_expected
from .aoristic import share_in
from .events import Events, Grid

__all__ = ["forecast"]


def forecast(
    events: Events,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    lookback_days: float = 365.0,
    bandwidth_m: float | None = None,
) -> np.ndarray:
    """Quartic KDE of the last ``lookback_days`` at the cell centres, as expected reports."""
    w = share_in(events.start, events.end, cutoff - lookback_days, cutoff)
    keep = w > 0
    if keep.sum() < 2:
        return np.zeros(len(grid))
    xy = events.xy[keep]
    h = bandwidth_m if bandwidth_m is not None else max(silverman_radius(xy), grid.spacing_m)
    shape = kernel_density(xy, grid.xy, h, "quartic", weights=w[keep])
    return to_expected(shape, events, grid, cutoff, horizon_days, lookback_days)
