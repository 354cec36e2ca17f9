"""KDE: quartic mass and brute force, Gaussian vs sklearn, spatial Silverman, per-cell helper."""

import math

import h3
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from sklearn.neighbors import KernelDensity

from clustering.kde import density_grid, density_per_cell, kernel_density, silverman_radius


def _points(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"lat": 47.566 + rng.normal(0, 0.004, n), "lon": 31.33 + rng.normal(0, 0.006, n)})


def _metres(df):
    t = Transformer.from_crs("EPSG:4326", "EPSG:32636", always_xy=True)
    x, y = t.transform(df["lon"].to_numpy(), df["lat"].to_numpy())
    return np.column_stack([x, y])


@pytest.mark.parametrize("h", [150.0, 400.0])
def test_quartic_integrates_to_number_of_points(h):
    df = _points()
    g = density_grid(df, bandwidth=h, cell_m=10.0)
    assert g.total() == pytest.approx(len(df), rel=0.01)
    assert g.density.min() >= 0 and g.kernel == "quartic" and g.bandwidth == h


def test_quartic_equals_brute_force_loop():
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, 1000, (40, 2))
    targets = rng.uniform(-100, 1100, (300, 2))
    h = 220.0
    want = []
    for tx, ty in targets:
        total = 0.0
        for px, py in pts:
            d = math.hypot(tx - px, ty - py)
            if d < h:
                total += 3.0 / (math.pi * h * h) * (1 - (d / h) ** 2) ** 2
        want.append(total)
    np.testing.assert_allclose(kernel_density(pts, targets, h), want, rtol=1e-12, atol=1e-18)


def test_gaussian_matches_sklearn_up_to_normalisation():
    df = _points(80, seed=2)
    xy = _metres(df)
    g = density_grid(df, bandwidth=120.0, kernel="gaussian", cell_m=25.0)
    gx, gy = np.meshgrid(g.x, g.y)
    targets = np.column_stack([gx.ravel(), gy.ravel()])
    skl = np.exp(KernelDensity(bandwidth=120.0, kernel="gaussian").fit(xy).score_samples(targets))
    ours = g.density.ravel() / 1e6  # per m²
    np.testing.assert_allclose(ours, skl * len(xy), rtol=1e-9, atol=1e-300)
    assert g.total() == pytest.approx(len(df), rel=0.01)


def test_spatial_silverman_rule():
    xy = _metres(_points(200, seed=3))
    centre = xy.mean(axis=0)
    d = np.sqrt(((xy - centre) ** 2).sum(axis=1))
    sd = math.sqrt((d**2).mean())
    want = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * np.median(d)) * 200**-0.2
    assert silverman_radius(xy) == pytest.approx(want, rel=1e-12)
    # a far outlier blows up the standard distance but the median term keeps the radius sane
    with_outlier = np.vstack([xy, centre + [50_000.0, 0.0]])
    sd_only = 0.9 * np.sqrt(((with_outlier - with_outlier.mean(axis=0)) ** 2).sum(axis=1).mean()) * 201**-0.2
    assert sd_only > 5 * want
    assert silverman_radius(with_outlier) < 1.5 * want
    with pytest.raises(ValueError):
        silverman_radius(np.zeros((5, 2)))


def test_density_per_cell_ranks_the_cluster_cell_first_and_grid_frame():
    df = _points(50, seed=4)
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    cells = sorted(h3.grid_disk(centre, 6))
    s = density_per_cell(df, cells)
    assert s.index.tolist() == cells and (s >= 0).all()
    assert h3.grid_distance(s.idxmax(), centre) <= 1
    frame = density_grid(df, bandwidth=200.0, cell_m=50.0).to_frame()
    assert {"x", "y", "lon", "lat", "density"} <= set(frame.columns)
    assert frame["lat"].between(47.5, 47.65).all()
    with pytest.raises(ValueError):
        kernel_density(np.zeros((1, 2)), np.zeros((1, 2)), 10.0, kernel="box")
