"""The store's version (the key of the page caches) moves with every write to the data
tables, whoever writes and by whatever statement, and stays put for visits (sessions, audit)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from data.store.repo import insert_ignoring_conflicts
from data.store.schema import AuditRow, ReportRow
from data.store.version import store_version

WHEN = datetime(2025, 3, 1, 21, 30, tzinfo=UTC)


def _row(ref: str) -> dict:
    return dict(
        source="csv",
        source_ref=ref,
        received_at=WHEN,
        occurred_at=WHEN,
        occurred_at_source="given",
        text="сміття",
        category="litter",
        category_source="rule",
        lat=47.56,
        lon=31.33,
        level="street",
        score=0.9,
        status="new",
    )


def test_every_insert_update_and_delete_moves_the_version(store) -> None:
    seen = [store_version(store)]
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("a"), _row("b")])
    seen.append(store_version(store))
    with Session(store) as s, s.begin():
        s.execute(update(ReportRow).where(ReportRow.source_ref == "a").values(status="verified"))
    seen.append(store_version(store))
    with store.begin() as conn:  # plain SQL, as another process or an operator would write
        conn.execute(text("DELETE FROM reports WHERE source_ref = 'b'"))
    seen.append(store_version(store))
    with Session(store) as s, s.begin():
        s.execute(delete(ReportRow).where(ReportRow.source_ref == "nothing"))  # a statement that hits no row
    seen.append(store_version(store))
    assert seen[:4] == sorted(set(seen[:4])), seen  # strictly growing over the four writes
    assert seen[4] >= seen[3]  # PostgreSQL counts statements, SQLite rows: either may or may not move here


def test_visits_and_the_audit_log_leave_the_version_alone(store) -> None:
    before = store_version(store)
    with Session(store) as s, s.begin():
        s.add(AuditRow(actor="police", action="export", target="x.csv", detail={}))
    assert store_version(store) == before


def test_a_rolled_back_write_on_sqlite_leaves_the_version_alone(sqlite_url) -> None:
    from data.store.db import make_engine, upgrade

    engine = make_engine(sqlite_url)
    upgrade(engine)
    before = store_version(engine)
    with Session(engine) as s:
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("c")])
        s.rollback()
    assert store_version(engine) == before
