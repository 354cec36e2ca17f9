"""Hit rate, PAI, PEI by hand; rolling evaluation over periods."""

import h3
import numpy as np
import pandas as pd
import pytest

from clustering.binning import study_area
from clustering.evaluation import rank_cells, rolling_evaluation, score_ranking

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


def test_score_ranking_by_hand():
    cells = [f"c{i:02d}" for i in range(20)]
    scores = pd.Series(np.arange(20, 0, -1, dtype=float), index=cells)  # c00 ranked first
    test = pd.Series(0, index=cells)
    test["c00"], test["c05"], test["c19"] = 2, 6, 2
    r = score_ranking(scores, test, 0.05)  # 1 of 20 cells
    assert r["flagged"] == 1 and r["n"] == 2 and r["N"] == 10
    assert r["hit_rate"] == pytest.approx(0.2)
    assert r["pai"] == pytest.approx(0.2 / (1 / 20))
    assert r["pei"] == pytest.approx(2 / 6)
    r = score_ranking(scores, test, 0.30)  # 6 cells: c00..c05
    assert r["flagged"] == 6 and r["n"] == 8
    assert r["pai"] == pytest.approx(0.8 / 0.3) and r["pei"] == pytest.approx(8 / 10)
    empty = score_ranking(scores, test * 0, 0.05)
    assert np.isnan(empty["hit_rate"]) and np.isnan(empty["pai"]) and np.isnan(empty["pei"])


def test_ties_broken_by_cell_id_and_nan_last():
    s = pd.Series([1.0, np.nan, 5.0, 5.0], index=["d", "a", "c", "b"])
    assert list(rank_cells(s)) == ["b", "c", "d", "a"]


def _reports(months: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hot = h3.cell_to_latlng(h3.latlng_to_cell(47.566, 31.33, 9))
    rows = []
    for m in range(months):
        base = pd.Timestamp(2025, 1 + m, 3, 12, tz="UTC")
        n_bg, n_hot = 60, 40
        lat = np.concatenate([rng.uniform(47.531, 47.601, n_bg), hot[0] + rng.normal(0, 3e-4, n_hot)])
        lon = np.concatenate([rng.uniform(31.267, 31.390, n_bg), hot[1] + rng.normal(0, 4e-4, n_hot)])
        when = base + pd.to_timedelta(rng.integers(0, 20 * 24, n_bg + n_hot), unit="h")
        rows.append(pd.DataFrame({"lat": lat, "lon": lon, "occurred_at": when}))
    return pd.concat(rows, ignore_index=True)


def test_rolling_evaluation_scores_each_period_pair():
    rep = _reports()
    area = study_area(BOX, 9)
    out = rolling_evaluation(rep, area, 9)
    assert len(out) == 3 * 3 * 2  # 3 period pairs x 3 methods x 2 shares
    assert set(out["method"]) == {"gistar", "kde", "naive"}
    assert [str(p) for p in out["test"].unique()] == ["2025-02", "2025-03", "2025-04"]
    assert (out["N"] == 100).all()
    assert (out["pei"] <= 1 + 1e-12).all() and (out["pei"] > 0).all()
    # the persistent hotspot is caught by every method: PAI far above 1
    assert (out["pai"] > 5).all()
    big = out[out["area_share"] == 0.05]
    assert (big["flagged"] == np.ceil(0.05 * len(area))).all()
    row = out[(out["method"] == "naive") & (out["area_share"] == 0.01)].iloc[0]
    assert row["pai"] == pytest.approx(row["hit_rate"] / (row["flagged"] / len(area)))


def test_rolling_evaluation_skips_thin_periods_for_gistar_and_kde():
    rep = _reports(2).iloc[::10]  # 10 reports per month: below Gi*'s minimum
    out = rolling_evaluation(rep, study_area(BOX, 9), 9, area_shares=(0.05,))
    by = out.set_index("method")
    assert np.isnan(by.loc["gistar", "pai"]) and np.isnan(by.loc["kde", "pai"])
    assert not np.isnan(by.loc["naive", "hit_rate"])
    with pytest.raises(ValueError):
        rolling_evaluation(rep, study_area(BOX, 9), 9, methods=("magic",))
