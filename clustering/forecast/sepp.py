"""Self-exciting point process on the grid (Mohler et al. 2015): background plus near repeats.

Mohler et al., "Randomized controlled field trials of predictive policing",
JASA 110 (2015) 1399-1411: each cell has its own background rate ``mu_c`` and
every report raises the rate of its cell by ``theta * omega * exp(-omega * dt)``
(time-only triggering, one ``theta`` and ``omega`` for all cells). Fitted by the
EM algorithm with the edge correction of Lewis & Mohler (2011) for triggered
reports that would fall after the window. This ports open_cp's ``seppexp``
(``maximisation_corrected``, ``SEPPPredictor.predict``), with days as the time
unit and the forecast integrated over the horizon:

``E[N_c] = mu_c H + theta * sum_i (exp(-omega (T - t_i)) - exp(-omega (T + H - t_i)))``.

A ranged report is placed at the middle of the part of its range before the
cutoff (the self-exciting model needs one time per report, and nothing after the
cutoff may be used).

Examples
--------
>>> import pandas as pd
>>> params = SeppParams(mu=np.array([0.1, 0.0]), theta=0.5, omega=1.0)
>>> t = np.array([9.0])
>>> ev = Events(np.zeros((1, 2)), np.array([0]), t, t)
>>> grid = Grid(pd.Index(["a", "b"]), np.zeros((2, 2)), 9, "EPSG:32635", 300.0)
>>> [round(v, 4) for v in expected(params, ev, grid, 10.0, 2.0).tolist()]  # 0.2 + 0.5 (e^-1 - e^-3)
[0.359, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd  # noqa: F401  (doctest)

from .events import Events, Grid

__all__ = ["SeppParams", "expected", "fit", "forecast"]


@dataclass(frozen=True)
class SeppParams:
    """Background rate per cell (reports per day), triggering share ``theta`` and decay ``omega`` (1/day)."""

    mu: np.ndarray
    theta: float
    omega: float


def _midpoints(events: Events, cutoff: float) -> np.ndarray:
    """One time per report: the middle of its range, cut at the cutoff."""
    return (events.start + np.minimum(events.end, cutoff)) / 2


def _cell_times(times: np.ndarray, cell: np.ndarray, n_cells: int) -> list[np.ndarray]:
    order = np.lexsort((times, cell))
    bounds = np.searchsorted(cell[order], np.arange(n_cells + 1))
    return [times[order][bounds[c] : bounds[c + 1]] for c in range(n_cells)]


def fit(
    cell_times: list[np.ndarray], duration: float, *, iterations: int = 30, theta: float = 0.5, omega: float = 1.0 / 7.0
) -> SeppParams:
    """EM estimates from each cell's sorted report times in ``[0, duration)`` (days).

    open_cp's ``maximisation_corrected`` loops over cells and builds each
    cell's probability matrix; here every (earlier, later) pair of reports in
    one cell is one entry of flat arrays, so an iteration is a few numpy passes.
    """
    sizes = np.array([len(t) for t in cell_times])
    cell_of = np.repeat(np.arange(len(cell_times)), sizes)
    times = np.concatenate(cell_times) if len(cell_times) else np.zeros(0)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(sizes) else np.zeros(0, dtype=int)
    earlier, later = [], []
    for c in np.flatnonzero(sizes > 1):
        i, j = np.triu_indices(sizes[c], 1)
        earlier.append(first[c] + i)
        later.append(first[c] + j)
    later_idx = np.concatenate(later) if later else np.zeros(0, dtype=int)
    gap = times[later_idx] - times[np.concatenate(earlier)] if earlier else np.zeros(0)
    tail = duration - times
    mu = 0.5 * sizes / duration
    for _ in range(iterations):
        trig = theta * omega * np.exp(-omega * gap)
        column = np.bincount(later_idx, weights=trig, minlength=len(times)) + mu[cell_of]
        p = trig / column[later_idx]
        diag = np.bincount(cell_of, weights=mu[cell_of] / column, minlength=len(cell_times))
        decay = np.exp(-omega * tail)
        upper = float(p.sum())
        weighted = float((p * gap).sum()) + theta * float((tail * decay).sum())
        count = len(times) - float(decay.sum())
        if upper <= 0 or weighted <= 0 or count <= 0:
            theta = 0.0
            mu = sizes / duration
            break
        omega, theta, mu = upper / weighted, upper / count, diag / duration
    return SeppParams(mu, float(theta), float(omega))


def expected(params: SeppParams, events: Events, grid: Grid, cutoff: float, horizon_days: float) -> np.ndarray:
    """Expected reports per cell over ``[cutoff, cutoff + horizon)`` from the fitted model."""
    mid = _midpoints(events, cutoff)
    past = events.start < cutoff
    boost = params.theta * (
        np.exp(-params.omega * (cutoff - mid[past])) - np.exp(-params.omega * (cutoff + horizon_days - mid[past]))
    )
    return params.mu * horizon_days + np.bincount(events.cell[past], weights=boost, minlength=len(grid))


def forecast(
    events: Events,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    lookback_days: float = 365.0,
    iterations: int = 30,
) -> np.ndarray:
    """Fit on the last ``lookback_days`` and forecast the horizon."""
    mid = _midpoints(events, cutoff)
    keep = (events.start < cutoff) & (mid >= cutoff - lookback_days)
    window = events.subset(keep)
    times = mid[keep] - (cutoff - lookback_days)
    params = fit(_cell_times(times, window.cell, len(grid)), lookback_days, iterations=iterations)
    return expected(params, window, grid, cutoff, horizon_days)
