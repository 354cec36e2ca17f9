"""The intake pipeline: one file in, one import batch out, nothing silently lost.

Order per message (DESIGN.md): parse -> geocode the raw text in memory -> redact personal
data outside the matched place span -> classify -> when it happened -> de-duplicate ->
store. Raw text exists only inside :func:`to_reports`; what reaches the store is redacted.
A file is one transaction, processed in chunks so a 200 MB export fits in bounded memory.

Counting: every record a parser reads ends up in exactly one bucket, so
``read == imported + duplicates + quarantined + already_imported`` for every batch,
stored with it and asserted here (a mismatch stops the batch: it is a bug). A record
repeated inside the file (same message id, identical row) is a duplicate of its first
copy; reports that could not be placed are quarantined for a moderator and also counted
as ``not_located``; survey responses count as imported records of a survey file. The
solutions proposed at a meeting are kept as "proposed" actions of the joint action plan.

Checks on every record, whatever its source (the bounds of data/intake/bounds.py):
control and bidi characters made visible, over-long texts truncated and flagged, dates
outside the deployment's period and points outside the study area quarantined.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from multiprocessing.pool import Pool
from operator import attrgetter
from pathlib import Path
from typing import Any

from shapely import Point
from shapely.prepared import prep
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data import clock, intake
from data.intake.bounds import IntakeBounds, bounds, point_problem
from data.intake.common import EXCERPT_CHARS, truncated, visible_controls
from data.messages import Message, MessageError, dump_list, msg
from data.organisations import resolve as resolve_organisation
from data.records import Quarantined, RawMessage, Report
from data.store.db import VAR_DIR, bulk_page_cache, open_store
from data.store.repo import (
    batch_by_sha,
    bound_tuples,
    claim_batch,
    insert_bound_tuples,
    insert_ignoring_conflicts,
    insert_tuples_ignoring_conflicts,
)
from data.store.schema import (
    ActionRow,
    AuditRow,
    ImportBatch,
    MeetingRow,
    QuarantineRow,
    ReportRow,
    SurveyResponseRow,
)
from data.text.classify import classify_many
from data.text.redact import load_or_create_salt, place_index, redact
from data.text.redact_places import PlaceNames
from geo import geocode
from geo.gazetteer import Gazetteer, load_gazetteer
from services import districts
from services.import_dedupe import assign_duplicates
from services.import_notes import check_notes, could_not_process, too_many_records
from services.import_reader import read_ahead, read_items
from services.import_repeats import FileKeys
from services.import_rows import (
    QUARANTINE_COLUMNS,
    REPORT_COLUMNS,
    NotLocatedRow,
    Placed,
    RowsFor,
    not_located_row,
    quarantine_tuples,
    report_fields,
    report_values,
    with_rows,
)
from services.import_workers import MIN_PARALLEL, start_pieces, worker_pool

Progress = Callable[[int, int | None], None]
Fields = dict[str, Any] | Quarantined  # a message's Report fields, or why it has none
CHUNK = 1000  # messages processed and inserted at a time: bounded memory for big exports


class AccountingError(RuntimeError):
    """The batch's counts do not add up: a bug, so the batch is rolled back."""


@dataclass
class BatchSummary:
    """What one import did, in numbers a moderator can check.

    ``read == imported + duplicates + quarantined + already_imported`` (records already in
    the store from an earlier batch). ``repeats`` (copies inside the file) are part of
    ``duplicates``, ``not_located`` part of ``quarantined``. ``same_file_batch`` is set
    when the very same file was imported before (nothing is read again). ``problems``
    says why the file could not be read to its end: the file failed.
    """

    file_name: str
    kind: str
    batch_id: int | None = None
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    already_imported: int = 0
    repeats: int = 0
    not_located: int = 0
    truncated: int = 0
    same_file_batch: int | None = None
    problems: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def balanced(self) -> bool:
        return self.read == self.imported + self.duplicates + self.quarantined + self.already_imported

    def accounting(self) -> str:
        """The identity with its numbers, as the CLI prints it."""
        return (
            f"read {self.read} = imported {self.imported} + duplicates {self.duplicates} "
            f"+ quarantined {self.quarantined} + already imported {self.already_imported}"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"failed": self.failed, "balanced": self.balanced()}


