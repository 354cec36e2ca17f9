"""Points to H3 cells, and the study area as a complete set of cells.

Gi* and every other cell statistic need the *whole* study area, empty cells
included: a neighbourhood that silently loses its zero cells biases the
statistic upward (see DESIGN.md, "Hotspot method", step 2). So binning always
works against an explicit list of area cells, and points that fall outside it
or are too vague for the resolution are counted and reported, never dropped
without trace.

h3-py 4.x has no vectorised ``latlng_to_cell`` (h3ronpy would provide one but
is not a dependency). :func:`points_to_cells` therefore calls the compiled
integer function once per *distinct* coordinate pair and converts to strings
once per distinct cell. The result is exact (identical to
``h3.latlng_to_cell`` on every point). On random points it is only about 1.3x
faster than a plain string-API loop (the per-point C call dominates); on
geocoded reports, which repeat the same address and landmark points, it is
many times faster (see bench/hotspots.py).

Examples
--------
>>> area = study_area([(31.30, 47.55), (31.31, 47.55), (31.31, 47.56), (31.30, 47.56)], 8)
>>> len(area) > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd

try:  # the compiled function behind h3.api.basic_int, without its wrapper call
    from h3._cy import latlng_to_cell as _latlng_to_int
except ImportError:  # pragma: no cover - layout of a future h3-py
    from h3.api.basic_int import latlng_to_cell as _latlng_to_int
from shapely.geometry import Polygon, mapping
from shapely.geometry.base import BaseGeometry

__all__ = [
    "RESOLUTIONS",
    "MISSING",
    "OUTSIDE",
    "TOO_VAGUE",
    "BinningSummary",
    "assign_cells",
    "bin_counts",
    "edge_length_m",
    "points_to_cells",
    "study_area",
]

RESOLUTIONS = (7, 8, 9, 10)


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


def study_area(
    boundary: BaseGeometry | Sequence[tuple[float, float]], res: int
) -> list[str]:
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
    cells = h3.h3shape_to_cells_experimental(_to_h3shape(boundary), res, contain="overlap")
    return sorted(cells)


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


#: Codes of :func:`assign_cells` for reports that get no cell.
OUTSIDE, TOO_VAGUE, MISSING = -1, -2, -3


def assign_cells(
    df: pd.DataFrame, res: int, area_cells: Sequence[str]
) -> tuple[np.ndarray, BinningSummary]:
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
    cells_idx = pd.Index(area_cells, name="cell")
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
    pos[usable] = cells_idx.get_indexer(points_to_cells(lat[usable], lon[usable], res))
    summary = BinningSummary(
        n_in=int((pos >= 0).sum()),
        n_outside=int((pos == OUTSIDE).sum()),
        n_too_vague=int(vague.sum()),
        n_missing=int((~has_xy).sum()),
    )
    return pos, summary


def bin_counts(
    df: pd.DataFrame, res: int, area_cells: Sequence[str]
) -> tuple[pd.Series, BinningSummary]:
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
