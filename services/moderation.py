"""What a moderator does: place a quarantined report, reject spam, merge or split
duplicates, change a category. One moderator edits a report at a time (a lock that
expires); every change keeps the original values in the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from auth.roles import require
from data.categories import CATEGORIES
from data.intake import UnreadableFile  # noqa: F401  (the page catches it as moderation.UnreadableFile)
from data.messages import Message, MessageError, load_list, msg
from data.records import Report, h3_cells
from data.store.schema import AuditRow, EditLockRow, QuarantineRow, ReportRow, month_local
from geo import geocode
from geo.gazetteer import load_gazetteer
from services import districts
from services.importer import Progress, import_file

LOCK_MINUTES = 10


class Locked(Exception):
    """Another moderator holds the report."""


class NoReason(ValueError):
    """A rejection without a reason (the page says so)."""


class OutsideCity(MessageError):
    """A place outside the city outline."""


CLICK_M = 25.0  # the uncertainty of a place a moderator clicked


def _inside(lat: float, lon: float) -> None:
    if not load_gazetteer().contains(lat, lon):
        raise OutsideCity(msg("place_outside_city", lat=f"{lat:.5f}", lon=f"{lon:.5f}"))


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


def _edit(
    engine: Engine, report_id: int, actor: str, role: str | None, changes: dict[str, Any], action: str = "edit"
) -> None:
    require(role, "moderate")
    acquire_lock(engine, report_id, actor)
    with Session(engine) as session, session.begin():
        row = session.get(ReportRow, report_id)
        if row is None:
            raise KeyError(f"no report {report_id}")
        changes = changes | _derived(row, changes)
        original = {key: getattr(row, key) for key in changes}
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = _now()
        session.add(
            AuditRow(
                actor=actor,
                action=action,
                target=f"report:{report_id}",
                detail={"original": _audited(original), "new": _audited(changes)},
            )
        )


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit log's JSON keeps them (times as ISO text)."""
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}


def _derived(row: ReportRow, changes: dict[str, Any]) -> dict[str, Any]:
    """The stored fields that follow from edited ones, so an edit never leaves them stale: the
    city-time month of a new time; the H3 cells and the microdistrict of a new point."""
    out: dict[str, Any] = {}
    if "occurred_at" in changes:
        out["month_local"] = month_local(changes["occurred_at"])
    if "lat" in changes or "lon" in changes:
        lat, lon = changes.get("lat", row.lat), changes.get("lon", row.lon)
        located = lat is not None and lon is not None
        out |= h3_cells(lat, lon) if located else h3_cells(None, None)
        out["microdistrict"] = districts.of_point(lat, lon)
    return {key: value for key, value in out.items() if key not in changes}


def set_category(engine: Engine, report_id: int, category: str, *, actor: str, role: str | None) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    _edit(engine, report_id, actor, role, {"category": category, "category_source": "moderator"})


def reject(engine: Engine, report_id: int, reason: str, *, actor: str, role: str | None) -> None:
    if not reason.strip():
        raise NoReason("say why the report is rejected")
    _edit(engine, report_id, actor, role, {"status": "rejected", "status_note": reason.strip()}, action="reject")


def merge(engine: Engine, duplicate_id: int, original_id: int, *, actor: str, role: str | None) -> None:
    if duplicate_id == original_id:
        raise MessageError(msg("merge_self"))
    with Session(engine) as session:
        if session.get(ReportRow, original_id) is None:
            raise MessageError(msg("merge_no_original", id=original_id))
    _edit(engine, duplicate_id, actor, role, {"duplicate_of": original_id}, action="merge")


def split(engine: Engine, report_id: int, *, actor: str, role: str | None) -> None:
    _edit(engine, report_id, actor, role, {"duplicate_of": None}, action="split")


def move(engine: Engine, report_id: int, *, lat: float, lon: float, actor: str, role: str | None) -> None:
    """Put a placed report where the moderator clicked (inside the city); the old place,
    level and cells stay in the audit log."""
    _inside(lat, lon)
    _edit(
        engine,
        report_id,
        actor,
        role,
        {
            "lat": lat,
            "lon": lon,
            "level": "address",
            "uncertainty_m": CLICK_M,
            "district": load_gazetteer().district_at(lat, lon),
            **h3_cells(lat, lon),
        },
        action="move",
    )


@dataclass(frozen=True)
class Suggestion:
    """A place the geocoder reads in a report's text: a moderator may accept it."""

    label: str
    lat: float
    lon: float
    level: str
    uncertainty_m: float | None


def suggestions(text: str) -> list[Suggestion]:
    """The geocoder's candidates for this very text (several when it fits places far apart,
    its one answer otherwise); none when it reads no place, rather than unrelated streets."""
    match = geocode(text)
    found = []
    for c in getattr(match, "candidates", None) or []:
        label = c.get("street") or (c.get("landmark") or {}).get("name") or ""
        found.append(
            Suggestion(
                label,
                float(c["lat"]),
                float(c["lon"]),
                "street" if c.get("street") else "landmark",
                c.get("uncertainty_m"),
            )
        )
    if not found and match.level != "none" and match.lat is not None:
        label = ", ".join(
            p for p in (match.street, match.house, (match.landmark or {}).get("name"), match.district) if p
        )
        found.append(Suggestion(label, float(match.lat), float(match.lon), match.level, match.uncertainty_m))
    return found


