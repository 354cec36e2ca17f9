"""Meeting minutes: the XLSX template we ship, or the same content as a DOCX.

The 10 community meetings are the richest source: each problem raised there comes with a
place, often a category, a proposed solution and the partners who could act, which feed
the joint action plan. Layout (see :mod:`data.intake.templates`):

* XLSX: sheet ``meeting`` holds label/value rows (meeting id, date, place, attendees);
  sheet ``problems`` holds one row per problem (№, place, problem, category, proposed
  solution, partners). Labels are bilingual; Ukrainian, Russian or English all work.
* DOCX: paragraphs "Дата: 12.03.2024", "Місце: ...", "Кількість учасників: 25",
  "Номер зустрічі: 3", then one table with the problems' columns.

Each problem becomes a RawMessage (source ``meeting``) carrying ``meeting_id``, with the
solution and partners in ``extra``; the meeting itself is a :class:`Meeting` on
``ParseResult.meetings``. A file whose meeting date is missing or wrong is unreadable:
every problem would inherit the error, so it is better fixed once at the source.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from data.city_profile import city_zone
from data.intake.common import (
    BadDate,
    FileSource,
    InputFile,
    ParseResult,
    Tally,
    UnreadableFile,
    category_slug,
    cell_text,
    header_key,
    match_header,
    open_workbook,
    parse_when,
    short_hash,
    zip_names,
)
from data.messages import msg
from data.records import Quarantined, RawMessage

KIND = "minutes"
MEETING_SHEETS = ("meeting", "зустріч", "встреча")
PROBLEM_SHEETS = ("problems", "проблеми", "проблемы")

MEETING_LABELS: dict[str, tuple[str, ...]] = {
    "id": ("номер зустрічі", "номер", "id", "meeting id", "meeting", "№ зустрічі", "№", "номер встречи", "зустріч №"),
    "date": ("дата", "дата зустрічі", "date", "дата встречи", "meeting date"),
    "place": ("місце", "місце проведення", "адреса", "place", "venue", "location", "место", "место проведения"),
    "attendees": (
        "кількість учасників",
        "учасників",
        "учасники",
        "кількість присутніх",
        "присутні",
        "attendees",
        "participants",
        "количество участников",
        "участников",
    ),
}
PROBLEM_HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("№", "номер", "no", "n", "#"),
    "place": ("місце", "адреса", "place", "location", "address", "место", "адрес"),
    "problem": ("проблема", "опис проблеми", "problem", "description", "суть", "опис", "описание", "issue"),
    "category": ("категорія", "category", "категория"),
    "solution": (
        "запропоноване рішення",
        "рішення",
        "пропозиція",
        "solution",
        "proposed solution",
        "предложенное решение",
        "решение",
        "предложение",
    ),
    "partners": ("партнери", "партнерство", "partners", "партнеры", "хто може допомогти", "who can help"),
}
_LABEL_LINE = re.compile(r"^\s*([^:：]{2,60}?)\s*[:：]\s*(.+?)\s*$")
_TITLE_NUMBER = re.compile(r"(?:№|#|No\.?)\s*([^\W_][\w\-/]*)", re.IGNORECASE)


class Meeting(BaseModel):
    """A community meeting (DESIGN.md: id, date, place, attendees count, problems raised)."""

    id: str = Field(min_length=1, max_length=50)
    date: date
    place: str = ""
    attendees: int | None = Field(default=None, ge=0)
    problems: int = 0  # problems raised; each one is a RawMessage with this meeting_id


def is_minutes_workbook(infile: InputFile) -> bool:
    """An XLSX with a meeting sheet and a problems sheet (names in any of our languages)."""
    workbook = open_workbook(infile)
    try:
        names = {header_key(name) for name in workbook.sheetnames}
    finally:
        workbook.close()
    return bool(names & set(MEETING_SHEETS)) and bool(names & set(PROBLEM_SHEETS))


def parse_minutes(source: FileSource, *, name: str | None = None) -> ParseResult:
    """Parse meeting minutes (XLSX template or DOCX) into problems and one Meeting."""
    infile = InputFile.of(source, name)
    if infile.head(4) != b"PK\x03\x04":
        raise UnreadableFile(infile.name, msg("minutes_not_office"))
    labels, title, table = _read_docx(infile) if "word/document.xml" in zip_names(infile) else _read_xlsx(infile)
    header = _problem_header(table, infile.name)
    meeting = _meeting(labels, title, infile.name)
    result = ParseResult(kind=KIND, name=infile.name, items=iter(()), meetings=[meeting])
    result.items = _items(table, header, meeting, result, Tally(result, "meeting"))
    return result


def _read_xlsx(infile: InputFile) -> tuple[list[tuple[Any, Any]], str, list[tuple[int, list[Any]]]]:
    """(label/value pairs, title, problem rows); minutes are small, so read whole."""
    workbook = open_workbook(infile)
    try:
        sheets = {header_key(name): name for name in workbook.sheetnames}
        meeting_name = next((sheets[n] for n in MEETING_SHEETS if n in sheets), None)
        problems_name = next((sheets[n] for n in PROBLEM_SHEETS if n in sheets), None)
        if meeting_name is None or problems_name is None:
            raise UnreadableFile(infile.name, msg("minutes_sheets", found=", ".join(workbook.sheetnames)))
        pairs = workbook[meeting_name].iter_rows(max_col=2, values_only=True)
        labels = [(row[0], row[1]) for row in pairs if len(row) >= 2]
        table = [(n, list(row)) for n, row in enumerate(workbook[problems_name].iter_rows(values_only=True), start=1)]
    except UnreadableFile:
        raise
    except Exception as exc:  # damaged sheet XML surfaces only while iterating
        raise UnreadableFile(infile.name, msg("minutes_sheet_damaged", detail=f"{type(exc).__name__}: {exc}")) from None
    finally:
        workbook.close()
    return labels, "", table


def _read_docx(infile: InputFile) -> tuple[list[tuple[Any, Any]], str, list[tuple[int, list[Any]]]]:
    import docx

    try:
        document = docx.Document(io.BytesIO(infile.read_bytes()))
    except Exception as exc:  # python-docx raises zip, XML and key errors alike
        raise UnreadableFile(infile.name, msg("docx_unreadable", detail=f"{type(exc).__name__}: {exc}")) from None
    labels: list[tuple[Any, Any]] = []
    title = ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        match = _LABEL_LINE.match(text)
        if match:
            labels.append((match[1], match[2]))
        elif text and not title:
            title = text
    for table in document.tables:
        rows = [(n, [cell.text.strip() for cell in row.cells]) for n, row in enumerate(table.rows, start=1)]
        if rows and _find_header(rows) is not None:
            return labels, title, rows
    raise UnreadableFile(infile.name, msg("minutes_no_table"))


def _find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]] | None:
    for number, cells in rows[:10]:
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            fld = match_header(cell, PROBLEM_HEADERS)
            if fld is not None and fld not in columns:
                columns[fld] = index
        if "problem" in columns and len(columns) >= 2:
            return number, columns
    return None


def _problem_header(rows: list[tuple[int, list[Any]]], name: str) -> tuple[int, dict[str, int]]:
    header = _find_header(rows)
    if header is None:
        raise UnreadableFile(name, msg("minutes_no_header"))
    return header


def _meeting(labels: list[tuple[Any, Any]], title: str, name: str) -> Meeting:
    values: dict[str, Any] = {}
    for label, value in labels:
        fld = match_header(label, MEETING_LABELS)
        if fld is not None and fld not in values and cell_text(value):
            values[fld] = value
    if "date" not in values:
        raise UnreadableFile(name, msg("minutes_no_date"))
    try:
        when, _ = parse_when(values["date"])
    except BadDate as exc:
        raise UnreadableFile(name, msg("minutes_bad_date", problem=exc.message)) from None
    local_day = when.astimezone(city_zone()).date()
    place = cell_text(values.get("place"))
    meeting_id = cell_text(values.get("id"))
    if not meeting_id and title:
        match = _TITLE_NUMBER.search(title)
        meeting_id = match[1] if match else ""
    if not meeting_id:  # stable across re-imports of the same minutes
        meeting_id = f"{local_day:%Y-%m-%d}-{short_hash(place, length=6)}"
    attendees = None
    digits = re.search(r"\d+", cell_text(values.get("attendees")))
    if digits:
        attendees = int(digits[0])
    return Meeting(id=meeting_id[:50], date=local_day, place=place, attendees=attendees)


def _items(
    rows: list[tuple[int, list[Any]]],
    header: tuple[int, dict[str, int]],
    meeting: Meeting,
    result: ParseResult,
    tally: Tally,
) -> Iterator[RawMessage | Quarantined]:
    header_row, columns = header
    received_at, _ = parse_when(meeting.date)  # local noon of the meeting day, in UTC

    def get(cells: list[Any], fld: str) -> str:
        index = columns.get(fld)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    for number, cells in rows:
        if number <= header_row:
            continue
        if not any(cell_text(c) for c in cells) or _only_number(cells, columns):
            tally.skip("blank")
            continue
        tally.read()
        problem, place = get(cells, "problem"), get(cells, "place")
        ref = f"meeting:{meeting.id}:{short_hash(problem, place, length=10)}"
        if not problem:
            reason = msg("row_problem", row=number, problem=msg("no_problem_described"))
            yield tally.quarantine(ref, reason, " ".join(cell_text(c) for c in cells))
            continue
        extra: dict[str, Any] = {"row": number}
        for fld in ("solution", "partners"):
            if get(cells, fld):
                extra[fld] = get(cells, fld)
        category_text = get(cells, "category")
        slug = category_slug(category_text)
        if category_text and slug is None:
            extra["category_text"] = category_text
        meeting.problems += 1
        tally.emitted()
        yield RawMessage(
            source="meeting",
            source_ref=ref,
            received_at=received_at,
            text=problem,
            venue_text=place or None,
            meeting_id=meeting.id,
            category_hint=slug,
            extra=extra,
        )
    if result.stats["skipped_blank"]:
        result.notes.append(msg("note_minutes_blank_rows", n=result.stats["skipped_blank"]))


def _only_number(cells: list[Any], columns: dict[str, int]) -> bool:
    """A template row with only its № filled in is an unused row, not a record."""
    index = columns.get("number")
    filled = [i for i, c in enumerate(cells) if cell_text(c)]
    return index is not None and filled == [index]
