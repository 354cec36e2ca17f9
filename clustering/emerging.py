"""Emerging Hot Spot Analysis (ArcGIS's 17 categories) on an H3 space-time cube.

Steps, as in ArcGIS's Emerging Hot Spot Analysis:

1. A complete cube: every study-area cell x every time step (month by default,
   weeks optional), zeros included (sfdep fails on gaps; zeros matter for Gi*).
2. Gi* per time step over the spatial k-ring neighbours (binary, self
   included), with Benjamini-Hochberg FDR within each step. A step whose counts
   have no variance (e.g. a week without reports) gives z = 0, not significant.
   ``time_lag=N`` adds ArcGIS's "Neighborhood Time Step": the same cells in the
   N previous steps join the neighbourhood, i.e. step t's Gi* is taken on the
   counts of steps t-N..t (fewer at the start of the cube). ArcGIS's default is
   N = 1; ``time_lag=0`` (this module's default) is the purely spatial Gi* of
   each step. The mean and variance of step t's Gi* are those of the window
   totals over the area (a moving-window reading: the reference does not fix
   ArcGIS's exact space-time null). sfdep's ``k = 1`` takes the same
   neighbourhood (the spatial neighbours at t and t-1) and is therefore
   comparable, not equal: sfdep uses queen contiguity with row-standardised
   weights, a permutation pseudo p-value (199 simulations) and a 0.01
   threshold without FDR (``sfdep/R/emerging-hostpot-analysis.R``), where this
   module uses binary H3 k-rings, the analytic z and BH-FDR.
3. Mann-Kendall trend on each cell's series of z-scores.
4. One category per cell from the history of significant hot (H) and cold (C)
   steps and the trend.

Rules (hot side; the cold side mirrors them with H and C swapped and the trend
reversed). ``T`` = number of steps, ``fH`` = share of steps that are H,
"the run" = the uninterrupted run of H steps that ends at the final step:

- final step H:
    - ``fH >= 0.9``: *intensifying* if the trend is significantly increasing,
      *diminishing* if significantly decreasing, else *persistent*;
    - otherwise, if any earlier step was C: *oscillating*;
    - otherwise, if no H before the run: *new* (run of 1) or *consecutive*
      (run of 2 or more);
    - otherwise (H before, a gap, H again, never C): *sporadic*.
- final step not significant (neither H nor C):
    - ``fH >= 0.9``: *historical* hot (``fC >= 0.9``: historical cold);
    - with ``sporadic="sfdep"`` only: any H and never C is *sporadic* hot (the
      sfdep port's reading, which does not require the final step);
    - otherwise *no pattern*.

Choices where ArcGIS's text leaves room, all parameters:

- The final step's state decides the side (a cell hot for 90 % of the time and
  cold at the end is an *oscillating cold spot*, not a *historical hot spot*).
- Oscillating takes precedence over new/consecutive: "never hot before" in
  ArcGIS's definitions is read as "never significant before".
- ``alpha=0.05`` for the step bins (after FDR; ArcGIS reports 90/95/99 % bins,
  sfdep uses 0.01) and ``trend_alpha=0.01`` for the Mann-Kendall trend (as
  sfdep). Why 0.01 for the trend: a steady place's z-series has no trend, yet a
  test at 0.05 still calls one in twenty of them intensifying or diminishing;
  with several persistent places on a map that false label is likely. A
  planted change of the demo's size has trend z ~ 5 either way.
- ``sporadic="arcgis"`` (final step must be hot, as in ArcGIS's text) or
  ``"sfdep"``.

Examples
--------
>>> import numpy as np
>>> z = np.array([[0.0] * 9 + [3.0], [3.0] * 10, [0.0] * 10])
>>> classify(z).tolist()
['new_hot', 'persistent_hot', 'no_pattern']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr

from data.messages import Message, msg

from ._project import city_tz
from .binning import cell_positions
from .fdr import bh_reject
from .gistar import MIN_REPORTS, gistar_z, neighbour_matrix
from .mann_kendall import mann_kendall

__all__ = [
    "CATEGORIES",
    "LABELS",
    "EmergingResult",
    "classify",
    "emerging_hotspots",
    "space_time_cube",
]

#: Category slugs: "no_pattern" then 8 hot and 8 cold.
CATEGORIES = ("no_pattern",) + tuple(
    f"{name}_{side}"
    for side in ("hot", "cold")
    for name in (
        "new",
        "consecutive",
        "intensifying",
        "persistent",
        "diminishing",
        "sporadic",
        "oscillating",
        "historical",
    )
)

#: ArcGIS's English names of the categories.
LABELS = {"no_pattern": "No Pattern Detected"} | {
    c: f"{c.split('_')[0].capitalize()} {'Hot' if c.endswith('hot') else 'Cold'} Spot" for c in CATEGORIES[1:]
}

PERSISTENCE = 0.9


def _trailing_sums(y: np.ndarray, lag: int) -> np.ndarray:
    """Per column t, the sum of columns max(0, t - lag)..t (space-time neighbourhood)."""
    c = np.cumsum(np.pad(y, ((0, 0), (1, 0))), axis=1)
    lo = np.maximum(np.arange(y.shape[1]) - lag, 0)
    return c[:, 1:] - c[:, lo]


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True that ends at the last column, per row."""
    return np.cumprod(flags[:, ::-1], axis=1).sum(axis=1)


