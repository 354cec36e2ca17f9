"""De-duplication of an import batch against the store: the marks of importing every
file at once, recomputed slice by slice from the batch's first report on.

Why a module of its own: the importer (services/importer.py) runs the per-message steps
and counts; this is the batch-wide step after the last chunk is stored, with its own
bounds (the texts of one slice of DEDUPE_SLICE per pool worker, plus one, in memory at a
time) and its own use of the pool, idle by then.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from functools import partial
from multiprocessing.pool import Pool
from operator import itemgetter
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Text, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from data.store.schema import AuditRow, ReportRow
from data.store.version import insert_counted
from data.text.dedupe import accepted_pairs, settle_marks

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
    marks. (Batch counts of earlier imports stay as they were at their import.)
    What a slice costs, the pairs of reports the rule accepts, does not depend on the
    marks of its context (data.text.dedupe.accepted_pairs): with `pool`, its workers
    find those of the next slices while this process settles one slice's marks in order
    (data.text.dedupe.settle_marks) and stores them.
    """
    first, last = session.execute(
        select(func.min(ReportRow.occurred_at), func.max(ReportRow.occurred_at)).where(ReportRow.batch_id == batch_id)
    ).one()
    if first is None:
        return 0
    latest = session.scalar(select(func.max(ReportRow.occurred_at)))
    pinned = _moderated_report_ids(session)
    carried: list[Any] | None = None  # the marks of the window before the slice, as the slice before settled them
    for piece in _slices(session, first, latest, pinned, pool):
        if carried is None:
            carried = [row[_MARK] for row in piece.rows[: piece.n_context]]  # as stored: nothing before changes
        changed, carried = _settle_slice(session, piece, carried)
        if not changed and piece.start + DEDUPE_SLICE > last + DEDUPE_WINDOW:
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
    report is read once: a slice's window is the tail of the slice before)."""
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


_KEYS = [c.key for c in DEDUPE_COLUMNS]
_MARK, _LAT, _LON = _KEYS.index("duplicate_of"), _KEYS.index("lat"), _KEYS.index("lon")


class _Slice(NamedTuple):
    """The reports of [start, start + DEDUPE_SLICE) after the ``n_context`` of the window
    before it; the last ``n_tail`` are the next slice's window; ``fixed``: the rows whose
    marks are given (the window's, the pinned ones); ``pairs`` waits for their accepted pairs."""

    start: datetime
    rows: list[tuple[Any, ...]]
    fixed: list[bool]
    n_context: int
    n_tail: int
    pairs: Callable[[], tuple[list[int], list[int]]]


def _slices(
    session: Session, first: datetime, latest: datetime, pinned: set[int], pool: Pool | None
) -> Iterator[_Slice]:
    """The slices from ``first`` to ``latest``, read in order, their pairs started in
    ``pool``'s workers (one slice ahead per worker) or, without it, found here when
    asked for. The rows of a slice are read before the slices before it store their
    marks: those change only rows before the slice, never its own."""
    context = _read_rows(session, first - DEDUPE_WINDOW, first)
    ahead = 1 + (pool._processes if pool is not None else 0)  # type: ignore[attr-defined]
    norms: dict[Hashable, tuple[str, int]] = {}  # without a pool: the texts of the window, normalised once
    queue: deque[_Slice] = deque()
    start = first
    while queue or start <= latest:
        while start <= latest and len(queue) < ahead:
            middle = start + DEDUPE_SLICE - DEDUPE_WINDOW
            body = _read_rows(session, start, middle)
            tail = _read_rows(session, middle, start + DEDUPE_SLICE)
            rows = context + body + tail
            fixed = [k < len(context) or row[0] in pinned for k, row in enumerate(rows)]
            if pool is None:
                pairs = partial(_slice_pairs, rows, fixed, norms, len(rows) - len(tail))
            else:
                pairs = pool.apply_async(_slice_pairs, (rows, fixed)).get
            queue.append(_Slice(start, rows, fixed, len(context), len(tail), pairs))
            context, start = tail, start + DEDUPE_SLICE
        yield queue.popleft()


def _slice_pairs(
    rows: list[tuple[Any, ...]],
    fixed: list[bool],
    norms: dict[Hashable, tuple[str, int]] | None = None,
    keep_from: int = 0,
) -> tuple[list[int], list[int]]:
    """data.text.dedupe.accepted_pairs of a slice's rows (in a worker, or here); with
    ``norms``, the texts of the rows from ``keep_from`` on stay in it for the next slice."""
    # as the driver gave them (object columns): no round trip of the texts through Arrow strings
    frame = pd.DataFrame(rows, columns=_KEYS, dtype=object)
    pairs = accepted_pairs(frame, fixed, norms)
    if norms is not None:
        kept = {row[0] for row in rows[keep_from:]}
        for report in [i for i in norms if i not in kept]:
            del norms[report]
    return pairs


def _has_point(lat: Any, lon: Any) -> bool:
    return lat is not None and lon is not None and not (math.isnan(float(lat)) or math.isnan(float(lon)))


def _settle_slice(session: Session, piece: _Slice, carried: list[Any]) -> tuple[int, list[Any]]:
    """Settle the marks of a slice's own reports (data.text.dedupe.settle_marks) with
    its window's ``carried`` marks and the pinned ones as given; store the changed
    ones. Returns how many changed and the marks of the next slice's window (plain Core
    rows: no ORM objects are needed)."""
    rows, n, fixed = piece.rows, piece.n_context, piece.fixed
    ids = [row[0] for row in rows]
    given = carried + [row[_MARK] for row in rows[n:]]
    valid = [_has_point(row[_LAT], row[_LON]) for row in rows]
    marks = settle_marks(ids, fixed, given, valid, piece.pairs())
    # in id order, the order of the table's pages: SQLite rewrites each row and its index entries
    updates = sorted(
        ({"i": int(ids[k]), "d": marks[k]} for k in range(n, len(rows)) if not fixed[k] and marks[k] != given[k]),
        key=itemgetter("i"),
    )

    def store() -> int:  # one row each (Core, not the ORM's bulk path): the version moves as the trigger would
        session.connection().execute(_SET_MARK, updates)
        return len(updates)

    if updates:
        insert_counted(session.connection(), ReportRow.__tablename__, len(updates), store, event="update")
    return len(updates), marks[len(rows) - piece.n_tail :]


def _moderated_report_ids(session: Session) -> set[int]:
    """Reports whose duplicate mark a moderator set (merge) or cleared (split)."""
    targets = session.scalars(select(AuditRow.target).where(AuditRow.action.in_(("merge", "split")))).all()
    return {int(t.split(":", 1)[1]) for t in targets if t and t.startswith("report:") and t[7:].isdigit()}
