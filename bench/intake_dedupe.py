"""De-duplication alone on an imported store: CPU time, and the marks against the stored ones.

Run from the repository root:
    python3 bench/intake_dedupe.py W/store-rest.db      # a store bench/intake.py made
    python3 bench/intake_dedupe.py W/store-rest.db --repeat 2

Why: at a million messages the batch-wide step of an import (``services.import_dedupe.assign_duplicates``) is
a minute of CPU, and the whole import four; timing only that step on the stored reports
takes a quarter of the time and none of the noise of the per-chunk steps. Inside one
transaction that is rolled back at the end (the file is left as it was), every
duplicate mark is cleared, the step recomputes them as the import did (the whole batch,
slice by slice, and stores the changed ones), and the recomputed marks are compared
with the marks that were stored: an import of the same export by other code must give
the same marks, so a store made by the old code checks the new code's marks.
Prints the CPU seconds of the step (this process; the step runs in it alone), the
number of duplicates, and whether every mark is equal (exit 1 when not).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from data.store.db import make_engine  # noqa: E402
from data.store.schema import ReportRow  # noqa: E402
from services.import_dedupe import assign_duplicates  # noqa: E402


def _marks(session: Session) -> dict[int, int | None]:
    return {i: d for i, d in session.execute(select(ReportRow.id, ReportRow.duplicate_of))}


def measure(store: Path) -> tuple[float, int, int]:
    """CPU seconds of recomputing every mark, duplicates found, marks that differ."""
    engine = make_engine(f"sqlite:///{store.resolve()}")
    with Session(engine) as session:
        stored = _marks(session)
        batches = session.scalars(select(ReportRow.batch_id).distinct()).all()
        session.execute(update(ReportRow).values(duplicate_of=None))
        started = time.process_time()
        for batch in batches:  # the first batch's step recomputes all that follows it
            assign_duplicates(session, batch)
        cpu = time.process_time() - started
        found = _marks(session)
        session.rollback()
    engine.dispose()
    differ = sum(found[i] != stored[i] for i in stored)
    return cpu, sum(m is not None for m in found.values()), differ


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", help="SQLite file of an import (e.g. W/store-rest.db of bench/intake.py)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    worst = 0
    for run in range(args.repeat):
        cpu, duplicates, differ = measure(Path(args.store))
        print(
            f"run {run + 1}: de-duplication {cpu:.1f} CPU s, {duplicates:,} duplicates, "
            f"{differ:,} marks differ from the stored ones (load average {load:.1f} -> {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        worst = max(worst, differ)
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
