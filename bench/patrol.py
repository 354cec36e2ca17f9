"""Patrol plans on the demo data: coverage of the shipped plan and its gap to the MILP optimum.

For each number of patrols and travel limit it prints the expected reports a week (from
the police's default forecast) the plan covers, the share of the shift's expected
reports, the proven best (MILP, HiGHS), the plan's share of that best, and the same for
the greedy fallback with its proven bound. Target: the shipped plan >= 95% of the
optimum. bench/forecast.py prints the same table after its back-test.

Then, per plan, the MILP's CPU time over every beat with a useful cell (the model before
19l) and over the beats no other beat dominates (the shipped model), their ratio in the
same run, and that both prove the same optimum.

    python bench/patrol.py [--shift 18 2] [--window 2]

The demo store is imported once into a temporary SQLite file (about 20 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from clustering.patrol_plan import _best_cells, _milp, _padded, _undominated, beats, greedy  # noqa: E402
from data.city_profile import profile  # noqa: E402
from data.store.db import make_engine, upgrade  # noqa: E402
from services import patrol, police  # noqa: E402
from services.clock import now  # noqa: E402
from services.demo import load_demo  # noqa: E402
from services.forecast import default_forecast  # noqa: E402


def plans(engine: Engine, shift: tuple[int, int] = (18, 2), window: int = 2) -> float:
    """Print the plan table on a loaded store; the worst plan / optimum ratio."""
    history = police.load(engine)
    forecast = default_forecast(engine, res=police.POLICE_RES, reports=history)
    print(
        f"patrol plans from the default forecast ({forecast.attrs['method']}), shift {shift[0]:02d}-{shift[1]:02d} h,"
        f" {window} h windows"
    )
    print(
        f"{'patrols':>7} {'beat km':>7} {'covered/wk':>10} {'share':>6} {'best':>7} {'of best':>7} "
        f"{'proved':>6} {'greedy of best':>14} {'greedy bound':>12} {'cpu s':>6}"
    )
    expected = patrol.expected_from_forecast(
        forecast, history, now=now(), weeks=8, cell_column="h3_r9", shift=shift, window_hours=window
    )
    cells = sorted(expected["cell"].unique())
    order = list(dict.fromkeys(expected["window"]))
    matrix = (
        expected.pivot_table(index="window", columns="cell", values="expected", aggfunc="sum")
        .reindex(index=order, columns=cells)
        .fillna(0.0)
        .to_numpy()
    )
    xy = patrol.cell_xy(cells, profile().metric_crs)
    worst = 1.0
    for patrols in (1, 2, 3, 5):
        for beat_km in (0.8, 1.5, 3.0):
            start = time.process_time()
            plan = patrol.suggest(
                history,
                now=now(),
                patrols=patrols,
                shift=shift,
                window_hours=window,
                beat_km=beat_km,
                forecast=forecast,
            )
            cpu = time.process_time() - start
            quick = greedy(matrix, xy, patrols=patrols, beat_km=beat_km)
            of_best = plan.of_best or 0.0
            worst = min(worst, of_best)
            print(
                f"{patrols:>7} {beat_km:>7.1f} {plan.covered:>10.2f} {plan.share:>6.1%} {plan.best:>7.2f} "
                f"{of_best:>7.1%} {str(plan.optimal):>6} {quick.value / plan.best:>14.1%} "
                f"{quick.value / quick.upper_bound:>12.1%} {cpu:>6.2f}"
            )
    print(f"worst plan / optimum: {worst:.1%} (target >= 95%)")
    dominated_beats(matrix, xy)
    return worst


def dominated_beats(matrix: np.ndarray, xy: np.ndarray) -> None:
    """Print the MILP's CPU over every useful beat against the undominated ones, per plan."""
    print(
        f"{'patrols':>7} {'beat km':>7} {'beats':>6} {'kept':>5} {'cpu all s':>9} {'cpu kept s':>10} {'ratio':>6}  same"
    )
    for patrols in (1, 2, 3, 5):
        for beat_km in (0.8, 1.5, 3.0):
            reach = beats(xy, beat_km)
            best = _best_cells(matrix, _padded(reach, matrix.shape[1]), patrols)
            every = np.flatnonzero((best >= 0).any(axis=(0, 2)))
            start = time.process_time()
            full = _milp(matrix, best, every, patrols=patrols, time_limit=60.0)
            middle = time.process_time()
            kept = _undominated(best, reach, matrix.shape[1])
            fast = _milp(matrix, best, kept, patrols=patrols, time_limit=60.0)
            end = time.process_time()
            same = full is not None and fast is not None and abs(full[1] - fast[1]) <= 1e-6 * max(1.0, full[1])
            print(
                f"{patrols:>7} {beat_km:>7.1f} {len(every):>6} {len(kept):>5} {middle - start:>9.3f} "
                f"{end - middle:>10.3f} {(middle - start) / max(end - middle, 1e-9):>6.1f}  {same}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shift", nargs=2, type=int, default=(18, 2))
    parser.add_argument("--window", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("HOTSPOTS_SALT_FILE", str(Path(folder) / "salt.key"))
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        upgrade(engine)
        load_demo(engine)
        plans(engine, tuple(args.shift), args.window)


if __name__ == "__main__":
    main()
