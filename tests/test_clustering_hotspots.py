"""The run() entry point: one table per method, summaries in attrs, exclusions."""

import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box as shapely_box

from clustering import run
from clustering.binning import study_area
from clustering.emerging import CATEGORIES
from clustering.hotspots import METHODS

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


def _reports(n=400, seed=0):
    rng = np.random.default_rng(seed)
    hot = n // 3
    lat = np.concatenate([rng.uniform(47.531, 47.601, n - hot), 47.566 + rng.normal(0, 4e-4, hot)])
    lon = np.concatenate([rng.uniform(31.267, 31.390, n - hot), 31.33 + rng.normal(0, 6e-4, hot)])
    when = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 180 * 24, n), unit="h")
    df = pd.DataFrame(
        {"lat": lat, "lon": lon, "occurred_at": when, "uncertainty_m": 10.0, "status": "verified", "duplicate_of": None}
    )
    extra = pd.DataFrame(
        {
            "lat": [48.5, 47.566, 47.566, 47.566, np.nan],
            "lon": [31.0, 31.33, 31.33, 31.33, np.nan],
            "occurred_at": when[:5],
            "uncertainty_m": [10.0, 800.0, 10.0, 10.0, np.nan],
            "status": ["new", "new", "rejected", "new", "new"],
            "duplicate_of": [None, None, None, "r-1", None],
        }
    )
    return pd.concat([df, extra], ignore_index=True)


def test_gistar_table_covers_the_area_and_reports_exclusions():
    rep = _reports()
    t = run(rep, "gistar", 9, BOX)
    assert list(t.columns) == ["cell", "n", "z", "p", "bin"]
    assert t["cell"].tolist() == study_area(BOX, 9)
    assert t.attrs["ok"] and t.attrs["k"] == 1
    assert t.attrs["n_in"] == 400 == t["n"].sum()
    assert (t.attrs["n_outside"], t.attrs["n_too_vague"], t.attrs["n_missing"], t.attrs["n_excluded"]) == (1, 1, 1, 2)
    hot_cell = h3.latlng_to_cell(47.566, 31.33, 9)
    assert t.set_index("cell").loc[hot_cell, "bin"] == 3
    auto = run(rep, "gistar", 9, shapely_box(31.267, 47.531, 31.390, 47.601), k="auto", k_max=4)
    assert auto.attrs["k"] in (1, 2, 3, 4) and auto.attrs["k_text"].startswith(f"k = {auto.attrs['k']}")


def test_other_methods_return_their_tables():
    rep = _reports()
    kde = run(rep, "kde", 9, BOX)
    assert list(kde.columns) == ["cell", "n", "density", "rank"] and kde.attrs["bandwidth_m"] > 0
    assert sorted(kde["rank"]) == list(range(1, len(kde) + 1))
    assert h3.grid_distance(kde.loc[kde["rank"] == 1, "cell"].iat[0], h3.latlng_to_cell(47.566, 31.33, 9)) <= 1
    for method in ("dbscan", "hdbscan"):
        c = run(rep, method, 9, BOX)
        assert list(c.columns) == ["cluster", "n", "lat", "lon", "area_m2", "geometry"]
        assert c.attrs["method"] == method and c.attrs["ok"]
        assert c["n"].sum() + c.attrs["n_noise"] == 400
        assert abs(c["lat"].iat[0] - 47.566) < 0.002  # the largest cluster is the planted one
    e = run(rep, "emerging", 9, BOX)
    assert e.attrs["ok"] and len(e.attrs["periods"]) == 6 and len(e) == len(study_area(BOX, 9))
    assert set(e["category"]) <= set(CATEGORIES)
    weekly = run(rep, "emerging", 9, BOX, freq="W")
    assert len(weekly.attrs["periods"]) >= 25


def test_insufficient_data_and_unknown_method():
    few = _reports().iloc[:20]
    t = run(few, "gistar", 9, BOX)
    assert not t.attrs["ok"] and t.attrs["reason"].code == "too_few_reports" and t["z"].isna().all()
    e = run(few, "emerging", 9, BOX)
    assert not e.attrs["ok"]
    h = run(few.iloc[:3], "hdbscan", 9, BOX)
    assert not h.attrs["ok"] and h.empty
    k = run(few.iloc[:1], "kde", 9, BOX)
    assert not k.attrs["ok"] and k["density"].isna().all()
    with pytest.raises(ValueError):
        run(few, "magic", 9, BOX)
    assert set(METHODS) == {"gistar", "kde", "dbscan", "hdbscan", "emerging"}


@pytest.mark.parametrize("dtype", ["str", object])
def test_in_area_is_pandas_isin(dtype) -> None:
    """prepare_counts keeps the area's groups through a hash index (issue 19t): the same rows as
    Series.isin, for the area's first and last cells, cells outside it and missing cells."""
    from clustering.hotspots import in_area

    area = study_area(BOX, 9)
    cells = pd.Series([area[0], "89000000000ffff", None, area[-1], area[5], area[0], float("nan")], dtype=dtype)
    assert in_area(cells, area).tolist() == cells.isin(area).tolist() == [True, False, False, True, True, True, False]
    assert in_area(cells.iloc[:0], area).tolist() == []
