"""Downloads per audience; public files are made only from released tables.

Public exports take a :class:`layers.privacy.PublicTable` (summed from released base
cells), the same object the public map draws, so a download can never show more than
the map. Restricted exports check the caller's role
themselves (layers/access.py), whatever the page did before.

Every CSV and XLSX goes through :func:`spreadsheet_frame`: no text cell can be a live
formula (encoders.spreadsheet_cell, the OWASP rule), numbers stay numbers, and times are
in the city's time zone with the zone in the column name. CSV files start with a UTF-8 BOM
so that Excel reads the Cyrillic as UTF-8.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import h3
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from data.city_profile import city_zone
from encoders import spreadsheet_cell
from layers import privacy
from layers.access import require
from layers.basemap import cell_geometry, polygon_geometry
from layers.privacy import PublicTable

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

BOM = "\ufeff"  # the CSV text starts with it; downloads encode text as UTF-8

PUBLIC_COLUMNS = ["period", "group", "unit", "kind", "district", "count", "approximate", "release"]
POLICE_COLUMNS = [
    "id",
    "category",
    "occurred_at",
    "received_at",
    "status",
    "duplicate_of",
    "text",
    "location_text",
    "level",
    "uncertainty_m",
    "lat",
    "lon",
    "street",
    "house",
    "district",
    "h3_r9",
    "status_note",
]


def _public_frame(table: PublicTable) -> pd.DataFrame:
    release = max((v["release"] for v in table.versions), default=None)
    out = table.units.assign(period=table.period.label, group=table.group or "all", approximate=True, release=release)
    return out[PUBLIC_COLUMNS]


def time_label(column: object) -> str:
    """A time column's name with the zone its values are in: 'occurred_at (<the city's time zone>)'."""
    return f"{column} ({city_zone().key})"


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame ready for CSV/XLSX: text neutralised, numbers kept, times in city time.

    Timezone-aware times are shown as city wall-clock time and the column is renamed
    with the zone (:func:`time_label`), so the file says which time it is.
    """
    out = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[time_label(column)] = values.dt.tz_convert(city_zone()).dt.tz_localize(None)
        elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            out[str(column)] = values
        else:
            out[str(column)] = values.map(_cell_value).astype(object)
    return pd.DataFrame(out, index=frame.index)


def _cell_value(value: Any) -> Any:
    """One cell of a text/mixed column: aware times in city time, text neutralised."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert(city_zone()).tz_localize(None)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (bool, int, float, date)) or hasattr(value, "item"):
        return value
    return spreadsheet_cell(value if isinstance(value, str) else str(value))


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV text for a download: BOM first, every cell through spreadsheet_frame."""
    return BOM + spreadsheet_frame(frame).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Frames as sheets of one workbook (bold header row); cells as in :func:`csv_text`.

    Text is stored as text (never openpyxl's formula type), numbers and dates as such.
    """
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title)
        safe = spreadsheet_frame(frame)
        sheet.append([spreadsheet_cell(str(c)) for c in safe.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in safe.itertuples(index=False):
            sheet.append([_xlsx_value(v) for v in row])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for column in sheet.columns:  # as wide as the text (up to a limit), long text wraps
            longest = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, longest + 2))
            for c in column:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        return value.item()  # numpy scalars
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def public_csv(table: PublicTable) -> str:
    """The released table as CSV (UTF-8 with BOM): one row per unit with a released count
    above 0; every count is approximate (Cell Key Method, docs/PRIVACY.md)."""
    return csv_text(_public_frame(table))


def public_geojson(table: PublicTable, gazetteer: Gazetteer) -> str:
    """The released table as GeoJSON: cells as hexagons, rest-of-district units as their district."""
    polygons = {d.id: d.polygon for d in gazetteer.districts}
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
            out.append(
                {
                    "service_request_id": f"{start:%Y%m}-{row.unit}-{row.category_group}-{rank:03d}",
                    "status": "open",
                    "service_code": row.category_group,
                    "service_name": row.category_group,
                    "description": "",
                    "requested_datetime": start.isoformat(),
                    "lat": lat,
                    "long": lon,
                }
            )
    return out


def requests_json(table: PublicTable, district_points: Mapping[str, tuple[float, float]]) -> str:
    """Open311 GeoReport v2 ``requests.json`` of a released table (see :func:`open311_requests`)."""
    return json.dumps(open311_requests(table, district_points), ensure_ascii=False, indent=1)


def police_csv(reports_df: pd.DataFrame, *, role: str | None, headers: Mapping[str, str] | None = None) -> str:
    """Full report detail for patrol planning: police and admin only (raises PermissionError).

    Times are city time (the page shows city time too), labelled in the column names;
    `headers` names the columns in the reader's language (the stored names without it).
    """
    require(role, "police_export")
    cols = [c for c in POLICE_COLUMNS if c in reports_df]
    frame = reports_df[cols].copy()
    for column in ("occurred_at", "received_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return csv_text(frame.rename(columns=dict(headers or {})))


def council_csv(frame: pd.DataFrame, *, role: str | None) -> str:
    """A council table (district counts, rates, survey) as CSV: council roles only."""
    require(role, "council_export")
    return csv_text(frame)
