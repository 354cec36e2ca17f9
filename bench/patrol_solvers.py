"""Solver times of the police page's patrol plan and patrol areas on the demo data.

For several plans (patrols x shift x window) and every number of patrol areas (2..8) it
prints the seconds, the value and whether the optimum is proved, so a change to the solvers
shows its speed and that the answer stayed the best (tests/test_patrol_plan.py checks the
optimum against brute force on small cases). Target: each well under a second.

    python bench/patrol_solvers.py

The demo store is imported once into a temporary SQLite file (about half a minute).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.store.db import make_engine, upgrade  # noqa: E402
from services import patrol, police  # noqa: E402
from services.clock import now  # noqa: E402
from services.demo import load_demo  # noqa: E402

PLANS = [(2, (18, 24), 2), (3, (18, 24), 2), (2, (18, 24), 3), (2, (22, 6), 1), (5, (8, 20), 1)]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/solvers.db"
        os.environ |= {"DATABASE_URL": url, "HOTSPOTS_SALT_FILE": f"{folder}/salt.key", "HOTSPOTS_MODE": "demo"}
        engine = make_engine(url)
        upgrade(engine)
        load_demo(engine)
        history = police.load(engine)
        forecast = police.period_forecast(engine, role="police", history=history)
        print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"{'patrol plan':<32} {'seconds':>8} {'covered':>9} {'optimal':>8}")
        for patrols, shift, hours in PLANS:
            start = time.perf_counter()
            plan = patrol.suggest(
                history, now=now(), patrols=patrols, shift=shift, window_hours=hours, forecast=forecast
            )
            took = time.perf_counter() - start
            what = f"{patrols} patrols, {shift[0]:02d}-{shift[1]:02d} h, {hours} h windows"
            print(f"{what:<32} {took:8.2f} {plan.covered:9.3f} {plan.optimal!s:>8}")
        print(f"{'patrol areas':<32} {'seconds':>8} {'cells':>9}")
        for areas in range(2, 9):
            start = time.perf_counter()
            split = patrol.balanced_areas(history, now=now(), areas=areas)
            took = time.perf_counter() - start
            print(f"{areas} areas{'':<24} {took:8.2f} {'none' if split is None else len(split.cells):>9}")


if __name__ == "__main__":
    main()
