"""Repository functions: the only place that turns store rows into frames and back.

Pages and the CLI never write SQL; they call these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import pandas as pd
from sqlalchemy import (
    URL,
    ColumnElement,
    Dialect,
    Engine,
    Table,
    UniqueConstraint,
    and_,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data.store.schema import (
    ImportBatch,
    QuarantineRow,
    ReleaseCellRow,
    ReleaseMonthRow,
    ReleaseRow,
    ReportRow,
    UTCDateTime,
)
from data.store.version import insert_counted

REPORT_COLUMNS = [c.name for c in ReportRow.__table__.columns]


def _unique_key(table: Table) -> list[str]:
    """The columns of the table's unique keys (else its primary key), in a fixed order."""
    keys = sorted(tuple(c.name for c in k.columns) for k in table.constraints if isinstance(k, UniqueConstraint))
    return [name for key in keys for name in key] or [c.name for c in table.primary_key.columns]


def insert_ignoring_conflicts(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: the unique keys, not luck, keep re-imports idempotent.

    Rows go in sorted by the unique key: on PostgreSQL two imports inserting overlapping
    keys in opposite orders would each wait for the other's key and deadlock; in one
    order the later one just waits and then skips.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = _unique_key(table)
    ordered = sorted(rows, key=lambda row: tuple(str(row.get(name)) for name in key))
    session.execute(insert(table).on_conflict_do_nothing(), ordered)


def insert_tuples_ignoring_conflicts(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """:func:`insert_ignoring_conflicts` for rows given as tuples in ``columns`` order.

    Why: SQLAlchemy's executemany handles each row as a dict (parameters, defaults,
    processors: ~10 us a row, a third of a report's insert). Here each column's values
    go through the column type's own bind processor, so the store gets exactly what the
    ORM path would send, and the DB driver's executemany gets plain tuples. A column
    left out gets no Python-side default, so every column that has one must be given.
    """
    if rows:
        dialect = session.get_bind().dialect
        insert_bound_tuples(session, table, columns, bound_tuples(table, columns, dialect, rows))


def bound_tuples(
    table: Table, columns: Sequence[str], dialect: Dialect, rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Rows in ``columns`` order through each column type's bind processor for ``dialect``:
    what the driver is given. A separate step so that it can run where the rows are made
    (an import's worker processes), not in the process that inserts them."""
    processors = _compiled_insert(table, tuple(columns), dialect)[2]
    if not rows or not any(processors):
        return list(rows)
    values = [list(map(p, col)) if p else col for p, col in zip(processors, zip(*rows), strict=True)]
    return list(zip(*values, strict=True))


@lru_cache(maxsize=4)
def dialect_named(name: str) -> Dialect:
    """A fresh dialect of that name with its default driver (e.g. "sqlite": pysqlite), for
    :func:`bound_tuples` in a process that has no engine."""
    return URL.create(name).get_dialect()()


def insert_bound_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """:func:`insert_tuples_ignoring_conflicts` for rows already through :func:`bound_tuples`
    (with this session's dialect). Rows go in sorted by the unique key."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    sql, params, _ = _compiled_insert(table, tuple(columns), dialect)
    key = _picker([columns.index(name) for name in _unique_key(table)])
    ordered = sorted(rows, key=lambda row: tuple(map(str, key(row))))
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and len(rows) >= COPY_MIN_ROWS:
        _copy_ignoring_conflicts(session, table, columns, list(zip(*ordered, strict=True)))
        return
    in_params = _picker([columns.index(name) for name in params])  # one C call a row, not a loop over 35 columns
    if dialect.positional:
        batch: list[Any] = list(map(in_params, ordered))
    else:
        batch = [dict(zip(params, in_params(row), strict=True)) for row in ordered]
    conn = session.connection()
    insert_counted(conn, table.name, len(batch), lambda: int(conn.exec_driver_sql(sql, batch).rowcount))


def _picker(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The values at ``indexes`` of a row, as a tuple (itemgetter gives one value for one index)."""
    get = itemgetter(*indexes)
    return get if len(indexes) > 1 else lambda row: (get(row),)


COPY_MIN_ROWS = 200  # below this, one executemany costs less than a staging table's round trips


def _copy_ignoring_conflicts(
    session: Session, table: Table, columns: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL's bulk path: COPY the rows into a staging table of this transaction,
    then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.

    Why: COPY streams rows with no per-row statement (a third of executemany's cost at
    1,000 rows); COPY itself cannot skip conflicts, so the staging table keeps the
    re-import rule of :func:`insert_ignoring_conflicts`. ``values`` are per column,
    already through the columns' bind processors and in the caller's order; the rows
    reach the table in that order (``_n``), so ids and the lock order are those of the
    executemany path. Triggers (the PostGIS geometry) fire on the INSERT as usual.
    """
    staging = f"_copy_{table.name}"
    names = ", ".join(f'"{c}"' for c in columns)
    conn = session.connection()
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ON COMMIT DROP AS '
        f'SELECT {names}, 0::bigint AS _n FROM "{table.name}" WITH NO DATA'
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{staging}" ({names}, _n) FROM STDIN') as copy:
            for n, row in enumerate(zip(*values, strict=True)):
                copy.write_row((*row, n))
    finally:
        cursor.close()
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" ORDER BY _n ON CONFLICT DO NOTHING'
    )
    conn.exec_driver_sql(f'TRUNCATE "{staging}"')


@lru_cache(maxsize=16)
def _compiled_insert(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...], list[Any]]:
    """SQL and parameter order of INSERT ... ON CONFLICT DO NOTHING for ``columns``, and
    each column's bind processor (None when the driver takes the value as it is)."""
    missing = [c.name for c in table.columns if c.default is not None and c.name not in columns]
    if missing:
        raise ValueError(f"columns with a Python-side default must be given: {missing}")
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    compiled = insert(table).on_conflict_do_nothing().compile(dialect=dialect, column_keys=list(columns))
    params = tuple(compiled.positiontup) if dialect.positional else tuple(columns)
    processors = [_bind_processor(table.c[name].type, dialect) for name in columns]
    return compiled.string, params, processors


def _bind_processor(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind processor; for an aware datetime going to SQLite, one that
    makes the very same text (UTC, "YYYY-MM-DD HH:MM:SS.ffffff") in a third of the time
    of the type decorator and SQLite's DATETIME processor in turn (four per report)."""
    if isinstance(column_type, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_utc_text
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _sqlite_utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def known_refs(session: Session, table: Any, source_refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (source, source_ref) pairs the table already holds."""
    refs = set(source_refs)
    found: set[tuple[str, str]] = set()
    by_source: dict[str, list[str]] = {}
    for source, ref in refs:
        by_source.setdefault(source, []).append(ref)
    for source, items in by_source.items():
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            rows = session.execute(
                select(table.source, table.source_ref).where(table.source == source, table.source_ref.in_(chunk))
            )
            found.update((s, r) for s, r in rows)
    return found


def claim_batch(session: Session, **values: Any) -> ImportBatch | None:
    """Insert an import batch unless one for the same file (sha256) exists; None when it does.

    When two imports of one file race, the later INSERT waits for the earlier transaction
    and then does nothing, so the loser learns "already imported" instead of failing on
    the unique sha256.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    batch_id = session.scalar(insert(ImportBatch).values(**values).on_conflict_do_nothing().returning(ImportBatch.id))
    return None if batch_id is None else session.get(ImportBatch, batch_id)


def batch_by_sha(session: Session, sha256: str) -> ImportBatch | None:
    return session.scalar(select(ImportBatch).where(ImportBatch.sha256 == sha256))


def report_filters(
    start: datetime | None,
    end: datetime | None,
    categories: Sequence[str] | None,
    statuses: Sequence[str],
    include_duplicates: bool,
    located_only: bool,
) -> list[ColumnElement[bool]]:
    """The one report filter: status, [start, end), categories, duplicates, placed."""
    conds: list[ColumnElement[bool]] = [ReportRow.status.in_(list(statuses))]
    if start is not None:
        conds.append(ReportRow.occurred_at >= start)
    if end is not None:
        conds.append(ReportRow.occurred_at < end)
    if categories:
        conds.append(ReportRow.category.in_(list(categories)))
    if not include_duplicates:
        conds.append(ReportRow.duplicate_of.is_(None))
    if located_only:
        conds.append(ReportRow.lat.is_not(None))
    return conds


def reports_frame(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    include_duplicates: bool = False,
    statuses: Sequence[str] = ("new", "verified"),
    located_only: bool = False,
) -> pd.DataFrame:
    """Reports as a DataFrame (one row per report; duplicates left out unless asked)."""
    conds = report_filters(start, end, categories, statuses, include_duplicates, located_only)
    query = select(ReportRow).where(and_(*conds)).order_by(ReportRow.occurred_at, ReportRow.id)
    with Session(engine) as session:
        rows = session.scalars(query).all()
        records = [{c: getattr(r, c) for c in REPORT_COLUMNS} for r in rows]
    frame = pd.DataFrame.from_records(records, columns=REPORT_COLUMNS)
    for col in ("received_at", "occurred_at", "created_at", "updated_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def report_count(engine: Engine) -> int:
    from sqlalchemy import func

    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(ReportRow)) or 0)


def quarantine_frame(engine: Engine, *, unresolved_only: bool = True) -> pd.DataFrame:
    query = select(QuarantineRow).order_by(QuarantineRow.id)
    if unresolved_only:
        query = query.where(QuarantineRow.resolved_at.is_(None))
    cols = [c.name for c in QuarantineRow.__table__.columns]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(query)]
    return pd.DataFrame.from_records(rows, columns=cols)


def _view(engine: Engine, view: str, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM {view}")).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def public_actions_frame(engine: Engine) -> pd.DataFrame:
    """The action plan as the public sees it: place, status, progress and the "what was
    done" note (proposed and rejected actions are left out by the view)."""
    return _view(
        engine,
        "public_actions_view",
        ["id", "cell", "district", "status", "public_note", "progress", "parent_id", "weight", "meeting_id"],
    )


def public_milestones_frame(engine: Engine) -> pd.DataFrame:
    """Milestones of the public actions, dated to the month only."""
    return _view(engine, "public_milestones_view", ["id", "action_id", "month", "title", "text"])


# --- public releases (services/releases.py) ----------------------------------------------

RELEASE_SOURCE_COLUMNS = [
    "id",
    "month",
    "h3_r8",
    "level",
    "category",
    "status",
    "batch_id",
    "duplicate_of",
    "record_key",
]


def assign_record_keys(session: Session, new_key: Callable[[], int]) -> int:
    """Give every report without a record key its key (once: a key is never changed)."""
    ids = session.scalars(select(ReportRow.id).where(ReportRow.record_key.is_(None))).all()
    if ids:
        session.execute(
            update(ReportRow.__table__)
            .where(ReportRow.__table__.c.id == bindparam("rid"), ReportRow.__table__.c.record_key.is_(None))
            .values(record_key=bindparam("key")),
            [{"rid": rid, "key": new_key()} for rid in ids],
        )
    return len(ids)


def release_source_frame(session: Session) -> pd.DataFrame:
    """What a release is computed from: month (city time), cell, level, category, status,
    batch, duplicate flag and record key of every placed report (no text, no point)."""
    rows = session.execute(
        select(
            ReportRow.id,
            ReportRow.month_local,
            ReportRow.h3_r8,
            ReportRow.level,
            ReportRow.category,
            ReportRow.status,
            ReportRow.batch_id,
            ReportRow.duplicate_of,
            ReportRow.record_key,
        ).where(ReportRow.h3_r8.is_not(None), ReportRow.month_local.is_not(None))
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=RELEASE_SOURCE_COLUMNS)


def releases_frame(bind: Engine | Session) -> pd.DataFrame:
    """Every release: id (number), month, published_at, method, content_sha256."""
    cols = ["id", "month", "published_at", "method", "content_sha256"]
    query = select(*(getattr(ReleaseRow, c) for c in cols)).order_by(ReleaseRow.id)
    with _session(bind) as session:
        rows = session.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def release_months_frame(bind: Engine | Session) -> pd.DataFrame:
    """Which months each release holds (release_id, month, revision)."""
    query = select(ReleaseMonthRow.release_id, ReleaseMonthRow.month, ReleaseMonthRow.revision).order_by(
        ReleaseMonthRow.release_id, ReleaseMonthRow.month
    )
    with _session(bind) as session:
        rows = session.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["release_id", "month", "revision"])


RELEASE_CELL_COLUMNS = ["release_id", "month", "unit", "kind", "district", "category_group", "value"]


def release_cells_frame(bind: Engine | Session, pairs: Iterable[tuple[int, str]]) -> pd.DataFrame:
    """The released base cells of the given (release id, month) pairs."""
    wanted = sorted(set(pairs))
    rows: list[tuple[Any, ...]] = []
    with _session(bind) as session:
        for release_id in sorted({r for r, _ in wanted}):
            months = [m for r, m in wanted if r == release_id]
            query = select(*(getattr(ReleaseCellRow, c) for c in RELEASE_CELL_COLUMNS)).where(
                ReleaseCellRow.release_id == release_id, ReleaseCellRow.month.in_(months)
            )
            rows += [tuple(r) for r in session.execute(query)]
    frame = pd.DataFrame(rows, columns=RELEASE_CELL_COLUMNS)
    frame["value"] = frame["value"].astype("int64")
    return frame.sort_values(["month", "unit", "category_group"]).reset_index(drop=True)


def insert_release(
    session: Session, release: dict[str, Any], months: Sequence[dict[str, Any]], cells: Sequence[dict[str, Any]]
) -> None:
    """Write one release in the caller's transaction (the tables refuse later changes)."""
    session.add(ReleaseRow(**release))
    session.flush()
    session.execute(sa_insert(ReleaseMonthRow), list(months))
    if cells:
        session.execute(sa_insert(ReleaseCellRow), list(cells))


@contextmanager
def _session(bind: Engine | Session) -> Iterator[Session]:
    if isinstance(bind, Session):
        yield bind
    else:
        with Session(bind) as session:
            yield session
