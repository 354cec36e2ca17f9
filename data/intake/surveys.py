"""Survey responses (CSV or XLSX): awareness of the initiative, trust in police, council
and community organisations, per wave and district.

Surveys measure whether the dialogue works, so they are kept apart from reports: each
row becomes a :class:`SurveyResponse` on ``ParseResult.surveys`` and ``items`` yields only
the rows that had to be quarantined. Answers are Likert 1-5 or yes/no; yes is stored as
5 and no as 1, so that "share answering 4 or 5" and the mean read the same way for both
kinds of question. "Don't know" and blanks are no answer, not a zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from data.intake.common import (
    BadDate,
    ColumnMapping,
    FileSource,
    InputFile,
    ParseResult,
    Tally,
    UnreadableFile,
    cell_text,
    load_mapping,
    normalise_text,
    parse_when,
    short_hash,
)
from data.intake.tabular import HEADER_SCAN_ROWS, Header, Table, find_header, refuse_side_table
from data.messages import Message, msg

KIND = "survey"
QUESTIONS = ("awareness", "trust_police", "trust_council", "trust_community")  # named by msg.survey_q_<field>
SURVEY_HEADERS: dict[str, tuple[str, ...]] = {
    "wave": ("хвиля", "етап", "хвиля опитування", "wave", "round", "волна", "этап", "раунд"),
    "district": ("район", "мікрорайон", "district", "neighbourhood", "neighborhood", "area", "микрорайон"),
    "date": ("дата", "дата опитування", "date", "дата опроса"),
    "respondent": ("респондент", "анкета", "номер анкети", "respondent", "respondent id", "id", "номер анкеты"),
    "awareness": (
        "обізнаність",
        "поінформованість",
        "чи знаєте ви про ініціативу",
        "awareness",
        "aware",
        "осведомленность",
        "информированность",
        "знаете ли вы об инициативе",
    ),
    "trust_police": (
        "довіра до поліції",
        "довіра поліції",
        "поліція",
        "trust in police",
        "trust police",
        "police",
        "доверие к полиции",
        "доверие полиции",
        "полиция",
    ),
    "trust_council": (
        "довіра до міської ради",
        "довіра до ради",
        "довіра раді",
        "міська рада",
        "рада",
        "trust in council",
        "trust council",
        "council",
        "доверие к городскому совету",
        "доверие совету",
        "горсовет",
    ),
    "trust_community": (
        "довіра до громадських організацій",
        "громадські організації",
        "го",
        "нго",
        "trust in community organisations",
        "trust in community organizations",
        "trust community",
        "community",
        "ngo",
        "доверие к общественным организациям",
        "общественные организации",
    ),
}
_YES = {"так", "yes", "y", "да", "true", "+"}
_NO = {"ні", "no", "n", "нет", "false"}
_NO_ANSWER = {
    "",
    "-",
    "—",
    "важко відповісти",
    "не знаю",
    "немає відповіді",
    "не знаю / важко відповісти",
    "don't know",
    "dont know",
    "dk",
    "n/a",
    "na",
    "затрудняюсь ответить",
}
_LEADING_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)(?![\d.,])")


class SurveyResponse(BaseModel):
    """One respondent's answers (DESIGN.md: wave, district, awareness and trust)."""

    source_ref: str = Field(min_length=1)
    wave: str = Field(min_length=1)
    district: str | None = None
    answered_on: date | None = None
    answers: dict[str, int] = Field(default_factory=dict)  # QUESTIONS keys -> 1..5


def _accept(columns: dict[str, int]) -> bool:
    return sum(q in columns for q in QUESTIONS) >= 2


def looks_like_survey(infile: InputFile) -> bool:
    """Whether a CSV/XLSX has a survey header (two or more of our questions). A side table
    (an action plan naming "police" and "council" as owners, say) is none: the report
    parser then refuses it as "not a report file"."""
    table = Table(infile, "xlsx" if infile.head(4) == b"PK\x03\x04" else "csv")
    try:
        refuse_side_table(table)
        return find_header(table, SURVEY_HEADERS, (), None, accept=_accept) is not None
    except UnreadableFile:
        return False
    finally:
        table.close()


