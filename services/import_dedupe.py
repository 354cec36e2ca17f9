"""De-duplication of an import batch against the store: the marks of importing every
file at once, recomputed slice by slice from the batch's first report on.

Why a module of its own: the importer (services/importer.py) runs the per-message steps
and counts; this is the batch-wide step after the last chunk is stored, with its own
bounds (DEDUPE_SLICE of texts in memory at a time).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from multiprocessing.pool import Pool
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Text, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from data.store.schema import AuditRow, ReportRow
from data.store.version import insert_counted
from data.text.dedupe import mark_duplicates, text_norms
from services.import_workers import start_pieces

DEDUPE_WINDOW = pd.Timedelta(hours=48)
DEDUPE_SLICE = pd.Timedelta(days=14)


def assign_duplicates(session: Session, batch_id: int, pool: Pool | None = None) -> int:
    """Mark duplicates among this batch and the stored reports; returns how many of this
    batch's reports are duplicates.

    The marks are those of importing every file at once, whatever the order of the
    files: a later file with an earlier report demotes a stored original. A report's
    mark depends only on the originals of the DEDUPE_WINDOW before it, so marks are
    recomputed from the batch's first report on, in slices of DEDUPE_SLICE with the
    window before each slice as fixed context (a 200 MB export never holds all its texts
    in memory at once); past the batch's last report plus the window, the first slice
    where nothing changed ends the work. Reports a moderator merged or split keep their
    marks. (Batch counts of earlier imports stay as they were at their import.) With
    `pool`, its workers normalise the next slice's texts while this process marks one.
    """
    first, last = session.execute(
        select(func.min(ReportRow.occurred_at), func.max(ReportRow.occurred_at)).where(ReportRow.batch_id == batch_id)
    ).one()
    if first is None:
        return 0
    latest = session.scalar(select(func.max(ReportRow.occurred_at)))
    pinned = _moderated_report_ids(session)
    norms: dict[Hashable, tuple[str, int]] = {}  # the texts of a slice's overlap with the next
    start = first
    rows = _read_rows(session, start - DEDUPE_WINDOW, start + DEDUPE_SLICE)  # the first slice with its window
    while start <= latest:
        following = start + DEDUPE_SLICE
        # read before this slice stores its marks: it changes none of the next slice's own rows
        ahead = _read_rows(session, following, following + DEDUPE_SLICE) if following <= latest else []
        pending = start_pieces(pool, text_norms, [_text(row) for row in ahead]) if pool is not None else None
        changed, window = _duplicates_in_slice(session, rows, start, following, pinned, norms)
        if pending is not None:  # after the slice: it keeps only its overlap with the next
            norms.update(zip((row[0] for row in ahead), pending(), strict=True))
        rows = window + ahead
        start = following
        if not changed and start > last + DEDUPE_WINDOW:
            break
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReportRow)
            .where(ReportRow.batch_id == batch_id, ReportRow.duplicate_of.is_not(None))
        )
        or 0
    )


DEDUPE_COLUMNS = (
    ReportRow.id,
    ReportRow.source,
    ReportRow.source_ref,
    ReportRow.category,
    ReportRow.lat,
    ReportRow.lon,
    ReportRow.uncertainty_m,
    type_coerce(ReportRow.occurred_at, Text).label("occurred_at"),  # as stored: parsed by pandas at once
    ReportRow.text,
    ReportRow.house,
    type_coerce(ReportRow.landmark, Text).label("landmark"),  # JSON parsed only for reports compared
    ReportRow.duplicate_of,
)


_SET_MARK = update(ReportRow.__table__).where(ReportRow.id == bindparam("i")).values(duplicate_of=bindparam("d"))


def _read_rows(session: Session, start: datetime, stop: datetime) -> list[tuple[Any, ...]]:
    """The DEDUPE_COLUMNS of the reports with a point in [start, stop), as tuples (each
    report is read once: the rows of a slice's window come from the slice before)."""
    result = session.connection().execute(
        select(*DEDUPE_COLUMNS).where(
            ReportRow.occurred_at >= start, ReportRow.occurred_at < stop, ReportRow.lat.is_not(None)
        )
    )
    # On SQLite none of these columns has a result processor, so the driver's own tuples
    # are the rows (a million Row objects less at 1M: about 1.7 CPU s); elsewhere the rows.
    rows = result.cursor.fetchall() if session.connection().dialect.name == "sqlite" else [tuple(r) for r in result]
    result.close()
    return rows


_TEXT = [c.key for c in DEDUPE_COLUMNS].index("text")
_MARK = [c.key for c in DEDUPE_COLUMNS].index("duplicate_of")


def _text(row: tuple[Any, ...]) -> str:
    """A row's text as mark_duplicates reads it."""
    return "" if row[_TEXT] is None else str(row[_TEXT])


def _moderated_report_ids(session: Session) -> set[int]:
    """Reports whose duplicate mark a moderator set (merge) or cleared (split)."""
    targets = session.scalars(select(AuditRow.target).where(AuditRow.action.in_(("merge", "split")))).all()
    return {int(t.split(":", 1)[1]) for t in targets if t and t.startswith("report:") and t[7:].isdigit()}


def _duplicates_in_slice(
    session: Session,
    rows: list[tuple[Any, ...]],
    start: datetime,
    stop: datetime,
    pinned: set[int],
    norms: dict[Hashable, tuple[str, int]],
) -> tuple[int, list[tuple[Any, ...]]]:
    """Recompute the marks of the reports placed in [start, stop), with those of the
    DEDUPE_WINDOW before ``start`` and the pinned ones as given (``rows``: all of these,
    read by :func:`_read_rows`); store the changed ones. Returns how many changed, and
    the rows of the window before ``stop`` with their marks as now stored (plain Core
    rows: no ORM objects are needed)."""
    if not rows:
        return 0, []
    # as the driver gave them (object columns): no round trip of the texts through Arrow strings
    frame = pd.DataFrame(rows, columns=[c.key for c in DEDUPE_COLUMNS], dtype=object)
    begin = pd.Timestamp(start)
    begin = begin.tz_localize("UTC") if begin.tzinfo is None else begin.tz_convert("UTC")
    times = pd.to_datetime(frame["occurred_at"], utc=True)
    fixed = ((times < begin) | frame["id"].isin(pinned)).to_numpy()
    marks = mark_duplicates(frame, fixed=fixed, norms=norms)
    new = pd.to_numeric(marks, errors="coerce")
    in_window = (times >= begin + (stop - start) - DEDUPE_WINDOW).to_numpy()
    overlap = set(frame["id"][in_window])
    for report in [i for i in norms if i not in overlap]:  # only the next slice's window is kept
        del norms[report]
    window = [(*rows[k][:_MARK], marks.iat[k]) for k in np.flatnonzero(in_window).tolist()]
    old = pd.to_numeric(frame["duplicate_of"], errors="coerce")
    changed = ~fixed & ~((new == old) | (new.isna() & old.isna())).to_numpy()
    # in id order, the order of the table's pages: SQLite rewrites each row and its index entries
    updates = sorted(
        (
            {"i": int(i), "d": None if pd.isna(o) else int(o)}
            for i, o in zip(frame["id"][changed], new[changed], strict=True)
        ),
        key=itemgetter("i"),
    )

    def store() -> int:  # one row each (Core, not the ORM's bulk path): the version moves as the trigger would
        session.connection().execute(_SET_MARK, updates)
        return len(updates)

    if updates:
        insert_counted(session.connection(), ReportRow.__tablename__, len(updates), store, event="update")
    return len(updates), window
