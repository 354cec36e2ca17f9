"""A chunk's placed and redacted messages as what the store gets: the fields of each
report (classified in one batch, dated, its author hashed) and, for located reports, the
rows of the reports table, built without a Report object.

Why a module of its own: the importer (services/importer.py) runs the steps and counts;
this is the per-message work between placing and inserting, the largest part of an
import's CPU time after geocoding (docs/SCALING.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter, itemgetter
from typing import Any

from data.categories import CATEGORIES
from data.city_profile import city_zone
from data.messages import Message
from data.records import PLACE_FIELDS, Quarantined, RawMessage, Report, h3_cells, utcnow
from data.store.repo import bound_tuples, dialect_named
from data.store.schema import QuarantineRow, ReportRow, month_local, record_received
from data.text.classify import classify_many
from data.text.redact import reporter_hash
from data.text.when import occurred_at
from services import districts
from services.import_notes import NOT_PLACED

Placed = tuple[Any, str, str | None] | Message
"""A message placed and redacted (geocoder match, clean text, place span text), or why not."""


def report_fields(
    raws: Sequence[RawMessage], answers: Sequence[Placed], *, secret: bytes
) -> list[dict[str, Any] | Quarantined]:
    """The keyword arguments of each message's Report, or its quarantine entry: classified
    in one batch, dated, the author hashed."""
    to_classify = [
        a[1]
        for raw, a in zip(raws, answers, strict=True)
        if not isinstance(a, Message) and raw.category_hint not in CATEGORIES
    ]
    decisions = iter(classify_many(to_classify)) if to_classify else iter(())
    out: list[dict[str, Any] | Quarantined] = []
    hashes: dict[str, str] = {}  # per chunk, not kept: an author writes many reports, an HMAC costs ~2 us
    for raw, answer in zip(raws, answers, strict=True):
        if isinstance(answer, Message):
            out.append(Quarantined(source=raw.source, source_ref=raw.source_ref, reason=answer))
            continue
        match, clean, location_text = answer
        if raw.category_hint in CATEGORIES:
            category, category_source = raw.category_hint, "rule"
        else:
            decision = next(decisions)
            category, category_source = decision.category, decision.source
        if raw.occurred_at is not None:
            when, when_source = raw.occurred_at, "given"
        else:
            when, when_source = occurred_at(raw.text, raw.received_at)
        fields = {
            "source": raw.source,
            "source_ref": raw.source_ref,
            "meeting_id": raw.meeting_id,
            "received_at": raw.received_at,
            "occurred_at": when,
            "occurred_at_source": when_source,
            "text": clean,
            "reporter_hash": _hashed(raw.author_id, secret, hashes) if raw.author_id else None,
            "category": category,
            "category_source": category_source,
            "location_text": location_text,
        }
        fields.update(zip(PLACE_FIELDS, _place_values(match)))  # place_of(match), in one C call
        fields.update(h3_cells(match.lat, match.lon))
        out.append(fields)
    return out


_place_values = attrgetter(*PLACE_FIELDS)


def _hashed(author_id: str, secret: bytes, known: dict[str, str]) -> str:
    """:func:`reporter_hash`, remembered in ``known``."""
    found = known.get(author_id)
    if found is None:
        found = known[author_id] = reporter_hash(author_id, secret)
    return found


# A stored report: the fields of Report (its batch_id set here), then month_local.
_REPORT_FIELDS = tuple(name for name in Report.model_fields if name not in ("id", "batch_id"))
REPORT_COLUMNS = (*_REPORT_FIELDS, "batch_id", "month_local", "microdistrict")
_report_row = itemgetter(*_REPORT_FIELDS)  # one C call over a field dict, not 33 lookups
# The fields a report gets by default (status "new", no duplicate mark, no note): what
# Report() fills in for the fields report_fields does not give (the clocks: utcnow).
_REPORT_DEFAULTS = {
    name: info.default
    for name, info in Report.model_fields.items()
    if name in _REPORT_FIELDS and info.default_factory is None and not info.is_required()
}


def report_values(reports: Sequence[dict[str, Any]], batch_id: int) -> list[tuple[Any, ...]]:
    """Located reports, given as the fields of :func:`report_fields`, as rows of
    REPORT_COLUMNS: what ``Report(**fields)`` would hold, without building one (a
    Report's validation took ~12 us a report here, under load); each
    gets its microdistrict here, in one vectorised pass per chunk, not in an UPDATE after
    the import. The checks that validation would make on what the import gives it are
    made here (tests/test_importer_rows.py compares the rows with Report's)."""
    zone = city_zone()  # once, not per report
    where = districts.of_points([f["lat"] for f in reports], [f["lon"] for f in reports])
    rows = []
    for fields, district in zip(reports, where, strict=True):
        if fields["category"] not in CATEGORIES:
            raise ValueError(f"unknown category {fields['category']!r}")
        received, when = _utc(fields["received_at"]), _utc(fields["occurred_at"])
        now = utcnow()
        row = {**_REPORT_DEFAULTS, **fields, "received_at": received, "occurred_at": when}
        row["created_at"] = row["updated_at"] = now
        rows.append((*_report_row(row), batch_id, month_local(when, zone), district))
    return rows


def _utc(value: datetime) -> datetime:
    """What Report's validator makes of a datetime: aware, in UTC."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware (UTC)")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class RowsFor:
    """Where the located reports of an import go: its batch, and the dialect whose driver
    values a worker makes (None: the importing process binds them, e.g. PostgreSQL's)."""

    batch_id: int
    dialect: str | None = None


class NotLocatedRow(tuple):  # type: ignore[type-arg]
    """A report that could not be placed, as its quarantine row (QUARANTINE_COLUMNS)."""

    __slots__ = ()


def with_rows(fields: Sequence[dict[str, Any] | Quarantined], plain: Sequence[bool], target: RowsFor) -> list[Any]:
    """``fields`` with each report whose ``plain`` is set (no point problem, no proposed
    solution: nothing but its row is needed of it) replaced by its row: of REPORT_COLUMNS
    when located (:func:`report_values`), else its quarantine row as a NotLocatedRow;
    bound for ``target.dialect``'s driver when set.

    Why: built where the report was placed (a worker), the row leaves the importing
    process only the insert (its per-row conversion was ~20% of that process's CPU; a
    not-located report, about one in eight, was validated and its record dumped there)."""
    at = [i for i, f in enumerate(fields) if plain[i] and isinstance(f, dict) and f["level"] != "none"]
    rows = report_values([fields[i] for i in at], target.batch_id)  # type: ignore[misc]
    unplaced = [i for i, f in enumerate(fields) if plain[i] and isinstance(f, dict) and f["level"] == "none"]
    entries = quarantine_tuples([not_located_row(Report(**fields[i]), target.batch_id) for i in unplaced])  # type: ignore[arg-type]
    if target.dialect is not None:
        dialect = dialect_named(target.dialect)
        rows = bound_tuples(ReportRow.__table__, REPORT_COLUMNS, dialect, rows)
        entries = bound_tuples(QuarantineRow.__table__, QUARANTINE_COLUMNS, dialect, entries)
    out: list[Any] = list(fields)
    for i, row in zip(at, rows, strict=True):
        out[i] = row
    for i, entry in zip(unplaced, entries, strict=True):
        out[i] = NotLocatedRow(entry)
    return out


def not_located_row(report: Report, batch_id: int, reason: Message = NOT_PLACED) -> dict[str, Any]:
    """The quarantine entry of a report that could not be placed: the report kept as its record."""
    record = report.model_dump(mode="json", exclude={"id"})
    return {
        "batch_id": batch_id,
        "source": report.source,
        "source_ref": report.source_ref,
        "reason": reason.to_json(),
        "excerpt": report.text[:500],
        "reporter_hash": report.reporter_hash,
        "record": record,
        "created_at": datetime.now(UTC),
    }


# A quarantine entry as the importer stores it; received_at is what the column's default
# (data.store.schema.record_received) would derive from the record.
QUARANTINE_COLUMNS = ("batch_id", "source", "source_ref", "reason", "excerpt", "reporter_hash", "record", "created_at")
QUARANTINE_COLUMNS += ("received_at",)
_quarantine_values = itemgetter(*QUARANTINE_COLUMNS[:-1])


def quarantine_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Quarantine rows (dicts of QUARANTINE_COLUMNS but received_at) as tuples for
    insert_tuples_ignoring_conflicts (SQLAlchemy's dict path: ~120 us an entry under the profiler)."""
    return [(*_quarantine_values(row), record_received(row["record"])) for row in rows]
