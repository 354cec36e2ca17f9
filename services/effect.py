""" "Did it work?": the weighted displacement difference of each finished action tied to a cell.

Treated = the action's H3 cell; buffer = the ring of cells touching it; control = the
next two rings (far enough not to share the action's effect, near enough to share the
area's trend). Before = the `months` before the action started (its execution period, else
its due date), after = the `months` after it ended. Counts are the located, non-duplicate
reports of the store. Too few reports, or an after-window that has not ended, is said as
"not enough data" with the reason, never as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import h3
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from auth.roles import can
from clustering.wdd import WDD, wdd
from data.records import H3_RESOLUTIONS
from data.store.aggregates import report_columns
from i18n import catalogue, t

#: months before the start and after the end of an action
MONTHS = 3
#: fewest reports in the treated cell (before + after) for a WDD worth showing
MIN_TREATED = 10
#: fewest reports in the control rings (before + after)
MIN_CONTROL = 10


@dataclass(frozen=True)
class Effect:
    action_id: int
    result: WDD | None
    reason: str | None  # why there is no result: "not_finished" | "no_cell" | "window_open" | "too_few"
    before: tuple[date, date] | None = None
    after: tuple[date, date] | None = None


def rings(cell: str) -> tuple[set[str], set[str], set[str]]:
    """(treated, buffer, control) cells around one H3 cell."""
    near = set(h3.grid_disk(cell, 1))
    far = set(h3.grid_disk(cell, 3))
    return {cell}, near - {cell}, far - near


def _day(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date()


def _window(action: pd.Series, months: int) -> tuple[tuple[date, date], tuple[date, date]] | None:
    end = _day(action.get("ends_on")) or _day(action.get("due_date"))
    if end is None:
        return None
    start = _day(action.get("starts_on")) or end
    shift = pd.DateOffset(months=months)
    return ((pd.Timestamp(start) - shift).date(), start), (end, (pd.Timestamp(end) + shift).date())


class _Located:
    """The reports an effect is counted from, with their times (UTC nanoseconds) and each cell
    column factorised once, so each action's windows and rings are integer comparisons (a
    dozen finished actions made some 70 pandas calls each)."""

    def __init__(self, reports: pd.DataFrame) -> None:
        self.reports = reports
        self.when = reports["occurred_at"].dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view("int64")
        self._cells: dict[str, tuple[np.ndarray, dict[str, int]]] = {}

    def within(self, span: tuple[date, date]) -> np.ndarray:
        """Whether each report's UTC day lies in [span): a UTC day is >= d exactly when the time
        is >= d's UTC midnight, so the times are compared as they are (no date per report)."""
        lo, hi = (pd.Timestamp(d).tz_localize("UTC").as_unit("ns").value for d in span)
        return (self.when >= lo) & (self.when < hi)

    def inside(self, column: str, cells: set[str]) -> np.ndarray:
        """Whether each report's cell (its `column`) is one of `cells`."""
        if column not in self._cells:
            codes, uniques = pd.factorize(self.reports[column])
            self._cells[column] = (codes, {cell: i for i, cell in enumerate(uniques)})
        codes, index = self._cells[column]
        return np.isin(codes, [index[c] for c in cells if c in index])


def effect_of(action: pd.Series, reports: pd.DataFrame, *, today: date, months: int = MONTHS) -> Effect:
    """The WDD of one action (a row of services.actions.actions_frame)."""
    return _effect(action, _Located(reports), today=today, months=months)


def _effect(action: pd.Series, located: _Located, *, today: date, months: int) -> Effect:
    aid = int(action["id"])
    if action["status"] != "done":
        return Effect(aid, None, "not_finished")
    cell = action.get("cell")
    if not isinstance(cell, str) or not h3.is_valid_cell(cell):
        return Effect(aid, None, "no_cell")
    spans = _window(action, months)
    if spans is None:
        return Effect(aid, None, "no_period")
    before, after = spans
    if after[1] > today:
        return Effect(aid, None, "window_open", before, after)
    column = f"h3_r{h3.get_resolution(cell)}"
    if column not in located.reports.columns:
        return Effect(aid, None, "no_cell")
    treated, buffer, control = rings(cell)
    spans = located.within(before), located.within(after)  # once per action, not per ring
    counts = {
        name: tuple(int((inside & span).sum()) for span in spans)
        for name, inside in (
            (name, located.inside(column, cells))
            for name, cells in (("treated", treated), ("buffer", buffer), ("control", control))
        )
    }
    if sum(counts["treated"]) < MIN_TREATED or sum(counts["control"]) < MIN_CONTROL:
        return Effect(aid, None, "too_few", before, after)
    result = wdd(
        counts["treated"],
        counts["control"],
        counts["buffer"],
        counts["control"],
        area_weights=(len(control), len(treated), len(control), len(buffer)),
    )
    return Effect(aid, result, None, before, after)


