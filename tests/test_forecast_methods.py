"""Each forecast method on a small fixture worked out by hand; PEI* against brute force.

The fixture: three cells in a row, 300 m apart (one cell spacing), the cutoff on
day 100 and a 7-day horizon. Reports (cell, day): a on days 20, 95, 96; b on 98;
c on 10 (too old for anything but the long run).
"""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from clustering.evaluation import backtest, brier_skill, choose_winner, fold_scores, pei_star, poisson_loglik, summarise
from clustering.forecast import METHODS, forecast
from clustering.forecast import sepp as sepp_module
from clustering.forecast.aoristic import share_in
from clustering.forecast.events import Events, Grid, day_start, prepare_events

GRID = Grid(
    pd.Index(["a", "b", "c"], name="cell"), np.array([[0.0, 0.0], [300.0, 0.0], [600.0, 0.0]]), 9, "EPSG:32636", 300.0
)
CELL = np.array([0, 0, 0, 1, 2])
DAY = np.array([20.0, 95.0, 96.0, 98.0, 10.0])


def _events(start=DAY, end=None, cell=CELL) -> Events:
    xy = GRID.xy[cell]
    return Events(xy, cell, start, start if end is None else end)


def test_naive_counts_the_last_horizon():
    assert forecast("naive", _events(), GRID, 100.0, 7.0).tolist() == [2.0, 1.0, 0.0]


def test_long_run_is_a_rate():
    # 100 days back: a has 3, b 1, c 1; over 7 days that is 0.21, 0.07, 0.07
    got = forecast("long_run", _events(), GRID, 100.0, 7.0, lookback_days=100.0)
    assert got.to_numpy() == pytest.approx([0.21, 0.07, 0.07])


def test_kde_spreads_with_the_quartic_kernel():
    # bandwidth 450 m, the 10 days before the cutoff: a's two reports and b's one.
    # Quartic weight (1 - (d/h)^2)^2 at d = 0, 300, 600: 1, 25/81, 0.
    raw = np.array([2 + 25 / 81, 2 * 25 / 81 + 1, 25 / 81])
    got = forecast("kde", _events(), GRID, 100.0, 7.0, lookback_days=10.0, bandwidth_m=450.0).to_numpy()
    assert got == pytest.approx(raw / raw.sum() * 3 / 10 * 7)


def test_gistar_ring_means():
    # k = 1 rings on the three cells: a-b-c is not an H3 lattice, so use real cells
    import h3

    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    cells = [centre, *sorted(h3.grid_ring(centre, 1))]
    grid = Grid.from_cells(cells, 9, "EPSG:32636")
    ev = Events(grid.xy[[1, 1]], np.array([1, 1]), np.array([90.0, 91.0]), np.array([90.0, 91.0]))
    got = forecast("gistar", ev, grid, 100.0, 28.0, lookback_days=28.0).to_numpy()
    # cell 1 has 2 reports; the centre's ring holds all 7 cells, cell 1's ring holds the centre,
    # itself and its two ring neighbours (4 cells); a ring cell not touching cell 1 sees 0.
    assert got[0] == pytest.approx(2 / 7) and got[1] == pytest.approx(2 / 4)
    touching = [i for i, c in enumerate(cells) if i > 1 and h3.grid_distance(c, cells[1]) == 1]
    far = [i for i in range(2, 7) if i not in touching]
    assert all(got[i] == pytest.approx(2 / 4) for i in touching) and all(got[i] == 0 for i in far)


def test_prospective_bowers_weights():
    # Weeks before day 100: 95 and 96 are week 0 (weight 1), 98 is week 0, 20 and 10 are past 8 weeks.
    # a: own 2 x 1 + b's 1 x 1/2 = 2.5; b: 1 + 2/2 = 2; c: b's 1/2 = 0.5 (a is 2 rings away: 1/3 > 400 m reach)
    from clustering.forecast.prospective import weights

    raw = weights(_events(), GRID, 100.0, space_bandwidth_m=400.0, time_bandwidth_weeks=8)
    assert raw.tolist() == [2.5, 2.0, 0.5]
    wide = weights(_events(), GRID, 100.0, space_bandwidth_m=700.0, time_bandwidth_weeks=8)
    assert wide.tolist() == pytest.approx([2.5, 2.0, 0.5 + 2 / 3])
    # a report 8 days back counts 1/2 (week 1)
    late = weights(
        _events(np.array([92.0]), cell=np.array([2])), GRID, 100.0, space_bandwidth_m=0.0, time_bandwidth_weeks=8
    )
    assert late.tolist() == [0.0, 0.0, 0.5]


