"""The words residents write around places and contacts: one list each, shared by the
geocoder (geo.normalize, geo.geocoding) and redaction (data.text.redact*).

Why one module: both read the same messages for opposite ends. The geocoder looks for
the place ("на розі Соборності і Бузької"); redaction must leave that place alone and
remove the person and the phone. When the two kept lists of their own, a street-type
spelling or an intersection word added to one was missing from the other, and a street
named after a person was either unplaced or redacted. It lives in data/, the lowest
layer, so both can import it.

Street-type spellings and the intersection and near words come from the libpostal
dictionaries (uk, ru: street_types.txt, cross_streets.txt, near.txt) with their
inflections, copied here so no data file is needed at run time.
"""

from __future__ import annotations

import re

__all__ = [
    "CONJUNCTIONS",
    "CONNECTORS",
    "CROSS_WORDS",
    "DISTRICT_WORDS",
    "EMAIL_PATTERN",
    "HANDLE_PATTERN",
    "HONORIFICS",
    "MONTH_NAMES",
    "NEAR_WORDS",
    "PARK_WORDS",
    "PHONE_WORDS",
    "STREET_TYPES",
    "cyrillic",
]

# --- place words ------------------------------------------------------------------------

STREET_TYPES: dict[str, str] = {}
"""Every spelling of a street type (libpostal uk/ru street_types.txt, common short forms,
inflections) -> the Ukrainian type word stored in the gazetteer."""
for _canonical, _forms in {
    "вулиця": "вулиця вулиці вулицю вулицею вул ул улица улице улицы улицу улицей vul vulytsia "
    "vulytsya vulica ulitsa ulica ul street st str",
    "провулок": "провулок провулку провулком пров пер переулок переулке переулка переулку "
    "переулком prov provulok per pereulok lane ln",
    "проспект": "проспект проспекту проспекті проспектом проспекте проспекта просп пр-т prospekt prosp avenue ave",
    "площа": "площа площі площу площею пл площадь площади площадью ploshcha square sq",
    "бульвар": "бульвар бульвару бульварі бульваром бульваре бульвара б-р бул bulvar boulevard blvd",
    "мікрорайон": "мікрорайон мікрорайоні мікрорайону мкр мкрн мікр микрорайон микрорайоне микрорайона mkr",
    "узвіз": "узвіз узвозу узвозі спуск спуске",
    "шосе": "шосе шоссе shose highway",
    "тупик": "тупик тупику тупике туп tupyk",
    "проїзд": "проїзд проїзді проїзду проезд проезде проезда",
    "набережна": "набережна набережній набережная набережной наб",
    "алея": "алея алеї аллея аллее ал",
    "майдан": "майдан майдані майдану",
    "дорога": "дорога дороги дорозі дорогу road rd",
    "в'їзд": "в'їзд в'їзді в'їзду въезд въезде",
    "завулок": "завулок завулку",
    "drive": "drive dr",
    "terrace": "terrace",
    "crescent": "crescent",
}.items():
    for _form in _forms.split():
        STREET_TYPES[_form] = _canonical

CROSS_WORDS = frozenset(
    {
        "розі",
        "ріг",
        "рогу",
        "кут",
        "куті",
        "перехрестя",
        "перехресті",
        "перехрестю",
        "угол",
        "углу",
        "перекресток",
        "перекрестке",
        "перекрестка",
        "пересечение",
        "пересечении",
        "перетині",
        "перетин",
        "corner",
        "junction",
        "intersection",
        "hörnet",
        "korsningen",
    }
)
"""Words that announce an intersection (libpostal cross_streets.txt and inflections)."""

CONJUNCTIONS = frozenset({"і", "та", "и", "й"})
"""Words that join two street names ("ріг Шевченка і Франка")."""

CONNECTORS = CONJUNCTIONS | {"/", "&", "з", "с", "-", "and", "i", "ta", "ja", "och"}
"""Everything that joins the two streets of an intersection, in any language the geocoder reads."""

NEAR_WORDS = frozenset(
    {
        "біля",
        "коло",
        "поруч",
        "поблизу",
        "навпроти",
        "за",
        "під",
        "над",
        "перед",
        "вздовж",
        "возле",
        "около",
        "напротив",
        "рядом",
        "вблизи",
        "вдоль",
        "под",
        "близ",
        "near",
        "by",
        "behind",
        "opposite",
        "nära",
        "bakom",
        "utanför",
    }
)
"""Relative words (libpostal near.txt plus opposite/behind/along)."""

HONORIFICS = frozenset({"ім", "імені", "им", "имени", "im", "imeni"})
"""'Парк ім. Шевченка', 'вулиця імені ...': the name after it is a place's, not a person's."""

DISTRICT_WORDS = frozenset(
    {
        "район",
        "районі",
        "району",
        "районе",
        "района",
        "р",
        "н",
        "мкр",
        "мкрн",
        "мікрорайон",
        "мікрорайоні",
        "мікрорайону",
        "микрорайон",
        "микрорайоне",
        "микрорайона",
        "мікр",
        "масив",
        "масиві",
    }
)
"""Words that announce a microdistrict ("мкр Болгарка", "в районі Болгарки")."""

PARK_WORDS = frozenset({"парк", "парку", "парке", "парка", "парком", "сквер", "скверу", "сквері", "сквере", "park"})
"""A park or square: the capitalised words after it name the park ("парк Шевченка")."""

MONTH_NAMES = tuple(
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
)
"""Months in the genitive: after a number they make a date, or a street named after one
("8 Березня", "1 Травня"); "Марта" and "Мая" are also first names."""

# --- contact words ----------------------------------------------------------------------

PHONE_WORDS = r"(?:тел\.?|телефон\w*|моб\.?|номер\w*|дзвон\w*|звон\w*|вайбер|viber)"
"""Words that announce a phone number (a regex: "тел.", "телефонуйте", "дзвоніть")."""

EMAIL_PATTERN = r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
"""An e-mail address as written plainly (disguised ones: data.text.redact_contacts)."""

HANDLE_PATTERN = r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_]{2,31}\b"
"""A social-network handle ("@olena_voz")."""

_CYRILLIC_RE = re.compile("[а-яіїєґёъыэ]")


def cyrillic(words: frozenset[str] | set[str] | dict[str, str]) -> frozenset[str]:
    """The words written in Cyrillic: what a Ukrainian or Russian message can contain.

    >>> sorted(cyrillic({"вул", "st", "ул"}))
    ['вул', 'ул']
    """
    return frozenset(w for w in words if _CYRILLIC_RE.search(w))
