"""The patrol plan picks the cells and windows with most expected reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from services.patrol import coverage, suggest, windows

NOW = datetime(2025, 6, 30, tzinfo=UTC)


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


def test_greedy_plan_and_share() -> None:
    reports = _reports([("A", 23, 16, "noise"), ("B", 23, 8, "drinking"), ("C", 23, 4, "noise"),
                        ("A", 19, 8, "litter")])
    plan = suggest(reports, now=NOW, patrols=1, shift=(18, 2), weeks=8)
    picked = dict(zip(plan.table["window"].astype(str), plan.table["cell"], strict=True))
    assert picked == {"18:00-20:00": "A", "22:00-00:00": "A"}
    assert plan.covered == pytest.approx((16 + 8) / 8)
    assert plan.total == pytest.approx((16 + 8 + 4 + 8) / 8)
    assert plan.share == pytest.approx(24 / 36)
    assert plan.table.loc[plan.table["window"] == "22:00-00:00", "categories"].item() == "noise, litter"


def test_officer_edit_is_rescored() -> None:
    reports = _reports([("A", 23, 16, "noise"), ("B", 23, 8, "drinking")])
    edited = pd.DataFrame({"patrol": [1], "window": ["22:00-00:00"], "cell": ["B"]})
    assert coverage(edited, reports, now=NOW, shift=(18, 2), weeks=8).share == pytest.approx(8 / 24)
