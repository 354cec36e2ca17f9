"""Patrol planning for the police page: hotspots of recent weeks, why, when, and a plan.

Every function that hands out restricted detail checks the role itself; the briefing
export is audited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import folium
import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from auth.roles import require
from auth.users import User
from clustering.binning import edge_length_m
from clustering.hotspots import emerging_counts_table, gistar_counts_table, prepare
from clustering.kde import density_grid
from clustering.profiles import hour_weekday, hour_weekday_counts
from data.categories import CATEGORIES
from data.categories import label as category_label
from data.city_profile import profile
from data.store.aggregates import binned_counts, hour_week_counts, report_columns
from data.store.schema import AuditRow
from geo.gazetteer import load_gazetteer
from geo.places import describe_cells
from i18n import code_label
from i18n import t as tr
from layers.exports import POLICE_COLUMNS
from layers.police import police_map
from services.briefing import basemap_from_gazetteer, briefing_pdf, static_map_png
from services.clock import now
from services.forecast import (
    HORIZON_DAYS,
    ForecastInputs,
    city_settings,
    default_forecast,
    default_method,
    history_start,
    inputs_from_reports,
    latest_evaluation,
    ranking,
    score_against_naive,
    stored_winners,
    top_places,
    winner_of,
)
from services.patrol import PatrolPlan, balanced_areas, suggest

POLICE_RES = 9
#: What the whole-history analyses read (forecast, patrol plan and areas): only the columns they
#: use (the forecast's place, precision and time; the category and cell), no text.
HISTORY_COLUMNS = ("lat", "lon", "uncertainty_m", "occurred_at", "category", "h3_r9")
#: What the page reads of a period's window for its analyses (Gi* rows, the top places' recent
#: reports, the microdistricts the when-profile offers): no text, which only the map's points
#: (:data:`MAP_POINT_COLUMNS`, their last :data:`POINT_DAYS` days) and the CSV export show.
WINDOW_COLUMNS = (
    "category",
    "occurred_at",
    "status",
    "duplicate_of",
    "uncertainty_m",
    "lat",
    "lon",
    "district",
    "h3_r9",
)
#: What the map's report points show (layers.police.points_layers), read for their days only.
MAP_POINT_COLUMNS = (
    "occurred_at",
    "status",
    "duplicate_of",
    "category",
    "lat",
    "lon",
    "uncertainty_m",
    "level",
    "text",
)
POINT_DAYS = 28  # the map shows the reports of the window's last four weeks as points


#: the page's periods: weeks back, and "next7", the forecast of the coming seven days
PERIODS: tuple[int | str, ...] = ("next7", 4, 8, 12, 26)
AHEAD = "next7"
AHEAD_DAYS = 7
AHEAD_EVIDENCE_WEEKS = 4  # the recent weeks the "next 7 days" map shows beside its forecast
DEFAULT_PERIOD = 8
DEFAULT_LAYERS = ("gistar", "emerging", "points")
#: a patrol plan's settings: patrols, shift (start, end hour; the slider's end 24 given as 0),
#: window hours, beat diameter (km)
PlanSettings = tuple[int, tuple[int, int], int, float]
DEFAULT_PLAN: PlanSettings = (2, (18, 24), 2, 1.5)  # the controls as the page opens them (slider end 24)
WINDOW_HOURS = (1, 2, 3, 4)  # the plan's window lengths the page offers (the warm-up fills each)
DEFAULT_AREAS = 3
AREA_COUNTS = range(2, 9)


@dataclass
class PoliceData:
    """What the police page computes for one period and choice of categories (language-free)."""

    reports: pd.DataFrame  # the window's reports (WINDOW_COLUMNS: no text)
    points: pd.DataFrame  # the reports of the window's last POINT_DAYS days (MAP_POINT_COLUMNS)
    usable: pd.DataFrame  # the window's reports Gi* counted (inside the area, precise enough)
    gistar: pd.DataFrame  # every area cell: cell, n, z, p, bin (+ attrs ok/reason/binning)
    emerging: pd.DataFrame  # cell, category, label, trend_z ... over the whole history
    forecast: pd.DataFrame | None  # every cell: cell, score (expected reports over the horizon), rank; attrs: method
    start: datetime
    end: datetime
    ahead: tuple[datetime, datetime] | None = None  # "next 7 days": the days the forecast is for


@dataclass(frozen=True)
class PeriodWindow:
    """A period's window read once for every choice of categories (:func:`read_window`)."""

    start: datetime
    end: datetime
    reports: pd.DataFrame  # every category's reports of [start, end) (WINDOW_COLUMNS)
    counts: pd.DataFrame  # their counts per cell, category and kind (binned_counts' table)