def header(column: str, lang: str) -> str:
    """A plan column's header: the council's own (council.col_*), else action tracking's (plan.col_*)."""
    key = "council.col_" + column
    return t(key, lang) if key in catalogue() else t("plan.col_" + column, lang)


def may_see(role: str | None) -> bool:
    """Council, admins and police see the measured effect."""
    return can(role, "edit_actions") or can(role, "police")


#: what an action without a valid cell is measured against (effect_of says "no_cell" first)
_NO_REPORTS = pd.DataFrame({"occurred_at": pd.Series(dtype="datetime64[ns, UTC]")})


def _valid_cell(cell: object) -> bool:
    return isinstance(cell, str) and h3.is_valid_cell(cell)


def _ring_cells(plan: pd.DataFrame) -> dict[int, set[str]]:
    """Per H3 resolution, every cell the finished actions' counts look at (treated, buffer and
    control rings): the store reads only the reports in them."""
    out: dict[int, set[str]] = {}
    for cell in plan.loc[plan["status"] == "done", "cell"] if len(plan) else ():
        if _valid_cell(cell) and h3.get_resolution(cell) in H3_RESOLUTIONS:
            out.setdefault(h3.get_resolution(cell), set()).update(*rings(cell))
    return out


def effects(
    engine: Engine,
    plan: pd.DataFrame,
    *,
    role: str | None,
    today: date,
    months: int = MONTHS,
    reports: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per action of `plan`: WDD total, its SE, local and buffer parts, or the
    reason there is none. Council and police only (restricted counts). `reports`: the
    located reports when the caller has them already (else read from the store)."""
    if not may_see(role):
        raise PermissionError("the measured effect is for council and police")
    read = {} if reports is None else dict.fromkeys(H3_RESOLUTIONS, reports)
    if reports is None:
        for res, cells in _ring_cells(plan).items():
            read[res] = report_columns(engine, ("occurred_at", f"h3_r{res}"), cells=(res, sorted(cells)))
    prepared = {id(frame): _Located(frame) for frame in [*read.values(), _NO_REPORTS]}  # the caller's frame once
    located = {res: prepared[id(frame)] for res, frame in read.items()} | {None: prepared[id(_NO_REPORTS)]}
    rows = []
    for _, action in plan.iterrows():
        res = h3.get_resolution(action["cell"]) if _valid_cell(action.get("cell")) else None
        found = _effect(action, located.get(res, located[None]), today=today, months=months)
        r = found.result
        rows.append(
            {
                "id": found.action_id,
                "wdd": None if r is None else round(r.total, 2),
                "wdd_se": None if r is None else round(r.se_total, 2),
                "wdd_local": None if r is None else round(r.local, 2),
                "wdd_buffer": None if r is None else round(r.displacement, 2),
                "wdd_z": None if r is None else round(r.z, 2),
                "reason": found.reason,
            }
        )
    return pd.DataFrame(rows, columns=["id", "wdd", "wdd_se", "wdd_local", "wdd_buffer", "wdd_z", "reason"])


def finished_table(engine: Engine, *, role: str | None, today: date, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """The measured effect of every finished action, with its id and description (the
    council's and the police's "did it work?" table); `reason` is a catalogue key suffix.
    `plan`: the action plan (services.actions.actions_frame) when the caller has read it."""
    from services.actions import actions_frame  # services may use each other; kept local to stay light

    plan = actions_frame(engine, today=today) if plan is None else plan
    finished = plan[plan["status"] == "done"]
    found = effects(engine, finished, role=role, today=today)
    return finished[["id", "description", "cell"]].merge(found, on="id")
