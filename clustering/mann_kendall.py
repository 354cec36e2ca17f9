"""Mann-Kendall trend test on many series at once.

The Emerging Hot Spot Analysis runs one trend test per cell; a loop over
``pymannkendall.original_test`` costs about 0.5 ms per cell, seconds for a
city at resolution 10. This module computes the same numbers (S, variance with
the ties correction, z with continuity correction, two-sided p, Kendall's tau)
for every row of a matrix with numpy only.

Examples
--------
>>> import numpy as np
>>> r = mann_kendall(np.array([[1.0, 2, 3, 4, 5], [5, 4, 4, 2, 1]]))
>>> r["s"].tolist(), np.round(r["tau"], 2).tolist()
([10.0, -9.0], [1.0, -0.9])
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = ["mann_kendall"]

_ROWS = 512


def mann_kendall(x: np.ndarray) -> dict[str, np.ndarray]:
    """Mann-Kendall test on each row of ``x`` (rows = series, columns = time).

    Equal to ``pymannkendall.original_test(row)`` on every row (``s``,
    ``var_s``, ``z``, ``p``, ``Tau``). Rows must be complete (no NaN): the
    space-time cube is complete by construction.

    Parameters
    ----------
    x : ndarray, shape (n_series, n_steps) or (n_steps,)

    Returns
    -------
    dict of ndarray
        ``s``, ``var_s``, ``z``, ``p`` (two-sided), ``tau``; each of shape
        (n_series,). A constant row has ``var_s = 0``, ``z = 0``, ``p = 1``.

    Examples
    --------
    >>> float(mann_kendall(np.array([3.0, 1.0, 2.0]))["z"][0])
    0.0
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    m, n = x.shape
    if np.isnan(x).any():
        raise ValueError("series must be complete (no NaN)")
    s = np.zeros(m)
    # One vectorised pass per lag: sum over pairs (i, i + lag) of sign(x_j - x_i),
    # in blocks of rows so the temporaries stay in cache.
    for lo in range(0, m, _ROWS):
        block = x[lo : lo + _ROWS]
        acc = s[lo : lo + _ROWS]
        for lag in range(1, n):
            acc += np.sign(block[:, lag:] - block[:, :-lag]).sum(axis=1)
    # Ties correction: sum over groups of equal values of t (t - 1) (2t + 5).
    srt = np.sort(x, axis=1)
    start = np.ones((m, n), dtype=bool)
    start[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group = np.cumsum(start.ravel()) - 1
    t = np.bincount(group).astype(float)
    group_row = np.repeat(np.arange(m), n)[start.ravel()]
    ties = np.bincount(group_row, weights=t * (t - 1) * (2 * t + 5), minlength=m)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
    z = np.where(var_s > 0, z, 0.0)
    p = 2 * ndtr(-np.abs(z))
    tau = s / (0.5 * n * (n - 1))
    return {"s": s, "var_s": var_s, "z": z, "p": p, "tau": tau}
