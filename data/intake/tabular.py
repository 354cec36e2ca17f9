"""CSV and XLSX tables of reports (hotline logs, council registers, spreadsheets by hand).

Real tables arrive in many shapes: cp1251 CSV from an old register, ``;``-separated CSV
from a Ukrainian Excel, a title and a blank line above the header, Russian or English
headers. So the header is found, not assumed: the first of the top rows whose cells name
our fields (text, date, address...) in Ukrainian, Russian or English. A saved column
mapping covers the files that this cannot read.

Every non-blank row below the header is a record: a ``RawMessage`` (source ``csv`` or
``xlsx``), or a ``Quarantined`` whose reason names the row ("row 14: date '31.02.2024'
is not a date"). Blank rows are counted as ``skipped_blank``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from data.intake.common import (
    BadDate,
    InputFile,
    ParseResult,
    Tally,
    UnreadableFile,
    category_slug,
    cell_text,
    check_location,
    column_index,
    load_mapping,
    match_header,
    normalise_text,
    open_workbook,
    parse_when,
    short_hash,
)
from data.records import Quarantined, RawMessage

HEADER_SCAN_ROWS = 30
FUTURE_SLACK = timedelta(days=1)  # clock skew between a register's PC and ours

# Header words per field, compared after header_key() (lower case, punctuation to spaces).
REPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "text": (
        "текст", "опис", "опис проблеми", "звернення", "суть звернення", "зміст", "зміст звернення",
        "повідомлення", "проблема", "скарга", "коментар", "текст звернення",
        "описание", "обращение", "суть обращения", "содержание", "сообщение", "жалоба", "текст обращения",
        "text", "description", "message", "complaint", "report", "problem", "details", "comment",
    ),
    "date": (
        "дата", "дата звернення", "дата надходження", "дата і час", "дата та час", "дата час",
        "дата обращения", "дата поступления", "дата и время",
        "date", "date received", "datetime", "date time", "timestamp", "created", "created at", "received",
    ),
    "time": ("час", "час звернення", "время", "time"),
    "occurred": (
        "дата події", "дата порушення", "дата происшествия", "дата события", "дата нарушения",
        "incident date", "occurred", "occurred at", "event date", "date of incident",
    ),
    "address": (
        "адреса", "адрес", "місце", "місце події", "місцезнаходження", "локація", "вулиця", "адреса місце",
        "место", "место происшествия", "улица", "address", "location", "place", "street",
    ),
    "category": ("категорія", "тип", "тип проблеми", "категория", "тип проблемы", "category", "type", "topic"),
    "phone": ("телефон", "тел", "номер телефону", "номер телефона", "phone", "mobile", "phone number"),
    "author": (
        "автор", "заявник", "заявитель", "піб", "фіо", "фио", "ім'я", "имя",
        "author", "reporter", "name", "applicant", "email", "e mail",
    ),
    "lat": ("lat", "latitude", "широта", "y"),
    "lon": ("lon", "lng", "long", "longitude", "довгота", "долгота", "x"),
    "external_id": ("№", "номер", "номер звернення", "номер обращения", "id", "reg no", "ref"),
}


@dataclass
class Header:
    """Where the header is and which column holds which field (0-based indexes)."""

    sheet: str | None
    row: int  # 1-based row number of the header; 0 when the file has none
    columns: dict[str, int]
    cells: list[Any]


class Table:
    """A CSV or XLSX file as rows of cells, re-readable, with 1-based row numbers."""

    def __init__(self, infile: InputFile, kind: str) -> None:
        self.infile = infile
        self.kind = kind
        self._workbook: Any = None
        self._csv_text: str | None = None
        self.delimiter = ","
        self.encoding = ""
        if kind == "xlsx":
            self._open_xlsx()
        else:
            self._open_csv()

    # -- opening

    def _open_xlsx(self) -> None:
        self._workbook = open_workbook(self.infile)

    def _open_csv(self) -> None:
        text, self.encoding = decode_text(self.infile.read_bytes())
        self._csv_text = text.replace("\x00", "")
        self.delimiter = sniff_delimiter(self._csv_text)

    # -- reading

    @property
    def sheets(self) -> list[str | None]:
        return list(self._workbook.sheetnames) if self._workbook is not None else [None]

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells); raises UnreadableFile when the file breaks mid-way."""
        if self._workbook is None:
            assert self._csv_text is not None
            reader = csv.reader(io.StringIO(self._csv_text, newline=""), delimiter=self.delimiter)
            try:
                for number, row in enumerate(reader, start=1):
                    yield number, list(row)
            except csv.Error as exc:
                raise UnreadableFile(self.infile.name, f"CSV damaged near line {reader.line_num} ({exc})") from None
            return
        try:
            worksheet = self._workbook[sheet] if sheet is not None else self._workbook.worksheets[0]
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(row)
        except Exception as exc:  # damaged sheet XML surfaces only while iterating
            problem = f"the sheet '{sheet}' is damaged ({type(exc).__name__}: {exc})"
            raise UnreadableFile(self.infile.name, problem) from None

    def head(self, sheet: str | None, count: int = HEADER_SCAN_ROWS) -> list[tuple[int, list[Any]]]:
        out = []
        for number, row in self.rows(sheet):
            out.append((number, row))
            if len(out) >= count:
                break
        return out

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV: BOMs first, then strict UTF-8, then cp1251 (old Ukrainian Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text" export
    else:
        encodings = ("utf-8", "cp1251")
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most top lines into fields of one common width.

    csv.Sniffer is easily fooled by commas inside Ukrainian text; counting the lines that
    split into the same number (> 1) of fields is not. Ties go to ';' (the Ukrainian
    Excel default), then ',', tab, '|'.
    """
    sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    best, best_score = ",", (0, 0)
    for delimiter in (";", ",", "\t", "|"):
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if len(row) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        modal = max(set(widths), key=lambda width: (widths.count(width), width))
        score = (widths.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def find_header(
    table: Table,
    synonyms: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    mapping: dict[str, Any] | None,
    accept: Callable[[dict[str, int]], bool] | None = None,
) -> Header | None:
    """The header row and its columns: from the mapping if given, else by header words.

    A row is the header when ``accept(columns)`` holds; by default, when it names all
    ``required`` fields and at least two fields.
    """
    sheets = [mapping["sheet"]] if mapping and mapping.get("sheet") else table.sheets
    for sheet in sheets:
        if sheet is not None and sheet not in table.sheets:
            problem = f"the column mapping names sheet '{sheet}', which is not in the file"
            raise UnreadableFile(table.infile.name, problem)
        head = table.head(sheet)
        if mapping is not None:
            return _mapped_header(table, sheet, head, synonyms, mapping)
        for number, cells in head:
            columns: dict[str, int] = {}
            for index, cell in enumerate(cells):
                fld = match_header(cell, synonyms)
                if fld is not None and fld not in columns:
                    columns[fld] = index
            if accept(columns) if accept else (all(r in columns for r in required) and len(columns) >= 2):
                return Header(sheet=sheet, row=number, columns=columns, cells=cells)
    return None


def _mapped_header(
    table: Table,
    sheet: str | None,
    head: list[tuple[int, list[Any]]],
    synonyms: dict[str, tuple[str, ...]],
    mapping: dict[str, Any],
) -> Header:
    name = table.infile.name
    unknown = sorted(set(mapping["columns"]) - set(synonyms))
    if unknown:
        raise UnreadableFile(name, f"the column mapping names unknown fields {unknown}; known: {sorted(synonyms)}")
    header_row = mapping.get("header_row")
    cells: list[Any] | None = None
    if header_row is None:  # the row that holds the mapped header texts
        wanted = [spec for spec in mapping["columns"].values() if isinstance(spec, str)]
        for number, row in head:
            found = [column_index(spec, row) for spec in wanted]
            if wanted and all(i is not None and i < len(row) and cell_text(row[i]) for i in found):
                header_row, cells = number, row
                break
        else:
            header_row = 0
    elif not isinstance(header_row, int) or header_row < 0:
        raise UnreadableFile(name, f"the column mapping's header_row must be a row number, not {header_row!r}")
    else:
        cells = next((row for number, row in head if number == header_row), None) if header_row else None
    columns: dict[str, int] = {}
    for fld, spec in mapping["columns"].items():
        index = column_index(spec, cells)
        if index is None:
            raise UnreadableFile(name, f"the column mapping's column {spec!r} for '{fld}' is not in the file")
        columns[fld] = index
    return Header(sheet=sheet, row=header_row, columns=columns, cells=cells or [])


def parse_table(
    source: Any,
    *,
    kind: str | None = None,
    column_mapping: Any = None,
    name: str | None = None,
) -> ParseResult:
    """Parse a CSV or XLSX table of reports into RawMessage / Quarantined items."""
    infile = InputFile.of(source, name)
    kind = kind or ("xlsx" if infile.suffix in (".xlsx", ".xlsm") else "csv")
    mapping = load_mapping(column_mapping, infile.name)
    table = Table(infile, kind)
    header = find_header(table, REPORT_HEADERS, ("text",), mapping)
    if header is None:
        table.close()
        raise UnreadableFile(
            infile.name,
            f"no header row found in the first {HEADER_SCAN_ROWS} rows: expected columns such as "
            "'текст'/'опис'/'text' and 'дата'/'date'; save a column mapping for this file",
        )
    default_date = mapping.get("default_date") if mapping else None
    if "date" not in header.columns and default_date is None:
        table.close()
        raise UnreadableFile(
            infile.name,
            f"no date column (found: {_found(header)}); add one, or give 'default_date' in a column mapping",
        )
    result = ParseResult(kind=kind, name=infile.name, items=iter(()))
    tally = Tally(result, kind)
    convert = _row_converter(kind, header, default_date, tally)
    result.items = _table_items(table, header, tally, convert)
    if kind == "csv":
        result.notes.append(f"read as {table.encoding}, columns separated by {table.delimiter!r}")
    return result


def _found(header: Header) -> str:
    return ", ".join(f"'{cell_text(c)}'" for c in header.cells if cell_text(c)) or "none"


def _table_items(
    table: Table, header: Header, tally: Tally, convert: Callable[[int, list[Any]], Any]
) -> Iterator[Any]:
    """Rows below the header; a file that breaks mid-way ends with one quarantined entry."""
    try:
        for number, cells in table.rows(header.sheet):
            if number <= header.row:
                continue
            if not any(cell_text(cell) for cell in cells):
                tally.skip("blank")
                continue
            tally.read()
            yield convert(number, cells)
    except UnreadableFile as exc:
        tally.read()
        reason = f"{exc.problem}; the rest of the file was not read"
        yield tally.quarantine(f"{tally.source}:file:{table.infile.name}", reason)
        tally.result.notes.append(f"{table.infile.name} is damaged: {exc.problem}")
    finally:
        table.close()
    if tally.result.stats["skipped_blank"]:
        tally.result.notes.append(f"{tally.result.stats['skipped_blank']} blank rows skipped")


def _row_converter(
    kind: str, header: Header, default_date: Any, tally: Tally
) -> Callable[[int, list[Any]], RawMessage | Quarantined]:
    columns = header.columns
    now = datetime.now(UTC)

    def get(cells: list[Any], fld: str) -> Any:
        index = columns.get(fld)
        return cells[index] if index is not None and index < len(cells) else None

    def convert(number: int, cells: list[Any]) -> RawMessage | Quarantined:
        text = cell_text(get(cells, "text"))
        date_cell = get(cells, "date") if "date" in columns else default_date
        author = _author_id(get(cells, "phone"), get(cells, "author"))
        location, location_problem = check_location(get(cells, "lat"), get(cells, "lon"))
        address = cell_text(get(cells, "address")) or None
        category_text = cell_text(get(cells, "category"))
        try:
            received_at, date_only = parse_when(date_cell, get(cells, "time"))
            when_key = received_at.isoformat()
        except BadDate as exc:
            received_at, date_only, problem = None, False, str(exc)
            when_key = cell_text(date_cell)
        external = cell_text(get(cells, "external_id"))
        ref = f"{kind}:" + short_hash(
            normalise_text(text), when_key, normalise_text(address or ""), normalise_text(category_text),
            author or "", repr(location), external,
        )
        if not text:
            return tally.quarantine(ref, f"row {number}: no text", " ".join(cell_text(c) for c in cells))
        if received_at is None:
            return tally.quarantine(ref, f"row {number}: {problem}", text)
        if received_at > now + FUTURE_SLACK:
            return tally.quarantine(ref, f"row {number}: date {received_at:%Y-%m-%d} is in the future", text)
        extra: dict[str, Any] = {"row": number}
        if date_only:
            extra["date_only"] = True
        if location_problem:
            extra["location_problem"] = location_problem
        slug = category_slug(category_text)
        if category_text and slug is None:
            extra["category_text"] = category_text
        if external:
            extra["external_id"] = external
        occurred = None
        if cell_text(get(cells, "occurred")):
            try:
                occurred, _ = parse_when(get(cells, "occurred"))
            except BadDate as exc:
                extra["occurred_problem"] = str(exc)
        tally.emitted()
        return RawMessage(
            source=kind,  # type: ignore[arg-type]  # "csv" | "xlsx"
            source_ref=ref,
            received_at=received_at,
            occurred_at=occurred,
            text=text,
            author_id=author,
            location=location,
            venue_text=address,
            category_hint=slug,
            extra=extra,
        )

    return convert


def _author_id(phone: Any, author: Any) -> str | None:
    """A stable id of the reporter (hashed by the pipeline, never stored as is).

    A phone number is the steadier id, so it wins; it is reduced to its last 9 digits so
    that "+380 67 123 45 67" and "067-123-45-67" are one person.
    """
    digits = re.sub(r"\D", "", cell_text(phone))
    if len(digits) >= 7:
        return "phone:" + digits[-9:]
    name = normalise_text(cell_text(author)).casefold()
    return ("author:" + name) if name else None
