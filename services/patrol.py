"""A suggested patrol plan: which cells, in which time windows, cover most expected reports.

Expected reports per (cell, time window) are the weekly average of the last `weeks` weeks
for the same weekday-hour pattern; N patrols each take one cell per window, greedily the
cells with the most expected reports. The plan says which share of all expected reports
in the shift it covers, so an officer who adjusts it sees what the change costs.

>>> windows(22, 6, 2)
[(22, 24), (0, 2), (2, 4), (4, 6)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

KYIV = ZoneInfo("Europe/Kyiv")


def windows(shift_start: int, shift_end: int, window_hours: int) -> list[tuple[int, int]]:
    """Time windows (start, end hour) covering a shift; shifts may pass midnight."""
    length = (shift_end - shift_start) % 24 or 24
    out = []
    for offset in range(0, length, window_hours):
        start = (shift_start + offset) % 24
        end = start + min(window_hours, length - offset)
        out.append((start, end))
    return out


def expected_by_window(reports: pd.DataFrame, *, now: datetime, weeks: int, cell_column: str,
                       shift: tuple[int, int], window_hours: int) -> pd.DataFrame:
    """Average reports per week for every (cell, window) of the shift over the last weeks."""
    since = now - timedelta(weeks=weeks)
    recent = reports[(reports["occurred_at"] >= since) & (reports["occurred_at"] < now)]
    hours = recent["occurred_at"].dt.tz_convert(KYIV).dt.hour
    rows = []
    for start, end in windows(shift[0], shift[1], window_hours):
        mask = (hours >= start) & (hours < end)
        counts = recent.loc[mask].groupby(cell_column).size() / weeks
        rows += [{"window": f"{start:02d}:00-{end % 24:02d}:00", "cell": c, "expected": float(v)}
                 for c, v in counts.items()]
    return pd.DataFrame(rows, columns=["window", "cell", "expected"])


@dataclass
class PatrolPlan:
    table: pd.DataFrame  # patrol, window, cell, expected, categories
    covered: float  # expected reports covered per week
    total: float  # all expected reports in the shift per week

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0


def suggest(reports: pd.DataFrame, *, now: datetime, patrols: int, shift: tuple[int, int] = (18, 2),
            window_hours: int = 2, weeks: int = 8, cell_column: str = "h3_r9") -> PatrolPlan:
    """The greedy plan: in each window, the `patrols` cells with the most expected reports."""
    expected = expected_by_window(reports, now=now, weeks=weeks, cell_column=cell_column, shift=shift,
                                  window_hours=window_hours)
    picks = (expected.sort_values(["window", "expected", "cell"], ascending=[True, False, True])
             .groupby("window", sort=False).head(patrols).copy())
    picks["patrol"] = picks.groupby("window").cumcount() + 1
    top = _top_categories(reports, now=now, weeks=weeks, cell_column=cell_column)
    picks["categories"] = picks["cell"].map(top).fillna("")
    order = [f"{s:02d}:00-{e % 24:02d}:00" for s, e in windows(shift[0], shift[1], window_hours)]
    picks["window"] = pd.Categorical(picks["window"], categories=order, ordered=True)
    table = picks.sort_values(["window", "patrol"])[["patrol", "window", "cell", "expected", "categories"]]
    return PatrolPlan(table.reset_index(drop=True), float(picks["expected"].sum()), float(expected["expected"].sum()))


def coverage(plan_cells: pd.DataFrame, reports: pd.DataFrame, *, now: datetime, shift: tuple[int, int],
             window_hours: int = 2, weeks: int = 8, cell_column: str = "h3_r9") -> PatrolPlan:
    """Re-score a plan the officer edited (columns patrol, window, cell)."""
    expected = expected_by_window(reports, now=now, weeks=weeks, cell_column=cell_column, shift=shift,
                                  window_hours=window_hours)
    merged = plan_cells.astype({"window": str}).merge(expected, on=["window", "cell"], how="left")
    merged["expected"] = merged["expected"].fillna(0.0)
    covered = float(merged.drop_duplicates(["window", "cell"])["expected"].sum())
    return PatrolPlan(merged, covered, float(expected["expected"].sum()))


def _top_categories(reports: pd.DataFrame, *, now: datetime, weeks: int, cell_column: str) -> pd.Series:
    recent = reports[reports["occurred_at"] >= now - timedelta(weeks=weeks)]
    counts = recent.groupby([cell_column, "category"]).size().rename("n").reset_index()
    counts = counts.sort_values(["n", "category"], ascending=[False, True])
    return counts.groupby(cell_column)["category"].apply(lambda s: ", ".join(s.head(3)))
