"""Choose the Gi* neighbourhood (H3 ring order k) and explain the choice.

ArcGIS's Optimized Hot Spot Analysis picks its scale with an Incremental
Spatial Autocorrelation scan: global Moran's I at increasing distances, the
distance of the *first statistically significant peak* of its z-score, else
the highest peak, else a k-nearest-neighbour fallback. Here the distances are
H3 ring orders k = 1..K at the audience's resolution, with binary k-ring
weights (no self) over the whole study area.

Fallback (no peak at all, which is common when clustering is strongest at the
smallest scale and z falls steadily): OHSA's ``knn = clamp(0.05 N, 3, 30)``
neighbours, turned into the smallest ring order whose disk holds that many
neighbours (a k-disk holds ``3 k (k + 1)``), capped at K.

A peak is an interior local maximum (k = 2..K-1), as in ArcGIS, where the
first and last distances cannot be peaks.

Examples
--------
>>> import h3, pandas as pd, numpy as np
>>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 8))
>>> y = pd.Series(np.random.default_rng(0).poisson(1, len(cells)), index=cells)
>>> choice = choose_k(y, k_max=4, res=9)
>>> choice.k in (1, 2, 3, 4), "k =" in choice.text
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from .gistar import neighbour_matrix

__all__ = ["MoranResult", "NeighbourhoodChoice", "choose_k", "morans_i"]


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with normal and randomisation inference (two-sided p)."""

    I: float  # noqa: E741 - the statistic's name
    EI: float
    z_norm: float
    p_norm: float
    z_rand: float
    p_rand: float


def morans_i(y: np.ndarray, w: sparse.spmatrix) -> MoranResult:
    """Global Moran's I of ``y`` under weights ``w`` (used as given, no transform).

    Equal to ``esda.Moran(y, w, transformation="B")`` (``I``, ``EI``,
    ``z_norm``, ``z_rand``, ``p_norm``, ``p_rand``) for the same binary graph.

    Examples
    --------
    >>> w = sparse.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], float))
    >>> round(morans_i(np.array([1.0, 2, 3, 4]), w).I, 3)
    0.333
    """
    y = np.asarray(y, dtype=float)
    w = sparse.csr_matrix(w, dtype=float)
    n = y.size
    z = y - y.mean()
    z2ss = float(z @ z)
    s0 = float(w.sum())
    wt = w + w.T
    s1 = float(wt.multiply(wt).sum()) / 2.0
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    i_stat = n / s0 * float(z @ (w @ z)) / z2ss
    ei = -1.0 / (n - 1)
    s02 = s0 * s0
    v_norm = (n * n * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - ei**2
    kurt = (z**4).sum() / n / (z2ss / n) ** 2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = kurt * ((n * n - n) * s1 - 2 * n * s2 + 6 * s02)
    v_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei**2
    z_norm = (i_stat - ei) / np.sqrt(v_norm)
    z_rand = (i_stat - ei) / np.sqrt(v_rand)
    return MoranResult(
        I=i_stat,
        EI=ei,
        z_norm=float(z_norm),
        p_norm=float(2 * ndtr(-abs(z_norm))),
        z_rand=float(z_rand),
        p_rand=float(2 * ndtr(-abs(z_rand))),
    )


@dataclass(frozen=True)
class NeighbourhoodChoice:
    """The chosen ring order, the scan behind it and a sentence for the analyst.

    Attributes
    ----------
    k : int
    rule : str
        ``"first significant peak"``, ``"highest peak"``, ``"knn fallback"`` or
        ``"no variance"``.
    scan : DataFrame
        ``k``, ``I``, ``z``, ``p`` (randomisation inference) per ring order.
    text : str
        Plain-language explanation with the numbers.
    """

    k: int
    rule: str
    scan: pd.DataFrame
    text: str


def _knn_ring(n_cells: int, k_max: int) -> tuple[int, int]:
    knn = int(min(max(round(0.05 * n_cells), 3), 30))
    ring = 1
    while 3 * ring * (ring + 1) < knn:
        ring += 1
    return min(ring, k_max), knn


def choose_k(counts: pd.Series, k_max: int = 6, *, alpha: float = 0.05, res: int | None = None) -> NeighbourhoodChoice:
    """Pick the Gi* ring order by an Incremental-Spatial-Autocorrelation scan.

    Parameters
    ----------
    counts : Series
        Reports per cell over the whole study area (zeros included).
    k_max : int
        Largest ring order scanned (K).
    alpha : float
        Significance of a Moran's I peak (two-sided, randomisation).
    res : int, optional
        Resolution, only for the explanation text.

    Returns
    -------
    NeighbourhoodChoice

    Examples
    --------
    >>> import h3
    >>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 3))
    >>> choose_k(pd.Series(0, index=cells)).rule
    'no variance'
    """
    y = counts.to_numpy(dtype=float)
    cells = counts.index.astype(str).tolist()
    at = f" at H3 resolution {res}" if res is not None else ""
    if y.size == 0 or np.ptp(y) == 0:
        empty = pd.DataFrame(columns=["k", "I", "z", "p"])
        return NeighbourhoodChoice(
            1,
            "no variance",
            empty,
            f"k = 1{at}: every cell has the same count, "
            "so no scale can be estimated; the smallest neighbourhood is used.",
        )
    rows = []
    for k in range(1, k_max + 1):
        m = morans_i(y, neighbour_matrix(cells, k, include_self=False))
        rows.append({"k": k, "I": m.I, "z": m.z_rand, "p": m.p_rand})
    scan = pd.DataFrame(rows)
    z = scan["z"].to_numpy()
    peaks = [i for i in range(1, len(z) - 1) if z[i] > z[i - 1] and z[i] >= z[i + 1]]
    significant = [i for i in peaks if scan["p"].iat[i] < alpha and z[i] > 0]
    listing = ", ".join(f"k={r.k}: z={r.z:.2f}" for r in scan.itertuples())
    if significant:
        i = significant[0]
        rule, k = "first significant peak", int(scan["k"].iat[i])
        why = f"Moran's I z peaks first and significantly (p={scan['p'].iat[i]:.3g}) at k = {k}"
    elif peaks:
        i = max(peaks, key=lambda j: z[j])
        rule, k = "highest peak", int(scan["k"].iat[i])
        why = f"no peak is significant at {alpha:g}; the highest Moran's I z peak is at k = {k}"
    else:
        k, knn = _knn_ring(len(cells), k_max)
        rule = "knn fallback"
        why = (
            f"Moran's I z has no peak over k = 1..{k_max}; fallback as in ArcGIS: "
            f"{knn} neighbours (5% of {len(cells)} cells, clamped to 3..30) need k = {k}"
        )
    text = f"k = {k}{at}: {why}. Scan ({listing})."
    return NeighbourhoodChoice(k, rule, scan, text)
