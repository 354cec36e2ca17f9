"""Points to H3 cells, and the study area as a complete set of cells.

Gi* and every other cell statistic need the *whole* study area, empty cells
included: a neighbourhood that silently loses its zero cells biases the
statistic upward (see DESIGN.md, "Hotspot method", step 2). So binning always
works against an explicit list of area cells, and points that fall outside it
or are too vague for the resolution are counted and reported, never dropped
without trace.

h3-py 4.x has no vectorised ``latlng_to_cell`` (h3ronpy would provide one but
is not a dependency), and a Python loop costs about 1 s per million reports.
Two exact shortcuts:

- :func:`cell_positions` (used for all binning against a study area) exploits
  how H3 is built: on one icosahedron face, the cells of a resolution are the
  Voronoi hexagons of a regular lattice in the face's gnomonic plane, and the
  local IJ coordinates are that lattice's coordinates. Any gnomonic projection
  differs from the face's by a projective map, so one 3x3 homography, fitted on
  the area's cell centres (residual checked), takes a point to continuous
  lattice coordinates; hexagonal rounding then gives its cell in numpy. A point
  is accepted only if it lies strictly inside its hexagon by a margin far
  above the fit residual and float error; points near an edge, outside the
  area, or areas that touch a face edge or pentagon fall back to H3 itself.
  The answer is therefore identical to ``h3.latlng_to_cell`` (tested on
  millions of points, including cell vertices and edge midpoints).
- :func:`points_to_cells` (the fallback, and for points with no area) calls
  the compiled integer function once per *distinct* coordinate pair: geocoded
  reports repeat the same address and landmark points.

Examples
--------
>>> area = study_area([(31.30, 47.55), (31.31, 47.55), (31.31, 47.56), (31.30, 47.56)], 8)
>>> len(area) > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, mapping
from shapely.geometry.base import BaseGeometry

from .h3_lattice import h3_local_ij

try:  # the compiled function behind h3.api.basic_int, without its wrapper call
    from h3._cy import latlng_to_cell as _latlng_to_int
except ImportError:  # pragma: no cover - layout of a future h3-py
    from h3.api.basic_int import latlng_to_cell as _latlng_to_int

__all__ = [
    "RESOLUTIONS",
    "MISSING",
    "OUTSIDE",
    "TOO_VAGUE",
    "BinningSummary",
    "assign_cells",
    "bin_counts",
    "cell_positions",
    "edge_length_m",
    "points_to_cells",
    "study_area",
]

RESOLUTIONS = (7, 8, 9, 10)
_CHUNK = 1 << 15


@dataclass(frozen=True)
class BinningSummary:
    """What happened to the reports during binning.

    Attributes
    ----------
    n_in : int
        Reports counted in a cell of the study area.
    n_outside : int
        Reports whose point lies outside the study area (kept out of the
        counts, reported so the analyst can see them).
    n_too_vague : int
        Reports whose ``uncertainty_m`` exceeds the cell edge length (street or
        microdistrict centroids): placing them in one cell would fake precision.
    n_missing : int
        Reports without coordinates.
    """

    n_in: int
    n_outside: int
    n_too_vague: int
    n_missing: int = 0


def edge_length_m(res: int) -> float:
    """Average H3 hexagon edge length in metres at ``res``.

    Used as the precision threshold: a report located more vaguely than one
    edge length cannot be assigned to a cell honestly.

    Examples
    --------
    >>> round(edge_length_m(9))
    201
    """
    return float(h3.average_hexagon_edge_length(res, unit="m"))


def _to_h3shape(boundary: BaseGeometry | Sequence[tuple[float, float]]) -> h3.H3Shape:
    if not isinstance(boundary, BaseGeometry):
        boundary = Polygon(boundary)
    return h3.geo_to_h3shape(mapping(boundary))


def study_area(boundary: BaseGeometry | Sequence[tuple[float, float]], res: int) -> list[str]:
    """Every H3 cell that overlaps the city boundary, sorted.

    ``contain="overlap"`` keeps cells that only partly cover the boundary, so
    every report inside the city falls in a cell of the area (centroid
    containment would miss the rim).

    Parameters
    ----------
    boundary : shapely Polygon/MultiPolygon or sequence of (lon, lat)
        City outline in WGS84 (lon, lat order, as in GeoJSON).
    res : int
        H3 resolution, 7-10.

    Returns
    -------
    list of str
        Sorted cell ids, empty cells included.

    Examples
    --------
    >>> box = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]
    >>> len(study_area(box, 9))
    751
    """
    if res not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {res}")
    if not isinstance(boundary, BaseGeometry):
        boundary = Polygon(boundary)
    return list(_area_of(shapely.to_wkb(boundary), res))


@lru_cache(maxsize=16)
def _area_of(wkb: bytes, res: int) -> tuple[str, ...]:
    """The sorted cells of a boundary given as WKB (exact and hashable), once per boundary and
    resolution: a police period asks for its city's area four times (~1.9 ms each)."""
    cells = h3.h3shape_to_cells_experimental(_to_h3shape(shapely.from_wkb(wkb)), res, contain="overlap")
    return tuple(sorted(cells))