def parse_answer(value: Any) -> int | None:
    """1..5 from a Likert or yes/no cell ("4", "4 - скоріше довіряю", "так"); None for
    no answer; ValueError for anything else."""
    if isinstance(value, bool):
        return 5 if value else 1
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = " ".join(cell_text(value).casefold().split())
        if text in _NO_ANSWER:
            return None
        if text in _YES:
            return 5
        if text in _NO:
            return 1
        match = _LEADING_NUMBER.match(text)
        if match is None:
            raise ValueError(value)
        number = float(match[1].replace(",", "."))
    if number.is_integer() and 1 <= number <= 5:
        return int(number)
    raise ValueError(value)


def parse_survey(source: FileSource, *, column_mapping: ColumnMapping = None, name: str | None = None) -> ParseResult:
    """Parse survey responses; ``column_mapping`` may also give ``default_wave``."""
    infile = InputFile.of(source, name)
    mapping = load_mapping(column_mapping, infile.name)
    table = Table(infile, "xlsx" if infile.head(4) == b"PK\x03\x04" else "csv")
    header = find_header(table, SURVEY_HEADERS, (), mapping, accept=None if mapping else _accept)
    if header is None:
        table.close()
        raise UnreadableFile(infile.name, msg("survey_no_header", rows=HEADER_SCAN_ROWS))
    default_wave = cell_text(mapping.get("default_wave")) if mapping else ""
    if "wave" not in header.columns and not default_wave:
        table.close()
        raise UnreadableFile(infile.name, msg("survey_no_wave_column"))
    result = ParseResult(kind=KIND, name=infile.name, items=iter(()))
    result.items = _items(table, header, default_wave, result, Tally(result, KIND))
    return result


def _items(table: Table, header: Header, default_wave: str, result: ParseResult, tally: Tally) -> Iterator[Any]:
    columns = header.columns

    def get(cells: list[Any], fld: str) -> Any:
        index = columns.get(fld)
        return cells[index] if index is not None and index < len(cells) else None

    try:
        for number, cells in table.rows(header.sheet):
            if number <= header.row:
                continue
            if not any(cell_text(c) for c in cells):
                tally.skip("blank")
                continue
            tally.read()
            wave = cell_text(get(cells, "wave")) or default_wave
            respondent = cell_text(get(cells, "respondent")) or f"row{number}"
            content = "|".join(normalise_text(cell_text(c)) for c in cells)
            ref = f"survey:{wave or '?'}:{respondent}:{short_hash(content, length=8)}"
            problem, response = _response(number, cells, get, wave, ref)
            if problem:
                yield tally.quarantine(ref, problem)
                continue
            result.surveys.append(response)
            tally.emitted()
    except UnreadableFile as exc:
        tally.read()
        yield tally.quarantine(f"survey:file:{table.infile.name}", msg("rest_not_read", problem=exc.problem))
        result.problems.append(msg("file_rest_not_read", file=table.infile.name, problem=exc.problem))
    finally:
        table.close()
    if result.stats["emitted"]:
        result.notes.append(msg("note_survey_read", n=result.stats["emitted"]))


def _response(number: int, cells: list[Any], get: Any, wave: str, ref: str) -> tuple[Message | None, Any]:
    """(problem, SurveyResponse): a problem is a moderator-facing reason, or None."""
    if not wave:
        return msg("row_problem", row=number, problem=msg("survey_no_wave")), None
    answers: dict[str, int] = {}
    for question in QUESTIONS:
        value = get(cells, question)
        try:
            answer = parse_answer(value)
        except ValueError:
            problem = msg("survey_bad_answer", question=msg("survey_q_" + question), value=cell_text(value))
            return msg("row_problem", row=number, problem=problem), None
        if answer is not None:
            answers[question] = answer
    if not answers:
        return msg("row_problem", row=number, problem=msg("survey_no_answers")), None
    answered_on = None
    if cell_text(get(cells, "date")):
        try:
            answered_on = parse_when(get(cells, "date"))[0].date()
        except BadDate as exc:
            return msg("row_problem", row=number, problem=exc.message), None
    district = cell_text(get(cells, "district")) or None
    return None, SurveyResponse(source_ref=ref, wave=wave, district=district, answered_on=answered_on, answers=answers)