def salt() -> bytes:
    """The deployment's secret salt for reporter hashes (made at first start, never committed)."""
    return load_or_create_salt(Path(os.environ.get("HOTSPOTS_SALT_FILE", VAR_DIR / "salt.key")))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _place_and_redact(
    text: str, venue_text: str | None, location: tuple[float, float] | None
) -> tuple[Any, str, str | None]:
    """Geocode the raw text (before redaction), then redact outside the matched place."""
    match = geocode(text if not venue_text else f"{text}\n{venue_text}", location=location, gazetteer=_GAZETTEER[0])
    span = match.span if match.span and match.span[1] <= len(text) else None
    clean = redact(text, keep_spans=[span] if span else [], places=_places()).text
    return match, clean, text[span[0] : span[1]] if span else None


def _place_or_problem(message: tuple[str, str | None, tuple[float, float] | None]) -> Placed:
    """One message's (text, venue, location) placed and redacted, or why it could not be."""
    try:
        return _place_and_redact(*message)
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the file
        return could_not_process(exc)


_GAZETTEER: list[Gazetteer | None] = [None]  # the import's gazetteer, resolved once per import (None: geo's default)
_PLACES: dict[int, tuple[Gazetteer, PlaceNames]] = {}


def _places() -> PlaceNames:
    """The import gazetteer's place names, which redaction spares (indexed once per gazetteer)."""
    gazetteer = _GAZETTEER[0] if _GAZETTEER[0] is not None else load_gazetteer()
    hit = _PLACES.get(id(gazetteer))
    if hit is None or hit[0] is not gazetteer:
        hit = _PLACES[id(gazetteer)] = (gazetteer, place_index(gazetteer.place_names()))
    return hit[1]


def warm_up() -> None:
    """Load what the workers' steps need (gazetteer index, name dictionaries, the category
    model) before they are forked, so they share it instead of loading their own copies."""
    from geo.geocoding.index import get_index

    _GAZETTEER[0] = load_gazetteer()
    get_index(_GAZETTEER[0])
    text = "Іван Петренко, вул. Соборності 5, 0671234567"
    redact(text, places=_places())
    classify_many([text])


def to_reports(raws: Sequence[RawMessage], *, secret: bytes, pool: Pool | None = None) -> list[Report | Quarantined]:
    """Turn raw messages into redacted, placed, classified reports (classification batched).

    All of it runs in `pool`'s workers when given (services.import_workers); the answers
    are the same. A message that breaks a step becomes a Quarantined entry with the
    reason: never lost.
    """
    return [f if isinstance(f, Quarantined) else Report(**f) for f in _start_reports(raws, pool, secret)()]


# What a worker needs of a message: plain tuples travel between processes ~3x cheaper than records.
_SENT = ("source", "source_ref", "received_at", "text", "author_id", "location", "venue_text", "meeting_id")
_SENT += ("occurred_at", "category_hint")
_sent = attrgetter(*_SENT)


def _start_reports(
    raws: Sequence[RawMessage],
    pool: Pool | None,
    secret: bytes,
    rows: RowsFor | None = None,
    plain: Sequence[bool] = (),
) -> Callable[[], list[Any]]:
    """The report fields of `raws` (services.import_rows.report_fields) started, in
    `pool`'s workers when given; call for the answers, in the order of `raws`. With
    `rows`, each located message whose `plain` is set comes as its stored row instead
    (services.import_rows.with_rows)."""
    if rows is None:
        return start_pieces(pool, _reports_of, [_sent(r) for r in raws], secret)
    sent = [(*_sent(r), p) for r, p in zip(raws, plain, strict=True)]
    return start_pieces(pool, _reports_of, sent, secret, rows)


