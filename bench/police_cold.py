"""The police page's period change right after a store write (every page cache cold), timed
in CPU seconds of this process (the page script runs in AppTest's thread here): until the
map was handed to the browser (``ui.map_frame.draw`` returned: what Chromium waits for, as
Streamlit sends each element when the script reaches it) and until the rerun was done; and
the rerun's wall time. ``--worker`` lets the page hand its whole-history work to the page's
worker process (ui/offload.py, on in a real server): then this process's CPU no longer
counts all the work, and the wall time is what to compare.

Each change is to another period than the one before, right after a write that moves the
store's version (as ``bench/pages.py``'s cold rows), once the previous version's background
warm-up has finished.

    python bench/police_cold.py [--changes 8] [--store DIR] [--worker]
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

from bench.pages import cold_period_changes, demo_store, load_average, open_page
from ui import map_frame, offload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--store", help="a folder to keep the demo store in (imported on first use)")
    parser.add_argument("--worker", action="store_true", help="the page's worker process computes beside the page")
    args = parser.parse_args()
    os.environ[offload.SETTING] = "on" if args.worker else "off"
    with demo_store(args.store, "cold.db") as engine:
        if args.worker:
            assert offload.ready(), "the page's worker did not start"
        drawn: list[float] = []
        draw = map_frame.draw

        def timed_draw(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            draw(*args, **kwargs)
            drawn.append(time.process_time())

        map_frame.draw = timed_draw  # the page looks it up on each run
        at = open_page(engine, "police")
        to_map, done, wall = [], [], []
        for change in cold_period_changes(at, engine, args.changes):
            start, started = time.process_time(), time.perf_counter()
            change()
            wall.append(time.perf_counter() - started)
            done.append(time.process_time() - start)
            to_map.append(drawn[-1] - start)
        print(
            f"police period change right after a store write, {args.changes} changes"
            f"{' (worker process on)' if args.worker else ''}: "
            f"CPU to the map median {statistics.median(to_map):.3f} s ({', '.join(f'{c:.3f}' for c in to_map)}); "
            f"CPU to rerun done median {statistics.median(done):.3f} s ({', '.join(f'{c:.3f}' for c in done)}); "
            f"wall to rerun done median {statistics.median(wall):.3f} s ({', '.join(f'{c:.3f}' for c in wall)})"
        )
        print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
