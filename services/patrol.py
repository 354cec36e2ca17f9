"""A suggested patrol plan: which cells, in which time windows, cover most expected reports.

Expected reports per (cell, time window) are the weekly average of the last `weeks` weeks
for the same hours; N patrols each take one cell per window, each within its beat (the
travel model of clustering.patrol_plan), chosen to cover the most expected reports. The
plan says which share of all expected reports in the shift it covers and how close it is
to the best possible plan, so an officer who adjusts it sees what the change costs.

>>> windows(22, 6, 2)
[(22, 24), (0, 2), (2, 4), (4, 6)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pandas as pd
from pyproj import Transformer

from clustering import patrol_plan
from data.city_profile import city_zone, profile


def windows(shift_start: int, shift_end: int, window_hours: int) -> list[tuple[int, int]]:
    """Time windows (start, end hour) covering a shift; shifts may pass midnight."""
    length = (shift_end - shift_start) % 24 or 24
    out = []
    for offset in range(0, length, window_hours):
        start = (shift_start + offset) % 24
        end = start + min(window_hours, length - offset)
        out.append((start, end))
    return out


def expected_by_window(
    reports: pd.DataFrame,
    *,
    now: datetime,
    weeks: int,
    cell_column: str,
    shift: tuple[int, int],
    window_hours: int,
    tz: ZoneInfo | None = None,
) -> pd.DataFrame:
    """Average reports per week for every (cell, window) of the shift over the last weeks."""
    since = now - timedelta(weeks=weeks)
    recent = reports[(reports["occurred_at"] >= since) & (reports["occurred_at"] < now)]
    hours = recent["occurred_at"].dt.tz_convert(tz or city_zone()).dt.hour
    rows = []
    for start, end in windows(shift[0], shift[1], window_hours):
        mask = (hours >= start) & (hours < end)
        counts = recent.loc[mask].groupby(cell_column).size() / weeks
        rows += [
            {"window": f"{start:02d}:00-{end % 24:02d}:00", "cell": c, "expected": float(v)} for c, v in counts.items()
        ]
    return pd.DataFrame(rows, columns=["window", "cell", "expected"])


def expected_from_forecast(
    forecast: pd.DataFrame,
    reports: pd.DataFrame,
    *,
    now: datetime,
    weeks: int,
    cell_column: str,
    shift: tuple[int, int],
    window_hours: int,
    tz: ZoneInfo | None = None,
    prior: float = 2.0,
) -> pd.DataFrame:
    """Expected reports a week per (cell, window) from the default forecast (services.forecast).

    The forecast says how many reports a cell will have over its horizon
    (``attrs["horizon_days"]``); the cell's own hours of the last `weeks` weeks say when,
    shrunk towards the city's hours with `prior` pseudo-reports, so a cell with few reports
    still gets a sensible share of the day.
    """
    horizon = float(forecast.attrs.get("horizon_days", 28))
    weekly = forecast.set_index("cell")["score"].astype(float) * 7.0 / horizon
    weekly = weekly[weekly > 0]
    since = now - timedelta(weeks=weeks)
    when = reports["occurred_at"]
    inside = ((when >= since) & (when < now)).to_numpy()
    hours = when[inside].dt.tz_convert(tz or city_zone()).dt.hour.to_numpy()
    code = weekly.index.get_indexer(reports[cell_column].to_numpy()[inside])  # -1: no forecast, or no cell
    known = code >= 0
    total_by_cell = np.bincount(code[known], minlength=len(weekly))
    city = max(1, int(inside.sum()))
    labels, cells, values = [], [], []
    for start, end in windows(shift[0], shift[1], window_hours):
        mask = (hours >= start) & (hours < end)
        in_window = np.bincount(code[mask & known], minlength=len(weekly))
        city_share = mask.sum() / city
        share = (in_window + prior * city_share) / (total_by_cell + prior)
        value = weekly.to_numpy() * share
        keep = value > 0
        labels.append(np.full(int(keep.sum()), f"{start:02d}:00-{end % 24:02d}:00", dtype=object))
        cells.append(weekly.index.to_numpy()[keep])
        values.append(value[keep])
    if not labels:
        return pd.DataFrame(columns=["window", "cell", "expected"])
    return pd.DataFrame(
        {"window": np.concatenate(labels), "cell": np.concatenate(cells), "expected": np.concatenate(values)}
    )


@dataclass
class PatrolPlan:
    table: pd.DataFrame  # patrol, window, cell, expected, categories
    covered: float  # expected reports covered per week
    total: float  # all expected reports in the shift per week
    best: float | None = None  # no plan under the same constraints covers more (None: not solved)
    optimal: bool = False  # the plan is proved to be the best one

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def of_best(self) -> float | None:
        """The plan's coverage as a share of the best possible (1.0 when optimal)."""
        if self.best is None:
            return None
        return self.covered / self.best if self.best else 1.0


