"""The intake pipeline: one file in, one import batch out, nothing silently lost.

Order per message (DESIGN.md): parse -> geocode the raw text in memory -> redact personal
data outside the matched place span -> classify -> when it happened -> de-duplicate ->
store. Raw text exists only inside :func:`to_reports`; what reaches the store is redacted.
A file is one transaction, processed in chunks so a 200 MB export fits in bounded memory.

Counting: every record a parser reads ends up in exactly one bucket, so
``read == imported + duplicates + quarantined + already_known`` for every batch
(reports that could not be located are quarantined for a moderator and also counted as
``not_located``; survey responses count as imported records of a survey file). The
solutions proposed at a meeting are kept as "proposed" actions of the joint action plan.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from data import intake
from data.categories import CATEGORIES
from data.classify import classify_many
from data.dedupe import mark_duplicates
from data.organisations import resolve as resolve_organisation
from data.records import Quarantined, RawMessage, Report, h3_cells
from data.redact import load_or_create_salt, redact, reporter_hash
from data.store.db import VAR_DIR, open_store
from data.store.repo import (
    batch_by_sha,
    claim_batch,
    insert_ignoring_conflicts,
    insert_tuples_ignoring_conflicts,
    known_refs,
)
from data.store.schema import (
    ActionRow,
    AuditRow,
    ImportBatch,
    MeetingRow,
    QuarantineRow,
    ReportRow,
    SurveyResponseRow,
    month_local,
)
from data.when import occurred_at
from geo import geocode

DEDUPE_WINDOW = pd.Timedelta(hours=48)
DEDUPE_SLICE = pd.Timedelta(days=14)
Progress = Callable[[int, int | None], None]
CHUNK = 1000  # messages processed and inserted at a time: bounded memory for big exports


@dataclass
class BatchSummary:
    """What one import did, in numbers a moderator can check."""

    file_name: str
    kind: str
    batch_id: int | None = None
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    not_located: int = 0
    already_known: int = 0
    already_imported: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def salt() -> bytes:
    """The deployment's secret salt for reporter hashes (made at first start, never committed)."""
    return load_or_create_salt(Path(os.environ.get("HOTSPOTS_SALT_FILE", VAR_DIR / "salt.key")))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _place_and_redact(raw: RawMessage) -> tuple[Any, str, str | None]:
    """Geocode the raw text (before redaction), then redact outside the matched place."""
    match = geocode(raw.text if not raw.venue_text else f"{raw.text}\n{raw.venue_text}", location=raw.location)
    span = match.span if match.span and match.span[1] <= len(raw.text) else None
    clean = redact(raw.text, keep_spans=[span] if span else []).text
    return match, clean, raw.text[span[0] : span[1]] if span else None


def to_reports(raws: Sequence[RawMessage], *, secret: bytes) -> list[Report | Quarantined]:
    """Turn raw messages into redacted, placed, classified reports (classification batched).

    A message that breaks a step becomes a Quarantined entry with the reason: never lost.
    """
    placed: list[tuple[RawMessage, Any, str, str | None] | Quarantined] = []
    for raw in raws:
        try:
            placed.append((raw, *_place_and_redact(raw)))
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the file
            placed.append(Quarantined(source=raw.source, source_ref=raw.source_ref, reason=f"could not process: {exc}"))
    to_classify = [p[2] for p in placed if not isinstance(p, Quarantined) and p[0].category_hint not in CATEGORIES]
    decisions = iter(classify_many(to_classify)) if to_classify else iter(())
    out: list[Report | Quarantined] = []
    for item in placed:
        if isinstance(item, Quarantined):
            out.append(item)
            continue
        raw, match, clean, location_text = item
        if raw.category_hint in CATEGORIES:
            category, category_source = raw.category_hint, "rule"
        else:
            decision = next(decisions)
            category, category_source = decision.category, decision.source
        if raw.occurred_at is not None:
            when, when_source = raw.occurred_at, "given"
        else:
            when, when_source = occurred_at(raw.text, raw.received_at)
        out.append(Report(
            source=raw.source,
            source_ref=raw.source_ref,
            meeting_id=raw.meeting_id,
            received_at=raw.received_at,
            occurred_at=when,
            occurred_at_source=when_source,
            text=clean,
            reporter_hash=reporter_hash(raw.author_id, secret) if raw.author_id else None,
            category=category,
            category_source=category_source,
            location_text=location_text,
            lat=match.lat,
            lon=match.lon,
            level=match.level,
            score=match.score,
            uncertainty_m=match.uncertainty_m,
            street=match.street,
            street2=match.street2,
            house=match.house,
            landmark=match.landmark,
            district=match.district,
            **h3_cells(match.lat, match.lon),
        ))
    return out


