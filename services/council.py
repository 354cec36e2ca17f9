"""District review and the report for the municipal programme (council, partners, admins)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth.roles import require
from auth.users import User
from data.categories import CATEGORIES
from data.categories import label as category_label
from data.store.repo import reports_frame
from data.store.schema import AuditRow, MeetingRow, SurveyResponseRow
from geo.gazetteer import load_gazetteer
from layers.council import district_ids, district_stats
from layers.exports import xlsx_bytes
from layers.privacy import Period, survey_by_district
from services.actions import actions_frame
from services.briefing import Section, report_pdf

KYIV = "Europe/Kyiv"


def load(engine: Engine, *, role: str | None) -> pd.DataFrame:
    """Counted, located reports of the whole history (no reporter data is shown on council pages)."""
    require(role, "council")
    frame = reports_frame(engine, located_only=True)
    return frame.drop(columns=["reporter_hash"])


def month_by_category(reports: pd.DataFrame, district_id: str | None = None) -> pd.DataFrame:
    """Reports per month (rows, Kyiv time) and category (columns) for one microdistrict or the city."""
    subset = reports
    if district_id is not None:
        ids = district_ids(reports["lat"].to_numpy(), reports["lon"].to_numpy(), load_gazetteer())
        subset = reports[ids == district_id]
    months = subset["occurred_at"].dt.tz_convert(KYIV).dt.tz_localize(None).dt.to_period("M").astype(str)
    table = subset.assign(month=months).pivot_table(index="month", columns="category", values="id",
                                                    aggfunc="count", fill_value=0)
    return table.reindex(columns=[c for c in CATEGORIES if c in table.columns])


def surveys_frame(engine: Engine) -> pd.DataFrame:
    with Session(engine) as session:
        rows = session.execute(select(SurveyResponseRow.wave, SurveyResponseRow.district, SurveyResponseRow.answers))
        return pd.DataFrame([{"wave": w, "district": d, "answers": a or {}} for w, d, a in rows],
                            columns=["wave", "district", "answers"])


def meetings_frame(engine: Engine) -> pd.DataFrame:
    cols = [c.name for c in MeetingRow.__table__.columns]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(MeetingRow).order_by(MeetingRow.date))]
    return pd.DataFrame.from_records(rows, columns=cols)


def programme_tables(engine: Engine, reports: pd.DataFrame, *, period: Period, today: date, role: str | None,
                     lang: str = "uk") -> dict[str, pd.DataFrame]:
    """The tables of the municipal-programme report, shared by the XLSX and the PDF."""
    gz = load_gazetteer()
    stats = district_stats(reports, gz, period=period, role=role)
    in_period = reports[(reports["occurred_at"] >= period.start) & (reports["occurred_at"] < period.end)]
    categories = (in_period.groupby("category").size().rename("n").reset_index()
                  .assign(category=lambda t: t["category"].map(lambda c: category_label(c, lang)))
                  .sort_values("n", ascending=False))
    actions = actions_frame(engine, today=today)
    surveys = surveys_frame(engine)
    waves = sorted(surveys["wave"].dropna().unique())
    survey = pd.concat([survey_by_district(surveys, w).assign(wave=w) for w in waves]) if waves else pd.DataFrame()
    return {
        "districts": stats[["name", "population", "n", "per_1000", "n_prev", "change"]],
        "categories": categories,
        "months_by_category": month_by_category(reports).reset_index(),
        "actions": actions[["id", "district", "owner", "owner_org", "description", "due_date", "status",
                            "overdue", "public_note"]],
        "meetings": meetings_frame(engine)[["id", "date", "place", "attendees"]],
        "surveys": survey,
    }


def programme_report_xlsx(engine: Engine, reports: pd.DataFrame, *, user: User, period: Period, today: date,
                          lang: str = "uk") -> bytes:
    """The XLSX for the municipal programme. Council, partner and admin roles only; audited."""
    require(user.role, "export_council")
    tables = programme_tables(engine, reports, period=period, today=today, role=user.role, lang=lang)
    data = xlsx_bytes(tables)
    _audit(engine, user, f"programme_report.xlsx {period.label}")
    return data


def programme_report_pdf(engine: Engine, reports: pd.DataFrame, *, user: User, period: Period, today: date,
                         title: str, subtitle: str, headings: dict[str, str], lang: str = "uk") -> bytes:
    """The same report as a printable PDF (districts, categories, actions, meetings)."""
    require(user.role, "export_council")
    tables = programme_tables(engine, reports, period=period, today=today, role=user.role, lang=lang)
    widths = {"districts": [50, 25, 20, 25, 25, 25], "categories": [120, 30],
              "actions": [10, 25, 20, 30, 55, 20, 20], "meetings": [15, 25, 110, 25]}
    sections = []
    for key, w in widths.items():
        frame = tables[key].iloc[:, : len(w)]
        sections.append(Section(headings[key], list(frame.columns),
                                [[_text(v) for v in row] for row in frame.itertuples(index=False)], w))
    pdf = report_pdf(title=title, subtitle=subtitle, sections=sections)
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
