"""Backups and the retention purge, on SQLite and on PostgreSQL/PostGIS (the ``store`` fixture)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3
import pandas as pd
import pytest
from sqlalchemy import Engine, func, make_url, select, text
from sqlalchemy.orm import Session

from data.store.db import make_engine, upgrade
from data.store.ops import ANONYMISED_UNCERTAINTY_M, backup, pg_dump_command, purge
from data.store.repo import insert_ignoring_conflicts, reports_frame
from data.store.schema import AuditRow, ContactRow, QuarantineRow, ReportRow
from tests.conftest import require
from tests.store_backends import scratch_database
from tests.test_store_postgres import offset, row

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@contextmanager
def restored(store: Engine, dump: Path) -> Iterator[Engine]:
    """The backup opened as a store of its own (pg_restore into a new database on PostgreSQL)."""
    if store.dialect.name == "sqlite":
        copy = make_engine(f"sqlite:///{dump}")
        yield copy
        copy.dispose()
        return
    require(shutil.which("pg_restore") is not None, "pg_restore is not installed")
    with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={libpq}", str(dump)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        copy = make_engine(url)
        yield copy
        copy.dispose()


def require_pg_dump(store: Engine) -> None:
    if store.dialect.name == "postgresql":
        require(shutil.which("pg_dump") is not None, "pg_dump is not installed")


def test_backup_is_a_readable_copy_with_the_same_rows(store: Engine, tmp_path: Path) -> None:
    require_pg_dump(store)
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [row(f"r{i}", *offset(i * 50.0, 0)) for i in range(20)])
    dest = backup(store, tmp_path / "backups" / "store.bak")
    assert dest.exists() and not dest.with_name("store.bak.partial").exists()
    with restored(store, dest) as copy:
        upgrade(copy)  # already at the newest revision: nothing to do, nothing breaks
        pd_original, pd_copy = reports_frame(store), reports_frame(copy)
        pd.testing.assert_frame_equal(pd_copy, pd_original)
        with copy.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM public_actions_view")).scalar_one() == 0
            assert conn.execute(text("SELECT COUNT(*) FROM release_cells")).scalar_one() == 0
            if copy.dialect.name == "postgresql":  # the trigger came along: new rows still get a geometry
                conn.execute(text("UPDATE reports SET lat = 47.6 WHERE source_ref = 'r0'"))
                assert conn.execute(text("SELECT ST_Y(geom) FROM reports WHERE source_ref = 'r0'")).scalar() == 47.6


def test_backup_never_overwrites(store: Engine, tmp_path: Path) -> None:
    dest = tmp_path / "store.bak"
    dest.write_bytes(b"an earlier backup")
    with pytest.raises(FileExistsError):
        backup(store, dest)
    assert dest.read_bytes() == b"an earlier backup"


def test_backup_while_an_import_writes_holds_whole_transactions(store: Engine, tmp_path: Path) -> None:
    require_pg_dump(store)
    stop = threading.Event()

    def write() -> None:
        batch = 0
        while not stop.is_set() and batch < 200:
            rows = [row(f"b{batch}-{i}", *offset(i * 10.0, batch * 10.0)) for i in range(50)]
            with Session(store) as s, s.begin():
                insert_ignoring_conflicts(s, ReportRow.__table__, rows)
            batch += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        dest = backup(store, tmp_path / "live.bak")
    finally:
        stop.set()
        writer.join()
    with restored(store, dest) as copy, Session(copy) as s:
        assert s.scalar(select(func.count()).select_from(ReportRow)) % 50 == 0


def test_pg_dump_keeps_the_password_off_the_command_line() -> None:
    url = make_url("postgresql+psycopg://hotspots:s3cret@db.example:5432/hotspots")
    command, password = pg_dump_command(url, Path("/backups/x.dump"))
    assert password == "s3cret" and not any("s3cret" in part for part in command)
    assert command[-1] == "--dbname=postgresql://hotspots@db.example:5432/hotspots"


# --- retention purge ---------------------------------------------------------------------------


def stored_rows(store: Engine, refs: list[str]) -> list[tuple[object, ...]]:
    """The reports' rows exactly as stored, by source_ref."""
    with store.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(ReportRow.__table__).where(ReportRow.source_ref.in_(refs)).order_by(ReportRow.source_ref)
            )
        ]


