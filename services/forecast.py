"""The police's default forecast: the back-test's winner, for a category and a horizon.

One function for whoever plans from it (the patrol plan, the "top places" list, the
CLI): :func:`default_forecast` returns every study-area cell with its expected
reports over the horizon (``score``) and its ``rank``, using only reports that
occurred before the given day. The method is the winner of the newest stored
back-test for that category, resolution and horizon (:func:`evaluate_and_store`,
run by ``cli.py forecast --evaluate`` after each import and at demo load); pages
read the stored result and never wait for a back-test.

The winner is the method with the best mean PEI* at 1 % and 5 % of the area among
those never below naive on the mean and never more than 0.05 below it in any fold
(:func:`clustering.evaluation.choose_winner`); with no stored back-test the
default is :data:`FALLBACK_METHOD`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clustering.binning import edge_length_m, study_area
from clustering.evaluation import backtest, choose_winner, summarise
from clustering.forecast import (
    COUNTED,
    HISTORY_DAYS,
    METHODS,
    Counts,
    Events,
    Grid,
    counted,
    day_start,
    forecast,
    prepare_events,
)
from clustering.hotspots import prepare
from data.city_profile import profile
from data.store.aggregates import binned_counts, report_columns
from data.store.schema import ForecastEvaluationRow, ReportRow
from geo.gazetteer import load_gazetteer
from geo.places import describe_cells
from services.clock import now

RES = 9
HORIZON_DAYS = 28
FOLDS = 12
#: The default before any back-test is stored: safe against naive on both bench data sets.
FALLBACK_METHOD = "blend"
#: A stored back-test picks the default for forecasts up to this many horizons after it.
REUSE_HORIZONS = 3
#: A cell whose forecast is below this share of the top cell's is "~0" and never listed.
NEGLIGIBLE = 0.01
#: What the point methods read of each report (binning and events).
EVENT_COLUMNS = ("lat", "lon", "uncertainty_m", "occurred_at")


def city_settings() -> tuple[str, str]:
    """The metric CRS and the time zone of the city, from its profile."""
    city = profile()
    return city.metric_crs, city.time_zone


def data_version(engine: Engine) -> str:
    """The store's version of the reports: changes with every import, edit or deletion."""
    with Session(engine) as session:
        n, top, touched = session.execute(
            select(func.count(ReportRow.id), func.max(ReportRow.id), func.max(ReportRow.updated_at))
        ).one()
    return hashlib.sha256(f"{n}|{top}|{touched}".encode()).hexdigest()[:16]


def category_key(categories: Sequence[str] | None) -> str:
    """The stored key of a category choice: "" for every category, else the sorted slugs."""
    return ",".join(sorted(set(categories))) if categories else ""


@dataclass(frozen=True)
class ForecastInputs:
    """What every method needs: the reports as events, the study area, the city's settings."""

    events: Events
    grid: Grid
    tz: str
    latest_day: date | None  # local day of the latest report