def test_sepp_expectation_and_em_on_a_pure_background():
    params = sepp_module.SeppParams(mu=np.array([0.1, 0.0, 0.0]), theta=0.5, omega=1.0)
    ev = _events(np.array([99.0]), cell=np.array([1]))
    got = sepp_module.expected(params, ev, GRID, 100.0, 2.0)
    assert got.tolist() == pytest.approx([0.2, 0.5 * (np.exp(-1) - np.exp(-3)), 0.0])
    # evenly spaced reports far apart in time: no triggering, background = count / duration
    times = [np.arange(5.0, 100.0, 10.0), np.array([]), np.array([50.0])]
    fit = sepp_module.fit(times, 100.0, iterations=50)
    assert fit.theta < 0.05
    assert fit.mu[0] * 100 + fit.theta * 10 == pytest.approx(10, rel=0.1) and fit.mu[1] == 0


def test_blend_mixes_normalised_surfaces():
    got = forecast(
        "blend",
        _events(),
        GRID,
        100.0,
        7.0,
        components={"naive": 1.0, "long_run": 1.0},
        params={"long_run": {"lookback_days": 100.0}},
        rate_days=100.0,
    ).to_numpy()
    shape = (np.array([2, 1, 0]) / 3 + np.array([3, 1, 1]) / 5) / 2
    assert got == pytest.approx(shape * 5 / 100 * 7)


def test_aoristic_ranges_split_over_windows():
    # a report known only as days 96..104 counts 4/8 before the cutoff on day 100
    ev = _events(np.array([96.0]), np.array([104.0]), cell=np.array([0]))
    assert forecast("naive", ev, GRID, 100.0, 7.0).tolist() == [0.5, 0.0, 0.0]
    assert share_in(np.array([96.0]), np.array([104.0]), 100.0, 107.0).tolist() == [0.5]


def test_no_method_sees_the_future():
    base = _events()
    later = _events(np.append(DAY, [100.0, 103.5]), cell=np.append(CELL, [2, 2]))
    for method in METHODS:
        a = forecast(method, base, GRID, 100.0, 7.0).to_numpy()
        b = forecast(method, later, GRID, 100.0, 7.0).to_numpy()
        assert a == pytest.approx(b), method


def test_prepare_events_projects_and_orders():
    import h3

    c = h3.latlng_to_cell(47.566, 31.33, 9)
    grid = Grid.from_cells(sorted(h3.grid_disk(c, 1)), 9, "EPSG:32636")
    rep = pd.DataFrame(
        {
            "lat": [47.566, 47.566, 10.0],
            "lon": [31.33, 31.33, 10.0],
            "occurred_at": pd.to_datetime(["2025-01-02T12:00Z", "2025-01-01T12:00Z", "2025-01-01T00:00Z"]),
            "occurred_to": [pd.NaT, pd.Timestamp("2025-01-01T18:00Z"), pd.NaT],
        }
    )
    ev = prepare_events(rep, grid)
    assert len(ev) == 2 and ev.n_outside == 1
    assert ev.start.tolist() == pytest.approx([20089.5, 20090.5]) and ev.end[0] == pytest.approx(20089.75)
    # the same day starts 8 hours later in Chicago (UTC-6 in winter) than in Kyiv (UTC+2)
    assert (day_start("2025-01-03", "America/Chicago") - day_start("2025-01-03", "Europe/Kyiv")) * 24 == pytest.approx(
        8
    )


def _brute_pei_star(flagged: list[int], test: np.ndarray) -> float:
    """PAI of the flagged cells over the best PAI of any set catching as many reports."""
    n = test[flagged].sum()
    best = max(
        test[list(s)].sum() / len(s)
        for k in range(1, len(test) + 1)
        for s in combinations(range(len(test)), k)
        if test[list(s)].sum() >= n
    )
    return (n / len(flagged)) / best


@pytest.mark.parametrize("seed", range(6))
def test_pei_star_matches_the_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    test = rng.poisson(1.2, 9).astype(float)
    if test.sum() == 0:
        test[0] = 1
    expected = rng.random(9)
    ids = np.array([f"c{i}" for i in range(9)])
    for share in (0.1, 0.3, 0.5):
        r = fold_scores(expected, test, ids, share)
        flagged = list(np.argsort(-expected)[: r["flagged"]])
        if r["n"] == 0:
            assert r["pei_star"] == 0
        else:
            assert r["pei_star"] == pytest.approx(_brute_pei_star(flagged, test))
        assert r["pei_star"] <= r["pei"] + 1e-12 or r["n"] == 0


