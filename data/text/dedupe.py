"""Find reports that repeat an earlier one (reposts, the same post in two channels).

Why: one incident posted in the Facebook group and forwarded to the Telegram chat, or
reported by three neighbours the same morning, must count once, or the hotspot map
rewards whoever shares the most. Two reports are the same when they have the same
category, lie within ``MAX_DISTANCE_M`` (150 m) and ``MAX_GAP`` (48 h) of each other,
and either
* their redacted texts are similar (rapidfuzz ``token_set_ratio`` on normalised text of
  at least ``TEXT_THRESHOLD``): reposts and copies, or
* they lie within ``SAME_PLACE_M`` (30 m) on the same local calendar day (the city profile's time zone). For very short
  texts (fewer than ``SHORT_TOKENS`` words: "сміття", "знову шумлять") this is the only
  test, since text similarity means nothing there. For longer texts it also needs both
  points to be precise (``uncertainty_m`` at most 30 m, or unknown): two neighbours
  describing the same dump in their own words (the demo's duplicates have a text
  similarity of 30-60) are one event, but two reports placed on the same street
  centroid are not evidence of one.
Reports at different house numbers, or at different landmarks, are never duplicates:
forty complaints about forty houses of one street in two days are forty problems, however
alike their words and however close the street's centroid puts them. The house and the
landmark come from the geocoder's columns (``house``, ``landmark``) when a frame has
them, else from the text ("буд. 12", "Соборності, 14", "школа №5", «АТБ»).
The first report in time is the original; later ones point to it, never to another
duplicate, so every duplicate lies within 48 h and 150 m of its original and a problem
that persists for weeks is not collapsed into one report. Reports at the same moment
are ordered by their content (source reference, text, category, point), never by their
position in the input, so the same reports get the same marks in any import order.
Reports without a point are never duplicates: "within 150 m" cannot be checked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from data.city_profile import city_zone
from data.text.dedupe_bound import may_reach, text_features
from data.text.dedupe_pairs import DISTANCE_TOLERANCE_M, near_pairs

MAX_DISTANCE_M = 150.0
MAX_GAP = timedelta(hours=48)
TEXT_THRESHOLD = 80.0
SHORT_TOKENS = 4
SAME_PLACE_M = 30.0
EARTH_RADIUS_M = 6_371_008.8
SCORE_THREADS = 1  # rapidfuzz threads for the text scores: the import spreads its slices over its pool instead


_PLACEHOLDER_RE = re.compile(r"\[[^\]]*\]")
_WORD_RE = re.compile(r"[\w']+")

# A house number after a house word, or right after a street's name ("Соборності, 14",
# "вул. Шевченка 3а"), unless a unit follows ("3 дні", "5 машин").
# A letter after the number is part of it when attached ("12а", "12-Б") or set apart
# only by a space before punctuation ("12 а,"): "12 і 14", "12 в дворі" are words.
_NUMBER = (
    r"(\d{1,4}(?:-?[абвгдеєжзикАБВГДЕЄЖЗИКabvgdezik](?![\w])|\s[абвгдеєжзикАБВГДЕЄЖЗИК](?=[,.;:)!?]|$))?(?:/\d{1,3})?)"
)
_UNITS = (
    r"(?!\s*(?:рок\w*|рік|лет|год\w*|раз\w*|хв\w*|мин\w*|час\w*|годин\w*|грн|кг|м|км|дн\w*|ден\w*|тиж\w*|"
    r"недел\w*|місяц\w*|месяц\w*|машин\w*|авто\w*|собак\w*|люд\w*|чол\w*|раз\w*|штук\w*|шт|%)\b)"
)
_HOUSE_RES = (
    re.compile(rf"(?i)(?<![\w])(?:буд(?:инок|инку|инка)?\.?|д\.|дом[аеу]?)\s*№?\s*{_NUMBER}(?![\d])"),
    re.compile(rf"[А-ЯЄІЇҐ][а-яєіїґ'’ʼ\-]{{2,}},?\s{_NUMBER}(?!\d)(?![:.,]\d){_UNITS}"),
)
# Numbered landmarks ("школа №5", "ліцею 2", "аптека № 4") and names in quotes («АТБ»).
_LANDMARK_RES = (
    re.compile(r"(?i)(школ|ліце|лице|гімназ|гимназ|садо?к|садик|аптек|лікарн|больниц)\w*\s*№?\s*(\d{1,3})(?![\d])"),
    re.compile(r"«([^»]{2,40})»"),
)


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
    house: str | None = None
    landmark: dict[str, Any] | None = None


class _Norm(NamedTuple):
    """A text as the comparison sees it: its words one space apart, and how many."""

    text: str
    n_words: int


def _words(text: str) -> list[str]:
    """Lower-case words without placeholders or punctuation: reposts differ in emoji,
    "Переслано з ..." lines and in which PII the redactor replaced."""
    text = _PLACEHOLDER_RE.sub(" ", text.lower().replace("ё", "е").replace("’", "'"))
    return _WORD_RE.findall(text)


def _norm(text: str) -> _Norm:
    words = _words(text)
    return _Norm(" ".join(words), len(words))


def _token_set_norm(text: str) -> _Norm:
    """:func:`_norm` with each word once, sorted: ``token_set_ratio`` reads only the set
    of words, so it scores the same, and sooner (it splits and sorts nothing new)."""
    words = _words(text)
    return _Norm(" ".join(sorted(set(words))), len(words))


_SEPARATOR = "\x00"
_PLACEHOLDER_IN_ONE_RE = re.compile(r"\[[^\]\x00]*\]")  # _PLACEHOLDER_RE, never across _SEPARATOR


def _token_set_norms(texts: list[str]) -> tuple[list[str], list[int]]:
    """:func:`_token_set_norm` of many texts (its text and word count, each in a list).

    Why: a slice of a dense import has tens of thousands of texts; folding the case and
    blanking the placeholders of all of them in one string (split after) saves four
    calls a text. When a text holds the separator, each text goes on its own.
    """
    joined = _SEPARATOR.join(texts)
    if not texts or joined.count(_SEPARATOR) != len(texts) - 1:
        norms = [_token_set_norm(text) for text in texts]
        return [norm.text for norm in norms], [norm.n_words for norm in norms]
    folded = joined.lower().replace("ё", "е").replace("’", "'")  # no case rule reads across a NUL
    findall, set_texts, counts = _WORD_RE.findall, [], []
    for piece in _PLACEHOLDER_IN_ONE_RE.sub(" ", folded).split(_SEPARATOR):
        words = findall(piece)
        set_texts.append(" ".join(sorted(set(words))))
        counts.append(len(words))
    return set_texts, counts


_HOUSE_KEY_RE = re.compile(r"[\s\-]")


def _house_key(house: str) -> str:
    return _HOUSE_KEY_RE.sub("", house.lower()).replace("a", "а")


def houses_in(text: str) -> frozenset[str]:
    """House numbers a text names (normalised: "12-А" and "12а" are one house)."""
    return frozenset(_house_key(m.group(1)) for regex in _HOUSE_RES for m in regex.finditer(text))


def landmarks_in(text: str) -> frozenset[str]:
    """Numbered landmarks ("школ 5") and quoted names ("атб") a text names."""
    found = {f"{m.group(1).lower()[:4]} {m.group(2)}" for m in _LANDMARK_RES[0].finditer(text)}
    return frozenset(found | {m.group(1).strip().lower() for m in _LANDMARK_RES[1].finditer(text)})


def _landmark_key(landmark: Any) -> frozenset[str]:
    """The geocoder's landmark ({kind, name, number}, possibly as JSON text) as a key."""
    return _landmark_text_key(landmark) if isinstance(landmark, str) else _landmark_object_key(landmark)


