"""When did it happen? Read relative times in a report, anchored at the message time.

Why: residents post the next morning about last night's noise ("вчора ввечері", "сьогодні
вночі", "в субботу в 23:00"). The hour x weekday profile that plans patrols must use
the time of the offence, not of the post. Expressions are resolved in the city's local
time (where "ввечері" and "о 23:00" live, DST included) and returned in UTC.

Rules, in short:
* a day comes from an explicit date ("20.05", "20.05.2024"), a relative day (сьогодні,
  вчора, позавчора, "3 дні тому", тиждень тому) or a weekday (в суботу, минулої
  п'ятниці: the latest such day before the message; "минулої" skips the message day);
* a time comes from a clock time ("о 23:00", "о 22.30", "о 2 ночі", "в 11 вечера") or a
  part of the day (вранці 08:00, вдень 13:00, ввечері 21:00, вночі 02:00: the middle of
  what residents mean, evening 18-24, night 22-06); night hours
  belong to the night that FOLLOWED the named day ("вчора вночі", "вчора о 2 ночі" are
  last night), unless that is still ahead of the message; "в ніч на суботу" is 02:00 on
  Saturday;
* a time without a day is its latest occurrence before the message; a day without a
  time keeps the message's local time of day (so the hour profile is no worse than
  with the message time alone);
* "N годин/хвилин тому" shifts the message time directly;
* the answer is never after the message: weekdays step back a week, dates without a
  year fall to the previous year, and anything else in the future falls back to the
  message time with source "message_time".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from data.city_profile import city_zone
from data.text.textscan import literal_union

WhenSource = Literal["text", "message_time"]

_W = r"(?<![\w'])"  # word start
_E = r"(?![\w'])"  # word end

RELATIVE_DAYS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(_W + r"(?:позавчора|позавчера|позавчері)" + _E), -2),
    (re.compile(_W + r"(?:вчора|вчера|учора|вчері|вчєра|вчира|вчора)" + _E), -1),
    # "this night" and "last night" both mean the night before a morning message.
    (re.compile(_W + r"(?:минул(?:ої|у)\s+н(?:іч|очі)|цієї\s+ночі|цю\s+ніч|прошлой\s+ночью|этой\s+ночью)" + _E), -1),
    (re.compile(_W + r"(?:сьогодні|сегодня|сёгодня|сьодні|седня|сьогодня)" + _E), 0),
)
WEEKDAYS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(_W + pattern + _E), weekday)
    for pattern, weekday in (
        (r"(?:понеділ(?:ок|ка)|понедельн(?:ик|ика))", 0),
        (r"(?:вівтор(?:ок|ка)|вторник(?:а)?)", 1),
        (r"(?:середу|середи|середа|среду|среды|среда)", 2),
        (r"(?:четвер|четверга|четверг)", 3),
        (r"(?:п'ятниц[юія]|пятниц[уыеа]|п'ятницю)", 4),
        (r"(?:субот[уиа]|суббот[уыа])", 5),
        (r"(?:неділ[юія]|воскресень[ея])", 6),
    )
)
LAST = re.compile(_W + r"(?:минул(?:ої|ого|ий|у)|прошл(?:ой|ую|ого|ый|ое))\s+\S+")
DAYS_AGO = re.compile(
    _W + r"(\d{1,3}|два|дві|три|чотири|п'ять|пять|четыре)\s+(?:дн\w*|доб\w*|сут\w*)\s+(?:тому|назад)" + _E
)
WEEK_AGO = re.compile(_W + r"(?:тиждень\s+тому|неделю\s+назад|минулого\s+тижня|на\s+прошлой\s+неделе)" + _E)
HOURS_AGO = re.compile(
    _W + r"(?:(\d{1,2}|пів|пол|півтори|полтора|два|дві|три)\s+)?"
    r"(годин\w*|час\w*|хвилин\w*|минут\w*)\s+(?:тому|назад)" + _E
)
DATE = re.compile(_W + r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?" + _E)
CLOCK = re.compile(
    _W + r"(?:(о|об|в|во|около|близько|біля|приблизно|після|после|з|с|до)\s+)?"
    r"(\d{1,2})(?:([:.])(\d{2}))?"
    r"(?:\s*(?:год\.?|годин[іи]?|часов|часа|час|ч\.?)(?!\w))?"
    r"(?:\s+(ранку|утра|зранку|вечора|вечера|ночі|ночи|дня|пополудні))?" + _E
)
PARTS_OF_DAY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(_W + pattern + _E), part)
    for pattern, part in (
        (r"(?:вранці|уранці|зранку|утром|с\s+утра|ранком|вранци)", "morning"),
        (r"(?:вдень|удень|днем|днём|в\s+обід|в\s+обед)", "day"),
        (r"(?:ввечері|увечері|ввечорі|вечером|ввечеру|вечерком|ввечери)", "evening"),
        (r"(?:вночі|уночі|ночью|ночю|вночи|ночами|(?:цієї|минулої|этой|прошлой)\s+ноч\w*|цю\s+ніч)", "night"),
    )
)
PART_HOURS = {"morning": 8, "day": 13, "evening": 21, "night": 2}
# "в ніч на суботу" is the night that ENDS on the named day.
NIGHT_BEFORE = re.compile(_W + r"(?:в|у)\s+н(?:іч|очь)\s+(?:на|з|с|із)\s")
SMALL_NUMBERS = {"два": 2, "дві": 2, "три": 3, "чотири": 4, "четыре": 4, "п'ять": 5, "пять": 5}
# Most reports name no time. A time phrase always contains one of these substrings
# (the words of the expressions above) or a number that CLOCK/DATE can accept (minutes
# or a date "23:00", "20.05"; "о"/"об" before it; a part of the day after it), so a text
# with neither skips the ~20 separate scans (~30 us) after two scans of ~1 us each.
# tests/test_when.py checks this on generated matches of every expression.
PHRASE_STEMS = (
    "тому",
    "назад",
    "минул",
    "прошл",
    "цієї",
    "этой",
    "чора",
    "чера",
    "чері",
    "чєра",
    "чира",
    "годн",
    "сьодн",
    "седн",
    "понед",
    "втор",
    "серед",
    "сред",
    "четвер",
    "ятниц",
    "субот",
    "суббот",
    "неділ",
    "воскресен",
    "ранц",
    "зранку",
    "ранком",
    "утром",
    "утра",
    "вдень",
    "удень",
    "днем",
    "днём",
    "обід",
    "обед",
    "ввеч",
    "увеч",
    "вечером",
    "вечерком",
    "вноч",
    "уноч",
    "ночью",
    "ночю",
    "ночами",
    "ночь",
    "ніч",
)
_CLOCK_PARTS = r"(?:ранку|утра|зранку|вечора|вечера|ночі|ночи|дня|пополудні)"
_MAYBE_WORDS = re.compile(literal_union(PHRASE_STEMS))
# The number test in two scans, each of which the regex engine skips ahead in: to a digit,
# and to an "о" (one pattern with both alternatives tried them at every character).
_MAYBE_CLOCK = re.compile(r"\d(?:[./:]\d|[\s.годинчасві]*\s" + _CLOCK_PARTS + r")")
_MAYBE_PREPOSITION = re.compile(r"об?\s+\d")


# Each scan of read_time runs only on a text holding one of the substrings that every
# match of its expression contains (on the normalised text): a substring test costs
# ~0.1 us, a scan that starts with a word-start assertion ~5 us, since the regex engine
# cannot skip ahead to a first letter. Same answers (tests/test_when.py checks every
# expression's generated matches against its needles, and the rules with and without).
_DIGIT = re.compile(r"\d")  # DATE and CLOCK need one
_NEEDLES: dict[re.Pattern[str], tuple[str, ...]] = {
    HOURS_AGO: ("тому", "назад"),
    DAYS_AGO: ("тому", "назад"),
    WEEK_AGO: ("тому", "назад", "тижня", "неделе"),
    NIGHT_BEFORE: ("ніч", "ночь"),
    **dict(
        zip(
            [p for p, _ in RELATIVE_DAYS],
            [
                ("позавч",),
                ("чор", "чер", "чєр", "чир"),
                ("минул", "цієї", "цю", "прошлой", "этой"),
                ("сьо", "сег", "сёг", "сед"),
            ],
            strict=True,
        )
    ),
    **dict(
        zip(
            [p for p, _ in WEEKDAYS],
            [
                ("понед",),
                ("втор",),
                ("серед", "сред"),
                ("четвер",),
                ("ятниц",),
                ("субот", "суббот"),
                ("неділ", "воскресен"),
            ],
            strict=True,
        )
    ),
    **dict(
        zip(
            [p for p, _ in PARTS_OF_DAY],
            [("ран", "утр"), ("день", "днем", "днём", "обід", "обед"), ("вечер", "вечор"), ("ноч", "ніч")],
            strict=True,
        )
    ),
}


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``text`` holds none of the substrings every match of ``pattern`` has."""
    for needle in _NEEDLES[pattern]:  # a loop, not any(): this runs ~16 times a text
        if needle in text:
            return True
    return False


