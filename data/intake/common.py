"""What every source parser shares: the result object, the error, dates, headers, hashing.

The parsers are pure functions from a file (path or bytes) to items; this module holds the
pieces they agree on so that the pipeline sees one shape whatever the source:

* :class:`ParseResult` carries a lazy iterator of items plus notes and counters. The
  counters make the counting contract checkable: every record read is emitted exactly
  once, as a ``RawMessage`` (or a ``SurveyResponse``) or as a ``Quarantined``.
* :class:`UnreadableFile` is the only exception a parser lets out; it names the file and
  carries the problem as a :class:`data.messages.Message` that a moderator reads in their
  language (reasons and notes are messages too, never English sentences).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from data.city_profile import city_zone
from data.messages import Message, msg
from data.records import Quarantined

EXCERPT_CHARS = 200
# A date without a time is placed at local noon: local midnight is the previous day in
# UTC, which would move reports of the 1st into the previous month on every monthly map.
DATE_ONLY_HOUR = 12


class UnreadableFile(Exception):
    """A file that cannot be read at all: the file's name and the problem (a Message)."""

    def __init__(self, name: str, problem: Message) -> None:
        if not isinstance(problem, Message):  # staff read it: a code, never an English sentence
            raise TypeError(f"the problem of an unreadable file is a Message, not {type(problem).__name__}")
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


@dataclass
class ParseResult:
    """What a parser returns.

    ``items`` is lazy (a 200 MB export streams), so ``notes`` and ``stats`` are complete
    only once ``items`` has been exhausted. ``stats`` keys: ``read`` (records read),
    ``emitted`` (RawMessages in ``items``, or survey responses appended to ``surveys``),
    ``quarantined`` (Quarantined in ``items``), and ``skipped_*`` for what is not a record
    (service messages, photos without text, blank rows), which the notes explain.
    The contract: ``stats["read"] == stats["emitted"] + stats["quarantined"]``.
    ``problems`` says why the file could not be read to its end (damaged, over a
    bound); a file with problems has failed even though what was read is kept.
    ``meetings`` is filled when the parse starts; ``surveys`` while ``items`` is consumed
    (a survey file's ``items`` yields only its Quarantined rows).
    """

    kind: str
    name: str
    items: Iterator[Any]
    notes: list[Message] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)
    meetings: list[Any] = field(default_factory=list)  # data.intake.minutes.Meeting
    surveys: list[Any] = field(default_factory=list)  # data.intake.surveys.SurveyResponse


@dataclass(frozen=True)
class IntakeOptions:
    """What a file cannot say itself, given by the operator (CLI options, saved mapping).

    ``date_order`` settles date columns whose values fit both orders ("dayfirst" or
    "monthfirst"); ``crs`` names the coordinate system of projected X/Y columns (metres),
    e.g. "EPSG:<code>" of a UTM zone, so that they can be transformed to latitude/longitude.
    """

    date_order: str | None = None
    crs: str | None = None

    def __post_init__(self) -> None:
        if self.date_order not in (None, "dayfirst", "monthfirst"):
            raise ValueError(f"date order must be 'dayfirst' or 'monthfirst', not {self.date_order!r}")


ColumnMapping = str | Path | dict[str, Any] | None
"""Which column holds what (a JSON file, its text, or the dict); None: read the header."""


