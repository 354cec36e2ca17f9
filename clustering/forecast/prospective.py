"""Prospective hotspotting (Bowers, Johnson & Pease 2004): near repeats, decaying in space and time.

Bowers, Johnson & Pease, "Prospective hot-spotting: the future of crime
mapping?", Brit. J. Criminol. 44 (2004) 641-658. After a crime, the risk of
another rises nearby for some weeks. Each report lays down a weight
``1 / ((1 + d) (1 + t))`` on the cells around it: ``d`` the distance in cells
(rings of H3 neighbours), ``t`` whole weeks before the cutoff, zero beyond the
bandwidths (400 m and 8 weeks in the paper). This ports open_cp's
``prohotspot.ProspectiveHotSpot`` with ``ClassicWeight`` (open_cp measures ``d``
on a square grid; here it is the hexagon ring, i.e. the centre distance over the
cell spacing, rounded). Ranged reports are split over the weeks aoristically.
Scaled to the recent rate.

Examples
--------
>>> import numpy as np
>>> from clustering.forecast.events import Events, Grid
>>> grid = Grid(pd.Index(["a", "b", "c"]), np.array([[0.0, 0], [300, 0], [900, 0]]), 9, "EPSG:32635", 300.0)
>>> t = np.array([9.0, 2.0])  # one report 1 day before the cutoff, one 8 days before (week 1)
>>> ev = Events(np.zeros((2, 2)), np.array([0, 0]), t, t)
>>> raw = weights(ev, grid, 10.0, space_bandwidth_m=400.0, time_bandwidth_weeks=8)
>>> raw.tolist()  # cell a: 1 + 1/2; cell b one ring away: (1 + 1/2) / 2; cell c out of reach
[1.5, 0.75, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401  (doctest)
from scipy.spatial import cKDTree

from ._common import Counts, event_counts, expected
from .events import Events, Grid

__all__ = ["forecast", "from_counts", "weights", "weights_from_counts"]


def weights(
    events: Events, grid: Grid, cutoff: float, *, space_bandwidth_m: float, time_bandwidth_weeks: int
) -> np.ndarray:
    """The summed Bowers weight of every cell (no scaling)."""
    return weights_from_counts(
        event_counts(events, grid),
        grid,
        cutoff,
        space_bandwidth_m=space_bandwidth_m,
        time_bandwidth_weeks=time_bandwidth_weeks,
    )


def weights_from_counts(
    count: Counts, grid: Grid, cutoff: float, *, space_bandwidth_m: float, time_bandwidth_weeks: int
) -> np.ndarray:
    """:func:`weights` from each cell's counts per whole week before the cutoff."""
    edges = cutoff - 7.0 * np.arange(time_bandwidth_weeks, -1, -1)  # oldest week first
    weekly = [count(lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    by_cell = np.column_stack(weekly[::-1]) if weekly else np.zeros((len(grid), 0))  # column t = t weeks back
    decayed = by_cell @ (1.0 / (1.0 + np.arange(time_bandwidth_weeks)))
    max_ring = int(np.floor(space_bandwidth_m / grid.spacing_m + 1e-9))
    source = np.flatnonzero(decayed > 0)
    out = np.zeros(len(grid))
    if len(source) == 0:
        return out
    reach = (max_ring + 0.5) * grid.spacing_m
    pairs = cKDTree(grid.xy).sparse_distance_matrix(cKDTree(grid.xy[source]), reach, output_type="ndarray")
    ring = np.rint(pairs["v"] / grid.spacing_m)
    ok = ring <= max_ring
    np.add.at(out, pairs["i"][ok], decayed[source][pairs["j"][ok]] / (1.0 + ring[ok]))
    return out


def forecast(
    events: Events,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    space_bandwidth_m: float = 400.0,
    time_bandwidth_weeks: int = 8,
) -> np.ndarray:
    """Bowers et al.'s prospective surface, scaled to the rate of the bandwidth's weeks."""
    return from_counts(
        event_counts(events, grid),
        grid,
        cutoff,
        horizon_days,
        space_bandwidth_m=space_bandwidth_m,
        time_bandwidth_weeks=time_bandwidth_weeks,
    )


def from_counts(
    count: Counts,
    grid: Grid,
    cutoff: float,
    horizon_days: float,
    *,
    space_bandwidth_m: float = 400.0,
    time_bandwidth_weeks: int = 8,
) -> np.ndarray:
    """:func:`forecast` from window counts."""
    raw = weights_from_counts(
        count, grid, cutoff, space_bandwidth_m=space_bandwidth_m, time_bandwidth_weeks=time_bandwidth_weeks
    )
    return expected(raw, count, cutoff, horizon_days, 7.0 * time_bandwidth_weeks)
