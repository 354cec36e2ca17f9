"""Text normalisation for the geocoder: one place that knows how residents spell places.

Residents write street names in Ukrainian, Russian, a mix of both, sometimes in Latin,
with typos, Latin look-alike letters inside Cyrillic words, four kinds of apostrophe and
every grammatical case ("на Московській", "по вулиці Соборності", "возле Пушкинской").
The geocoder compares *match keys* instead of strings: a key is the word folded to a
small alphabet shared by Ukrainian and Russian spelling (`fold`), lemmatised (pymorphy3,
uk and ru) and stripped of its inflection ending (`stem`). The same function runs on the
gazetteer aliases and on the text, so "Маріупольській", "Мариупольской" and
"Mariupolska" all reduce to "мариуполск".

`normalize_text` keeps the text length unchanged (one character in, one out), so
character offsets found in the normalised text are offsets in the original text too: the
redactor relies on that span to keep the place and redact names elsewhere.

The words shared with redaction (street types, intersection, near and connecting words,
months) live in data.text.vocabulary; house-number words and ordinals (libpostal
house_numbers.txt) are the geocoder's own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import pymorphy3

from data.text.vocabulary import MONTH_NAMES, NEAR_WORDS

# --- characters -------------------------------------------------------------------

APOSTROPHES = "’ʼ`‘′´"
"""Apostrophe variants residents type; all become ASCII "'"."""

# Latin letters that look like Cyrillic ones. Upper and lower case differ (Latin "h" is
# not a look-alike, "H" is), so the map is applied before lowercasing.
_HOMOGLYPHS = {
    "A": "А",
    "B": "В",
    "C": "С",
    "E": "Е",
    "H": "Н",
    "I": "І",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
    "Y": "У",
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "о",
    "p": "р",
    "x": "х",
    "y": "у",
    "k": "к",
    "ï": "ї",
    "Ï": "Ї",
}
_CYRILLIC = re.compile(r"[а-яёіїєґА-ЯЁІЇЄҐ]")
_MIXED_WORD = re.compile(r"[A-Za-zА-Яа-яЁёІіЇїЄєҐґÏï]+")
_MIXED_PAIR = re.compile(r"[A-Za-zÏï][А-Яа-яЁёІіЇїЄєҐґ]|[А-Яа-яЁёІіЇїЄєҐґ][A-Za-zÏï]")
"""A Latin letter next to a Cyrillic one: only then can a word of _MIXED_WORD mix scripts."""
_LATIN_LETTER = re.compile(r"[A-Za-zÏï]")
"""Most messages have no Latin letter: one class scan settles _MIXED_PAIR's search sooner."""


def _fix_word(match: re.Match[str]) -> str:
    """Map Latin look-alikes to Cyrillic, but only in words that contain Cyrillic."""
    word = match.group(0)
    if not _CYRILLIC.search(word):
        return word
    return "".join(_HOMOGLYPHS.get(ch, ch) for ch in word)


def _lower_same_length(text: str) -> str:
    """str.lower() can lengthen a few characters (İ); keep one character per character."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[0] if ch.lower() else ch for ch in text)


_CHAR_PAIRS = (*((ch, "'") for ch in APOSTROPHES), ("ё", "е"), ("—", "-"), ("–", "-"))
"""One character for another; no replacement is itself replaced, so the order is free and
str.replace per pair (a C scan each, ~0.4 us a message) equals one str.translate through a
dict table (~6 us: a dict look-up per character)."""


FILLER = "\u00ad"
"""Stands in for a combining mark that NFC folded into the letter before it: the text keeps
its length, and tokens drop the filler (so "a" + U+0308 reads as "ä")."""


def _nfc_same_length(text: str) -> str:
    """NFC per letter + marks group, padded with FILLER to the group's length."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        group = text[i:j]
        composed = unicodedata.normalize("NFC", group)
        out.append(composed + FILLER * (len(group) - len(composed)) if len(composed) <= len(group) else group)
        i = j
    return "".join(out)


def normalize_text(text: str) -> str:
    """NFC, lowercase, unify apostrophes and dashes, Latin look-alikes -> Cyrillic, ё -> е.

    The result has exactly the length of the input, so spans carry over.
    """
    fixed = _nfc_same_length(text)
    if _LATIN_LETTER.search(fixed) and _MIXED_PAIR.search(fixed):  # else every word is of one script
        fixed = _MIXED_WORD.sub(_fix_word, fixed)
    out = _lower_same_length(fixed)
    for old, new in _CHAR_PAIRS:
        out = out.replace(old, new)
    return out


