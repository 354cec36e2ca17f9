"""The importer's store step on PostgreSQL: COPY vs executemany (not part of pytest).

Run from the repository root, with a PostgreSQL cluster whose user may CREATE DATABASE:
    bash -c 'source .ci/postgres.sh; start_postgres; python3 bench/intake_copy.py; stop_postgres'
    python3 bench/intake_copy.py --url postgresql+psycopg://user@host/db --rows 200000

Why: an import writes its reports with ``data.store.repo.insert_tuples_ignoring_conflicts``
in chunks of ``services.importer.CHUNK`` rows, all in one transaction (one file, one
transaction). On PostgreSQL a chunk of at least ``COPY_MIN_ROWS`` goes by COPY into a
staging table, then one INSERT ... ON CONFLICT DO NOTHING. This loads the same synthetic
reports (bench/store.py's) into two fresh PostGIS databases, once by each path, and
prints rows per second of wall time (the server's work included: the geometry trigger,
the indexes) and of this process's CPU, the ratio, and whether both stores hold the same
rows under the same ids.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.store import COLUMNS, Synthetic, scratch_postgres
from data.store import repo
from data.store.schema import ReportRow, month_local
from services.importer import CHUNK

STORE_COLUMNS = (*COLUMNS, "month_local")


def load(engine: Engine, data: Synthetic, rows: int, copy: bool) -> tuple[float, float]:
    """Wall and CPU seconds to store ``rows`` reports in CHUNK-row pieces, one transaction."""
    repo.COPY_MIN_ROWS = 1 if copy else 10**12
    pieces = []
    for start in range(0, rows, CHUNK):
        made = data.rows(start, min(CHUNK, rows - start))
        pieces.append([(*(r[c] for c in COLUMNS), month_local(r["occurred_at"])) for r in made])
    wall, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session, session.begin():
        for piece in pieces:
            repo.insert_tuples_ignoring_conflicts(session, ReportRow.__table__, STORE_COLUMNS, piece)
    return time.perf_counter() - wall, time.process_time() - cpu


def fingerprint(engine: Engine) -> tuple[int, str]:
    """Row count and a digest of (id, source_ref, geometry) in id order."""
    with engine.connect() as conn:
        got = conn.execute(text("SELECT id, source_ref, ST_AsText(geom) FROM reports ORDER BY id")).all()
    return len(got), hashlib.sha256(repr(got).encode()).hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL admin URL (CREATEDB)")
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    if not args.url:
        print("needs --url or TEST_DATABASE_URL (see .ci/postgres.sh)")
        return 2
    data = Synthetic()
    results = {}
    for name, copy in (("executemany", False), ("COPY", True)):
        with scratch_postgres(args.url) as engine:
            wall, cpu = load(engine, data, args.rows, copy)
            results[name] = (wall, cpu, fingerprint(engine))
        print(f"  {name}: {args.rows:,} rows in {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    print(f"\n{args.rows:,} reports in chunks of {CHUNK:,}, one transaction, fresh PostGIS database each")
    print(f"{'path':12s} {'wall s':>7s} {'rows/s':>8s} {'CPU s':>6s} {'rows/CPU-s':>10s}")
    for name, (wall, cpu, _) in results.items():
        print(f"{name:12s} {wall:7.1f} {args.rows / wall:8,.0f} {cpu:6.1f} {args.rows / cpu:10,.0f}")
    (w_e, c_e, f_e), (w_c, c_c, f_c) = results["executemany"], results["COPY"]
    print(
        f"COPY / executemany: {w_e / w_c:.2f}x the wall rate, {c_e / c_c:.2f}x the CPU rate; "
        f"same rows, ids and geometry: {'yes' if f_e == f_c else 'NO'} ({f_c[0]:,} rows)"
    )
    return 0 if f_e == f_c else 1


if __name__ == "__main__":
    raise SystemExit(main())