def test_fold_scores_by_hand():
    test = np.array([4.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    expected = np.array([0.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    ids = np.array([f"c{i}" for i in range(10)])
    r = fold_scores(expected, test, ids, 0.2)  # 2 cells: c1 (0 reports) and c2 (1)
    assert (r["flagged"], r["n"], r["N"]) == (2, 1.0, 6.0)
    assert r["hit_rate"] == pytest.approx(1 / 6) and r["pai"] == pytest.approx((1 / 6) / 0.2)
    assert r["pei"] == pytest.approx(1 / 5)  # the best 2 cells hold 4 + 1
    assert r["pei_star"] == pytest.approx((1 / 2) / (4 / 1))  # 1 report: the oracle needs 1 cell holding 4
    assert r["rri"] == pytest.approx(5.0)  # 5 promised, 1 came
    assert pei_star(0.0, test, 2) == 0.0 and np.isnan(pei_star(0.0, test * 0, 2))


def test_brier_skill_and_loglik_by_hand():
    assert brier_skill(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == pytest.approx(1.0)
    # p = (0.75, 0.25), u = (1, 0): 2 * 0.75 / (1 + 0.625) = 12/13
    assert brier_skill(np.array([3.0, 1.0]), np.array([2.0, 0.0])) == pytest.approx(12 / 13)
    # one report where 0.5 was expected, none where 1 was: log(0.5) - 0.5 - 1, per report
    assert poisson_loglik(np.array([0.5, 1.0]), np.array([1.0, 0.0])) == pytest.approx(np.log(0.5) - 1.5)


def _synthetic(seed: int = 0) -> tuple[Events, Grid]:
    """A steady hot cell plus noise: the long run beats last period's counts."""
    import h3

    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    grid = Grid.from_cells(sorted(h3.grid_disk(centre, 4)), 9, "EPSG:32636")
    hot = [1, 7, 20]
    cells, days = [], []
    for day in range(400):
        for c in hot:
            if rng.random() < 0.3:
                cells.append(c)
                days.append(day + rng.random())
        for _ in range(rng.poisson(1.0)):
            cells.append(int(rng.integers(len(grid))))
            days.append(day + rng.random())
    cell, t = np.array(cells), np.array(days)
    order = np.argsort(t)
    return Events(grid.xy[cell[order]], cell[order], t[order], t[order]), grid


def test_backtest_rolls_origins_and_picks_a_safe_winner():
    ev, grid = _synthetic()
    scores = backtest(ev, grid, horizon_days=28, folds=6, end=400.0, methods=["naive", "long_run"], shares=(0.05, 0.1))
    assert len(scores) == 6 * 2 * 2
    assert scores["origin"].nunique() == 6
    assert (scores.groupby("fold")["N"].nunique() == 1).all()
    summary = summarise(scores, n_boot=200)
    naive = summary[summary["method"] == "naive"]
    assert (naive["d_pei_star"] == 0).all()
    assert choose_winner(summary, shares=(0.05, 0.1)) == "long_run"
    # a method that loses a fold by more than the tolerance wins only when reliably better
    worse = summary.copy()
    worse.loc[worse["method"] == "long_run", "worst_d_pei_star"] = -0.2
    assert choose_winner(worse, shares=(0.05, 0.1)) == (
        "long_run" if (worse["d_lo"][worse["method"] == "long_run"] > 0).all() else "naive"
    )
    worse.loc[worse["method"] == "long_run", "d_lo"] = -0.01
    assert choose_winner(worse, shares=(0.05, 0.1)) == "naive"
    # never a method below the baseline on the mean
    below = summary.copy()
    below.loc[below["method"] == "long_run", "d_pei_star"] = -0.01
    assert choose_winner(below, shares=(0.05, 0.1)) == "naive"


def _slow_em_step(cells, omega, theta, mu, duration):
    """One EM step written pair by pair, as open_cp's ``_slow_maximisation_corrected``."""
    upper = weighted = count = 0.0
    new_mu = []
    for cell, m in zip(cells, mu, strict=True):
        n = len(cell)
        p = np.zeros((n, n))
        for j in range(n):
            for i in range(j):
                p[i, j] = theta * omega * np.exp(-omega * (cell[j] - cell[i]))
            p[j, j] = m
        p = p / p.sum(axis=0)[None, :] if n else p
        for j in range(n):
            for i in range(j):
                upper += p[i, j]
                weighted += p[i, j] * (cell[j] - cell[i])
        for t in cell:
            decay = np.exp(-omega * (duration - t))
            count += 1 - decay
            weighted += theta * (duration - t) * decay
        new_mu.append(sum(p[j, j] for j in range(n)) / duration)
    return upper / weighted, upper / count, np.array(new_mu)


def test_sepp_em_step_matches_the_pairwise_loop():
    rng = np.random.default_rng(3)
    cells = [np.sort(rng.uniform(0, 50, k)) for k in (6, 0, 1, 3, 9)]
    mu0 = 0.5 * np.array([len(c) for c in cells]) / 50.0
    omega, theta, mu = _slow_em_step(cells, 0.2, 0.5, mu0, 50.0)
    fit = sepp_module.fit(cells, 50.0, iterations=1, theta=0.5, omega=0.2)
    assert fit.omega == pytest.approx(omega) and fit.theta == pytest.approx(theta)
    assert fit.mu == pytest.approx(mu)