def inputs(
    engine: Engine,
    *,
    res: int = RES,
    categories: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> ForecastInputs:
    """Located, counted reports (no duplicates, no rejected) of the categories [of start, end), over
    the city's cells; only the columns the methods use are read (a columnar read, no report text)."""
    return inputs_from_reports(
        report_columns(engine, EVENT_COLUMNS, categories=categories, start=start, end=end), res=res
    )


def inputs_from_reports(reports: pd.DataFrame, *, res: int = RES) -> ForecastInputs:
    """:func:`inputs` for reports already loaded (rejected and duplicates are left out here too)."""
    crs, tz = city_settings()
    area, _, usable, _ = prepare(reports, res, load_gazetteer().boundary_polygon)
    grid = Grid.from_cells(area, res, crs)
    events = prepare_events(usable, grid)
    latest = None
    if len(usable):
        latest = pd.Timestamp(usable["occurred_at"].max()).tz_convert(tz).date()
    return ForecastInputs(events, grid, tz, latest)


def evaluate(
    data: ForecastInputs,
    *,
    until: date | None = None,
    horizon_days: int = HORIZON_DAYS,
    folds: int = FOLDS,
    methods: Sequence[str] | None = None,
    n_boot: int = 1000,
) -> dict[str, Any]:
    """Back-test every method on the ``folds`` horizons before ``until`` (default: after the latest report).

    Returns a JSON-ready dict: ``winner``, ``until``, ``horizon_days``, ``folds``
    and ``summary`` (one record per method and area share, see
    :func:`clustering.evaluation.summarise`).
    """
    if until is None:
        until = (data.latest_day or now().date()) + timedelta(days=1)
    end = day_start(pd.Timestamp(until), data.tz)
    scores = backtest(
        data.events, data.grid, horizon_days=horizon_days, folds=folds, end=end, methods=list(methods or METHODS)
    )
    summary = summarise(scores, n_boot=n_boot)
    clean = summary.astype(object).where(summary.notna(), None)
    return {
        "winner": choose_winner(summary),
        "until": until.isoformat(),
        "horizon_days": horizon_days,
        "folds": folds,
        "summary": clean.to_dict(orient="records"),
    }


def evaluate_and_store(
    engine: Engine,
    *,
    res: int = RES,
    horizon_days: int = HORIZON_DAYS,
    categories: Sequence[str | None] = (None,),
    folds: int = FOLDS,
) -> list[dict[str, Any]]:
    """Back-test each category (None = all) on the whole history and store it with the store's version."""
    version = data_version(engine)
    stored = []
    for category in categories:
        chosen = [category] if category else None
        data = inputs(engine, res=res, categories=chosen)
        if len(data.events) == 0:
            stored.append({"category": category, "winner": None, "reason": "no located reports"})
            continue
        result = evaluate(data, horizon_days=horizon_days, folds=folds)
        with Session(engine) as session, session.begin():
            session.add(
                ForecastEvaluationRow(
                    data_version=version,
                    category=category_key(chosen),
                    res=res,
                    horizon_days=horizon_days,
                    winner=result["winner"],
                    result=result,
                )
            )
        stored.append({"category": category, "winner": result["winner"], "until": result["until"]})
    return stored


@dataclass(frozen=True)
class StoredEvaluation:
    winner: str
    summary: pd.DataFrame
    created_at: datetime
    current: bool  # computed on the reports the store holds now
    until: str  # the back-test's last test window ended the day before
    key: str  # the categories it was computed for ("" = every category)


def latest_evaluation(
    engine: Engine, *, res: int = RES, horizon_days: int = HORIZON_DAYS, categories: Sequence[str] | None = None
) -> StoredEvaluation | None:
    """The newest stored back-test for the categories, else for every category, else None.

    Never computes one: pages call this and must not wait.
    """
    for key in dict.fromkeys((category_key(categories), "")):
        found = _latest(engine, key, res, horizon_days)
        if found is not None:
            return found
    return None


def _stored(engine: Engine, key: str, res: int, horizon_days: int) -> list[StoredEvaluation]:
    """Every stored back-test for the key, newest first."""
    with Session(engine) as session:
        rows = [
            (r.result, r.winner, r.created_at, r.data_version)
            for r in session.scalars(
                select(ForecastEvaluationRow)
                .where(
                    ForecastEvaluationRow.category == key,
                    ForecastEvaluationRow.res == res,
                    ForecastEvaluationRow.horizon_days == horizon_days,
                )
                .order_by(ForecastEvaluationRow.id.desc())
            )
        ]
    version = data_version(engine) if rows else ""
    return [
        StoredEvaluation(
            winner, pd.DataFrame(result["summary"]), created, stored_version == version, result["until"], key
        )
        for result, winner, created, stored_version in rows
    ]


def _latest(engine: Engine, key: str, res: int, horizon_days: int) -> StoredEvaluation | None:
    """The back-test to show: on the current reports first, then reaching furthest, then newest."""
    rows = _stored(engine, key, res, horizon_days)
    return max(rows, key=lambda r: (r.current, r.until)) if rows else None


def default_method(
    engine: Engine, *, res: int = RES, horizon_days: int = HORIZON_DAYS, categories: Sequence[str] | None = None
) -> str:
    """The stored back-test's winner (see :func:`latest_evaluation`), else :data:`FALLBACK_METHOD`."""
    stored = latest_evaluation(engine, res=res, horizon_days=horizon_days, categories=categories)
    return stored.winner if stored is not None else FALLBACK_METHOD


def stored_winners(engine: Engine, *, res: int = RES, horizon_days: int = HORIZON_DAYS) -> dict[str, str]:
    """Per stored category key, the winner :func:`latest_evaluation` would show, in one read:
    a page keeps it per store version, so a new choice of categories asks the store nothing."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                ForecastEvaluationRow.category,
                ForecastEvaluationRow.result,
                ForecastEvaluationRow.winner,
                ForecastEvaluationRow.data_version,
            )
            .where(ForecastEvaluationRow.res == res, ForecastEvaluationRow.horizon_days == horizon_days)
            .order_by(ForecastEvaluationRow.id.desc())
        ).all()
    version = data_version(engine) if rows else ""
    best: dict[str, tuple[tuple[bool, str], str]] = {}
    for key, result, winner, stored_version in rows:  # newest first: a tie keeps the newest, as _latest
        rank = (stored_version == version, result["until"])
        if key not in best or rank > best[key][0]:
            best[key] = (rank, winner)
    return {key: winner for key, (_, winner) in best.items()}


def winner_of(winners: dict[str, str], categories: Sequence[str] | None) -> str:
    """:func:`default_method` from :func:`stored_winners`: the categories' own back-test, else
    every category's, else :data:`FALLBACK_METHOD`."""
    for key in dict.fromkeys((category_key(categories), "")):
        if key in winners:
            return winners[key]
    return FALLBACK_METHOD


def ranking(data: ForecastInputs, method: str, *, until: date, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Every study-area cell with its forecast ``score`` (expected reports) and ``rank`` (1 = highest).

    Only reports that occurred before ``until`` (local midnight in the city's time
    zone) are used. Ties rank by cell id.
    """
    cutoff = day_start(pd.Timestamp(until), data.tz)
    return _ranked(forecast(method, data.events, data.grid, cutoff, horizon_days), method, until, horizon_days)


def counted_ranking(
    engine: Engine,
    method: str,
    *,
    until: date,
    horizon_days: int = HORIZON_DAYS,
    res: int = RES,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`ranking` of a counting method (:data:`clustering.forecast.COUNTED`: naive, long_run,
    gistar, prospective, blend) from the store's GROUP BY counts of its windows: no report is
    read (tests/test_store_aggregates.py: the same table)."""
    crs, tz = city_settings()
    grid = Grid.from_cells(study_area(load_gazetteer().boundary_polygon, res), res, crs)
    cutoff = day_start(pd.Timestamp(until), tz)
    scores = counted(method, store_counts(engine, grid, categories=categories), grid, cutoff, horizon_days)
    return _ranked(scores, method, until, horizon_days)


def store_counts(engine: Engine, grid: Grid, *, categories: Sequence[str] | None = None) -> Counts:
    """Window counts from the store: one GROUP BY per window asked (remembered), counting what
    the events would (located, precise enough for the cell, inside the grid, [lo, hi))."""
    memo: dict[tuple[float, float], np.ndarray] = {}

    def count(lo: float, hi: float) -> np.ndarray:
        if (lo, hi) not in memo:
            binned = binned_counts(
                engine,
                res=grid.res,
                too_vague_m=edge_length_m(grid.res),
                categories=categories,
                start=_instant(lo),
                end=_instant(hi),
            )
            per_cell = binned[binned["kind"] == "ok"].groupby("cell")["n"].sum()
            memo[(lo, hi)] = per_cell.reindex(grid.cells, fill_value=0).to_numpy(dtype=float)
        return memo[(lo, hi)]

    return count


def _instant(days: float) -> datetime:
    """Epoch days (as the forecast methods count time) as the UTC instant, to the microsecond."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(days * 86_400_000_000))


def _ranked(scores: pd.Series, method: str, until: date, horizon_days: int) -> pd.DataFrame:
    """Every cell with its score and rank (1 = highest; ties by cell id)."""
    order = np.lexsort((scores.index.astype(str).to_numpy(), -scores.to_numpy()))
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    table = pd.DataFrame({"cell": scores.index.astype(str), "score": scores.to_numpy(), "rank": rank})
    table = table.sort_values("rank").reset_index(drop=True)
    table.attrs.update(method=method, until=until.isoformat(), horizon_days=horizon_days)
    return table


def default_forecast(
    engine: Engine,
    *,
    until: date | None = None,
    horizon_days: int = HORIZON_DAYS,
    res: int = RES,
    categories: Sequence[str] | None = None,
    method: str | None = None,
    reports: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The police's default forecast: ``cell``, ``score`` (expected reports), ``rank``.

    Parameters
    ----------
    engine : Engine
    until : date, optional
        Forecast the ``horizon_days`` from this local day on, with the reports
        before it; default: the clock's today.
    horizon_days : int
    res : int
        H3 resolution of the cells.
    categories : sequence of str, optional
        Category slugs; None = every category.
    method : str, optional
        Override the stored back-test's winner.
    reports : DataFrame, optional
        The categories' reports when the caller has them loaded already.

    Returns
    -------
    DataFrame
        Every cell of the study area, sorted by rank; ``attrs`` hold
        ``method``, ``until``, ``horizon_days``.
    """
    day = until or now().astimezone(ZoneInfo(city_settings()[1])).date()
    chosen = method or default_method(engine, res=res, horizon_days=horizon_days, categories=categories)
    if reports is not None:
        return ranking(inputs_from_reports(reports, res=res), chosen, until=day, horizon_days=horizon_days)
    if chosen in COUNTED:
        return counted_ranking(engine, chosen, until=day, horizon_days=horizon_days, res=res, categories=categories)
    data = inputs(engine, res=res, categories=categories, start=history_start(day), end=_local_midnight(day))
    return ranking(data, chosen, until=day, horizon_days=horizon_days)


def history_start(until: date) -> datetime:
    """The earliest report time a forecast from the local day ``until`` reads: :data:`HISTORY_DAYS`
    before that day's local midnight (no method looks further back)."""
    return _local_midnight(until) - timedelta(days=HISTORY_DAYS)


def _local_midnight(day: date) -> datetime:
    """The UTC instant of the local day's start in the city's time zone (a forecast's cutoff)."""
    return _instant(day_start(pd.Timestamp(day), city_settings()[1]))


def top_places(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` best-ranked cells whose forecast is not ~0 (below :data:`NEGLIGIBLE` of the top)."""
    if table.empty:
        return table
    top = float(table["score"].max())
    keep = table[(table["score"] > 0) & (table["score"] >= NEGLIGIBLE * top)]
    return keep.sort_values("rank").head(n).reset_index(drop=True)


def score_against_naive(stored: StoredEvaluation, shares: Sequence[float] = (0.01, 0.05)) -> pd.DataFrame:
    """The winner's mean PEI* (with its interval) next to naive's, per area share, for the page."""
    s = stored.summary
    rows = []
    for share in shares:
        at = s[np.isclose(s["area_share"].astype(float), share)].set_index("method")
        if stored.winner not in at.index or "naive" not in at.index:
            continue
        w, nv = at.loc[stored.winner], at.loc["naive"]
        rows.append(
            {
                "area_share": share,
                "method": stored.winner,
                "pei_star": w["pei_star"],
                "pei_star_lo": w["pei_star_lo"],
                "pei_star_hi": w["pei_star_hi"],
                "naive": nv["pei_star"],
                "pai": w["pai"],
                "naive_pai": nv["pai"],
            }
        )
    return pd.DataFrame(rows)


def choose_default(
    engine: Engine,
    *,
    until: date | None = None,
    horizon_days: int = HORIZON_DAYS,
    res: int = RES,
    categories: Sequence[str] | None = None,
    folds: int = FOLDS,
) -> tuple[str, str]:
    """The default method for a forecast from ``until``, and why.

    A stored back-test on the current reports that ended on or before ``until``
    and at most :data:`REUSE_HORIZONS` horizons earlier gives the winner;
    otherwise a back-test is run now on the reports before ``until`` (so a
    forecast for a past day never picks its method with later reports) and
    stored for the next call.
    """
    day = until or now().astimezone(ZoneInfo(city_settings()[1])).date()
    key = category_key(categories)
    usable = [
        r
        for r in _stored(engine, key, res, horizon_days)
        if r.current and 0 <= (day - date.fromisoformat(r.until)).days <= REUSE_HORIZONS * horizon_days
    ]
    if usable:
        best = max(usable, key=lambda r: r.until)
        return best.winner, f"stored back-test to {best.until}"
    data = inputs(engine, res=res, categories=categories)
    if len(data.events) == 0:
        return FALLBACK_METHOD, "no reports to back-test"
    version = data_version(engine)
    result = evaluate(data, until=day, horizon_days=horizon_days, folds=folds, n_boot=200)
    with Session(engine) as session, session.begin():
        session.add(
            ForecastEvaluationRow(
                data_version=version,
                category=key,
                res=res,
                horizon_days=horizon_days,
                winner=result["winner"],
                result=result,
            )
        )
    return result["winner"], f"back-test of the {folds} x {horizon_days} days before {day}"


def with_places(table: pd.DataFrame, *, lang: str = "uk") -> pd.DataFrame:
    """The ranking with each cell's place in words (streets, nearest landmark, microdistrict)
    from the gazetteer, after ``cell``, ``score``, ``rank``; the attrs are kept."""
    places = describe_cells(table["cell"], load_gazetteer(), lang=lang)
    out = table.assign(
        place=[" / ".join(places[c].streets) for c in table["cell"]],
        landmark=[places[c].landmark or "" for c in table["cell"]],
        district=[places[c].district or "" for c in table["cell"]],
    )
    out.attrs = dict(table.attrs)
    return out
