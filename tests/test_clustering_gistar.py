"""Gi* against esda/libpysal, FDR against statsmodels, guards, neighbour matrix."""

import warnings

import esda
import h3
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import sparse
from statsmodels.stats.multitest import multipletests

from clustering.binning import study_area
from clustering.fdr import bh_cutoff, bh_reject, significance_bins
from clustering.gistar import gistar_z, local_gistar, neighbour_matrix
from data.messages import msg

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


def _counts(res: int, seed: int = 0) -> pd.Series:
    cells = study_area(BOX, res)
    rng = np.random.default_rng(seed)
    y = rng.poisson(0.3, len(cells))  # mostly zeros, like real report counts
    centre = h3.latlng_to_cell(47.566, 31.33, res)
    hot = [cells.index(c) for c in h3.grid_disk(centre, 2) if c in cells]
    y[hot] += rng.poisson(4, len(hot))
    return pd.Series(y, index=cells)


def _esda(y: pd.Series, k: int):
    g = Graph.build_h3(list(y.index), order=k, weight="binary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y.to_numpy(dtype=float), g, transform="B", star=True, permutations=0)


@pytest.mark.parametrize("res,k", [(9, 1), (9, 2), (8, 1), (10, 1)])
def test_z_and_p_equal_esda(res, k):
    y = _counts(res)
    ours = local_gistar(y, k)
    ref = _esda(y, k)
    assert ours.ok and ours.k == k
    t = ours.table
    assert t["cell"].tolist() == list(y.index)  # every cell of the area, zeros included
    assert (t["n"].to_numpy() == y.to_numpy()).all()
    np.testing.assert_allclose(t["z"].to_numpy(), ref.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(t["p"].to_numpy(), 2 * ref.p_norm, rtol=0, atol=1e-12)


def _across_base_cells() -> list[str]:
    """A res-5 area around a cell whose neighbours lie in another base cell."""
    for c in sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 5), 40)):
        if len({h3.get_base_cell_number(nb) for nb in h3.grid_disk(c, 1)}) > 1:
            return sorted(h3.grid_disk(c, 6))
    raise AssertionError("no base-cell border near the city")


@pytest.mark.parametrize("where", ["city", "pentagon", "two base cells", "scattered"])
def test_neighbour_matrix_equals_grid_disk_graph(where):
    if where == "city":  # one base cell: lattice coordinates from the index bits, dense table
        cells = study_area(BOX, 9)
    elif where == "pentagon":  # local IJ breaks around pentagons: the grid_disk fallback must take over
        cells = sorted(h3.grid_disk(h3.get_pentagons(9)[3], 5))
    elif where == "two base cells":  # H3's local IJ, spot-checked
        cells = _across_base_cells()
    else:  # far-apart pairs of cells: too sparse for a dense table, sorted-key search
        centres = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 120))[::53]
        cells = sorted({c for centre in centres for c in h3.grid_disk(centre, 1)})
    # punch holes: neighbours outside the given cells must not appear
    cells = [c for i, c in enumerate(cells) if i % 7 != 3]
    index = {c: i for i, c in enumerate(cells)}
    for k in (1, 2, 3):
        rows, cols = [], []
        for c in cells:
            for nb in h3.grid_disk(c, k):
                if nb in index:
                    rows.append(index[c])
                    cols.append(index[nb])
        want = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(cells)))
        got = neighbour_matrix(cells, k)
        assert abs(got - want).sum() == 0
        no_self = neighbour_matrix(cells, k, include_self=False)
        assert no_self.diagonal().sum() == 0 and no_self.sum() == want.sum() - len(cells)


def test_fdr_matches_statsmodels():
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 0.01, 30), rng.uniform(0, 1, 500)])
    for alpha in (0.10, 0.05, 0.01):
        want = multipletests(p, alpha=alpha, method="fdr_bh")[0]
        assert (bh_reject(p, alpha) == want).all()
    cube = rng.uniform(0, 1, (300, 6)) ** 3
    for alpha in (0.10, 0.05):
        got = bh_reject(cube, alpha)
        for j in range(cube.shape[1]):
            assert (got[:, j] == multipletests(cube[:, j], alpha=alpha, method="fdr_bh")[0]).all()
    assert bh_cutoff(np.array([0.5, 0.9]), 0.05) == 0.0
    assert not bh_reject(np.array([0.5, 0.9]), 0.05).any()


def test_bins_are_fdr_corrected_and_z_p_stay_raw():
    y = _counts(9, seed=2)
    r = local_gistar(y, 1)
    t = r.table
    z, p = t["z"].to_numpy(), t["p"].to_numpy()
    want = np.zeros(len(t), dtype=int)
    for level, alpha in enumerate((0.10, 0.05, 0.01), start=1):
        want[multipletests(p, alpha=alpha, method="fdr_bh")[0]] = level
    assert (t["bin"].to_numpy() == np.sign(z) * want).all()
    assert (t["bin"] == 3).any()
    raw = local_gistar(y, 1, fdr=False).table
    assert (np.abs(raw["bin"]) >= np.abs(t["bin"])).all()  # correction only removes significance
    assert (raw["bin"] != t["bin"]).any()
    assert significance_bins(np.array([-2.0, 2.0]), np.array([0.04, 0.2]), fdr=False).tolist() == [-2, 0]


def test_insufficient_data_guards():
    cells = study_area(BOX, 9)
    few = pd.Series(0, index=cells)
    few.iloc[:29] = 1
    r = local_gistar(few)
    assert not r.ok and r.reason == msg("too_few_reports", n=29, needed=30)
    assert r.table["z"].isna().all() and (r.table["bin"] == 0).all() and len(r.table) == len(cells)
    flat = pd.Series(1, index=cells)
    r = local_gistar(flat)
    assert not r.ok and r.reason == msg("zero_variance")
    assert np.isnan(gistar_z(neighbour_matrix(cells, 1), np.zeros(len(cells)))).all()


def test_permutation_p_is_seeded_and_agrees_with_analytic_on_strong_hotspot():
    y = _counts(9, seed=1)
    a = local_gistar(y, 1, permutations=199, seed=3).table
    b = local_gistar(y, 1, permutations=199, seed=3).table
    assert (a["p_sim"] == b["p_sim"]).all()
    assert ((a["p_sim"] > 0) & (a["p_sim"] <= 1)).all()
    strongest = a["z"].idxmax()
    assert a.loc[strongest, "p_sim"] <= 2 / 200 + 1e-12
    quiet = a["z"].abs() < 0.5
    assert a.loc[quiet, "p_sim"].median() > 0.3
