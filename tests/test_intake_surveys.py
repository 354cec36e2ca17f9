"""Survey responses: Likert and yes/no answers per wave and district, bad rows quarantined."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from data.intake import SurveyResponse, UnreadableFile, parse_file
from data.intake.surveys import parse_answer
from data.messages import msg
from i18n import say

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def test_survey_csv():
    result = parse_file(FIXTURES / "survey_waves.csv")
    assert result.kind == "survey"
    quarantined = list(result.items)
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == 6
    assert len(result.surveys) == 3 and len(quarantined) == 3
    first, second, third = result.surveys
    assert first == SurveyResponse(
        source_ref=first.source_ref,
        wave="1",
        district="Центр",
        answered_on=date(2024, 2, 1),
        answers={"awareness": 5, "trust_police": 4, "trust_council": 3, "trust_community": 5},
    )
    assert second.answers == {"awareness": 1, "trust_police": 2, "trust_council": 2}  # "важко відповісти" is no answer
    assert third.wave == "2"
    assert [say(q.reason, "en") for q in quarantined] == [
        "row 5: trust in police '7' is not 1-5 or yes/no",
        "row 6: no wave",
        "row 7: no answers",
    ]
    bad_answer = msg("survey_bad_answer", question=msg("survey_q_trust_police"), value="7")
    assert quarantined[0].reason == msg("row_problem", row=5, problem=bad_answer)
    assert say(quarantined[0].reason) == "рядок 5: довіра до поліції: «7» не є оцінкою 1-5 чи так/ні"
    assert len({s.source_ref for s in result.surveys} | {q.source_ref for q in quarantined}) == 6


def test_identical_answers_from_two_respondents_stay_two():
    content = "Хвиля,Район,Довіра до поліції,Довіра до ради\n1,Центр,4,4\n1,Центр,4,4\n".encode()
    result = parse_file(content, name="s.csv")
    assert list(result.items) == []
    assert len({s.source_ref for s in result.surveys}) == 2


def test_survey_xlsx_with_default_wave(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["District", "Trust in police", "Trust in council", "Awareness"])
    workbook.active.append(["Болгарка", 3, "yes", True])
    workbook.save(tmp_path / "s.xlsx")
    with pytest.raises(UnreadableFile, match="survey_no_wave_column"):
        parse_file(tmp_path / "s.xlsx")
    result = parse_file(
        tmp_path / "s.xlsx",
        column_mapping={
            "default_wave": "2024-autumn",
            "columns": {"district": "District", "trust_police": "Trust in police", "trust_council": "Trust in council"},
        },
    )
    list(result.items)
    [response] = result.surveys
    assert response.wave == "2024-autumn" and response.answers == {"trust_police": 3, "trust_council": 5}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("4", 4),
        ("4 - скоріше довіряю", 4),
        ("так", 5),
        ("Ні", 1),
        ("Да", 5),
        ("no", 1),
        (True, 5),
        (5, 5),
        (2.0, 2),
        ("3,0", 3),
        ("", None),
        (None, None),
        ("Важко відповісти", None),
    ],
)
def test_parse_answer(value, expected):
    assert parse_answer(value) == expected


@pytest.mark.parametrize("value", ["7", "0", "4.5", "дуже", -1, float("nan")])
def test_parse_answer_rejects(value):
    with pytest.raises(ValueError):
        parse_answer(value)
