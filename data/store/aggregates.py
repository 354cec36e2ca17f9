"""What the analyses read from the store: GROUP BY counts, or only the columns they use.

Counting analyses (Gi*, emerging hot spots, naive and long-run forecasts) need reports
per H3 cell (and per local month), not the reports themselves: :func:`binned_counts`
has the database count them, from the H3 cells each report carries (``h3_r7``..``h3_r10``)
and its city-time month (``month_local``), on SQLite and PostgreSQL alike. Each group also
says why a report would not be binned (``kind``: ``ok``, ``vague`` when its uncertainty
exceeds the cell, ``missing`` without a point), so the binning summary is the row path's.

Point analyses (KDE, DBSCAN/HDBSCAN, point forecasts) read only their columns with
:func:`report_columns`: a Core SELECT into arrays, never ORM objects or the report text.
The hour x weekday profile counts reports per local hour of the week
(:func:`hour_week_counts`): the database derives it from ``occurred_at`` with the city
zone's UTC offset, one GROUP BY per stretch of constant offset (daylight saving cuts a
year in three), so no stored column has to follow a change of the zone.
The row path (``repo.reports_frame``) stays as the test oracle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from data.records import H3_RESOLUTIONS
from data.store.localtime import offset_spans
from data.store.repo import report_filters
from data.store.schema import ReportRow

POINT_COLUMNS = ("lat", "lon", "uncertainty_m", "occurred_at", "category", "h3_r9")
_TIMES = ("received_at", "occurred_at", "created_at", "updated_at")
#: Rows fetched at a time by the columnar read: its peak memory is the frame plus one chunk
#: of driver rows (PostgreSQL streams them from a server-side cursor).
CHUNK = 50_000


def binned_counts(
    engine: Engine,
    *,
    res: int,
    too_vague_m: float,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    by_month: bool = False,
    by_category: bool = False,
    located_only: bool = True,
    statuses: Sequence[str] = ("new", "verified"),
) -> pd.DataFrame:
    """Counted reports (not rejected, not duplicates) per ``cell`` [, ``month``] [, ``category``]
    and ``kind`` (ok / vague / missing), with ``n``; the database does the counting."""
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"the store keeps H3 cells at resolutions {H3_RESOLUTIONS}, not {res}")
    cell = getattr(ReportRow, f"h3_r{res}")
    kind = case(
        (ReportRow.lat.is_(None) | ReportRow.lon.is_(None), literal("missing")),
        (func.coalesce(ReportRow.uncertainty_m, 0.0) > too_vague_m, literal("vague")),
        else_=literal("ok"),
    ).label("kind")
    keys = [cell.label("cell")]
    if by_month:
        keys.append(ReportRow.month_local.label("month"))
    if by_category:
        keys.append(ReportRow.category.label("category"))
    keys.append(kind)
    conds = report_filters(start, end, categories, statuses, include_duplicates=False, located_only=located_only)
    query = select(*keys, func.count().label("n")).where(and_(*conds)).group_by(*keys)
    with engine.connect() as conn:
        rows = [row for part in _driver_rows(conn, query) for row in part]
    frame = rows_frame(rows, [k.name for k in keys] + ["n"])
    frame["n"] = frame["n"].astype("int64")
    return frame


def hour_week_counts(
    engine: Engine,
    *,
    tz: str,
    start: datetime,
    end: datetime,
    categories: Sequence[str] | None = None,
    cells: Sequence[str] | None = None,
    res: int = 9,
    district: str | None = None,
    statuses: Sequence[str] = ("new", "verified"),
) -> pd.Series:
    """Counted, located reports of [start, end) per local hour of the week in ``tz`` (0 = Monday
    00:00-01:00 ... 167 = Sunday 23:00), optionally only in some H3 ``cells`` (at ``res``) or
    one ``district``; every hour present. The database counts, per constant-offset span."""
    conds = report_filters(start, end, categories, statuses, include_duplicates=False, located_only=True)
    if cells is not None:
        conds.append(getattr(ReportRow, f"h3_r{res}").in_(list(cells)))
    if district is not None:
        conds.append(ReportRow.district == district)
    counts = np.zeros(HOURS_OF_WEEK, dtype=np.int64)
    with engine.connect() as conn:
        for lo, hi, offset in offset_spans(start, end, ZoneInfo(tz)):
            how = _hour_of_week(_epoch_seconds(engine), offset).label("how")
            query = (
                select(how, func.count())
                .where(and_(*conds, ReportRow.occurred_at >= lo, ReportRow.occurred_at < hi))
                .group_by(how)
            )
            for hour, n in conn.execute(query):
                counts[int(hour)] += int(n)
    return pd.Series(counts, index=pd.RangeIndex(HOURS_OF_WEEK, name="hour_of_week"), name="n")


HOURS_OF_WEEK = 168
#: 1970-01-01, the epoch, was a Thursday: local hours since the epoch + 3 days = hour of the week.
_EPOCH_WEEKDAY_HOURS = 3 * 24


def _epoch_seconds(engine: Engine) -> ColumnElement[int]:
    """Whole seconds since the epoch of ``occurred_at``, floored (SQLite keeps naive UTC text
    'YYYY-MM-DD HH:MM:SS.ffffff'; its strftime would round .9995 s up to the next second, so
    the fraction is cut off first)."""
    if engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", func.substr(ReportRow.occurred_at, 1, 19)), BigInteger)
    return cast(func.floor(extract("epoch", ReportRow.occurred_at)), BigInteger)


def _hour_of_week(seconds: ColumnElement[int], offset: int) -> ColumnElement[int]:
    """Local hour of the week of a UTC epoch second at a fixed UTC offset (integer arithmetic;
    reports are after 1970, so the divisions never see a negative number)."""
    return ((seconds + offset) // 3600 + _EPOCH_WEEKDAY_HOURS) % HOURS_OF_WEEK


def report_columns(
    engine: Engine,
    columns: Sequence[str] = POINT_COLUMNS,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    located_only: bool = True,
    statuses: Sequence[str] = ("new", "verified"),
    limit: int | None = None,
    cells: tuple[int, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Only the named columns of the counted reports of [start, end), oldest first (columnar
    read: one SELECT of those columns, fetched in chunks of :data:`CHUNK`, no ORM objects);
    ``cells`` = (resolution, H3 cells): only the reports in those cells."""
    table = ReportRow.__table__
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"unknown report columns: {unknown}")
    conds = report_filters(start, end, categories, statuses, include_duplicates=False, located_only=located_only)
    if cells is not None:
        conds.append(table.c[f"h3_r{cells[0]}"].in_(list(cells[1])))
    # times come as the driver gives them (SQLite: UTC text) and pandas converts a chunk at once,
    # not a Python call per value (UTCDateTime's result processor)
    selected = [type_coerce(table.c[c], String).label(c) if c in _TIMES else table.c[c] for c in columns]
    query = select(*selected).where(and_(*conds)).order_by(ReportRow.occurred_at, ReportRow.id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        parts = [_frame(part, columns) for part in _driver_rows(conn, query, CHUNK)]
    return pd.concat(parts, ignore_index=True) if parts else _frame([], columns)


def _driver_rows(conn: Connection, query: Select[Any], chunk: int | None = None) -> Iterator[list[Any]]:
    """The query's rows as tuples, ``chunk`` rows at a time (all at once for None).

    Where no selected column's type converts what the driver returns (numbers and text,
    times read as text: every read here) and no server-side cursor is used (SQLite), the
    rows come from the driver's cursor itself: SQLAlchemy's row objects cost more than the
    query. A server-side cursor (PostgreSQL, ``chunk``) streams through SQLAlchemy's
    partitions, whose buffering already took the cursor's first row."""
    stream = bool(chunk) and conn.dialect.supports_server_side_cursors
    result = conn.execution_options(yield_per=chunk).execute(query) if stream else conn.execute(query)
    plain = all(c.type.result_processor(conn.dialect, None) is None for c in query.selected_columns)
    if stream or not plain:
        parts = result.partitions() if chunk else iter([result.all()])
        yield from ([tuple(r) for r in part] for part in parts)
        return
    cursor = result.cursor
    while rows := (cursor.fetchmany(chunk) if chunk else cursor.fetchall()):
        yield rows
        if not chunk:
            break
    result.close()


def rows_frame(rows: Sequence[Sequence[object]], columns: Sequence[str]) -> pd.DataFrame:
    """Driver rows as a frame, built column by column: the same frame as ``pd.DataFrame(rows)``
    gives, about five times faster (pandas would go through one 2-D array of Python objects
    and infer each column's type from it). Column names must differ (a dict keeps one of each)."""
    if len(set(columns)) != len(columns):
        raise ValueError(f"repeated column names: {list(columns)}")
    if not rows:
        return pd.DataFrame([], columns=list(columns))
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)), columns=list(columns))


def _frame(rows: Sequence[Sequence[object]], columns: Sequence[str]) -> pd.DataFrame:
    """One chunk of rows as a frame, times as UTC timestamps (the driver's objects freed per chunk)."""
    frame = rows_frame(rows, columns)
    for col in _TIMES:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame
