"""Benjamini-Hochberg false discovery rate, as ArcGIS applies it to Gi* bins.

ArcGIS (``Stats.py``, ``fdrTransform``) sorts the p-values and applies the
step-up BH rule separately at alpha = 0.10, 0.05 and 0.01, one per confidence
bin (90/95/99 %). A feature's bin is the highest confidence level at which it
is still rejected, signed by its z-score. z and p themselves are never
adjusted: only the bins are.

All functions work column-wise on 2-D input too (one test family per column),
which is what the space-time cube needs (one FDR per time step).

Examples
--------
>>> import numpy as np
>>> p = np.array([0.001, 0.02, 0.04, 0.3])
>>> bh_reject(p, 0.05).tolist()
[True, True, False, False]
>>> significance_bins(np.array([3.3, -2.3, 2.0, 1.0]), p).tolist()
[3, -2, 1, 0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["CONFIDENCE_ALPHAS", "bh_cutoff", "bh_reject", "significance_bins"]

#: Alpha of bins 1, 2, 3 (90, 95, 99 % confidence).
CONFIDENCE_ALPHAS = (0.10, 0.05, 0.01)


def bh_cutoff(p: np.ndarray, alpha: float) -> np.ndarray | float:
    """Largest p-value rejected by step-up Benjamini-Hochberg (0 if none).

    Parameters
    ----------
    p : ndarray, shape (n,) or (n, m)
        p-values; 2-D input gives one cut-off per column. NaN p-values are
        treated as 1 (never rejected, still counted in n, as ArcGIS does).
    alpha : float
        False discovery rate.

    Returns
    -------
    float or ndarray of shape (m,)

    Examples
    --------
    >>> float(bh_cutoff(np.array([0.001, 0.02, 0.04, 0.3]), 0.05))
    0.02
    """
    p = np.asarray(p, dtype=float)
    cut = _bh_cutoffs(p, (alpha,))[0]
    return float(cut[0]) if p.ndim == 1 else cut


def _bh_cutoffs(p: np.ndarray, alphas: tuple[float, ...]) -> list[np.ndarray]:
    """BH cut-offs per column for several alphas, sorting the p-values once."""
    q = np.where(np.isnan(p), 1.0, p).reshape(p.shape[0], -1)
    n = q.shape[0]
    srt = np.sort(q, axis=0)
    ranks = np.arange(1, n + 1)[:, None] / n
    cuts = []
    for alpha in alphas:
        ok = srt <= alpha * ranks
        # Step-up: the largest rank that passes decides; everything below it is in.
        last = np.where(ok.any(axis=0), n - 1 - np.argmax(ok[::-1], axis=0), -1)
        cuts.append(np.where(last >= 0, srt[np.maximum(last, 0), np.arange(q.shape[1])], 0.0))
    return cuts


def bh_reject(p: np.ndarray, alpha: float) -> np.ndarray:
    """Boolean mask of hypotheses rejected by Benjamini-Hochberg at ``alpha``.

    Equal to ``statsmodels.stats.multitest.multipletests(p, alpha,
    method="fdr_bh")[0]`` for 1-D input; column-wise for 2-D input.

    Examples
    --------
    >>> bh_reject(np.array([0.01, 0.5]), 0.05).tolist()
    [True, False]
    """
    p = np.asarray(p, dtype=float)
    cut = bh_cutoff(p, alpha)
    any_rejected = np.asarray(cut) > 0
    return (p <= cut) & any_rejected & ~np.isnan(p)


def significance_bins(
    z: np.ndarray,
    p: np.ndarray,
    fdr: bool = True,
    alphas: tuple[float, float, float] = CONFIDENCE_ALPHAS,
) -> np.ndarray:
    """Gi_Bin-style bins -3..+3 from z-scores and two-sided p-values.

    Parameters
    ----------
    z, p : ndarray, same shape (n,) or (n, m)
        Raw z-scores and two-sided p-values (2-D: one family per column).
    fdr : bool
        Apply BH separately at each alpha (ArcGIS's FDR option); without it a
        bin is simply ``p <= alpha``.
    alphas : tuple
        Alpha of bins 1, 2 and 3.

    Returns
    -------
    ndarray of int8
        ``sign(z) * level``, 0 where not significant.

    Examples
    --------
    >>> significance_bins(np.array([2.0]), np.array([0.045]), fdr=False).tolist()
    [2]
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    level = np.zeros(p.shape, dtype=np.int8)
    # One cut-off per family (column), broadcast over the rows; 0 means nothing rejected.
    cuts = _bh_cutoffs(p, alphas) if fdr else [np.float64(a) for a in alphas]
    valid = ~np.isnan(p)
    for lv, cut in enumerate(cuts, start=1):
        level[(p <= cut) & (cut > 0) & valid] = lv
    return (np.sign(np.nan_to_num(z)).astype(np.int8) * level).astype(np.int8)
