"""Naive forecast: the last period's counts (the baseline every method must beat).

The next ``horizon_days`` will look like the last ``horizon_days``: each cell's
expected reports are its reports in ``[cutoff - horizon, cutoff)``. This is
open_cp's ``naive.CountingGridKernel`` restricted to the last period (open_cp
counts the whole input; the police's "last month's counts" is this).

Examples
--------
>>> import numpy as np
>>> from clustering.forecast.events import Events, Grid
>>> grid = Grid(pd.Index(["a", "b", "c"]), np.zeros((3, 2)), 9, "EPSG:32635", 300.0)
>>> ev = Events(np.zeros((4, 2)), np.array([0, 0, 1, 2]), np.array([1.0, 9.0, 9.5, 3.0]),
...             np.array([1.0, 9.0, 9.5, 3.0]))
>>> forecast(ev, grid, 10.0, 7.0).tolist()  # days 3..10: the report on day 1 is too old
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401  (doctest)

from ._common import Counts, event_counts
from .events import Events, Grid

__all__ = ["forecast", "from_counts"]


def forecast(events: Events, grid: Grid, cutoff: float, horizon_days: float) -> np.ndarray:
    """Expected reports per cell in ``[cutoff, cutoff + horizon)``: last period's counts."""
    return from_counts(event_counts(events, grid), grid, cutoff, horizon_days)


def from_counts(count: Counts, grid: Grid, cutoff: float, horizon_days: float) -> np.ndarray:
    """:func:`forecast` from window counts."""
    return count(cutoff - horizon_days, cutoff)
