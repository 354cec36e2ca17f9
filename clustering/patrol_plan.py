"""The best patrol plan under a travel model, solved exactly (MILP) with a greedy fallback.

Given the expected reports e[w, c] of every cell c in every time window w of a shift, N
patrols each visit at most one cell per window. The travel model: each patrol works a
beat, the cells within `beat_km / 2` of a centre cell (metric CRS), so any two cells of one
patrol lie within `beat_km` of each other. The plan maximises the expected reports
covered; a cell visited by two patrols in one window counts once.

MILP (scipy.optimize.milp, HiGHS): z[a] in {0..N} patrols on the beat centred at a,
x[w, a, c] >= 0 the patrols of beat a in cell c during window w, y[w, c] in [0, 1] covered:

    max  sum e[w,c] y[w,c]
    s.t. sum_a z[a] <= N;  sum_c x[w,a,c] <= z[a];  y[w,c] <= sum_a x[w,a,c]

For integer z each window is a transportation problem (totally unimodular), so x and y
need not be integer; the cells of each patrol are then read off by an assignment
(scipy.optimize.linear_sum_assignment), which attains the same value.

The greedy adds one patrol at a time, each the best single patrol given the others. The
coverage is monotone submodular in the set of patrols, so the greedy reaches at least
1 - (1 - 1/N)^N >= 1 - 1/e of the optimum (Nemhauser, Wolsey & Fisher 1978): its bound is
greedy / that factor. `plan` reports the value, the best known upper bound and the gap.

Workload-balanced patrol areas (`balanced_areas`) are Wheeler's p-median with workload
limits (A. P. Wheeler 2019, "Creating optimal patrol areas using the P-median model",
Policing 42(3); crimepy's `pmed`): choose N centres minimising the workload-weighted
distance, every cell assigned to one centre, each area's workload within a tolerance of
the mean.

>>> import numpy as np
>>> e = np.array([[5.0, 1.0, 4.0], [0.0, 3.0, 2.0]])    # 2 windows x 3 cells
>>> xy = np.array([[0.0, 0.0], [300.0, 0.0], [5000.0, 0.0]])
>>> result = plan(e, xy, patrols=1, beat_km=1.0)
>>> result.value, result.optimal
(8.0, True)
>>> [(w, c) for w, c, _ in result.visits]
[(0, 0), (1, 1)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp
from scipy.sparse import coo_array, csr_array, hstack, identity, kron, vstack
from scipy.spatial import cKDTree

__all__ = ["Plan", "balanced_areas", "beats", "exhaustive", "greedy", "plan"]


@dataclass(frozen=True)
class Plan:
    """A solved plan: visits (window, cell, patrol) and how good it provably is."""

    visits: list[tuple[int, int, int]]  # (window index, cell index, patrol number from 1)
    value: float  # expected reports covered
    upper_bound: float  # no plan under the same constraints covers more
    method: str  # "milp" or "greedy"
    optimal: bool
    centres: list[int] = field(default_factory=list)  # beat centre (cell index) per patrol

    @property
    def gap(self) -> float:
        """Share of the best possible coverage this plan may miss (0 when proved optimal)."""
        return 0.0 if self.upper_bound <= 0 else max(0.0, 1.0 - self.value / self.upper_bound)


def beats(xy: np.ndarray, beat_km: float) -> list[np.ndarray]:
    """For each cell as a centre, the cells within beat_km / 2 of it (metres in xy)."""
    tree = cKDTree(xy)
    found = tree.query_ball_point(xy, beat_km * 500.0 + 1e-6, return_sorted=True)
    return [np.asarray(ids, dtype=int) for ids in found]


def greedy(expected: np.ndarray, xy: np.ndarray, *, patrols: int, beat_km: float) -> Plan:
    """One patrol at a time, each the best beat and cells given the patrols before it."""
    return _greedy(np.asarray(expected, dtype=float), beats(xy, beat_km), patrols)


def _greedy(expected: np.ndarray, reach: list[np.ndarray], patrols: int) -> Plan:
    """:func:`greedy` for beats found already (every beat's gain in one array operation)."""
    e = expected.copy()
    padded = _padded(reach, e.shape[1])
    visits: list[tuple[int, int, int]] = []
    centres: list[int] = []
    value = 0.0
    for patrol in range(1, patrols + 1):
        # per beat: the sum over windows of its best cell (each beat holds its centre, so never empty)
        gains = _beat_max(e, padded).clip(min=0).T.copy().sum(axis=1) if len(reach) else np.zeros(0)
        if not len(gains) or gains.max() <= 0:  # no cell at all (nothing expected in the shift), or nothing left
            break
        centre = int(np.argmax(gains))
        centres.append(centre)
        for w in range(e.shape[0]):
            cells = reach[centre]
            best = int(cells[np.argmax(e[w, cells])])
            if e[w, best] > 0:
                visits.append((w, best, patrol))
                value += e[w, best]
                e[w, best] = 0.0
    factor = 1.0 - (1.0 - 1.0 / patrols) ** patrols if patrols > 0 else 1.0
    return Plan(sorted(visits), float(value), float(value / factor) if value else 0.0, "greedy", False, centres)


def _padded(reach: list[np.ndarray], n: int) -> np.ndarray:
    """The beats as one (beats, widest beat) array of cell indices, each row ascending, padded with
    ``n`` (a column of -inf appended to the expected reports): array operations over every beat."""
    width = max((len(r) for r in reach), default=0)
    out = np.full((len(reach), width), n, dtype=np.int64)
    for a, cells in enumerate(reach):
        out[a, : len(cells)] = cells
    return out


def _with_pad(e: np.ndarray) -> np.ndarray:
    return np.hstack([e, np.full((e.shape[0], 1), -np.inf)])


def _beat_max(e: np.ndarray, padded: np.ndarray) -> np.ndarray:
    """(windows, beats): the most expected reports of any cell of each beat in each window."""
    return _with_pad(e)[:, padded].max(axis=2)


def plan(expected: np.ndarray, xy: np.ndarray, *, patrols: int, beat_km: float, time_limit: float = 20.0) -> Plan:
    """The optimal plan by MILP; the greedy (with its proven bound) if the solver gives none."""
    e = np.asarray(expected, dtype=float)
    reach = beats(xy, beat_km) if len(xy) else []
    first = _greedy(e, reach, patrols)
    if patrols <= 0 or first.value == 0.0:
        return first
    best = _best_cells(e, _padded(reach, e.shape[1]), patrols)
    solved = _milp(e, best, _undominated(best, reach, e.shape[1]), patrols=patrols, time_limit=time_limit)
    if solved is None:
        return first
    z, bound, optimal = solved
    result = _assign(e, reach, z, patrols)
    if result.value + 1e-9 < first.value:  # a time-limited incumbent worse than the greedy
        return Plan(first.visits, first.value, min(first.upper_bound, bound), "greedy", False, first.centres)
    return Plan(result.visits, result.value, max(bound, result.value), "milp", optimal, result.centres)


def _milp(
    e: np.ndarray, best: np.ndarray, centres: np.ndarray, *, patrols: int, time_limit: float
) -> tuple[dict[int, int], float, bool] | None:
    """The MILP over the beats centred at ``centres``, each with its best cells per window
    (``best``, see :func:`_best_cells`): z, then x per (window, beat, cell), then y per (window, cell)."""
    n_z = len(centres)
    chosen = best[:, centres, :]  # (windows, beats, patrols), -1 where a beat has fewer useful cells
    w_of, z_of, _ = np.nonzero(chosen >= 0)  # row-major: window, then beat, then its cells in order
    c_of = chosen[chosen >= 0]
    n_x = len(c_of)
    pair = w_of * e.shape[1] + c_of
    y_pairs, y_of = np.unique(pair, return_inverse=True)  # y in (window, cell) order
    n_y = len(y_pairs)
    y_w, y_c = np.divmod(y_pairs, e.shape[1])
    n = n_z + n_x + n_y
    cost = np.zeros(n)
    cost[n_z + n_x :] = -e[y_w, y_c]
    beat_key = w_of * max(n_z, 1) + z_of  # one "patrols of beat a in window w" row per (w, a) with cells
    beat_keys, beat_of = np.unique(beat_key, return_inverse=True)
    n_beat = len(beat_keys)
    x_cols = n_z + np.arange(n_x)
    rows = np.concatenate(
        [
            np.zeros(n_z, dtype=np.int64),  # sum_a z[a] <= N
            1 + np.arange(n_beat),  # - z[a] ...
            1 + beat_of,  # ... + sum_c x[w, a, c] <= 0
            1 + n_beat + np.arange(n_y),  # y[w, c] ...
            1 + n_beat + y_of,  # ... - sum_a x[w, a, c] <= 0
        ]
    )
    cols = np.concatenate([np.arange(n_z), beat_keys % max(n_z, 1), x_cols, n_z + n_x + np.arange(n_y), x_cols])
    vals = np.concatenate([np.ones(n_z), -np.ones(n_beat), np.ones(n_x), np.ones(n_y), -np.ones(n_x)])
    upper = np.concatenate([[float(patrols)], np.zeros(n_beat + n_y)])
    matrix = coo_array((vals, (rows, cols)), shape=(1 + n_beat + n_y, n)).tocsr()
    upper_bounds = np.concatenate([np.full(n_z, float(patrols)), np.full(n_x, float(patrols)), np.ones(n_y)])
    integrality = np.concatenate([np.ones(n_z), np.zeros(n_x + n_y)])
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, -np.inf, upper),
        bounds=Bounds(np.zeros(n), upper_bounds),
        integrality=integrality,
        options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
    )
    if result.x is None:
        return None
    z = {int(a): int(round(result.x[i])) for i, a in enumerate(centres) if round(result.x[i]) > 0}
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and math.isfinite(dual) else -float(result.fun)
    return z, bound, result.status == 0