def _raw_of(sent: tuple[Any, ...]) -> RawMessage:
    """The message a worker was sent (validated already). `extra` (not sent) is given as
    its default, an empty dict, and the fields set as model_construct would find them:
    pydantic would otherwise inspect the default factory's signature per message (~4 us)."""
    return RawMessage.model_construct(set(_SENT), extra={}, **dict(zip(_SENT, sent[: len(_SENT)], strict=True)))


def _reports_of(sent: list[tuple[Any, ...]], secret: bytes, rows: RowsFor | None = None) -> list[Any]:
    """Place, redact, classify and date a piece of a chunk (in a worker, or here), and
    with `rows` build the rows of its plain located reports: every per-message step that
    needs no store, so the importing process only stores."""
    plain = [s[-1] for s in sent] if rows is not None else []
    raws = [_raw_of(s) for s in sent]
    answers = [_place_or_problem((r.text, r.venue_text, r.location)) for r in raws]
    fields = report_fields(raws, answers, secret=secret)
    return fields if rows is None else with_rows(fields, plain, rows)


def to_report(raw: RawMessage, *, secret: bytes) -> Report:
    """One message through :func:`to_reports` (the public form uses it)."""
    result = to_reports([raw], secret=secret)[0]
    if isinstance(result, Quarantined):
        raise MessageError(result.reason)
    return result


def _quarantine_row(item: Quarantined, batch_id: int) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "source": item.source,
        "source_ref": item.source_ref,
        "reason": item.reason.to_json(),
        "excerpt": redact(item.excerpt, places=_places()).text if item.excerpt else "",
        "reporter_hash": item.reporter_hash,
        "record": None,
        "created_at": datetime.now(UTC),
    }


def _already_imported(file_name: str, existing: ImportBatch | None) -> BatchSummary:
    assert existing is not None
    return BatchSummary(
        file_name,
        existing.kind,
        existing.id,
        same_file_batch=existing.id,
        notes=[f"already imported as batch {existing.id}"],
    )


@dataclass
class _Intake:
    """What the chunks of one import share: the bounds, the copies seen, the counters."""

    bounds: IntakeBounds
    secret: bytes
    now: datetime
    keys: FileKeys = field(default_factory=lambda: FileKeys(0))  # this batch's, once it is claimed
    rows: RowsFor = RowsFor(0)  # where this batch's rows go, once it is claimed
    repeat_examples: list[str] = field(default_factory=list)
    attempted_reports: int = 0
    attempted_quarantine: int = 0
    made_visible: int = 0
    truncated_refs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """The accepted period as two instants (a record's time is compared, not formatted)."""
        self.first = datetime.combine(self.bounds.first_date, time(), UTC)
        self.after_last = datetime.combine(self.bounds.last_date(self.now) + timedelta(days=1), time(), UTC)


def import_file(
    path: Path | str,
    engine: Engine | None = None,
    *,
    kind: str | None = None,
    column_mapping: dict[str, Any] | None = None,
    progress: Progress | None = None,
    actor: str = "system",
    options: intake.IntakeOptions | None = None,
    limits: IntakeBounds | None = None,
    pool: Pool | None = None,
    parallel: bool = True,
) -> BatchSummary:
    """Import one source file as one transaction; re-importing the same file adds nothing.

    Raises ``intake.UnreadableFile`` (naming the file and the problem) when the file
    cannot be read at all; a file damaged further on keeps what was read and lists the
    damage in ``problems``; a malformed record only goes to quarantine. ``options``
    settle what a file cannot say itself (date order, the CRS of projected X/Y columns).
    Big files are placed and redacted in worker processes (``pool``, else one started
    here when ``parallel`` and the process is single-threaded: services.import_workers).
    """
    path = Path(path)
    engine = engine or open_store()
    limits = limits or bounds()
    sha = file_sha256(path)
    with Session(engine) as session:
        existing = batch_by_sha(session, sha)
        if existing is not None:
            return _already_imported(path.name, existing)
    parsed = intake.parse_file(path, kind=kind, column_mapping=column_mapping, options=options, limits=limits)
    districts.ensure(engine)  # before the insert: the districts' fingerprint is what the insert derives with
    summary = BatchSummary(path.name, parsed.kind)
    state = _Intake(bounds=limits, secret=salt(), now=clock.now())
    with Session(engine) as session, session.begin():
        batch = claim_batch(session, file_name=path.name, sha256=sha, kind=parsed.kind, imported_by=actor)
        if batch is None:  # a concurrent import of the same file committed first and did the work
            return _already_imported(path.name, batch_by_sha(session, sha))
        summary.batch_id = batch.id
        state.keys = FileKeys(batch.id)
        dialect = session.get_bind().dialect
        state.rows = RowsFor(batch.id, "sqlite" if (dialect.name, dialect.driver) == ("sqlite", "pysqlite") else None)
        solutions: list[tuple[RawMessage, Report]] = []
        complete = True
        with _older_objects_skipped_by_gc() as skip_older, ExitStack() as stack:
            stack.enter_context(bulk_page_cache(session.connection()))
            workers = _Workers(stack, pool, parallel)
            if read_ahead(parsed.kind, path):
                workers.for_chunk(MIN_PARALLEL)  # now, with its reader: a big export has chunks to place
            reading = {"column_mapping": column_mapping, "options": options, "limits": limits}
            begun: _Begun | None = None  # the chunk being placed while the one before it is stored
            for chunk in _chunks(read_items(workers.pool, path, parsed, reading), CHUNK):
                if summary.read + len(chunk) > limits.max_records:
                    chunk = chunk[: max(0, limits.max_records - summary.read)]
                    complete = False
                read_before = summary.read
                following = _begin_chunk(session, chunk, state, summary, workers.for_chunk(len(chunk)))
                if begun is not None:
                    _finish_chunk(session, begun, batch.id, state, summary, solutions)
                    skip_older()  # after the first chunk, the models are loaded too
                    if progress:
                        progress(read_before, None)
                begun = following
                if not complete:
                    summary.problems.append(too_many_records(path.name, limits.max_records))
                    break
            if begun is not None:
                _finish_chunk(session, begun, batch.id, state, summary, solutions)
                skip_older()
                if progress:
                    progress(summary.read, None)
            summary.notes.extend(parsed.notes)
            summary.problems.extend(parsed.problems)
            marked = assign_duplicates(session, batch.id, workers.pool)
        _store_side_records(session, parsed, batch.id, solutions, summary, state)
        _settle_counts(session, batch.id, summary, state, marked)
        if complete and summary.read != parsed.stats["read"]:
            raise AccountingError(
                f"{path.name}: the parser read {parsed.stats['read']} "
                f"records but the importer received {summary.read}: a bug, nothing was stored"
            )
        if not summary.balanced():
            raise AccountingError(
                f"{path.name}: the counts do not add up ({summary.accounting()}): a bug, nothing was stored"
            )
        summary.notes += check_notes(
            repeats=summary.repeats,
            repeat_examples=state.repeat_examples,
            truncated=summary.truncated,
            max_text_chars=state.bounds.max_text_chars,
            truncated_refs=state.truncated_refs,
            made_visible=state.made_visible,
        )
        batch.n_read, batch.n_imported, batch.n_duplicates = summary.read, summary.imported, summary.duplicates
        batch.n_quarantined, batch.n_not_located = summary.quarantined, summary.not_located
        batch.n_already_known, batch.n_repeats = summary.already_imported, summary.repeats
        batch.n_truncated, batch.problems = summary.truncated, dump_list(summary.problems)
        batch.notes = dump_list(summary.notes)
        batch.finished_at = datetime.now(UTC)
        session.add(AuditRow(actor=actor, action="import", target=path.name, detail=summary.as_dict()))
    districts.ensure(engine)  # microdistricts the insert did not give (districts changed during the import)
    if progress:
        progress(summary.read, int(summary.read))  # counts only (services/ outputs are checked for untrusted text)
    return summary


