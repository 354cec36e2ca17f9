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


def test_a_bulk_insert_moves_the_version_by_its_rows_and_keeps_the_trigger(sqlite_url) -> None:
    """The bulk path (data.store.version.insert_counted: the row trigger dropped inside the
    transaction) ends where the row trigger would, skips conflicts alike, and leaves the
    trigger in place, also when the transaction rolls back."""
    from data.store.db import make_engine, upgrade
    from data.store.repo import insert_tuples_ignoring_conflicts
    from data.store.version import BULK_MIN_ROWS

    engine = make_engine(sqlite_url)
    upgrade(engine)

    def full(ref: str) -> dict:
        return _row(ref) | {"month_local": "2025-03", "created_at": WHEN, "updated_at": WHEN}

    columns = tuple(full("x"))
    rows = [tuple(full(f"r{k}").values()) for k in range(BULK_MIN_ROWS + 50)]
    before = store_version(engine)
    with Session(engine) as s, s.begin():
        insert_tuples_ignoring_conflicts(s, ReportRow.__table__, columns, rows[:10])  # the row trigger's path
        insert_tuples_ignoring_conflicts(s, ReportRow.__table__, columns, rows)  # 10 conflicts skipped
    assert store_version(engine) == before + len(rows)
    with Session(engine) as s:  # a write first: the driver's transaction is open, as in an import
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("first")])
        more = [tuple(full(f"s{k}").values()) for k in range(BULK_MIN_ROWS)]
        insert_tuples_ignoring_conflicts(s, ReportRow.__table__, columns, more)
        s.rollback()
    assert store_version(engine) == before + len(rows)
    with engine.connect() as conn:
        triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
        assert "reports_store_version_insert" in triggers
        assert conn.exec_driver_sql("SELECT count(*) FROM reports").scalar() == len(rows)
    with Session(engine) as s, s.begin():  # the trigger works again afterwards
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("after")])
    assert store_version(engine) == before + len(rows) + 1
