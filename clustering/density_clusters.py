"""DBSCAN and HDBSCAN clusters of report points, with outlines.

The alternative view to the cell statistics (ArcGIS's Density-based
Clustering): groups of reports close together in metres (the city's metric CRS), whatever
the grid. Noise points (label -1) are flagged, not dropped, so the analyst sees
what did not cluster. Outlines are convex hulls (or concave hulls) computed in
metres and returned in lon/lat as shapely polygons; a cluster whose points are
collinear or coincide gets a small buffer so it still has an area.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> pts = pd.DataFrame({"lat": 47.56 + rng.normal(0, 2e-4, 20), "lon": 31.33 + rng.normal(0, 2e-4, 20)})
>>> r = dbscan_clusters(pts, eps_m=100, min_samples=5)
>>> r.clusters["n"].tolist()
[20]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon
from sklearn.cluster import DBSCAN, HDBSCAN

from ._project import metric_crs, to_lonlat, to_metres

__all__ = ["ClusterResult", "dbscan_clusters", "hdbscan_clusters"]

Outline = Literal["convex", "concave"]
_MIN_WIDTH_M = 5.0  # buffer that gives degenerate (collinear) clusters an area


@dataclass
class ClusterResult:
    """Labels per report and one row per cluster.

    Attributes
    ----------
    labels : DataFrame
        Same index as the input: ``cluster`` (-1 = noise), ``noise`` (bool)
        and, for HDBSCAN, ``probability``.
    clusters : DataFrame
        ``cluster``, ``n``, ``lat``, ``lon`` (mean centre), ``area_m2``,
        ``geometry`` (shapely Polygon in lon/lat), largest cluster first.
    n_noise : int
    params : dict
        The parameters used (for the analyst's record).
    """

    labels: pd.DataFrame
    clusters: pd.DataFrame
    n_noise: int
    params: dict


def _outline(xy: np.ndarray, outline: Outline, concave_ratio: float) -> Polygon:
    mp = MultiPoint(xy)
    hull = shapely.concave_hull(mp, ratio=concave_ratio) if outline == "concave" else mp.convex_hull
    if not isinstance(hull, Polygon) or hull.area == 0:
        hull = hull.buffer(_MIN_WIDTH_M)
    return hull


def _summarise(xy: np.ndarray, labels: np.ndarray, outline: Outline, concave_ratio: float, crs: str) -> pd.DataFrame:
    rows = []
    for lab in sorted(set(labels.tolist()) - {-1}):
        pts = xy[labels == lab]
        hull_m = _outline(pts, outline, concave_ratio)
        ring = to_lonlat(np.asarray(hull_m.exterior.coords), crs)
        centre = to_lonlat(pts.mean(axis=0), crs)[0]
        rows.append(
            {
                "cluster": int(lab),
                "n": int(len(pts)),
                "lat": float(centre[1]),
                "lon": float(centre[0]),
                "area_m2": float(hull_m.area),
                "geometry": Polygon(ring),
            }
        )
    cols = ["cluster", "n", "lat", "lon", "area_m2", "geometry"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n", "cluster"], ascending=[False, True], ignore_index=True)


def dbscan_clusters(
    df: pd.DataFrame,
    eps_m: float = 150.0,
    min_samples: int = 5,
    *,
    outline: Outline = "convex",
    concave_ratio: float = 0.4,
    crs: str | None = None,
) -> ClusterResult:
    """DBSCAN ("defined distance") on report points.

    Parameters
    ----------
    df : DataFrame
        ``lat``, ``lon`` of the reports (filter vague ones first).
    eps_m : float
        Search distance in metres (ArcGIS's "Search Distance").
    min_samples : int
        Minimum reports per cluster, the point itself included
        (ArcGIS's "Minimum Features per Cluster").
    outline : {"convex", "concave"}
    concave_ratio : float
        shapely ``concave_hull`` ratio (0 = tightest).
    crs : str, optional
        Metric CRS of the distances; default the city profile's.

    Returns
    -------
    ClusterResult

    Examples
    --------
    >>> far = pd.DataFrame({"lat": [47.53, 47.60], "lon": [31.27, 31.39]})
    >>> dbscan_clusters(far, eps_m=50, min_samples=2).n_noise
    2
    """
    crs = metric_crs(crs)
    xy = to_metres(df["lat"].to_numpy(float), df["lon"].to_numpy(float), crs)
    labels = DBSCAN(eps=eps_m, min_samples=min_samples).fit(xy).labels_
    lab = pd.DataFrame({"cluster": labels, "noise": labels == -1}, index=df.index)
    params = {"method": "dbscan", "eps_m": eps_m, "min_samples": min_samples, "outline": outline}
    return ClusterResult(lab, _summarise(xy, labels, outline, concave_ratio, crs), int((labels == -1).sum()), params)


def hdbscan_clusters(
    df: pd.DataFrame,
    min_cluster_size: int = 5,
    min_samples: int | None = None,
    *,
    outline: Outline = "convex",
    concave_ratio: float = 0.4,
    crs: str | None = None,
) -> ClusterResult:
    """HDBSCAN ("self-adjusting") on report points.

    Parameters
    ----------
    df : DataFrame
        ``lat``, ``lon`` of the reports.
    min_cluster_size : int
        Smallest group reported as a cluster.
    min_samples : int, optional
        Density smoothing; default ``min_cluster_size`` (sklearn's default).
    outline, concave_ratio, crs
        As in :func:`dbscan_clusters`.

    Returns
    -------
    ClusterResult
        ``labels`` also has ``probability`` (membership strength, 0 for noise).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> a = pd.DataFrame({"lat": 47.55 + rng.normal(0, 1e-4, 15), "lon": 31.30 + rng.normal(0, 1e-4, 15)})
    >>> b = pd.DataFrame({"lat": 47.58 + rng.normal(0, 1e-4, 15), "lon": 31.36 + rng.normal(0, 1e-4, 15)})
    >>> len(hdbscan_clusters(pd.concat([a, b], ignore_index=True)).clusters)
    2
    """
    crs = metric_crs(crs)
    xy = to_metres(df["lat"].to_numpy(float), df["lon"].to_numpy(float), crs)
    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True).fit(xy)
    labels = model.labels_
    lab = pd.DataFrame({"cluster": labels, "noise": labels == -1, "probability": model.probabilities_}, index=df.index)
    params = {"method": "hdbscan", "min_cluster_size": min_cluster_size, "min_samples": min_samples, "outline": outline}
    return ClusterResult(lab, _summarise(xy, labels, outline, concave_ratio, crs), int((labels == -1).sum()), params)
