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
from typing import Any

from data.intake.bounds import IntakeBounds, bounds
from data.intake.common import (
    DATE_ORDERS,
    PROJECTED,
    BadDate,
    ColumnMapping,
    FileSource,
    InputFile,
    IntakeOptions,
    ParseResult,
    Tally,
    UnreadableFile,
    category_slug,
    cell_text,
    check_location,
    column_index,
    date_order_evidence,
    header_key,
    load_mapping,
    match_header,
    normalise_text,
    open_workbook,
    parse_float,
    parse_when,
    short_hash,
    utf16_order,
)
from data.messages import Message, msg
from data.records import Quarantined, RawMessage

HEADER_SCAN_ROWS = 30

# Header words per field, compared after header_key() (lower case, punctuation to spaces).
REPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "text": (
        "текст",
        "опис",
        "опис проблеми",
        "звернення",
        "суть звернення",
        "зміст",
        "зміст звернення",
        "повідомлення",
        "проблема",
        "скарга",
        "коментар",
        "текст звернення",
        "описание",
        "обращение",
        "суть обращения",
        "содержание",
        "сообщение",
        "жалоба",
        "текст обращения",
        "text",
        "description",
        "message",
        "complaint",
        "report",
        "problem",
        "details",
        "comment",
    ),
    "date": (
        "дата",
        "дата звернення",
        "дата надходження",
        "дата і час",
        "дата та час",
        "дата час",
        "дата обращения",
        "дата поступления",
        "дата и время",
        "date",
        "date received",
        "datetime",
        "date time",
        "timestamp",
        "created",
        "created at",
        "received",
    ),
    "time": ("час", "час звернення", "время", "time"),
    "occurred": (
        "дата події",
        "дата порушення",
        "дата происшествия",
        "дата события",
        "дата нарушения",
        "incident date",
        "occurred",
        "occurred at",
        "event date",
        "date of incident",
    ),
    "address": (
        "адреса",
        "адрес",
        "місце",
        "місце події",
        "місцезнаходження",
        "локація",
        "вулиця",
        "адреса місце",
        "место",
        "место происшествия",
        "улица",
        "address",
        "location",
        "place",
        "street",
    ),
    "category": ("категорія", "тип", "тип проблеми", "категория", "тип проблемы", "category", "type", "topic"),
    "phone": ("телефон", "тел", "номер телефону", "номер телефона", "phone", "mobile", "phone number"),
    "author": (
        "автор",
        "заявник",
        "заявитель",
        "піб",
        "фіо",
        "фио",
        "ім'я",
        "имя",
        "author",
        "reporter",
        "name",
        "applicant",
        "email",
        "e mail",
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
    """A CSV or XLSX file as rows of cells, re-readable, with 1-based row numbers.

    Both stream: a CSV is decoded line by line, an XLSX sheet is parsed by openpyxl in
    read-only mode. The bounds hold on the way: a cell over ``max_cell_chars`` or a sheet
    over ``max_cells`` raises UnreadableFile naming the bound (before openpyxl reads an
    XLSX, its XML is scanned for over-long text, which openpyxl would load whole).
    """

    def __init__(self, infile: InputFile, kind: str, limits: IntakeBounds | None = None) -> None:
        self.infile = infile
        self.kind = kind
        self.limits = limits or bounds()
        self._workbook: Any = None
        self.delimiter = ","
        self.encoding = ""
        if kind == "xlsx":
            self._open_xlsx()
        else:
            self._open_csv()

    # -- opening

    def _open_xlsx(self) -> None:
        check_xlsx_cells(self.infile, self.limits.max_cell_bytes, self.limits.max_cell_chars)
        self._workbook = open_workbook(self.infile)

    def _open_csv(self) -> None:
        self.encoding = detect_encoding(self.infile.head(SAMPLE_BYTES), self.infile.name)
        sample = "\n".join(line for _, line in zip(range(HEADER_SCAN_ROWS), self._lines(), strict=False))
        self.delimiter = sniff_delimiter(sample)

    def _lines(self) -> Iterator[str]:
        """The CSV's text, line by line (NULs dropped: some exporters pad with them).

        A line is read at most ``LINE_CELLS`` cells' bound long: a 200 MB line without a
        line break must not be decoded whole before the cell bound can refuse it.
        """
        limit = self.limits.max_cell_chars * LINE_CELLS
        with self.infile.open() as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            try:
                while line := text.readline(limit + 1):
                    if len(line) > limit:
                        raise UnreadableFile(
                            self.infile.name,
                            msg("line_too_long", limit=limit, cells=LINE_CELLS, bound="max_cell_chars"),
                        )
                    yield line.replace("\x00", "")
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    self.infile.name, msg("encoding_changes", encoding=self.encoding, detail=exc.reason)
                ) from None

    # -- reading

    @property
    def sheets(self) -> list[str | None]:
        return list(self._workbook.sheetnames) if self._workbook is not None else [None]

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells); raises UnreadableFile when the file breaks mid-way."""
        if self._workbook is None:
            yield from self._csv_rows()
            return
        cells = 0
        try:
            worksheet = self._workbook[sheet] if sheet is not None else self._workbook.worksheets[0]
            worksheet.reset_dimensions()  # a forged dimension must not pad every row to 16,384 cells
            longest = self.limits.max_cell_chars
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells += max(1, len(row))
                if cells > self.limits.max_cells:
                    raise _OverBound(msg("sheet_too_many_cells", limit=self.limits.max_cells, bound="max_cells"))
                if any(isinstance(cell, str) and len(cell) > longest for cell in row):
                    raise _OverBound(msg("cell_too_long_row", row=number, limit=longest, bound="max_cell_chars"))
                yield number, list(row)
        except _OverBound as exc:
            raise UnreadableFile(self.infile.name, exc.message) from None
        except Exception as exc:  # damaged sheet XML surfaces only while iterating
            problem = msg("sheet_damaged", sheet=str(sheet), detail=f"{type(exc).__name__}: {exc}")
            raise UnreadableFile(self.infile.name, problem) from None

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        limit = self.limits.max_cell_chars
        csv.field_size_limit(max(limit, 1))
        reader = csv.reader(self._lines(), delimiter=self.delimiter)
        try:
            for number, row in enumerate(reader, start=1):
                yield number, list(row)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                problem = msg("cell_too_long_line", line=reader.line_num, limit=limit, bound="max_cell_chars")
            else:
                problem = msg("csv_damaged", line=reader.line_num, detail=str(exc))
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


class _OverBound(Exception):
    """A bound crossed while reading (turned into UnreadableFile with the file's name)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


SAMPLE_BYTES = 1 << 20
LINE_CELLS = 16  # a physical CSV line may hold this many cells of the cell bound
_SINGLE_BYTE = ("cp1251", "koi8-u")
_TEXT_BYTES = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r\x0c")
# The most frequent Ukrainian/Russian letters: decoded with the right single-byte table,
# a text is mostly these; with the wrong one, mostly capitals and box-drawing signs.
_COMMON_LETTERS = "оаеинтірсвлкмдпуяь"


def detect_encoding(sample: bytes, name: str = "the file") -> str:
    """The encoding of a text file from its first bytes: UTF-8 (with or without BOM),
    UTF-16 (with or without BOM), cp1251 or KOI8-U; UnreadableFile names the problem."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    order = utf16_order(sample)
    if order:
        return order
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) >= SAMPLE_BYTES:  # a character cut by the sample's end
            return "utf-8"
    if len(sample.translate(None, _TEXT_BYTES)) > len(sample) // 100:  # control bytes: not text
        raise UnreadableFile(name, msg("not_text"))
    scores = {}
    for encoding in _SINGLE_BYTE:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        scores[encoding] = sum(text.count(letter) for letter in _COMMON_LETTERS)
    if not scores or max(scores.values()) == 0:
        raise UnreadableFile(name, msg("encoding_unknown"))
    return max(scores, key=lambda encoding: scores[encoding])


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV held in memory and the encoding it was read in (see :func:`detect_encoding`)."""
    encoding = detect_encoding(data)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise UnreadableFile("-", msg("encoding_changes", encoding=encoding, detail=exc.reason)) from None


def check_xlsx_cells(infile: InputFile, max_bytes: int, max_chars: int) -> None:
    """Refuse an XLSX with a text over the cell bound before openpyxl loads it whole.

    In the XML of a sheet or of the shared strings, every text node lies between two
    '<' (a '<' in text is always escaped), so the longest run without '<' bounds the
    longest cell. The members are decompressed as a stream: linear time, 1 MB at a time.
    """
    import zipfile

    source = io.BytesIO(infile.data) if infile.data is not None else infile.path
    try:
        with zipfile.ZipFile(source) as archive:  # type: ignore[arg-type]
            for member in archive.infolist():
                if not member.filename.startswith("xl/") or not member.filename.endswith(".xml"):
                    continue
                run = 0  # bytes since the last '<', carried across chunks
                with archive.open(member) as xml:
                    for chunk in iter(lambda: xml.read(SAMPLE_BYTES), b""):  # noqa: B023 - read at once
                        pieces = chunk.split(b"<")
                        run += len(pieces[0])
                        longest = max(run, max(map(len, pieces[1:]), default=0))
                        if longest > max_bytes:
                            raise UnreadableFile(
                                infile.name,
                                msg("cell_too_long_in", part=member.filename, limit=max_chars, bound="max_cell_chars"),
                            )
                        if len(pieces) > 1:
                            run = len(pieces[-1])
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise UnreadableFile(infile.name, msg("zip_damaged", detail=str(exc))) from None


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
            raise UnreadableFile(table.infile.name, msg("mapping_sheet_missing", sheet=str(sheet)))
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
        raise UnreadableFile(
            name, msg("mapping_unknown_fields", fields=", ".join(unknown), known=", ".join(sorted(synonyms)))
        )
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
        raise UnreadableFile(name, msg("mapping_bad_header_row", value=repr(header_row)))
    else:
        cells = next((row for number, row in head if number == header_row), None) if header_row else None
    columns: dict[str, int] = {}
    for fld, spec in mapping["columns"].items():
        index = column_index(spec, cells)
        if index is None:
            raise UnreadableFile(name, msg("mapping_column_missing", column=repr(spec), field=str(fld)))
        columns[fld] = index
    return Header(sheet=sheet, row=header_row, columns=columns, cells=cells or [])


def parse_table(
    source: FileSource,
    *,
    kind: str | None = None,
    column_mapping: ColumnMapping = None,
    name: str | None = None,
    options: IntakeOptions | None = None,
    limits: IntakeBounds | None = None,
) -> ParseResult:
    """Parse a CSV or XLSX table of reports into RawMessage / Quarantined items.

    Refuses ("not a report file") the tables that only look like reports: an action
    plan, meetings, districts, planted hotspots. The date column's order (day or month
    first) is decided from its values, else by the mapping's ``date_order``, the
    ``options`` or the default bound; projected X/Y columns need a CRS to be placed.
    """
    infile = InputFile.of(source, name)
    kind = kind or ("xlsx" if infile.suffix in (".xlsx", ".xlsm") else "csv")
    mapping = load_mapping(column_mapping, infile.name)
    options = options or IntakeOptions()
    limits = limits or bounds()
    table = Table(infile, kind, limits)
    if mapping is None:
        refuse_side_table(table)
    header = find_header(table, REPORT_HEADERS, ("text",), mapping)
    if header is None:
        table.close()
        raise UnreadableFile(infile.name, msg("no_header", rows=HEADER_SCAN_ROWS))
    default_date = mapping.get("default_date") if mapping else None
    if "date" not in header.columns and default_date is None:
        table.close()
        raise UnreadableFile(infile.name, msg("no_date_column", found=_found(header)))
    result = ParseResult(kind=kind, name=infile.name, items=iter(()))
    if kind == "csv":
        result.notes.append(msg("note_csv_read_as", encoding=table.encoding, delimiter=repr(table.delimiter)))
    tally = Tally(result, kind)
    given_order = (mapping or {}).get("date_order") or options.date_order
    order = _date_order(table, header, given_order, limits.default_date_order, result)
    crs = (mapping or {}).get("crs") or options.crs
    convert = _row_converter(kind, header, default_date, tally, order, _Projection(crs, infile.name))
    result.items = _table_items(table, header, tally, convert)
    return result


# Column names that only the tables beside the reports carry: a table naming two of one
# kind is that kind of table, whatever else it has (an action's description is no report).
SIDE_TABLES: dict[str, tuple[str, ...]] = {
    "action_plan": (
        "owner",
        "owner org",
        "due date",
        "deadline",
        "public note",
        "progress",
        "milestones",
        "partners",
        "відповідальний",
        "термін виконання",
        "захід",
        "заходи",
        "виконавець заходу",
    ),
    "meetings": ("meeting id", "attendees", "учасників", "кількість учасників", "присутні", "problems"),
    "districts": ("population", "населення", "district ru", "district en", "мікрорайон ru"),
    "planted_hotspots": ("hotspot id", "spread m", "landmark id", "planted"),
    "answer_key": ("is report", "expected level", "is duplicate of", "locatable", "pii kinds"),
}


def refuse_side_table(table: Table) -> None:
    """UnreadableFile "not a report file" for a table of the kinds in :data:`SIDE_TABLES`."""
    for sheet in table.sheets:
        for _, cells in table.head(sheet):
            keys = {header_key(cell) for cell in cells}
            for what, words in SIDE_TABLES.items():
                hits = sorted(keys & set(words))
                if len(hits) >= 2:
                    table.close()
                    shown = ", ".join(f"'{hit}'" for hit in hits)
                    raise UnreadableFile(
                        table.infile.name, msg("side_table", table=msg("table_" + what), columns=shown)
                    )


DATE_SCAN_ROWS = 100_000


def _date_order(table: Table, header: Header, given: str | None, default: str, result: ParseResult) -> str:
    """Day-first or month-first for the date columns, from their values when they decide.

    A value like 25/03 can only be day-first, 03/25 only month-first. Values that fit
    both leave it to ``given`` (mapping or option), else to the default, with a note.
    """
    if given is not None and given not in DATE_ORDERS:
        raise UnreadableFile(table.infile.name, msg("bad_date_order", value=repr(given)))
    columns = [header.columns[f] for f in ("date", "occurred") if f in header.columns]
    seen: set[str] = set()
    try:
        for number, cells in table.rows(header.sheet):
            if number <= header.row:
                continue
            seen.update(filter(None, (date_order_evidence(cells[i]) for i in columns if i < len(cells))))
            if seen or number > header.row + DATE_SCAN_ROWS:
                break
    except UnreadableFile:
        pass  # damage or a bound further on: the reading pass reports it, after the rows before it
    if len(seen) == 1:
        found = seen.pop()
        if given and given != found:
            result.notes.append(msg("note_dates_overrule", found=msg("order_" + found), given=msg("order_" + given)))
        elif not given and found != default:
            result.notes.append(msg("note_dates_found", found=msg("order_" + found)))
        return found
    if given:
        return given
    if columns:
        result.notes.append(msg("note_dates_default", order=msg("order_" + default)))
    return default


class _Projection:
    """Projected X/Y (metres) to latitude/longitude, when the CRS is known."""

    def __init__(self, crs: str | None, name: str) -> None:
        self.crs = crs
        self._transformer: Any = None
        if crs:
            from pyproj import CRS, Transformer
            from pyproj.exceptions import CRSError

            try:
                self._transformer = Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)
            except CRSError as exc:
                raise UnreadableFile(name, msg("crs_unknown", crs=crs, detail=str(exc))) from None

    def locate(self, lat: Any, lon: Any) -> tuple[tuple[float, float] | None, Message | None]:
        """(lat, lon) or a problem; X is the east (lon) column, Y the north (lat) one."""
        location, problem = check_location(lat, lon)
        if location is not None or problem is None or problem.code != PROJECTED:
            return location, problem
        if self._transformer is None:
            return None, msg("coords_need_crs", problem=problem)
        y, x = parse_float(lat), parse_float(lon)
        out_lon, out_lat = self._transformer.transform(x, y)
        return (float(out_lat), float(out_lon)), None


