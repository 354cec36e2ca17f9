"""Mann-Kendall against pymannkendall; emerging hot spot categories on a labelled table."""

import h3
import numpy as np
import pandas as pd
import pymannkendall as mk
import pytest

from clustering.binning import study_area
from clustering.emerging import CATEGORIES, LABELS, classify, emerging_hotspots, space_time_cube
from clustering.mann_kendall import mann_kendall

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


def test_mann_kendall_equals_pymannkendall_on_every_series():
    rng = np.random.default_rng(0)
    x = np.vstack(
        [
            rng.poisson(1.0, (150, 24)).astype(float),  # many ties
            rng.normal(size=(100, 24)) + np.linspace(0, 2, 24),
            np.round(rng.normal(size=(50, 13)), 1).repeat(2, axis=1)[:, :24],
            np.ones((1, 24)),  # constant
        ]
    )
    r = mann_kendall(x)
    for i, row in enumerate(x):
        o = mk.original_test(row)
        assert r["s"][i] == o.s
        assert r["var_s"][i] == pytest.approx(o.var_s, rel=1e-12, abs=1e-12)
        assert r["z"][i] == pytest.approx(o.z, abs=1e-12)
        assert r["p"][i] == pytest.approx(o.p, abs=1e-12)
        assert r["tau"][i] == pytest.approx(o.Tau, abs=1e-12)
    with pytest.raises(ValueError):
        mann_kendall(np.array([[1.0, np.nan, 2.0]]))


T = 20
H, C, O = 3.0, -3.0, 0.0  # noqa: E741 (O: not significant)  significant hot, significant cold, not significant


def _series(*parts):
    out = []
    for value, times in parts:
        out += [value] * times
    assert len(out) == T
    return out


# (z-series, expected label) — at least one per category; z = +-3 is significant at 0.05, 0 is not.
CASES = [
    (_series((O, 19), (H, 1)), "new_hot"),
    (_series((O, 17), (H, 3)), "consecutive_hot"),
    (_series((O, 18), (H, 2)), "consecutive_hot"),
    (list(np.linspace(2.5, 8.0, T)), "intensifying_hot"),
    (_series((O, 1), (H, 19))[:1] + list(np.linspace(2.5, 8.0, T - 1)), "intensifying_hot"),
    ([3.0, 3.2] * 10, "persistent_hot"),
    (_series((H, 9), (O, 1), (H, 10)), "persistent_hot"),
    (_series((O, 2), (H, 18)), "persistent_hot"),  # one step up is no trend at 0.01 (it is at 0.05)
    (list(np.linspace(8.0, 2.5, T)), "diminishing_hot"),
    (_series((O, 5), (H, 2), (O, 5), (H, 1), (O, 6), (H, 1)), "sporadic_hot"),
    (_series((C, 1), (O, 18), (H, 1)), "oscillating_hot"),
    (_series((H, 5), (C, 2), (O, 10), (H, 3)), "oscillating_hot"),
    (_series((H, 19), (O, 1)), "historical_hot"),
    (_series((O, 19), (C, 1)), "new_cold"),
    (_series((O, 16), (C, 4)), "consecutive_cold"),
    (list(np.linspace(-2.5, -8.0, T)), "intensifying_cold"),
    ([-3.0, -3.2] * 10, "persistent_cold"),
    (list(np.linspace(-8.0, -2.5, T)), "diminishing_cold"),
    (_series((C, 1), (O, 3), (C, 1), (O, 14), (C, 1)), "sporadic_cold"),
    (_series((H, 2), (O, 17), (C, 1)), "oscillating_cold"),
    (_series((C, 18), (O, 2)), "historical_cold"),
    (_series((O, 20)), "no_pattern"),
    (_series((H, 3), (O, 17)), "no_pattern"),  # hot long ago, quiet since (ArcGIS reading)
    (_series((O, 10), (H, 8), (O, 2)), "no_pattern"),  # < 90 % hot and not hot at the end
    (_series((H, 18), (C, 1), (O, 1)), "historical_hot"),
    (_series((H, 19), (C, 1)), "oscillating_cold"),  # the final step decides the side
]


def test_every_category_is_covered_by_the_table():
    assert {label for _, label in CASES} == set(CATEGORIES)
    assert len(CATEGORIES) == 17 and set(LABELS) == set(CATEGORIES)
    assert LABELS["new_hot"] == "New Hot Spot" and LABELS["no_pattern"] == "No Pattern Detected"


@pytest.mark.parametrize("z,label", CASES, ids=[f"{i}-{lab}" for i, (_, lab) in enumerate(CASES)])
def test_category(z, label):
    assert classify(np.array([z])).tolist() == [label]


def test_sporadic_readings_differ_only_where_documented():
    quiet_end = np.array([_series((H, 3), (O, 17)), _series((C, 2), (O, 18))])
    assert classify(quiet_end).tolist() == ["no_pattern", "no_pattern"]
    assert classify(quiet_end, sporadic="sfdep").tolist() == ["sporadic_hot", "sporadic_cold"]
    batch = np.array([z for z, _ in CASES])
    arc, sf = classify(batch), classify(batch, sporadic="sfdep")
    changed = arc != sf
    assert set(arc[changed]) <= {"no_pattern"} and set(sf[changed]) <= {"sporadic_hot", "sporadic_cold"}
    with pytest.raises(ValueError):
        classify(batch, sporadic="other")


