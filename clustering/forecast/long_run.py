"""Long-run counts: each cell's reports over a long window, as a rate.

Crime concentrates in the same few places year after year (Weisburd's law of
crime concentration), so a year of counts estimates a place's rate with far less
noise than one month. Expected reports over the horizon = counts in
``[cutoff - lookback, cutoff)`` x horizon / lookback. open_cp's
``naive.CountingGridKernel`` over a long training window is the same estimator.

Examples
--------
>>> import numpy as np
>>> from clustering.forecast.events import Events, Grid
>>> grid = Grid(pd.Index(["a", "b"]), np.zeros((2, 2)), 9, "EPSG:32635", 300.0)
>>> t = np.array([1.0, 50.0, 90.0, 95.0])
>>> ev = Events(np.zeros((4, 2)), np.array([0, 0, 0, 1]), t, t)
>>> forecast(ev, grid, 100.0, 10.0, lookback_days=100.0).round(6).tolist()
[0.3, 0.1]
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401  (doctest)

from ._common import Counts, event_counts
from .events import Events, Grid

__all__ = ["LOOKBACK_DAYS", "forecast", "from_counts"]

LOOKBACK_DAYS = 365.0


def forecast(
    events: Events, grid: Grid, cutoff: float, horizon_days: float, *, lookback_days: float = LOOKBACK_DAYS
) -> np.ndarray:
    """Counts of the last ``lookback_days`` scaled to the horizon."""
    return from_counts(event_counts(events, grid), grid, cutoff, horizon_days, lookback_days=lookback_days)


def from_counts(
    count: Counts, grid: Grid, cutoff: float, horizon_days: float, *, lookback_days: float = LOOKBACK_DAYS
) -> np.ndarray:
    """:func:`forecast` from window counts."""
    return count(cutoff - lookback_days, cutoff) * (horizon_days / lookback_days)