@lru_cache(maxsize=4096)
def _landmark_text_key(text: str) -> frozenset[str]:
    """:func:`_landmark_key` of JSON text: the geocoder's landmarks recur in every slice
    of an import (a few hundred of them), so each text is parsed once."""
    try:
        landmark = json.loads(text)
    except ValueError:
        return frozenset({text.strip().lower()})
    return _landmark_object_key(landmark)


def _landmark_object_key(landmark: Any) -> frozenset[str]:
    if not isinstance(landmark, dict) or not landmark:
        return frozenset()
    return frozenset({"|".join(str(landmark.get(k) or "").lower() for k in ("kind", "name", "number"))})


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value != ""


class _Place(NamedTuple):
    """Where a report says it happened, finer than its point: houses and landmarks."""

    houses: frozenset[str]
    landmarks: frozenset[str]


def place_of(text: str, house: Any = None, landmark: Any = None) -> _Place:
    """The geocoder's house and landmark when given, else what the text names."""
    houses = frozenset({_house_key(str(house))}) if _given(house) else houses_in(text)
    landmarks = _landmark_key(landmark) if _given(landmark) else frozenset()
    return _Place(houses, landmarks or landmarks_in(text))


def different_places(a: _Place, b: _Place) -> bool:
    """Both name a house (or a landmark) and they name different ones."""
    return bool(a.houses and b.houses and not a.houses & b.houses) or bool(
        a.landmarks and b.landmarks and not a.landmarks & b.landmarks
    )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _precise(uncertainty_m: float | None) -> bool:
    return uncertainty_m is None or math.isnan(uncertainty_m) or uncertainty_m <= SAME_PLACE_M


