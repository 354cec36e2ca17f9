"""District review and the report for the municipal programme (council, partners, admins)."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth.roles import require
from auth.users import User
from clustering.profiles import district_rates
from data.categories import CATEGORIES
from data.store.schema import AuditRow, MeetingRow, SurveyResponseRow
from geo.gazetteer import Gazetteer, load_gazetteer
from services.actions import actions_frame

KYIV = "Europe/Kyiv"


def districts_frame(gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    gz = gazetteer or load_gazetteer()
    return pd.DataFrame({"name": [d.name for d in gz.districts], "population": [d.population for d in gz.districts],
                         "geometry": [d.shape for d in gz.districts]})


def _months(reports: pd.DataFrame) -> pd.Series:
    return reports["occurred_at"].dt.tz_convert(KYIV).dt.tz_localize(None).dt.to_period("M")


def district_change(reports: pd.DataFrame, month_from: str, month_to: str) -> pd.DataFrame:
    """Reports and rate per 1,000 per district for [from, to], with the change against the
    previous period of the same length (positive = worse)."""
    months = _months(reports)
    lo, hi = pd.Period(month_from, "M"), pd.Period(month_to, "M")
    length = (hi - lo).n + 1
    prev_lo, prev_hi = lo - length, lo - 1
    districts = districts_frame()
    now = district_rates(reports[(months >= lo) & (months <= hi)], districts)
    before = district_rates(reports[(months >= prev_lo) & (months <= prev_hi)], districts)
    merged = now.merge(before[["district", "n", "rate_per_1000"]], on="district", how="left", suffixes=("", "_prev"))
    merged["change"] = merged["n"] - merged["n_prev"].fillna(0).astype(int)
    merged["change_pct"] = (merged["change"] / merged["n_prev"].where(merged["n_prev"] > 0)).mul(100).round(1)
    return merged


def district_month_category(reports: pd.DataFrame, district: str | None = None) -> pd.DataFrame:
    """Reports per month (rows) and category (columns) for one microdistrict or the city."""
    subset = reports if district is None else reports[reports["district_name"] == district]
    table = subset.assign(month=_months(subset).astype(str)).pivot_table(
        index="month", columns="category", values="id", aggfunc="count", fill_value=0)
    return table.reindex(columns=[c for c in CATEGORIES if c in table.columns])


def with_district_names(reports: pd.DataFrame, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Add `district_name`: the geocoder's district, else the polygon holding the point."""
    gz = gazetteer or load_gazetteer()
    located = [gz.district_at(lat, lon) if pd.notna(lat) else None for lat, lon in zip(reports["lat"], reports["lon"],
                                                                                         strict=True)]
    names = reports["district"].where(reports["district"].notna(), pd.Series(located, index=reports.index))
    return reports.assign(district_name=names)


def surveys_frame(engine: Engine) -> pd.DataFrame:
    with Session(engine) as session:
        rows = session.execute(select(SurveyResponseRow.wave, SurveyResponseRow.district, SurveyResponseRow.answers))
        records = [{"wave": w, "district": d, **(a or {})} for w, d, a in rows]
    return pd.DataFrame.from_records(records)


def meetings_frame(engine: Engine) -> pd.DataFrame:
    cols = [c.name for c in MeetingRow.__table__.columns]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(MeetingRow).order_by(MeetingRow.date))]
    return pd.DataFrame.from_records(rows, columns=cols)


def programme_report_xlsx(engine: Engine, reports: pd.DataFrame, *, user: User, month_from: str, month_to: str,
                          today: date) -> bytes:
    """The XLSX for the municipal programme: districts, categories by month, actions, meetings.

    Checked on the server: only council, partner and admin roles; the export is audited.
    """
    require(user.role, "export_council")
    named = with_district_names(reports)
    sheets = {
        "districts": district_change(named.assign(district=named["district_name"]), month_from, month_to),
        "months_by_category": district_month_category(named).reset_index(),
        "actions": actions_frame(engine, today=today),
        "meetings": meetings_frame(engine),
    }
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    _audit(engine, user, "export", f"programme_report.xlsx {month_from}..{month_to}")
    return buffer.getvalue()


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None) if value.tzinfo else value
    if hasattr(value, "geom_type"):
        return None
    return value if isinstance(value, int | float | str | date) else str(value)


def _audit(engine: Engine, user: User, action: str, target: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(AuditRow(actor=user.username, action=action, target=target, detail={"role": user.role}))