@dataclass(frozen=True)
class InputFile:
    """A path or in-memory bytes, with the name every message uses."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def of(cls, source: FileSource, name: str | None = None) -> InputFile:
        if isinstance(source, InputFile):
            return source
        if isinstance(source, bytes | bytearray):
            return cls(name=name or "<uploaded bytes>", data=bytes(source))
        path = Path(source)
        return cls(name=name or path.name, path=path)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise UnreadableFile(self.name, msg("file_cannot_open", detail=str(exc.strerror or exc))) from exc

    def read_bytes(self) -> bytes:
        with self.open() as fh:
            try:
                return fh.read()
            except OSError as exc:
                raise UnreadableFile(self.name, msg("file_cannot_read", detail=str(exc))) from exc

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        try:
            return self.path.stat().st_size
        except OSError as exc:
            raise UnreadableFile(self.name, msg("file_cannot_open", detail=str(exc.strerror or exc))) from exc

    def head(self, size: int = 65536) -> bytes:
        with self.open() as fh:
            try:
                return fh.read(size)
            except OSError as exc:
                raise UnreadableFile(self.name, msg("file_cannot_read", detail=str(exc))) from exc


FileSource = str | Path | bytes | InputFile
"""What a parser reads: a path, the bytes of an upload, or a file already opened as InputFile."""


class Tally:
    """Counts and quarantines for one parse, so each parser keeps the counting contract."""

    def __init__(self, result: ParseResult, source: str) -> None:
        self.result = result
        self.source = source

    def read(self) -> None:
        self.result.stats["read"] += 1

    def emitted(self) -> None:
        self.result.stats["emitted"] += 1

    def skip(self, what: str) -> None:
        self.result.stats[f"skipped_{what}"] += 1

    def quarantine(self, source_ref: str, reason: Message, raw: str = "") -> Quarantined:
        """Quarantine one record with a short excerpt of it.

        The excerpt is raw text like RawMessage.text: the pipeline redacts it before it
        stores anything (services/importer.py does), since redaction is a later step.
        """
        self.result.stats["quarantined"] += 1
        excerpt = " ".join(raw.split())[:EXCERPT_CHARS]
        return Quarantined(source=self.source, source_ref=source_ref, reason=reason, excerpt=excerpt)


# ---------------------------------------------------------------------------- hashing


def short_hash(*parts: str, length: int = 16) -> str:
    """A stable content hash: the same content gives the same source_ref on re-import."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def normalise_text(value: str) -> str:
    """NFC, collapsed whitespace: a row re-saved by another program hashes the same."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# ---------------------------------------------------------------------------- encodings


def utf16_order(data: bytes) -> str | None:
    """ "utf-16-le" / "utf-16-be" for UTF-16 text without a BOM, else None.

    In UTF-16 every other byte is the high byte of a character: NUL for Latin letters,
    digits and separators, 0x04 for Cyrillic. Nine in ten of them being one of those
    happens in no UTF-8 or single-byte Cyrillic text.
    """
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    for order, highs in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if highs.count(0) and highs.count(0) + highs.count(4) >= 0.9 * len(highs):
            return order
    return None


# ---------------------------------------------------------------------------- untrusted text

# Characters that change how text around them is shown or parsed: C0/C1 controls (but
# tab and newline), bidi marks, embeddings, overrides and isolates, the zero-width space.
# (The zero-width joiners stay: emoji and some scripts need them.)
# A resident never needs them, and a crafted one reverses or hides what a moderator reads.
_INVISIBLE = [
    *range(0x00, 0x09),
    0x0B,
    0x0C,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x180E,
    0x200B,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0xFEFF,
    0xFFF9,
    0xFFFA,
    0xFFFB,
]
_VISIBLE = {code: f"[U+{code:04X}]" for code in _INVISIBLE}
_VISIBLE[0x0D] = "\n"


_ACTIVE = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_VISIBLE)) + "]")


def visible_controls(text: str) -> str:
    """Control and bidi characters replaced by a visible ``[U+202E]``: kept, never active.

    A carriage return becomes a newline (Windows line ends are not hostile). Most texts
    have none: one regex search (in C) answers that before any copy is made.
    """
    if _ACTIVE.search(text) is None:
        return text
    return text.replace("\r\n", "\n").translate(_VISIBLE)


def truncated(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a visible marker saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} [… truncated: {len(text):,} characters in the source]"


# ---------------------------------------------------------------------------- headers

_HEADER_JUNK = re.compile(r"[\s_\-./:;,()\[\]#*\"'«»]+")


def header_key(value: Any) -> str:
    """A header cell reduced to comparable form: lower case, no punctuation or spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).casefold().replace("ё", "е").replace("ʼ", "'")
    return _HEADER_JUNK.sub(" ", text).strip()


