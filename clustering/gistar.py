"""Local Getis-Ord Gi* on H3 cells, vectorised, with ArcGIS-style FDR bins.

Weights are binary over the k-ring (``h3.grid_disk``) with the cell itself
included, restricted to the cells of the study area (the same graph as
``libpysal.graph.Graph.build_h3(cells, order=k, weight="binary")`` plus the
diagonal that esda adds for ``star=True``). The z-score is the analytic
(randomisation) Gi* of Getis & Ord, identical to ``esda.G_Local(y, w,
transform="B", star=True).Zs``; the p-value is two-sided (esda's ``p_norm`` is
one-sided). Bins use Benjamini-Hochberg at 90/95/99 % as ArcGIS does; z and p
stay raw.

Why a guard: with fewer than 30 reports (ArcGIS's minimum) or no variance the
statistic is noise or undefined, and a map of it would mislead; the result then
says ``ok=False`` and why.

Examples
--------
>>> import pandas as pd, h3
>>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 4))
>>> y = pd.Series(0, index=cells); y[list(h3.grid_disk(cells[30], 1))] = 6; y[cells[0]] = 1
>>> res = local_gistar(y, k=1)
>>> res.ok, int(res.table.set_index("cell").loc[cells[30], "bin"])
(True, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import h3
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from data.messages import Message, msg

from .fdr import CONFIDENCE_ALPHAS, significance_bins
from .h3_lattice import cell_ints, h3_local_ij, h3_local_ij_agrees, lattice_ij, one_hexagon_base_cell

__all__ = [
    "MIN_REPORTS",
    "GiStarResult",
    "gistar_z",
    "local_gistar",
    "neighbour_matrix",
]

#: ArcGIS's minimum number of incidents for a hot spot analysis.
MIN_REPORTS = 30

_IJ_BASE = np.int64(1 << 31)


@lru_cache(maxsize=8)
def _disk_offsets(k: int) -> np.ndarray:
    """Local-IJ offsets of a k-disk (H3 axial coordinates)."""
    r = np.arange(-k, k + 1)
    di, dj = (a.ravel() for a in np.meshgrid(r, r, indexing="ij"))
    keep = np.maximum(np.maximum(np.abs(di), np.abs(dj)), np.abs(di - dj)) <= k
    return np.column_stack([di[keep], dj[keep]])


def _pairs_grid_disk(cells: tuple[str, ...], k: int) -> tuple[np.ndarray, np.ndarray]:
    index = {c: i for i, c in enumerate(cells)}
    rows: list[int] = []
    cols: list[int] = []
    for i, c in enumerate(cells):
        for nb in h3.grid_disk(c, k):
            j = index.get(nb)
            if j is not None:
                rows.append(i)
                cols.append(j)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def _csr_local_ij(cells: tuple[str, ...], k: int) -> sparse.csr_matrix:
    """k-disk weights (self included) joined on lattice coordinates, in numpy.

    Inside one hexagonal base cell the coordinates come straight from the
    index bits (:mod:`clustering.h3_lattice`); otherwise from H3's local IJ,
    spot-checked against ``grid_disk``. All (cell, offset) targets are looked
    up at once, and the hits are already in row order, so the CSR arrays are
    written directly.
    """
    ints = cell_ints(cells)
    if one_hexagon_base_cell(ints):
        ij = lattice_ij(ints)
    else:
        ij = h3_local_ij(ints)
        if not h3_local_ij_agrees(ints, ij, k, _disk_offsets(k)):
            raise h3.H3GridNavigationError("local IJ coordinates are not consistent over the area")
    cols = _disk_members(ij, _disk_offsets(k))
    hit = cols >= 0
    indptr = np.concatenate([[0], np.cumsum(hit.sum(axis=1))])
    w = sparse.csr_matrix((np.ones(int(indptr[-1])), cols[hit], indptr), shape=(len(cells), len(cells)))
    w.sort_indices()
    return w


def _disk_members(ij: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(n, len(offsets)): row in ``ij`` of each lattice point ``ij + offset``, -1 where none.

    A dense table when the area is compact (a city), else a sorted-key search.
    """
    k = int(np.abs(offsets).max())
    lo = ij.min(axis=0) - k
    span = ij.max(axis=0) + k - lo + 1
    if span[0] * span[1] <= 64 * len(ij) + 65_536:
        flat = (ij[:, 0] - lo[0]) * span[1] + (ij[:, 1] - lo[1])
        table = np.full(int(span[0] * span[1]), -1, dtype=np.int64)
        table[flat] = np.arange(len(ij))
        return table.take(flat[:, None] + (offsets[:, 0] * span[1] + offsets[:, 1])[None, :])
    keys = (ij[:, 0] + _IJ_BASE) * (2 * _IJ_BASE) + (ij[:, 1] + _IJ_BASE)
    want = keys[:, None] + (offsets[:, 0] * (2 * _IJ_BASE) + offsets[:, 1])[None, :]
    order = np.argsort(keys)
    pos = np.minimum(np.searchsorted(keys[order], want), len(keys) - 1)
    return np.where(keys[order][pos] == want, order[pos], -1)


