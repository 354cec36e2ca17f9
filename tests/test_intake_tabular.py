"""CSV/XLSX tables of reports: encodings, delimiters, headers found below a title, dates
in every shape, moderator-readable quarantine reasons, saved column mappings."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.intake import UnreadableFile, parse_file
from data.intake.common import BadDate, parse_when
from data.intake.tabular import decode_text, sniff_delimiter
from data.messages import msg
from data.records import Quarantined, RawMessage
from i18n import say

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def consume(result):
    items = list(result.items)
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == len(items)
    return items


def test_cp1251_csv_with_russian_headers_on_row_3():
    result = parse_file(FIXTURES / "reports_cp1251.csv")
    assert result.kind == "csv"
    items = consume(result)
    assert result.notes[0] == msg("note_csv_read_as", encoding="cp1251", delimiter="';'")
    assert say(result.notes[0], "en") == "read as cp1251, columns separated by ';'"
    assert result.stats["skipped_blank"] == 1
    first, second, bad_date, no_text, dogs = items
    assert isinstance(first, RawMessage) and first.source == "csv"
    assert first.text == "Свалка мусора во дворе, не вывозят неделю"
    assert first.venue_text == "ул. Киевская, 12"
    assert first.received_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)  # date only: Kyiv noon
    assert first.extra == {"row": 4, "date_only": True, "external_id": "1"}
    assert first.category_hint == "litter"  # the Ukrainian label of a category
    assert first.author_id == second.author_id == "phone:671234567"  # one person, two spellings
    assert second.received_at == datetime(2024, 3, 2, 19, 40, tzinfo=UTC)
    assert isinstance(bad_date, Quarantined)
    assert bad_date.reason == msg("row_problem", row=7, problem=msg("bad_date", value="31.02.2024"))
    assert say(bad_date.reason, "uk") == "рядок 7: дата «31.02.2024» не є датою"
    assert isinstance(no_text, Quarantined) and no_text.reason == msg("row_problem", row=8, problem=msg("no_text"))
    assert dogs.text == "Собаки без поводка; кусают детей" and dogs.category_hint == "animals"


def test_source_ref_is_a_stable_content_hash():
    refs = [i.source_ref for i in consume(parse_file(FIXTURES / "reports_cp1251.csv"))]
    assert refs == [i.source_ref for i in consume(parse_file(FIXTURES / "reports_cp1251.csv"))]
    assert all(ref.startswith("csv:") for ref in refs) and len(set(refs)) == len(refs)
    # the same rows saved as UTF-8 with commas give the same refs
    text = (FIXTURES / "reports_cp1251.csv").read_bytes().decode("cp1251")
    out = io.StringIO()
    csv.writer(out).writerows(list(csv.reader(io.StringIO(text), delimiter=";"))[2:])
    as_utf8 = out.getvalue()
    reread = [i.source_ref for i in consume(parse_file(as_utf8.encode("utf-8-sig"), name="copy.csv"))]
    assert reread == refs


def test_xlsx_with_date_serial_title_rows_and_coordinates():
    result = parse_file(FIXTURES / "reports_serial.xlsx")
    assert result.kind == "xlsx"
    graffiti, dogs, tyres, bad_date, no_text = consume(result)
    assert graffiti.source == "xlsx" and graffiti.source_ref.startswith("xlsx:")
    assert graffiti.received_at == datetime(2024, 3, 1, 19, 15, tzinfo=UTC)  # serial 45352 + "21:15" Kyiv
    assert graffiti.location == (47.5655, 31.3301) and graffiti.category_hint == "graffiti"
    assert graffiti.author_id == "author:resident a"
    assert dogs.received_at == datetime(2024, 3, 5, 6, 30, tzinfo=UTC)  # a real Excel datetime
    assert dogs.location == (47.5701, 31.3255)  # decimal commas
    assert tyres.received_at == datetime(2024, 3, 2, 16, 0, tzinfo=UTC)  # serial with a time fraction
    assert tyres.location is None
    assert tyres.extra["location_problem"] == msg("coords_off_earth", lat="123.0", lon="31.3")
    assert bad_date.reason == msg("row_problem", row=7, problem=msg("bad_date", value="5 March"))
    assert no_text.reason == msg("row_problem", row=8, problem=msg("no_text"))


@pytest.mark.parametrize(
    "value, expected, date_only",
    [
        ("2024-03-01", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        ("2024-03-01T21:40:00", datetime(2024, 3, 1, 19, 40, tzinfo=UTC), False),
        ("2024-07-01 21:40", datetime(2024, 7, 1, 18, 40, tzinfo=UTC), False),  # summer time
        ("2024-03-01T21:40:00+00:00", datetime(2024, 3, 1, 21, 40, tzinfo=UTC), False),
        ("01.03.2024", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        ("1.3.24", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        ("01/03/2024 08:05", datetime(2024, 3, 1, 6, 5, tzinfo=UTC), False),
        ("01.03.2024 р.", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        (45352, datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        ("45352", datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        (date(2024, 3, 1), datetime(2024, 3, 1, 10, 0, tzinfo=UTC), True),
        (datetime(2024, 3, 1, 23, 30), datetime(2024, 3, 1, 21, 30, tzinfo=UTC), False),
    ],
)
def test_parse_when(value, expected, date_only):
    assert parse_when(value) == (expected, date_only)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("31.02.2024", msg("bad_date", value="31.02.2024")),
        ("вчора", msg("bad_date", value="вчора")),
        (12, msg("bad_date", value="12")),
        ("", msg("no_date")),
        (None, msg("no_date")),
    ],
)
def test_parse_when_reasons(value, reason):
    with pytest.raises(BadDate) as info:
        parse_when(value)
    assert info.value.message == reason


def test_decode_and_sniff():
    assert decode_text("дата;текст".encode("cp1251")) == ("дата;текст", "cp1251")
    assert decode_text("\ufeffдата".encode()) == ("дата", "utf-8-sig")
    assert decode_text("дата\tтекст".encode("utf-16")) == ("дата\tтекст", "utf-16")
    assert sniff_delimiter('дата,текст\n01.03.2024,"сміття, багато"\n') == ","
    assert sniff_delimiter("дата;текст\n01.03.2024;сміття, багато, дуже\n") == ";"
    assert sniff_delimiter("дата\tтекст\n01.03.2024\tсміття, багато\n") == "\t"


def test_english_headers_and_header_on_first_row():
    content = b"Date,Description,Address\n2024-03-01,Broken lamp,Kyivska 3\n"
    [item] = consume(parse_file(content, name="x.csv"))
    assert item.text == "Broken lamp" and item.venue_text == "Kyivska 3"


def test_a_far_date_is_left_to_the_importer_bounds():
    """The parser reads the date; the period bound (data/intake/bounds.py) is the importer's check."""
    content = "Дата;Опис\n01.01.2099;Сміття\n".encode()
    [item] = consume(parse_file(content, name="x.csv"))
    assert item.received_at.year == 2099