def cell_xy(cells: list[str], metric_crs: str) -> np.ndarray:
    """Cell centres in metres of the city's metric CRS (for the travel model)."""
    if not cells:
        return np.zeros((0, 2))
    lat, lon = np.array([h3.cell_to_latlng(c) for c in cells]).T
    x, y = Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True).transform(lon, lat)
    return np.column_stack([x, y])


def suggest(
    reports: pd.DataFrame,
    *,
    now: datetime,
    patrols: int,
    shift: tuple[int, int] = (18, 2),
    window_hours: int = 2,
    weeks: int = 8,
    cell_column: str = "h3_r9",
    beat_km: float = 1.5,
    metric_crs: str | None = None,
    tz: ZoneInfo | None = None,
    time_limit: float = 20.0,
    forecast: pd.DataFrame | None = None,
) -> PatrolPlan:
    """The best plan under the travel model (clustering.patrol_plan): each patrol keeps to a
    beat of diameter `beat_km`, one cell per window; solved exactly where the solver can.

    With `forecast` (the default forecast: cell, score) the expected reports come from it
    (:func:`expected_from_forecast`), else from the average week of the last `weeks` weeks."""
    reports = _since(reports, now - timedelta(weeks=weeks))
    expected = _expected(
        reports,
        now=now,
        weeks=weeks,
        cell_column=cell_column,
        shift=shift,
        window_hours=window_hours,
        tz=tz,
        forecast=forecast,
    )
    order = [f"{s:02d}:00-{e % 24:02d}:00" for s, e in windows(shift[0], shift[1], window_hours)]
    cell_of, uniques = pd.factorize(expected["cell"].to_numpy(), sort=True)
    cells = list(uniques)
    matrix = np.zeros((len(order), len(cells)))
    np.add.at(matrix, (pd.Index(order).get_indexer(expected["window"].to_numpy()), cell_of), expected["expected"])
    solved = patrol_plan.plan(
        matrix,
        cell_xy(cells, metric_crs or profile().metric_crs),
        patrols=patrols,
        beat_km=beat_km,
        time_limit=time_limit,
    )
    picks = pd.DataFrame(
        [
            {"patrol": p, "window": order[w], "cell": cells[c], "expected": float(matrix[w, c])}
            for w, c, p in solved.visits
        ],
        columns=["patrol", "window", "cell", "expected"],
    )
    top = _top_categories(reports, now=now, weeks=weeks, cell_column=cell_column)
    picks["categories"] = picks["cell"].map(top).fillna("")
    picks["window"] = pd.Categorical(picks["window"], categories=order, ordered=True)
    table = picks.sort_values(["window", "patrol"])[["patrol", "window", "cell", "expected", "categories"]]
    return PatrolPlan(
        table.reset_index(drop=True),
        solved.value,
        float(expected["expected"].sum()),
        solved.upper_bound,
        solved.optimal,
    )


def coverage(
    plan_cells: pd.DataFrame,
    reports: pd.DataFrame,
    *,
    now: datetime,
    shift: tuple[int, int],
    window_hours: int = 2,
    weeks: int = 8,
    cell_column: str = "h3_r9",
    tz: ZoneInfo | None = None,
    best: float | None = None,
    forecast: pd.DataFrame | None = None,
) -> PatrolPlan:
    """Re-score a plan the officer edited (columns patrol, window, cell) against the best plan's value."""
    reports = _since(reports, now - timedelta(weeks=weeks))
    expected = _expected(
        reports,
        now=now,
        weeks=weeks,
        cell_column=cell_column,
        shift=shift,
        window_hours=window_hours,
        tz=tz,
        forecast=forecast,
    )
    merged = plan_cells.astype({"window": str}).merge(expected, on=["window", "cell"], how="left")
    merged["expected"] = merged["expected"].fillna(0.0)
    merged["categories"] = (
        merged["cell"].map(_top_categories(reports, now=now, weeks=weeks, cell_column=cell_column)).fillna("")
    )
    covered = float(merged.drop_duplicates(["window", "cell"])["expected"].sum())
    return PatrolPlan(merged, covered, float(expected["expected"].sum()), best)


