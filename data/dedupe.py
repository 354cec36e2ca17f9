"""Find reports that repeat an earlier one (reposts, the same post in two channels).

Why: one incident posted in the Facebook group and forwarded to the Telegram chat, or
reported by three neighbours the same morning, must count once, or the hotspot map
rewards whoever shares the most. Two reports are the same when they have the same
category, lie within ``MAX_DISTANCE_M`` (150 m) and ``MAX_GAP`` (48 h) of each other,
and either
* their redacted texts are similar (rapidfuzz ``token_set_ratio`` on normalised text of
  at least ``TEXT_THRESHOLD``): reposts and copies, or
* they lie within ``SAME_PLACE_M`` (30 m) on the same Kyiv calendar day. For very short
  texts (fewer than ``SHORT_TOKENS`` words: "сміття", "знову шумлять") this is the only
  test, since text similarity means nothing there. For longer texts it also needs both
  points to be precise (``uncertainty_m`` at most 30 m, or unknown): two neighbours
  describing the same dump in their own words (the demo's duplicates have a text
  similarity of 30-60) are one event, but two reports placed on the same street
  centroid are not evidence of one.
The first report in time is the original; later ones point to it, never to another
duplicate, so every duplicate lies within 48 h and 150 m of its original and a problem
that persists for weeks is not collapsed into one report. Reports without a point are
never duplicates: "within 150 m" cannot be checked.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from data.when import KYIV

MAX_DISTANCE_M = 150.0
MAX_GAP = timedelta(hours=48)
TEXT_THRESHOLD = 80.0
SHORT_TOKENS = 4
SAME_PLACE_M = 30.0
EARTH_RADIUS_M = 6_371_008.8
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_PLACEHOLDER_RE = re.compile(r"\[[^\]]*\]")
_WORD_RE = re.compile(r"[\w']+")


class CandidateLike(Protocol):
    id: Any
    category: str
    lat: float | None
    lon: float | None
    occurred_at: datetime
    text: str


@dataclass(frozen=True)
class Candidate:
    """Plain report data the de-duplication needs (anything with these fields works)."""

    id: Hashable
    category: str
    lat: float | None
    lon: float | None
    occurred_at: datetime
    text: str
    duplicate_of: Hashable | None = None
    uncertainty_m: float | None = None


class _Norm(NamedTuple):
    """A text as the comparison sees it: its words one space apart, and how many."""

    text: str
    n_words: int


def _norm(text: str) -> _Norm:
    """Lower-case words without placeholders or punctuation: reposts differ in emoji,
    "Переслано з ..." lines and in which PII the redactor replaced."""
    text = _PLACEHOLDER_RE.sub(" ", text.lower().replace("ё", "е").replace("’", "'"))
    words = _WORD_RE.findall(text)
    return _Norm(" ".join(words), len(words))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _precise(uncertainty_m: float | None) -> bool:
    return uncertainty_m is None or math.isnan(uncertainty_m) or uncertainty_m <= SAME_PLACE_M


def _kyiv_day(when: datetime) -> date:
    return when.astimezone(KYIV).date()


def _texts_match(a: _Norm, b: _Norm, same_place: bool, precise: bool) -> bool:
    """Text and same-place rules of the module docstring (``same_place``: within
    SAME_PLACE_M on the same Kyiv day)."""
    if min(a.n_words, b.n_words) < SHORT_TOKENS:
        return same_place
    return (same_place and precise) or fuzz.token_set_ratio(a.text, b.text) >= TEXT_THRESHOLD


def is_duplicate(later: CandidateLike, earlier: CandidateLike) -> bool:
    """Does ``later`` repeat ``earlier`` (the pair rule, regardless of order in time)?"""
    if later.category != earlier.category or None in (later.lat, later.lon, earlier.lat, earlier.lon):
        return False
    if abs(later.occurred_at - earlier.occurred_at) > MAX_GAP:
        return False
    dist = distance_m(later.lat, later.lon, earlier.lat, earlier.lon)  # type: ignore[arg-type]
    if dist > MAX_DISTANCE_M:
        return False
    precise = _precise(getattr(later, "uncertainty_m", None)) and _precise(getattr(earlier, "uncertainty_m", None))
    same_place = dist <= SAME_PLACE_M and _kyiv_day(later.occurred_at) == _kyiv_day(earlier.occurred_at)
    return _texts_match(_norm(later.text), _norm(earlier.text), same_place, precise)


def find_duplicate(candidate: CandidateLike, earlier: Sequence[CandidateLike]) -> Any | None:
    """Id of the earliest report in ``earlier`` that ``candidate`` repeats, else None.

    Reports in ``earlier`` that are themselves duplicates (a non-empty ``duplicate_of``
    attribute) are skipped: duplicates point to originals only.
    """
    matches = [
        e
        for e in earlier
        if getattr(e, "duplicate_of", None) is None
        and e.occurred_at <= candidate.occurred_at
        and is_duplicate(candidate, e)
    ]
    return min(matches, key=lambda e: e.occurred_at).id if matches else None


def _grid_cells(lat: np.ndarray, lon: np.ndarray) -> tuple[list[bool], list[int], list[int]]:
    """Which points are valid, and their MAX_DISTANCE_M grid cell (x, y).

    A local metric grid: metres per degree at the data's mean latitude (error well under
    a metre across a city, and the exact haversine check follows anyway).
    """
    valid = ~(np.isnan(lat) | np.isnan(lon))
    lat0 = float(np.nanmean(lat)) if valid.any() else 0.0
    m_per_deg_lat = math.pi * EARTH_RADIUS_M / 180
    m_per_deg_lon = m_per_deg_lat * math.cos(math.radians(lat0))
    cx = np.floor(np.where(valid, lon, 0) * m_per_deg_lon / MAX_DISTANCE_M).astype(np.int64)
    cy = np.floor(np.where(valid, lat, 0) * m_per_deg_lat / MAX_DISTANCE_M).astype(np.int64)
    return valid.tolist(), cx.tolist(), cy.tolist()


class _Rows:
    """The columns :func:`mark_duplicates` reads, as plain Python values (its loop is
    Python); normalised texts and Kyiv days only for the rows that meet a candidate."""

    def __init__(self, df: pd.DataFrame) -> None:
        times = pd.to_datetime(df["occurred_at"], utc=True).to_numpy(dtype="datetime64[ns]")
        self.order: list[int] = np.argsort(times, kind="stable").tolist()
        self.when: list[int] = times.astype(np.int64).tolist()  # ns: the order and the 48 h window
        lat, lon = df["lat"].to_numpy(dtype=float), df["lon"].to_numpy(dtype=float)
        self.valid, self.cx, self.cy = _grid_cells(lat, lon)
        self.lon = lon.tolist()
        # distance_m's per-point terms, worked out once per row (the same floats)
        self._phi = [math.radians(x) for x in lat.tolist()]
        self._cos_phi = [math.cos(p) for p in self._phi]
        self.ids: list[Any] = df["id"].to_numpy(dtype=object).tolist()
        self.cats: list[Any] = df["category"].to_numpy(dtype=object).tolist()
        self._raw_texts: list[str] = df["text"].fillna("").astype(str).tolist()
        if "uncertainty_m" in df:
            uncertainty = pd.to_numeric(df["uncertainty_m"], errors="coerce").to_numpy(dtype=float)
            self.precise = [_precise(u) for u in uncertainty]
        else:
            self.precise = [True] * len(df)
        self._texts: dict[int, _Norm] = {}
        self._days: dict[int, date] = {}

    def _text(self, k: int) -> _Norm:
        self._texts[k] = _norm(self._raw_texts[k])
        return self._texts[k]

    def _day(self, k: int) -> date:
        self._days[k] = _kyiv_day(_EPOCH + timedelta(microseconds=self.when[k] // 1000))
        return self._days[k]

    def first_repeated(self, i: int, cell: Iterable[int], before: int | None) -> int | None:
        """The first row of ``cell`` (in time order, earlier than ``before`` ns) that row
        ``i`` repeats; the cell holds rows of i's category from the 48 h before it.

        Runs for every pair of neighbours (millions in a big import), hence inlined:
        :func:`distance_m` with its per-row terms (the same floats).
        """
        when, phi, cos_phi, lon = self.when, self._phi, self._cos_phi, self.lon
        phi_i, cos_i, lon_i = phi[i], cos_phi[i], lon[i]
        for j in cell:
            if before is not None and when[j] >= before:
                return None
            dp, dl = phi[j] - phi_i, math.radians(lon[j] - lon_i)
            a = math.sin(dp / 2) ** 2 + cos_i * cos_phi[j] * math.sin(dl / 2) ** 2
            dist = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
            if dist <= MAX_DISTANCE_M and self._texts_repeat(i, j, dist):
                return j
        return None

    def _texts_repeat(self, i: int, j: int, dist: float) -> bool:
        days, texts = self._days, self._texts
        same_place = dist <= SAME_PLACE_M and (days.get(i) or self._day(i)) == (days.get(j) or self._day(j))
        text_i, text_j = texts.get(i) or self._text(i), texts.get(j) or self._text(j)
        return _texts_match(text_i, text_j, same_place, self.precise[i] and self.precise[j])


def mark_duplicates(df: pd.DataFrame) -> pd.Series:
    """``duplicate_of`` for every row of an import (None for originals).

    ``df`` needs columns id, category, lat, lon, occurred_at (aware datetimes), text,
    and may have uncertainty_m (the geocoder's, for the same-place rule).
    Rows are processed in time order; candidates come from a grid of 150 m cells per
    category (the 3 x 3 block around a report holds every point within 150 m) and only
    originals of the last 48 h stay in the grid, so the cost grows with the number of
    reports, not its square.
    """
    out = pd.Series([None] * len(df), index=df.index, dtype=object, name="duplicate_of")
    if df.empty:
        return out
    rows = _Rows(df)
    when, cats, cx, cy = rows.when, rows.cats, rows.cx, rows.cy
    max_gap = MAX_GAP // timedelta(microseconds=1) * 1000
    grid: dict[tuple[Any, int, int], deque[int]] = defaultdict(deque)
    result: list[Any] = [None] * len(df)
    for i in rows.order:
        if not rows.valid[i]:
            continue
        best: int | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                cell = grid.get((cats[i], cx[i] + dx, cy[i] + dy))
                if not cell:
                    continue
                while cell and when[i] - when[cell[0]] > max_gap:
                    cell.popleft()
                # only a match earlier than the best so far can replace it
                j = rows.first_repeated(i, cell, when[best] if best is not None else None)
                if j is not None:
                    best = j
        if best is None:
            grid[(cats[i], cx[i], cy[i])].append(i)
        else:
            result[i] = rows.ids[best]
    out[:] = result
    return out
