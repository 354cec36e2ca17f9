"""The store: schema from Alembic, UTC round trip, idempotent inserts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.db import table_names
from data.store.repo import insert_ignoring_conflicts, insert_tuples_ignoring_conflicts, reports_frame
from data.store.schema import ReportRow, month_local
from tests.conftest import ROOT

TABLES = {
    "reports",
    "import_batches",
    "quarantine",
    "meetings",
    "survey_responses",
    "actions",
    "users",
    "audit_log",
    "reporter_contacts",
    "edit_locks",
    "forecast_evaluations",
    "organisations",
    "alembic_version",
    "releases",
    "release_months",
    "release_cells",
    "form_submissions",
    "sessions",
    "login_failures",
    "action_milestones",
    "meeting_organisations",
    "store_settings",
}


def _row(ref: str, **extra) -> dict:
    when = datetime(2025, 3, 1, 21, 30, tzinfo=UTC)
    base = dict(
        source="csv",
        source_ref=ref,
        received_at=when,
        occurred_at=when,
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
    return base | extra


def test_schema_has_every_table(store) -> None:
    # the store's version: a one-row table on SQLite, a sequence on PostgreSQL (data/store/version.py)
    version = {"store_version"} if store.dialect.name == "sqlite" else set()
    assert set(table_names(store)) == TABLES | version


def test_cli_db_upgrade_on_an_empty_file(tmp_path) -> None:
    db = tmp_path / "new.db"
    env = {"DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "cli.py", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "reports" in out.stderr and db.exists()


def test_times_come_back_as_utc(store) -> None:
    kyiv = timezone(timedelta(hours=2))
    local = datetime(2025, 1, 10, 23, 15, tzinfo=kyiv)
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("a", occurred_at=local)])
    frame = reports_frame(store)
    assert frame.loc[0, "occurred_at"] == datetime(2025, 1, 10, 21, 15, tzinfo=UTC)


def test_naive_times_are_refused(store) -> None:
    with pytest.raises(Exception, match="naive"), Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("b", occurred_at=datetime(2025, 1, 1))])


def test_same_source_ref_is_stored_once(store) -> None:
    for _ in range(3):
        with Session(store) as s, s.begin():
            insert_ignoring_conflicts(s, ReportRow.__table__, [_row("same"), _row("other")])
    with Session(store) as s:
        assert s.scalar(select(func.count()).select_from(ReportRow)) == 2


def test_duplicates_and_rejected_are_left_out_by_default(store) -> None:
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("o"), _row("r", status="rejected")])
        original = s.scalar(select(ReportRow.id).where(ReportRow.source_ref == "o"))
        insert_ignoring_conflicts(s, ReportRow.__table__, [_row("d", duplicate_of=original)])
    assert list(reports_frame(store)["source_ref"]) == ["o"]
    assert len(reports_frame(store, include_duplicates=True)) == 2


def _stored(store, columns: list[str]) -> list[tuple]:
    query = select(*(ReportRow.__table__.c[c] for c in columns)).order_by(ReportRow.id)
    with Session(store) as s:
        return [tuple(r) for r in s.execute(query)]


def test_tuple_insert_stores_what_the_dict_insert_stores(store) -> None:
    """The fast path of the importer: same rows, same key order, conflicts skipped."""
    rows = [
        _row("t2", occurred_at=datetime(2025, 1, 31, 22, 30, tzinfo=UTC), landmark={"kind": "park"}),
        _row("t1", lat=None, lon=None, text="шум"),
        _row("t1", text="twice"),
    ]
    columns = [c for c in ReportRow.__table__.columns.keys() if c != "id"]
    when = datetime(2025, 3, 2, tzinfo=UTC)

    def full(row: dict, ref: str) -> dict:
        return (
            {c: None for c in columns}
            | row
            | {
                "source_ref": ref,
                "created_at": when,
                "updated_at": when,
                "month_local": month_local(row["occurred_at"]),
            }
        )

    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [full(r, "d" + r["source_ref"]) for r in rows])
        insert_tuples_ignoring_conflicts(
            s, ReportRow.__table__, columns, [tuple(full(r, "t" + r["source_ref"])[c] for c in columns) for r in rows]
        )
    stored = _stored(store, columns)
    assert len(stored) == 4
    ref = columns.index("source_ref")
    assert [r[:ref] + r[ref + 1 :] for r in stored[:2]] == [r[:ref] + r[ref + 1 :] for r in stored[2:]]
    assert stored[3][columns.index("month_local")] == "2025-02"  # Kyiv time, not UTC


def test_tuple_insert_needs_every_column_with_a_default(store) -> None:
    with pytest.raises(ValueError, match="month_local"), Session(store) as s:
        insert_tuples_ignoring_conflicts(s, ReportRow.__table__, ["source", "source_ref"], [("csv", "x")])
