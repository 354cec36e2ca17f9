"""Gi* forecast: the cells whose k-ring holds the most reports of the recent weeks.

Gi* (:mod:`clustering.gistar`) tests whether a cell's k-ring sum is high against
the area's mean; as a forecast the police page ranked cells by its z. Inside the
area, where every cell has the same number of neighbours, z is an increasing
function of the ring sum, so this module forecasts the ring mean (the rate that
Gi* tests), which ranks like z and is also a count the likelihood can score. At
the rim it divides by the neighbours present (z would weigh them differently).

Examples
--------
>>> import h3, numpy as np
>>> from clustering.forecast.events import Events, Grid
>>> c = h3.latlng_to_cell(47.566, 31.33, 9)
>>> cells = [c] + sorted(h3.grid_ring(c, 1)) + sorted(h3.grid_ring(c, 2))
>>> grid = Grid.from_cells(cells, 9, "EPSG:32635")
>>> t = np.full(7, 5.0)
>>> ev = Events(np.zeros((7, 2)), np.zeros(7, dtype=int), t, t)  # 7 reports in the centre cell
>>> f = forecast(ev, grid, 10.0, 10.0, lookback_days=10.0)
>>> [round(float(v), 3) for v in (f[0], f[1], f[7])]  # the ring mean: 7/7 in the centre, 7/7 next to it...
[1.0, 1.0, 0.0]
"""

from __future__ import annotations

import numpy as np

from ..gistar import neighbour_matrix
from ._common import Counts, event_counts
from .events import Events, Grid

__all__ = ["forecast", "from_counts"]


def forecast(
    events: Events, grid: Grid, cutoff: float, horizon_days: float, *, lookback_days: float = 56.0, k: int = 1
) -> np.ndarray:
    """Mean reports per cell of each k-ring over the last ``lookback_days``, scaled to the horizon."""
    return from_counts(event_counts(events, grid), grid, cutoff, horizon_days, lookback_days=lookback_days, k=k)


def from_counts(
    count: Counts, grid: Grid, cutoff: float, horizon_days: float, *, lookback_days: float = 56.0, k: int = 1
) -> np.ndarray:
    """:func:`forecast` from window counts."""
    counts = count(cutoff - lookback_days, cutoff)
    w = neighbour_matrix(list(grid.cells), k, include_self=True)
    card = np.asarray(w.sum(axis=1)).ravel()
    return (w @ counts) / card * (horizon_days / lookback_days)
