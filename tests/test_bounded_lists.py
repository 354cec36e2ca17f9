"""Pages that list rows read a bounded window: the database filters, orders and pages.

The moderator's queue used to read every open quarantine entry with its JSON record and
filter in pandas; the old path (kept here as the oracle) must give the same rows, and a
window must be a LIMIT in the SQL, on SQLite and PostGIS.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from data.messages import Message, msg
from data.store.db import alembic_config, make_engine
from data.store.repo import quarantine_frame
from data.store.schema import QuarantineRow
from services import moderation

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
# stored reasons: coded messages of each kind, a code that starts like another one's, and an old
# English row the migration could not map (shown verbatim, kind "other")
REASONS = (
    msg("not_located").to_json(),
    msg("could_not_process", detail="x").to_json(),
    msg("point_outside_area", lat=47.5, lon=31.3).to_json(),
    msg("row_problem", row=3, problem=msg("bad_date", value="31.02")).to_json(),
    msg("not_located_extra").to_json(),
    "place not found (an old row)",
)


def _old_queue(engine, *, now: datetime, kind: str | None = None, age: str = "any") -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The queue as it was: every open entry read, filtered and sorted in pandas."""
    within_days, older = moderation.AGE_OPTIONS[age]
    frame = quarantine_frame(engine)
    frame["reason"] = frame["reason"].map(Message.from_json)
    received = pd.to_datetime(frame["record"].map(lambda r: (r or {}).get("received_at")), utc=True, errors="coerce")
    received = received.fillna(pd.to_datetime(frame["created_at"], utc=True))
    frame = frame.assign(
        kind=frame["reason"].map(moderation.reason_kind),
        received_at=received,
        age_days=(pd.Timestamp(now) - received).dt.days,
    )
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    if within_days is not None:
        frame = frame[frame["age_days"] > within_days] if older else frame[frame["age_days"] <= within_days]
    return frame.sort_values(["received_at", "id"])[["id", "source", "kind", "reason", "age_days", "excerpt"]]


def _fill(engine, n: int) -> None:  # type: ignore[no-untyped-def]
    """Open and resolved entries, received over two years (some exactly at an age's bound),
    some without a received time (the creation time counts) or with an unreadable one."""
    with Session(engine) as session, session.begin():
        for i in range(n):
            received = NOW - timedelta(days=(i * 37) % 700, hours=i % 5)
            if i % 9 == 0:
                received = NOW - timedelta(days=31)  # exactly on the "30 days" bound
            record = (
                {"received_at": received.isoformat()} if i % 7 else ({"received_at": "not a time"} if i % 2 else None)
            )
            session.add(
                QuarantineRow(
                    source="telegram" if i % 2 else "csv",
                    source_ref=f"q{i}",
                    reason=REASONS[i % len(REASONS)],
                    excerpt=f"excerpt {i}",
                    record=record,
                    created_at=NOW - timedelta(days=i % 400, minutes=i),
                    resolved_at=NOW if i % 10 == 3 else None,
                )
            )


@pytest.mark.parametrize("kind", [None, "not_located", "unreadable", "other"])
@pytest.mark.parametrize("age", ["any", "30", "older90", "older365"])
def test_the_queue_window_gives_the_old_paths_rows(store, kind: str | None, age: str) -> None:  # type: ignore[no-untyped-def]
    _fill(store, 120)
    expected = _old_queue(store, now=NOW, kind=kind, age=age).reset_index(drop=True)
    got = moderation.queue(store, now=NOW, kind=kind, age=age, limit=None)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert got.attrs["total"] == len(expected)
    pages = [
        moderation.queue(store, now=NOW, kind=kind, age=age, limit=7, offset=o) for o in range(0, len(expected), 7)
    ]
    paged = pd.concat(pages, ignore_index=True) if pages else expected.head(0)
    pd.testing.assert_frame_equal(paged, expected, check_dtype=False)


def test_the_queue_reads_one_page_with_a_limit(store) -> None:  # type: ignore[no-untyped-def]
    _fill(store, 300)
    statements: list[str] = []

    def seen(*args) -> None:  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(store, "before_cursor_execute", seen)
    page = moderation.queue(store, now=NOW)
    event.remove(store, "before_cursor_execute", seen)
    assert len(page) == moderation.QUEUE_PAGE == 50
    assert page.attrs["total"] == len(_old_queue(store, now=NOW)) > 200
    listed = [s for s in statements if "excerpt" in s]
    assert len(listed) == 1 and "LIMIT" in listed[0].upper() and "record" not in listed[0].split("FROM")[0]


def test_the_migration_fills_received_from_old_records(store_url: str) -> None:
    """Entries stored before the column: their record's time is copied into it."""
    engine = make_engine(store_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "issue25_store_settings")  # SQLite: from empty
        command.downgrade(cfg, "issue25_store_settings")  # PostGIS: the template is at head
        conn.execute(
            text(
                "INSERT INTO quarantine (source, source_ref, reason, excerpt, record, created_at) VALUES "
                "('csv', 'a', 'place not found', '', :rec, :now), ('csv', 'b', 'x', '', NULL, :now)"
            ),
            {"rec": '{"received_at": "2024-02-03T04:05:06Z"}', "now": NOW.replace(tzinfo=None)},
        )
        command.upgrade(cfg, "head")
    with Session(engine) as session:
        got = dict(session.query(QuarantineRow.source_ref, QuarantineRow.received_at).all())
    assert got == {"a": datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC), "b": None}
    engine.dispose()
