"""Helpers every forecast method shares: window counts and scaling to a rate.

The counting methods (naive, long-run, Gi*, prospective and their blend) need only how
many reports each cell had in a few windows before the cutoff: they take a
:data:`Counts` (``count(lo, hi)`` -> reports per cell in ``[lo, hi)``), which
:func:`event_counts` makes from events and the store makes from its GROUP BY counts
(``services.forecast``), so both give the same forecast without reading a report.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .aoristic import share_in
from .events import Events, Grid

__all__ = ["Counts", "event_counts", "expected", "to_expected", "window_counts"]

#: Reports per study-area cell (in the grid's order) in ``[lo, hi)`` epoch days.
Counts = Callable[[float, float], np.ndarray]


def window_counts(events: Events, grid: Grid, lo: float, hi: float) -> np.ndarray:
    """Reports per cell in ``[lo, hi)`` (epoch days), ranged reports by their aoristic share."""
    w = share_in(events.start, events.end, lo, hi)
    return np.bincount(events.cell, weights=w, minlength=len(grid)).astype(float)


def event_counts(events: Events, grid: Grid) -> Counts:
    """:data:`Counts` of the events (ranged reports by their aoristic share)."""
    return lambda lo, hi: window_counts(events, grid, lo, hi)


def to_expected(
    shape: np.ndarray, events: Events, grid: Grid, cutoff: float, horizon_days: float, rate_days: float
) -> np.ndarray:
    """:func:`expected` with the events' counts."""
    return expected(shape, event_counts(events, grid), cutoff, horizon_days, rate_days)


def expected(shape: np.ndarray, count: Counts, cutoff: float, horizon_days: float, rate_days: float) -> np.ndarray:
    """Scale a risk surface to expected reports per cell over the horizon.

    The surface gives where; the total is the study area's rate over the last
    ``rate_days`` (reports per day) times the horizon, so every method forecasts
    the same total and differs only in where it puts it (what PAI and PEI*
    measure, and what makes the Poisson likelihood comparable).
    """
    shape = np.clip(np.asarray(shape, dtype=float), 0.0, None)
    total = shape.sum()
    if total <= 0:
        return np.zeros(len(shape))
    rate = count(cutoff - rate_days, cutoff).sum() / rate_days
    return shape / total * rate * horizon_days
