"""Operations on the store: backups and the retention purge (docs/OPERATIONS.md).

Retention policy (DESIGN.md: contacts and old reports are purged by a command):

* Contact details a resident left in the form are needed only to ask a follow-up
  question: deleted ``retention.contact_days`` of the city profile (demo: 90) days after they were given, and at
  the latest together with the report's anonymisation.
* Reports stay whole for the profile's ``retention.report_days`` (demo: 730, two years: a year-on-year
  comparison for the municipal programme) counted from ``received_at``. After that they
  are anonymised, not deleted, so hotspot trends keep their history: the text, the
  matched place text, the house number and the reporter hash go, and the point moves to
  the centre of its H3 resolution-9 cell (about 0.1 km2, ``h3_r10`` to that centre's
  child). Category, times, street, district, status and the public note stay.
* Quarantined records older than the report retention are deleted: they hold excerpts.
* Every run writes an audit event with the cut-offs and the counts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import h3
from sqlalchemy import URL, Engine, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from data.city_profile import profile
from data.store.schema import AuditRow, ContactRow, QuarantineRow, ReportRow

ANONYMISED_CELL_RES = 9
ANONYMISED_UNCERTAINTY_M = 175.0  # the mean edge of an H3 resolution-9 cell: how far a snapped point may move


def backup(engine: Engine, dest: Path | str) -> Path:
    """A consistent copy of the store at ``dest``, taken while the app keeps running.

    SQLite: the online backup API copies pages under a read lock, so a write in progress
    is either wholly in the copy or not at all (a file copy of a WAL database is not
    safe). PostgreSQL: ``pg_dump --format=custom`` (see :func:`pg_dump_command`). The copy
    is written next to ``dest`` and renamed at the end, so a broken run never leaves a
    file that looks like a backup; an existing ``dest`` is never overwritten.
    """
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} exists: backups are never overwritten")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        if shutil.which("pg_dump") is None:
            raise RuntimeError("pg_dump not found: install postgresql-client (same major version as the server)")
        command, password = pg_dump_command(engine.url, partial)
        env = os.environ | ({"PGPASSWORD": password} if password else {})
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise ValueError(f"no backup method for {engine.dialect.name}")
    partial.rename(dest)
    return dest


def pg_dump_command(url: URL, dest: Path) -> tuple[list[str], str | None]:
    """The pg_dump call for ``url`` and the password to pass as PGPASSWORD (never on the command line)."""
    libpq = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=url.query
    ).render_as_string()
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={dest}", f"--dbname={libpq}"], url.password


@dataclass
class PurgeSummary:
    """What one purge run did (and, in a dry run, would do)."""

    now: str
    contacts_cutoff: str
    reports_cutoff: str
    contacts_deleted: int
    reports_anonymised: int
    quarantine_deleted: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _snapped(cell: str | None, uncertainty_m: float | None) -> dict[str, Any]:
    """The anonymised position: the centre of the report's resolution-9 cell (no point without a cell)."""
    if cell is None:
        return {"lat": None, "lon": None, "r10": None, "unc": uncertainty_m}
    lat, lon = h3.cell_to_latlng(cell)
    unc = max(uncertainty_m or 0.0, ANONYMISED_UNCERTAINTY_M)
    return {"lat": lat, "lon": lon, "r10": h3.cell_to_center_child(cell, 10), "unc": unc}


def purge(
    engine: Engine,
    now: datetime,
    retention_days: int | None = None,
    *,
    contact_retention_days: int | None = None,
    actor: str = "system",
    dry_run: bool = False,
) -> PurgeSummary:
    """Apply the retention policy of this module's docstring as one transaction; idempotent.

    ``now`` is explicit (aware UTC) so that demo mode's fixed clock and tests decide it.
    A dry run counts in the same transaction and rolls it back.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime given to purge; use a UTC-aware datetime")
    retention = profile().retention  # the city profile's periods unless a caller names its own
    retention_days = retention.report_days if retention_days is None else retention_days
    contact_retention_days = retention.contact_days if contact_retention_days is None else contact_retention_days
    if contact_retention_days > retention_days:
        raise ValueError("contacts must not outlive the reports they belong to")
    contacts_cutoff = now - timedelta(days=contact_retention_days)
    reports_cutoff = now - timedelta(days=retention_days)
    old_report = ReportRow.received_at < reports_cutoff
    identifying = or_(
        ReportRow.text != "",
        ReportRow.reporter_hash.is_not(None),
        ReportRow.location_text.is_not(None),
        ReportRow.house.is_not(None),
    )
    with Session(engine) as session:
        contacts = session.execute(
            delete(ContactRow).where(
                or_(
                    ContactRow.created_at < contacts_cutoff,
                    ContactRow.report_id.in_(select(ReportRow.id).where(old_report)),
                )
            )
        ).rowcount
        targets = session.execute(
            select(ReportRow.id, ReportRow.h3_r9, ReportRow.uncertainty_m).where(old_report, identifying)
        ).all()
        if targets:
            session.execute(
                update(ReportRow.__table__)
                .where(ReportRow.__table__.c.id == bindparam("rid"))
                .values(
                    text="",
                    location_text=None,
                    house=None,
                    reporter_hash=None,
                    lat=bindparam("lat"),
                    lon=bindparam("lon"),
                    h3_r10=bindparam("r10"),
                    microdistrict=None,  # the snapped point's is derived afresh (services.districts.ensure)
                    uncertainty_m=bindparam("unc"),
                    updated_at=now,
                ),
                [{"rid": rid} | _snapped(cell, unc) for rid, cell, unc in targets],
            )
        quarantined = session.execute(delete(QuarantineRow).where(QuarantineRow.created_at < reports_cutoff)).rowcount
        summary = PurgeSummary(
            now.isoformat(),
            contacts_cutoff.isoformat(),
            reports_cutoff.isoformat(),
            contacts,
            len(targets),
            quarantined,
            dry_run,
        )
        if dry_run:
            session.rollback()
            return summary
        session.add(AuditRow(at=now, actor=actor, action="purge", target="retention", detail=summary.as_dict()))
        session.commit()
    return summary
