"""The intake's bounds in one place: what a file may cost us before we refuse it.

Every bound has a safe default and an environment override (``HOTSPOTS_INTAKE_<NAME>``,
e.g. ``HOTSPOTS_INTAKE_MAX_FILE_MB=500``), and every refusal names the bound, so a
moderator knows what to change. Why bounds at all: a hostile or careless file (a deeply
nested JSON, a 150 MB spreadsheet cell, a million rows) must cost a bounded amount of
memory and time, never the server. City-specific values (the oldest date, the default
date order) are the city profile's ``[intake]`` section; the study area is the gazetteer's.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from data import clock
from data.city_profile import profile
from data.messages import Message, msg

MB = 1 << 20


@dataclass(frozen=True)
class IntakeBounds:
    """Limits of one import; see the module docstring for the overrides."""

    max_file_mb: float = 1024.0  # bigger files are refused before reading
    max_records: int = 2_000_000  # records read per file; past it the file fails
    max_text_chars: int = 20_000  # longer texts are truncated and flagged, not dropped
    max_json_depth: int = 64  # nesting of a JSON export (real ones stay under 12)
    max_json_string_mb: float = 16.0  # one JSON string; longer texts under it are truncated, not refused
    max_cell_chars: int = 100_000  # one XLSX/CSV cell
    max_cells: int = 50_000_000  # all cells of an XLSX sheet, empty padding included
    first_date: date = date(2015, 1, 1)  # oldest date a record may carry
    future_slack_days: int = 1  # newest: the deployment clock's today + this
    default_date_order: str = "dayfirst"  # for date columns whose values do not decide it

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_json_string_bytes(self) -> int:
        return int(self.max_json_string_mb * MB)

    @property
    def max_cell_bytes(self) -> int:
        """A cell's size in the XML of an XLSX (UTF-8 and entity escapes: <= 6 bytes a char)."""
        return self.max_cell_chars * 6

    def last_date(self, now: datetime | None = None) -> date:
        """Newest acceptable date: the deployment clock's today (demo clock in demo mode) + slack."""
        return ((now or clock.now()).astimezone(UTC) + timedelta(days=self.future_slack_days)).date()

    def date_problem(self, when: datetime, now: datetime | None = None) -> Message | None:
        """Why a record's date cannot be right, or None."""
        day = when.astimezone(UTC).date()
        last = self.last_date(now)
        if day < self.first_date or day > last:
            return msg("date_outside_period", date=day.isoformat(), first=self.first_date.isoformat(), last=str(last))
        return None


def point_problem(lat: Any, lon: Any, inside: Callable[[float, float], bool]) -> Message | None:
    """Why a point cannot be placed in this city, or None; ``inside(lat, lon)`` is the study area."""
    try:
        flat, flon = float(lat), float(lon)
    except (TypeError, ValueError):
        return msg("coords_not_numbers", lat=repr(lat), lon=repr(lon))
    if not (math.isfinite(flat) and math.isfinite(flon)):
        return msg("coords_not_finite", lat=str(flat), lon=str(flon))
    if not (-90 <= flat <= 90 and -180 <= flon <= 180):
        return msg("coords_off_earth", lat=str(flat), lon=str(flon))
    if not inside(flat, flon):
        return msg("point_outside_area", lat=f"{flat:.5f}", lon=f"{flon:.5f}")
    return None


def _parse(kind: type, text: str) -> Any:
    if kind is date or kind == "date":
        return date.fromisoformat(text)
    if kind in (int, "int"):
        return int(text)
    if kind in (float, "float"):
        return float(text)
    return text


def bounds(**overrides: Any) -> IntakeBounds:
    """The bounds in force: defaults and the city profile, then ``HOTSPOTS_INTAKE_*``
    variables, then ``overrides``."""
    values: dict[str, Any] = {}
    for spec in fields(IntakeBounds):
        raw = os.environ.get(f"HOTSPOTS_INTAKE_{spec.name.upper()}")
        if raw:
            try:
                values[spec.name] = _parse(spec.type, raw)  # type: ignore[arg-type]
            except ValueError as exc:
                raise ValueError(f"HOTSPOTS_INTAKE_{spec.name.upper()}={raw!r} is not valid ({exc})") from None
    values.update(overrides)
    city = profile().intake
    values.setdefault("first_date", city.first_date)
    values.setdefault("default_date_order", city.date_order)
    if values.get("default_date_order", "dayfirst") not in ("dayfirst", "monthfirst"):
        raise ValueError("default_date_order must be 'dayfirst' or 'monthfirst'")
    return replace(IntakeBounds(), **values)
