"""Downloads per audience; public files are made only from released tables.

Public exports take a :class:`layers.privacy.PublicTable` (summed from released base
cells), the same object the public map draws, so a download can never show more than
the map. Restricted exports check the caller's role
themselves (layers/access.py), whatever the page did before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import h3
import pandas as pd

from layers import privacy
from layers.access import require
from layers.basemap import cell_geometry, part, polygon_geometry
from layers.privacy import PublicTable

PUBLIC_COLUMNS = ["period", "group", "unit", "kind", "district", "count", "approximate", "release"]
POLICE_COLUMNS = [
    "id", "category", "occurred_at", "received_at", "status", "duplicate_of", "text", "location_text", "level",
    "uncertainty_m", "lat", "lon", "street", "house", "district", "h3_r9", "status_note",
]


def _public_frame(table: PublicTable) -> pd.DataFrame:
    release = max((v["release"] for v in table.versions), default=None)
    out = table.units.assign(period=table.period.label, group=table.group or "all", approximate=True,
                             release=release)
    return out[PUBLIC_COLUMNS]


def public_csv(table: PublicTable) -> str:
    """The released table as CSV (UTF-8): one row per unit with a released count above 0;
    every count is approximate (Cell Key Method, docs/PRIVACY.md)."""
    return _public_frame(table).to_csv(index=False)


def public_geojson(table: PublicTable, gazetteer: Any) -> str:
    """The released table as GeoJSON: cells as hexagons, rest-of-district units as their district."""
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


def open311_requests(table: PublicTable, district_points: Mapping[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """Open311 GeoReport v2-shaped requests drawn from the released base cells only.

    A base cell released as v gives v requests, so the feed's total is the table's total.
    lat/long are the res-8 cell centre (a rest-of-district unit: a point inside its
    district), requested_datetime the first day of the month; ids are the rank inside
    the cell, so no report id, arrival order or status of a single report leaks.
    """
    out: list[dict[str, Any]] = []
    for row in table.base.itertuples(index=False):
        if row.kind == "cell":
            lat, lon = (round(v, 5) for v in h3.cell_to_latlng(row.unit))
        else:
            lat, lon = district_points[row.district]
        start = privacy.parse_period(row.month).start
        for rank in range(1, int(row.value) + 1):
            out.append({
                "service_request_id": f"{start:%Y%m}-{row.unit}-{row.category_group}-{rank:03d}",
                "status": "open",
                "service_code": row.category_group,
                "service_name": row.category_group,
                "description": "",
                "requested_datetime": start.isoformat(),
                "lat": lat,
                "long": lon,
            })
    return out


def requests_json(table: PublicTable, district_points: Mapping[str, tuple[float, float]]) -> str:
    """Open311 GeoReport v2 ``requests.json`` of a released table (see :func:`open311_requests`)."""
    return json.dumps(open311_requests(table, district_points), ensure_ascii=False, indent=1)


def police_csv(reports_df: pd.DataFrame, *, role: str | None) -> str:
    """Full report detail for patrol planning: police and admin only (raises PermissionError)."""
    require(role, "police_export")
    cols = [c for c in POLICE_COLUMNS if c in reports_df]
    return reports_df[cols].to_csv(index=False)


def council_csv(frame: pd.DataFrame, *, role: str | None) -> str:
    """A council table (district counts, rates, survey) as CSV: council roles only."""
    require(role, "council_export")
    return frame.to_csv(index=False)
