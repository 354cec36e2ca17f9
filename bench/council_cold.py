"""The council page's period change right after a store write (every page cache cold), timed
in CPU seconds of this process (the page script runs in AppTest's thread here), which a busy
machine distorts far less than wall time.

Each change is to a period not chosen before, right after a write that moves the store's
version (as ``bench/pages.py``'s cold rows), once the previous version's background warm-up
has finished; ``--police`` opens the police page first so its caches share the heap, as on
a server where both pages were drawn.

    python bench/council_cold.py [--changes 7] [--page council|partner] [--police]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from bench.pages import by_label, demo_store, load_average, open_page, touch_store
from ui import warm_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=7)
    parser.add_argument("--page", choices=("council", "partner"), default="council")
    parser.add_argument("--police", action="store_true", help="open the police page first (its caches in the heap)")
    args = parser.parse_args()
    with demo_store(name="cold.db") as engine:
        if args.police:
            open_page(engine, "police")
        at = open_page(engine, args.page)
        cpu, wall = [], []
        for index in range(2, 2 + args.changes):  # periods 2, 3, ...: each chosen once
            warm_up.wait()
            touch_store(engine)
            start_cpu, start = time.process_time(), time.perf_counter()
            by_label(at.selectbox, "public.period").select_index(index).run()
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        print(
            f"{args.page} period change right after a store write, {args.changes} changes: "
            f"CPU median {statistics.median(cpu):.3f} s ({', '.join(f'{c:.3f}' for c in cpu)}); "
            f"wall median {statistics.median(wall):.3f} s"
        )
        print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