def to_report(raw: RawMessage, *, secret: bytes) -> Report:
    """One message through :func:`to_reports` (the public form uses it)."""
    result = to_reports([raw], secret=secret)[0]
    if isinstance(result, Quarantined):
        raise ValueError(result.reason)
    return result


# A stored report: the fields of Report (its batch_id set here), then month_local.
_REPORT_FIELDS = tuple(name for name in Report.model_fields if name not in ("id", "batch_id"))
REPORT_COLUMNS = (*_REPORT_FIELDS, "batch_id", "month_local")


def _report_values(report: Report, batch_id: int) -> tuple[Any, ...]:
    """A located report as a row of REPORT_COLUMNS (Report validated every field)."""
    return (*(getattr(report, name) for name in _REPORT_FIELDS), batch_id, month_local(report.occurred_at))


def _quarantine_row(item: Quarantined, batch_id: int) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "source": item.source,
        "source_ref": item.source_ref,
        "reason": item.reason,
        "excerpt": redact(item.excerpt).text if item.excerpt else "",
        "reporter_hash": item.reporter_hash,
        "record": None,
        "created_at": datetime.now(UTC),
    }


def _not_located_row(report: Report, batch_id: int) -> dict[str, Any]:
    record = report.model_dump(mode="json", exclude={"id"})
    return {
        "batch_id": batch_id,
        "source": report.source,
        "source_ref": report.source_ref,
        "reason": "place not found in the text: set it on the map or choose a street",
        "excerpt": report.text[:500],
        "reporter_hash": report.reporter_hash,
        "record": record,
        "created_at": datetime.now(UTC),
    }


def _assign_duplicates(session: Session, batch_id: int) -> int:
    """Mark this batch's duplicates, among themselves and against stored reports.

    The batch is read in slices of DEDUPE_SLICE (each with the DEDUPE_WINDOW before it),
    so a 200 MB export never holds all its texts in memory at once; only originals can
    be pointed at, so duplicates found in one slice drop out of the next one's candidates.
    """
    first, last = session.execute(
        select(func.min(ReportRow.occurred_at), func.max(ReportRow.occurred_at)).where(ReportRow.batch_id == batch_id)
    ).one()
    if first is None:
        return 0
    found = 0
    start = first
    while start <= last:
        updates = _duplicates_in_slice(session, batch_id, start, start + DEDUPE_SLICE)
        if updates:
            session.execute(update(ReportRow), updates)
            found += len(updates)
        start += DEDUPE_SLICE
    return found


_DEDUPE_COLUMNS = (ReportRow.id, ReportRow.batch_id, ReportRow.category, ReportRow.lat, ReportRow.lon,
                   ReportRow.uncertainty_m, ReportRow.occurred_at, ReportRow.text)