@contextmanager
def import_pool(workers: int | None = None) -> Iterator[Pool | None]:
    """Workers for a series of imports, forked now (call it while the process is still
    single-threaded, e.g. before a progress bar starts its thread)."""
    warm_up()
    with worker_pool(workers) as pool:
        yield pool


class _Workers:
    """The import's worker pool, started only once a chunk is big enough to pay for it."""

    def __init__(self, stack: ExitStack, given: Pool | None, allowed: bool) -> None:
        self.stack, self.pool, self.allowed = stack, given, allowed and given is None
        _GAZETTEER[0] = load_gazetteer()  # resolved once per import, not per message

    def for_chunk(self, size: int) -> Pool | None:
        if self.pool is None and self.allowed and size >= MIN_PARALLEL:
            self.allowed = False
            warm_up()
            self.pool = self.stack.enter_context(worker_pool())
        return self.pool


def _settle_counts(session: Session, batch_id: int, summary: BatchSummary, state: _Intake, marked: int) -> None:
    """Imported and quarantined as the store holds them for this batch.

    A row that the store refused as a conflict was stored meanwhile by a concurrent
    import of an overlapping file: it counts as already imported.
    """
    stored = session.scalar(select(func.count()).select_from(ReportRow).where(ReportRow.batch_id == batch_id)) or 0
    held = (
        session.scalar(select(func.count()).select_from(QuarantineRow).where(QuarantineRow.batch_id == batch_id)) or 0
    )
    summary.already_imported += (state.attempted_reports - stored) + (state.attempted_quarantine - held)
    summary.imported += int(stored) - marked
    summary.duplicates += marked
    summary.quarantined = int(held)


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
    Where objects are frozen already (the dashboard's server, ui/heap.py, whose full
    collections never run on allocation), nothing is done: an unfreeze would give back
    that freeze too.
    """
    frozen_elsewhere = gc.get_freeze_count() > 0
    frozen = False

    def skip_older() -> None:
        nonlocal frozen
        if not frozen and not frozen_elsewhere:
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


@dataclass
class _Begun:
    """A chunk checked and sent to be placed; :func:`_finish_chunk` stores it."""

    checked: list[tuple[RawMessage | Quarantined, Message | None]]
    raws: list[RawMessage]
    fields: Callable[[], list[Fields]]


def _begin_chunk(
    session: Session,
    chunk: list[RawMessage | Quarantined],
    state: _Intake,
    summary: BatchSummary,
    pool: Pool | None = None,
) -> _Begun:
    """Count and check one chunk and start building its new messages' reports (in `pool`'s
    workers when given, while the previous chunk is stored)."""
    summary.read += len(chunk)
    fresh, known, repeats = state.keys.sort(session, chunk)
    for item in repeats:
        summary.repeats += 1
        summary.duplicates += 1
        where = item.extra.get("row") if isinstance(item, RawMessage) else None
        example = f"{item.source_ref} #{where}" if where else item.source_ref
        if len(state.repeat_examples) < 3 and not any(e.startswith(item.source_ref) for e in state.repeat_examples):
            state.repeat_examples.append(example)
    summary.already_imported += len(known)
    checked = [_checked(i, state, summary) for i in fresh]
    raws = [i for i, _ in checked if isinstance(i, RawMessage)]
    plain = [problem is None and not i.extra.get("solution") for i, problem in checked if isinstance(i, RawMessage)]
    return _Begun(checked, raws, _start_reports(raws, pool, state.secret, state.rows, plain))


def _finish_chunk(
    session: Session,
    begun: _Begun,
    batch_id: int,
    state: _Intake,
    summary: BatchSummary,
    solutions: list[tuple[RawMessage, Report]],
) -> None:
    """Insert a begun chunk's reports and quarantine entries; counts go into `summary`
    (imported comes at the end)."""
    checked, raws = begun.checked, begun.raws
    point_problems = {raw.source_ref: problem for raw, problem in checked if problem and isinstance(raw, RawMessage)}
    problems = [i for i, _ in checked if isinstance(i, Quarantined)]
    located: list[Any] = []  # rows (made in the workers), or the fields of a located solution
    not_located: list[NotLocatedRow] = []  # quarantine rows made in the workers
    reports: list[Report] = []
    for raw, fields in zip(raws, begun.fields(), strict=True):
        if isinstance(fields, NotLocatedRow):
            not_located.append(fields)
        elif isinstance(fields, tuple):
            located.append(fields)
        elif isinstance(fields, Quarantined):
            problems.append(fields)
        else:
            report = Report(**fields)
            reports.append(report)
            if raw.extra.get("solution"):
                solutions.append((raw, report))
            if report.level != "none" and report.source_ref not in point_problems:
                located.append(fields)
    unplaced = [r for r in reports if r.level == "none" and r.source_ref not in point_problems]
    misplaced = [r for r in reports if r.source_ref in point_problems]
    insert_bound_tuples(session, ReportRow.__table__, REPORT_COLUMNS, _as_bound_rows(session, located, state.rows))
    q_rows = quarantine_tuples(
        [_quarantine_row(q, batch_id) for q in problems]
        + [not_located_row(r, batch_id) for r in unplaced]
        + [not_located_row(r, batch_id, point_problems[r.source_ref]) for r in misplaced]
    )
    if state.rows.dialect is None:  # nothing was bound in the workers
        insert_tuples_ignoring_conflicts(session, QuarantineRow.__table__, QUARANTINE_COLUMNS, q_rows + not_located)
    else:
        bound = bound_tuples(QuarantineRow.__table__, QUARANTINE_COLUMNS, session.get_bind().dialect, q_rows)
        insert_bound_tuples(session, QuarantineRow.__table__, QUARANTINE_COLUMNS, bound + not_located)
    state.attempted_reports += len(located)
    state.attempted_quarantine += len(q_rows) + len(not_located)
    summary.not_located += len(unplaced) + len(misplaced) + len(not_located)


def _as_bound_rows(session: Session, located: list[Any], target: RowsFor) -> list[tuple[Any, ...]]:
    """The located reports' rows in their order, bound for the store's driver: the
    workers' rows as they are, the few given as fields (solutions) made here."""
    at = [i for i, item in enumerate(located) if isinstance(item, dict)]
    made = iter(report_values([located[i] for i in at], target.batch_id))
    rows = [next(made) if isinstance(item, dict) else item for item in located]
    dialect = session.get_bind().dialect
    if target.dialect is None:  # nothing was bound in the workers
        return bound_tuples(ReportRow.__table__, REPORT_COLUMNS, dialect, rows)
    if not at:
        return rows
    bound = iter(bound_tuples(ReportRow.__table__, REPORT_COLUMNS, dialect, [rows[i] for i in at]))
    return [next(bound) if isinstance(item, dict) else item for item in located]