def may_name_a_time(norm: str) -> bool:
    """False only when the normalised text holds no time phrase at all (a cheap test)."""
    return bool(_MAYBE_WORDS.search(norm) or _MAYBE_CLOCK.search(norm) or _MAYBE_PREPOSITION.search(norm))


def _normalise(text: str) -> str:
    return text.lower().replace("’", "'").replace("ʼ", "'").replace("`", "'").replace("ё", "е")


def _find_day(text: str, local_now: datetime) -> tuple[date | None, str]:
    """The day named in the text and how it was named ("date", "weekday", "relative")."""
    today = local_now.date()
    for m in DATE.finditer(text) if _DIGIT.search(text) else ():
        before = text[max(0, m.start() - 4) : m.start()]
        if re.search(r"(?:^|\s)(?:о|об|в|во)\s$", before):
            continue  # "о 22.30" is a clock time
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else today.year
        year = year + 2000 if year < 100 else year
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if not m.group(3) and found > today:
            found = found.replace(year=year - 1)
        return found, "date"
    if _may_match(DAYS_AGO, text) and (m := DAYS_AGO.search(text)):
        n = m.group(1)
        return today - timedelta(days=int(n) if n.isdigit() else SMALL_NUMBERS[n]), "relative"
    if _may_match(WEEK_AGO, text) and WEEK_AGO.search(text):
        return today - timedelta(days=7), "relative"
    for pattern, offset in RELATIVE_DAYS:
        if _may_match(pattern, text) and pattern.search(text):
            return today + timedelta(days=offset), "relative"
    named = sorted(
        ((m, weekday) for pattern, weekday in WEEKDAYS if _may_match(pattern, text) for m in pattern.finditer(text)),
        key=lambda n: n[0].start(),
    )
    if named:
        # the first weekday named, except in "в ніч з п'ятниці на суботу" (the last one)
        m, weekday = named[-1] if _may_match(NIGHT_BEFORE, text) and NIGHT_BEFORE.search(text) else named[0]
        back = (today.weekday() - weekday) % 7
        last = any(lm.end() >= m.end() and lm.start() <= m.start() for lm in LAST.finditer(text))
        if last and back == 0:
            back = 7
        return today - timedelta(days=back), "weekday"
    return None, ""


