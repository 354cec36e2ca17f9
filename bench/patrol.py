"""Patrol plans on the demo data: coverage of the shipped plan and its gap to the MILP optimum.

For each number of patrols and travel limit it prints the expected reports a week the
plan covers, the share of the shift's expected reports, the proven best (MILP, HiGHS),
the plan's share of that best, and the same for the greedy fallback with its proven
bound. Target: the shipped plan >= 95% of the optimum.

    python bench/patrol.py [--shift 18 2] [--window 2]

The demo store is imported once into a temporary SQLite file (about 20 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clustering.patrol_plan import greedy  # noqa: E402
from data.store.db import make_engine, upgrade  # noqa: E402
from services import patrol, police  # noqa: E402
from services.clock import now  # noqa: E402
from services.demo import load_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shift", nargs=2, type=int, default=(18, 2))
    parser.add_argument("--window", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        upgrade(engine)
        load_demo(engine)
        history = police.load(engine)
        print(f"{'patrols':>7} {'beat km':>7} {'covered/wk':>10} {'share':>6} {'best':>7} {'of best':>7} "
              f"{'proved':>6} {'greedy of best':>14} {'greedy bound':>12} {'cpu s':>6}")
        worst = 1.0
        for patrols in (1, 2, 3, 5):
            for beat_km in (0.8, 1.5, 3.0):
                start = time.process_time()
                plan = patrol.suggest(history, now=now(), patrols=patrols, shift=tuple(args.shift),
                                      window_hours=args.window, beat_km=beat_km)
                cpu = time.process_time() - start
                expected = patrol.expected_by_window(history, now=now(), weeks=8, cell_column="h3_r9",
                                                     shift=tuple(args.shift), window_hours=args.window)
                cells = sorted(expected["cell"].unique())
                order = list(dict.fromkeys(expected["window"]))
                matrix = (expected.pivot_table(index="window", columns="cell", values="expected", aggfunc="sum")
                          .reindex(index=order, columns=cells).fillna(0.0).to_numpy())
                quick = greedy(matrix, patrol.cell_xy(cells, patrol.METRIC_CRS), patrols=patrols, beat_km=beat_km)
                of_best = plan.of_best or 0.0
                worst = min(worst, of_best)
                print(f"{patrols:>7} {beat_km:>7.1f} {plan.covered:>10.2f} {plan.share:>6.1%} {plan.best:>7.2f} "
                      f"{of_best:>7.1%} {str(plan.optimal):>6} {quick.value / plan.best:>14.1%} "
                      f"{quick.value / quick.upper_bound:>12.1%} {cpu:>6.2f}")
        print(f"worst plan / optimum: {worst:.1%} (target >= 95%)")


if __name__ == "__main__":
    main()
