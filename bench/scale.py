"""A city's years of reports in one store: the analyses read counts, not rows.

Builds N synthetic reports (default 1,000,000, two years, clustered in the demo city) in
SQLite and, when TEST_DATABASE_URL (or --postgres URL) is set, in PostGIS (COPY), then
prints per backend, in this warm process, CPU seconds of:

- the hotspot table (Gi* + FDR at res 9 for a quarter) from query to table, and its
  ratio to a bare ``pd.read_sql`` of the same grouped query (target: table < 3 s);
- the 2-year emerging hot spot table (monthly, res 9);
- a KDE table for a quarter by the columnar path;
- the police page's service call (``services.police.police_view``: 8 weeks' Gi*, emerging
  hot spots, the default forecast over the whole history, the map) at the data's end;
- the local months' check at the first open, and their re-derivation after a change of
  the city's time zone;
- with --partitioning (PostGIS), the hot queries on a monthly-partitioned copy of
  ``reports`` against the plain table (wall seconds: the server's work), to decide whether
  partitioning pays at N;
- with --row-path, the old row path (every column of every report as ORM objects) for
  the same quarter, run last so that the peak RSS above is the new paths' own;
and the peak RSS of each backend's process (target < 1 GB): each backend runs in a
process of its own, as a deployment runs one.

    python bench/scale.py [--reports N] [--postgres URL] [--partitioning] [--row-path]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import h3
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from clustering.binning import edge_length_m  # noqa: E402
from clustering.hotspots import emerging_counts_table, gistar_counts_table, kde_table  # noqa: E402
from data.categories import CATEGORIES  # noqa: E402
from data.records import H3_RESOLUTIONS  # noqa: E402
from data.store.aggregates import binned_counts, report_columns  # noqa: E402
from data.store.db import make_engine, upgrade  # noqa: E402
from data.store.localtime import ensure_local_months  # noqa: E402
from data.store.repo import reports_frame  # noqa: E402
from data.store.schema import month_local  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from tests.store_backends import scratch_database  # noqa: E402

COLUMNS = [
    "source",
    "source_ref",
    "received_at",
    "occurred_at",
    "occurred_at_source",
    "month_local",
    "text",
    "category",
    "category_source",
    "lat",
    "lon",
    "level",
    "score",
    "uncertainty_m",
    "status",
    *(f"h3_r{r}" for r in H3_RESOLUTIONS),
    "created_at",
    "updated_at",
]
CATEGORIES = [c for c in CATEGORIES if c != "other"]  # the taxonomy's slugs: the pages label them
START = datetime(2024, 1, 1, tzinfo=UTC)
QUARTER = (datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC))
END = datetime(2025, 12, 31, tzinfo=UTC)  # START + 730 days: the synthetic data's end


def synthetic_chunks(n: int, chunk: int = 100_000, seed: int = 1):  # noqa: ANN201
    """n distinct reports in chunks (bounded memory), each chunk a later stretch of time."""
    for k, first in enumerate(range(0, n, chunk)):
        size = min(chunk, n - first)
        frame = synthetic(size, seed=seed + k, offset=first, span=(first / n, (first + size) / n))
        yield frame


def synthetic(n: int, seed: int = 1, offset: int = 0, span: tuple[float, float] = (0.0, 1.0)) -> pd.DataFrame:
    """n distinct reports over (a span of) two years: hotspots plus background in the demo city."""
    rng = np.random.default_rng(seed)
    box = load_gazetteer().boundary_polygon.bounds  # lon_min, lat_min, lon_max, lat_max
    hot = np.random.default_rng(0).uniform([box[1], box[0]], [box[3], box[2]], (40, 2))
    pick = rng.integers(0, 40, n)
    background = rng.random(n) < 0.4
    lat = np.where(background, rng.uniform(box[1], box[3], n), hot[pick, 0] + rng.normal(0, 0.002, n))
    lon = np.where(background, rng.uniform(box[0], box[2], n), hot[pick, 1] + rng.normal(0, 0.003, n))
    seconds = rng.integers(int(span[0] * 730 * 86400), int(span[1] * 730 * 86400), n)
    when = pd.to_datetime(START) + pd.to_timedelta(np.sort(seconds), unit="s")
    frame = pd.DataFrame(
        {
            "source": "csv",
            "source_ref": [f"s{offset + i}" for i in range(n)],
            "received_at": when,
            "occurred_at": when,
            "occurred_at_source": "given",
            "text": "синтетичне звернення",
            "category": rng.choice(CATEGORIES, n),
            "category_source": "rule",
            "lat": lat,
            "lon": lon,
            "level": "address",
            "score": 0.9,
            "uncertainty_m": rng.uniform(0, 80, n),
            "status": "new",
            "created_at": when,
            "updated_at": when,
        }
    )
    frame["month_local"] = [month_local(t) for t in when.to_pydatetime()]
    for r in H3_RESOLUTIONS:
        frame[f"h3_r{r}"] = [h3.latlng_to_cell(a, b, r) for a, b in zip(lat, lon, strict=True)]
    return frame[COLUMNS]


def fill_sqlite(engine: Engine, frame: pd.DataFrame) -> None:
    """One executemany of plain tuples (SQLite stores naive UTC as SQLAlchemy's text form)."""
    rows = frame.astype(object).where(frame.notna(), None)
    for col in ("received_at", "occurred_at", "created_at", "updated_at"):
        rows[col] = frame[col].dt.tz_convert(None).dt.strftime("%Y-%m-%d %H:%M:%S.%f").to_numpy()
    marks = ", ".join("?" * len(COLUMNS))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO reports ({', '.join(COLUMNS)}) VALUES ({marks})",
            list(rows.itertuples(index=False, name=None)),
        )


