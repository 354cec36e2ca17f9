"""The patrol plan optimiser: exact on small grids (against every possible plan), bounded greedy."""

from __future__ import annotations

import numpy as np
import pytest

from clustering.patrol_plan import balanced_areas, beats, exhaustive, greedy, plan


def _case(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    n, windows, patrols = int(rng.integers(3, 7)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
    xy = rng.uniform(0, 2000, (n, 2))
    expected = rng.poisson(1.5, (windows, n)) * rng.uniform(0.5, 1.5, (windows, n))
    return expected, xy, patrols


@pytest.mark.parametrize("seed", range(25))
def test_milp_plan_equals_the_exhaustive_optimum(seed: int) -> None:
    expected, xy, patrols = _case(seed)
    best = exhaustive(expected, xy, patrols=patrols, beat_km=1.2)
    solved = plan(expected, xy, patrols=patrols, beat_km=1.2)
    assert solved.value == pytest.approx(best)
    assert solved.gap == pytest.approx(0.0, abs=1e-6)
    # the visits are a real plan: one cell per patrol and window, inside the patrol's beat
    reach = beats(xy, 1.2)
    for patrol in {p for _, _, p in solved.visits}:
        cells = [c for _, c, p in solved.visits if p == patrol]
        windows = [w for w, _, p in solved.visits if p == patrol]
        assert len(windows) == len(set(windows))
        assert any(set(cells) <= set(reach[a]) for a in range(len(xy)))
    covered = {(w, c) for w, c, _ in solved.visits}
    assert sum(expected[w, c] for w, c in covered) == pytest.approx(solved.value)


@pytest.mark.parametrize("seed", range(25))
def test_greedy_is_feasible_and_its_bound_holds(seed: int) -> None:
    expected, xy, patrols = _case(seed)
    best = exhaustive(expected, xy, patrols=patrols, beat_km=1.2)
    quick = greedy(expected, xy, patrols=patrols, beat_km=1.2)
    assert quick.value <= best + 1e-9
    assert quick.upper_bound >= best - 1e-9
    assert quick.value >= (1 - 1 / np.e) * best - 1e-9


def test_travel_limit_keeps_a_patrol_out_of_far_cells() -> None:
    # two hot cells 5 km apart: one patrol with a 1 km limit covers only one of them per window
    expected = np.array([[4.0, 3.0], [1.0, 5.0]])
    xy = np.array([[0.0, 0.0], [5000.0, 0.0]])
    solved = plan(expected, xy, patrols=1, beat_km=1.0)
    assert solved.value == pytest.approx(8.0)  # cell 1 in both windows, not 4 + 5
    assert {c for _, c, _ in solved.visits} == {1}
    assert plan(expected, xy, patrols=1, beat_km=10.0).value == pytest.approx(9.0)


def test_balanced_areas_split_the_workload_within_the_tolerance() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 3000, (24, 2))
    workload = rng.poisson(4, 24).astype(float) + 1
    centre = balanced_areas(workload, xy, areas=3, tolerance=0.2)
    assert centre is not None and len(set(centre)) == 3
    mean = workload.sum() / 3
    for c in set(centre):
        assert 0.8 * mean - 1e-6 <= workload[centre == c].sum() <= 1.2 * mean + 1e-6


def test_no_cell_in_the_shift_gives_an_empty_plan_not_an_error() -> None:
    # a city whose reports fall outside the chosen shift: the page must show an empty plan
    empty = plan(np.zeros((3, 0)), np.zeros((0, 2)), patrols=2, beat_km=1.5)
    assert empty.visits == [] and empty.value == 0.0


@pytest.mark.parametrize("seed", range(12))
def test_milp_plan_with_crowded_beats_equals_the_exhaustive_optimum(seed: int) -> None:
    # wide beats over many busy cells: the solver keeps only each beat's best cells per window
    rng = np.random.default_rng(100 + seed)
    n, windows, patrols = int(rng.integers(5, 8)), int(rng.integers(1, 3)), int(rng.integers(1, 4))
    xy = rng.uniform(0, 1500, (n, 2))
    expected = rng.poisson(2.0, (windows, n)) * rng.uniform(0.5, 1.5, (windows, n))
    solved = plan(expected, xy, patrols=patrols, beat_km=2.0)
    assert solved.value == pytest.approx(exhaustive(expected, xy, patrols=patrols, beat_km=2.0))
    assert solved.optimal


def _best_split(workload: np.ndarray, xy: np.ndarray, areas: int, tolerance: float) -> float:
    """The least workload-weighted distance over every choice of centres and assignment (oracle)."""
    from itertools import combinations, product

    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    n, mean = len(workload), workload.sum() / areas
    choices = np.array(list(product(range(areas), repeat=n)))  # cell -> which chosen centre
    best = np.inf
    for centres in combinations(range(n), areas):
        chosen = np.asarray(centres)[choices]
        loads = np.stack([(workload * (choices == k)).sum(axis=1) for k in range(areas)], axis=1)
        fits = ((loads >= (1 - tolerance) * mean - 1e-9) & (loads <= (1 + tolerance) * mean + 1e-9)).all(axis=1)
        if fits.any():
            cost = (workload * distance[np.arange(n), chosen]).sum(axis=1)
            best = min(best, float(cost[fits].min()))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_balanced_areas_are_the_best_split(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n, areas = int(rng.integers(5, 8)), int(rng.integers(2, 4))
    xy = rng.uniform(0, 3000, (n, 2))
    workload = rng.poisson(4, n).astype(float) + 1
    best = _best_split(workload, xy, areas, 0.3)
    centre = balanced_areas(workload, xy, areas=areas, tolerance=0.3)
    if not np.isfinite(best):
        assert centre is None
        return
    assert centre is not None and len(set(centre)) == areas
    distance = np.hypot(*(xy - xy[centre]).T)
    assert float((workload * distance).sum()) == pytest.approx(best)


@pytest.mark.parametrize("seed", range(10))
def test_milp_plan_without_dominated_beats_equals_the_exhaustive_optimum(seed: int) -> None:
    # clustered busy cells with a few far ones: many beats name best cells that a neighbouring beat
    # holds too, so the solver drops them; the optimum must not move
    from clustering.patrol_plan import _best_cells, _padded, _undominated

    rng = np.random.default_rng(300 + seed)
    n, windows, patrols = 10, int(rng.integers(2, 4)), int(rng.integers(1, 3))
    xy = np.vstack([rng.normal(600, 250, (7, 2)), rng.uniform(0, 3000, (3, 2))])
    expected = rng.poisson(1.2, (windows, n)) * rng.uniform(0.5, 1.5, (windows, n))
    reach = beats(xy, 1.0)
    kept = _undominated(_best_cells(expected, _padded(reach, n), patrols), reach, n)
    assert len(kept) < n  # the reduction is exercised
    solved = plan(expected, xy, patrols=patrols, beat_km=1.0)
    assert solved.value == pytest.approx(exhaustive(expected, xy, patrols=patrols, beat_km=1.0))
    assert solved.optimal