@lru_cache(maxsize=256)
def _keyed(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(header_key(word) for word in words)


def match_header(cell: Any, synonyms: dict[str, tuple[str, ...]]) -> str | None:
    """The field a header cell names, or None.

    Exact synonyms win; otherwise a synonym that starts the header ("дата звернення
    громадянина" starts with "дата звернення"). Longer synonyms are tried first so that
    "дата події" is not taken for a plain "дата".
    """
    key = header_key(cell)
    if not key:
        return None
    keyed = {fld: _keyed(words) for fld, words in synonyms.items()}
    for fld, words in keyed.items():
        if key in words:
            return fld
    best: tuple[int, str] | None = None
    for fld, words in keyed.items():
        for word in words:
            if len(word) >= 3 and (key.startswith(word + " ") or key.endswith(" " + word)):
                if best is None or len(word) > best[0]:
                    best = (len(word), fld)
    return best[1] if best else None


# ---------------------------------------------------------------------------- dates

_DMY = re.compile(
    r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})(?:\s*(?:р\.?|г\.?)?)?"
    r"(?:[ ,T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s?[Mm]\.?)?)?$"
)
DATE_ORDERS = ("dayfirst", "monthfirst")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s?[Mm]\.?)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954 .. 2119: anything else is not a plausible date


class BadDate(ValueError):
    """A value that should be a date and is not; ``message`` is the moderator-facing reason."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def kyiv_to_utc(value: datetime) -> datetime:
    """Naive times in our sources are the city's wall-clock time (the city's own clock)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=city_zone())
    return value.astimezone(UTC)


def parse_when(value: Any, time_value: Any = None, order: str = "dayfirst") -> tuple[datetime, bool]:
    """Parse a date cell (and an optional separate time cell) to UTC.

    Returns (utc datetime, date_only). Accepts datetime/date objects (openpyxl), Excel
    serial numbers, ISO 8601, dd.mm.yyyy [hh:mm[:ss]] [AM/PM], dd/mm/yyyy and two-digit
    years; ``order="monthfirst"`` reads mm/dd/yyyy (US style) instead. Raises BadDate
    with the original value quoted.
    """
    shown = str(value).strip() if value is not None else ""
    if isinstance(value, datetime):
        result, date_only = value, False
    elif isinstance(value, date):
        result, date_only = datetime.combine(value, time(DATE_ONLY_HOUR)), True
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result, date_only = _from_serial(float(value), shown)
    elif isinstance(value, str):
        result, date_only = _from_text(value.strip(), shown, order)
    else:
        raise BadDate(msg("bad_date", value=shown) if shown else msg("no_date"))
    if time_value not in (None, "") and date_only:
        result = datetime.combine(result.date(), _parse_time(time_value))
        date_only = False
    return kyiv_to_utc(result), date_only


def _from_serial(serial: float, shown: str) -> tuple[datetime, bool]:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise BadDate(msg("bad_date", value=shown))
    result = EXCEL_EPOCH + timedelta(days=serial)
    if serial == int(serial):
        return result.replace(hour=DATE_ONLY_HOUR), True
    return result.replace(microsecond=0), False


def _from_text(text: str, shown: str, order: str = "dayfirst") -> tuple[datetime, bool]:
    if not text:
        raise BadDate(msg("no_date"))
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text), shown)
    match = _DMY.match(text)
    try:
        if match:
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            day, month = (second, first) if order == "monthfirst" else (first, second)
            if year < 100:
                year += 2000
            if match[4] is None:
                return datetime(year, month, day, DATE_ONLY_HOUR), True
            hour = _twenty_four(int(match[4]), match[7])
            return datetime(year, month, day, hour, int(match[5]), int(match[6] or 0)), False
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(DATE_ONLY_HOUR)), True
        return datetime.fromisoformat(text), False  # 3.11: also "Z" and a space separator
    except ValueError:
        month_first = order == "monthfirst" and match
        raise BadDate(
            msg("bad_date_monthfirst", value=shown) if month_first else msg("bad_date", value=shown)
        ) from None


