"""Forecasts of where reports will happen next, one method a module, back-tested alike.

Every method has the same call, ``f(events, grid, cutoff, horizon_days, **params)``,
and returns the expected reports of each study-area cell in
``[cutoff, cutoff + horizon_days)`` (epoch days), using only reports from before
the cutoff. Methods (references in each module):

- ``naive`` - last period's counts (:mod:`.naive`), the baseline;
- ``long_run`` - a year of counts as a rate (:mod:`.long_run`);
- ``kde`` - quartic kernel density (:mod:`.kde`);
- ``gistar`` - Gi*'s k-ring means (:mod:`.gistar`);
- ``prospective`` - Bowers, Johnson & Pease 2004 (:mod:`.prospective`);
- ``sepp`` - grid self-exciting process, Mohler et al. 2015 (:mod:`.sepp`);
- ``blend`` - a weighted mix of the others (:mod:`.blend`).

Reports with a time range count by their aoristic share (:mod:`.aoristic`). The
metric CRS and the time zone are arguments (:func:`.events.prepare_events`,
:func:`.events.day_start`), never constants. :mod:`clustering.evaluation`
back-tests them on rolling origins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from . import blend, gistar, kde, long_run, naive, prospective, sepp
from ._common import Counts, event_counts
from .events import Events, Grid, day_start, prepare_events

__all__ = [
    "BLEND",
    "COUNTED",
    "HISTORY_DAYS",
    "METHODS",
    "Counts",
    "Events",
    "Grid",
    "counted",
    "day_start",
    "event_counts",
    "forecast",
    "prepare_events",
]

_BASE: dict[str, Callable[..., np.ndarray]] = {
    "naive": naive.forecast,
    "long_run": long_run.forecast,
    "kde": kde.forecast,
    "gistar": gistar.forecast,
    "prospective": prospective.forecast,
    "sepp": sepp.forecast,
}
#: The blend's default mix (weights of normalised surfaces).
BLEND = {"long_run": 1.0, "naive": 1.0, "prospective": 1.0}


def _blend(events: Events, grid: Grid, cutoff: float, horizon_days: float, **params: Any) -> np.ndarray:
    params.setdefault("components", BLEND)
    return blend.forecast(events, grid, cutoff, horizon_days, methods=_BASE, **params)


METHODS: dict[str, Callable[..., np.ndarray]] = _BASE | {"blend": _blend}
#: With their default parameters no method looks further back than this before the cutoff
#: (long-run, KDE and SEPP a year; the rest weeks): a forecast reads only that window.
HISTORY_DAYS = 365.0

_COUNTED_BASE: dict[str, Callable[..., np.ndarray]] = {
    "naive": naive.from_counts,
    "long_run": long_run.from_counts,
    "gistar": gistar.from_counts,
    "prospective": prospective.from_counts,
}


def _blend_counted(count: Counts, grid: Grid, cutoff: float, horizon_days: float, **params: Any) -> np.ndarray:
    params.setdefault("components", BLEND)
    return blend.from_counts(count, grid, cutoff, horizon_days, methods=_COUNTED_BASE, **params)


#: Methods that need only window counts per cell (``f(count, grid, cutoff, horizon_days)``):
#: the same numbers as :data:`METHODS` from the store's GROUP BY counts.
COUNTED: dict[str, Callable[..., np.ndarray]] = _COUNTED_BASE | {"blend": _blend_counted}


def counted(method: str, count: Counts, grid: Grid, cutoff: float, horizon_days: float, **params: Any) -> pd.Series:
    """:func:`forecast` of a method of :data:`COUNTED` from window counts (Series by cell, ``score``)."""
    try:
        fn = COUNTED[method]
    except KeyError:
        raise ValueError(f"{method!r} is not a counting method; choose one of {sorted(COUNTED)}") from None
    return pd.Series(fn(count, grid, cutoff, horizon_days, **params), index=grid.cells, name="score")


def forecast(method: str, events: Events, grid: Grid, cutoff: float, horizon_days: float, **params: Any) -> pd.Series:
    """Expected reports per cell (Series indexed by cell id, named ``score``)."""
    try:
        fn = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown forecast method {method!r}; choose one of {sorted(METHODS)}") from None
    values = fn(events, grid, cutoff, horizon_days, **params)
    return pd.Series(values, index=grid.cells, name="score")