@dataclass
class PoliceView:
    """Everything the police page shows for one choice of period and categories (``top`` and
    ``forecast`` None in the map's view: :func:`police_map_of`)."""

    reports: pd.DataFrame  # the window's reports (WINDOW_COLUMNS: no text)
    gistar: pd.DataFrame  # every area cell: cell, n, z, p, bin (+ attrs ok/reason/binning)
    emerging: pd.DataFrame  # cell, category, label, trend_z ... over the whole history
    fmap: folium.Map
    start: datetime
    end: datetime
    top: pd.DataFrame | None = None  # the default forecast's top places, never a ~0 forecast
    forecast: pd.DataFrame | None = None  # every cell: cell, score (expected reports), rank; attrs: method
    ahead: tuple[datetime, datetime] | None = None  # "next 7 days": the days the forecast is for


def window(weeks: int) -> tuple[datetime, datetime]:
    end = now()
    return end - timedelta(weeks=weeks), end


def load(engine: Engine, *, categories: Sequence[str] | None = None, start: datetime | None = None) -> pd.DataFrame:
    """Every counted, located report (all history, or from ``start`` on; duplicates and rejected
    left out), only :data:`HISTORY_COLUMNS`: at a million reports the full rows would not fit in memory."""
    return report_columns(engine, HISTORY_COLUMNS, categories=categories, start=start)


def history_since() -> datetime:
    """Where the page's history (:func:`load`) may start: what the forecast from today reads
    (:func:`services.forecast.history_start`), which holds the patrol plan's and areas' weeks
    too. A later day's forecast starts later, so a history read earlier still holds it."""
    return history_start(now().astimezone(ZoneInfo(city_settings()[1])).date())


