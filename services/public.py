"""The residents' view: read from the frozen public releases only (services/releases.py).

Nothing here counts reports: every number is a sum of released, perturbed base cells, so
the page, the CSV/GeoJSON downloads, the Open311 feed and ``cli.py public export`` show
the same numbers, and a month's numbers change only when a newer release revises it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import folium
import pandas as pd
from shapely.geometry import Polygon
from sqlalchemy import Engine

from clustering.binning import study_area
from clustering.gistar import local_gistar
from data.categories import GROUPS
from data.store.db import public_engine
from data.store.repo import (
    public_actions_frame,
    public_milestones_frame,
    release_cells_frame,
    release_months_frame,
    releases_frame,
)
from geo.gazetteer import load_gazetteer
from layers import exports, privacy
from layers.public import public_map
from services import meetings
from services.actions import rolled_up
from services.clock import now
from services.releases import latest_versions


@cache
def address_counts() -> dict[str, int]:
    return privacy.address_counts_by_cell(load_gazetteer().addresses)


def _reader(engine: Engine | None) -> Engine:
    return engine if engine is not None else public_engine()


def released_months(engine: Engine | None = None, *, as_of: int | None = None) -> pd.DataFrame:
    """Per released month, the release and revision the public sees (as of release ``as_of``)."""
    return latest_versions(release_months_frame(_reader(engine)), as_of=as_of)


def latest_release(engine: Engine | None = None) -> int | None:
    releases = releases_frame(_reader(engine))
    return int(releases["id"].max()) if len(releases) else None


def periods_of(months: list[str]) -> list[str]:
    """Released months and the fixed quarters all of whose months are released, newest first."""
    have = set(months)
    quarters = {privacy.Quarter(int(m[:4]), (int(m[5:]) - 1) // 3 + 1) for m in months}
    full = [q for q in quarters if all(m.label in have for m in q.months)]
    return [q.label for q in sorted(full, reverse=True)] + sorted(have, reverse=True)


def publishable_periods(engine: Engine | None = None, *, months_back: int = 24, as_of: int | None = None) -> list[str]:
    """Released months (the newest ``months_back``) and their full quarters, newest first."""
    months = sorted(released_months(engine, as_of=as_of)["month"].astype(str), reverse=True)[:months_back]
    return periods_of(months)


def default_period(engine: Engine | None = None) -> str | None:
    """The month of the latest release (the public map opens on it); None before any release."""
    releases = releases_frame(_reader(engine))
    return str(releases.loc[releases["id"].idxmax(), "month"]) if len(releases) else None


def public_table(
    engine: Engine | None, period: str, group: str | None, *, as_of: int | None = None
) -> privacy.PublicTable:
    """The public table of a released period and group, as of release ``as_of`` (default: newest)."""
    parsed = privacy.parse_period(period)
    group = privacy.check_group(group)
    versions = released_months(engine, as_of=as_of)
    versions = versions.loc[versions["month"].isin([m.label for m in parsed.months])]
    if len(versions) < len(parsed.months):
        raise privacy.PrivacyError(f"{parsed.label} has not been released (see `cli.py release publish`)")
    published = releases_frame(_reader(engine)).set_index("id")["published_at"]
    rows = release_cells_frame(_reader(engine), zip(versions["release_id"], versions["month"], strict=True))
    info = [
        {
            "month": v.month,
            "release": int(v.release_id),
            "revision": int(v.revision),
            "published_at": published[int(v.release_id)].isoformat(),
        }
        for v in versions.itertuples(index=False)
    ]
    return privacy.public_table(rows, period=parsed, group=group, versions=info)


@dataclass
class PublicView:
    table: privacy.PublicTable
    fmap: folium.Map
    actions: pd.DataFrame
    hotspots: pd.DataFrame | None


def published_hotspots(table: privacy.PublicTable) -> pd.DataFrame | None:
    """Gi* classes (cell, bin) of the city's res-8 cells from the released counts only.

    Cells without a released count enter as 0, so the classes are a function of published
    numbers and reveal nothing the table does not; None when Gi* has too little data.
    """
    shown = table.cells.set_index("unit")["count"].astype(int)
    area = study_area(load_gazetteer().boundary_polygon, table.res)
    counts = pd.Series(0, index=pd.Index(area, name="cell"), dtype="int64")
    inside = counts.index.intersection(shown.index)
    counts.loc[inside] = shown.reindex(inside)
    result = local_gistar(counts, k=1)
    if not result.ok:
        return None
    return result.table[["cell", "bin"]].loc[lambda t: (t["bin"] != 0) | t["cell"].isin(shown.index)]


def default_view(hotspots: pd.DataFrame | None) -> str:
    """Hotspots when the period has a significant cluster, else the cells (never a blank map)."""
    return "hotspots" if hotspots is not None and (hotspots["bin"] != 0).any() else "cells"


def public_actions(engine: Engine | None = None) -> pd.DataFrame:
    """Action-plan items with only the public columns (live, not released counts): status,
    the public note, progress (rolled up over the public children) and `milestones`, a
    list of (month, title, text)."""
    reader = _reader(engine)
    actions = public_actions_frame(reader)
    stones = public_milestones_frame(reader)
    by_action: dict[int, list[tuple[str, str, str | None]]] = {}
    for row in stones.sort_values(["month", "id"]).itertuples(index=False):
        by_action.setdefault(int(row.action_id), []).append((row.month, row.title, row.text))
    return actions.assign(
        progress=rolled_up(actions) if len(actions) else actions["progress"],
        milestones=[by_action.get(int(a), []) for a in actions["id"]],
    )


def milestone_lines(milestones: list[tuple[str, str, str | None]]) -> str:
    """Milestones as plain lines "YYYY-MM title: text" for a table cell."""
    return "\n".join(f"{month} {title}" + (f": {text}" if text else "") for month, title, text in milestones)


def public_meetings(engine: Engine | None = None) -> pd.DataFrame:
    """The public part of closed meetings (month, attendees, organisations, summary, actions agreed)."""
    return meetings.public_meetings(_reader(engine))


def public_view(
    engine: Engine | None,
    period: str,
    group: str | None,
    *,
    lang: str = "uk",
    view: str | None = "cells",
    as_of: int | None = None,
) -> PublicView:
    """Map, table and actions of a released period; ``view=None`` picks :func:`default_view`."""
    table = public_table(engine, period, group, as_of=as_of)
    actions = public_actions(engine)
    hotspots = published_hotspots(table)
    fmap = public_map(
        table, load_gazetteer(), lang=lang, actions=actions, view=view or default_view(hotspots), hotspots=hotspots
    )
    return PublicView(table, fmap, actions, hotspots)


def district_points() -> dict[str, tuple[float, float]]:
    """A point inside each microdistrict: where the feed places its rest-of-district units."""
    return {str(d.id): _inside(d.polygon) for d in load_gazetteer().districts}


def _inside(polygon: Sequence[tuple[float, float]]) -> tuple[float, float]:
    p = Polygon(polygon).representative_point()
    return round(p.y, 5), round(p.x, 5)


def public_downloads(
    engine: Engine | None, period: str, group: str | None, *, as_of: int | None = None
) -> dict[str, str]:
    """CSV, GeoJSON and Open311 requests.json of the same released table."""
    table = public_table(engine, period, group, as_of=as_of)
    return downloads_of(table)


def downloads_of(table: privacy.PublicTable) -> dict[str, str]:
    gz = load_gazetteer()
    return {
        "csv": exports.public_csv(table),
        "geojson": exports.public_geojson(table, gz),
        "requests.json": exports.requests_json(table, district_points()),
    }


def all_groups() -> list[str | None]:
    return [None, *GROUPS]


def today() -> date:
    return now().date()