def _duplicates_in_slice(session: Session, batch_id: int, start: datetime, stop: datetime) -> list[dict[str, int]]:
    """``duplicate_of`` updates for this batch's reports in [start, stop): candidates are
    the originals placed from DEDUPE_WINDOW before ``start`` (plain Core rows: no ORM
    objects are needed)."""
    rows = session.connection().execute(
        select(*_DEDUPE_COLUMNS).where(
            ReportRow.occurred_at >= start - DEDUPE_WINDOW,
            ReportRow.occurred_at < stop,
            ReportRow.duplicate_of.is_(None),
            ReportRow.lat.is_not(None),
        )
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.key for c in _DEDUPE_COLUMNS])
    if frame.empty:
        return []
    frame["duplicate_of"] = mark_duplicates(frame)
    ours = frame[(frame["batch_id"] == batch_id) & frame["duplicate_of"].notna()
                 & (pd.to_datetime(frame["occurred_at"], utc=True) >= start)]
    return [{"id": int(i), "duplicate_of": int(o)} for i, o in zip(ours["id"], ours["duplicate_of"], strict=True)]


def _already_imported(file_name: str, existing: ImportBatch | None) -> BatchSummary:
    assert existing is not None
    return BatchSummary(file_name, existing.kind, existing.id, already_imported=True,
                        notes=[f"already imported as batch {existing.id}"])


def import_file(
    path: Path | str,
    engine: Engine | None = None,
    *,
    kind: str | None = None,
    column_mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    actor: str = "system",
) -> BatchSummary:
    """Import one source file as one transaction; re-importing the same file adds nothing.

    Raises ``intake.UnreadableFile`` (naming the file and the problem) when the file
    cannot be read at all; a malformed record only goes to quarantine.
    """
    path = Path(path)
    engine = engine or open_store()
    sha = file_sha256(path)
    with Session(engine) as session:
        existing = batch_by_sha(session, sha)
        if existing is not None:
            return _already_imported(path.name, existing)
    parsed = intake.parse_file(path, kind=kind, column_mapping=column_mapping)
    summary = BatchSummary(path.name, parsed.kind)
    secret = salt()
    with Session(engine) as session, session.begin():
        batch = claim_batch(session, file_name=path.name, sha256=sha, kind=parsed.kind, imported_by=actor)
        if batch is None:  # a concurrent import of the same file committed first and did the work
            return _already_imported(path.name, batch_by_sha(session, sha))
        summary.batch_id = batch.id
        solutions: list[tuple[RawMessage, Report]] = []
        with _older_objects_skipped_by_gc() as skip_older:
            for chunk in _chunks(parsed.items, CHUNK):
                _store_chunk(session, chunk, batch.id, secret, summary, solutions)
                skip_older()  # after the first chunk, the models are loaded too
                if progress:
                    progress(summary.read, None)
            summary.notes.extend(parsed.notes)
            stored = session.scalar(select(func.count()).select_from(ReportRow).where(ReportRow.batch_id == batch.id))
            summary.duplicates = _assign_duplicates(session, batch.id)
        summary.imported = int(stored or 0) - summary.duplicates
        summary.read += len(parsed.surveys)
        new_surveys = _store_side_records(session, parsed, batch.id, solutions)
        summary.imported += new_surveys
        summary.already_known += len(parsed.surveys) - new_surveys
        batch.n_read, batch.n_imported, batch.n_duplicates = summary.read, summary.imported, summary.duplicates
        batch.n_quarantined, batch.n_not_located = summary.quarantined, summary.not_located
        batch.n_already_known, batch.notes = summary.already_known, "\n".join(summary.notes)
        batch.finished_at = datetime.now(UTC)
        session.add(AuditRow(actor=actor, action="import", target=path.name, detail=summary.as_dict()))
    if progress:
        progress(summary.read, summary.read)
    return summary


