"""Relative times in report text, resolved in Kyiv local time, returned in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.city_profile import city_zone
from data.text import when
from data.text.when import occurred_at

KYIV = city_zone()  # the demo profile's zone: the cases below are written in its clock

# Monday 2026-05-25 09:15 Kyiv summer time (UTC+3) = 06:15 UTC.
MSG = datetime(2026, 5, 25, 6, 15, tzinfo=UTC)


def kyiv(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=KYIV).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("вчора ввечері шуміли під вікнами", kyiv(2026, 5, 24, 21)),
        ("сьогодні вночі знову музика", kyiv(2026, 5, 25, 2)),
        ("вчора вночі розбили скло", kyiv(2026, 5, 25, 2)),
        ("позавчора засмітили двір", kyiv(2026, 5, 23, 9, 15)),
        ("в суботу о 23:00 гуляли у дворі", kyiv(2026, 5, 23, 23)),
        ("у неділю вранці знайшли сміття", kyiv(2026, 5, 24, 8)),
        ("о 2 ночі кричали", kyiv(2026, 5, 25, 2)),
        ("минулої п'ятниці зламали лавку", kyiv(2026, 5, 22, 9, 15)),
        ("сегодня ночью орали песни", kyiv(2026, 5, 25, 2)),
        ("вчера вечером пили в беседке", kyiv(2026, 5, 24, 21)),
        ("в субботу в 23:00 салют", kyiv(2026, 5, 23, 23)),
        ("20.05 о 22:30 машина на газоні", kyiv(2026, 5, 20, 22, 30)),
        ("3 дні тому вивалили сміття", kyiv(2026, 5, 22, 9, 15)),
        ("в 11 вечера музыка", kyiv(2026, 5, 24, 23)),
        ("о 22.30 вчора", kyiv(2026, 5, 24, 22, 30)),
        ("вчора о 2 ночі", kyiv(2026, 5, 25, 2)),
        ("2 години тому", MSG - timedelta(hours=2)),
        ("тиждень тому спилили дерево", kyiv(2026, 5, 18, 9, 15)),
        ("15.03.2026 зламали гойдалку", kyiv(2026, 3, 15, 9, 15)),
        ("в понедельник в 7 утра", kyiv(2026, 5, 25, 7)),
        ("в ніч на суботу гуляли", kyiv(2026, 5, 23, 2)),
        ("в ночь с пятницы на субботу", kyiv(2026, 5, 23, 2)),
    ],
)
def test_relative_times(text: str, expected: datetime) -> None:
    assert occurred_at(text, MSG) == (expected, "text")


@pytest.mark.parametrize(
    "text",
    ["Біля школи сміття", "в 5 школі темно", "буд. 15, кв. 3", "[телефон] дзвоніть"],
)
def test_no_time_in_text_gives_message_time(text: str) -> None:
    assert occurred_at(text, MSG) == (MSG, "message_time")


def test_weekday_equal_to_message_day_later_hour_is_last_week() -> None:
    # message on Monday 09:15; "в понеділок о 22:00" cannot be tonight
    assert occurred_at("в понеділок о 22:00", MSG) == (kyiv(2026, 5, 18, 22), "text")


def test_last_weekday_skips_the_message_day() -> None:
    assert occurred_at("минулого понеділка", MSG)[0] == kyiv(2026, 5, 18, 9, 15)


def test_date_without_year_in_the_future_is_last_year() -> None:
    assert occurred_at("28.12 о 21:00", MSG) == (kyiv(2025, 12, 28, 21), "text")


def test_today_with_a_later_hour_falls_back_to_message_time() -> None:
    assert occurred_at("сьогодні о 23:00", MSG) == (MSG, "message_time")


def test_winter_time_offset() -> None:
    winter = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # 12:00 Kyiv (UTC+2)
    assert occurred_at("вчора ввечері", winter) == (datetime(2026, 1, 11, 19, 0, tzinfo=UTC), "text")


def test_naive_message_time_is_rejected() -> None:
    with pytest.raises(ValueError):
        occurred_at("вчора", datetime(2026, 5, 25, 6, 15))


PHRASES = st.sampled_from(
    [
        "вчора ввечері",
        "сьогодні вночі",
        "в суботу о 23:00",
        "о 2 ночі",
        "20.05 о 22:30",
        "3 дні тому",
        "у неділю вранці",
        "сегодня ночью",
        "минулої п'ятниці",
        "о 23:59",
        "31.12",
        "тиждень тому",
        "сміття",
    ]
)


@settings(max_examples=300, deadline=None)
@given(PHRASES, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_never_in_the_future(text: str, message_time: datetime) -> None:
    when, _ = occurred_at(text, message_time)
    assert when <= message_time
    assert when.tzinfo is not None


def _expressions() -> list[str]:
    """Every expression of data/text/when.py without its word-boundary assertions (which
    only narrow a match), so that generated strings match each of them."""
    patterns = [when.HOURS_AGO, when.DATE, when.DAYS_AGO, when.WEEK_AGO, when.CLOCK, when.NIGHT_BEFORE]
    patterns += [p for p, _ in when.RELATIVE_DAYS + when.WEEKDAYS + when.PARTS_OF_DAY]
    return [p.pattern.replace(when._W, "").replace(when._E, "") for p in patterns]


@settings(max_examples=40, deadline=None)
@given(data=st.data(), hours=st.integers(0, 24 * 400))
def test_cheap_pre_check_never_skips_a_time_phrase(data: st.DataObject, hours: int) -> None:
    """A text the pre-check rejects gets the message time from the full rules too."""
    now = MSG - timedelta(hours=hours)
    for pattern in _expressions():
        text = when._normalise(data.draw(st.from_regex(pattern), label=pattern))
        assert when.may_name_a_time(text) or when.read_time(text, now) == (now, "message_time"), text


@pytest.mark.parametrize(
    "text",
    [
        "о 2 ночі",
        "об 11",
        "в 11 вечера",
        "в 9 год. ранку",
        "20.05",
        "22:30",
        "цієї ночі",
        "в ніч на суботу",
        "с\tутра",
        "3 дні тому",
        "пів години тому",
        "минулого тижня",
        "на прошлой неделе",
        "вчєра",
    ],
)
def test_pre_check_accepts_time_phrases(text: str) -> None:
    assert when.may_name_a_time(when._normalise(text))
    assert occurred_at(text, MSG)[1] == "text"


def test_pre_check_rejects_plain_reports() -> None:
    assert not when.may_name_a_time(when._normalise("Біля буд. 5 на вул. Миру машини на газоні"))


def _guarded() -> list[tuple[object, str]]:
    """Each expression that read_time scans only after a substring test, with its regex
    without the word-boundary assertions (which only narrow a match)."""
    return [(p, p.pattern.replace(when._W, "").replace(when._E, "")) for p in when._NEEDLES]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_match_holds_a_needle_of_its_expression(data: st.DataObject) -> None:
    """The substring test before a scan never skips a text the scan would match."""
    for pattern, bare in _guarded():
        text = when._normalise(data.draw(st.from_regex(bare), label=bare))
        if pattern.search(text):  # type: ignore[attr-defined]
            assert when._may_match(pattern, text), (bare, text)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    hours=st.integers(0, 24 * 400),
    filler=st.sampled_from(["", "сміття біля 5 школи ", "шумлять ", "Іван каже, що "]),
)
def test_the_rules_read_the_same_with_and_without_the_substring_tests(
    data: st.DataObject, hours: int, filler: str
) -> None:
    """read_time with the substring tests gives what every scan run on every text gives."""
    now = MSG - timedelta(hours=hours)
    phrases = [data.draw(st.from_regex(bare), label=bare) for _, bare in _guarded()[:: 1 + hours % 5]]
    text = when._normalise(filler + " ".join(phrases[: 1 + hours % 3]))
    guarded = when.read_time(text, now)
    original = when._may_match
    when._may_match = lambda pattern, text: True  # type: ignore[assignment]
    try:
        assert when.read_time(text, now) == guarded, text
    finally:
        when._may_match = original  # type: ignore[assignment]


@pytest.mark.parametrize("text", ["вчора о 22:30", "позавчора вночі", "в ніч на суботу о 2", "у п'ятницю ввечері"])
def test_substring_tests_let_the_usual_phrases_through(text: str) -> None:
    norm = when._normalise(text)
    assert sum(when._may_match(p, norm) and bool(p.search(norm)) for p in when._NEEDLES) >= 1
    assert occurred_at(text, MSG)[1] == "text"


_ONE_NUMBER_SCAN = re.compile(r"\d(?:[./:]\d|[\s.годинчасві]*\s" + when._CLOCK_PARTS + r")|об?\s+\d")


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["о", "об", "б", " ", "  ", "\t", "\n", "5", "12", ".", ":", "/", "год", "ч", "ранку", "дня"])
        | st.text(max_size=3),
        max_size=14,
    ).map("".join)
)
def test_number_pre_check_in_two_scans_equals_one(text: str) -> None:
    """The pre-check's number test, split into a scan for digits and one for "о", accepts
    exactly what the single pattern with both alternatives accepted."""
    two = bool(when._MAYBE_CLOCK.search(text) or when._MAYBE_PREPOSITION.search(text))
    assert two == bool(_ONE_NUMBER_SCAN.search(text)), text