def _best_cells(e: np.ndarray, padded: np.ndarray, patrols: int) -> np.ndarray:
    """(windows, beats, patrols): the `patrols` cells of each beat with most expected reports in
    each window (those above 0, ascending; -1 fills the rest). Ties go to the lower cell index.

    Only these need a variable: in an optimal plan a patrol of the beat in a cell outside them
    can move to one of them that no other patrol covers (the other N - 1 patrols cover at most
    N - 1 of the N), which covers at least as much. So the optimum is the same, with some
    patrols x fewer variables than the whole beat (the solver's time falls accordingly)."""
    values = _with_pad(e)[:, padded]  # (windows, beats, width); the pad is -inf
    k = min(patrols, padded.shape[1])
    order = np.argsort(-values, axis=2, kind="stable")[:, :, :k]  # rows ascend: ties to the lower index
    top = np.take_along_axis(padded[None, :, :].repeat(e.shape[0], axis=0), order, axis=2)
    keep = np.take_along_axis(values, order, axis=2) > 0
    return np.sort(np.where(keep, top, -1), axis=2)  # -1 first, then ascending cells


def _undominated(best: np.ndarray, reach: list[np.ndarray], n: int) -> np.ndarray:
    """The beats the MILP needs: those with a useful cell, less every beat dominated by another.

    A beat a is dominated by a beat b when b's area holds every cell that a's best cells
    (:func:`_best_cells`, any window) name: a patrol of a can then work beat b in the same
    cells, and (by the exchange argument of :func:`_best_cells`) an optimal plan without beat a
    exists. Dropping one dominated beat at a time, each while its dominator is still in, keeps
    the optimum; on the demo data about 6 in 7 beats go, and the solver's time with them."""
    per_beat = best.transpose(1, 0, 2)  # (beats, windows, patrols)
    named = csr_array(
        (np.ones(int((per_beat >= 0).sum())), (np.nonzero(per_beat >= 0)[0], per_beat[per_beat >= 0])),
        shape=(len(reach), n),
    )
    named.sum_duplicates()
    named.data[:] = 1.0  # a cell named in several windows counts once
    area = csr_array(
        (np.ones(sum(len(r) for r in reach)), np.concatenate(reach), np.cumsum([0, *map(len, reach)])),
        shape=(len(reach), n),
    )
    inside = (named @ area.T).tocsr()  # [a, b]: how many of beat a's best cells lie in beat b
    size = np.asarray(named.sum(axis=1)).ravel()
    kept = size > 0
    for a in np.flatnonzero(kept):
        row = slice(inside.indptr[a], inside.indptr[a + 1])
        others = inside.indices[row][(inside.data[row] >= size[a] - 0.5) & (inside.indices[row] != a)]
        if kept[others].any():
            kept[a] = False
    return np.flatnonzero(kept)