@lru_cache(maxsize=16384)
def deaccent(word: str) -> str:
    """Letters without their diacritics ("töölö" -> "toolo"): residents on a phone often
    skip them, so a Latin-script name also answers to its plain-letter spelling."""
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


# --- Ukrainian <-> Latin (KMU 2010 national transliteration) ------------------------

KMU = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
}
KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def translit_kmu(text: str) -> str:
    """Ukrainian -> Latin by the KMU 2010 table (Cabinet resolution No. 55).

    Word-initial є/ї/й/ю/я take the y- forms, "зг" becomes "zgh", apostrophes vanish.
    Input is expected lowercase (run normalize_text first); other characters pass through.
    """
    out: list[str] = []
    prev = ""
    for ch in text:
        if ch not in KMU:
            out.append(ch)
        elif ch == "г" and prev == "з":
            out.append("gh")
        elif ch in KMU_INITIAL and not (prev.isalpha() or prev == "'"):
            out.append(KMU_INITIAL[ch])
        else:
            out.append(KMU[ch])
        prev = ch
    return "".join(out)


# Longest first. "ia"/"iu"/"ie" are read as two letters (і + а), not я/ю/є: KMU writes
# "Маріупольська" as "Mariupolska", and `fold` maps я/ю to "иа"/"иу" anyway, so both
# readings reach the same key. Word-initial "ye/yu/ya/yi" are є/ю/я/ї.
_LATIN_INITIAL = (("ye", "є"), ("yu", "ю"), ("ya", "я"), ("yi", "ї"))
_LATIN = (
    ("shch", "щ"),
    ("zgh", "зг"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "є"),
    ("yi", "ї"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("h", "г"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("y", "и"),
    ("i", "і"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("c", "ц"),
    ("j", "й"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
)


@lru_cache(maxsize=4096)
def latin_to_cyrillic(word: str) -> str:
    """Reverse of translit_kmu for one lowercase Latin word (approximate, for matching)."""
    out: list[str] = []
    i = 0
    for latin, cyr in _LATIN_INITIAL:
        if word.startswith(latin):
            out.append(cyr)
            i = len(latin)
            break
    while i < len(word):
        for latin, cyr in _LATIN:
            if word.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


# --- folding Ukrainian and Russian spelling to one alphabet --------------------------

# и/і/ї/й/ы -> и, е/є/э -> е, я -> иа, ю -> иу, ґ -> г, soft and hard signs and
# apostrophes vanish; doubled letters collapse afterwards. This is the Russian <-> Ukrainian
# letter mapping the matcher needs: "Соборности" and "Соборності", "Ольвийская" and
# "Ольвійська", "Рылеева" and "Рилєєва" fold alike.
_FOLD = str.maketrans(
    {
        "і": "и",
        "ї": "и",
        "й": "и",
        "ы": "и",
        "є": "е",
        "э": "е",
        "ё": "е",
        "ґ": "г",
        "я": "иа",
        "ю": "иу",
        "ь": None,
        "ъ": None,
        "'": None,
    }
)
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Fold a lowercase Cyrillic word to the shared uk/ru alphabet (see _FOLD); remembered,
    since the fuzzy reader folds the same words of message after message."""
    return _DOUBLES.sub(r"\1", word.translate(_FOLD))


# Inflection endings in folded spelling, longest first (adjective and noun cases of both
# languages: -ська/-ської/-ській/-ську/-ською, -ская/-ской/-скую, -ого/-ому, ...).
_ENDINGS = tuple(
    sorted(
        {
            "иаиа",
            "аиа",
            "уиу",
            "иуиу",
            "ого",
            "ему",
            "ому",
            "ими",
            "ами",
            "иами",
            "ои",
            "ии",
            "еи",
            "ою",
            "оиу",
            "еиу",
            "ом",
            "ем",
            "им",
            "ах",
            "иах",
            "ам",
            "иам",
            "их",
            "ие",
            "ое",
            "ее",
            "иа",
            "иу",
            "а",
            "у",
            "е",
            "и",
            "о",
        },
        key=len,
        reverse=True,
    )
)
MIN_STEM = 3


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Folded word without its inflection ending (kept at least MIN_STEM letters)."""
    folded = fold(word)
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= MIN_STEM:
            return folded[: -len(ending)]
    return folded


# --- lemmatisation ------------------------------------------------------------------


@lru_cache(maxsize=1)
def analysers() -> tuple[pymorphy3.MorphAnalyzer, pymorphy3.MorphAnalyzer]:
    """Load both dictionaries once (about 60 ms); offline packages pymorphy3-dicts-uk/ru."""
    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


def _best_lemma(parses: list) -> str:
    """Prefer an adjective reading: street names are adjectives and lemmatise to the
    masculine form on both sides ("Московській" and "Московська" -> "московський")."""
    for parse in parses:
        if "ADJF" in parse.tag.grammemes:
            return parse.normal_form
    return parses[0].normal_form


@lru_cache(maxsize=65536)
def lemmas(word: str) -> tuple[str, ...]:
    """Dictionary lemmas of one lowercase Cyrillic word from each dictionary that knows
    it (guesses for unknown words are noise: "Мариупольской" is no Ukrainian verb)."""
    uk, ru = analysers()
    out: list[str] = []
    only_uk = any(ch in "іїєґ" for ch in word)
    only_ru = any(ch in "ыэъ" for ch in word)
    for analyser, skip in ((uk, only_ru), (ru, only_uk)):
        if not skip and analyser.word_is_known(word):
            lemma = _best_lemma(analyser.parse(word))
            if lemma not in out:
                out.append(lemma)
    return tuple(out)


@lru_cache(maxsize=65536)
def word_keys(word: str) -> frozenset[str]:
    """All match keys of one normalised word: stems of the surface form and its lemmas.

    Numbers are their own key; ordinal words ("першого", "пятой") also give the digit, so
    "вулиця Першого Травня" meets the alias "1-го Травня". Latin words are read back to
    Cyrillic first.
    """
    if word.isdigit():
        return frozenset((word,))
    keys: set[str] = set()
    if not word.isascii() and not _CYRILLIC.search(word):
        keys.add(word)  # another script or Latin with diacritics: the word itself...
        plain = deaccent(word)
        if not plain.isascii():
            return frozenset(keys)
        word = plain  # ...and its plain-letter spelling, read as below
    if word.isascii():
        word = latin_to_cyrillic(word)
    keys.add(stem(word))
    for lemma in lemmas(word):
        keys.add(stem(lemma))
    number = ORDINALS.get(stem(word))
    if number is not None:
        keys.add(number)
    return frozenset(keys)


@lru_cache(maxsize=8192)
def is_dictionary_word(word: str) -> bool:
    """True when either dictionary knows the word: a street alias that is an ordinary word
    ("Щаслива", "Лісова", "Болгарка") needs context before the geocoder accepts it."""
    uk, ru = analysers()
    return uk.word_is_known(word) or ru.word_is_known(word)


# --- vocabularies -------------------------------------------------------------------

AMBIGUOUS_TYPES = frozenset({"пр"})
""""пр." is проспект, проїзд or провулок (libpostal lists it for all): a street type whose
kind is unknown."""

TYPES_AFTER_NAME = frozenset(
    {"вулиця", "провулок", "проспект", "площа", "бульвар", "узвіз", "шосе", "тупик", "проїзд", "набережна"}
)
"""Types that support a name written before them ("Маріупольська вулиця"); "алея" is left
out because "Кленова алея" is more often a row of trees than an address."""

HOUSE_WORDS = frozenset(
    {
        "буд",
        "будинок",
        "будинку",
        "будинки",
        "будинком",
        "д",
        "дом",
        "дома",
        "доме",
        "домом",
        "house",
        "bud",
        "№",
        "no",
        "номер",
    }
)
"""Words before a house number (libpostal house_numbers.txt, number.txt)."""

CORPUS_WORDS = frozenset({"корп", "корпус", "к", "корпусу"})
"""Building-part words after a house number (libpostal ru building_types.txt)."""

PLACE_PREPOSITIONS = (
    frozenset(
        {
            "на",
            "по",
            "у",
            "в",
            "во",
            "з",
            "із",
            "зі",
            "с",
            "со",
            "від",
            "от",
            "до",
            "між",
            "между",
            "na",
            "po",
            "v",
            "u",
            "z",
            "on",
            "at",
            "in",
            "along",
            "outside",
            "på",
            "vid",
            "längs",
        }
    )
    | NEAR_WORDS
)
"""Words that put the next word in a place role ("на Московській", "по Соборності")."""

MONTHS = frozenset(stem(m) for m in MONTH_NAMES)
"""Month stems: a number followed by one is a date, not a house number."""

NOT_HOUSE_UNITS = (
    frozenset(
        stem(u)
        for u in (
            "рік років року роки год года лет хв хвилин минут грн гривень грив разів раз раза разу "
            "числа число шт штук метрів метров км м годин години часов часа день дні днів дней "
            "тиждень тижнів недель відсотків процентов"
        ).split()
    )
    | MONTHS
)
"""Stems after which a number is a time, a date or an amount, never a house number. Topic
nouns ("Бузька, 14 собаки бродячі", "Соборності 5 машини на газоні") are left out: after a
street name the number is the house."""

ORDINALS: dict[str, str] = {}
for _n, _forms in enumerate(
    (
        "перший першого першої перша першій першу перше первый первого первой первая первую",
        "другий другого другої друга другій другу второй второго вторая вторую",
        "третій третього третьої третя третю третий третьего третьей третья третью",
        "четвертий четвертого четвертої четверта четвертій четвертую четвертый четвертой четвертая",
        "п'ятий п'ятого п'ятої п'ята п'ятій п'яту п'ятою пятий пятої пятый пятого пятой пятая пятую",
        "шостий шостого шостої шоста шостій шосту шостою шестой шестого шестая шестую",
        "сьомий сьомого сьомої сьома сьомій сьому сьомою седьмой седьмого седьмая седьмую",
        "восьмий восьмого восьмої восьма восьмій восьму восьмою восьмой восьмого восьмая",
        "дев'ятий дев'ятого дев'ятої дев'ята дев'ятій дев'яту дев'ятою девятий девятый девятого "
        "девятой девятая девятую",
        "десятий десятого десятої десята десятий десятый десятой десятая",
    ),
    start=1,
):
    for _form in _forms.split():
        ORDINALS[stem(_form)] = str(_n)

ORDINAL_SUFFIXES = frozenset(
    {"го", "ого", "ї", "й", "та", "ой", "ая", "я", "ий", "а", "е", "ої", "ому", "ый", "ей", "ю", "у", "ть", "ша"}
)
"""What follows "5-" in "5-ї школи", "1-го Травня", "5-та", "5-й": makes an ordinal."""

# --- tokens -------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u00ad]+[^\W\d_]*)*|\d+|['\u00ad]+(?:[^\W\d_]+['\u00ad]*)*|[№/\-.,;:!?()\"«»]")
"""Words of letters of any script (NFC, diacritics kept; apostrophes and fillers inside),
numbers, the punctuation the address grammar needs. A word is one maximal run of letters,
apostrophes and fillers, as ``(?:[^\\W\\d_]|['\\u00ad])+`` reads it, but matched run by run
instead of character by character (~30% less regex time; the same spans)."""


class Token(NamedTuple):
    """One token of the normalised text with its character offsets in the original (a named
    tuple: a message makes dozens, and a tuple is made several times faster than a frozen
    dataclass)."""

    text: str
    start: int
    end: int

    @property
    def is_number(self) -> bool:
        return self.text.isdigit()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()


_new_token = tuple.__new__  # Token(...) without the keyword handling of its __new__


def tokenize(normalised: str) -> list[Token]:
    """Words, numbers and the punctuation the address grammar needs; apostrophes at a
    word's edge are quotes, not part of the word."""
    if FILLER not in normalised and "'" not in normalised:  # nothing to drop or strip
        return [_new_token(Token, (m.group(), *m.span())) for m in _TOKEN.finditer(normalised)]
    out: list[Token] = []
    for m in _TOKEN.finditer(normalised):
        text, start, end = m.group(0), m.start(), m.end()
        if FILLER in text:
            text = text.replace(FILLER, "")
            if not text:
                continue
        if "'" in text:
            stripped = text.strip("'")
            if not stripped:
                continue
            start += len(text) - len(text.lstrip("'"))
            end = start + len(stripped)
            text = stripped
        out.append(Token(text, start, end))
    return out
