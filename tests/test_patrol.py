"""The patrol plan picks the cells and windows with most expected reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import pandas as pd
import pytest

from services.patrol import coverage, suggest, windows

NOW = datetime(2025, 6, 30, tzinfo=UTC)
A = h3.latlng_to_cell(47.566, 31.33, 9)
B, C = sorted(h3.grid_ring(A, 1))[:2]  # neighbours: one beat
FAR = h3.latlng_to_cell(47.590, 31.37, 9)  # about 4 km away


def _reports(spec: list[tuple[str, int, int, str]]) -> pd.DataFrame:
    """(cell, hour in Kyiv (UTC+3 in summer), count over 8 weeks, category)."""
    rows = []
    for cell, hour, n, category in spec:
        for i in range(n):
            when = NOW - timedelta(days=1 + (i % 50))
            when = when.replace(hour=(hour - 3) % 24, minute=10)
            rows.append({"h3_r9": cell, "occurred_at": when, "category": category})
    return pd.DataFrame(rows)


def test_windows_wrap_midnight() -> None:
    assert windows(18, 2, 2) == [(18, 20), (20, 22), (22, 24), (0, 2)]
    assert windows(8, 20, 4) == [(8, 12), (12, 16), (16, 20)]


def test_best_plan_and_share() -> None:
    reports = _reports([(A, 23, 16, "noise"), (B, 23, 8, "drinking"), (C, 23, 4, "noise"), (A, 19, 8, "litter")])
    plan = suggest(reports, now=NOW, patrols=1, shift=(18, 2), weeks=8)
    picked = dict(zip(plan.table["window"].astype(str), plan.table["cell"], strict=True))
    assert picked == {"18:00-20:00": A, "22:00-00:00": A}
    assert plan.optimal and plan.of_best == pytest.approx(1.0)
    assert plan.covered == pytest.approx((16 + 8) / 8)
    assert plan.total == pytest.approx((16 + 8 + 4 + 8) / 8)
    assert plan.share == pytest.approx(24 / 36)
    assert plan.table.loc[plan.table["window"] == "22:00-00:00", "categories"].item() == "noise, litter"


def test_officer_edit_is_rescored() -> None:
    reports = _reports([(A, 23, 16, "noise"), (B, 23, 8, "drinking")])
    edited = pd.DataFrame({"patrol": [1], "window": ["22:00-00:00"], "cell": [B]})
    scored = coverage(edited, reports, now=NOW, shift=(18, 2), weeks=8, best=2.0)
    assert scored.share == pytest.approx(8 / 24)
    assert scored.of_best == pytest.approx(0.5)
    assert scored.table["categories"].item() == "drinking"


def test_a_patrol_keeps_to_its_beat() -> None:
    # the two busiest cells lie 4 km apart: one patrol with a 1.5 km limit stays in one of them
    reports = _reports([(A, 19, 16, "noise"), (FAR, 23, 12, "litter"), (A, 23, 8, "noise")])
    plan = suggest(reports, now=NOW, patrols=1, shift=(18, 2), weeks=8, beat_km=1.5)
    assert set(plan.table["cell"]) == {A}
    assert plan.covered == pytest.approx((16 + 8) / 8)
    wide = suggest(reports, now=NOW, patrols=1, shift=(18, 2), weeks=8, beat_km=10.0)
    assert set(wide.table["cell"]) == {A, FAR} and wide.covered == pytest.approx((16 + 12) / 8)


def test_balanced_areas_cover_every_busy_cell_once() -> None:
    from services.patrol import balanced_areas

    ring = sorted(h3.grid_disk(A, 12))[::7]
    reports = _reports([(cell, 20, 1 + i % 5, "noise") for i, cell in enumerate(ring)])
    split = balanced_areas(reports, now=NOW, areas=3, res=9, tolerance=0.3)
    assert split is not None
    assert sorted(split.cells["cell"]) == sorted(set(ring))
    assert split.areas["workload"].sum() == pytest.approx(split.cells["workload"].sum())
    mean = split.areas["workload"].mean()
    assert split.areas["workload"].between(0.7 * mean - 1e-9, 1.3 * mean + 1e-9).all()


def test_expected_reports_follow_the_default_forecast_and_the_cells_hours() -> None:
    from services.patrol import expected_from_forecast

    reports = _reports([(A, 23, 16, "noise"), (B, 19, 8, "noise")])
    forecast = pd.DataFrame({"cell": [A, B, C], "score": [8.0, 4.0, 0.0]})
    forecast.attrs["horizon_days"] = 28
    expected = expected_from_forecast(
        forecast, reports, now=NOW, weeks=8, cell_column="h3_r9", shift=(18, 2), window_hours=2, prior=0.0
    )
    got = expected.set_index(["window", "cell"])["expected"].to_dict()
    # 8 reports in 28 days = 2 a week, all of A's at 23h; B's 1 a week all at 19h; C forecast 0
    assert got == {("22:00-00:00", A): pytest.approx(2.0), ("18:00-20:00", B): pytest.approx(1.0)}
    smoothed = expected_from_forecast(
        forecast, reports, now=NOW, weeks=8, cell_column="h3_r9", shift=(18, 2), window_hours=2
    )
    plan = suggest(reports, now=NOW, patrols=1, shift=(18, 2), weeks=8, forecast=forecast)
    # A, B are neighbours (one beat): the best single patrol takes each window's best cell
    assert plan.covered == pytest.approx(smoothed.groupby("window")["expected"].max().sum()) and plan.optimal
    assert plan.total == pytest.approx(smoothed["expected"].sum())


def test_an_unedited_plan_scores_as_coverage_scores_it() -> None:
    """own_coverage (the page's score of a plan nobody edited) against coverage of the same cells."""
    from services.patrol import own_coverage

    reports = _reports(
        [
            (A, 19, 16, "noise"),
            (B, 23, 8, "drinking"),
            (C, 23, 4, "noise"),
            (FAR, 21, 12, "litter"),
            (A, 1, 5, "litter"),
        ]
    )
    forecast = pd.DataFrame({"cell": [A, B, C, FAR], "score": [8.0, 4.0, 1.0, 6.0]})
    for given in (None, forecast):
        plan = suggest(reports, now=NOW, patrols=2, shift=(18, 2), weeks=8, beat_km=10.0, forecast=given)
        cells = plan.table[["patrol", "window", "cell"]].astype({"window": str})
        scored = coverage(cells, reports, now=NOW, shift=(18, 2), weeks=8, best=plan.best, forecast=given)
        own = own_coverage(plan)
        pd.testing.assert_frame_equal(own.table, scored.table)
        assert (own.covered, own.total, own.best, own.optimal) == (scored.covered, scored.total, scored.best, False)


def test_reports_before_the_plan_s_weeks_change_nothing() -> None:
    """The plan and its score read only the last `weeks` weeks (taken out of the history first):
    the same as from those weeks' reports alone, older ones left out by the caller."""
    recent = _reports([(A, 19, 16, "noise"), (B, 23, 8, "drinking"), (FAR, 21, 12, "litter")])
    old = _reports([(C, 23, 30, "noise"), (A, 1, 9, "litter")]).assign(
        occurred_at=lambda f: f["occurred_at"] - timedelta(weeks=9)
    )
    history = pd.concat([old, recent], ignore_index=True)
    forecast = pd.DataFrame({"cell": [A, B, C, FAR], "score": [8.0, 4.0, 9.0, 6.0]})
    for given in (None, forecast):
        plan = suggest(history, now=NOW, patrols=2, shift=(18, 2), weeks=8, beat_km=10.0, forecast=given)
        alone = suggest(recent, now=NOW, patrols=2, shift=(18, 2), weeks=8, beat_km=10.0, forecast=given)
        pd.testing.assert_frame_equal(plan.table, alone.table)
        assert (plan.covered, plan.total) == (alone.covered, alone.total)
        cells = plan.table[["patrol", "window", "cell"]].iloc[::-1]
        scored = coverage(cells, history, now=NOW, shift=(18, 2), weeks=8, forecast=given)
        scored_alone = coverage(cells, recent, now=NOW, shift=(18, 2), weeks=8, forecast=given)
        pd.testing.assert_frame_equal(scored.table, scored_alone.table)