def _twenty_four(hour: int, half: str | None) -> int:
    """The hour of a 12-hour clock ("2:30 PM") on a 24-hour clock; ValueError if not one."""
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} on a 12-hour clock")
    return hour % 12 + (12 if half in "Pp" else 0)


def date_order_evidence(value: Any) -> str | None:
    """Which order a date text can only be read in ("dayfirst" for 25/03, "monthfirst"
    for 03/25), or None when it fits both or is not such a date."""
    if not isinstance(value, str):
        return None
    match = _DMY.match(value.strip())
    if not match:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 >= second >= 1:
        return "dayfirst"
    if second > 12 >= first >= 1:
        return "monthfirst"
    return None


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, float) and 0 <= value < 1:  # Excel stores a time as a day fraction
        seconds = round(value * 86400)
        return time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    match = _TIME.match(str(value).strip())
    try:
        if match:
            return time(_twenty_four(int(match[1]), match[4]), int(match[2]), int(match[3] or 0))
    except ValueError:
        pass
    raise BadDate(msg("bad_time", value=str(value)))


def cell_text(value: Any) -> str:
    """A cell as clean text (numbers without a spurious '.0', None as '')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def parse_float(value: Any) -> float | None:
    """A coordinate cell: accepts '47,566' (Ukrainian decimal comma); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(str(value).strip().replace(",", "."))


