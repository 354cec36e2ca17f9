"""Benchmark of the store on SQLite vs PostgreSQL/PostGIS (not part of pytest).

Run from the repository root, with a PostgreSQL cluster whose user may CREATE DATABASE:
    bash -c 'source .ci/postgres.sh; start_postgres; python3 bench/store.py; stop_postgres'
    python3 bench/store.py --url postgresql+psycopg://user@host/db --sizes 10000 100000

Loads 10k, then up to 100k, then up to 1M synthetic reports (geocoded-like: points repeat
on 30,000 address points inside the demo city, two years, weighted categories) into a
fresh SQLite file and a fresh PostGIS database, and prints side by side:
1. import rate through ``insert_ignoring_conflicts`` (what the importer uses, one
   transaction per 10,000 rows), and on PostgreSQL also COPY (the bulk path; the geom
   trigger fires on both);
2. the median latency of the hotspot queries the app runs, each backend giving the same
   answer (checked): reports per H3 r9 cell for one month and category, reports inside a
   microdistrict (all time and one month), reports within 100 m and 48 h of a point
   (duplicate candidates), the map's bounding box for one month (at most 5,000 points).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import h3
import numpy as np
from shapely import contains_xy
from sqlalchemy import Engine, create_engine, make_url, pool, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.categories import SLUGS  # noqa: E402
from data.store.db import make_engine, upgrade  # noqa: E402
from data.store.postgis import cell_counts, reports_in_bbox, reports_in_polygon, reports_near  # noqa: E402
from data.store.repo import insert_ignoring_conflicts  # noqa: E402
from data.store.schema import ReportRow  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402

START = datetime(2024, 11, 1, tzinfo=UTC)
DAYS = 730
MONTH = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
CHUNK = 10_000
REPEATS = 7
COLUMNS = [
    "source",
    "source_ref",
    "received_at",
    "occurred_at",
    "occurred_at_source",
    "text",
    "reporter_hash",
    "category",
    "category_source",
    "lat",
    "lon",
    "level",
    "score",
    "h3_r7",
    "h3_r8",
    "h3_r9",
    "h3_r10",
    "status",
    "created_at",
    "updated_at",
]


class Synthetic:
    """Deterministic synthetic reports; row i is the same on every backend and every run."""

    def __init__(self, seed: int = 7) -> None:
        gz = load_gazetteer()
        self.city = gz.boundary_polygon
        self.district = max((d for d in gz.districts), key=lambda d: d.shape.area).shape
        rng = np.random.default_rng(seed)
        west, south, east, north = self.city.bounds
        lon = rng.uniform(west, east, 120_000)
        lat = rng.uniform(south, north, 120_000)
        keep = contains_xy(self.city, lon, lat)
        self.points = np.column_stack([lat[keep], lon[keep]])[:30_000]
        self.cells = [[h3.latlng_to_cell(la, lo, r) for r in (7, 8, 9, 10)] for la, lo in self.points]
        weights = np.linspace(3, 1, len(SLUGS))
        self.weights = weights / weights.sum()
        # a few busy addresses (hotspots) and a long tail, as geocoded reports are
        popularity = 1.0 / (np.arange(len(self.points)) + 20.0) ** 0.8
        self.popularity = popularity / popularity.sum()
        self.rng_seed = seed

    def rows(self, first: int, n: int) -> list[dict[str, Any]]:
        rng = np.random.default_rng(self.rng_seed + first)
        where = rng.choice(len(self.points), n, p=self.popularity)
        seconds = rng.integers(0, DAYS * 86400, n)
        cats = rng.choice(len(SLUGS), n, p=self.weights)
        statuses = rng.choice(["new", "verified", "rejected"], n, p=[0.6, 0.35, 0.05])
        out = []
        for k in range(n):
            p = int(where[k])
            when = START + timedelta(seconds=int(seconds[k]))
            r7, r8, r9, r10 = self.cells[p]
            out.append(
                {
                    "source": "csv",
                    "source_ref": f"bench-{first + k}",
                    "received_at": when,
                    "occurred_at": when,
                    "occurred_at_source": "given",
                    "text": f"Синтетичне звернення {first + k}: сміття біля будинку",
                    "reporter_hash": f"{(first + k) % 5000:064x}",
                    "category": SLUGS[cats[k]],
                    "category_source": "rule",
                    "lat": float(self.points[p, 0]),
                    "lon": float(self.points[p, 1]),
                    "level": "address",
                    "score": 0.9,
                    "h3_r7": r7,
                    "h3_r8": r8,
                    "h3_r9": r9,
                    "h3_r10": r10,
                    "status": str(statuses[k]),
                    "created_at": when,
                    "updated_at": when,
                }
            )
        return out


def chunks(data: Synthetic, first: int, n: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(first, first + n, CHUNK):
        yield data.rows(start, min(CHUNK, first + n - start))


def load_orm(engine: Engine, data: Synthetic, first: int, n: int) -> float:
    """Rows per second through insert_ignoring_conflicts, one transaction per CHUNK rows.

    Only the database work is timed, not making the synthetic rows.
    """
    spent = 0.0
    for rows in chunks(data, first, n):
        t0 = time.perf_counter()
        with Session(engine) as session, session.begin():
            insert_ignoring_conflicts(session, ReportRow.__table__, rows)
        spent += time.perf_counter() - t0
    return n / spent


def load_copy(engine: Engine, data: Synthetic, first: int, n: int) -> float:
    """Rows per second through COPY (PostgreSQL's bulk path), one transaction per CHUNK rows."""
    spent = 0.0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for rows in chunks(data, first, n):
            values = [[row[c] for c in COLUMNS] for row in rows]
            t0 = time.perf_counter()
            with cur.copy(f"COPY reports ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for value in values:
                    copy.write_row(value)
            raw.commit()
            spent += time.perf_counter() - t0
    finally:
        raw.close()
    return n / spent


def analyse(engine: Engine) -> None:
    """Fresh planner statistics, as autovacuum / a nightly ANALYZE would leave them."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def median_ms(run: Callable[[int], Any]) -> tuple[float, Any]:
    """Median wall time over REPEATS calls (one warm-up), and the first call's answer."""
    answer = run(0)
    times = []
    for i in range(REPEATS):
        t0 = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), answer


def queries(data: Synthetic) -> dict[str, Callable[[Engine, int], Any]]:
    probes = data.points[:: len(data.points) // REPEATS][: REPEATS + 1]
    west, south, east, north = data.district.bounds

    def near(engine: Engine, i: int) -> Any:
        lat, lon = probes[i % len(probes)]
        return [
            n.id
            for n in reports_near(engine, float(lat), float(lon), 100, around=MONTH[0] + timedelta(days=i), hours=48)
        ]

    return {
        "count per r9 cell, 1 month + category": lambda e, i: cell_counts(
            e, resolution=9, start=MONTH[0], end=MONTH[1], categories=[SLUGS[i % 3]]
        ),
        "reports in a microdistrict, all time": lambda e, i: len(reports_in_polygon(e, data.district)),
        "reports in a microdistrict, 1 month": lambda e, i: reports_in_polygon(
            e, data.district, start=MONTH[0], end=MONTH[1]
        ),
        "reports within 100 m and 48 h": near,
        "map bbox, 1 month, <= 5000 points": lambda e, i: len(
            reports_in_bbox(e, south=south, west=west, north=north, east=east, start=MONTH[0], end=MONTH[1], limit=5000)
        ),
    }


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[Engine]:
    """A new database for the run, migrated; dropped afterwards."""
    name = f"hotspots_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL admin URL")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    if not args.url:
        sys.exit("set TEST_DATABASE_URL or pass --url (a PostgreSQL user that may CREATE DATABASE)")
    t_start = time.perf_counter()
    data = Synthetic()
    named = queries(data)
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp, scratch_postgres(args.url) as pg:
        lite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(lite)
        loaded = 0
        print(f"{'':44s}{'SQLite':>12s}{'PostGIS':>12s}{'ratio':>8s}", file=out)
        for size in args.sizes:
            n = size - loaded
            # PostgreSQL: the first 10% of each step through the importer's path, the rest by COPY
            orm_n = max(min(n // 10, 100_000), min(n, CHUNK))
            rate_lite = load_orm(lite, data, loaded, n)
            rate_pg = load_orm(pg, data, loaded, orm_n)
            rate_copy = load_copy(pg, data, loaded + orm_n, n - orm_n) if n > orm_n else float("nan")
            loaded = size
            analyse(lite)
            analyse(pg)
            print(f"\n{size:,} reports", file=out)
            print(
                f"  {'import rows/s (insert_ignoring_conflicts)':42s}{rate_lite:12,.0f}{rate_pg:12,.0f}"
                f"{rate_pg / rate_lite:8.2f}",
                file=out,
            )
            print(f"  {'import rows/s (COPY, PostgreSQL only)':42s}{'':12s}{rate_copy:12,.0f}", file=out)
            for label, run in named.items():
                ms_lite, answer_lite = median_ms(lambda i, run=run: run(lite, i))
                ms_pg, answer_pg = median_ms(lambda i, run=run: run(pg, i))
                same = "" if answer_lite == answer_pg else "  ANSWERS DIFFER"
                print(f"  {label + ' (ms)':42s}{ms_lite:12.1f}{ms_pg:12.1f}{ms_pg / ms_lite:8.2f}{same}", file=out)
            print(out.getvalue(), end="", flush=True)
            out = io.StringIO()
        lite.dispose()
    print(f"\n(total {time.perf_counter() - t_start:.0f} s; ratio = PostGIS / SQLite, below 1 means PostGIS is faster)")


if __name__ == "__main__":
    main()