def _kyiv_day(when: datetime) -> date:
    return when.astimezone(city_zone()).date()


def _texts_match(a: _Norm, b: _Norm, same_place: bool, precise: bool) -> bool:
    """Text and same-place rules of the module docstring (``same_place``: within
    SAME_PLACE_M on the same local day)."""
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
    if different_places(_candidate_place(later), _candidate_place(earlier)):
        return False
    precise = _precise(getattr(later, "uncertainty_m", None)) and _precise(getattr(earlier, "uncertainty_m", None))
    same_place = dist <= SAME_PLACE_M and _kyiv_day(later.occurred_at) == _kyiv_day(earlier.occurred_at)
    return _texts_match(_norm(later.text), _norm(earlier.text), same_place, precise)


def _candidate_place(c: CandidateLike) -> _Place:
    return place_of(c.text, getattr(c, "house", None), getattr(c, "landmark", None))


def find_duplicate(candidate: CandidateLike, earlier: Sequence[CandidateLike]) -> Any | None:
    """Id of the earliest report in ``earlier`` that ``candidate`` repeats, else None.

    Reports in ``earlier`` that are themselves duplicates (a non-empty ``duplicate_of``
    attribute) are skipped: duplicates point to originals only.
    """
    matches = [
        e
        for e in earlier
        if getattr(e, "duplicate_of", None) is None
        and e is not candidate
        and _order_key(e) <= _order_key(candidate)
        and is_duplicate(candidate, e)
    ]
    return min(matches, key=_order_key).id if matches else None


