"""One call per hotspot method, for the CLI and the app.

``python cli.py hotspots --res 9 --method gistar|kde|dbscan|hdbscan|emerging``
calls :func:`run`, which dispatches to one function per method. Every function
takes the reports as a DataFrame (``lat``, ``lon``, optional
``uncertainty_m``, ``occurred_at``, ``status``, ``duplicate_of``), the H3
resolution and the city boundary, and returns a table. The table's ``attrs``
carry what the analyst must see next to it: the method and parameters,
``ok``/``reason`` (insufficient data), and the binning summary (``n_in``,
``n_outside``, ``n_too_vague``, ``n_missing``, ``n_excluded``).

Reports marked ``status == "rejected"`` or with a ``duplicate_of`` are left
out before anything is counted: spam and duplicates must not make hotspots.

Examples
--------
>>> import numpy as np, pandas as pd
>>> box = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]
>>> rng = np.random.default_rng(0)
>>> rep = pd.DataFrame({"lat": 47.566 + rng.normal(0, 0.003, 200), "lon": 31.33 + rng.normal(0, 0.004, 200)})
>>> t = run(rep, "gistar", 8, box)
>>> list(t.columns), t.attrs["ok"], int(t["n"].sum()) == t.attrs["n_in"]
(['cell', 'n', 'z', 'p', 'bin'], True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from data.messages import msg

from ._project import to_metres
from .binning import assign_cells, study_area
from .density_clusters import dbscan_clusters, hdbscan_clusters
from .emerging import emerging_hotspots, space_time_cube
from .gistar import MIN_REPORTS, local_gistar
from .kde import density_per_cell, silverman_radius
from .neighbourhood import choose_k

__all__ = [
    "METHODS",
    "dbscan_table",
    "emerging_counts_table",
    "emerging_table",
    "gistar_counts_table",
    "gistar_table",
    "hdbscan_table",
    "kde_table",
    "prepare",
    "prepare_counts",
    "run",
]

Boundary = BaseGeometry | Sequence[tuple[float, float]]
METHODS = ("gistar", "kde", "dbscan", "hdbscan", "emerging")


def prepare(
    reports: pd.DataFrame, res: int, boundary: Boundary
) -> tuple[list[str], pd.Series, pd.DataFrame, dict[str, Any]]:
    """Study area, counts per cell, the usable reports and the binning summary.

    Returns
    -------
    area : list of str
        Every cell of the boundary at ``res``.
    counts : Series
        Reports per area cell.
    usable : DataFrame
        Reports that are located precisely enough and inside the area (the
        input of the point methods: KDE, DBSCAN, HDBSCAN).
    info : dict
        ``res``, ``n_in``, ``n_outside``, ``n_too_vague``, ``n_missing``,
        ``n_excluded`` (rejected or duplicate).
    """
    keep = pd.Series(True, index=reports.index)
    if "status" in reports.columns:
        keep &= reports["status"].astype(object).ne("rejected")
    if "duplicate_of" in reports.columns:
        keep &= reports["duplicate_of"].isna()
    df = reports.loc[keep]
    area = study_area(boundary, res)
    pos, summary = assign_cells(df, res, area)
    counts = pd.Series(np.bincount(pos[pos >= 0], minlength=len(area)), index=pd.Index(area, name="cell"), name="n")
    usable = df.loc[pos >= 0]
    info = {
        "res": res,
        "n_in": summary.n_in,
        "n_outside": summary.n_outside,
        "n_too_vague": summary.n_too_vague,
        "n_missing": summary.n_missing,
        "n_excluded": int((~keep).sum()),
    }
    return area, counts, usable, info


def prepare_counts(
    binned: pd.DataFrame, res: int, boundary: Boundary
) -> tuple[list[str], pd.Series, pd.DataFrame, dict[str, Any]]:
    """:func:`prepare` for reports already counted per cell (the store's GROUP BY).

    ``binned`` has ``cell``, ``kind`` (``ok``, ``vague``, ``missing``), ``n`` and any
    other key columns (``month``, ``category``). Returns the study area, counts per area
    cell, the in-area ``ok`` groups (the input of the space-time cube) and the same
    binning summary as :func:`prepare` gives on the rows.
    """
    area = study_area(boundary, res)
    ok = binned[binned["kind"] == "ok"]
    inside = ok[in_area(ok["cell"], area)]
    per_cell = inside.groupby("cell")["n"].sum()
    counts = pd.Series(
        per_cell.reindex(area, fill_value=0).to_numpy(dtype=np.int64), index=pd.Index(area, name="cell"), name="n"
    )
    info = {
        "res": res,
        "n_in": int(inside["n"].sum()),
        "n_outside": int(ok["n"].sum() - inside["n"].sum()),
        "n_too_vague": int(binned.loc[binned["kind"] == "vague", "n"].sum()),
        "n_missing": int(binned.loc[binned["kind"] == "missing", "n"].sum()),
        "n_excluded": 0,
    }
    return area, counts, inside.reset_index(drop=True), info


def in_area(cells: pd.Series, area: Sequence[str]) -> np.ndarray:
    """``cells.isin(area)`` as an array, looked up in a hash index of the area: pandas' isin on
    Arrow strings makes a scalar of each area cell first (~1.9 ms for a city at res 9)."""
    return pd.Index(area).get_indexer(cells) >= 0


def gistar_counts_table(
    binned: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    k: int = 1,
    fdr: bool = True,
    permutations: int = 0,
    seed: int = 0,
    min_reports: int = MIN_REPORTS,
) -> pd.DataFrame:
    """:func:`gistar_table` from counts per cell (see :func:`prepare_counts`): the same table."""
    _, counts, _, info = prepare_counts(binned, res, boundary)
    r = local_gistar(counts, int(k), fdr=fdr, permutations=permutations, seed=seed, min_reports=min_reports)
    return _finish(r.table, info, method="gistar", ok=r.ok, reason=r.reason, k=r.k, k_text="", fdr=fdr)


def emerging_counts_table(
    binned: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    k: int = 1,
    alpha: float = 0.05,
    trend_alpha: float = 0.01,
    sporadic: Literal["arcgis", "sfdep"] = "arcgis",
    start: str | None = None,
    end: str | None = None,
    time_lag: int = 0,
) -> pd.DataFrame:
    """:func:`emerging_table` (monthly) from counts per cell and local month (``month``)."""
    area, _, inside, info = prepare_counts(binned, res, boundary)
    if inside.empty:
        t = pd.DataFrame(columns=["cell", "category", "label", "n", "n_hot", "n_cold", "trend_z", "trend_p", "tau"])
        return _finish(t, info, method="emerging", ok=False, reason="no dated reports in the area", periods=[])
    by_month = inside.groupby(["cell", "month"])["n"].sum().unstack("month", fill_value=0)
    by_month.columns = pd.PeriodIndex(by_month.columns, freq="M")  # parse each month once, not each group
    first = pd.Period(start, freq="M") if start else by_month.columns.min()
    last = pd.Period(end, freq="M") if end else by_month.columns.max()
    periods = pd.period_range(first, last, freq="M")
    cube = by_month.reindex(index=pd.Index(area, name="cell"), columns=periods, fill_value=0).astype(np.int64)
    r = emerging_hotspots(cube, k, alpha=alpha, trend_alpha=trend_alpha, sporadic=sporadic, time_lag=time_lag)
    return _finish(
        r.table,
        info,
        method="emerging",
        ok=r.ok,
        reason=r.reason,
        k=k,
        freq="M",
        time_lag=time_lag,
        periods=[str(p) for p in cube.columns],
        alpha=alpha,
        trend_alpha=trend_alpha,
        sporadic=sporadic,
    )


def _finish(table: pd.DataFrame, info: dict[str, Any], **extra: Any) -> pd.DataFrame:
    table.attrs.update(info)
    table.attrs.update(extra)
    return table


def gistar_table(
    reports: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    k: int | Literal["auto"] = 1,
    k_max: int = 6,
    fdr: bool = True,
    permutations: int = 0,
    seed: int = 0,
    min_reports: int = MIN_REPORTS,
) -> pd.DataFrame:
    """Gi* over every cell of the area: ``cell``, ``n``, ``z``, ``p``, ``bin`` (+ ``p_sim``).

    ``k="auto"`` picks the ring order with :func:`clustering.neighbourhood.choose_k`
    and puts its explanation in ``attrs["k_text"]``. When ``attrs["ok"]`` is
    False, z/p are NaN and the map must not be drawn (``attrs["reason"]``).
    """
    area, counts, _, info = prepare(reports, res, boundary)
    k_text = ""
    if k == "auto":
        choice = choose_k(counts, k_max, res=res)
        k, k_text = choice.k, choice.text
    r = local_gistar(counts, int(k), fdr=fdr, permutations=permutations, seed=seed, min_reports=min_reports)
    return _finish(r.table, info, method="gistar", ok=r.ok, reason=r.reason, k=r.k, k_text=k_text, fdr=fdr)


def kde_table(
    reports: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    bandwidth: float | None = None,
    kernel: Literal["quartic", "gaussian"] = "quartic",
    min_reports: int = 2,
    crs: str | None = None,
) -> pd.DataFrame:
    """Kernel density at each area cell's centre: ``cell``, ``n``, ``density`` (per km²), ``rank``.

    ``rank`` is 1 for the densest cell (ties by cell id). The bandwidth used
    (metres) is in ``attrs["bandwidth_m"]``. Metres are in ``crs`` (default: the city
    profile's metric CRS).
    """
    area, counts, usable, info = prepare(reports, res, boundary)
    if len(usable) < min_reports:
        t = pd.DataFrame({"cell": area, "n": counts.to_numpy(), "density": np.nan, "rank": 0})
        return _finish(
            t,
            info,
            method="kde",
            ok=False,
            reason=msg("too_few_usable", n=len(usable)),
            bandwidth_m=bandwidth,
            kernel=kernel,
        )
    h = (
        bandwidth
        if bandwidth is not None
        else silverman_radius(to_metres(usable["lat"].to_numpy(float), usable["lon"].to_numpy(float), crs))
    )
    dens = density_per_cell(usable, area, bandwidth=h, kernel=kernel, crs=crs)
    order = np.lexsort((np.asarray(area), -dens.to_numpy()))
    rank = np.empty(len(area), dtype=np.int64)
    rank[order] = np.arange(1, len(area) + 1)
    t = pd.DataFrame({"cell": area, "n": counts.to_numpy(), "density": dens.to_numpy(), "rank": rank})
    return _finish(t, info, method="kde", ok=True, reason=None, bandwidth_m=float(h), kernel=kernel)


def dbscan_table(
    reports: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    eps_m: float = 150.0,
    min_samples: int = 5,
    crs: str | None = None,
) -> pd.DataFrame:
    """DBSCAN clusters: ``cluster``, ``n``, ``lat``, ``lon``, ``area_m2``, ``geometry``.

    Noise count in ``attrs["n_noise"]``. ``res`` only sets which reports are
    precise enough (uncertainty below the cell edge).
    """
    _, _, usable, info = prepare(reports, res, boundary)
    r = dbscan_clusters(usable, eps_m, min_samples, crs=crs)
    return _finish(r.clusters, info, ok=True, reason=None, n_noise=r.n_noise, **r.params)


def hdbscan_table(
    reports: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    min_cluster_size: int = 5,
    min_samples: int | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """HDBSCAN clusters, same columns as :func:`dbscan_table`."""
    _, _, usable, info = prepare(reports, res, boundary)
    if len(usable) <= min_cluster_size:
        t = pd.DataFrame(columns=["cluster", "n", "lat", "lon", "area_m2", "geometry"])
        return _finish(
            t,
            info,
            method="hdbscan",
            ok=False,
            reason=msg("too_few_usable", n=len(usable)),
            n_noise=len(usable),
        )
    r = hdbscan_clusters(usable, min_cluster_size, min_samples, crs=crs)
    return _finish(r.clusters, info, ok=True, reason=None, n_noise=r.n_noise, **r.params)


def emerging_table(
    reports: pd.DataFrame,
    res: int,
    boundary: Boundary,
    *,
    freq: Literal["M", "W"] = "M",
    k: int = 1,
    alpha: float = 0.05,
    trend_alpha: float = 0.01,
    sporadic: Literal["arcgis", "sfdep"] = "arcgis",
    start: str | None = None,
    end: str | None = None,
    time_lag: int = 0,
    tz: str | None = None,
) -> pd.DataFrame:
    """Emerging hot spot category per area cell (see :mod:`clustering.emerging`;
    ``time_lag`` is ArcGIS's "Neighborhood Time Step", 0 = spatial Gi* per step; periods
    are calendar months or weeks in ``tz``, default the city profile's time zone).

    Columns ``cell``, ``category``, ``label``, ``n``, ``n_hot``, ``n_cold``,
    ``trend_z``, ``trend_p``, ``tau``; the periods are in ``attrs["periods"]``.
    """
    area, _, usable, info = prepare(reports, res, boundary)
    if usable.empty or "occurred_at" not in usable.columns or usable["occurred_at"].isna().all():
        t = pd.DataFrame(columns=["cell", "category", "label", "n", "n_hot", "n_cold", "trend_z", "trend_p", "tau"])
        return _finish(t, info, method="emerging", ok=False, reason="no dated reports in the area", periods=[])
    cube = space_time_cube(usable, area, res, freq=freq, start=start, end=end, tz=tz)
    r = emerging_hotspots(cube, k, alpha=alpha, trend_alpha=trend_alpha, sporadic=sporadic, time_lag=time_lag)
    return _finish(
        r.table,
        info,
        method="emerging",
        ok=r.ok,
        reason=r.reason,
        k=k,
        freq=freq,
        time_lag=time_lag,
        periods=[str(p) for p in cube.columns],
        alpha=alpha,
        trend_alpha=trend_alpha,
        sporadic=sporadic,
    )


_DISPATCH = {
    "gistar": gistar_table,
    "kde": kde_table,
    "dbscan": dbscan_table,
    "hdbscan": hdbscan_table,
    "emerging": emerging_table,
}


def run(reports_df: pd.DataFrame, method: str, res: int, boundary: Boundary, **params: Any) -> pd.DataFrame:
    """Run one hotspot method and return its table (see the ``*_table`` functions).

    Parameters
    ----------
    reports_df : DataFrame
        Reports (``lat``, ``lon``; ``uncertainty_m``, ``occurred_at``,
        ``status``, ``duplicate_of`` when present).
    method : {"gistar", "kde", "dbscan", "hdbscan", "emerging"}
    res : int
        H3 resolution (7-10).
    boundary : shapely polygon or sequence of (lon, lat)
        City outline.
    **params
        Passed to the method's function.
    """
    try:
        fn = _DISPATCH[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}") from None
    return fn(reports_df, res, boundary, **params)