@pytest.fixture
def aged(store: Engine) -> dict[str, int]:
    """Reports received 800, 700 and 10 days before NOW; contacts 100, 89 and 10 days old."""
    reports = [
        row(
            "old",
            *offset(37, -12),
            when=NOW - timedelta(days=800),
            location_text="біля школи №5",
            house="12",
            uncertainty_m=30.0,
        ),
        row("recent", when=NOW - timedelta(days=700)),
        row("new", when=NOW - timedelta(days=10)),
    ]
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, reports)
        ids = {ref: rid for ref, rid in s.execute(select(ReportRow.source_ref, ReportRow.id))}
        s.add_all(
            [
                ContactRow(report_id=ids["old"], contact="+380671234567", created_at=NOW - timedelta(days=100)),
                ContactRow(report_id=ids["recent"], contact="a@b.ua", created_at=NOW - timedelta(days=89)),
                ContactRow(report_id=ids["new"], contact="@resident", created_at=NOW - timedelta(days=10)),
                QuarantineRow(
                    source="csv", source_ref="q-old", reason="x", excerpt="текст", created_at=NOW - timedelta(days=731)
                ),
                QuarantineRow(
                    source="csv", source_ref="q-new", reason="x", excerpt="текст", created_at=NOW - timedelta(days=5)
                ),
            ]
        )
    return ids


def test_purge_removes_exactly_the_old_contacts_and_anonymises_old_reports(store: Engine, aged: dict[str, int]) -> None:
    from services import districts

    districts.ensure(store)  # every report carries its microdistrict
    before = reports_frame(store).set_index("source_ref")
    untouched = stored_rows(store, ["recent", "new"])
    summary = purge(store, NOW, actor="admin")
    assert (summary.contacts_deleted, summary.reports_anonymised, summary.quarantine_deleted) == (1, 1, 1)
    with Session(store) as s:
        assert sorted(s.scalars(select(ContactRow.contact))) == ["@resident", "a@b.ua"]
        assert list(s.scalars(select(QuarantineRow.source_ref))) == ["q-new"]
        audit = s.scalars(select(AuditRow).where(AuditRow.action == "purge")).one()
    assert (audit.actor, audit.detail["contacts_deleted"], audit.at) == ("admin", 1, NOW)
    after = reports_frame(store).set_index("source_ref")
    old = after.loc["old"]
    assert old["text"] == "" and old[["reporter_hash", "location_text", "house"]].isna().all()
    cell = before.loc["old", "h3_r9"]
    assert (old["lat"], old["lon"]) == pytest.approx(h3.cell_to_latlng(cell))
    assert old["h3_r9"] == cell and old["h3_r10"] == h3.cell_to_center_child(cell, 10)
    assert old["uncertainty_m"] == ANONYMISED_UNCERTAINTY_M
    kept = ["category", "occurred_at", "street", "district", "status", "h3_r7", "h3_r8", "h3_r9"]
    pd.testing.assert_series_equal(old[kept], before.loc["old", kept])
    assert stored_rows(store, ["recent", "new"]) == untouched
    assert pd.isna(old["microdistrict"]) and before.loc["old", "microdistrict"] is not None
    assert districts.ensure(store) == 1  # the snapped point's microdistrict is derived afresh
    again = reports_frame(store).set_index("source_ref").loc["old"]
    assert again["microdistrict"] == districts.of_point(again["lat"], again["lon"])
    if store.dialect.name == "postgresql":  # the geometry followed the snapped point
        with store.connect() as conn:
            y, x = conn.execute(
                text("SELECT ST_Y(geom), ST_X(geom) FROM reports WHERE id = :i"), {"i": aged["old"]}
            ).one()
        assert (y, x) == pytest.approx(h3.cell_to_latlng(cell))


def test_purge_is_idempotent(store: Engine, aged: dict[str, int]) -> None:
    purge(store, NOW)
    again = purge(store, NOW)
    assert (again.contacts_deleted, again.reports_anonymised, again.quarantine_deleted) == (0, 0, 0)


def test_purge_dry_run_changes_nothing(store: Engine, aged: dict[str, int]) -> None:
    before = reports_frame(store)
    summary = purge(store, NOW, dry_run=True)
    assert (summary.contacts_deleted, summary.reports_anonymised, summary.dry_run) == (1, 1, True)
    assert reports_frame(store).equals(before)
    with Session(store) as s:
        assert s.scalar(select(func.count()).select_from(ContactRow)) == 3
        assert s.scalar(select(func.count()).select_from(AuditRow)) == 0


def test_purge_contacts_of_anonymised_reports_go_even_when_young(store: Engine, aged: dict[str, int]) -> None:
    with Session(store) as s, s.begin():
        s.execute(ContactRow.__table__.delete().where(ContactRow.report_id == aged["old"]))
        s.add(ContactRow(report_id=aged["old"], contact="given late", created_at=NOW - timedelta(days=1)))
    purge(store, NOW)
    with Session(store) as s:
        assert "given late" not in set(s.scalars(select(ContactRow.contact)))


def test_purge_refuses_naive_time_and_contacts_outliving_reports(store: Engine) -> None:
    with pytest.raises(ValueError, match="naive"):
        purge(store, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="outlive"):
        purge(store, NOW, retention_days=30, contact_retention_days=90)
