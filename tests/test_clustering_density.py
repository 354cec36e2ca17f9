"""DBSCAN/HDBSCAN recover the clusters of a hand-made fixture; outlines and noise."""

import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point
from sklearn.cluster import DBSCAN

from clustering.density_clusters import dbscan_clusters, hdbscan_clusters

TO_WGS = Transformer.from_crs("EPSG:32636", "EPSG:4326", always_xy=True)
TO_M = Transformer.from_crs("EPSG:4326", "EPSG:32636", always_xy=True)


def _fixture():
    """Three blobs of 25 reports (~30 m spread) 1 km apart, plus 6 isolated reports."""
    rng = np.random.default_rng(0)
    cx, cy = TO_M.transform(31.33, 47.566)
    centres = [(cx, cy), (cx + 1000, cy), (cx, cy + 1000)]
    xy, truth = [], []
    for i, (x0, y0) in enumerate(centres):
        xy.append(rng.normal([x0, y0], 30, (25, 2)))
        truth += [i] * 25
    isolated = np.array(
        [
            [cx + 2500, cy - 2000],
            [cx - 2500, cy],
            [cx + 2500, cy + 2500],
            [cx - 2000, cy + 2500],
            [cx + 500, cy - 2500],
            [cx - 2500, cy - 2500],
        ]
    )
    xy.append(isolated)
    truth += [-1] * len(isolated)
    xy = np.vstack(xy)
    lon, lat = TO_WGS.transform(xy[:, 0], xy[:, 1])
    return pd.DataFrame({"lat": lat, "lon": lon}, index=pd.RangeIndex(100, 100 + len(xy))), np.array(truth)


def _same_partition(labels, truth):
    for t in set(truth) - {-1}:
        got = set(labels[truth == t])
        assert len(got) == 1 and -1 not in got
    assert (labels[truth == -1] == -1).all()
    assert len(set(labels) - {-1}) == len(set(truth) - {-1})


def test_dbscan_recovers_fixture_and_matches_sklearn():
    df, truth = _fixture()
    r = dbscan_clusters(df, eps_m=100, min_samples=5)
    labels = r.labels["cluster"].to_numpy()
    _same_partition(labels, truth)
    assert r.labels.index.equals(df.index)
    assert r.n_noise == 6 and r.labels["noise"].sum() == 6
    x, y = TO_M.transform(df["lon"].to_numpy(), df["lat"].to_numpy())
    ref = DBSCAN(eps=100, min_samples=5).fit(np.column_stack([x, y])).labels_
    assert (ref == labels).all()
    assert r.clusters["n"].tolist() == [25, 25, 25]
    for row in r.clusters.itertuples():
        members = df[labels == row.cluster]
        poly = row.geometry.buffer(1e-9)
        assert all(poly.contains(Point(lo, la)) for la, lo in zip(members["lat"], members["lon"]))
        assert 1_000 < row.area_m2 < 60_000


def test_hdbscan_recovers_fixture():
    df, truth = _fixture()
    r = hdbscan_clusters(df, min_cluster_size=10)
    labels = r.labels["cluster"].to_numpy()
    _same_partition(labels, truth)
    assert r.labels["probability"].between(0, 1).all()
    assert (r.labels.loc[r.labels["noise"], "probability"] == 0).all()


def test_concave_outline_and_degenerate_cluster():
    df, _ = _fixture()
    convex = dbscan_clusters(df, eps_m=100, min_samples=5).clusters
    concave = dbscan_clusters(df, eps_m=100, min_samples=5, outline="concave", concave_ratio=0.2).clusters
    assert (concave["area_m2"].to_numpy() <= convex["area_m2"].to_numpy() + 1e-6).all()
    line = pd.DataFrame({"lat": [47.566] * 5, "lon": [31.33, 31.3301, 31.3302, 31.3303, 31.3304]})
    one = dbscan_clusters(line, eps_m=50, min_samples=3).clusters
    assert len(one) == 1 and one["area_m2"].iat[0] > 0 and one["geometry"].iat[0].is_valid
