"""Kernel density of reports in metres (the city's metric CRS), as reports per km².

Two kernels:

- ``"quartic"`` (biweight), the crime-mapping default used by ArcGIS Kernel
  Density and sfhotspot/SpatialKDE: ``K(d) = 3 / (pi h^2) (1 - (d/h)^2)^2`` for
  ``d < h``, 0 beyond. Compact support, so it is computed over a k-d tree of
  pairs within ``h`` only.
- ``"gaussian"``: ``K(d) = exp(-d^2 / (2 h^2)) / (2 pi h^2)``, evaluated exactly
  (no cut-off), in chunks.

Both integrate to 1 per point, so the surface integrates to the number of
reports (the unit is reports per km²; multiply by a cell's area for counts).

The default bandwidth is ArcGIS's spatial variant of Silverman's rule, robust
to spatial outliers (see :func:`silverman_radius`).

Examples
--------
>>> import numpy as np
>>> pts = np.array([[0.0, 0.0], [100.0, 0.0]])
>>> round(float(kernel_density(pts, np.array([[0.0, 0.0]]), 200.0)[0]) * 1e6, 1)
37.3
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import h3
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ._project import metric_crs, to_lonlat, to_metres

__all__ = [
    "DensityGrid",
    "density_grid",
    "density_per_cell",
    "kernel_density",
    "silverman_radius",
]

Kernel = Literal["quartic", "gaussian"]
_CHUNK = 4_000_000  # target x point pairs evaluated at once by the Gaussian kernel


def silverman_radius(xy: np.ndarray) -> float:
    """ArcGIS's default search radius (spatial Silverman rule), in metres.

    ``r = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2`` where ``SD`` is the
    standard distance of the points and ``Dm`` the median distance to their
    mean centre. Using the median guards against a few far-away reports
    inflating the radius.

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Points in metres.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0], [100.0, 100.0]])
    >>> round(silverman_radius(xy), 2)
    48.23
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    if n < 2:
        raise ValueError("need at least two points for a bandwidth")
    centre = xy.mean(axis=0)
    d = np.hypot(*(xy - centre).T)
    sd = float(np.sqrt(((xy - centre) ** 2).sum(axis=1).mean()))
    dm = float(np.median(d))
    r = 0.9 * min(sd, np.sqrt(1.0 / np.log(2.0)) * dm) * n**-0.2
    if r <= 0:
        raise ValueError("all points coincide: no bandwidth can be derived; give one in metres")
    return r