def _assign(e: np.ndarray, reach: list[np.ndarray], z: dict[int, int], patrols: int) -> Plan:
    """Cells of each patrol per window for fixed beats: a maximum-weight assignment."""
    slots = [a for a in sorted(z) for _ in range(z[a])][:patrols]
    visits: list[tuple[int, int, int]] = []
    value = 0.0
    for w in range(e.shape[0]):
        weights = np.zeros((len(slots), e.shape[1]))
        for s, a in enumerate(slots):
            weights[s, reach[a]] = e[w, reach[a]]
        rows, cols = linear_sum_assignment(weights, maximize=True)
        for s, c in zip(rows, cols, strict=True):
            if weights[s, c] > 0:
                visits.append((w, int(c), s + 1))
                value += float(weights[s, c])
    return Plan(sorted(visits), value, value, "milp", True, slots)


def exhaustive(expected: np.ndarray, xy: np.ndarray, *, patrols: int, beat_km: float) -> float:
    """The best coverage by trying every plan: the test oracle for tiny cases only."""
    from itertools import combinations_with_replacement, product

    e = np.asarray(expected, dtype=float)
    reach = beats(xy, beat_km)
    best = 0.0
    for chosen in combinations_with_replacement(range(len(xy)), patrols):
        total = 0.0
        for w in range(e.shape[0]):
            options = [[None, *reach[a]] for a in chosen]
            total += max(sum(e[w, c] for c in {c for c in pick if c is not None}) for pick in product(*options))
        best = max(best, total)
    return best


