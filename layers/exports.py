"""Downloads per audience; public files are made only from privacy-filtered objects.

Public exports take a :class:`layers.privacy.PublicTable` (or call
:func:`layers.privacy.open311_requests`), the same objects the public map draws, so a
download can never show more than the map. Restricted exports check the caller's role
themselves (layers/access.py), whatever the page did before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from layers import privacy
from layers.access import require
from layers.basemap import cell_geometry, part, polygon_geometry
from layers.privacy import Period, PublicTable

PUBLIC_COLUMNS = ["period", "group", "unit", "kind", "district", "count", "fewer_than_k", "partial", "k"]
POLICE_COLUMNS = [
    "id", "category", "occurred_at", "received_at", "status", "duplicate_of", "text", "location_text", "level",
    "uncertainty_m", "lat", "lon", "street", "house", "district", "h3_r9", "status_note",
]


def _public_frame(table: PublicTable) -> pd.DataFrame:
    out = table.units.assign(period=table.period.label, group=table.group or "all", k=table.k)
    return out[PUBLIC_COLUMNS]


def public_csv(table: PublicTable) -> str:
    """The public table as CSV (UTF-8): one row per unit, empty count = fewer than k."""
    return _public_frame(table).to_csv(index=False)


def public_geojson(table: PublicTable, gazetteer: Any) -> str:
    """The public table as GeoJSON: cells as hexagons, rest-of-district units as their district."""
    polygons = {d["id"]: d["polygon"] for d in part(gazetteer, "districts")}
    feats = []
    for row in _public_frame(table).to_dict("records"):
        if row["kind"] == "cell":
            geom = cell_geometry(row["unit"])
        elif row["district"] in polygons:
            geom = polygon_geometry(polygons[row["district"]])
        else:
            geom = None
        props = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    """numpy / pandas scalars (bool_, int64) as plain JSON values."""
    return value.item()


def requests_json(
    reports_df: pd.DataFrame,
    *,
    period: Period,
    group: str | None,
    now: datetime,
    address_counts: Mapping[str, int],
    districts: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Open311 GeoReport v2 ``requests.json`` of public statuses (see privacy.open311_requests)."""
    rows = privacy.open311_requests(
        reports_df, period=period, group=group, now=now, address_counts=address_counts, districts=districts
    )
    return json.dumps(rows, ensure_ascii=False, indent=1)


def police_csv(reports_df: pd.DataFrame, *, role: str | None) -> str:
    """Full report detail for patrol planning: police and admin only (raises PermissionError)."""
    require(role, "police_export")
    cols = [c for c in POLICE_COLUMNS if c in reports_df]
    return reports_df[cols].to_csv(index=False)


def council_csv(frame: pd.DataFrame, *, role: str | None) -> str:
    """A council table (district counts, rates, survey) as CSV: council roles only."""
    require(role, "council_export")
    return frame.to_csv(index=False)