def points_to_cells(lat: np.ndarray, lon: np.ndarray, res: int) -> np.ndarray:
    """H3 cell id (str) of every point; exact, deduplicated by coordinate pair.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; must not contain NaN.
    res : int
        H3 resolution.

    Returns
    -------
    numpy.ndarray of object (str)

    Examples
    --------
    >>> points_to_cells([47.566, 47.566], [31.33, 31.33], 9).tolist() == [h3.latlng_to_cell(47.566, 31.33, 9)] * 2
    True
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if lat.size == 0:
        return np.empty(0, dtype=object)
    # Identical coordinate pairs (address points, landmarks) are resolved once.
    # A complex number packs the pair exactly, so one hash table dedupes both.
    codes, uniq = pd.factorize(lat + 1j * lon, sort=False)
    ulat, ulon = uniq.real, uniq.imag
    ints = np.fromiter(
        map(_latlng_to_int, ulat.tolist(), ulon.tolist(), [res] * ulat.size),
        dtype=np.uint64,
        count=ulat.size,
    )
    cell_codes, cell_ints = pd.factorize(ints)
    names = np.array([h3.int_to_str(int(c)) for c in cell_ints], dtype=object)
    return names[cell_codes[codes]]


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    la, lo = np.radians(lat), np.radians(lon)
    c = np.cos(la)
    return c * np.cos(lo), c * np.sin(lo), np.sin(la)


def _gnomonic(axes: np.ndarray, xyz: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Gnomonic projection about ``axes[2]`` onto the plane spanned by ``axes[0]``, ``axes[1]``."""
    # Column arithmetic rather than a (n, 3) @ (3, 3) matmul: BLAS threads
    # make that tiny product slow and erratic on a busy machine.
    (u0, u1, u2), (v0, v1, v2), (c0, c1, c2) = axes
    x, y, z = xyz
    w = c0 * x + c1 * y + c2 * z
    return (u0 * x + u1 * y + u2 * z) / w, (v0 * x + v1 * y + v2 * z) / w