def own_coverage(plan: PatrolPlan) -> PatrolPlan:
    """:func:`coverage` of a plan nobody edited, from what it was solved with: its own cells and
    expected reports score it, so no second expected-by-window table is computed."""
    table = plan.table.astype({"window": str})
    covered = float(table.drop_duplicates(["window", "cell"])["expected"].sum())
    return PatrolPlan(table, covered, plan.total, plan.best)


def _since(reports: pd.DataFrame, start: datetime) -> pd.DataFrame:
    """The reports from `start` on: all that a plan reads (its weeks' hours and categories), taken
    out of the whole history once, before its columns are converted (for every report before)."""
    return reports[(reports["occurred_at"] >= start).to_numpy()]


def _expected(reports: pd.DataFrame, *, forecast: pd.DataFrame | None, **window: object) -> pd.DataFrame:
    if forecast is None:
        return expected_by_window(reports, **window)  # type: ignore[arg-type]
    return expected_from_forecast(forecast, reports, **window)  # type: ignore[arg-type]


def _top_categories(reports: pd.DataFrame, *, now: datetime, weeks: int, cell_column: str) -> pd.Series:
    """Per cell of the last weeks' reports, its three most reported categories ('noise, litter'):
    most reports first, ties by name."""
    recent = (reports["occurred_at"] >= now - timedelta(weeks=weeks)).to_numpy()
    cell_code, cell_names = pd.factorize(reports[cell_column].to_numpy()[recent], sort=True)
    cat_code, cat_names = pd.factorize(reports["category"].to_numpy()[recent], sort=True)
    ok = (cell_code >= 0) & (cat_code >= 0)
    pairs, n = np.unique(cell_code[ok].astype(np.int64) * max(len(cat_names), 1) + cat_code[ok], return_counts=True)
    cell, cat = np.divmod(pairs, max(len(cat_names), 1))
    order = np.lexsort((cat, -n, cell))  # per cell: most reports first, then the category's name
    top: dict[str, list[str]] = {}
    for c, k in zip(cell[order], cat[order], strict=True):
        names = top.setdefault(cell_names[c], [])
        if len(names) < 3:
            names.append(cat_names[k])
    return pd.Series({c: ", ".join(v) for c, v in top.items()}, dtype="str")


@dataclass
class PatrolAreas:
    """Workload-balanced patrol areas: which area each cell belongs to and each area's load."""

    cells: pd.DataFrame  # cell, area, workload
    areas: pd.DataFrame  # area, centre, cells, workload, share


def balanced_areas(
    reports: pd.DataFrame,
    *,
    now: datetime,
    weeks: int = 8,
    areas: int = 3,
    tolerance: float = 0.25,
    res: int = 8,
    metric_crs: str | None = None,
    time_limit: float = 15.0,
) -> PatrolAreas | None:
    """Split the busy part of the city into `areas` patrol areas of similar workload (reports a
    week, at H3 resolution `res`), by Wheeler's p-median with workload limits
    (clustering.patrol_plan.balanced_areas). None when no split within the tolerance exists."""
    recent = reports[(reports["occurred_at"] >= now - timedelta(weeks=weeks)) & (reports["occurred_at"] < now)]
    parents = recent["h3_r9"].dropna().map(lambda c: h3.cell_to_parent(c, res))
    workload = (parents.value_counts() / weeks).sort_index()
    if len(workload) < areas:
        return None
    cells = list(workload.index)
    xy = cell_xy(cells, metric_crs or profile().metric_crs)
    centre = patrol_plan.balanced_areas(
        workload.to_numpy(), xy, areas=areas, tolerance=tolerance, time_limit=time_limit
    )
    if centre is None:
        return None
    number = {c: i + 1 for i, c in enumerate(sorted(set(centre), key=lambda c: -workload.iloc[c]))}
    table = pd.DataFrame({"cell": cells, "area": [number[c] for c in centre], "workload": workload.to_numpy()})
    summary = table.groupby("area").agg(cells=("cell", "size"), workload=("workload", "sum")).reset_index()
    summary["centre"] = [cells[c] for c in sorted(set(centre), key=lambda c: number[c])]
    summary["share"] = summary["workload"] / summary["workload"].sum()
    return PatrolAreas(table, summary[["area", "centre", "cells", "workload", "share"]])
