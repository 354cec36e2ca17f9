"""Helpers every forecast method shares: window counts and scaling to a rate."""

from __future__ import annotations

import numpy as np

from .aoristic import share_in
from .events import Events, Grid

__all__ = ["to_expected", "window_counts"]


def window_counts(events: Events, grid: Grid, lo: float, hi: float) -> np.ndarray:
    """Reports per cell in ``[lo, hi)`` (epoch days), ranged reports by their aoristic share."""
    w = share_in(events.start, events.end, lo, hi)
    return np.bincount(events.cell, weights=w, minlength=len(grid)).astype(float)


def to_expected(
    shape: np.ndarray, events: Events, grid: Grid, cutoff: float, horizon_days: float, rate_days: float
) -> np.ndarray:
    """Scale a risk surface to expected reports per cell over the horizon.

    The surface gives where; the total is the study area's rate over the last
    ``rate_days`` (reports per day) times the horizon, so every method forecasts
    the same total and differs only in where it puts it (what PAI and PEI*
    measure, and what makes the Poisson likelihood comparable).
    """
    shape = np.clip(np.asarray(shape, dtype=float), 0.0, None)
    total = shape.sum()
    if total <= 0:
        return np.zeros(len(grid))
    rate = window_counts(events, grid, cutoff - rate_days, cutoff).sum() / rate_days
    return shape / total * rate * horizon_days
