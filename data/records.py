"""The core records of DESIGN.md as pydantic models, shared by every package.

A parser turns a source into :class:`RawMessage` objects (raw text lives only in memory),
or :class:`Quarantined` entries for what it could not read; the intake pipeline turns a
RawMessage into a :class:`Report`, the one record the store, the analysis and the maps use.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import h3
from pydantic import BaseModel, ConfigDict, Field, field_validator

from data.categories import CATEGORIES
from data.messages import Message

Source = Literal["telegram", "facebook", "csv", "xlsx", "meeting", "form"]
Level = Literal["address", "intersection", "landmark", "street", "district", "none"]
Status = Literal["new", "verified", "rejected"]
OccurredAtSource = Literal["text", "message_time", "given"]
CategorySource = Literal["rule", "model", "moderator"]
SOURCES: tuple[str, ...] = ("telegram", "facebook", "csv", "xlsx", "meeting", "form")
LEVELS: tuple[str, ...] = ("address", "intersection", "landmark", "street", "district", "none")
H3_RESOLUTIONS = (7, 8, 9, 10)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _require_aware(value: datetime | None) -> datetime | None:
    """Naive datetimes are ambiguous (Telegram's `date` is the exporter's local time)."""
    if value is not None and value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware (UTC)")
    return value.astimezone(UTC) if value is not None else None


class RawMessage(BaseModel):
    """One message as a source gives it; `text` is raw and never written to disk."""

    model_config = ConfigDict(frozen=True)

    source: Source
    source_ref: str = Field(min_length=1)
    received_at: datetime
    text: str
    author_id: str | None = None
    location: tuple[float, float] | None = None  # (lat, lon) attached by the sender
    venue_text: str | None = None
    meeting_id: str | None = None
    occurred_at: datetime | None = None  # when the source states it (form, minutes)
    category_hint: str | None = None  # a category the source states (form, hotline)
    extra: dict[str, Any] = Field(default_factory=dict)

    _aware = field_validator("received_at", "occurred_at")(_require_aware)

    @field_validator("location")
    @classmethod
    def _finite_point(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        """A pin must be a real point: NaN or infinity would reach the H3 cells and the map."""
        if value is not None and not (
            math.isfinite(value[0]) and math.isfinite(value[1]) and -90 <= value[0] <= 90 and -180 <= value[1] <= 180
        ):
            raise ValueError(f"location {value} is not a point on Earth")
        return value


class Quarantined(BaseModel):
    """What could not be imported, with a reason a moderator understands (a Message,
    named in the moderator's language at the edge)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    source: str
    source_ref: str
    reason: Message
    excerpt: str = ""  # already redacted
    reporter_hash: str | None = None


class Place(BaseModel):
    """Where something happened, as far as the text and the gazetteer tell: the geocoder's
    answer (geo.geocode -> Match) and every Report carry these ten fields, defined here once."""

    lat: float | None = None
    lon: float | None = None
    level: Level = "none"
    score: float = Field(default=0.0, ge=0.0, le=1.0)
    uncertainty_m: float | None = None
    street: str | None = None
    street2: str | None = None  # the second street of an intersection
    house: str | None = None
    landmark: dict[str, Any] | None = None  # {kind, name, number}
    district: str | None = None


PLACE_FIELDS: tuple[str, ...] = tuple(Place.model_fields)


def place_of(answer: Place) -> dict[str, Any]:
    """The place fields of a geocoder answer (or of another report), to build a Report from.

    >>> place_of(Place(lat=47.5, lon=31.3, level="street", score=0.8, street="Соборності"))["street"]
    'Соборності'
    """
    return {name: getattr(answer, name) for name in PLACE_FIELDS}


class Report(Place):
    """A report as stored: redacted text, placed (the Place fields), classified (field names
    from DESIGN.md)."""

    id: int | None = None
    source: Source
    source_ref: str
    batch_id: int | None = None
    meeting_id: str | None = None
    received_at: datetime
    occurred_at: datetime
    occurred_at_source: OccurredAtSource
    text: str
    reporter_hash: str | None = None
    category: str
    category_source: CategorySource
    location_text: str | None = None
    h3_r7: str | None = None
    h3_r8: str | None = None
    h3_r9: str | None = None
    h3_r10: str | None = None
    status: Status = "new"
    duplicate_of: int | None = None
    status_note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    _aware = field_validator("received_at", "occurred_at", "created_at", "updated_at")(_require_aware)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value


def h3_cells(lat: float | None, lon: float | None) -> dict[str, str | None]:
    """The h3_r7..h3_r10 fields of a report at (lat, lon); all None without a point.
    A new dict each call (callers may change it); the cells come from a cache."""
    return dict(_h3_cells(lat, lon))


@lru_cache(maxsize=1 << 16)
def _h3_cells(lat: float | None, lon: float | None) -> tuple[tuple[str, str | None], ...]:
    """Why cached: the geocoder answers a street, landmark or address with one point, so
    most reports of an import share a few thousand points (four H3 look-ups each)."""
    if lat is None or lon is None:
        return tuple((f"h3_r{r}", None) for r in H3_RESOLUTIONS)
    return tuple((f"h3_r{r}", h3.latlng_to_cell(lat, lon, r)) for r in H3_RESOLUTIONS)