def balanced_areas(
    workload: np.ndarray, xy: np.ndarray, *, areas: int, tolerance: float = 0.25, time_limit: float = 20.0
) -> np.ndarray | None:
    """Patrol areas by Wheeler's p-median with workload limits: the centre index per cell.

    Minimises sum workload[c] * distance(c, centre(c)) with `areas` centres, each area's
    workload within (1 +- tolerance) x the mean. None if no such split exists in time.

    Solved exactly, faster by reduced-cost fixing: the LP relaxation bounds every plan, and
    a plan using an assignment whose LP reduced cost lifts that bound above a known plan's
    cost (the best split around the LP's most open centres) cannot be optimal, so the MILP
    runs without those assignments and finds the same optimum.
    """
    w = np.asarray(workload, dtype=float)
    n = len(w)
    if areas <= 0 or areas > n:
        return None
    model = _pmedian_model(w, xy, areas=areas, tolerance=tolerance)
    relaxed = linprog(
        model.cost,
        A_ub=model.below,
        b_ub=model.limit,
        A_eq=model.equal,
        b_eq=model.total,
        bounds=(0, 1),
        method="highs",
    )
    if relaxed.status == 2:  # infeasible even fractionally: no split within the tolerance
        return None
    keep = np.ones(len(model.cost))
    if relaxed.status == 0:
        likely = np.argsort(-relaxed.x[n * n :], kind="stable")[:areas]
        known = _solve_pmedian(model, _only_centres(n, likely), time_limit / 4)
        if known is not None:
            slack = 1e-7 * max(1.0, abs(known.fun))
            keep = (relaxed.fun + relaxed.lower.marginals <= known.fun + slack).astype(float)
    result = _solve_pmedian(model, keep, time_limit)
    if result is None:
        return None
    return result.x[: n * n].reshape(n, n).argmax(axis=1)


@dataclass(frozen=True)
class _PMedian:
    """The p-median with workload limits as matrices: x[i, j] (cell i to centre j, row-major)
    then open[j]; equal rows (one area per cell, `areas` centres) and at-most rows."""

    cost: np.ndarray
    equal: csr_array
    total: np.ndarray
    below: csr_array
    limit: np.ndarray


def _pmedian_model(w: np.ndarray, xy: np.ndarray, *, areas: int, tolerance: float) -> _PMedian:
    n = len(w)
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    cost = np.concatenate([(w[:, None] * distance).ravel(), np.zeros(n)])
    one = identity(n, format="csr")
    row = csr_array(np.ones((1, n)))
    load = kron(csr_array(w[None, :]), one)  # row j: the workload assigned to centre j
    mean = w.sum() / areas
    equal = vstack([hstack([kron(one, row), csr_array((n, n))]), hstack([csr_array((1, n * n)), row])])
    below = vstack(
        [
            hstack([load, -(1 + tolerance) * mean * one]),  # an open area's workload at most (1 + t) mean
            hstack([-load, (1 - tolerance) * mean * one]),  # ... and at least (1 - t) mean
            hstack([identity(n * n), -kron(row.T, one)]),  # a cell only to an open centre
        ]
    )
    return _PMedian(cost, equal.tocsr(), np.concatenate([np.ones(n), [areas]]), below.tocsr(), np.zeros(below.shape[0]))


def _only_centres(n: int, centres: np.ndarray) -> np.ndarray:
    """Upper bounds letting only `centres` open (and cells go only to them)."""
    upper = np.zeros(n * n + n)
    upper[n * n + centres] = 1.0
    upper[: n * n].reshape(n, n)[:, centres] = 1.0
    return upper


def _solve_pmedian(model: _PMedian, upper: np.ndarray, time_limit: float):  # type: ignore[no-untyped-def]
    """The MILP with variables bounded by `upper` (0 leaves one out); None without a solution."""
    result = milp(
        model.cost,
        constraints=[
            LinearConstraint(model.equal, model.total, model.total),
            LinearConstraint(model.below, -np.inf, model.limit),
        ],
        bounds=Bounds(0, upper),
        integrality=np.ones(len(model.cost)),
        options={"time_limit": time_limit},
    )
    return None if result.x is None else result