def kernel_density(
    points: np.ndarray,
    targets: np.ndarray,
    bandwidth: float,
    kernel: Kernel = "quartic",
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Density (points per m²) at ``targets``; ``weights`` scale each point (default 1).

    Parameters
    ----------
    points, targets : ndarray, shape (n, 2) and (m, 2)
        Coordinates in metres.
    bandwidth : float
        Search radius (quartic) or standard deviation (Gaussian), metres.
    kernel : {"quartic", "gaussian"}
    weights : ndarray, shape (n,), optional
        Weight of each point (an aoristic share, a time decay).

    Returns
    -------
    ndarray, shape (m,)

    Examples
    --------
    >>> float(kernel_density(np.zeros((1, 2)), np.array([[500.0, 0.0]]), 100.0)[0])
    0.0
    >>> one = kernel_density(np.zeros((1, 2)), np.zeros((1, 2)), 100.0)
    >>> bool(np.isclose(kernel_density(np.zeros((1, 2)), np.zeros((1, 2)), 100.0, weights=np.array([0.5])), one / 2))
    True
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    targets = np.asarray(targets, dtype=float).reshape(-1, 2)
    h = float(bandwidth)
    if h <= 0:
        raise ValueError("bandwidth must be positive")
    out = np.zeros(len(targets))
    if len(points) == 0 or len(targets) == 0:
        return out
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if kernel == "quartic":
        pairs = cKDTree(targets).sparse_distance_matrix(cKDTree(points), h, output_type="ndarray")
        u = (pairs["v"] / h) ** 2
        np.add.at(out, pairs["i"], 3.0 / (np.pi * h * h) * (1.0 - u) ** 2 * w[pairs["j"]])
        return out
    if kernel == "gaussian":
        step = max(1, _CHUNK // len(points))
        for lo in range(0, len(targets), step):
            t = targets[lo : lo + step]
            d2 = ((t[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
            out[lo : lo + step] = np.exp(-d2 / (2 * h * h)) @ w / (2 * np.pi * h * h)
        return out
    raise ValueError(f"unknown kernel {kernel!r}")


@dataclass
class DensityGrid:
    """A density surface on a regular grid in the city's metric CRS.

    Attributes
    ----------
    x, y : ndarray
        Cell-centre coordinates (metres) along each axis.
    density : ndarray, shape (len(y), len(x))
        Reports per km²; row 0 is the southernmost row.
    bandwidth : float
        Metres.
    cell_m : float
        Grid spacing in metres.
    kernel : str
    """

    x: np.ndarray
    y: np.ndarray
    density: np.ndarray
    bandwidth: float
    cell_m: float
    kernel: str

    def total(self) -> float:
        """Integral of the surface (number of reports it represents)."""
        return float(self.density.sum() * (self.cell_m / 1000.0) ** 2)

    def to_frame(self) -> pd.DataFrame:
        """One row per grid cell: ``x``, ``y``, ``lon``, ``lat``, ``density`` (per km²)."""
        gx, gy = np.meshgrid(self.x, self.y)
        ll = to_lonlat(np.column_stack([gx.ravel(), gy.ravel()]))
        return pd.DataFrame(
            {"x": gx.ravel(), "y": gy.ravel(), "lon": ll[:, 0], "lat": ll[:, 1], "density": self.density.ravel()}
        )


def density_grid(
    df: pd.DataFrame,
    *,
    bandwidth: float | None = None,
    kernel: Kernel = "quartic",
    cell_m: float = 50.0,
    bbox: Sequence[float] | None = None,
    crs: str | None = None,
) -> DensityGrid:
    """Kernel density of the reports on a grid, reports per km².

    Parameters
    ----------
    df : DataFrame
        ``lat``, ``lon`` of the reports (filter vague ones first).
    bandwidth : float, optional
        Metres; default :func:`silverman_radius`.
    kernel : {"quartic", "gaussian"}
    cell_m : float
        Grid spacing in metres.
    bbox : (lon_min, lat_min, lon_max, lat_max), optional
        Extent; default the points' extent padded by the kernel's reach
        (h, or 4h for Gaussian) so the whole mass is on the grid.
    crs : str, optional
        Metric CRS of the grid; default the city profile's.

    Returns
    -------
    DensityGrid

    Examples
    --------
    >>> d = pd.DataFrame({"lat": [47.56, 47.561, 47.57], "lon": [31.33, 31.331, 31.34]})
    >>> g = density_grid(d, bandwidth=300.0, cell_m=20.0)
    >>> round(g.total(), 2)
    3.0
    """
    crs = metric_crs(crs)
    xy = to_metres(df["lat"].to_numpy(float), df["lon"].to_numpy(float), crs)
    h = float(bandwidth) if bandwidth is not None else silverman_radius(xy)
    if bbox is not None:
        lats = np.array([bbox[1], bbox[3], bbox[1], bbox[3]])
        lons = np.array([bbox[0], bbox[2], bbox[2], bbox[0]])
        corners = to_metres(lats, lons, crs)
        lo, hi = corners.min(axis=0), corners.max(axis=0)
    else:
        reach = h if kernel == "quartic" else 4 * h
        lo, hi = xy.min(axis=0) - reach, xy.max(axis=0) + reach
    gx = np.arange(lo[0] + cell_m / 2, hi[0], cell_m)
    gy = np.arange(lo[1] + cell_m / 2, hi[1], cell_m)
    mx, my = np.meshgrid(gx, gy)
    dens = kernel_density(xy, np.column_stack([mx.ravel(), my.ravel()]), h, kernel) * 1e6
    return DensityGrid(gx, gy, dens.reshape(len(gy), len(gx)), h, float(cell_m), kernel)


def density_per_cell(
    df: pd.DataFrame,
    cells: Sequence[str],
    *,
    bandwidth: float | None = None,
    kernel: Kernel = "quartic",
    crs: str | None = None,
) -> pd.Series:
    """Density (reports per km²) at the centre of each H3 cell, for ranking (distances in
    ``crs``, default the city profile's metric CRS).

    Examples
    --------
    >>> c = h3.latlng_to_cell(47.566, 31.33, 9)
    >>> d = pd.DataFrame({"lat": [47.566, 47.5662], "lon": [31.33, 31.3301]})
    >>> s = density_per_cell(d, sorted(h3.grid_disk(c, 2)), bandwidth=400.0)
    >>> s.idxmax() == c
    True
    """
    crs = metric_crs(crs)
    xy = to_metres(df["lat"].to_numpy(float), df["lon"].to_numpy(float), crs)
    h = float(bandwidth) if bandwidth is not None else silverman_radius(xy)
    centres = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    target = to_metres(centres[:, 0], centres[:, 1], crs)
    dens = kernel_density(xy, target, h, kernel) * 1e6
    return pd.Series(dens, index=pd.Index(list(cells), name="cell"), name="density")
