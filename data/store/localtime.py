"""Keep each report's city-time month (``reports.month_local``) in the city's time zone.

The counting analyses and the public releases group by ``month_local``; SQLite has no
time zones, so the month is derived once, at insert. The store records the zone it was
derived in (``store_settings.month_local_tz``); when the city's zone changes (a new city
profile), :func:`ensure_local_months` re-derives every month. It runs one UPDATE per
month over an ``occurred_at`` range (the month's bounds in UTC), the same statements on
SQLite and PostgreSQL, using the ``occurred_at`` index: a few dozen statements for years
of reports instead of one per report, each writing only the reports whose month changes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from data.store.schema import ReportRow, StoreSettingRow

SETTING = "month_local_tz"


def derived_zone(engine: Engine) -> str | None:
    """The time zone the stored months were derived in; None before the first derivation."""
    with Session(engine) as session:
        return session.scalar(select(StoreSettingRow.value).where(StoreSettingRow.key == SETTING))


def ensure_local_months(engine: Engine, tz: str) -> int:
    """Re-derive ``month_local`` of every report when it was derived in another zone (or
    in none recorded); returns the number of reports whose month changed. Only those are
    written: on PostgreSQL an UPDATE writes a new row version and its index entries, so
    rewriting a million unchanged months would take minutes, and a change between zones
    with the same offsets (or the first derivation of months already in the zone) costs
    only the scan."""
    if derived_zone(engine) == tz:
        return 0
    zone = ZoneInfo(tz)
    updated = 0
    with Session(engine) as session, session.begin():
        first, last = session.execute(select(func.min(ReportRow.occurred_at), func.max(ReportRow.occurred_at))).one()
        for start, end, label in _months(first, last, zone) if first is not None else ():
            result = session.execute(
                update(ReportRow)
                .where(
                    ReportRow.occurred_at >= start,
                    ReportRow.occurred_at < end,
                    ReportRow.month_local.is_(None) | (ReportRow.month_local != label),
                )
                .values(month_local=label)
                .execution_options(synchronize_session=False)
            )
            updated += result.rowcount or 0
        setting = session.get(StoreSettingRow, SETTING)
        if setting is None:
            session.add(StoreSettingRow(key=SETTING, value=tz))
        else:
            setting.value = tz
    return updated


def _months(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime, str]]:
    """Each local month from ``first``'s to ``last``'s: its UTC bounds [start, end) and 'YYYY-MM'."""
    local = first.astimezone(zone)
    year, month = local.year, local.month
    stop = last.astimezone(zone)
    out = []
    while (year, month) <= (stop.year, stop.month):
        nxt = (year + month // 12, month % 12 + 1)
        start = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
        end = datetime(*nxt, 1, tzinfo=zone).astimezone(UTC)
        out.append((start, end, f"{year}-{month:02d}"))
        year, month = nxt
    return out


def offset_spans(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime, int]]:
    """[start, end) cut where the zone's UTC offset changes (daylight saving): each span's
    UTC bounds and its offset in seconds. Within a span local time is UTC plus one number,
    so the database can derive local hours with integer arithmetic (no zone data in SQL)."""
    spans: list[tuple[datetime, datetime, int]] = []
    lo, end = start.astimezone(UTC), end.astimezone(UTC)
    while lo < end:
        offset, hi = _offset(lo, zone), lo
        while hi < end:
            nxt = min(hi + _STEP, end)
            if _offset(nxt, zone) != offset:
                hi = min(_first_change(hi, nxt, zone, offset), end)
                break
            hi = nxt
        spans.append((lo, hi, offset))
        lo = hi
    return spans


#: Offsets are probed this far apart: no zone changes its offset twice within it.
_STEP = timedelta(hours=6)


def _offset(when: datetime, zone: ZoneInfo) -> int:
    return int(when.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]


def _first_change(lo: datetime, hi: datetime, zone: ZoneInfo, offset: int) -> datetime:
    """The first whole second after ``lo`` (up to ``hi``, whose offset differs) whose offset is
    not ``offset``: zones change on whole seconds, found by bisection."""
    a, b = math.floor(lo.timestamp()), math.ceil(hi.timestamp())
    while b - a > 1:
        mid = (a + b) // 2
        a, b = (mid, b) if _offset(datetime.fromtimestamp(mid, UTC), zone) == offset else (a, mid)
    return datetime.fromtimestamp(b, UTC)
