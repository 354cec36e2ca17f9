"""De-duplication of an import batch against the store: the marks of importing every
file at once, recomputed slice by slice from the batch's first report on.

Why a module of its own: the importer (services/importer.py) runs the per-message steps
and counts; this is the batch-wide step after the last chunk is stored, with its own
bounds (DEDUPE_SLICE of texts in memory at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from multiprocessing.pool import Pool
from operator import itemgetter

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
    while start <= latest:
        following = start + DEDUPE_SLICE
        ahead = (
            _norms_ahead(session, following, following + DEDUPE_SLICE, pool)
            if pool is not None and following <= latest
            else None
        )
        changed = _duplicates_in_slice(session, start, following, pinned, norms)
        norms.update(ahead() if ahead else {})  # after the slice: it keeps only its overlap with the next
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


def _norms_ahead(
    session: Session, start: datetime, stop: datetime, pool: Pool
) -> Callable[[], dict[Hashable, tuple[str, int]]]:
    """The normalised texts (data.text.dedupe.text_norms) of the reports a slice places in
    [start, stop), by id, started in `pool`'s workers; call for them. The slice before
    carries over the texts of its own overlap with that slice, so none is made twice."""
    rows = session.connection().execute(
        select(ReportRow.id, ReportRow.text).where(
            ReportRow.occurred_at >= start, ReportRow.occurred_at < stop, ReportRow.lat.is_not(None)
        )
    )
    ids, texts = [], []
    for report, text in rows:
        ids.append(report)
        texts.append("" if text is None else str(text))  # as mark_duplicates reads a text
    pending = start_pieces(pool, text_norms, texts)
    return lambda: dict(zip(ids, pending(), strict=True))


def _moderated_report_ids(session: Session) -> set[int]:
    """Reports whose duplicate mark a moderator set (merge) or cleared (split)."""
    targets = session.scalars(select(AuditRow.target).where(AuditRow.action.in_(("merge", "split")))).all()
    return {int(t.split(":", 1)[1]) for t in targets if t and t.startswith("report:") and t[7:].isdigit()}


def _duplicates_in_slice(
    session: Session, start: datetime, stop: datetime, pinned: set[int], norms: dict[Hashable, tuple[str, int]]
) -> int:
    """Recompute the marks of the reports placed in [start, stop), with those of the
    DEDUPE_WINDOW before ``start`` and the pinned ones as given; store the changed ones
    and return how many changed (plain Core rows: no ORM objects are needed)."""
    result = session.connection().execute(
        select(*DEDUPE_COLUMNS).where(
            ReportRow.occurred_at >= start - DEDUPE_WINDOW,
            ReportRow.occurred_at < stop,
            ReportRow.lat.is_not(None),
        )
    )
    # On SQLite none of these columns has a result processor, so the driver's own tuples
    # are the rows (a million Row objects less at 1M: about 1.7 CPU s); elsewhere the rows.
    rows = result.cursor.fetchall() if session.connection().dialect.name == "sqlite" else [tuple(r) for r in result]
    result.close()
    # as the driver gave them (object columns): no round trip of the texts through Arrow strings
    frame = pd.DataFrame(rows, columns=[c.key for c in DEDUPE_COLUMNS], dtype=object)
    if frame.empty:
        return 0
    begin = pd.Timestamp(start)
    begin = begin.tz_localize("UTC") if begin.tzinfo is None else begin.tz_convert("UTC")
    times = pd.to_datetime(frame["occurred_at"], utc=True)
    fixed = ((times < begin) | frame["id"].isin(pinned)).to_numpy()
    new = pd.to_numeric(mark_duplicates(frame, fixed=fixed, norms=norms), errors="coerce")
    overlap = set(frame["id"][(times >= begin + (stop - start) - DEDUPE_WINDOW).to_numpy()])
    for report in [i for i in norms if i not in overlap]:  # only the next slice's window is kept
        del norms[report]
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
    return len(updates)
