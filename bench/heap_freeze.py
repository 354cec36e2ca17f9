"""The police page's cold period changes with and without the start-up objects frozen
(ui/heap.py): the full garbage collections that fall in the run, their longest and total
pause, and the reruns' wall times (median and longest).

Each mode runs in a process of its own on the same demo store: a frozen heap cannot be
thawed back into the state it had. Each change is to another period right after a write
that moves the store's version, once the previous version's warm-up has finished (as
``bench/police_cold.py``). The warm-up's own collections count too: they hold the
interpreter as long, whichever thread set them off.

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

from bench.pages import by_label, demo_store, load_average, open_page, touch_store
from services import police
from ui import heap, warm_up


class Pauses:
    """Every collection's generation and pause (gc.callbacks), from `start()` on."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, float]] = []
        self._began = 0.0
        self._on = False

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        elif self._on:
            self.seen.append((info["generation"], time.perf_counter() - self._began))

    def start(self) -> None:
        self._on = True

    def full(self) -> list[float]:
        return [took for generation, took in self.seen if generation == 2]


def child(freeze: bool, changes: int, store: str) -> dict[str, object]:
    """One mode's run: the page opened, then `changes` cold period changes, timed."""
    if not freeze:
        heap.freeze_startup = lambda: 0  # app.py looks it up on every run
    pauses = Pauses()
    gc.callbacks.append(pauses)
    with demo_store(store, "freeze.db") as engine:
        at = open_page(engine, "police")
        pauses.start()
        periods = [p for p in police.PERIODS if p != police.DEFAULT_PERIOD] + [police.DEFAULT_PERIOD]
        walls = []
        for i in range(changes):
            warm_up.wait()
            touch_store(engine)
            start = time.perf_counter()
            by_label(at.selectbox, "police_period.label").set_value(periods[i % len(periods)]).run()
            walls.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        warm_up.wait()
    full = pauses.full()
    return {"frozen": gc.get_freeze_count(), "full": full, "walls": walls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--store", help="a folder to keep the demo store in (imported on first use)")
    parser.add_argument("--child", choices=["frozen", "unfrozen"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child == "frozen", args.changes, args.store)))
        return
    store = args.store or str(Path(os.environ.get("TMPDIR", "/tmp")) / "heap-freeze-bench")
    found = {}
    for mode in ("unfrozen", "frozen"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--changes", str(args.changes), "--store", store],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found[mode] = json.loads(out.strip().splitlines()[-1])
    print(f"police period changes right after a store write, {args.changes} per mode (warm-ups between them)")
    print(
        f"{'mode':<9} {'frozen objects':>14} {'full collections':>16} {'longest':>8} {'total':>7}  rerun wall median / longest"
    )
    for mode, run in found.items():
        full, walls = run["full"], run["walls"]
        print(
            f"{mode:<9} {run['frozen']:>14,} {len(full):>16} {max(full, default=0):7.3f}s {sum(full):6.3f}s"
            f"  {statistics.median(walls):.3f} s / {max(walls):.3f} s"
        )
    longest = {mode: max(run["full"], default=0.0) for mode, run in found.items()}
    if longest["frozen"]:
        print(f"longest full collection, unfrozen / frozen: {longest['unfrozen'] / longest['frozen']:.1f}x")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