def _checked(
    item: RawMessage | Quarantined, state: _Intake, summary: BatchSummary
) -> tuple[RawMessage | Quarantined, Message | None]:
    """One record after the bounds: (record or its quarantine entry, a point problem).

    Text: control and bidi characters made visible, an over-long text truncated and
    flagged. Dates outside the period quarantine the record. A point that is not finite
    or outside the study area is dropped and its problem returned: the report is still
    read (its text may name the place) but goes to the moderator with that reason.
    """
    if isinstance(item, Quarantined):
        excerpt = visible_controls(item.excerpt)
        return (item if excerpt is item.excerpt else item.model_copy(update={"excerpt": excerpt})), None
    changes: dict[str, Any] = {}
    text = visible_controls(item.text)
    venue = visible_controls(item.venue_text) if item.venue_text else item.venue_text
    if text is not item.text or venue is not item.venue_text:
        state.made_visible += 1
        changes.update(text=text, venue_text=venue)
    if len(text) > state.bounds.max_text_chars:
        text = truncated(text, state.bounds.max_text_chars)
        changes.update(extra=item.extra | {"truncated_from": len(item.text)}, text=text)
        summary.truncated += 1
        if len(state.truncated_refs) < 3:
            state.truncated_refs.append(item.source_ref)
    for when in (item.received_at, item.occurred_at):
        if when is not None and not state.first <= when < state.after_last:
            reason = state.bounds.date_problem(when, state.now) or msg("date_outside_period_short")
            excerpt = " ".join(text.split())[:EXCERPT_CHARS]
            return Quarantined(source=item.source, source_ref=item.source_ref, reason=reason, excerpt=excerpt), None
    point = item.extra.get("location_problem")
    if item.location is not None:
        point = point_problem(item.location[0], item.location[1], inside_study_area) or point
        if point:
            changes["location"] = None
    return (item.model_copy(update=changes) if changes else item), point


