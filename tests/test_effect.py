"""The measured effect of finished actions: WDD from the store's counts, or why not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import h3
import pandas as pd
import pytest

from clustering.wdd import wdd
from services.effect import effect_of, effects, rings

CELL = "891e43a500fffff"
ACTION = pd.Series(
    {
        "id": 7,
        "status": "done",
        "cell": CELL,
        "starts_on": date(2025, 3, 1),
        "ends_on": date(2025, 4, 1),
        "due_date": date(2025, 4, 30),
    }
)


def _reports(spec: dict[tuple[str, str], int]) -> pd.DataFrame:
    """`n` reports in the first cell of `area` in the month `when` (2025-01 = before, 2025-05 = after)."""
    treated, buffer, control = rings(CELL)
    first = {"treated": sorted(treated)[0], "buffer": sorted(buffer)[0], "control": sorted(control)[0]}
    rows = [
        {"occurred_at": datetime(2025, int(month), 15, 12, tzinfo=UTC), "h3_r9": first[area]}
        for (area, month), n in spec.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows).assign(occurred_at=lambda f: pd.to_datetime(f["occurred_at"], utc=True))


def test_the_action_wdd_is_the_counts_wdd() -> None:
    treated, buffer, control = rings(CELL)
    assert (len(treated), len(buffer), len(control)) == (1, 6, 30)
    assert all(h3.grid_distance(CELL, c) in (2, 3) for c in control)
    reports = _reports(
        {
            ("treated", "01"): 12,
            ("treated", "05"): 3,
            ("buffer", "01"): 6,
            ("buffer", "05"): 8,
            ("control", "01"): 30,
            ("control", "05"): 24,
            ("treated", "03"): 50,
        }
    )  # during: not counted
    found = effect_of(ACTION, reports, today=date(2025, 12, 1))
    expected = wdd((12, 3), (30, 24), (6, 8), (30, 24), area_weights=(30, 1, 30, 6))
    assert found.result == expected
    assert found.before == (date(2024, 12, 1), date(2025, 3, 1)) and found.after == (date(2025, 4, 1), date(2025, 7, 1))
    # by hand: local = (3 - 12) - (24/30 - 30/30) = -8.8
    assert found.result.local == pytest.approx(-8.8)


def test_not_enough_data_is_said_with_its_reason() -> None:
    few = _reports({("treated", "01"): 2, ("treated", "05"): 1, ("control", "01"): 30, ("control", "05"): 24})
    assert effect_of(ACTION, few, today=date(2025, 12, 1)).reason == "too_few"
    assert effect_of(ACTION, few, today=date(2025, 5, 1)).reason == "window_open"
    unfinished = ACTION.copy().replace({"done": "in_progress"})
    assert effect_of(unfinished, few, today=date(2025, 12, 1)).reason == "not_finished"
    assert effect_of(ACTION.copy().replace({CELL: None}), few, today=date(2025, 12, 1)).reason == "no_cell"
    with pytest.raises(PermissionError):
        effects(None, pd.DataFrame([ACTION]), role="partner", today=date(2025, 12, 1))


def test_the_window_by_utc_day_matches_the_per_report_date_oracle() -> None:
    """The window compares times with UTC midnights; the oracle takes each report's UTC date:
    both agree on reports just before, at and after the span's edges."""
    from services.effect import _Located

    edges = [datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)]
    times = [e + timedelta(microseconds=d) for e in edges for d in (-1, 0, 1)] + [datetime(2025, 4, 1, 23, tzinfo=UTC)]
    reports = pd.DataFrame({"occurred_at": pd.to_datetime(times, utc=True)})
    span = (date(2025, 3, 1), date(2025, 6, 1))
    when = reports["occurred_at"].dt.date
    oracle = ((when >= span[0]) & (when < span[1])).to_numpy()
    assert _Located(reports).within(span).tolist() == oracle.tolist() == [False, True, True, True, False, False, True]