def test_explicit_significance_and_trend_alpha():
    z = np.array([np.linspace(2.5, 3.5, T)])
    sig = np.ones_like(z, dtype=bool)
    assert classify(z, sig).tolist() == ["intensifying_hot"]
    assert classify(z, sig, trend_alpha=1e-12).tolist() == ["persistent_hot"]
    step_up = np.array([_series((O, 2), (H, 18))])
    assert classify(step_up).tolist() == ["persistent_hot"]  # default trend_alpha 0.01, as sfdep
    assert classify(step_up, trend_alpha=0.05).tolist() == ["intensifying_hot"]
    assert classify(z, ~sig).tolist() == ["no_pattern"]


def _synthetic_cube(periods: int = 24) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    cells = sorted(h3.grid_disk(centre, 12))
    rng = np.random.default_rng(11)
    cube = pd.DataFrame(rng.poisson(0.2, (len(cells), periods)), index=cells)
    ring = h3.grid_ring(centre, 8)
    groups = {
        "persistent": list(h3.grid_disk(centre, 1)),
        "new": list(h3.grid_disk(ring[0], 1)),
        "consecutive": list(h3.grid_disk(ring[len(ring) // 2], 1)),
    }
    cube.loc[groups["persistent"], :] += rng.poisson(6, (len(groups["persistent"]), periods))
    cube.loc[groups["new"], periods - 1] += 12
    cube.loc[groups["consecutive"], periods - 4 :] += 8
    return cube, groups


def test_emerging_on_synthetic_cube():
    cube, groups = _synthetic_cube()
    r = emerging_hotspots(cube)
    assert r.ok and len(r.table) == len(cube) and r.z.shape == cube.shape
    cat = r.table.set_index("cell")["category"]
    centre = h3.latlng_to_cell(47.566, 31.33, 9)
    assert cat[centre] == "persistent_hot"
    assert cat[groups["new"][0]] == "new_hot"
    assert cat[groups["consecutive"][0]] == "consecutive_hot"
    far = [c for c in cube.index if h3.grid_distance(centre, c) >= 11]
    assert (cat[far] == "no_pattern").mean() > 0.8
    assert (r.table["n"].to_numpy() == cube.to_numpy().sum(axis=1)).all()


def test_emerging_guard_and_empty_steps():
    cube, _ = _synthetic_cube(6)
    small = cube * 0
    small.iloc[:5, 0] = 1
    r = emerging_hotspots(small)
    assert not r.ok and r.reason is not None and r.reason.code == "too_few_reports"
    cube[cube.columns[2]] = 0  # a period without reports: z = 0, not significant
    r = emerging_hotspots(cube)
    assert r.ok and (r.z[cube.columns[2]] == 0).all()


def test_space_time_cube_months_weeks_local_calendar():
    area = study_area(BOX, 8)
    d = pd.DataFrame(
        {
            "lat": [47.566, 47.566, 47.566, 40.0],
            "lon": [31.33, 31.33, 31.33, 31.0],
            # 22:30 UTC on 31 Jan is 1 Feb in Kyiv
            "occurred_at": pd.to_datetime(
                ["2026-01-31T22:30Z", "2026-01-10T10:00Z", "2026-04-02T10:00Z", "2026-02-01T10:00Z"]
            ),
        }
    )
    m = space_time_cube(d, area, 8)
    assert [str(p) for p in m.columns] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert m.to_numpy().sum() == 3 and m.shape[0] == len(area)
    cell = h3.latlng_to_cell(47.566, 31.33, 8)
    assert m.loc[cell].tolist() == [1, 1, 0, 1]
    w = space_time_cube(d, area, 8, freq="W")
    assert w.to_numpy().sum() == 3 and len(w.columns) == len(pd.period_range(w.columns[0], w.columns[-1]))


def test_emerging_runs_on_10000_cells_104_weeks():
    """Scale check (the speed target lives in bench/hotspots.py, not in a unit test)."""
    centre = h3.latlng_to_cell(47.566, 31.33, 10)
    cells = sorted(h3.grid_disk(centre, 58))[:10_000]
    cube = pd.DataFrame(np.random.default_rng(0).poisson(0.3, (len(cells), 104)), index=cells)
    r = emerging_hotspots(cube)
    assert r.ok and len(r.table) == 10_000


@pytest.mark.parametrize(
    ("hot_steps", "ends_hot", "label"),
    [
        (18, True, "persistent_hot"),  # 18 of 20 = 90 %: persistent
        (17, True, "consecutive_hot"),  # 17 of 20 = 85 %: below the rule, one run to the end
        (18, False, "historical_hot"),  # 90 % hot, quiet at the end
        (17, False, "no_pattern"),
    ],
)
def test_the_90_percent_rule_at_its_boundary(hot_steps, ends_hot, label):
    """ArcGIS's "at least 90 % of the time-step intervals": 18 of 20 steps is in, 17 of 20 is out."""
    quiet = T - hot_steps
    z = _series((O, quiet), (H, hot_steps)) if ends_hot else _series((H, hot_steps), (O, quiet))
    assert classify(np.array([z])).tolist() == [label]
    cold = [-v for v in z]
    assert classify(np.array([cold])).tolist() == [label.replace("hot", "cold")]