def inside_study_area(lat: float, lon: float) -> bool:
    """Inside the city outline of the gazetteer in use (the study area)."""
    return bool(_study_area().contains(Point(lon, lat)))


@cache
def _study_area() -> Any:
    return prep(load_gazetteer().boundary_polygon)


def _store_side_records(
    session: Session,
    parsed: intake.ParseResult,
    batch_id: int,
    solutions: list[tuple[RawMessage, Report]],
    summary: BatchSummary,
    state: _Intake,
) -> None:
    """Meetings, proposed solutions and survey responses (each response one record read)."""
    meetings = [
        {"id": m.id, "date": m.date, "place": m.place, "attendees": m.attendees, "batch_id": batch_id}
        for m in parsed.meetings
    ]
    insert_ignoring_conflicts(session, MeetingRow.__table__, meetings)
    for raw, report in solutions:
        description = str(raw.extra["solution"]).strip()
        exists = session.scalar(
            select(ActionRow.id).where(ActionRow.meeting_id == raw.meeting_id, ActionRow.description == description)
        )
        if exists is None and (report.h3_r9 or report.district):
            partners = str(raw.extra.get("partners") or "").strip()
            first = partners.split(",")[0].strip()  # the first partner named owns the proposal
            session.add(
                ActionRow(
                    cell=report.h3_r9,
                    district=report.district,
                    owner="community" if partners else "council",
                    owner_org_id=resolve_organisation(session, first, "community") if first else None,
                    partners=partners or None,
                    description=description,
                    status="proposed",
                    meeting_id=raw.meeting_id,
                )
            )
    summary.read += len(parsed.surveys)
    firsts: dict[str, Any] = {}
    for response in parsed.surveys:
        if response.source_ref in firsts:
            summary.repeats += 1
            summary.duplicates += 1
            if len(state.repeat_examples) < 3:
                state.repeat_examples.append(response.source_ref)
        else:
            firsts[response.source_ref] = response
    known: set[str] = set()
    refs = list(firsts)
    for start in range(0, len(refs), 500):
        known.update(
            session.scalars(
                select(SurveyResponseRow.source_ref).where(SurveyResponseRow.source_ref.in_(refs[start : start + 500]))
            )
        )
    surveys = [
        {"source_ref": s.source_ref, "wave": s.wave, "district": s.district, "answers": s.answers, "batch_id": batch_id}
        for s in firsts.values()
        if s.source_ref not in known
    ]
    insert_ignoring_conflicts(session, SurveyResponseRow.__table__, surveys)
    stored = (
        session.scalar(
            select(func.count()).select_from(SurveyResponseRow).where(SurveyResponseRow.batch_id == batch_id)
        )
        or 0
    )
    summary.imported += int(stored)
    summary.already_imported += len(firsts) - int(stored)
