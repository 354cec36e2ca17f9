"""Blend: a weighted mix of other forecasts' shares, scaled to the recent rate.

Forecasts err in different ways: the long-run counts miss what is new, the
recent counts and near-repeat surfaces are noisy. Averaging their normalised
surfaces (each divided by its total, so no method dominates by scale) is the
simplest ensemble; weights are parameters, chosen by the back-test
(:func:`clustering.evaluation.backtest`), never fitted on the test period.

Examples
--------
>>> import numpy as np
>>> mix(np.array([[2.0, 2.0, 0.0], [0.0, 1.0, 3.0]]), np.array([0.5, 0.5])).tolist()
[0.25, 0.375, 0.375]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._common import Counts, event_counts, expected
from .events import Events, Grid

__all__ = ["forecast", "from_counts", "mix"]

Method = Callable[..., np.ndarray]


def mix(surfaces: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of the rows of ``surfaces``, each normalised to sum 1 (all-zero rows stay 0)."""
    totals = surfaces.sum(axis=1, keepdims=True)
    shares = np.divide(surfaces, totals, out=np.zeros_like(surfaces), where=totals > 0)
    w = np.asarray(weights, dtype=float)
    return (w[:, None] * shares).sum(axis=0) / w.sum()


def forecast(
    events: Events,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    components: Mapping[str, float],
    methods: Mapping[str, Method],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    rate_days: float = 365.0,
) -> np.ndarray:
    """Mix the named methods' forecasts with ``components`` {name: weight}."""
    counts = event_counts(events, grid)
    return _blend(events, counts, grid, cutoff, horizon_days, components, methods, params, rate_days)


def from_counts(
    count: Counts,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    components: Mapping[str, float],
    methods: Mapping[str, Method],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    rate_days: float = 365.0,
) -> np.ndarray:
    """:func:`forecast` of counting methods (``methods`` take a :data:`Counts`) from window counts."""
    return _blend(count, count, grid, cutoff, horizon_days, components, methods, params, rate_days)


def _blend(
    data: Any,
    count: Counts,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    components: Mapping[str, float],
    methods: Mapping[str, Method],
    params: Mapping[str, Mapping[str, Any]] | None,
    rate_days: float,
) -> np.ndarray:
    """The methods' surfaces from ``data`` (events or counts), mixed, scaled to ``count``'s rate."""
    params = params or {}
    names = list(components)
    surfaces = np.vstack([methods[n](data, grid, cutoff, horizon_days, **params.get(n, {})) for n in names])
    shape = mix(surfaces, np.array([components[n] for n in names]))
    return expected(shape, count, cutoff, horizon_days, rate_days)