def window_reports(
    engine: Engine, start: datetime, end: datetime, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """The counted, located reports of [start, end) with every column the CSV export gives."""
    return report_columns(engine, POLICE_COLUMNS, start=start, end=end, categories=categories)


def points_start(start: datetime, end: datetime) -> datetime:
    """Where the map's report points of the window [start, end) begin: its last :data:`POINT_DAYS` days."""
    return max(start, end - timedelta(days=POINT_DAYS))


def trend_label(category: str, lang: str = "uk") -> str:
    """'intensifying_hot' -> 'Посилюється гарячий' (from the catalogue); '' for no pattern."""
    if category == "no_pattern" or "_" not in category:
        return ""
    kind, side = category.rsplit("_", 1)
    return f"{tr('emerging.' + kind, lang)} {tr('emerging.' + side, lang)}"


def top_cells(
    forecast: pd.DataFrame, emerging: pd.DataFrame, reports: pd.DataFrame, *, n: int = 10, lang: str = "uk"
) -> pd.DataFrame:
    """The n cells the default forecast expects most reports in, with why: recent reports, trend, categories.

    Ranked by the forecast (expected reports over its horizon); a cell whose
    forecast is ~0 is never listed (:func:`services.forecast.top_places`).
    """
    top = top_places(forecast, n)
    cells = list(top["cell"])
    per_cell: dict[str, Counter[str]] = {cell: Counter() for cell in cells}
    listed = reports["h3_r9"].isin(cells).to_numpy()  # only the listed cells' reports: at most n cells
    for cell, category in zip(reports["h3_r9"][listed], reports["category"][listed], strict=True):
        per_cell[cell][category] += 1
    trends = dict(zip(emerging["cell"], emerging["category"], strict=True)) if len(emerging) else {}
    places = describe_cells(cells, load_gazetteer(), lang=lang)
    out = top.assign(
        rank=range(1, len(top) + 1),
        place=[" / ".join(places[c].streets) for c in cells],
        landmark=[places[c].landmark or "" for c in cells],
        district=[places[c].district or "" for c in cells],
        forecast=top["score"].round(1),
        n=[sum(per_cell[c].values()) for c in cells],
        trend=[trend_label(trends[c], lang) if c in trends else "" for c in cells],
        categories=[_most_reported(per_cell[c], lang) for c in cells],
    )
    return out[["rank", "place", "landmark", "district", "forecast", "n", "trend", "categories", "cell"]].reset_index(
        drop=True
    )


def suggested_plan(
    history: pd.DataFrame, forecast: pd.DataFrame, settings: PlanSettings, *, lang: str
) -> tuple[PatrolPlan, pd.DataFrame]:
    """The best plan for ``settings`` from the forecast, and its table for the page."""
    patrols, shift, window_hours, beat_km = settings
    plan = suggest(
        history,
        now=now(),
        patrols=patrols,
        shift=shift,
        window_hours=window_hours,
        beat_km=beat_km,
        forecast=forecast,
    )
    return plan, plan_table(plan, lang=lang)


@dataclass(frozen=True)
class ForecastAndPlan:
    """A period's default forecast and the plan for one choice of the plan's controls."""

    forecast: pd.DataFrame  # every cell: cell, score, rank (period_forecast)
    settings: PlanSettings
    lang: str
    plan: PatrolPlan
    table: pd.DataFrame  # plan_table(plan)


def forecast_and_plan(
    engine: Engine, *, role: str | None, ahead: bool, categories: Sequence[str], settings: PlanSettings, lang: str
) -> ForecastAndPlan:
    """What the page's table and plan need of the whole history, from one read: the period's
    default forecast (:func:`period_forecast`) and the plan for ``settings``
    (:func:`suggested_plan`), computed as the page's own cached steps compute them (one job
    of the page's worker process, ui/offload.py)."""
    require(role, "police")
    history = of_categories(load(engine, start=history_since()), categories)
    forecast = period_forecast(
        engine,
        role=role,
        ahead=ahead,
        categories=list(categories) or None,
        winners=forecast_winners(engine, role=role),
        inputs=forecast_inputs(history),
    )
    return ForecastAndPlan(forecast, settings, lang, *suggested_plan(history, forecast, settings, lang=lang))


def _most_reported(counts: Counter[str], lang: str) -> str:
    """'Сміття (4), Шум (2), ...': a cell's three most reported categories (ties by code)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return ", ".join(f"{category_label(category, lang)} ({k})" for category, k in ranked)


def plan_table(plan: PatrolPlan, *, lang: str = "uk") -> pd.DataFrame:
    """The plan as an officer reads it: time order, streets, landmark, microdistrict, category
    names in the page's language; the H3 id last, for analysts."""
    places = describe_cells(plan.table["cell"], load_gazetteer(), lang=lang)
    table = plan.table.copy()
    table["place"] = [" / ".join(places[c].streets) for c in table["cell"]]
    table["landmark"] = [places[c].landmark or "" for c in table["cell"]]
    table["district"] = [places[c].district or "" for c in table["cell"]]
    table["categories"] = [_category_labels(v, lang) for v in table["categories"]]
    return table[["window", "patrol", "place", "landmark", "district", "categories", "expected", "cell"]]


def _category_labels(slugs: object, lang: str) -> str:
    """'noise, litter' -> 'Шум, Сміття' (catalogue names); unknown codes are kept as they are."""
    parts = [part.strip() for part in str(slugs or "").split(",") if part.strip()]
    return ", ".join(category_label(p, lang) if p in CATEGORIES else p for p in parts)


def trends(
    engine: Engine, *, role: str | None, categories: Sequence[str] | None = None, monthly: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Emerging hot and cold spots over the whole history (the same for every period), from the
    store's monthly counts (``monthly``: those counts read already, of the chosen categories)."""
    require(role, "police")
    boundary = load_gazetteer().boundary_polygon
    if monthly is None:
        monthly = binned_counts(
            engine, res=POLICE_RES, too_vague_m=edge_length_m(POLICE_RES), by_month=True, categories=categories
        )
    return emerging_counts_table(monthly, POLICE_RES, boundary, time_lag=1)  # ArcGIS: one step back in time


def history_trends(engine: Engine, *, role: str | None, categories: Sequence[str]) -> pd.DataFrame:
    """:func:`trends` of the chosen categories as the page computes them: from every category's
    monthly counts (:func:`grouped_counts`, which the page keeps for every choice), picked."""
    return trends(engine, role=role, monthly=of_categories(grouped_counts(engine, role=role)[2], categories))


def grouped_counts(
    engine: Engine, *, role: str | None, period: int | str | None = None
) -> tuple[datetime | None, datetime | None, pd.DataFrame]:
    """Counts per cell and category (and month, without a period) of every category in one read,
    for a period's window or (``period`` None) the whole history; :func:`of_categories` picks a
    choice of categories from them, so a change of categories reads nothing."""
    require(role, "police")
    start, end = period_window(period) if period is not None else (None, None)
    counts = binned_counts(
        engine,
        res=POLICE_RES,
        too_vague_m=edge_length_m(POLICE_RES),
        start=start,
        end=end,
        by_month=period is None,
        by_category=True,
    )
    return start, end, counts


def read_window(engine: Engine, *, role: str | None, period: int | str) -> PeriodWindow:
    """A period's window and every category's reports in it, read once; their counts per cell
    are counted from those rows (:func:`window_counts`), not read a second time."""
    require(role, "police")
    start, end = period_window(period)
    reports = report_columns(engine, WINDOW_COLUMNS, start=start, end=end)
    return PeriodWindow(start, end, reports, window_counts(reports))


def window_counts(reports: pd.DataFrame) -> pd.DataFrame:
    """The table ``binned_counts(res=POLICE_RES, by_category=True)`` gives for the window these
    reports were read from: per cell (the stored ``h3_r9``), category and kind (``missing``
    without a point, ``vague`` when the uncertainty exceeds a cell's edge, else ``ok``), ``n``."""
    uncertainty = pd.to_numeric(reports["uncertainty_m"], errors="coerce").fillna(0.0)
    missing = reports["lat"].isna() | reports["lon"].isna()
    vague = uncertainty > edge_length_m(POLICE_RES)
    kind = np.where(missing, "missing", np.where(vague, "vague", "ok"))
    keys = pd.DataFrame({"cell": reports["h3_r9"], "category": reports["category"], "kind": kind})
    counts = keys.groupby(list(keys.columns), dropna=False).size().rename("n").reset_index()
    counts["n"] = counts["n"].astype("int64")
    return counts


def of_categories(frame: pd.DataFrame, categories: Sequence[str] | None) -> pd.DataFrame:
    """The rows of the chosen categories (all rows for none chosen), in their order."""
    if not categories:
        return frame
    return frame[frame["category"].isin(list(categories))].reset_index(drop=True)


def period_window(period: int | str) -> tuple[datetime, datetime]:
    """[start, end) of a period's hotspots: its weeks back, or the evidence weeks of "next7"."""
    if period not in PERIODS:
        raise ValueError(f"unknown police period {period!r}")
    return window(AHEAD_EVIDENCE_WEEKS if period == AHEAD else int(period))


def period_forecast(
    engine: Engine,
    *,
    role: str | None,
    ahead: bool = False,
    categories: Sequence[str] | None = None,
    history: pd.DataFrame | None = None,
    winners: dict[str, str] | None = None,
    inputs: ForecastInputs | None = None,
) -> pd.DataFrame:
    """The default forecast from today: over the standard horizon (what every weeks-back period
    shows), or with ``ahead`` over the coming seven days (by the method that won the stored
    back-test). Without ``history`` the forecast reads only what its method needs; ``winners``
    (:func:`forecast_winners`, read already) spares the store the back-test's winner; ``inputs``
    (:func:`forecast_inputs` of the history, with ``winners``) serve both horizons."""
    require(role, "police")
    until = now().astimezone(ZoneInfo(city_settings()[1])).date()
    method = None if winners is None else winner_of(winners, categories)
    if inputs is not None and method is not None:
        return ranking(inputs, method, until=until, horizon_days=AHEAD_DAYS if ahead else HORIZON_DAYS)
    if ahead:
        method = method or default_method(engine, res=POLICE_RES, categories=categories)
        return default_forecast(
            engine,
            until=until,
            res=POLICE_RES,
            categories=categories,
            reports=history,
            horizon_days=AHEAD_DAYS,
            method=method,
        )
    return default_forecast(engine, until=until, res=POLICE_RES, categories=categories, reports=history, method=method)


def forecast_inputs(history: pd.DataFrame) -> ForecastInputs:
    """The forecast's events and grid of a history (:func:`load`): what the default forecast
    computes from the history before it ranks, the same for either horizon."""
    return inputs_from_reports(history, res=POLICE_RES)


def forecast_winners(engine: Engine, *, role: str | None) -> dict[str, str]:
    """The stored back-tests' winners of every category key (one read; see period_forecast)."""
    require(role, "police")
    return stored_winners(engine, res=POLICE_RES)


def police_data(
    engine: Engine,
    *,
    role: str | None,
    period: int | str = 8,
    categories: Sequence[str] | None = None,
    history: pd.DataFrame | None = None,
    emerging: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    counted: tuple[datetime, datetime, pd.DataFrame] | None = None,
    recent: pd.DataFrame | None = None,
    with_forecast: bool = True,
) -> PoliceData:
    """Hotspots, trends and the default forecast for a period: weeks back (Gi* over those
    weeks from the store's grouped counts, forecast over the standard horizon) or "next7" (the
    forecast of the coming seven days, beside the hotspots of the last four weeks). ``history``,
    ``emerging``, ``forecast`` and ``counted`` (the period's window and its counts of the chosen
    categories) may come computed already (the page caches them across periods and categories),
    and with ``counted`` the window's reports of the chosen categories (``recent``, WINDOW_COLUMNS).
    ``with_forecast`` False leaves the forecast out (None): the map does not show it, and the page
    computes it after the map was sent (:func:`police_top`)."""
    require(role, "police")
    if counted is None:
        start, end = period_window(period)
        binned = binned_counts(
            engine, res=POLICE_RES, too_vague_m=edge_length_m(POLICE_RES), start=start, end=end, categories=categories
        )
    else:
        start, end, binned = counted
    if recent is None:
        recent = report_columns(engine, WINDOW_COLUMNS, start=start, end=end, categories=categories)
    points = report_columns(engine, MAP_POINT_COLUMNS, start=points_start(start, end), end=end, categories=categories)
    boundary = load_gazetteer().boundary_polygon
    gistar = gistar_counts_table(binned, POLICE_RES, boundary)
    _, _, usable, _ = prepare(recent, POLICE_RES, boundary)  # the reports Gi* counted
    if emerging is None:
        emerging = trends(engine, role=role, categories=categories)
    if forecast is None and with_forecast:
        forecast = period_forecast(engine, role=role, ahead=period == AHEAD, categories=categories, history=history)
    ahead = (end, end + timedelta(days=AHEAD_DAYS)) if period == AHEAD else None
    return PoliceData(recent, points, usable, gistar, emerging, forecast, start, end, ahead)


def police_map_of(
    data: PoliceData,
    *,
    role: str | None,
    lang: str = "uk",
    layers: Sequence[str] = ("gistar", "kde", "emerging", "points"),
) -> PoliceView:
    """The page's map (in ``lang``) and what its caption needs, drawn from computed
    :class:`PoliceData`; no forecast and no top places (:func:`police_top`, shown below the map)."""
    require(role, "police")
    start, end = data.start, data.end
    density = density_grid(data.usable) if "kde" in layers and len(data.usable) >= 2 else None
    fmap = police_map(
        load_gazetteer(),
        role=role,
        lang=lang,
        period_label=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
        gistar=data.gistar if "gistar" in layers and data.gistar.attrs.get("ok") else None,
        density=density,
        emerging=data.emerging if "emerging" in layers and data.emerging.attrs.get("ok") else None,
        reports=data.points if "points" in layers else None,
        points_window=(points_start(start, end), end) if "points" in layers else None,
    )
    return PoliceView(data.reports, data.gistar, data.emerging, fmap, start, end, ahead=data.ahead)


def police_top(data: PoliceData, forecast: pd.DataFrame, *, role: str | None, lang: str = "uk") -> pd.DataFrame:
    """The top places of a period (in ``lang``): ranked by ``forecast``, with the period's reports and trends."""
    require(role, "police")
    return top_cells(forecast, data.emerging, data.usable, lang=lang)


def police_view_of(
    data: PoliceData,
    *,
    role: str | None,
    lang: str = "uk",
    layers: Sequence[str] = ("gistar", "kde", "emerging", "points"),
) -> PoliceView:
    """The page's map and top places (in ``lang``) drawn from computed :class:`PoliceData` (with its forecast)."""
    if data.forecast is None:
        raise ValueError("police_view_of needs the data's forecast (police_data with_forecast)")
    view = police_map_of(data, role=role, lang=lang, layers=layers)
    view.top = police_top(data, data.forecast, role=role, lang=lang)
    view.forecast = data.forecast
    return view


def police_view(
    engine: Engine,
    *,
    role: str | None,
    weeks: int = 8,
    categories: Sequence[str] | None = None,
    lang: str = "uk",
    layers: Sequence[str] = ("gistar", "kde", "emerging", "points"),
    period: int | str | None = None,
) -> PoliceView:
    """Everything the police page shows; ``period`` (weeks or "next7") overrides ``weeks``."""
    data = police_data(engine, role=role, period=weeks if period is None else period, categories=categories)
    return police_view_of(data, role=role, lang=lang, layers=layers)


def when_profile(
    engine: Engine,
    *,
    role: str | None,
    period: int | str,
    categories: Sequence[str] | None = None,
    cells: Sequence[str] | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """Hour x weekday counts (the city's time) of the period's reports, for some cells or one
    microdistrict: counted by the store per local hour of the week, no report is read."""
    require(role, "police")
    start, end = period_window(period)
    counts = hour_week_counts(
        engine,
        tz=profile().time_zone,
        start=start,
        end=end,
        categories=categories,
        cells=cells or None,
        res=POLICE_RES,
        district=district,
    )
    return hour_weekday_counts(counts)


def window_profile(
    window: PeriodWindow,
    *,
    role: str | None,
    categories: Sequence[str] | None = None,
    cells: Sequence[str] | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """:func:`when_profile` of a period's window read already (:func:`read_window`): its rows
    are the reports the store would count, so their hours are counted here, not queried."""
    require(role, "police")
    rows = of_categories(window.reports, categories)
    if cells:
        rows = rows[rows["h3_r9"].isin(list(cells))]
    if district is not None:
        rows = rows[rows["district"] == district]
    return hour_weekday(rows, tz=profile().time_zone)


def when_rows(profile: pd.DataFrame) -> pd.DataFrame:
    """A weekday x hour table (:func:`when_profile`) as rows (weekday, hour, n), hour by hour,
    as the page's chart reads it (``DataFrame.melt``'s rows, without its cost on every rerun)."""
    days, hours = profile.shape
    return pd.DataFrame(
        {
            "weekday": np.tile(profile.index.to_numpy(), hours),
            "hour": np.repeat(profile.columns.to_numpy(), days),
            "n": profile.to_numpy().ravel(order="F"),
        }
    )


def prediction_accuracy(
    engine: Engine, *, role: str | None, categories: Sequence[str] | None = None, lang: str = "uk"
) -> pd.DataFrame:
    """The stored back-test: the default method's PEI* (95 % interval) and PAI next to naive's.

    Read from the store, never computed here (``cli.py forecast --evaluate`` runs
    after imports and at demo load). ``attrs``: ``method``, ``current`` (the
    reports have not changed since), ``until``, ``stored`` (False: none yet).
    """
    require(role, "police")
    stored = latest_evaluation(engine, res=POLICE_RES, categories=categories)
    if stored is None:
        table = pd.DataFrame()
        table.attrs.update(stored=False)
        return table
    scores = score_against_naive(stored)
    table = pd.DataFrame(
        {
            tr("police.acc_area", lang): [f"{share:.0%}" for share in scores["area_share"]],
            tr("police.acc_method", lang): [code_label("forecast_method", m, lang) for m in scores["method"]],
            "PEI*": scores["pei_star"].round(3),
            tr("police.acc_interval", lang): [
                f"{lo:.3f}–{hi:.3f}" for lo, hi in zip(scores["pei_star_lo"], scores["pei_star_hi"], strict=True)
            ],
            tr("police.acc_naive", lang) + " PEI*": scores["naive"].round(3),
            "PAI": scores["pai"].round(1),
            tr("police.acc_naive", lang) + " PAI": scores["naive_pai"].round(1),
        }
    )
    table.attrs.update(stored=True, method=stored.winner, current=stored.current, until=stored.until)
    return table


def patrol_areas(history: pd.DataFrame, *, areas: int, lang: str = "uk") -> pd.DataFrame | None:
    """Workload-balanced patrol areas (p-median) named by the streets at their centres."""
    split = balanced_areas(history, now=now(), areas=areas)
    if split is None:
        return None
    places = describe_cells(split.areas["centre"], load_gazetteer(), lang=lang)
    out = split.areas.assign(
        place=[" / ".join(places[c].streets) for c in split.areas["centre"]],
        district=[places[c].district or "" for c in split.areas["centre"]],
        workload=split.areas["workload"].round(1),
        share=(100 * split.areas["share"]).round(),
    )
    return out[["area", "place", "district", "cells", "workload", "share"]]


def stints(table: pd.DataFrame) -> pd.DataFrame:
    """Consecutive windows a patrol spends in one cell merged into one stint ('18:00-22:00'),
    in time order (windows keep the order in which the plan lists them)."""
    order = {w: i for i, w in enumerate(dict.fromkeys(table["window"].astype(str)))}
    rows: list[dict[str, object]] = []
    for patrol, group in table.assign(window=table["window"].astype(str)).groupby("patrol", sort=True):
        group = group.sort_values("window", key=lambda s: s.map(order))
        for record in group.to_dict("records"):
            last = rows[-1] if rows else None
            if (
                last
                and last["patrol"] == patrol
                and last["cell"] == record["cell"]
                and order[last["last_window"]] + 1 == order[record["window"]]
            ):
                last["end"] = record["window"].split("-")[1]
                last["last_window"] = record["window"]
                last["expected"] += record["expected"]
                continue
            start, end = record["window"].split("-")
            rows.append(
                {
                    **record,
                    "start": start,
                    "end": end,
                    "last_window": record["window"],
                    "first": order[record["window"]],
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return table.head(0).assign(time="")
    out["time"] = out["start"] + "-" + out["end"]
    return out.sort_values(["first", "patrol"]).reset_index(drop=True)


def briefing(
    plan: PatrolPlan,
    *,
    user: User,
    engine: Engine,
    title: str,
    subtitle: str,
    header: Sequence[str],
    notes: Sequence[str] = (),
    lang: str = "uk",
    period: tuple[datetime, datetime] | None = None,
    categories: Sequence[str] | None = None,
) -> bytes:
    """The printable patrol briefing (PDF), one page: the map of the plan's streets and cells,
    then the plan in time order named by streets, landmark and microdistrict (no H3 ids).
    `header` names the columns time, patrol, place, landmark, microdistrict, categories,
    expected. Police and admins only, audited with the period and categories it was made for."""
    require(user.role, "export_police")
    table = stints(plan_table(plan, lang=lang))
    cells = list(dict.fromkeys(table["cell"]))
    labels = [str(i) for i in range(1, len(cells) + 1)]
    number = dict(zip(cells, labels, strict=True))
    png = static_map_png(basemap_from_gazetteer(load_gazetteer(), lang=lang), cells, labels)
    rows = [
        [
            str(r.time),
            str(r.patrol),
            f"({number[r.cell]}) {r.place}",
            r.landmark,
            r.district,
            ", ".join(str(r.categories).split(", ")[:2]),
            f"{r.expected:.1f}",
        ]
        for r in table.itertuples(index=False)
    ]
    pdf = briefing_pdf(title=title, subtitle=subtitle, rows=rows, header=header, map_png=png, notes=notes)
    with Session(engine) as session, session.begin():
        session.add(
            AuditRow(
                actor=user.username,
                action="export",
                target="patrol_briefing.pdf",
                detail={
                    "cells": cells,
                    "share": round(plan.share, 3),
                    "period": [f"{p:%Y-%m-%d}" for p in period] if period else None,
                    "categories": list(categories or []),
                },
            )
        )
    return pdf


def window_csv(
    engine: Engine,
    start: datetime,
    end: datetime,
    *,
    user: User,
    categories: Sequence[str] | None = None,
    lang: str = "uk",
) -> str:
    """:func:`export_csv` of the window [start, end): its reports read in full detail only when
    the export is asked for (the page's window holds no text)."""
    require(user.role, "export_police")
    return export_csv(window_reports(engine, start, end, categories=categories), user=user, engine=engine, lang=lang)


def export_csv(reports: pd.DataFrame, *, user: User, engine: Engine, lang: str = "uk") -> str:
    """The window's reports in full detail as CSV: police and admins only, audited. Headers,
    categories, statuses and place levels in `lang` (the codes stay in the store)."""
    from layers.exports import POLICE_COLUMNS, police_csv

    named = reports.assign(
        **{
            column: reports[column].map(lambda v, p=prefix: code_label(p, v, lang) or v)
            for column, prefix in (("status", "status"), ("level", "level"))
            if column in reports
        }
    )
    if "category" in named:
        named["category"] = named["category"].map(lambda c: category_label(c, lang) if c in CATEGORIES else c)
    data = police_csv(named, role=user.role, headers={c: tr("export." + c, lang) for c in POLICE_COLUMNS})
    with Session(engine) as session, session.begin():
        session.add(
            AuditRow(actor=user.username, action="export", target="police_reports.csv", detail={"rows": len(reports)})
        )
    return data
