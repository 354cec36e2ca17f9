"""The Cell Key Method's perturbation tables and keys (layers/cellkey.py), checked against
independent oracles: brute force over the rows, a numerical maximum-entropy solution, and
the empirical frequencies of a fine grid of keys."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from layers.cellkey import KEY_SPACE, PTable, PTableSpec, cell_key, new_record_key
from layers.privacy import PTABLES, ptable_for

TABLES = list(PTABLES.values())


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.spec.name)
def test_rows_are_distributions_with_mean_zero_bounded_deviation_and_no_negative_count(table: PTable) -> None:
    big = table.spec.max_deviation
    assert table.row(0) == ((0, 1.0),)  # zero stays zero
    for n in range(1, 40):
        row = table.row(n)
        assert sum(p for _, p in row) == pytest.approx(1.0, abs=1e-12)
        assert table.mean(n) == pytest.approx(0.0, abs=1e-9)  # every total is unbiased
        assert all(abs(d) <= big and n + d >= 0 for d, _ in row)
        assert min(p for _, p in row) >= table.spec.p_min
        assert dict(row).get(-n, 0.0) == (pytest.approx(table.spec.p_zero) if n <= big else 0.0)
    assert table.variance(big + 1) == pytest.approx(table.spec.variance, abs=1e-9)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.spec.name)
def test_the_full_row_is_a_floor_plus_the_maximum_entropy_distribution(table: PTable) -> None:
    """Oracle: maximise entropy numerically under sum 1, mean 0 and the variance that the
    row has once the floor p_min is taken off every deviation."""
    big, floor = table.spec.max_deviation, table.spec.p_min
    d = np.arange(-big, big + 1)
    rest = np.array([p for _, p in table.row(big + 5)]) - floor
    var = float(rest @ (d * d) / rest.sum())
    cons = [
        {"type": "eq", "fun": lambda p: p.sum() - 1},
        {"type": "eq", "fun": lambda p: p @ d},
        {"type": "eq", "fun": lambda p: p @ (d * d) - var},
    ]
    res = minimize(
        lambda p: float(np.sum(p * np.log(p))),
        np.full(d.size, 1 / d.size),
        constraints=cons,
        bounds=[(1e-9, 1)] * d.size,
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert res.success
    assert np.allclose(rest / rest.sum(), res.x, atol=1e-5)
    assert table.variance(big + 5) == pytest.approx(table.spec.variance, abs=1e-9)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.spec.name)
def test_keys_pick_deviations_with_the_table_probabilities(table: PTable) -> None:
    grid = (np.arange(20_000) + 0.5) / 20_000
    for n in (0, 1, 2, 3, 4, 9, 30):
        got = np.array([table.perturb(n, k) - n for k in grid])
        for d, p in table.row(n):
            assert (got == d).mean() == pytest.approx(p, abs=1 / 20_000 + 1e-9)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.spec.name)
def test_every_released_value_leaves_at_least_three_possible_true_counts(table: PTable) -> None:
    """Brute force: for each released value, every true count whose row can produce it."""
    for released in range(0, 80):
        brute = [n for n in range(0, released + 20) if released in {n + d for d, _ in table.row(n)}]
        assert table.possible_counts(released) == brute
        assert len(brute) >= 3, (released, brute)


def test_person_linked_groups_deviate_further() -> None:
    assert ptable_for("disorder").spec.max_deviation > ptable_for("cleanliness").spec.max_deviation
    assert ptable_for("disorder").spec.variance > ptable_for("cleanliness").spec.variance


def test_cell_key_is_the_sum_of_record_keys_mod_one_whatever_the_order() -> None:
    keys = [new_record_key() for _ in range(50)]
    assert all(0 <= k < KEY_SPACE for k in keys)
    assert cell_key(keys) == cell_key(reversed(keys)) == (sum(keys) % KEY_SPACE) / KEY_SPACE
    assert cell_key([KEY_SPACE - 1, 1]) == 0.0 and cell_key([]) == 0.0
    assert len({new_record_key() for _ in range(1000)}) > 990  # random, not a counter


@pytest.mark.parametrize(
    "spec",
    [
        PTableSpec("x", 1, 0.5, 0.1),
        PTableSpec("x", 2, 3.0, 0.1),
        PTableSpec("x", 2, 1.0, 0.0),
        PTableSpec("x", 2, 1.0, 0.3, p_min=0.2),
    ],
)
def test_unusable_parameters_are_refused(spec: PTableSpec) -> None:
    with pytest.raises(ValueError):
        PTable.build(spec)
