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
from .events import Events, Grid, day_start, prepare_events

__all__ = ["BLEND", "METHODS", "Events", "Grid", "day_start", "forecast", "prepare_events"]

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


def forecast(method: str, events: Events, grid: Grid, cutoff: float, horizon_days: float, **params: Any) -> pd.Series:
    """Expected reports per cell (Series indexed by cell id, named ``score``)."""
    try:
        fn = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown forecast method {method!r}; choose one of {sorted(METHODS)}") from None
    values = fn(events, grid, cutoff, horizon_days, **params)
    return pd.Series(values, index=grid.cells, name="score")