def place_at_suggestion(
    engine: Engine, quarantine_id: int, suggestion: Suggestion, *, actor: str, role: str | None
) -> int:
    """Place a quarantined report where the geocoder suggested, with its level and radius."""
    return place_quarantined(
        engine,
        quarantine_id,
        lat=suggestion.lat,
        lon=suggestion.lon,
        actor=actor,
        role=role,
        street=suggestion.label,
        uncertainty_m=suggestion.uncertainty_m,
        level=suggestion.level,
    )


def place_quarantined(
    engine: Engine,
    quarantine_id: int,
    *,
    lat: float,
    lon: float,
    actor: str,
    role: str | None,
    street: str | None = None,
    uncertainty_m: float | None = None,
    level: str = "street",
) -> int:
    """Give a not-located report its place (a map click or a suggestion) and publish it."""
    require(role, "moderate")
    _inside(lat, lon)
    with Session(engine) as session, session.begin():
        item = session.get(QuarantineRow, quarantine_id)
        if item is None or item.record is None:
            raise MessageError(msg("place_no_report", id=quarantine_id))
        if item.resolved_at is not None:
            raise MessageError(msg("place_already_resolved", id=quarantine_id, resolution=item.resolution or ""))
        record = dict(item.record)
        record.update(
            lat=lat,
            lon=lon,
            level="address" if street is None else level,
            score=1.0,
            uncertainty_m=CLICK_M if street is None else uncertainty_m,
            street=street or record.get("street"),
            district=load_gazetteer().district_at(lat, lon),
            **h3_cells(lat, lon),
        )
        report = Report.model_validate(record)
        where = districts.of_point(lat, lon)
        row = ReportRow(**report.model_dump(exclude={"id"}) | {"batch_id": item.batch_id, "microdistrict": where})
        session.add(row)
        session.flush()
        item.resolved_at, item.resolution = _now(), f"placed by {actor} as report {row.id}"
        session.add(
            AuditRow(
                actor=actor,
                action="place",
                target=f"quarantine:{quarantine_id}",
                detail={"original": {"lat": None, "lon": None}, "new": {"lat": lat, "lon": lon}, "report_id": row.id},
            )
        )
        return int(row.id)


def reject_quarantined(engine: Engine, quarantine_id: int, reason: str, *, actor: str, role: str | None) -> None:
    reject_many(engine, [quarantine_id], reason, actor=actor, role=role)


def reject_many(engine: Engine, quarantine_ids: list[int], reason: str, *, actor: str, role: str | None) -> int:
    """Reject quarantine entries (spam in bulk) with one reason; each is audited. Returns
    how many were rejected; raises NoReason when the reason is empty."""
    require(role, "moderate")
    if not reason.strip():
        raise NoReason("say why the entries are rejected")
    with Session(engine) as session, session.begin():
        for quarantine_id in quarantine_ids:
            item = session.get(QuarantineRow, quarantine_id)
            if item is None:
                raise KeyError(f"no quarantine entry {quarantine_id}")
            if item.resolved_at is not None:
                continue
            item.resolved_at, item.resolution = _now(), f"rejected by {actor}: {reason.strip()}"
            session.add(
                AuditRow(
                    actor=actor,
                    action="reject",
                    target=f"quarantine:{quarantine_id}",
                    detail={"reason": reason.strip()},
                )
            )
    return len(quarantine_ids)


