"""Hotspot tables for the CLI and the pages: store -> H3 bins -> a clustering method."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import h3
import pandas as pd
from sqlalchemy import Engine

from clustering.binning import edge_length_m
from clustering.hotspots import emerging_counts_table, gistar_counts_table, run
from data.city_profile import city_zone, profile
from data.records import H3_RESOLUTIONS
from data.store import open_store
from data.store.aggregates import binned_counts, report_columns
from geo.gazetteer import load_gazetteer

COUNTING = {"gistar": gistar_counts_table, "emerging": emerging_counts_table}
CITY_METRES = frozenset({"kde", "dbscan", "hdbscan"})  # point methods that measure metres


def month_start(month: str) -> datetime:
    """'2025-03' -> the first instant of that month in the city's time, as UTC."""
    year, mon = (int(x) for x in month.split("-"))
    return datetime(year, mon, 1, tzinfo=city_zone()).astimezone(UTC)


def next_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def hotspot_table(
    method: str = "gistar",
    res: int = 9,
    month_from: str | None = None,
    month_to: str | None = None,
    categories: Sequence[str] | None = None,
    engine: Engine | None = None,
    **params: object,
) -> pd.DataFrame:
    """The cell table of one method over the city; `attrs` say ok/reason and the binning counts.

    Counting methods read GROUP BY counts from the store; point methods read only the
    columns they use. Both give exactly the row path's table (tests/test_store_aggregates.py).
    """
    engine = engine or open_store()
    boundary = load_gazetteer().boundary_polygon
    start = month_start(month_from) if month_from else None
    end = month_start(next_month(month_to)) if month_to else None
    counting = (
        method in COUNTING
        and res in H3_RESOLUTIONS
        and params.get("k", 1) != "auto"
        and (method != "emerging" or params.get("freq", "M") == "M")
    )
    if counting:
        binned = binned_counts(
            engine,
            res=res,
            too_vague_m=edge_length_m(res),
            start=start,
            end=end,
            categories=categories,
            by_month=method == "emerging",
        )
        extra = {k: v for k, v in params.items() if k != "freq"}
        return COUNTING[method](binned, res, boundary, **extra)
    reports = report_columns(engine, start=start, end=end, categories=categories)
    city = profile()
    if method in CITY_METRES:
        params = {"crs": city.metric_crs, **params}
    elif method == "emerging":
        params = {"tz": city.time_zone, **params}
    return run(reports, method, res, boundary, **params)


def write_table(table: pd.DataFrame, out: Path) -> None:
    """CSV as is; GeoJSON with each H3 cell's hexagon as the feature geometry."""
    if out.suffix.lower() == ".csv":
        table.to_csv(out, index=False)
        return
    if out.suffix.lower() != ".geojson":
        raise ValueError(f"unsupported output {out.suffix!r}: use .csv or .geojson")
    features = []
    for row in table.to_dict(orient="records"):
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(row["cell"])]
        props = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        features.append(
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}, "properties": props}
        )
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, default=str),
        encoding="utf-8",
    )
