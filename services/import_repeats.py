"""Which records of a file repeat an earlier record of the same file, with the store as
the memory of what the file held.

Why: the importer remembered every (source, source_ref) of a file in a set, ~175 MB at
a million messages, growing with the file. Every first copy of a key that was new to the
store is stored in this batch (a report or a quarantine entry, both unique on
(source, source_ref)), so the keys of the chunks already stored are found in the store
under this batch's id. Only two kinds of key are held here: those of the chunk begun but
not stored yet (it is placed while the chunk before it is stored) and the first copies
the store held from earlier batches (already imported: few, unless a file is imported
again with other bytes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.records import Quarantined, RawMessage
from data.store.schema import QuarantineRow, ReportRow

Key = tuple[str, str]
Item = RawMessage | Quarantined
QUERY_KEYS = 500  # keys per IN (...) query: under SQLite's bound on parameters


@dataclass
class FileKeys:
    """What one import knows of the keys its file held before the current chunk."""

    batch_id: int
    unstored: set[Key] = field(default_factory=set)  # the new keys of the chunk begun last
    held_before: set[Key] = field(default_factory=set)  # first copies the store held from earlier batches

    def sort(self, session: Session, items: Sequence[Item]) -> tuple[list[Item], list[Item], list[Item]]:
        """A chunk's records in file order as (new to the store, already imported, repeats
        of an earlier record of the file); the new ones are taken as stored from the next
        chunk on (the caller stores them before it begins the chunk after the next)."""
        keys = [(i.source, i.source_ref) for i in items]
        stored = _batches_holding(session, {k for k in keys if k not in self.unstored and k not in self.held_before})
        fresh: list[Item] = []
        known: list[Item] = []
        repeats: list[Item] = []
        here: set[Key] = set()
        for item, key in zip(items, keys, strict=True):
            if key in here or key in self.unstored or key in self.held_before or stored.get(key, -1) == self.batch_id:
                repeats.append(item)
            elif key in stored:
                known.append(item)
                self.held_before.add(key)
            else:
                fresh.append(item)
            here.add(key)
        self.unstored = {(i.source, i.source_ref) for i in fresh}
        return fresh, known, repeats


def _batches_holding(session: Session, keys: Iterable[Key]) -> dict[Key, Any]:
    """The batch id of the report or quarantine entry that holds each key (keys that
    neither table holds are left out).

    Plain driver SQL where the driver's placeholders are known: SQLAlchemy renders an
    expanding IN list in Python (~5 us a key; 4,000 queries at 1M messages, ~2.7x this)."""
    by_source: dict[str, list[str]] = {}
    for source, ref in keys:
        by_source.setdefault(source, []).append(ref)
    conn = session.connection()
    mark = _MARKS.get(conn.dialect.paramstyle)
    found: dict[Key, Any] = {}
    for table in (ReportRow, QuarantineRow):
        for source, refs in by_source.items():
            for start in range(0, len(refs), QUERY_KEYS):
                part = refs[start : start + QUERY_KEYS]
                if mark is None:
                    rows: Iterable[Any] = session.execute(
                        select(table.source_ref, table.batch_id).where(
                            table.source == source, table.source_ref.in_(part)
                        )
                    )
                else:
                    marks = ", ".join([mark] * len(part))
                    sql = f"SELECT source_ref, batch_id FROM {table.__tablename__} WHERE source = {mark} AND source_ref IN ({marks})"
                    rows = conn.exec_driver_sql(sql, (source, *part))
                found.update(((source, ref), batch) for ref, batch in rows)
    return found


_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # a positional placeholder of the DB driver
