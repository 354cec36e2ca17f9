"""Do two imports give the same store? Compares what an import wrote, ids and clocks aside.

Run from the repository root:
    python3 bench/intake_same.py STORE_A STORE_B     # SQLite files or database URLs

Why: a faster intake must give the same answers. Import the same export (same salt, e.g.
``bench/intake.py --workdir W`` once with the old code and once with the new, keeping
``W/store-rest.db`` of each) and compare: every report (all its columns; a duplicate
mark as the source reference of its original, not an id), every quarantine entry (the
reason, the redacted excerpt and record), each batch's counts and, on SQLite, the store
version (the count of rows written) must be equal. Left
out: row ids, batch ids and the times the import itself took (created/updated/started/
finished), which differ between any two runs. Prints one line per table and the first
differing rows; exits 1 when anything differs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text

CLOCK_COLUMNS = {"id", "batch_id", "created_at", "updated_at", "started_at", "finished_at", "imported_by"}
SHOWN_DIFFERENCES = 5


def _url(store: str) -> str:
    return store if "://" in store else f"sqlite:///{Path(store).resolve()}"


def _canonical(value: Any) -> Any:
    """A value as comparable text: JSON records without their clock fields, floats exact."""
    if isinstance(value, str) and value[:1] == "{":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        value = parsed
    if isinstance(value, dict):
        return json.dumps({k: v for k, v in value.items() if k not in CLOCK_COLUMNS}, sort_keys=True)
    return repr(value)


def table_rows(url: str, table: str) -> Iterator[tuple[Any, ...]]:
    """The table's rows without the clock columns, in a fixed order; a duplicate mark is
    the source reference of the report it points to."""
    engine = create_engine(_url(url))
    try:
        with engine.connect() as conn:
            columns = [c for c in conn.execute(text(f"SELECT * FROM {table} WHERE 1 = 0")).keys()]
            kept = [c for c in columns if c not in CLOCK_COLUMNS]
            if table == "reports":
                refs = dict(conn.execute(text("SELECT id, source || ':' || source_ref FROM reports")).all())
            order = "source, source_ref" if "source_ref" in kept else ", ".join(kept)
            result = conn.execute(text(f"SELECT {', '.join(kept)} FROM {table} ORDER BY {order}"))
            for row in result:
                values = dict(zip(kept, row, strict=True))
                if table == "reports" and values.get("duplicate_of") is not None:
                    values["duplicate_of"] = refs.get(values["duplicate_of"], "?")
                yield tuple(_canonical(values[c]) for c in kept)
    finally:
        engine.dispose()


def _has_table(url: str, table: str) -> bool:
    engine = create_engine(_url(url))
    try:
        return inspect(engine).has_table(table)
    finally:
        engine.dispose()


def compare(
    a: str, b: str, tables: Sequence[str] = ("reports", "quarantine", "import_batches", "store_version")
) -> bool:
    """Print, per table, the row counts, digests and first differences; True when equal.
    (SQLite's ``store_version`` counts the rows written: it is compared where both have it.)"""
    same = True
    for table in tables:
        if table == "store_version" and not (_has_table(a, table) and _has_table(b, table)):
            continue
        rows_a, rows_b = list(table_rows(a, table)), list(table_rows(b, table))
        digest_a = hashlib.sha256(repr(rows_a).encode()).hexdigest()[:16]
        digest_b = hashlib.sha256(repr(rows_b).encode()).hexdigest()[:16]
        equal = rows_a == rows_b
        same = same and equal
        print(
            f"{table:15s} rows {len(rows_a):>9,} vs {len(rows_b):>9,}  digest {digest_a} vs {digest_b}  "
            f"{'same' if equal else 'DIFFERENT'}"
        )
        if not equal:
            shown = 0
            for k, (x, y) in enumerate(zip(rows_a, rows_b, strict=False)):
                if x != y and shown < SHOWN_DIFFERENCES:
                    print(f"  row {k}:\n    a {x}\n    b {y}")
                    shown += 1
    return same


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__)
        return 2
    return 0 if compare(*args) else 1


if __name__ == "__main__":
    raise SystemExit(main())
