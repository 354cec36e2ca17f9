"""Meeting minutes: the shipped XLSX template round-trips, DOCX minutes read the same,
each problem becomes a RawMessage tied to its Meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from data.intake import Meeting, UnreadableFile, parse_file
from data.intake.common import InputFile
from data.intake.minutes import is_minutes_workbook
from data.intake.templates import XLSX_TEMPLATE, write_minutes_docx_template, write_minutes_template
from data.messages import msg
from data.records import Quarantined, RawMessage

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def consume(result):
    items = list(result.items)
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == len(items)
    return items


def test_filled_xlsx_template():
    result = parse_file(FIXTURES / "minutes_filled.xlsx")
    assert result.kind == "minutes"
    items = consume(result)
    [meeting] = result.meetings
    assert meeting == Meeting(
        id="2024-03", date=date(2024, 3, 12), place="Ліцей №2, актова зала", attendees=27, problems=3
    )
    dump, light, missing, drinking = items
    assert isinstance(dump, RawMessage) and dump.source == "meeting" and dump.meeting_id == "2024-03"
    assert dump.text == "Стихійне звалище за ринком" and dump.venue_text == "вул. Київська біля ринку"
    assert dump.category_hint == "litter"
    assert dump.extra["solution"] == "Встановити контейнери і камеру"
    assert dump.extra["partners"] == "КП «Благоустрій», ОСББ"
    assert dump.received_at == datetime(2024, 3, 12, 10, 0, tzinfo=UTC)
    assert light.category_hint is None and "category_text" not in light.extra
    assert isinstance(missing, Quarantined)
    assert missing.reason == msg("row_problem", row=4, problem=msg("no_problem_described"))
    assert drinking.category_hint == "drinking"
    assert result.stats["skipped_blank"] == 1  # a row with only its № filled in
    assert len({i.source_ref for i in items}) == 4


def test_docx_minutes():
    result = parse_file(FIXTURES / "minutes_meeting7.docx")
    items = consume(result)
    [meeting] = result.meetings
    assert meeting.id == "7"  # from the title "Протокол зустрічі № 7"
    assert (meeting.date, meeting.attendees, meeting.problems) == (date(2024, 3, 19), 41, 2)
    assert meeting.place == "Будинок культури, вул. Центральна, 5"
    parking, dogs = items
    assert parking.category_hint == "parking" and parking.extra["partners"] == "Підприємці"
    assert dogs.venue_text is None and dogs.text == "Собаки без повідця біля школи №5"


def test_blank_templates_are_recognised(tmp_path):
    xlsx = write_minutes_template(tmp_path / "t.xlsx")
    assert is_minutes_workbook(InputFile.of(xlsx))
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames == ["meeting", "problems", "categories"]
    assert workbook["problems"]["C1"].value == "Проблема / Problem"
    with pytest.raises(UnreadableFile, match="minutes_no_date"):
        parse_file(xlsx)
    with pytest.raises(UnreadableFile, match="minutes_no_date"):
        parse_file(write_minutes_docx_template(tmp_path / "t.docx"))


def test_shipped_template_is_current(tmp_path):
    fresh = openpyxl.load_workbook(write_minutes_template(tmp_path / "t.xlsx"))
    shipped = openpyxl.load_workbook(XLSX_TEMPLATE)
    for name in fresh.sheetnames:
        assert [[c.value for c in r] for r in fresh[name].iter_rows()] == [
            [c.value for c in r] for r in shipped[name].iter_rows()
        ]


def test_meeting_without_id_gets_a_stable_one(tmp_path):
    path = tmp_path / "m.xlsx"
    workbook = openpyxl.load_workbook(XLSX_TEMPLATE)
    workbook["meeting"]["B3"] = "05.04.2024"
    workbook["meeting"]["B4"] = "Школа №5"
    workbook["problems"].append([1, "біля школи", "Графіті на паркані", "Графіті", "", ""])
    workbook.save(path)
    first, second = parse_file(path), parse_file(path)
    [item] = consume(first)
    assert first.meetings[0].id == second.meetings[0].id and first.meetings[0].id.startswith("2024-04-05-")
    assert item.meeting_id == first.meetings[0].id and item.category_hint == "graffiti"


def test_bad_meeting_date_is_unreadable(tmp_path):
    document = docx.Document()
    document.add_paragraph("Дата: 31.02.2024")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Місце", "Проблема"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "парк", "сміття"
    document.save(str(tmp_path / "m.docx"))
    with pytest.raises(UnreadableFile) as info:
        parse_file(tmp_path / "m.docx")
    assert info.value.name == "m.docx"
    assert info.value.problem == msg("minutes_bad_date", problem=msg("bad_date", value="31.02.2024"))


def test_docx_without_problem_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("Дата: 01.03.2024")
    document.save(str(tmp_path / "m.docx"))
    with pytest.raises(UnreadableFile, match="minutes_no_table"):
        parse_file(tmp_path / "m.docx")
