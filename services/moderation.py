"""What a moderator does: place a quarantined report, reject spam, merge or split
duplicates, change a category. One moderator edits a report at a time (a lock that
expires); every change keeps the original values in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from auth.roles import require
from data.categories import CATEGORIES
from data.records import Report, h3_cells
from data.store.schema import AuditRow, EditLockRow, QuarantineRow, ReportRow
from geo import geocode
from geo.gazetteer import load_gazetteer

LOCK_MINUTES = 10


class Locked(Exception):
    """Another moderator holds the report."""


def _now() -> datetime:
    return datetime.now(UTC)


def acquire_lock(engine: Engine, report_id: int, holder: str, *, now: datetime | None = None) -> datetime:
    """Take (or renew) the edit lock on a report; raises Locked if someone else holds it."""
    now = now or _now()
    with Session(engine) as session, session.begin():
        lock = session.get(EditLockRow, report_id)
        if lock is not None and lock.holder != holder and lock.expires_at > now:
            raise Locked(f"report {report_id} is being edited by {lock.holder} until {lock.expires_at:%H:%M} UTC")
        expires = now + timedelta(minutes=LOCK_MINUTES)
        if lock is None:
            session.add(EditLockRow(report_id=report_id, holder=holder, expires_at=expires))
        else:
            lock.holder, lock.expires_at = holder, expires
    return expires


def release_lock(engine: Engine, report_id: int, holder: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(EditLockRow).where(EditLockRow.report_id == report_id, EditLockRow.holder == holder))


def _edit(engine: Engine, report_id: int, actor: str, role: str | None, changes: dict[str, Any],
          action: str = "edit") -> None:
    require(role, "moderate")
    acquire_lock(engine, report_id, actor)
    with Session(engine) as session, session.begin():
        row = session.get(ReportRow, report_id)
        if row is None:
            raise KeyError(f"no report {report_id}")
        original = {key: getattr(row, key) for key in changes}
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = _now()
        session.add(AuditRow(actor=actor, action=action, target=f"report:{report_id}",
                             detail={"original": original, "new": changes}))


def set_category(engine: Engine, report_id: int, category: str, *, actor: str, role: str | None) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    _edit(engine, report_id, actor, role, {"category": category, "category_source": "moderator"})


def reject(engine: Engine, report_id: int, reason: str, *, actor: str, role: str | None) -> None:
    if not reason.strip():
        raise ValueError("say why the report is rejected")
    _edit(engine, report_id, actor, role, {"status": "rejected", "status_note": reason.strip()}, action="reject")


def merge(engine: Engine, duplicate_id: int, original_id: int, *, actor: str, role: str | None) -> None:
    if duplicate_id == original_id:
        raise ValueError("a report cannot duplicate itself")
    _edit(engine, duplicate_id, actor, role, {"duplicate_of": original_id}, action="merge")


def split(engine: Engine, report_id: int, *, actor: str, role: str | None) -> None:
    _edit(engine, report_id, actor, role, {"duplicate_of": None}, action="split")


def suggest_streets(text: str, n: int = 5) -> list[str]:
    """Street names most like the words of a report the geocoder could not place (typos,
    unknown spellings), best first, for the moderator to choose from."""
    streets = {st.full_name: st for st in load_gazetteer().streets}
    found = process.extract(text.lower(), {name: " ".join(st.aliases()).lower() for name, st in streets.items()},
                            scorer=fuzz.partial_token_set_ratio, limit=n)
    return [name for _, _, name in found]


def place_on_street(engine: Engine, quarantine_id: int, street: str, *, actor: str, role: str | None) -> int:
    """Place a quarantined report on a chosen street (its middle, with the street's radius)."""
    match = geocode(street)
    if match.level == "none" or match.lat is None:
        raise ValueError(f"street {street!r} is not in the gazetteer")
    return place_quarantined(engine, quarantine_id, lat=match.lat, lon=match.lon, actor=actor, role=role,
                             street=match.street or street, uncertainty_m=match.uncertainty_m)


def place_quarantined(engine: Engine, quarantine_id: int, *, lat: float, lon: float, actor: str, role: str | None,
                      street: str | None = None, uncertainty_m: float | None = None) -> int:
    """Give a not-located report its place (a map click or a chosen street) and publish it."""
    require(role, "moderate")
    with Session(engine) as session, session.begin():
        item = session.get(QuarantineRow, quarantine_id)
        if item is None or item.record is None:
            raise ValueError(f"quarantine entry {quarantine_id} holds no report to place")
        if item.resolved_at is not None:
            raise ValueError(f"quarantine entry {quarantine_id} was already resolved: {item.resolution}")
        record = dict(item.record)
        record.update(lat=lat, lon=lon, level="address" if street is None else "street", score=1.0,
                      uncertainty_m=25.0 if street is None else uncertainty_m,
                      street=street or record.get("street"), **h3_cells(lat, lon))
        report = Report.model_validate(record)
        row = ReportRow(**report.model_dump(exclude={"id"}) | {"batch_id": item.batch_id})
        session.add(row)
        session.flush()
        item.resolved_at, item.resolution = _now(), f"placed by {actor} as report {row.id}"
        session.add(AuditRow(actor=actor, action="place", target=f"quarantine:{quarantine_id}",
                             detail={"original": {"lat": None, "lon": None}, "new": {"lat": lat, "lon": lon},
                                     "report_id": row.id}))
        return int(row.id)


def reject_quarantined(engine: Engine, quarantine_id: int, reason: str, *, actor: str, role: str | None) -> None:
    require(role, "moderate")
    with Session(engine) as session, session.begin():
        item = session.get(QuarantineRow, quarantine_id)
        if item is None:
            raise KeyError(f"no quarantine entry {quarantine_id}")
        item.resolved_at, item.resolution = _now(), f"rejected by {actor}: {reason}"
        session.add(AuditRow(actor=actor, action="reject", target=f"quarantine:{quarantine_id}",
                             detail={"reason": reason}))


def audit_trail(engine: Engine, target: str) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.target == target).order_by(AuditRow.id))
        return [{"at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail} for r in rows]


# --- issue 16: an import's accounting, as the moderation page shows it -----------------


def import_upload(engine: Engine, name: str, data: bytes, *, actor: str, role: str | None,
                  progress: Any = None) -> Any:
    """Import an uploaded file (kept on disk only while it is read); returns the BatchSummary.

    Raises ``data.intake.UnreadableFile`` for a file that cannot be read at all.
    """
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from data.importer import import_file

    require(role, "moderate")
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_file(path, engine, actor=actor, progress=progress)


def batch_accounting(engine: Engine, batch_id: int) -> dict[str, Any]:
    """The stored accounting of one import batch: ``read = imported + duplicates +
    quarantined + already_imported``, with its parts (in-file repeats, not placed,
    truncated texts) and the problems that stopped the file, as saved with the batch."""
    from data.store.schema import ImportBatch

    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise KeyError(f"no import batch {batch_id}")
        counts = {
            "file_name": batch.file_name, "batch_id": batch.id, "read": batch.n_read, "imported": batch.n_imported,
            "duplicates": batch.n_duplicates, "quarantined": batch.n_quarantined,
            "already_imported": batch.n_already_known, "repeats": batch.n_repeats,
            "not_located": batch.n_not_located, "truncated": batch.n_truncated,
        }
        problems = [line for line in (batch.problems or "").splitlines() if line]
        notes = [line for line in (batch.notes or "").splitlines() if line]
    balanced = counts["read"] == (counts["imported"] + counts["duplicates"] + counts["quarantined"]
                                  + counts["already_imported"])
    return counts | {"balanced": balanced, "problems": problems, "notes": notes}