def _classify_side(
    own: np.ndarray,
    other: np.ndarray,
    trend_up: np.ndarray,
    trend_down: np.ndarray,
    sporadic: str,
) -> dict[str, np.ndarray]:
    """Masks of the 8 categories for one side ("own" = H for hot)."""
    t = own.shape[1]
    last = own[:, -1]
    share = own.sum(axis=1) / t
    run = _trailing_run(own)
    before = own.sum(axis=1) - run > 0
    ever_other = other.any(axis=1)
    steady = share >= PERSISTENCE
    masks = {
        "intensifying": last & steady & trend_up,
        "diminishing": last & steady & trend_down,
        "persistent": last & steady & ~trend_up & ~trend_down,
        "oscillating": last & ~steady & ever_other,
        "new": last & ~steady & ~ever_other & ~before & (run == 1),
        "consecutive": last & ~steady & ~ever_other & ~before & (run >= 2),
        "sporadic": last & ~steady & ~ever_other & before,
    }
    quiet_end = ~last & ~other[:, -1]
    masks["historical"] = quiet_end & steady
    if sporadic == "sfdep":
        masks["sporadic"] = masks["sporadic"] | (quiet_end & ~steady & own.any(axis=1) & ~ever_other)
    return masks


def classify(
    z: np.ndarray,
    significant: np.ndarray | None = None,
    *,
    alpha: float = 0.05,
    trend_alpha: float = 0.01,
    sporadic: Literal["arcgis", "sfdep"] = "arcgis",
) -> np.ndarray:
    """Category slug of each row of a z-score matrix (cells x time steps).

    Parameters
    ----------
    z : ndarray, shape (n_cells, n_steps)
        Gi* z-scores per step; the Mann-Kendall trend is taken on these.
    significant : ndarray of bool, same shape, optional
        Which steps are significant (e.g. FDR-corrected). Default: two-sided
        normal ``p <= alpha`` without correction.
    alpha : float
        Step significance when ``significant`` is not given.
    trend_alpha : float
        Significance of the Mann-Kendall trend.
    sporadic : {"arcgis", "sfdep"}
        Reading of "sporadic" (see module docstring).

    Returns
    -------
    ndarray of str
        One of :data:`CATEGORIES` per row.

    Examples
    --------
    >>> classify(np.array([[-3.0] * 10 + [0.0]])).tolist()
    ['historical_cold']
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    if significant is None:
        significant = 2 * ndtr(-np.abs(z)) <= alpha
    return _categories(z, np.atleast_2d(significant).astype(bool), mann_kendall(z), trend_alpha, sporadic)


def _categories(
    z: np.ndarray, significant: np.ndarray, mk: dict[str, np.ndarray], trend_alpha: float, sporadic: str
) -> np.ndarray:
    """:func:`classify` with the Mann-Kendall results already computed."""
    if sporadic not in ("arcgis", "sfdep"):
        raise ValueError("sporadic must be 'arcgis' or 'sfdep'")
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    up = (mk["p"] < trend_alpha) & (mk["s"] > 0)
    down = (mk["p"] < trend_alpha) & (mk["s"] < 0)
    out = np.full(z.shape[0], "no_pattern", dtype=object)
    # Cold first, hot second: the masks are disjoint by construction (the final
    # step is H, C or neither), so the order only matters for historical, which
    # needs >= 90 % of one side and therefore cannot hold for both.
    for side, own, other, t_up, t_down in (("cold", cold, hot, down, up), ("hot", hot, cold, up, down)):
        for name, mask in _classify_side(own, other, t_up, t_down, sporadic).items():
            out[mask] = f"{name}_{side}"
    return out


def space_time_cube(
    df: pd.DataFrame,
    area_cells: Sequence[str],
    res: int,
    freq: Literal["M", "W"] = "M",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    tz: str | None = None,
) -> pd.DataFrame:
    """Complete cell x period count matrix.

    Parameters
    ----------
    df : DataFrame
        ``lat``, ``lon``, ``occurred_at`` (tz-aware UTC). Filter vague and
        unlocated reports first (see :func:`clustering.binning.bin_counts`).
    area_cells : sequence of str
        Study area; points outside it are ignored.
    res : int
        H3 resolution of ``area_cells``.
    freq : {"M", "W"}
        Calendar months or weeks (Monday-Sunday), in local time ``tz``.
    start, end : optional
        First and last period to include (default: the data's range).
    tz : str, optional
        Time zone whose calendar defines the periods (default: the city profile's).

    Returns
    -------
    DataFrame
        Index ``cell`` (every area cell), columns a complete PeriodIndex.

    Examples
    --------
    >>> from clustering.binning import study_area
    >>> area = study_area([(31.3, 47.55), (31.35, 47.55), (31.35, 47.58), (31.3, 47.58)], 8)
    >>> d = pd.DataFrame({"lat": [47.566], "lon": [31.33],
    ...                   "occurred_at": pd.to_datetime(["2026-03-05T10:00Z"])})
    >>> cube = space_time_cube(d, area, 8, start="2026-01", end="2026-03")
    >>> cube.shape == (len(area), 3), int(cube.to_numpy().sum())
    (True, 1)
    """
    ok = df["lat"].notna() & df["lon"].notna() & df["occurred_at"].notna()
    d = df.loc[ok]
    local = pd.to_datetime(d["occurred_at"], utc=True).dt.tz_convert(city_tz(tz)).dt.tz_localize(None)
    periods = local.dt.to_period(freq)
    lo = pd.Period(start, freq) if start is not None else periods.min()
    hi = pd.Period(end, freq) if end is not None else periods.max()
    columns = pd.period_range(lo, hi, freq=freq)
    cells = pd.Index(area_cells, name="cell")
    row = cell_positions(d["lat"].to_numpy(float), d["lon"].to_numpy(float), res, cells)
    col = columns.get_indexer(periods)
    keep = (row >= 0) & (col >= 0)
    flat = np.bincount(row[keep] * len(columns) + col[keep], minlength=len(cells) * len(columns))
    return pd.DataFrame(flat.reshape(len(cells), len(columns)), index=cells, columns=columns)


@dataclass
class EmergingResult:
    """Outcome of :func:`emerging_hotspots`.

    Attributes
    ----------
    table : DataFrame
        Per cell: ``cell``, ``category`` (slug), ``label``, ``n`` (reports over
        all steps), ``n_hot``/``n_cold`` (significant steps), ``trend_z``,
        ``trend_p``, ``tau`` (Mann-Kendall on the z-series).
    z : DataFrame
        Gi* z per cell and step (0 where a step has no variance).
    ok : bool
        False when the cube holds too few reports.
    reason : Message or None
        Why not, as a catalogue message (None when ok).
    """

    table: pd.DataFrame
    z: pd.DataFrame
    ok: bool
    reason: Message | None


def emerging_hotspots(
    cube: pd.DataFrame,
    k: int = 1,
    *,
    alpha: float = 0.05,
    trend_alpha: float = 0.01,
    fdr: bool = True,
    sporadic: Literal["arcgis", "sfdep"] = "arcgis",
    min_reports: int = MIN_REPORTS,
    time_lag: int = 0,
) -> EmergingResult:
    """Emerging Hot Spot Analysis of a space-time cube.

    Parameters
    ----------
    cube : DataFrame
        Cells x time steps counts (see :func:`space_time_cube`), every area
        cell present.
    k : int
        Spatial ring order.
    alpha : float
        Significance of a step's Gi* bin (two-sided, BH within each step when
        ``fdr``).
    trend_alpha : float
        Significance of the Mann-Kendall trend.
    fdr : bool
        Benjamini-Hochberg within each step (ArcGIS always applies it).
    sporadic : {"arcgis", "sfdep"}
        Reading of "sporadic".
    min_reports : int
        Fewer reports in the whole cube give ``ok=False``.
    time_lag : int
        Previous time steps in each step's neighbourhood (ArcGIS's
        "Neighborhood Time Step", default 1 there): step t's Gi* is computed on
        the counts of steps t-time_lag..t. 0 = purely spatial Gi* per step.
        ``n`` in the table still counts each report once.

    Returns
    -------
    EmergingResult

    Examples
    --------
    >>> import h3
    >>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 6))
    >>> cube = pd.DataFrame(0, index=cells, columns=range(12))
    >>> hot = list(h3.grid_disk(cells[60], 1))
    >>> cube.loc[hot, :] = 5
    >>> r = emerging_hotspots(cube)
    >>> r.table.set_index("cell").loc[cells[60], "category"]
    'persistent_hot'
    """
    if time_lag < 0:
        raise ValueError("time_lag must be >= 0")
    y = cube.to_numpy(dtype=float)
    cells = cube.index.astype(str).tolist()
    w = neighbour_matrix(cells, k, include_self=True)
    total = int(round(y.sum()))
    if total < min_reports:
        empty = pd.DataFrame(
            {"cell": cells, "category": "no_pattern", "label": LABELS["no_pattern"], "n": y.sum(axis=1)}
        )
        z0 = pd.DataFrame(np.zeros_like(y), index=cube.index, columns=cube.columns)
        return EmergingResult(empty, z0, False, msg("too_few_reports", n=total, needed=min_reports))
    z = np.nan_to_num(gistar_z(w, _trailing_sums(y, time_lag) if time_lag else y), nan=0.0)
    p = 2 * ndtr(-np.abs(z))
    sig = bh_reject(p, alpha) if fdr else p <= alpha
    mk = mann_kendall(z)
    cats = _categories(z, sig, mk, trend_alpha, sporadic)
    table = pd.DataFrame(
        {
            "cell": cells,
            "category": cats,
            "label": [LABELS[c] for c in cats],
            "n": y.sum(axis=1).astype(np.int64),
            "n_hot": (sig & (z > 0)).sum(axis=1),
            "n_cold": (sig & (z < 0)).sum(axis=1),
            "trend_z": mk["z"],
            "trend_p": mk["p"],
            "tau": mk["tau"],
        }
    )
    return EmergingResult(table, pd.DataFrame(z, index=cube.index, columns=cube.columns), True, None)
