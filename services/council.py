"""District review and the report for the municipal programme (council, partners, admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from auth.roles import can, require
from auth.users import User
from data.categories import CATEGORIES
from data.categories import label as category_label
from data.city_profile import city_zone
from data.store.aggregates import binned_counts, report_columns
from data.store.microdistricts import district_month_counts
from data.store.repo import report_filters
from data.store.schema import AuditRow, MeetingRow, ReportRow, SurveyResponseRow
from geo.gazetteer import load_gazetteer
from i18n import t
from layers.council import council_map, district_ids, district_stats, district_stats_of
from layers.exports import xlsx_bytes
from layers.privacy import PUBLIC_RES, Month, Period, Quarter, parse_period, survey_by_district, survey_change_of
from services import districts as microdistricts
from services.actions import actions_frame, milestones_frame
from services.briefing import Section, report_pdf
from services.effect import effects, header
from services.labels import district_labeller

#: What the council's tables, maps, trends and effects read.
COUNCIL_COLUMNS = (
    "id",
    "occurred_at",
    "category",
    "status",
    "lat",
    "lon",
    "uncertainty_m",
    "level",
    "district",
    "meeting_id",
    "duplicate_of",
    "h3_r7",
    "h3_r8",
    "h3_r9",
    "h3_r10",
)


def load(engine: Engine, *, role: str | None) -> pd.DataFrame:
    """Counted, located reports of the whole history, only :data:`COUNCIL_COLUMNS` (no text, no
    reporter data: council pages show counts, and a million full rows would not fit in memory)."""
    require(role, "council")
    return report_columns(engine, COUNCIL_COLUMNS)


def counts(engine: Engine, *, role: str | None) -> pd.DataFrame:
    """Counted, located reports of the whole history per ``district`` (microdistrict id, ""
    outside all), ``month`` (city time) and ``category``, with ``n``: what the district
    review and the trends read, counted by the store (the reports' microdistricts are
    brought up to date first: a no-op on a current store)."""
    require(role, "council")
    microdistricts.ensure(engine)
    return district_month_counts(engine)


def raised_at_meetings(engine: Engine, *, role: str | None) -> int:
    """Counted, located reports raised at a dialogue meeting (the store counts them)."""
    require(role, "council")
    conds = report_filters(None, None, None, ("new", "verified"), include_duplicates=False, located_only=True)
    query = select(func.count()).select_from(ReportRow).where(*conds, ReportRow.meeting_id.is_not(None))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def period_cells(engine: Engine, period: Period, *, role: str | None) -> pd.Series:
    """Res-8 cell -> counted, located reports of the period (the council map's cells), counted
    by the store from the cell each report carries."""
    require(role, "council")
    binned = binned_counts(engine, res=PUBLIC_RES, too_vague_m=float("inf"), start=period.start, end=period.end)
    placed = binned[binned["kind"] != "missing"]
    return placed.groupby("cell")["n"].sum().sort_values(ascending=False, kind="stable").rename("count")


def month_by_category(reports: pd.DataFrame, district_id: str | None = None) -> pd.DataFrame:
    """Reports per month (rows, the city's time) and category (columns) for one microdistrict or
    the city, from the reports' points (the programme report's row path)."""
    subset = reports
    if district_id is not None:
        ids = district_ids(reports["lat"].to_numpy(), reports["lon"].to_numpy(), load_gazetteer())
        subset = reports[ids == district_id]
    months = subset["occurred_at"].dt.tz_convert(city_zone()).dt.tz_localize(None).dt.to_period("M").astype(str)
    table = subset.assign(month=months).pivot_table(
        index="month", columns="category", values="id", aggfunc="count", fill_value=0
    )
    return table.reindex(columns=[c for c in CATEGORIES if c in table.columns])


def surveys_frame(engine: Engine) -> pd.DataFrame:
    with Session(engine) as session:
        rows = session.execute(select(SurveyResponseRow.wave, SurveyResponseRow.district, SurveyResponseRow.answers))
        return pd.DataFrame(
            [{"wave": w, "district": d, "answers": a or {}} for w, d, a in rows],
            columns=["wave", "district", "answers"],
        )


def meetings_frame(engine: Engine) -> pd.DataFrame:
    cols = [c.name for c in MeetingRow.__table__.columns]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(MeetingRow).order_by(MeetingRow.date))]
    return pd.DataFrame.from_records(rows, columns=cols)


#: the columns of each programme-report table; headers come from the catalogue (council.col_*)
REPORT_COLUMNS = {
    "districts": ["name", "population", "n", "per_1000", "n_prev", "change"],
    "categories": ["category", "n"],
    "actions": [
        "id",
        "district",
        "owner_org",
        "description",
        "due_date",
        "status",
        "progress_total",
        "milestones",
        "effect",
        "public_note",
    ],
    "meetings": ["id", "date", "place", "attendees"],
}
PDF_WIDTHS = {
    "districts": [50, 25, 20, 25, 25, 25],
    "categories": [120, 30],
    "actions": [8, 16, 20, 30, 16, 14, 12, 26, 22, 26],
    "meetings": [15, 25, 110, 25],
}


def actions_in(actions: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The actions a period reports on: those due inside it (its first to its last day)."""
    due = pd.to_datetime(actions["due_date"])
    return actions[(due >= pd.Timestamp(period.start.date())) & (due < pd.Timestamp(period.end.date()))]


def programme_tables(
    engine: Engine, reports: pd.DataFrame, *, period: Period, today: date, role: str | None, lang: str = "uk"
) -> dict[str, pd.DataFrame]:
    """The tables of the municipal-programme report for one period, shared by the XLSX and
    the PDF, with translated column headers."""
    gz = load_gazetteer()
    stats = district_stats(reports, gz, period=period, role=role)
    stats = stats.assign(name=stats["name"].map(district_labeller(lang)))
    in_period = reports[(reports["occurred_at"] >= period.start) & (reports["occurred_at"] < period.end)]
    categories = (
        in_period.groupby("category")
        .size()
        .rename("n")
        .reset_index()
        .assign(category=lambda t: t["category"].map(lambda c: category_label(c, lang)))
        .sort_values("n", ascending=False)
    )
    actions = actions_in(actions_frame(engine, today=today, lang=lang), period)
    actions = actions.assign(
        status=actions["status"].map(lambda s: t("action_status." + s, lang)),
        district=actions["district"].map(district_labeller(lang)),
        progress_total=actions["progress_total"].round(0),
        milestones=milestone_texts(engine, actions["id"].astype(int).tolist()),
        effect=effect_texts(engine, actions, role=role, today=today, lang=lang, reports=reports),
    )
    meetings = meetings_frame(engine)
    meetings = meetings[
        (pd.to_datetime(meetings["date"]) >= pd.Timestamp(period.start.date()))
        & (pd.to_datetime(meetings["date"]) < pd.Timestamp(period.end.date()))
    ]
    surveys = surveys_frame(engine)
    waves = sorted(surveys["wave"].dropna().unique())
    survey = (
        pd.concat([shown_survey(survey_means(surveys, w), lang).assign(**{t("table.wave", lang): w}) for w in waves])
        if waves
        else pd.DataFrame()
    )
    months = month_by_category(in_period).reset_index()
    tables = {"districts": stats, "categories": categories, "actions": actions, "meetings": meetings}
    out = {key: tables[key][cols].rename(columns=lambda c: header(c, lang)) for key, cols in REPORT_COLUMNS.items()}
    return out | {
        "months_by_category": months.rename(
            columns=lambda c: category_label(c, lang) if c in CATEGORIES else t("council.month", lang)
        ),
        "surveys": survey,
    }


def milestone_texts(engine: Engine, action_ids: list[int]) -> list[str]:
    """Each action's milestones as plain lines "YYYY-MM-DD title: text", oldest first."""
    stones = milestones_frame(engine, action_ids)
    lines: dict[int, list[str]] = {}
    for row in stones.itertuples(index=False):
        lines.setdefault(int(row.action_id), []).append(
            f"{row.on_date} {row.title}" + (f": {row.text}" if row.text else "")
        )
    return ["\n".join(lines.get(a, [])) for a in action_ids]


def effect_texts(
    engine: Engine,
    actions: pd.DataFrame,
    *,
    role: str | None,
    today: date,
    lang: str,
    reports: pd.DataFrame | None = None,
) -> list[str]:
    """Each action's measured effect (WDD ± SE, z) or why there is none; roles that may not
    see the measured effect get that said instead of a silently empty cell."""
    if not can(role, "edit_actions"):
        return [t("plan.effect_restricted", lang)] * len(actions)
    found = effects(engine, actions, role=role, today=today, reports=reports)
    return [
        t("plan.reason." + r.reason, lang)
        if isinstance(r.reason, str)
        else t("plan.effect_value", lang, wdd=r.wdd, se=r.wdd_se, z=r.wdd_z)
        for r in found.itertuples(index=False)
    ]


def programme_report_xlsx(
    engine: Engine, reports: pd.DataFrame, *, user: User, period: Period, today: date, lang: str = "uk"
) -> bytes:
    """The XLSX for the municipal programme. Council, partner and admin roles only; audited.
    Columns are as wide as their text (up to a limit) and long text wraps, so nothing is cut."""
    require(user.role, "export_council")
    tables = programme_tables(engine, reports, period=period, today=today, role=user.role, lang=lang)
    data = xlsx_bytes({t("council.h_" + key, lang): frame for key, frame in tables.items()})
    _audit(engine, user, f"programme_report.xlsx {period.label}")
    return data


def programme_report_pdf(
    engine: Engine, reports: pd.DataFrame, *, user: User, period: Period, today: date, lang: str = "uk"
) -> bytes:
    """The same report as a printable PDF (districts, categories, actions, meetings); long
    cells wrap instead of being cut."""
    require(user.role, "export_council")
    tables = programme_tables(engine, reports, period=period, today=today, role=user.role, lang=lang)
    sections = [
        Section(
            t("council.h_" + key, lang),
            list(tables[key].columns),
            [[_text(v) for v in row] for row in tables[key].itertuples(index=False)],
            widths,
        )
        for key, widths in PDF_WIDTHS.items()
    ]
    pdf = report_pdf(
        title=t("council.report_title", lang),
        subtitle=t("council.report_subtitle", lang, period=period.label),
        sections=sections,
    )
    _audit(engine, user, f"programme_report.pdf {period.label}")
    return pdf


def _text(value: object) -> str:
    plain = _cell(value)
    return "" if plain is None else (f"{plain:.2f}" if isinstance(plain, float) else str(plain))


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None) if value.tzinfo else value
    return value if isinstance(value, bool | int | float | str | date) else str(value)


