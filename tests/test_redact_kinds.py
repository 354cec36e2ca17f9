"""Redaction of the kinds issue 17 added: homes, spoken and disguised phones, disguised
e-mails, tax/passport/card/IBAN numbers, old plates, bare handles; gazetteer places kept.

The committed set (tests/data/pii_kinds.csv) is scored as a whole; the generators below
write the same classes in ways the set does not, so the rules cannot be fitted to it.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.text.redact import (
    CARD,
    EMAIL,
    ENTRANCE,
    FLAT,
    HANDLE,
    IBAN,
    NAME,
    PASSPORT,
    PHONE,
    PLATE,
    TAX_NUMBER,
    place_index,
    redact,
)
from data.text.redact_numbers import luhn, valid_tax_number
from geo.gazetteer import load_gazetteer
from tests import pii_set

CITY = place_index(load_gazetteer().place_names())  # what the import pipeline hands in


def _out(text: str) -> str:
    return redact(text, places=CITY).text


def test_committed_set_per_kind() -> None:
    result = pii_set.score(lambda text, keep: redact(text, keep_spans=keep, places=CITY).text)
    for kind in pii_set.KINDS:
        assert result.total[kind] >= 10, kind
        assert result.rate(kind) >= 0.98, (kind, [m for m in result.misses if m[0] == kind])
    for label in ("not placed", "placed"):
        kind = f"{pii_set.PROTECTED}, {label}"
        assert result.total[kind] >= 30
        assert result.rate(kind) == 1.0, [m for m in result.misses if m[0] == kind]


def test_scorer_sees_half_redacted_items() -> None:
    text = "дзвоніть нуль шістдесят сім сто двадцять три сорок п'ять шістдесят сім"
    item = text[9:]
    assert pii_set.removed(item, text, "дзвоніть [телефон]")
    assert not pii_set.removed(item, text, "дзвоніть нуль шістдесят сім [телефон]")


# --- homes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("мешкаю у кв.5, зверху заливають", f"мешкаю у {FLAT}, зверху заливають"),
        ("квартира № 12 шумить", f"{FLAT} шумить"),
        ("в 15-й квартирі палять", f"в {FLAT} палять"),
        ("кв№33 гульба", f"{FLAT} гульба"),
        ("Під’їзд 3 без лампочок", f"{ENTRANCE} без лампочок"),
        ("в четвертому під'їзді курять", f"в {ENTRANCE} курять"),
        ("возле третьего подъезда пьют", f"возле {ENTRANCE} пьют"),
        ("подъезд № 2 грязный", f"{ENTRANCE} грязный"),
        ("3 під'їзд, 5 поверх, темно", f"{ENTRANCE}, 5 поверх, темно"),
        ("5 квартира шумить", f"{FLAT} шумить"),
    ],
)
def test_flats_and_entrances(text: str, expected: str) -> None:
    assert _out(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "площа 50 кв. м засмічена",
        "у під'їзді темно",
        "буд. 15а, біля квартир темно",
        "кв.м 40 по 200 грн",
        "у будинку 3 під'їзди і 120 квартир",
        "в 50 кв.м квартирі",
    ],
)
def test_home_words_without_a_number_stay(text: str) -> None:
    assert _out(text) == text


# --- phones in words and with look-alike letters ----------------------------------------------

_UK = {
    "units": "нуль один два три чотири п'ять шість сім вісім дев'ять".split(),
    "teens": "десять одинадцять дванадцять тринадцять чотирнадцять п'ятнадцять шістнадцять сімнадцять "
    "вісімнадцять дев'ятнадцять".split(),
    "tens": ["", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят", "сімдесят", "вісімдесят", "дев'яносто"],
    "hundreds": ["", "сто", "двісті", "триста", "чотириста", "п'ятсот", "шістсот", "сімсот", "вісімсот", "дев'ятсот"],
}
_RU = {
    "units": "ноль один два три четыре пять шесть семь восемь девять".split(),
    "teens": "десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
    "восемнадцать девятнадцать".split(),
    "tens": [
        "",
        "",
        "двадцать",
        "тридцать",
        "сорок",
        "пятьдесят",
        "шестьдесят",
        "семьдесят",
        "восемьдесят",
        "девяносто",
    ],
    "hundreds": [
        "",
        "сто",
        "двести",
        "триста",
        "четыреста",
        "пятьсот",
        "шестьсот",
        "семьсот",
        "восемьсот",
        "девятьсот",
    ],
}


def _say(group: str, words: dict[str, list[str]]) -> list[str]:
    """A digit group the way it is dictated: leading zeros one by one, then the number."""
    out = []
    while len(group) > 1 and group[0] == "0":
        out.append(words["units"][0])
        group = group[1:]
    n = int(group)
    if n < 10:
        return out + [words["units"][n]]
    hundreds, rest = divmod(n, 100)
    if hundreds:
        out.append(words["hundreds"][hundreds])
    if 10 <= rest < 20:
        out.append(words["teens"][rest - 10])
    elif rest:
        tens, unit = divmod(rest, 10)
        out += [words["tens"][tens]] if tens else []
        out += [words["units"][unit]] if unit else []
    return out


@st.composite
def spoken_phones(draw: st.DrawFn) -> str:
    digits = "0" + draw(st.sampled_from(["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]))
    digits += draw(st.text("0123456789", min_size=7, max_size=7))
    words = draw(st.sampled_from([_UK, _RU]))
    groups = draw(st.sampled_from([(0, 3, 6, 8, 10), (0, 1, 3, 6, 8, 10), (0, 3, 5, 7, 10), (0, 1, 3, 5, 7, 10)]))
    parts = []
    for a, b in zip(groups, groups[1:]):
        group = digits[a:b]
        as_digits = draw(st.booleans()) and draw(st.booleans())  # about a quarter stay digits
        spoken = group if as_digits else " ".join(_say(group, words))
        # a group that could take the next one in ("сто" + "двадцять") ends with a comma
        parts.append(spoken + ("," if not as_digits and group[-1] == "0" else ""))
    return " ".join(parts).rstrip(",")


@settings(max_examples=150, deadline=None)
@given(spoken_phones(), st.sampled_from(["дзвоніть ", "мой номер ", "тел.: ", ""]))
def test_any_dictated_phone(phone: str, before: str) -> None:
    assert _out(f"{before}{phone}, після шостої") == f"{before}{PHONE}, після шостої"


_LOOKS = {"0": "ОO", "1": "lІI", "3": "З", "6": "б", "5": "S"}  # what people type for a digit


@settings(max_examples=150, deadline=None)
@given(
    st.text("0123456789", min_size=7, max_size=7), st.randoms(use_true_random=False), st.sampled_from([" ", "-", ""])
)
def test_phone_with_look_alike_letters(body: str, rng: random.Random, sep: str) -> None:
    digits = "067" + body
    swappable = [i for i, d in enumerate(digits) if d in _LOOKS]
    chosen = set(rng.sample(swappable, min(len(swappable), rng.randint(1, 3))))  # a few, as people do
    swapped = [rng.choice(_LOOKS[d]) if i in chosen else d for i, d in enumerate(digits)]
    groups = ["".join(swapped[a:b]) for a, b in ((0, 3), (3, 6), (6, 8), (8, 10))]
    assert _out(f"пишіть {sep.join(groups)} ввечері") == f"пишіть {PHONE} ввечері"


@pytest.mark.parametrize(
    "text",
    [
        "два-три дні тому",
        "сто років стоїть цей дуб",
        "о пів на сьому, три машини, сорок хвилин",
        "у будинку 5 поверхів і 120 квартир",
        "В 2024 році, о 22:30, на 2000 км",
    ],
)
def test_numbers_in_words_that_are_no_phone(text: str) -> None:
    assert _out(text) == text


# --- e-mails and handles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "ivanov.sergey(at)ukr.net",
        "kateryna [at] gmail.com",
        "ivan_p (собака) ukr (крапка) net",
        "o.koval AT gmail DOT com",
        "vitaliy.z собака i.ua",
        "m.bondar{at}ukr{dot}net",
        "dasha @ ukr . net",
        "ivan точка petrenko собака ukr точка net",
    ],
)
def test_disguised_emails(email: str) -> None:
    assert _out(f"пишіть на {email} будь ласка") == f"пишіть на {EMAIL} будь ласка"


def test_a_dog_is_no_email() -> None:
    text = "Rex собака сусіда гавкає, а в Google пишуть що at night тихо"
    assert _out(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("мій тг — serg_voz пишіть", f"мій тг — {HANDLE} пишіть"),
        ("у фейсбуці Olena.Kovalchuk.1990 виклала фото", f"у фейсбуці {HANDLE} виклала фото"),
        ("телеграм: voz_dvir", f"телеграм: {HANDLE}"),
        ("шукайте mila_k в інстаграмі", f"шукайте {HANDLE} в інстаграмі"),
        ("у тіктоці є відео від denys.voz", f"у тіктоці є відео від {HANDLE}"),
        ("в телеграмі мене можна знайти як petya_v", f"в телеграмі мене можна знайти як {HANDLE}"),
        ("нік: petya_v", f"нік: {HANDLE}"),
    ],
)
def test_bare_handles_next_to_a_network(text: str, expected: str) -> None:
    assert _out(text) == expected


def test_latin_words_without_a_network_stay() -> None:
    text = "біля магазину Smart Market стоїть BMW без номерів"
    assert _out(text) == text


# --- identity and payment numbers -----------------------------------------------------------------


def _with_check_digit(nine: str) -> str:
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    return nine + str(sum(w * int(d) for w, d in zip(weights, nine)) % 11 % 10)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from("123"),
    st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from(["ІПН ", "ИНН: ", "мій код ", "заявник ("]),
)
def test_tax_numbers(first: str, rest: str, before: str) -> None:
    number = _with_check_digit(first + rest)
    assert valid_tax_number(number)
    assert _out(f"{before}{number}, прошу розібратися") == f"{before}{TAX_NUMBER}, прошу розібратися"


def test_tax_number_after_its_keyword_even_with_a_typo() -> None:
    assert _out("РНОКПП 2847112306") == f"РНОКПП {TAX_NUMBER}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("паспорт серії ВК №345678", f"паспорт серії {PASSPORT}"),
        ("ID 123456789", f"ID {PASSPORT}"),
        ("айді картка 012 345 678", f"айді картка {PASSPORT}"),
        ("серия ТТ 908070, выдан", f"серия {PASSPORT}, выдан"),
        ("паспорт ЕК-123456", f"паспорт {PASSPORT}"),
        ("паспорт серії ВК, номер 345678", f"паспорт серії {PASSPORT}"),
        ("паспорт мк 123456", f"паспорт {PASSPORT}"),
        ("УНЗР 19900101-01234", f"УНЗР {PASSPORT}"),
    ],
)
def test_passports_and_id_cards(text: str, expected: str) -> None:
    assert _out(text) == expected


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn(body + d))


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["4149", "5168", "5375", "4441", "5457"]),
    st.text("0123456789", min_size=11, max_size=11),
    st.sampled_from([" ", "-", ""]),
)
def test_bank_cards(prefix: str, body: str, sep: str) -> None:
    number = _luhn_complete(prefix + body)
    written = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    assert _out(f"скидайте на {written} хто може") == f"скидайте на {CARD} хто може"


def test_iban_grouped_and_not() -> None:
    assert _out("IBAN UA213223130000026007233566001") == f"IBAN {IBAN}"
    assert _out("рахунок UA21 3223 1300 0002 6007 2335 6600 1 ОСББ") == f"рахунок {IBAN} ОСББ"


@pytest.mark.parametrize(
    "text", ["20.05.2024 22:30, буд. 15", "ціна 1500 грн, 2024 рік", "з 10-00 до 18-00", "код 1234"]
)
def test_dates_times_and_prices_stay(text: str) -> None:
    assert _out(text) == text


# --- plates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate",
    [
        "КА 7788 ВС",
        "456-78 ВЕ",
        "б 45-67 НИ",
        "ка7788вс",
        "ВЕ 1О34 АК",
        "45-67 ХЕР",
        "14 123-45 НІ",
        "з номером 123-45 ве",
    ],
)
def test_plates_old_and_new(plate: str) -> None:
    assert PLATE in _out(f"машина {plate} на газоні")
    assert not any(c.isdigit() for c in _out(f"машина {plate} на газоні").replace("14 ", ""))


@pytest.mark.parametrize("text", ["на 2000 км", "В 2023 РОЦІ", "на 1200 та більше", "ціна 12345 на ринку"])
def test_words_around_numbers_are_no_plates(text: str) -> None:
    assert _out(text) == text


# --- the gazetteer's places ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "на Франка біля школи сміття",
        "на Шевченка темно",
        "по Котляревського знову п'яні",
        "за Тимірязєва звалище",
        "на Олега Кошового яма",
        "Петро Могила писав про Мазепи і Богуна",
        "на І. Франка темно",
    ],
)
def test_gazetteer_places_survive_unplaced(text: str) -> None:
    out = _out(text)
    for word in ("Франка", "Шевченка", "Котляревського", "Тимірязєва", "Кошового", "Мазепи", "Богуна"):
        if word in text:
            assert word in out, out


def test_without_the_gazetteer_a_street_named_after_a_person_is_redacted() -> None:
    """The safe side: redaction handed no place names spares none."""
    assert "Кошового" not in redact("на Олега Кошового яма").text
    assert "Кошового" in _out("на Олега Кошового яма")


def test_a_surname_shared_with_a_street_is_still_a_person() -> None:
    assert _out("Ганна Примаченко паркується на газоні") == f"{NAME} паркується на газоні"
    assert _out("сусід Богун знову шумить") == f"сусід {NAME} знову шумить"
    assert _out("Заявник Франко І. скаржиться") == f"Заявник {NAME} скаржиться"