@lru_cache(maxsize=32)
def _neighbour_matrix_cached(cells: tuple[str, ...], k: int, include_self: bool) -> sparse.csr_matrix:
    n = len(cells)
    try:
        w = _csr_local_ij(cells, k)
    except h3.H3BaseException:  # pentagon, different faces, or too far apart for local IJ
        rows, cols = _pairs_grid_disk(cells, k)
        w = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        w.sort_indices()
    if not include_self:
        w = w - sparse.identity(n, format="csr")
        w.eliminate_zeros()
    return w


def neighbour_matrix(cells: Sequence[str], k: int = 1, include_self: bool = True) -> sparse.csr_matrix:
    """Binary k-ring weights between the given cells (CSR, n x n).

    Only cells in ``cells`` are neighbours, exactly like ``Graph.build_h3``;
    so pass the whole study area, empty cells included. The matrix is cached
    per (cells, k) because the study area rarely changes between runs.

    Parameters
    ----------
    cells : sequence of str
        H3 cells, one resolution; row/column order follows this sequence.
    k : int
        Ring order (1 = the six touching cells).
    include_self : bool
        Put ones on the diagonal (Gi*), or not (Moran's I).

    Examples
    --------
    >>> c = h3.latlng_to_cell(47.566, 31.33, 9)
    >>> int(neighbour_matrix(sorted(h3.grid_disk(c, 1)), 1).sum())
    31
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    return _neighbour_matrix_cached(tuple(cells), int(k), bool(include_self))


def gistar_z(w: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """Analytic Gi* z-scores for one map (n,) or many maps (n, m) at once.

    Same moments as esda's ``G_Local.calc`` with ``star=True``:
    ``E[G] = c/N`` and ``Var[G] = c (N - c) / (N - 1) / N^2 * s^2 / ybar^2``,
    with ``c`` the row sum of ``w`` and ``s^2`` the population variance.
    Columns with zero total or zero variance give NaN (the statistic is
    undefined there).

    Examples
    --------
    >>> w = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]], dtype=float))
    >>> np.round(gistar_z(w, np.array([5.0, 1.0, 0.0, 0.0])), 3).tolist()
    [1.26, 0.728, -1.698, -1.26]
    """
    y = np.asarray(y, dtype=float)
    flat = y.ndim == 1
    y2 = y.reshape(y.shape[0], -1)
    n = y2.shape[0]
    total = y2.sum(axis=0)
    mean = total / n
    var = (y2**2).sum(axis=0) / n - mean**2
    card = np.asarray(w.sum(axis=1)).ravel()[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (w @ y2) / total
        eg = card / n
        vg = card * (n - card) / (n - 1) / n**2 * (var / mean**2)
        z = (g - eg) / np.sqrt(vg)
    degenerate = (total <= 0) | (var <= 1e-12 * np.maximum((y2**2).sum(axis=0) / n, 1e-300))
    z[:, degenerate] = np.nan
    z[~np.isfinite(z)] = np.nan
    return z.ravel() if flat else z


def _permutation_p(w: sparse.csr_matrix, y: np.ndarray, permutations: int, seed: int) -> np.ndarray:
    """Two-sided conditional-permutation pseudo p-value of each local sum.

    Each cell keeps its own value; its ``c - 1`` neighbours are redrawn from
    the other cells without replacement. As in esda's ``crand``, one random
    draw per permutation is shared by all cells (skipping the cell itself),
    which keeps it vectorised. ``p = min(1, 2 (min(#ge, #le) + 1) / (R + 1))``.
    """
    n = y.size
    card = np.asarray(w.sum(axis=1)).ravel().astype(np.int64)
    kmax = int(card.max())
    observed = w @ y
    ge = np.zeros(n)
    le = np.zeros(n)
    rng = np.random.default_rng(seed)
    rows = np.arange(n)
    take = np.clip(card - 2, 0, None)
    has_nb = card >= 2
    for _ in range(permutations):
        draw = rng.choice(n - 1, size=max(kmax - 1, 1), replace=False)
        idx = draw[None, :] + (draw[None, :] >= rows[:, None])
        sums = np.cumsum(y[idx], axis=1)[rows, take]
        local = y + np.where(has_nb, sums, 0.0)
        ge += local >= observed - 1e-12
        le += local <= observed + 1e-12
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1.0) / (permutations + 1.0))


@dataclass
class GiStarResult:
    """Outcome of :func:`local_gistar`.

    Attributes
    ----------
    table : DataFrame
        Every area cell: ``cell``, ``n``, ``z``, ``p`` (two-sided, raw), ``bin``
        (-3..3, FDR-corrected if ``fdr``) and ``p_sim`` when permutations ran.
        When ``ok`` is False, z and p are NaN and bin is 0: do not map it.
    ok : bool
        False when the data cannot support the analysis.
    reason : Message or None
        Why not, as a catalogue message (None when ok).
    k : int
        Ring order used.
    n_reports : int
        Reports counted in the area.
    fdr : bool
        Whether bins are FDR-corrected.
    alphas : tuple of float
        Alphas of bins 1, 2, 3.
    """

    table: pd.DataFrame
    ok: bool
    reason: Message | None
    k: int
    n_reports: int
    fdr: bool = True
    alphas: tuple[float, float, float] = field(default=CONFIDENCE_ALPHAS)


def local_gistar(
    counts: pd.Series,
    k: int = 1,
    *,
    fdr: bool = True,
    alphas: tuple[float, float, float] = CONFIDENCE_ALPHAS,
    permutations: int = 0,
    seed: int = 0,
    min_reports: int = MIN_REPORTS,
) -> GiStarResult:
    """Gi* hot and cold spots over the study area.

    Parameters
    ----------
    counts : Series
        Reports per cell indexed by H3 cell, covering the *whole* study area
        (zeros included), e.g. from :func:`clustering.binning.bin_counts`.
    k : int
        Ring order of the neighbourhood (see :mod:`clustering.neighbourhood`
        to choose it).
    fdr : bool
        Benjamini-Hochberg-corrected bins (ArcGIS's FDR option). Default on.
    alphas : tuple
        Alphas of bins 1, 2, 3 (default 0.10, 0.05, 0.01).
    permutations : int
        If > 0, also compute a seeded conditional-permutation ``p_sim``.
    seed : int
        Seed of the permutations.
    min_reports : int
        Below this many reports the result is "insufficient data".

    Returns
    -------
    GiStarResult

    Examples
    --------
    >>> y = pd.Series(1, index=sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 1)))
    >>> local_gistar(y).reason
    Message(code='too_few_reports', params={'n': 7, 'needed': 30})
    """
    index = counts.index.astype(str)
    y = counts.to_numpy(dtype=float)
    n_reports = int(round(y.sum()))
    columns: dict[str, object] = {"cell": index.array, "n": counts.to_numpy().astype(np.int64)}

    def refuse(reason: Message) -> GiStarResult:
        nan = np.full(len(y), np.nan)
        table = pd.DataFrame(columns | {"z": nan, "p": nan, "bin": np.zeros(len(y), dtype=np.int8)})
        return GiStarResult(table, False, reason, k, n_reports, fdr, alphas)

    if n_reports < min_reports:
        return refuse(msg("too_few_reports", n=n_reports, needed=min_reports))
    if np.ptp(y) == 0:
        return refuse(msg("zero_variance"))
    w = neighbour_matrix(index.tolist(), k, include_self=True)
    z = gistar_z(w, y)
    p = 2.0 * ndtr(-np.abs(z))
    columns |= {"z": z, "p": p, "bin": significance_bins(z, p, fdr=fdr, alphas=alphas)}
    if permutations > 0:
        columns["p_sim"] = _permutation_p(w, y, permutations, seed)
    return GiStarResult(pd.DataFrame(columns), True, None, k, n_reports, fdr, alphas)