def _grid_cells(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return valid, cx, cy


def content_key(source: Any, source_ref: Any, text: str, category: Any, lat: Any, lon: Any) -> tuple[str, ...]:
    """Orders reports of the same moment by what they are, not where they sit in a file."""
    return (str(source or ""), str(source_ref or ""), text, str(category), repr(lat), repr(lon))


def _order_key(c: CandidateLike) -> tuple[datetime, tuple[str, ...]]:
    return c.occurred_at, content_key(
        getattr(c, "source", ""), getattr(c, "source_ref", ""), c.text, c.category, c.lat, c.lon
    )


# one-byte codes that rapidfuzz does not split on (it splits on whitespace only)
_ONE_BYTE_CODES = [code for code in range(0x21, 0x100) if code not in (0x85, 0xA0)]


def _one_byte(texts: list[str]) -> list[str]:
    """Normalised texts with their characters (the space aside) relabelled, in order, onto
    one-byte codes, when there are few enough distinct ones (else unchanged).

    ``token_set_ratio`` reads only which words are equal, their sorted order and which
    characters are equal, all of which an order-keeping relabelling keeps, so it scores
    the same; and a third sooner, on rapidfuzz's path for one-byte strings.
    """
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not codes.size:
        return texts
    present = np.flatnonzero(np.bincount(codes))  # the distinct characters, in order (no sort)
    chars = present[present != ord(" ")]
    if len(chars) > len(_ONE_BYTE_CODES):
        return texts
    table = np.zeros(max(int(present[-1]), ord(" ")) + 1, dtype=np.uint8)
    table[ord(" ")] = ord(" ")
    table[chars] = _ONE_BYTE_CODES[: len(chars)]
    relabelled = table[codes].tobytes().decode("latin-1")
    ends = np.cumsum([len(text) for text in texts]).tolist()
    return [relabelled[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _given_place_codes(houses: list[Any], landmarks: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, a code of the house and of the landmark the geocoder gave (-1: none, the
    text decides): two rows with different codes of either are different places
    (:func:`place_of`, :func:`different_places`) whatever their texts say."""
    codes: dict[str | None, int] = {None: -1}
    return _codes(houses, _given_house_key, codes), _codes(landmarks, _given_landmark_key, codes)


def _given_house_key(house: Any) -> str | None:
    return _house_key(str(house)) if _given(house) else None


def _given_landmark_key(landmark: Any) -> str | None:
    key = _landmark_key(landmark) if _given(landmark) else frozenset()
    return next(iter(key)) if key else None


def _codes(values: list[Any], key: Callable[[Any], str | None], codes: dict[str | None, int]) -> np.ndarray:
    """Per value, the code in ``codes`` of its ``key`` (a new key takes the next code;
    a missing value is -1): each distinct value is keyed once, found by pandas' hashing
    rather than a Python loop over the rows."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    try:
        positions, uniques = pd.factorize(array)
    except TypeError:  # unhashable values (landmarks as dicts, a frame built in memory): one by one
        return np.fromiter((codes.setdefault(key(v), len(codes)) for v in values), dtype=np.int64, count=len(values))
    table = np.array([*(codes.setdefault(key(u), len(codes)) for u in uniques), -1], dtype=np.int64)
    return table[positions]  # a missing value's position is -1: the table's last entry


def _local_days(times: np.ndarray, zone: tzinfo) -> np.ndarray:
    """The local calendar day (days since 1970-01-01) of each UTC instant, in ``zone``:
    what :func:`_kyiv_day` gives, for a whole frame at once."""
    local = pd.DatetimeIndex(times).tz_localize("UTC").tz_convert(zone).tz_localize(None)
    return local.to_numpy(dtype="datetime64[D]").astype(np.int64)


class _Rows:
    """The columns :func:`mark_duplicates` reads: as numpy arrays for the steps done on
    all pairs at once, as plain Python values for its loop; places only for the rows
    whose text matched a candidate."""

    def __init__(self, df: pd.DataFrame, norms: dict[Hashable, tuple[str, int]] | None = None) -> None:
        times = pd.to_datetime(df["occurred_at"], utc=True).to_numpy(dtype="datetime64[ns]")
        self.when: list[int] = times.astype(np.int64).tolist()  # ns: the order and the 48 h window
        lat, lon = df["lat"].to_numpy(dtype=float), df["lon"].to_numpy(dtype=float)
        self.lat, self.lon = lat, lon
        self.ids: list[Any] = df["id"].to_numpy(dtype=object).tolist()
        self.cats: list[Any] = df["category"].to_numpy(dtype=object).tolist()
        self._raw_texts: list[str] = df["text"].fillna("").astype(str).tolist()
        if "uncertainty_m" in df:  # _precise of each, at once
            uncertainty = pd.to_numeric(df["uncertainty_m"], errors="coerce").to_numpy(dtype=float)
            self.precise_array = np.isnan(uncertainty) | (uncertainty <= SAME_PLACE_M)
        else:
            self.precise_array = np.ones(len(df), dtype=bool)
        self.precise: list[bool] = self.precise_array.tolist()
        self._set_texts, self._word_counts = self._normalised(norms)
        self.norm_texts = _one_byte(self._set_texts)
        self.n_words = np.asarray(self._word_counts, dtype=np.int64)
        self.local_day = _local_days(times, city_zone())
        none = [None] * len(df)
        self._house = df["house"].to_numpy(dtype=object).tolist() if "house" in df else none
        self._landmark = df["landmark"].to_numpy(dtype=object).tolist() if "landmark" in df else none
        self.house_code, self.landmark_code = _given_place_codes(self._house, self._landmark)
        self.order = self._ordered(df, times)
        self.places: dict[int, _Place] = {}

    def _normalised(self, norms: dict[Hashable, tuple[str, int]] | None) -> tuple[list[str], list[int]]:
        """:func:`_token_set_norms` of the texts; with ``norms`` (id -> both, ids unique),
        only of the rows it lacks, which it then gets."""
        if norms is None:
            return _token_set_norms(self._raw_texts)
        missing = [k for k, i in enumerate(self.ids) if i not in norms]
        for k, text, count in zip(missing, *_token_set_norms([self._raw_texts[k] for k in missing]), strict=True):
            norms[self.ids[k]] = (text, count)
        found = [norms[i] for i in self.ids]
        return [text for text, _ in found], [count for _, count in found]

    def _ordered(self, df: pd.DataFrame, times: np.ndarray) -> list[int]:
        """Time order; reports of the same moment by :func:`content_key` (only those)."""
        by_time = np.argsort(times, kind="stable")
        sorted_times = times[by_time]
        tied_next = np.flatnonzero(sorted_times[1:] == sorted_times[:-1])  # k ties with k + 1
        order: list[int] = by_time.tolist()
        if not len(tied_next):
            return order
        source = df["source"].tolist() if "source" in df else [""] * len(df)
        ref = df["source_ref"].tolist() if "source_ref" in df else [""] * len(df)
        lat, lon = self.lat.tolist(), self.lon.tolist()
        breaks = np.diff(tied_next) > 1
        firsts = tied_next[np.concatenate(([True], breaks))].tolist()
        lasts = (tied_next[np.concatenate((breaks, [True]))] + 1).tolist()
        for first, last in zip(firsts, lasts, strict=True):
            order[first : last + 1] = sorted(
                order[first : last + 1],
                key=lambda i: content_key(source[i], ref[i], self._raw_texts[i], self.cats[i], lat[i], lon[i]),
            )
        return order

    def place(self, k: int) -> _Place:
        self.places[k] = place_of(self._raw_texts[k], self._house[k], self._landmark[k])
        return self.places[k]

    def exact_distance(self, i: int, j: int) -> float:
        """:func:`distance_m` of two rows, for a distance numpy left too close to call."""
        return distance_m(self.lat[i], self.lon[i], self.lat[j], self.lon[j])

    def texts_repeat(self, i: int, j: int, dist: float) -> bool:
        """The rules of :func:`_texts_match` for two rows ``dist`` metres apart."""
        same_place = dist <= SAME_PLACE_M and self.local_day[i] == self.local_day[j]
        a, b = (_Norm(self._set_texts[k], self._word_counts[k]) for k in (i, j))
        return _texts_match(a, b, same_place, self.precise[i] and self.precise[j])


_REJECT, _ACCEPT, _SCORE, _RECHECK = 0, 1, 2, 3  # what a pair needs before the places


class _Judged(NamedTuple):
    """The pairs :func:`mark_duplicates` must judge, grouped by query in processing
    order (``owner``: the query's index in ``queries``), each query's earlier partners
    ``partner`` (rows) in order, with each pair's ``verdict``."""

    owner: np.ndarray
    partner: np.ndarray
    verdict: np.ndarray


def _judged_pairs(rows: _Rows, queries: list[int]) -> _Judged:
    """The candidates of each row of ``queries`` (positions in ``rows.order``) with what
    the distance, the local day, the word counts, the precision and a bound on the text
    score already decide (the rules of :func:`_texts_match`, applied to all pairs at
    once); pairs rejected there are left out. A distance within DISTANCE_TOLERANCE_M of a threshold is
    rechecked in the loop with :func:`distance_m`."""
    order = np.asarray(rows.order, dtype=np.int64)
    _, cx, cy = _grid_cells(rows.lat, rows.lon)
    categories = pd.factorize(pd.Series(rows.cats, dtype=object), use_na_sentinel=False)[0]
    phi = np.radians(rows.lat)
    at = np.asarray(queries, dtype=np.int64)
    pairs = near_pairs(
        at,
        categories[order],
        cx[order],
        cy[order],
        np.asarray(rows.when, dtype=np.int64)[order],
        MAX_GAP // timedelta(microseconds=1) * 1000,
        phi[order],
        np.cos(phi)[order],
        rows.lon[order],
        MAX_DISTANCE_M,
        EARTH_RADIUS_M,
    )
    owner = np.repeat(np.arange(len(queries)), np.diff(pairs.start))
    i, j, dist = order[at[owner]], order[pairs.earlier], pairs.distance
    close = (dist <= SAME_PLACE_M) & (rows.local_day[i] == rows.local_day[j])
    short = np.minimum(rows.n_words[i], rows.n_words[j]) < SHORT_TOKENS
    verdict = np.where(
        short,
        np.where(close, _ACCEPT, _REJECT),
        np.where(close & rows.precise_array[i] & rows.precise_array[j], _ACCEPT, _SCORE),
    )
    near_threshold = (np.abs(dist - MAX_DISTANCE_M) <= DISTANCE_TOLERANCE_M) | (
        np.abs(dist - SAME_PLACE_M) <= DISTANCE_TOLERANCE_M
    )
    verdict[near_threshold] = _RECHECK
    for code in (rows.house_code, rows.landmark_code):
        verdict[(code[i] >= 0) & (code[j] >= 0) & (code[i] != code[j])] = _REJECT  # different places
    scored = np.flatnonzero(verdict == _SCORE)
    if len(scored):  # the texts surely too far apart for the threshold (data.text.dedupe_bound)
        reach = may_reach(text_features(rows.norm_texts), i[scored], j[scored], TEXT_THRESHOLD)
        verdict[scored[~reach]] = _REJECT
    kept = verdict != _REJECT
    return _Judged(owner[kept], j[kept], verdict[kept])


# scores this far below the threshold come back as 0: those at or above it come back exact
_SCORE_CUTOFF = TEXT_THRESHOLD - 1


def _texts_score(texts: list[str], i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``token_set_ratio`` of each pair of texts ``(i[t], j[t])``, in rapidfuzz's own
    loop (no Python call per pair; in threads, which release the GIL); a score below
    _SCORE_CUTOFF may be given as 0, which changes no comparison with the threshold."""
    if not len(i):
        return np.zeros(0, dtype=np.float64)
    table = np.asarray(texts, dtype=object)
    return process.cpdist(
        table[i],
        table[j],
        scorer=fuzz.token_set_ratio,
        score_cutoff=_SCORE_CUTOFF,
        dtype=np.float64,  # float32 could round a score just below the threshold up to it
        workers=SCORE_THREADS,
    )


def _accepted(rows: _Rows, i: np.ndarray, j: np.ndarray, verdict: np.ndarray) -> np.ndarray:
    """Which pairs the pair rule accepts (whether ``j`` is still an original aside): the
    text rules, scored at once (the few rechecked distances one by one), then the places
    (those of ``j`` only when ``i`` names one)."""
    ok = verdict == _ACCEPT
    scored = np.flatnonzero(verdict == _SCORE)
    ok[scored] = _texts_score(rows.norm_texts, i[scored], j[scored]) >= TEXT_THRESHOLD
    for t in np.flatnonzero(verdict == _RECHECK).tolist():
        a, b = int(i[t]), int(j[t])
        dist = rows.exact_distance(a, b)
        ok[t] = dist <= MAX_DISTANCE_M and rows.texts_repeat(a, b, dist)
    places = rows.places
    for t in np.flatnonzero(ok).tolist():
        a, b = int(i[t]), int(j[t])
        here = places.get(a) or rows.place(a)  # a report naming no house or landmark: j's is not needed
        ok[t] = not (here.houses or here.landmarks) or not different_places(here, places.get(b) or rows.place(b))
    return ok


def accepted_pairs(
    df: pd.DataFrame, fixed: Sequence[bool] | None = None, norms: dict[Hashable, tuple[str, int]] | None = None
) -> tuple[list[int], list[int]]:
    """Every pair of rows (positions in ``df``: ``later[t]`` repeats ``earlier[t]``) that
    the pair rule accepts, for each row with a point and not ``fixed`` and each earlier
    row (in order) it may repeat: grouped by the later row in processing order, each
    group in order. Whether a row is itself a duplicate plays no part here, so the fixed
    rows' marks are not needed (:func:`settle_marks` applies them): the costly part of
    :func:`mark_duplicates` (``df`` and ``norms`` as there)."""
    if df.empty:
        return [], []
    rows = _Rows(df, norms)
    order = rows.order
    is_fixed = [False] * len(df) if fixed is None else [bool(f) for f in fixed]
    valid = (~(np.isnan(rows.lat) | np.isnan(rows.lon))).tolist()
    queries = [p for p, i in enumerate(order) if valid[i] and not is_fixed[i]]
    owner, partner, verdict = _judged_pairs(rows, queries)
    later = np.asarray(order, dtype=np.int64)[np.asarray(queries, dtype=np.int64)][owner]
    ok = _accepted(rows, later, partner, verdict)
    return later[ok].tolist(), partner[ok].tolist()


def settle_marks(
    ids: Sequence[Any],
    fixed: Sequence[bool],
    given: Sequence[Any],
    valid: Sequence[bool],
    pairs: tuple[list[int], list[int]],
) -> list[Any]:
    """``duplicate_of`` of every row from its :func:`accepted_pairs`: a fixed row keeps
    its ``given`` mark; any other repeats the first earlier original it is paired with
    (rows without a point are never originals). The pairs come in processing order, so
    a partner's own mark is settled before a later row reads it."""
    original = [v and not (f and _given(g)) for v, f, g in zip(valid, fixed, given, strict=True)]
    result: list[Any] = [g if f and _given(g) else None for f, g in zip(fixed, given, strict=True)]
    for i, j in zip(*pairs, strict=True):
        if original[i] and original[j]:
            result[i] = ids[j]
            original[i] = False
    return result


def mark_duplicates(
    df: pd.DataFrame, fixed: Sequence[bool] | None = None, norms: dict[Hashable, tuple[str, int]] | None = None
) -> pd.Series:
    """``duplicate_of`` for every row of an import (None for originals).

    ``df`` needs columns id, category, lat, lon, occurred_at (aware datetimes), text,
    and may have uncertainty_m (the geocoder's, for the same-place rule), house and
    landmark (the geocoder's, for the different-places rule), source and source_ref
    (to order reports of the same moment). Rows where ``fixed`` is true keep the
    ``duplicate_of`` of ``df`` (the store's context before a slice, a moderator's
    decision) and, if originals, are candidates for the others.
    ``norms`` (unique ids only) keeps each text's normalised form by id: a caller that
    passes the same dict from slice to slice normalises the overlap of two slices once.
    Rows are processed in order (time, then content); a report's candidates are the
    earlier originals of its category in the last 48 h whose 150 m grid cell is in the
    3 x 3 block around its own (that block holds every point within 150 m), and it
    repeats the first of them (in order) that the pair rule accepts. The candidates
    are found at once (:mod:`data.text.dedupe_pairs`) and the pair rule applied to all
    of them at once (whether a candidate is itself a duplicate aside:
    :func:`accepted_pairs`), so the cost grows with the number of reports and their
    neighbours, not the square of the reports; only the few accepted pairs are walked
    in order (:func:`settle_marks`).
    """
    out = pd.Series([None] * len(df), index=df.index, dtype=object, name="duplicate_of")
    if df.empty:
        return out
    is_fixed = [False] * len(df) if fixed is None else [bool(f) for f in fixed]
    given = df["duplicate_of"].tolist() if fixed is not None else [None] * len(df)
    lat, lon = df["lat"].to_numpy(dtype=float), df["lon"].to_numpy(dtype=float)
    valid = (~(np.isnan(lat) | np.isnan(lon))).tolist()
    pairs = accepted_pairs(df, is_fixed, norms)
    result = settle_marks(df["id"].to_numpy(dtype=object).tolist(), is_fixed, given, valid, pairs)
    out[:] = result
    return out