def valid_point(lat: Any, lon: Any) -> tuple[float, float] | None:
    """(lat, lon) when both are numbers in range; a JSON source's bad pin is dropped."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    if numbers and -90 <= lat <= 90 and -180 <= lon <= 180:
        return float(lat), float(lon)
    return None


def zip_names(infile: InputFile) -> set[str]:
    """The member names of an Office (ZIP) file: how .xlsx and .docx are told apart."""
    import zipfile

    try:
        source = io.BytesIO(infile.data) if infile.data is not None else infile.path
        with zipfile.ZipFile(source) as archive:  # type: ignore[arg-type]
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise UnreadableFile(infile.name, msg("zip_damaged", detail=str(exc))) from None


def open_workbook(infile: InputFile) -> Any:
    """An openpyxl workbook in read-only mode (streams rows; values, not formulas)."""
    import openpyxl

    try:
        source = io.BytesIO(infile.data) if infile.data is not None else infile.path
        return openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike
        problem = msg("xlsx_unreadable", detail=f"{type(exc).__name__}: {exc}")
        raise UnreadableFile(infile.name, problem) from None


PROJECTED = "coords_projected"


def check_location(lat: Any, lon: Any) -> tuple[tuple[float, float] | None, Message | None]:
    """(location, problem): a bad coordinate loses the point, not the report.

    Two values beyond +-180 look like metres of a projected system (X/Y):
    their problem's code is :data:`PROJECTED`, so a caller that knows the CRS can
    transform them. The study area is checked later, by the importer.
    """
    try:
        flat, flon = parse_float(lat), parse_float(lon)
    except ValueError:
        return None, msg("coords_not_numbers", lat=cell_text(lat), lon=cell_text(lon))
    if flat is None and flon is None:
        return None, None
    if flat is None or flon is None:
        return None, msg("coords_one_missing")
    if not (math.isfinite(flat) and math.isfinite(flon)):
        return None, msg("coords_not_finite", lat=str(flat), lon=str(flon))
    if abs(flat) > 180 and abs(flon) > 180:  # metres: UTM eastings >= 166,000, northings larger
        return None, msg("coords_projected", x=f"{flon:g}", y=f"{flat:g}")
    if not (-90 <= flat <= 90 and -180 <= flon <= 180):
        return None, msg("coords_off_earth", lat=str(flat), lon=str(flon))
    return (flat, flon), None


# ---------------------------------------------------------------------------- categories


def category_slug(value: Any) -> str | None:
    """A category the source names, as a slug, when it is one of ours verbatim.

    Only exact slugs and labels are recognised: guessing a category from free text is
    the classifier's job, so anything else stays as text for it.
    """
    from data.categories import CATEGORIES

    key = header_key(value)
    if not key:
        return None
    for slug, category in CATEGORIES.items():
        if key in (slug, header_key(category.uk), header_key(category.en)):
            return slug
    return None


# ---------------------------------------------------------------------------- column mappings


def load_mapping(mapping: ColumnMapping, name: str) -> dict[str, Any] | None:
    """A saved column mapping, from a dict or a JSON file.

    Shape: ``{"header_row": 3, "columns": {"text": "Суть звернення", "date": "B"},
    "sheet": "Лист1", "default_date": "2024-03-01"}``; a flat ``{"text": ..., "date": ...}``
    is read as ``columns``. Columns are header texts, Excel letters or 1-based numbers;
    ``header_row`` is 1-based, 0 for a file without a header row.
    """
    if mapping is None:
        return None
    if not isinstance(mapping, dict):
        import json

        try:
            mapping = json.loads(Path(mapping).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UnreadableFile(name, msg("mapping_unreadable", mapping=str(mapping), detail=str(exc))) from exc
    if not isinstance(mapping, dict):
        raise UnreadableFile(name, msg("mapping_not_object"))
    if "columns" not in mapping:
        mapping = {"columns": mapping}
    if not isinstance(mapping["columns"], dict):
        raise UnreadableFile(name, msg("mapping_columns_not_object"))
    return mapping


def column_index(spec: Any, header: list[Any] | None) -> int | None:
    """Where a mapped column is (0-based): by header text, Excel letter or 1-based number."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        return spec - 1 if spec >= 1 else None
    if not isinstance(spec, str) or not spec.strip():
        return None
    if header is not None:
        wanted = header_key(spec)
        for index, cell in enumerate(header):
            if header_key(cell) == wanted:
                return index
    text = spec.strip()
    if text.isdigit():
        return int(text) - 1 if int(text) >= 1 else None
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        index = 0
        for char in text.upper():
            index = index * 26 + (ord(char) - 64)
        return index - 1
    return None


# ---------------------------------------------------------------------------- map links

_LINK_POINTS = (
    re.compile(r"[?&](?:q|query|ll|destination)=(?:loc:)?(-?\d{1,2}\.\d+)(?:,|%2C)\s*(-?\d{1,3}\.\d+)", re.I),
    re.compile(r"@(-?\d{1,2}\.\d+),(-?\d{1,3}\.\d+)"),  # google.com/maps/@47.56,31.33,17z
    re.compile(r"[?&]mlat=(-?\d{1,2}\.\d+)&mlon=(-?\d{1,3}\.\d+)", re.I),  # openstreetmap.org
    re.compile(r"#map=\d+/(-?\d{1,2}\.\d+)/(-?\d{1,3}\.\d+)"),  # openstreetmap.org
)


def point_from_links(links: list[str]) -> tuple[float, float] | None:
    """(lat, lon) from the first map link that carries one (Google Maps, OpenStreetMap).

    Residents often share a map link instead of a Telegram location pin; the point in it
    is as good as a pin. Short links (maps.app.goo.gl) carry no point and are ignored.
    """
    for link in links:
        for pattern in _LINK_POINTS:
            match = pattern.search(link)
            if match:
                point = valid_point(float(match[1]), float(match[2]))
                if point is not None:
                    return point
    return None