@contextmanager
def _older_objects_skipped_by_gc() -> Iterator[Callable[[], None]]:
    """Let the garbage collector's full passes skip what is alive at a given moment, for
    the duration of an import; yields the function that marks that moment.

    Why: each chunk keeps ~1,000 messages alive long enough to reach the oldest
    generation, so a big import triggers a full collection every ~10,000 messages, and
    each walks every object of the process: the category model, the morphology
    dictionaries and the gazetteer (~250,000 objects, ~0.1 s), ~9% of the import.
    ``gc.freeze`` moves them out of the collector's view; ``gc.unfreeze`` at the end
    gives the collector everything back, so nothing escapes it beyond the import.
    """
    frozen = False

    def skip_older() -> None:
        nonlocal frozen
        if not frozen:
            gc.freeze()
            frozen = True

    try:
        yield skip_older
    finally:
        if frozen:
            gc.unfreeze()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store_chunk(session: Session, chunk: list[RawMessage | Quarantined], batch_id: int, secret: bytes,
                 summary: BatchSummary, solutions: list[tuple[RawMessage, Report]]) -> None:
    """Process and insert one chunk; counts go into `summary` (duplicates come at the end)."""
    summary.read += len(chunk)
    refs = {(i.source, i.source_ref) for i in chunk}
    known = known_refs(session, ReportRow, refs) | known_refs(session, QuarantineRow, refs)
    fresh = [i for i in chunk if (i.source, i.source_ref) not in known]
    summary.already_known += len(chunk) - len(fresh)
    raws = [i for i in fresh if isinstance(i, RawMessage)]
    done = to_reports(raws, secret=secret)
    solutions += [(raw, r) for raw, r in zip(raws, done, strict=True)
                  if isinstance(r, Report) and raw.extra.get("solution")]
    problems = [i for i in fresh if isinstance(i, Quarantined)] + [r for r in done if isinstance(r, Quarantined)]
    located = [r for r in done if isinstance(r, Report) and r.level != "none"]
    unlocated = [r for r in done if isinstance(r, Report) and r.level == "none"]
    insert_tuples_ignoring_conflicts(session, ReportRow.__table__, REPORT_COLUMNS,
                                     [_report_values(r, batch_id) for r in located])
    q_rows = [_quarantine_row(q, batch_id) for q in problems] + [_not_located_row(r, batch_id) for r in unlocated]
    insert_ignoring_conflicts(session, QuarantineRow.__table__, q_rows)
    summary.quarantined += len(q_rows)
    summary.not_located += len(unlocated)


def _store_side_records(session: Session, parsed: Any, batch_id: int,
                        solutions: list[tuple[RawMessage, Report]]) -> int:
    """Meetings, proposed solutions and survey responses; returns the new survey responses."""
    meetings = [
        {"id": m.id, "date": m.date, "place": m.place, "attendees": m.attendees, "batch_id": batch_id}
        for m in parsed.meetings
    ]
    insert_ignoring_conflicts(session, MeetingRow.__table__, meetings)
    for raw, report in solutions:
        description = str(raw.extra["solution"]).strip()
        exists = session.scalar(select(ActionRow.id).where(ActionRow.meeting_id == raw.meeting_id,
                                                           ActionRow.description == description))
        if exists is None and (report.h3_r9 or report.district):
            partners = str(raw.extra.get("partners") or "").strip()
            first = partners.split(",")[0].strip()  # the first partner named owns the proposal
            session.add(ActionRow(cell=report.h3_r9, district=report.district, owner="community" if partners
                                  else "council", owner_org_id=resolve_organisation(session, first, "community")
                                  if first else None, partners=partners or None, description=description,
                                  status="proposed", meeting_id=raw.meeting_id))
    refs = [s.source_ref for s in parsed.surveys]
    known = set(session.scalars(select(SurveyResponseRow.source_ref).where(SurveyResponseRow.source_ref.in_(refs))))
    surveys = [
        {"source_ref": s.source_ref, "wave": s.wave, "district": s.district, "answers": s.answers, "batch_id": batch_id}
        for s in parsed.surveys
        if s.source_ref not in known
    ]
    insert_ignoring_conflicts(session, SurveyResponseRow.__table__, surveys)
    return len(surveys)