def fill_postgres(engine: Engine, frame: pd.DataFrame) -> None:
    """COPY, the bulk path of PostgreSQL (the geometry trigger fills geom per row)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S%z")
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY reports ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE reports"))


def cpu(fn):  # noqa: ANN001, ANN201
    """CPU seconds of this process (the machine is shared) and wall seconds (the server's part too)."""
    start, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, Timing(time.process_time() - start, time.perf_counter() - wall)


class Timing(float):
    """CPU seconds that also carry the wall seconds."""

    def __new__(cls, cpu_s: float, wall_s: float) -> Timing:
        value = super().__new__(cls, cpu_s)
        value.wall = wall_s
        return value

    def __format__(self, spec: str) -> str:
        return f"{float(self):{spec}} s CPU ({self.wall:{spec}} s wall)"


def measure(name: str, engine: Engine) -> None:
    boundary = load_gazetteer().boundary_polygon
    start, end = QUARTER
    vague = edge_length_m(9)
    grouped = (
        f"SELECT h3_r9, CASE WHEN lat IS NULL OR lon IS NULL THEN 'missing' WHEN COALESCE(uncertainty_m, 0)"
        f" > {vague} THEN 'vague' ELSE 'ok' END AS kind, count(*) AS n FROM reports WHERE status IN "
        f"('new', 'verified') AND duplicate_of IS NULL AND lat IS NOT NULL AND occurred_at >= :s AND "
        f"occurred_at < :e GROUP BY 1, 2"
    )
    params = (
        {"s": start.replace(tzinfo=None), "e": end.replace(tzinfo=None)} if name == "SQLite" else {"s": start, "e": end}
    )
    cpu(lambda: binned_counts(engine, res=9, too_vague_m=vague, start=start, end=end))  # warm the process
    _, bare = cpu(lambda: pd.read_sql(text(grouped), engine, params=params))
    table, gistar = cpu(
        lambda: gistar_counts_table(binned_counts(engine, res=9, too_vague_m=vague, start=start, end=end), 9, boundary)
    )
    _, emerging = cpu(
        lambda: emerging_counts_table(
            binned_counts(engine, res=9, too_vague_m=vague, by_month=True), 9, boundary, time_lag=1
        )
    )
    points, read = cpu(lambda: report_columns(engine, start=start, end=end))
    _, kde = cpu(lambda: kde_table(points, 9, boundary))
    print(
        f"{name}: Gi* + FDR res 9, a quarter ({table.attrs['n_in']:,} reports): {gistar:.2f} "
        f"(bare pd.read_sql of the grouped query {bare:.2f}, wall ratio {gistar.wall / max(bare.wall, 1e-9):.1f}x; "
        f"target < 3 s)"
    )
    print(f"{name}: emerging hot spots, 2 years monthly: {emerging:.2f}")
    print(f"{name}: KDE a quarter, columnar read {read:.2f} + table {kde:.2f}")


def police_page(name: str, engine: Engine) -> None:
    """The police page's one service call, with the clock at the end of the synthetic data."""
    import services.police as police

    police.now = lambda: END  # the bench's clock; this process ends after the bench
    view, took = cpu(lambda: police.police_view(engine, role="police", weeks=8))
    print(
        f"{name}: police page service (8 weeks: {len(view.reports):,} reports shown, Gi*, emerging, "
        f"forecast '{view.forecast.attrs['method']}' from its windows' counts, map): {took:.2f} (target < 3 s)"
    )
    hours, took = cpu(lambda: police.when_profile(engine, role="police", period=26))
    print(f"{name}: police hour x weekday profile, 26 weeks ({int(hours.to_numpy().sum()):,} reports): {took:.2f}")


def time_zone_change(name: str, engine: Engine) -> None:
    """The first open after the upgrade (months already in the zone: a scan), then a real change."""
    _, first = cpu(lambda: ensure_local_months(engine, "Europe/Kyiv"))
    n, took = cpu(lambda: ensure_local_months(engine, "America/New_York"))
    print(
        f"{name}: local months: first check of {args_reports(engine):,} reports {first:.2f}; a change of time "
        f"zone (Kyiv -> New York) re-derives them, {n:,} months changed, in {took:.2f}"
    )


#: The hot queries of the pages and analyses, on a table named {t}: the quarter's counts
#: (Gi*), two years' monthly counts (emerging), a year's counts (forecasts), 8 weeks' columns.
_KIND = "CASE WHEN lat IS NULL OR lon IS NULL THEN 'missing' WHEN COALESCE(uncertainty_m, 0) > 174 THEN 'vague' ELSE 'ok' END"
_COUNTED = "status IN ('new', 'verified') AND duplicate_of IS NULL AND lat IS NOT NULL"
HOT_QUERIES = {
    "quarter counts": f"SELECT h3_r9, {_KIND}, count(*) FROM {{t}} WHERE {_COUNTED} AND occurred_at >= "
    "'2025-07-01 00:00+00' AND occurred_at < '2025-10-01 00:00+00' GROUP BY 1, 2",
    "2-year monthly counts": f"SELECT h3_r9, month_local, {_KIND}, count(*) FROM {{t}} WHERE {_COUNTED} GROUP BY 1, 2, 3",
    "a year's counts": f"SELECT h3_r9, {_KIND}, count(*) FROM {{t}} WHERE {_COUNTED} AND occurred_at >= "
    "'2024-12-31 00:00+00' AND occurred_at < '2025-12-31 00:00+00' GROUP BY 1, 2",
    "8 weeks' columns": f"SELECT id, lat, lon, occurred_at, category, h3_r9 FROM {{t}} WHERE {_COUNTED} AND "
    "occurred_at >= '2025-11-05 00:00+00' AND occurred_at < '2025-12-31 00:00+00' ORDER BY occurred_at, id",
}


def partitioning(name: str, engine: Engine) -> None:
    """The hot queries on ``reports`` and on a copy partitioned by month of ``occurred_at`` (same
    indexes, analysed, vacuumed); the best of three wall times each (the server does the work)."""
    months = pd.date_range(START, pd.Timestamp(END) + pd.offsets.MonthBegin(1), freq="MS")  # the data's months
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE reports_monthly (LIKE reports INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at)")
        )
        for lo, hi in zip(months[:-1], months[1:], strict=True):
            conn.execute(
                text(
                    f"CREATE TABLE reports_{lo:%Y_%m} PARTITION OF reports_monthly FOR VALUES FROM ('{lo}') TO ('{hi}')"
                )
            )
        conn.execute(text("INSERT INTO reports_monthly SELECT * FROM reports"))
        conn.execute(text("CREATE INDEX ON reports_monthly (occurred_at)"))
        conn.execute(
            text(
                "CREATE INDEX ON reports_monthly (h3_r9, month_local, status, duplicate_of, lat, lon, uncertainty_m, "
                "category, occurred_at)"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE reports"))
        conn.execute(text("VACUUM ANALYZE reports_monthly"))
    for label, sql in HOT_QUERIES.items():
        plain, parts = (_best_wall(engine, sql.format(t=t)) for t in ("reports", "reports_monthly"))
        print(
            f"{name}: partitioned by month vs plain, {label}: {parts:.3f} s vs {plain:.3f} s wall "
            f"(ratio {parts / max(plain, 1e-9):.2f}; < 1 means partitioning is faster)"
        )


def _best_wall(engine: Engine, sql: str, runs: int = 3) -> float:
    """The best wall time of ``runs`` executions, all rows fetched."""
    best = float("inf")
    with engine.connect() as conn:
        for _ in range(runs):
            start = time.perf_counter()
            conn.execute(text(sql)).fetchall()
            best = min(best, time.perf_counter() - start)
    return best


def args_reports(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM reports")).scalar_one())


def row_path(name: str, engine: Engine) -> None:
    _, rows = cpu(lambda: reports_frame(engine, start=QUARTER[0], end=QUARTER[1], located_only=True))
    print(f"{name}: old row path (ORM, all columns) for the same quarter: {rows:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--row-path", action="store_true")
    parser.add_argument(
        "--partitioning", action="store_true", help="PostGIS: the hot queries on a monthly-partitioned copy"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        in_own_process("SQLite", f"sqlite:///{folder}/scale.db", args)
    if args.postgres:
        with scratch_database(args.postgres) as url:
            in_own_process("PostGIS", url, args)
    else:
        print("PostGIS: skipped (no TEST_DATABASE_URL / --postgres)")


def in_own_process(name: str, url: str, args: argparse.Namespace) -> None:
    """One backend per process, as a deployment runs one: its peak RSS is that backend's own."""
    child = multiprocessing.get_context("spawn").Process(target=run_backend, args=(name, url, args))
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"{name}: the bench process failed ({child.exitcode})")


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    """Fill one store with the synthetic reports, measure it, then (optionally) the row path."""
    fill, verb = (fill_sqlite, "inserted") if name == "SQLite" else (fill_postgres, "copied")
    engine = make_engine(url)
    upgrade(engine)
    _, filled = cpu(lambda: [fill(engine, chunk) for chunk in synthetic_chunks(args.reports)])
    print(f"{name}: {args.reports:,} synthetic reports built and {verb} in {filled:.1f}")
    measure(name, engine)
    police_page(name, engine)
    time_zone_change(name, engine)
    print(f"{name}: peak RSS of the process {peak_mb():,.0f} MB (target < 1,024 MB)", flush=True)
    if args.partitioning and name == "PostGIS":
        partitioning(name, engine)
    if args.row_path:
        row_path(name, engine)
        print(f"{name}: peak RSS with the row path {peak_mb():,.0f} MB", flush=True)
    engine.dispose()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