def audit_trail(engine: Engine, target: str) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.target == target).order_by(AuditRow.id))
        return [{"at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail} for r in rows]


#: reason kind -> the reason codes of that kind (a report to place on the map; a step that broke)
REASON_KINDS: dict[str, frozenset[str]] = {
    "not_located": frozenset(
        {
            "not_located",
            "point_outside_area",
            "pin_not_a_point",
            "coords_off_earth",
            "coords_not_finite",
            "coords_not_numbers",
            "coords_one_missing",
            "coords_projected",
            "coords_need_crs",
        }
    ),
    "unreadable": frozenset({"could_not_process"}),
}
#: age filter option -> (days, older): reports received within `days`, or longer ago when `older`
AGE_OPTIONS = {
    "any": (None, False),
    "7": (7, False),
    "30": (30, False),
    "90": (90, False),
    "older90": (90, True),
    "older365": (365, True),
}


def reason_kind(reason: Message) -> str:
    """A quarantine reason's kind (a catalogue key mod.reason_<kind>) from its code; "other" when unknown."""
    return next((kind for kind, codes in REASON_KINDS.items() if reason.code in codes), "other")


#: Queue entries a page shows at a time.
QUEUE_PAGE = 50


def queue(
    engine: Engine,
    *,
    now: datetime,
    kind: str | None = None,
    age: str = "any",
    limit: int | None = QUEUE_PAGE,
    offset: int = 0,
) -> pd.DataFrame:
    """Open quarantine entries, oldest report first, with their reason kind and age in days
    (from when the report was received); filtered by kind and by an AGE_OPTIONS age. The
    database filters, orders and returns one page (``limit`` from ``offset``; None: all) of
    the columns shown; ``attrs["total"]`` is how many entries match."""
    table = QuarantineRow.__table__
    received = func.coalesce(table.c.received_at, table.c.created_at)
    conds = [table.c.resolved_at.is_(None), *_kind_filter(table.c.reason, kind), *_age_filter(received, now, age)]
    columns = (table.c.id, table.c.source, table.c.reason, received.label("received_at"), table.c.excerpt)
    query = select(*columns).where(*conds).order_by(received, table.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(table).where(*conds)).scalar_one())
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in columns])
    received_at = pd.to_datetime(frame["received_at"], utc=True)
    frame["reason"] = frame["reason"].map(Message.from_json)
    frame = frame.assign(kind=frame["reason"].map(reason_kind), age_days=(pd.Timestamp(now) - received_at).dt.days)
    frame = frame[["id", "source", "kind", "reason", "age_days", "excerpt"]]
    frame.attrs["total"] = total
    return frame


def _kind_filter(reason: ColumnElement[str], kind: str | None) -> list[ColumnElement[bool]]:
    """:func:`reason_kind` as SQL: a stored reason is ``Message.to_json`` (sorted keys, so it
    starts ``{"code": "<code>"``); the closing quote keeps one code from matching another's start."""

    def has_code(code: str) -> ColumnElement[bool]:
        prefix = json.dumps({"code": code})[:-1]
        return func.substr(reason, 1, len(prefix)) == prefix

    starts = {k: or_(*(has_code(code) for code in sorted(codes))) for k, codes in REASON_KINDS.items()}
    if kind is None:
        return []
    if kind in starts:
        return [starts[kind]]
    return [not_(or_(*starts.values()))]


def _age_filter(received: ColumnElement[datetime], now: datetime, age: str) -> list[ColumnElement[bool]]:
    """An AGE_OPTIONS age as a bound on the received time: ``age_days`` (whole days, floored)
    is at most d exactly when the report came after ``now`` - (d + 1) days."""
    within_days, older = AGE_OPTIONS[age]
    if within_days is None:
        return []
    bound = now - timedelta(days=within_days + 1)
    return [received <= bound] if older else [received > bound]


def lock_holder(engine: Engine, report_id: int, *, now: datetime | None = None) -> tuple[str, datetime] | None:
    """Who holds the edit lock on a report and until when (None: free)."""
    now = now or _now()
    with Session(engine) as session:
        lock = session.get(EditLockRow, report_id)
        return (lock.holder, lock.expires_at) if lock is not None and lock.expires_at > now else None


def report_for_edit(engine: Engine, report_id: int, *, role: str | None) -> dict[str, Any] | None:
    """One report as the moderator edits it (any status, duplicates included)."""
    require(role, "moderate")
    with Session(engine) as session:
        row = session.get(ReportRow, report_id)
        if row is None:
            return None
        return {c.name: getattr(row, c.name) for c in ReportRow.__table__.columns}


# --- issue 16: an import's accounting, as the moderation page shows it -----------------


def import_upload(
    engine: Engine, name: str, data: bytes, *, actor: str, role: str | None, progress: Progress | None = None
) -> Any:
    """Import an uploaded file (kept on disk only while it is read); returns the BatchSummary.

    Raises ``data.intake.UnreadableFile`` for a file that cannot be read at all.
    """
    require(role, "moderate")
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_file(path, engine, actor=actor, progress=progress)


def batch_accounting(engine: Engine, batch_id: int) -> dict[str, Any]:
    """The stored accounting of one import batch: ``read = imported + duplicates +
    quarantined + already_imported``, with its parts (in-file repeats, not placed,
    truncated texts) and the problems that stopped the file and the notes, as saved with the
    batch (Messages, named by the page)."""
    from data.store.schema import ImportBatch

    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise KeyError(f"no import batch {batch_id}")
        counts = {
            "file_name": batch.file_name,
            "batch_id": batch.id,
            "read": batch.n_read,
            "imported": batch.n_imported,
            "duplicates": batch.n_duplicates,
            "quarantined": batch.n_quarantined,
            "already_imported": batch.n_already_known,
            "repeats": batch.n_repeats,
            "not_located": batch.n_not_located,
            "truncated": batch.n_truncated,
        }
        problems = load_list(batch.problems)
        notes = load_list(batch.notes)
    balanced = counts["read"] == (
        counts["imported"] + counts["duplicates"] + counts["quarantined"] + counts["already_imported"]
    )
    return counts | {"balanced": balanced, "problems": problems, "notes": notes}
