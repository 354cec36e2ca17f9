"""The residents' view: only what layers.privacy allows, for one month or quarter and group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import folium
import pandas as pd
from sqlalchemy import Engine

from clustering.binning import study_area
from clustering.gistar import local_gistar
from data.store.repo import public_actions_frame, public_milestones_frame, public_reports_frame
from geo.gazetteer import load_gazetteer
from layers import exports, privacy
from layers.public import public_map
from services import meetings
from services.actions import rolled_up
from services.clock import now


@cache
def address_counts() -> dict[str, int]:
    return privacy.address_counts_by_cell(load_gazetteer().addresses)


def publishable_periods(*, months_back: int = 24) -> list[str]:
    """Months and quarters the lag allows, newest first (what the period filter offers)."""
    latest = privacy.latest_publishable_month(now())
    months, month = [], latest
    for _ in range(months_back):
        months.append(month)
        month = month.previous()
    quarters = sorted({privacy.Quarter(m.year, (m.month - 1) // 3 + 1) for m in months}, reverse=True)
    quarters = [q for q in quarters if now() - q.end >= privacy.PUBLICATION_LAG]
    return [q.label for q in quarters] + [m.label for m in months]


def default_period() -> str:
    """The last full quarter that may be published (the public map opens on it)."""
    return next(p for p in publishable_periods() if "Q" in p)


@dataclass
class PublicView:
    table: privacy.PublicTable
    fmap: folium.Map
    actions: pd.DataFrame
    hotspots: pd.DataFrame | None


def published_hotspots(table: privacy.PublicTable) -> pd.DataFrame | None:
    """Gi* classes (cell, bin) of the city's res-8 cells from the counts the table shows.

    Suppressed cells enter as 0, so the classes are a function of published numbers
    only and reveal nothing the table does not; None when Gi* has too little data.
    """
    shown = table.cells.dropna(subset=["count"]).set_index("unit")["count"].astype(int)
    area = study_area(load_gazetteer().boundary_polygon, table.res)
    counts = pd.Series(0, index=pd.Index(area, name="cell"), dtype="int64")
    counts.loc[counts.index.intersection(shown.index)] = shown.reindex(counts.index.intersection(shown.index))
    result = local_gistar(counts, k=1)
    if not result.ok:
        return None
    return result.table[["cell", "bin"]].loc[lambda t: (t["bin"] != 0) | t["cell"].isin(shown.index)]


def public_actions(engine: Engine) -> pd.DataFrame:
    """Action-plan items with only the public columns: status, the public note, progress
    (rolled up over the public children) and `milestones`, a list of (month, title, text)."""
    actions = public_actions_frame(engine)
    stones = public_milestones_frame(engine)
    by_action: dict[int, list[tuple[str, str, str | None]]] = {}
    for row in stones.sort_values(["month", "id"]).itertuples(index=False):
        by_action.setdefault(int(row.action_id), []).append((row.month, row.title, row.text))
    return actions.assign(progress=rolled_up(actions) if len(actions) else actions["progress"],
                          milestones=[by_action.get(int(a), []) for a in actions["id"]])


def milestone_lines(milestones: list[tuple[str, str, str | None]]) -> str:
    """Milestones as plain lines "YYYY-MM title: text" for a table cell."""
    return "\n".join(f"{month} {title}" + (f": {text}" if text else "") for month, title, text in milestones)


def public_meetings(engine: Engine) -> pd.DataFrame:
    """The public part of closed meetings (month, attendees, organisations, summary, actions agreed)."""
    return meetings.public_meetings(engine)


def _counted_columns(engine: Engine) -> pd.DataFrame:
    """The public view's rows: the public pages never read the reports table itself."""
    return public_reports_frame(engine)


def public_table(engine: Engine, period: str, group: str | None) -> privacy.PublicTable:
    gz = load_gazetteer()
    return privacy.public_counts(_counted_columns(engine), period=privacy.parse_period(period), group=group,
                                 now=now(), address_counts=address_counts(), districts=gz.districts)


def public_view(engine: Engine, period: str, group: str | None, *, lang: str = "uk",
                view: str = "cells") -> PublicView:
    table = public_table(engine, period, group)
    actions = public_actions(engine)
    hotspots = published_hotspots(table)
    fmap = public_map(table, load_gazetteer(), lang=lang, actions=actions, view=view, hotspots=hotspots)
    return PublicView(table, fmap, actions, hotspots)


def public_downloads(engine: Engine, period: str, group: str | None) -> dict[str, str]:
    """CSV, GeoJSON and Open311 requests.json of the same privacy-filtered table."""
    gz = load_gazetteer()
    table = public_table(engine, period, group)
    requests = exports.requests_json(_counted_columns(engine), period=privacy.parse_period(period), group=group,
                                     now=now(), address_counts=address_counts(), districts=gz.districts)
    return {"csv": exports.public_csv(table), "geojson": exports.public_geojson(table, gz), "requests.json": requests}


def today() -> date:
    return now().date()