def _found(header: Header) -> str:
    return ", ".join(f"'{cell_text(c)}'" for c in header.cells if cell_text(c)) or "-"


def _table_items(table: Table, header: Header, tally: Tally, convert: Callable[[int, list[Any]], Any]) -> Iterator[Any]:
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
        yield tally.quarantine(f"{tally.source}:file:{table.infile.name}", msg("rest_not_read", problem=exc.problem))
        tally.result.problems.append(msg("file_rest_not_read", file=table.infile.name, problem=exc.problem))
    finally:
        table.close()
    if tally.result.stats["skipped_blank"]:
        tally.result.notes.append(msg("note_blank_rows", n=tally.result.stats["skipped_blank"]))


def _row_converter(
    kind: str, header: Header, default_date: Any, tally: Tally, order: str, projection: _Projection
) -> Callable[[int, list[Any]], RawMessage | Quarantined]:
    columns = header.columns

    def get(cells: list[Any], fld: str) -> Any:
        index = columns.get(fld)
        return cells[index] if index is not None and index < len(cells) else None

    def convert(number: int, cells: list[Any]) -> RawMessage | Quarantined:
        text = cell_text(get(cells, "text"))
        date_cell = get(cells, "date") if "date" in columns else default_date
        author = _author_id(get(cells, "phone"), get(cells, "author"))
        location, location_problem = projection.locate(get(cells, "lat"), get(cells, "lon"))
        address = cell_text(get(cells, "address")) or None
        category_text = cell_text(get(cells, "category"))
        try:
            received_at, date_only = parse_when(date_cell, get(cells, "time"), order)
            when_key = received_at.isoformat()
        except BadDate as exc:
            received_at, date_only, problem = None, False, exc.message
            when_key = cell_text(date_cell)
        external = cell_text(get(cells, "external_id"))
        ref = f"{kind}:" + short_hash(
            normalise_text(text),
            when_key,
            normalise_text(address or ""),
            normalise_text(category_text),
            author or "",
            repr(location),
            external,
        )
        if not text:
            no_text = msg("row_problem", row=number, problem=msg("no_text"))
            return tally.quarantine(ref, no_text, " ".join(cell_text(c) for c in cells))
        if received_at is None:
            return tally.quarantine(ref, msg("row_problem", row=number, problem=problem), text)
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
                occurred, _ = parse_when(get(cells, "occurred"), order=order)
            except BadDate as exc:
                extra["occurred_problem"] = exc.message
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