def test_no_header_is_unreadable_with_advice():
    with pytest.raises(UnreadableFile) as info:
        parse_file(b"a;b\n1;2\n", name="odd.csv")
    assert info.value.name == "odd.csv" and info.value.problem == msg("no_header", rows=30)
    assert "column mapping" in say(info.value.problem, "en") and "відповідність стовпців" in say(info.value.problem)


def test_no_date_column_is_unreadable():
    with pytest.raises(UnreadableFile) as info:
        parse_file("Текст;Адреса\nСміття;Київська 3\n".encode(), name="nodate.csv")
    assert info.value.problem == msg("no_date_column", found="'Текст', 'Адреса'")


def test_column_mapping_dict_and_json_file(tmp_path):
    content = "x;y;z\nA1;Сміття на розі;12.03.2024\n".encode()
    mapping = {"header_row": 1, "columns": {"text": "y", "date": "C", "external_id": 1}}
    [item] = consume(parse_file(content, name="odd.csv", column_mapping=mapping))
    assert item.text == "Сміття на розі" and item.extra["external_id"] == "A1"
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"text": "y", "date": "z"}), encoding="utf-8")
    [again] = consume(parse_file(content, name="odd.csv", column_mapping=path))
    assert again.text == item.text and again.received_at == item.received_at


def test_mapping_without_header_and_default_date():
    content = "Сміття на розі;Київська\nЯма;Соборності\n".encode()
    mapping = {"header_row": 0, "columns": {"text": 1, "address": 2}, "default_date": "2024-03-01"}
    items = consume(parse_file(content, name="nohead.csv", column_mapping=mapping))
    assert [i.text for i in items] == ["Сміття на розі", "Яма"]
    assert items[1].venue_text == "Соборності"


@pytest.mark.parametrize(
    "mapping, problem",
    [
        ({"text": "nope", "date": "B"}, "the column mapping's column 'nope' for 'text' is not in the file"),
        ({"txt": "A"}, "the column mapping names unknown fields: txt; known: "),
        ({"header_row": "one", "columns": {"text": "A"}}, "the column mapping's header_row must be a row number"),
    ],
)
def test_bad_mappings_are_unreadable(mapping, problem):
    with pytest.raises(UnreadableFile) as info:
        parse_file(b"a;b\n1;2\n", name="m.csv", column_mapping=mapping)
    assert say(info.value.problem, "en").startswith(problem)


def test_old_xls_and_wrong_content():
    with pytest.raises(UnreadableFile) as info:
        parse_file(b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="old.xls")
    assert info.value.problem == msg("old_xls")
    with pytest.raises(UnreadableFile) as info:
        parse_file("дата;текст\n".encode(), name="renamed.xlsx")
    assert info.value.problem == msg("content_not_suffix", suffix=".xlsx")