@dataclass(frozen=True)
class _Lattice:
    """Projective map from the sphere to the H3 lattice of one area (see module docstring)."""

    axes: np.ndarray  # (3, 3): rows u, v, c of a gnomonic projection about c
    mean: np.ndarray  # (2,) normalisation of the plane coordinates
    scale: float
    h: np.ndarray  # (8,) homography plane -> lattice (i, j)
    i0: int
    j0: int
    table: np.ndarray  # lattice (i - i0, j - j0) -> position in the area, -1 if none
    eps: float  # margin (lattice units) a point must keep from its hexagon's edges

    def plane(self, xyz: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        px, py = _gnomonic(self.axes, xyz)
        return (px - self.mean[0]) / self.scale, (py - self.mean[1]) / self.scale

    def lattice(self, xy: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        h = self.h
        x, y = xy
        den = h[6] * x + h[7] * y + 1.0
        return (h[0] * x + h[1] * y + h[2]) / den, (h[3] * x + h[4] * y + h[5]) / den


@lru_cache(maxsize=16)
def _area_lattice(cells: tuple[str, ...]) -> _Lattice | None:
    """Fit the area's lattice map, or None when the shortcut cannot be proven safe."""
    if len(cells) < 8:
        return None
    faces = set()
    for c in cells:
        f = h3.get_icosahedron_faces(c)
        if len(f) != 1:  # the cell touches a face edge (or is a pentagon)
            return None
        faces.update(f)
    if len(faces) != 1:
        return None
    try:
        ij = h3_local_ij(list(map(int, cells, repeat(16)))).astype(float)
    except h3.H3BaseException:
        return None
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    xyz = _unit_vectors(centres[:, 0], centres[:, 1])
    c = np.array([a.mean() for a in xyz])
    c /= np.linalg.norm(c)
    u = np.cross([0.0, 0.0, 1.0], c)
    u /= np.linalg.norm(u)
    axes = np.vstack([u, np.cross(c, u), c])
    raw = np.column_stack(_gnomonic(axes, xyz))
    mean, scale = raw.mean(axis=0), float(raw.std())
    xy = (raw - mean) / scale
    # Direct linear transform: i (h6 x + h7 y + 1) = h0 x + h1 y + h2, same for j.
    n, x, y, i, j = len(xy), xy[:, 0], xy[:, 1], ij[:, 0], ij[:, 1]
    a = np.zeros((2 * n, 8))
    a[:n, 0], a[:n, 1], a[:n, 2], a[:n, 6], a[:n, 7] = x, y, 1.0, -i * x, -i * y
    a[n:, 3], a[n:, 4], a[n:, 5], a[n:, 6], a[n:, 7] = x, y, 1.0, -j * x, -j * y
    h = np.linalg.lstsq(a, np.concatenate([i, j]), rcond=None)[0]
    i0, j0 = int(ij[:, 0].min()), int(ij[:, 1].min())
    table = np.full((int(ij[:, 0].max()) - i0 + 1, int(ij[:, 1].max()) - j0 + 1), -1, dtype=np.int64)
    table[ij[:, 0].astype(np.int64) - i0, ij[:, 1].astype(np.int64) - j0] = np.arange(n)
    lat = _Lattice(axes, mean, scale, h, i0, j0, table, eps=0.0)
    fi, fj = lat.lattice((xy[:, 0], xy[:, 1]))
    resid = float(max(np.abs(fi - i).max(), np.abs(fj - j).max()))
    if resid > 1e-5:  # not one lattice: leave it to H3
        return None
    return _Lattice(axes, mean, scale, h, i0, j0, table, eps=max(1e-7, 100.0 * resid))


def _lattice_positions(lat_map: _Lattice, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Area position of each point's cell, or -1 where the shortcut does not decide."""
    fi, fj = lat_map.lattice(lat_map.plane(_unit_vectors(lat, lon)))
    # Cube coordinates of the hexagonal lattice (neighbours at (+-1, 0), (0, +-1), +-(1, 1) in IJ).
    cx, cz = fi - fj, fj
    cy = -cx - cz
    rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    ry = np.where(fix_y, -rx - rz, ry)
    rz = -rx - ry
    ex, ey, ez = cx - rx, cy - ry, cz - rz
    margin = 1.0 - np.maximum(np.maximum(np.abs(ex - ey), np.abs(ey - ez)), np.abs(ez - ex))
    i = (rx + rz).astype(np.int64) - lat_map.i0
    j = rz.astype(np.int64) - lat_map.j0
    ni, nj = lat_map.table.shape
    ok = (margin > lat_map.eps) & (i >= 0) & (i < ni) & (j >= 0) & (j < nj)
    pos = np.full(lat.size, -1, dtype=np.int64)
    pos[ok] = lat_map.table[i[ok], j[ok]]
    return pos


def cell_positions(lat: np.ndarray, lon: np.ndarray, res: int, area_cells: Sequence[str]) -> np.ndarray:
    """Position in ``area_cells`` of each point's H3 cell, -1 if outside the area.

    Exact (equal to looking up ``h3.latlng_to_cell``), vectorised through the
    area's lattice (see module docstring), with H3 itself for the rest.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees, no NaN.
    res : int
        Resolution of ``area_cells``.
    area_cells : sequence of str
        Cells of one resolution (usually :func:`study_area`).

    Examples
    --------
    >>> area = study_area([(31.30, 47.55), (31.36, 47.55), (31.36, 47.58), (31.30, 47.58)], 9)
    >>> pos = cell_positions(np.array([47.566, 48.0]), np.array([31.33, 31.0]), 9, area)
    >>> area[pos[0]] == h3.latlng_to_cell(47.566, 31.33, 9), int(pos[1])
    (True, -1)
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    cells = tuple(area_cells)
    if cells and h3.get_resolution(cells[0]) != res:
        raise ValueError(f"area cells are not at resolution {res}")
    lat_map = _area_lattice(cells) if lat.size else None
    pos = np.full(lat.size, -1, dtype=np.int64)
    if lat_map is not None:
        # Chunks keep the ~30 temporaries in cache instead of page-faulting fresh arrays.
        for lo in range(0, lat.size, _CHUNK):
            pos[lo : lo + _CHUNK] = _lattice_positions(lat_map, lat[lo : lo + _CHUNK], lon[lo : lo + _CHUNK])
    todo = pos < 0
    if todo.any():
        pos[todo] = pd.Index(cells).get_indexer(points_to_cells(lat[todo], lon[todo], res))
    return pos


#: Codes of :func:`assign_cells` for reports that get no cell.
OUTSIDE, TOO_VAGUE, MISSING = -1, -2, -3


def assign_cells(df: pd.DataFrame, res: int, area_cells: Sequence[str]) -> tuple[np.ndarray, BinningSummary]:
    """Position of each report's cell in ``area_cells``, or why it has none.

    Parameters
    ----------
    df : DataFrame
        Columns ``lat``, ``lon`` and optionally ``uncertainty_m`` (metres;
        NaN means precise).
    res : int
        H3 resolution of ``area_cells``.
    area_cells : sequence of str
        The study area (see :func:`study_area`).

    Returns
    -------
    pos : ndarray of int64, one per row of ``df``
        Index into ``area_cells``, or :data:`OUTSIDE`, :data:`TOO_VAGUE`,
        :data:`MISSING`.
    summary : BinningSummary

    Examples
    --------
    >>> area = study_area([(31.30, 47.55), (31.36, 47.55), (31.36, 47.58), (31.30, 47.58)], 9)
    >>> df = pd.DataFrame({"lat": [47.566, 48.0, None], "lon": [31.33, 31.0, None]})
    >>> pos, s = assign_cells(df, 9, area)
    >>> bool(pos[0] >= 0), pos[1:].tolist()
    (True, [-1, -3])
    """
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype=float)
    has_xy = np.isfinite(lat) & np.isfinite(lon)
    if "uncertainty_m" in df.columns:
        unc = pd.to_numeric(df["uncertainty_m"], errors="coerce").to_numpy(dtype=float)
        vague = has_xy & (np.nan_to_num(unc, nan=0.0) > edge_length_m(res))
    else:
        vague = np.zeros(len(df), dtype=bool)
    usable = has_xy & ~vague
    pos = np.full(len(df), MISSING, dtype=np.int64)
    pos[vague] = TOO_VAGUE
    pos[usable] = cell_positions(lat[usable], lon[usable], res, area_cells)
    summary = BinningSummary(
        n_in=int((pos >= 0).sum()),
        n_outside=int((pos == OUTSIDE).sum()),
        n_too_vague=int(vague.sum()),
        n_missing=int((~has_xy).sum()),
    )
    return pos, summary


def bin_counts(df: pd.DataFrame, res: int, area_cells: Sequence[str]) -> tuple[pd.Series, BinningSummary]:
    """Count reports per cell over the whole study area.

    Parameters
    ----------
    df : DataFrame
        Columns ``lat``, ``lon`` and optionally ``uncertainty_m`` (metres;
        NaN means precise).
    res : int
        H3 resolution of ``area_cells``.
    area_cells : sequence of str
        The study area (see :func:`study_area`).

    Returns
    -------
    counts : Series of int64
        Indexed by every area cell (name ``cell``), zeros included.
    summary : BinningSummary
        Reports counted, outside the area, too vague, without coordinates.

    Examples
    --------
    >>> area = study_area([(31.30, 47.55), (31.36, 47.55), (31.36, 47.58), (31.30, 47.58)], 9)
    >>> df = pd.DataFrame({"lat": [47.566, 47.566, 48.0], "lon": [31.33, 31.33, 31.0],
    ...                    "uncertainty_m": [10.0, 900.0, 10.0]})
    >>> counts, s = bin_counts(df, 9, area)
    >>> int(counts.sum()), s.n_outside, s.n_too_vague
    (1, 1, 1)
    """
    pos, summary = assign_cells(df, res, area_cells)
    counts = np.bincount(pos[pos >= 0], minlength=len(area_cells)).astype(np.int64)
    return pd.Series(counts, index=pd.Index(area_cells, name="cell"), name="n"), summary
