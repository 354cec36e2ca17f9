"""Aoristic weights: a report known only to have happened within a time range.

Ratcliffe's aoristic analysis (2000, 2002) spreads such a report over the range in
proportion to time: a burglary "between Friday 18:00 and Monday 08:00" puts 1/62
of itself into each of the 62 hours. crimepy does it per weekday-hour
(``crimepy/aoristic.py``, ``weekhour_func_vectorized``: minutes in each hour over
the minutes of the range). Here the bins are any time windows (a training window,
the weeks before a forecast), so every method counts a ranged report as the share
of its range that falls in the window, and an exact report (``start == end``) as 1
in the window that holds it (half-open ``[lo, hi)``).

Examples
--------
>>> import numpy as np
>>> share_in(np.array([0.0, 2.0, 5.0]), np.array([4.0, 2.0, 5.0]), 1.0, 5.0).tolist()
[0.75, 1.0, 0.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["share_in", "shares"]


def share_in(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Share of each report in the window ``[lo, hi)``.

    Parameters
    ----------
    start, end : ndarray
        Range of each report (equal for an exact time).
    lo, hi : float
        Window, same unit.
    """
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    length = end - start
    exact = length <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ranged = (np.clip(end, lo, hi) - np.clip(start, lo, hi)) / length
    return np.where(exact, ((start >= lo) & (start < hi)).astype(float), ranged)


def shares(start: np.ndarray, end: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of each report in each window between consecutive ``edges``.

    Returns
    -------
    ndarray, shape (n_reports, len(edges) - 1)

    Examples
    --------
    >>> shares(np.array([0.5, 0.0]), np.array([0.5, 3.0]), np.array([0.0, 1.0, 2.0])).round(3).tolist()
    [[1.0, 0.0], [0.333, 0.333]]
    """
    edges = np.asarray(edges, dtype=float)
    return (
        np.column_stack([share_in(start, end, lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)])
        if len(edges) > 1
        else np.zeros((len(start), 0))
    )
