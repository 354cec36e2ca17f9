"""De-duplication alone on an imported store: CPU time, and the marks against the stored ones.

Run from the repository root:
    python3 bench/intake_dedupe.py W/store-rest.db      # a store bench/intake.py made
    python3 bench/intake_dedupe.py W/store-rest.db --repeat 2
    python3 bench/intake_dedupe.py W/store-rest.db --workers 2   # with the import's worker pool

Why: at a million messages the batch-wide step of an import (``services.import_dedupe.assign_duplicates``) is
a minute of CPU, and the whole import four; timing only that step on the stored reports
takes a quarter of the time and none of the noise of the per-chunk steps. Inside one
transaction that is rolled back at the end (the file is left as it was), every
duplicate mark is cleared, the step recomputes them as the import did (the whole batch,
slice by slice, and stores the changed ones), and the recomputed marks are compared
with the marks that were stored: an import of the same export by other code must give
the same marks, so a store made by the old code checks the new code's marks.
Prints the CPU seconds of the step (without ``--workers`` it runs in this process alone;
with them, as in an import with the pool, this process's and the workers' CPU), its wall
time, the number of duplicates, and whether every mark is equal (exit 1 when not).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from data.store.db import bulk_page_cache, make_engine  # noqa: E402
from data.store.schema import ReportRow  # noqa: E402
from services.import_dedupe import assign_duplicates  # noqa: E402
from services.import_workers import worker_pool  # noqa: E402


def _marks(session: Session) -> dict[int, int | None]:
    return {i: d for i, d in session.execute(select(ReportRow.id, ReportRow.duplicate_of))}


class Measured(NamedTuple):
    cpu: float  # this process and the pool's workers
    workers_cpu: float
    wall: float
    duplicates: int
    differ: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(store: Path, workers: int = 0) -> Measured:
    """CPU and wall seconds of recomputing every mark (with the import's page cache and,
    when ``workers`` is above 1, a pool of that many forked workers, as an import has),
    duplicates found, marks that differ."""
    engine = make_engine(f"sqlite:///{store.resolve()}")
    with Session(engine) as session:
        stored = _marks(session)
        batches = session.scalars(select(ReportRow.batch_id).distinct()).all()
        session.execute(update(ReportRow).values(duplicate_of=None))
        children = _children_cpu()
        started, wall = time.process_time(), time.perf_counter()
        with bulk_page_cache(session.connection()), worker_pool(workers) if workers > 1 else _no_pool() as pool:
            for batch in batches:  # the first batch's step recomputes all that follows it
                assign_duplicates(session, batch, pool)
        cpu, wall = time.process_time() - started, time.perf_counter() - wall
        workers_cpu = _children_cpu() - children  # the pool's workers, reaped when it ended
        found = _marks(session)
        session.rollback()
    engine.dispose()
    differ = sum(found[i] != stored[i] for i in stored)
    return Measured(cpu + workers_cpu, workers_cpu, wall, sum(m is not None for m in found.values()), differ)


@contextmanager
def _no_pool() -> Iterator[None]:
    yield None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", help="SQLite file of an import (e.g. W/store-rest.db of bench/intake.py)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=0, help="a worker pool of this many, as an import has (0: none)")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    worst = 0
    for run in range(args.repeat):
        got = measure(Path(args.store), args.workers)
        pool = f" (workers {got.workers_cpu:.1f})" if args.workers > 1 else ""
        print(
            f"run {run + 1}: de-duplication {got.cpu:.1f} CPU s{pool}, {got.wall:.1f} s wall, {got.duplicates:,} "
            f"duplicates, {got.differ:,} marks differ from the stored ones "
            f"(load average {load:.1f} -> {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        worst = max(worst, got.differ)
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
