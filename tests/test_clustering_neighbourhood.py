"""Moran's I against esda.Moran; the k scan's decision rules and explanation."""

import warnings

import esda
import h3
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

from clustering.binning import study_area
from clustering.gistar import neighbour_matrix
from clustering.neighbourhood import _knn_ring, choose_k, morans_i

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_morans_i_equals_esda(k):
    cells = study_area(BOX, 9)
    rng = np.random.default_rng(k)
    y = rng.poisson(0.4, len(cells)).astype(float)
    y[100:140] += rng.poisson(3, 40)
    g = Graph.build_h3(cells, order=k, weight="binary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran(y, g, transformation="B", permutations=0)
    ours = morans_i(y, neighbour_matrix(cells, k, include_self=False))
    assert ours.I == pytest.approx(ref.I, abs=1e-12)
    assert ours.EI == pytest.approx(ref.EI, abs=1e-15)
    for name in ("z_norm", "z_rand", "p_norm", "p_rand"):
        assert getattr(ours, name) == pytest.approx(getattr(ref, name), rel=1e-9, abs=1e-12)


def test_first_significant_peak_is_chosen():
    # Blobs about two rings wide: Moran's z should peak at a small interior k.
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    cells = sorted(h3.grid_disk(centre, 14))
    y = pd.Series(np.random.default_rng(0).poisson(0.2, len(cells)), index=cells)
    for anchor in h3.grid_ring(centre, 9)[::9]:
        y[list(h3.grid_disk(anchor, 2))] += 4
    c = choose_k(y, k_max=6, res=9)
    z = c.scan["z"].to_numpy()
    assert c.rule in ("first significant peak", "highest peak")
    i = c.k - 1
    assert 0 < i < len(z) - 1 and z[i] > z[i - 1] and z[i] >= z[i + 1]
    if c.rule == "first significant peak":
        earlier = [j for j in range(1, i) if z[j] > z[j - 1] and z[j] >= z[j + 1] and c.scan["p"].iat[j] < 0.05]
        assert not earlier
    assert f"k = {c.k} at H3 resolution 9" in c.text and "Scan (k=1" in c.text
    assert c.scan["k"].tolist() == list(range(1, 7))


def test_fallback_when_no_peak_and_no_variance():
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    cells = sorted(h3.grid_disk(centre, 10))
    # A single broad gradient: z grows steadily with k, no interior peak.
    y = pd.Series([h3.cell_to_latlng(c)[1] for c in cells], index=cells)
    c = choose_k(y, k_max=4)
    z = c.scan["z"].to_numpy()
    assert (np.diff(z) > 0).all()
    assert c.rule == "knn fallback" and c.k == _knn_ring(len(cells), 4)[0] == 2  # 5% of 331 cells = 17 neighbours
    assert "fallback" in c.text
    assert choose_k(pd.Series(2, index=cells)).rule == "no variance"
    assert _knn_ring(20, 6) == (1, 3) and _knn_ring(10_000, 6) == (3, 30) and _knn_ring(10_000, 2) == (2, 30)
