"""A change of the city's time zone re-derives every report's local month (SQLite and PostGIS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clustering.binning import edge_length_m
from data.store.aggregates import binned_counts
from data.store.localtime import derived_zone, ensure_local_months
from data.store.repo import insert_ignoring_conflicts, reports_frame
from data.store.schema import ReportRow, month_local


def _row(i: int, when: datetime) -> dict:
    return {
        "source": "csv",
        "source_ref": f"r{i}",
        "received_at": when,
        "occurred_at": when,
        "occurred_at_source": "given",
        "text": "t",
        "category": "litter",
        "category_source": "rule",
        "lat": 47.566,
        "lon": 31.33,
        "level": "address",
        "score": 0.9,
        "uncertainty_m": 10.0,
        "status": "new",
        "h3_r9": "8928308280fffff",
    }


def test_a_time_zone_change_re_derives_the_months(store) -> None:  # type: ignore[no-untyped-def]
    # Around month ends: 21:30 UTC on 31 Jan is February in Kyiv (UTC+2), January in New York.
    base = [
        datetime(2025, 1, 31, 21, 30, tzinfo=UTC),
        datetime(2025, 3, 31, 21, 30, tzinfo=UTC),
        datetime(2025, 6, 30, 23, 59, tzinfo=UTC),
        datetime(2025, 7, 1, 2, 0, tzinfo=UTC),
    ]
    times = base + [datetime(2024, 12, 1, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(300)]
    rows = [_row(i, t) | {"month_local": "1999-01"} for i, t in enumerate(times)]  # stale on purpose
    with Session(store) as session, session.begin():
        insert_ignoring_conflicts(session, ReportRow.__table__, rows)

    before = {t: "1999-01" for t in times}
    for tz in ("Europe/Kyiv", "America/New_York", "Asia/Kolkata", "Europe/Kyiv"):
        after = {t: month_local(t, ZoneInfo(tz)) for t in times}  # oracle: zoneinfo, one by one
        changed = sum(before[t] != after[t] for t in times)
        assert changed > 0
        assert ensure_local_months(store, tz) == changed  # only the changed months are written
        assert derived_zone(store) == tz
        assert ensure_local_months(store, tz) == 0  # current: nothing to do
        with Session(store) as session:
            stored = dict(session.execute(select(ReportRow.occurred_at, ReportRow.month_local)).all())
        assert stored == after
        before = after
        # the grouped counts follow the re-derived months and still equal the rows' count
        frame = reports_frame(store)
        binned = binned_counts(store, res=9, too_vague_m=edge_length_m(9), by_month=True)
        assert binned.groupby("month")["n"].sum().to_dict() == frame.groupby("month_local").size().to_dict()


def test_an_empty_store_records_the_zone(store) -> None:  # type: ignore[no-untyped-def]
    assert derived_zone(store) is None
    assert ensure_local_months(store, "Europe/Helsinki") == 0
    assert derived_zone(store) == "Europe/Helsinki"
