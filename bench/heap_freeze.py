"""The police page's cold period changes with Python's default collector and with ui/heap.py
(start-up objects frozen, the oldest generation collected by the server's own thread while
no page computes): the full garbage collections that fall inside the reruns, all of them
(inside, in the warm-ups or idle), and the reruns' wall times (median and longest).

Each mode runs in a process of its own on the same demo store: a frozen heap cannot be
thawed back into the state it had. Each change is to another period right after a write
that moves the store's version, once the previous version's warm-up has finished (as
``bench/police_cold.py``).

    python bench/heap_freeze.py [--changes 12] [--store DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from bench.pages import cold_period_changes, demo_store, load_average, open_page
from ui import heap, warm_up

MODES = ("default", "heap.py")


class Pauses:
    """Every full collection's pause (gc.callbacks) from `start()` on, and whether it began
    inside a timed rerun (`inside` is set around each)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, bool]] = []
        self.inside = False
        self._began = (0.0, False)
        self._on = False

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._began = (time.perf_counter(), self.inside)
        elif self._on:
            self.seen.append((time.perf_counter() - self._began[0], self._began[1]))

    def start(self) -> None:
        self._on = True


def child(managed: bool, changes: int, store: str) -> dict[str, object]:
    """One mode's run: the page opened, then `changes` cold period changes, timed."""
    if managed:
        heap.manage_collections()  # what app.py does when it builds the server
    pauses = Pauses()
    gc.callbacks.append(pauses)
    with demo_store(store, "freeze.db") as engine:
        at = open_page(engine, "police")
        pauses.start()
        walls = []
        for change in cold_period_changes(at, engine, changes):
            pauses.inside = True
            start = time.perf_counter()
            change()
            walls.append(time.perf_counter() - start)
            pauses.inside = False
        warm_up.wait()
        if managed:
            time.sleep(heap.COLLECT_EVERY + 1)  # the collector's round after the last warm-up
    return {"frozen": gc.get_freeze_count(), "pauses": pauses.seen, "walls": walls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--store", help="a folder to keep the demo store in (imported on first use)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child == MODES[1], args.changes, args.store)))
        return
    store = args.store or str(Path(os.environ.get("TMPDIR", "/tmp")) / "heap-freeze-bench")
    found = {}
    for mode in MODES:
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--changes", str(args.changes), "--store", store],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found[mode] = json.loads(out.strip().splitlines()[-1])
    print(f"police period changes right after a store write, {args.changes} per mode (warm-ups between them)")
    print(
        f"{'mode':<9} {'frozen objects':>14}  full collections in reruns: n, longest, total;"
        "  all: n, total;  rerun wall median / longest"
    )
    for mode, run in found.items():
        inside = [took for took, was_inside in run["pauses"] if was_inside]
        every = [took for took, _ in run["pauses"]]
        walls = run["walls"]
        print(
            f"{mode:<9} {run['frozen']:>14,}  {len(inside):>3} {max(inside, default=0):6.3f} s {sum(inside):6.3f} s"
            f"  {len(every):>3} {sum(every):6.3f} s  {statistics.median(walls):.3f} s / {max(walls):.3f} s"
        )
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