def _find_time(text: str) -> tuple[time | None, bool]:
    """Clock time or part of day; the flag says it is a night part (belongs to the
    night after the named day)."""
    for m in CLOCK.finditer(text) if _DIGIT.search(text) else ():
        prep, hour_s, sep, minute_s, part = m.groups()
        hour, minute = int(hour_s), int(minute_s or 0)
        after = text[m.end() : m.end() + 8]
        if sep is None and part is None and prep not in {"о", "об"}:
            continue  # "в 5 школі", "3 дні": a bare number is not a time
        if sep == "." and prep is None:
            continue  # "20.05" without a preposition is a date
        if re.match(r"\s*(?:дн|доб|сут|тиж|нед|хв|мин|год\w*\s+тому|час\w*\s+назад)", after):
            continue
        if part in {"вечора", "вечера", "дня", "пополудні"} and hour < 12:
            hour += 12
        elif part in {"ночі", "ночи"} and hour == 12:
            hour = 0
        elif part in {"ночі", "ночи"} and hour >= 6:
            hour = hour + 12 if hour < 12 else hour
        if hour > 23 or minute > 59:
            continue
        return time(hour, minute), part in {"ночі", "ночи"} and hour < 6
    if _may_match(NIGHT_BEFORE, text) and NIGHT_BEFORE.search(text):
        return time(PART_HOURS["night"]), False
    for pattern, part in PARTS_OF_DAY:
        if _may_match(pattern, text) and pattern.search(text):
            return time(PART_HOURS[part]), part == "night"
    return None, False


def _hours_ago(text: str) -> timedelta | None:
    m = HOURS_AGO.search(text) if _may_match(HOURS_AGO, text) else None
    if not m:
        return None
    amount, unit = m.groups()
    if amount is None:
        value = 1.0
    elif amount.isdigit():
        value = float(amount)
    elif amount in {"пів", "пол"}:
        value = 0.5
    elif amount in {"півтори", "полтора"}:
        value = 1.5
    else:
        value = float(SMALL_NUMBERS[amount])
    minutes = unit.startswith(("хвилин", "минут"))
    return timedelta(minutes=value) if minutes else timedelta(hours=value)


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def occurred_at(text: str, message_time: datetime) -> tuple[datetime, WhenSource]:
    """When the reported event happened (UTC) and whether the text said so."""
    if message_time.tzinfo is None:
        raise ValueError("message_time must be timezone-aware")
    message_time = message_time.astimezone(UTC)
    norm = _normalise(text)
    if not may_name_a_time(norm):
        return message_time, "message_time"
    return read_time(norm, message_time)


def read_time(norm: str, message_time: datetime) -> tuple[datetime, WhenSource]:
    """:func:`occurred_at` of a normalised text at an aware UTC message time, every rule applied."""
    zone = city_zone()  # once: reading the profile in force costs more than a regex scan
    local_now = message_time.astimezone(zone)
    if (delta := _hours_ago(norm)) is not None:
        return message_time - delta, "text"
    day, how = _find_day(norm, local_now)
    at, night = _find_time(norm)
    if day is None and at is None:
        return message_time, "message_time"
    if day is None:
        assert at is not None
        candidate = _local(local_now.date(), at, zone)
        if candidate > local_now:
            candidate = _local(local_now.date() - timedelta(days=1), at, zone)
    elif at is None:
        candidate = _local(day, local_now.timetz().replace(tzinfo=None), zone)
    else:
        candidate = _local(day, at, zone)
        if night and _local(day + timedelta(days=1), at, zone) <= local_now:
            candidate = _local(day + timedelta(days=1), at, zone)
        if candidate > local_now and how == "weekday":
            candidate = _local(day - timedelta(days=7), at, zone)
    result = candidate.astimezone(UTC)
    if result > message_time:
        return message_time, "message_time"
    return result, "text"