def _audit(engine: Engine, user: User, target: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(AuditRow(actor=user.username, action="export", target=target, detail={"role": user.role}))


def periods(today: date, *, months_back: int = 24) -> list[str]:
    """Quarters, then months, newest first, up to the current one (staff see the current
    period; the public lag does not apply to the programme report)."""
    month = Month(today.year, today.month)
    months = []
    for _ in range(months_back):
        months.append(month)
        month = month.previous()
    quarters = sorted({Quarter(m.year, (m.month - 1) // 3 + 1) for m in months}, reverse=True)
    return [q.label for q in quarters] + [m.label for m in months]


#: the newest periods a council page computes in the background (ui/cache.py's warm-up)
WARM_PERIODS = 12


def default_period(today: date) -> str:
    """The last quarter that has ended: what a programme report is usually about."""
    current = Quarter(today.year, (today.month - 1) // 3 + 1)
    return current.previous().label


def period(label: str) -> Period:
    return parse_period(label)


@dataclass
class Review:
    """What the district review shows: the map, the district table and the district choices."""

    fmap: Any
    table: pd.DataFrame
    districts: dict[str | None, str]


@dataclass(frozen=True)
class WaveMeans:
    """The newest survey wave, its means per microdistrict and their change since the wave
    before (None with one wave): the review map's survey layers."""

    wave: str
    means: pd.DataFrame
    change: pd.DataFrame | None


def review(
    engine: Engine,
    counted: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    role: str | None,
    chosen: Period,
    lang: str,
    survey: WaveMeans | None,
) -> Review:
    """The council map and the microdistrict table of a period, headers translated, from the
    store's grouped :func:`counts` (``counted``), the period's cell counts and the newest
    survey wave's means (:func:`newest_wave`: the same for every period)."""
    gz = load_gazetteer()
    stats = district_stats_of(counted, gz, period=chosen, role=role)
    fmap = council_map(
        gz,
        role=role,
        period=chosen,
        lang=lang,
        stats=stats,
        cells=period_cells(engine, chosen, role=role),
        actions=actions,
        wave=None if survey is None else survey.wave,
        survey_means=None if survey is None else survey.means,
        survey_change=None if survey is None else survey.change,
        meetings=None,
    )
    stats = stats.assign(name=stats["name"].map(district_labeller(lang)))
    table = stats[REPORT_COLUMNS["districts"]].rename(columns=lambda c: t("council.col_" + c, lang))
    names = {None: t("council.whole_city", lang)} | dict(zip(stats["district"], stats["name"], strict=True))
    return Review(fmap, table, names)


def trend(counted: pd.DataFrame, district: str | None, lang: str) -> pd.DataFrame:
    """Reports per month and category (long form, category names translated) for a chart, from
    the store's grouped :func:`counts`: every category present (in the catalogue's order) times
    every month present, 0 where none (no rows: an empty table). Summed in one array (a pandas pivot and melt cost three
    times as much on the page's cold rerun)."""
    subset = counted if district is None else counted[counted["district"] == district]
    months, month_of_row = np.unique(subset["month"].to_numpy(dtype=object).astype(str), return_inverse=True)
    present = set(subset["category"])
    categories = [c for c in CATEGORIES if c in present]
    row_of = {c: i for i, c in enumerate(categories)}
    grid = np.zeros((len(categories), len(months)), dtype="int64")
    np.add.at(grid, ([row_of[c] for c in subset["category"]], month_of_row), subset["n"].to_numpy(dtype="int64"))
    return pd.DataFrame(
        {
            "month": pd.Series(np.tile(months, len(categories)), dtype="str"),
            "category": pd.Series(np.repeat([category_label(c, lang) for c in categories], len(months)), dtype="str"),
            "n": grid.ravel(),
        }
    )


def survey_waves(engine: Engine) -> tuple[pd.DataFrame, list[str]]:
    surveys = surveys_frame(engine)
    return surveys, sorted(surveys["wave"].dropna().unique())


@dataclass(frozen=True)
class Surveys:
    """Every survey wave (oldest first) and its :func:`survey_means`: all the page's survey
    tables and map layers read. The responses are read once and not kept (a cached frame of
    answer dicts was copied from the page cache on every read of its waves)."""

    waves: list[str]
    means: dict[str, pd.DataFrame]


def surveys_by_wave(engine: Engine) -> Surveys:
    surveys, waves = survey_waves(engine)
    return Surveys(waves, {wave: survey_means(surveys, wave) for wave in waves})


def survey_means(surveys: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Mean answers per microdistrict of one wave (suppressed below the minimum sample)."""
    return survey_by_district(surveys, wave)


def survey_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The change of the mean answers between two waves, from each wave's :func:`survey_means`."""
    return survey_change_of(before, after)


def shown_survey(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A survey table (:func:`survey_means` or :func:`survey_change`) as the page shows
    it: microdistrict names and headers in `lang`."""
    named = table.assign(district=table["district"].map(district_labeller(lang)))
    return named.rename(columns=lambda c: t("table." + c, lang))


def district_names() -> list[str]:
    return [d.name for d in load_gazetteer().districts]
