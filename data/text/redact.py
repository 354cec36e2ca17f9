"""Remove personal data from report text before it is stored.

Why: DESIGN.md stores text only with contact details, identity and payment numbers,
home numbers, car plates and person names replaced by typed placeholders, so that the
police, council and moderators read what happened without learning who wrote or who
was named.

Order matters: the intake geocodes the RAW text first and passes the matched place span
here as ``keep_spans``. Many streets and parks carry people's names (вул. Іллі Урмана,
парк Шевченка, вулиця Лесі Українки); names inside a kept span survive, and so do the
gazetteer's place names anywhere in the text (data.text.redact_places, handed in by the
import pipeline as ``places``), placed or not.
Everything else is redacted everywhere, even inside a kept span, because a place name
never legitimately contains it and leaking one costs more than a slightly shorter
location text: contacts (data.text.redact_contacts: e-mails, disguised ones too, links,
handles) and numbers (data.text.redact_numbers: phones in digits, words or look-alike
letters, ІПН, passports and ID cards, bank cards, IBAN, car plates, flats, entrances).

Names are found in three ways (any of them suffices):
* first names: the word or one of its pymorphy3 lemmas (uk and ru) is in the committed
  lists in ``data/text/redact_names/`` (nominatives and diminutives; inflected forms come from
  the lemmatiser), or pymorphy3 tags its most likely Ukrainian reading ``Name``;
* patronymics: the suffixes -ович/-евич/-івна/-ївна/-овна/-евна (with case endings) or a
  ``Patr`` tag;
* surnames: a ``Surn`` tag or a typical ending (-енко, -чук, -ський, -ов, ...) when the
  word stands next to a first name, patronymic, initial or a title (пан, сусід,
  дільничний ...), or, on its own, when the word is capitalised mid-sentence and both the
  ending and the tagger agree.
Capitalised words right after a place word (вул., провулок, парк, сквер, школа ім. ...)
are treated as place names even outside a kept span: the geocoder matches one place per
report, and other places in the text must not read as people.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import pymorphy3

from data.text.redact_contacts import contact_spans
from data.text.redact_numbers import (
    digit_run_spans,
    digits_for_lookalikes,
    document_spans,
    home_spans,
    short_phone_spans,
    spoken_phone_spans,
)
from data.text.redact_places import PlaceNames
from data.text.vocabulary import (
    CONJUNCTIONS,
    CROSS_WORDS,
    DISTRICT_WORDS,
    HONORIFICS,
    MONTH_NAMES,
    PARK_WORDS,
    STREET_TYPES,
    cyrillic,
)

NAMES_DIR = Path(__file__).resolve().parent / "redact_names"
AMBIGUOUS_FILE = "ambiguous.txt"

PHONE = "[телефон]"
EMAIL = "[email]"
HANDLE = "[нік]"
PLATE = "[номер авто]"
NAME = "[ім'я]"
TAX_NUMBER = "[ІПН]"
PASSPORT = "[паспорт]"
CARD = "[картка]"
IBAN = "[рахунок]"
FLAT = "[квартира]"
ENTRANCE = "[під'їзд]"
PLACEHOLDERS = {
    "phone": PHONE,
    "email": EMAIL,
    "handle": HANDLE,
    "plate": PLATE,
    "ipn": TAX_NUMBER,
    "passport": PASSPORT,
    "card": CARD,
    "iban": IBAN,
    "flat": FLAT,
    "entrance": ENTRANCE,
}


class Redaction(NamedTuple):
    """Redacted text and how many items of each type were replaced (for audit/stats).
    A named tuple: made once per message, and it costs half a frozen dataclass."""

    text: str
    counts_by_type: dict[str, int]


# --- numbers and contacts -------------------------------------------------------------

# Counting digits first spares most reports (no digits, or one house number) the scans:
# a plate has 4, a short phone 5, an ID card 9.
_DIGITS_RE = re.compile(r"\d+")
PLATE_DIGITS, SHORT_PHONE_DIGITS, LONG_NUMBER_DIGITS = 4, 5, 9


def _number_spans(text: str) -> list[tuple[int, int, str]]:
    """Personal numbers of every kind (data.text.redact_numbers), also where letters stand
    in for digits."""
    low = text.lower()
    spans = home_spans(text, low)
    digit_runs = _DIGITS_RE.findall(text)
    # A phone starts with 0 (0XX, 80XX, 380XX): dictated, it says "нуль"/"ноль", or it
    # is mixed with digits and one of its groups is written "0..." ("067 сто двадцять").
    if "нул" in low or "нол" in low or ("0" in text and any(r[0] == "0" for r in digit_runs)):
        spans += spoken_phone_spans(text)
    n_digits = sum(map(len, digit_runs))
    if n_digits < PLATE_DIGITS - 1:  # a look-alike letter may be the fourth digit
        return spans
    runs = [m.span() for m in _DIGITS_RE.finditer(text)]
    versions = [(text, n_digits, runs)]
    mapped = digits_for_lookalikes(text, runs)
    if mapped is not None:
        mapped_runs = [m.span() for m in _DIGITS_RE.finditer(mapped)]
        versions.append((mapped, sum(e - s for s, e in mapped_runs), mapped_runs))
    for version, digits, version_runs in versions:
        if digits >= LONG_NUMBER_DIGITS:
            spans += digit_run_spans(version)
        if digits >= SHORT_PHONE_DIGITS:
            spans += short_phone_spans(version, low)
        if digits >= PLATE_DIGITS:
            spans += document_spans(version, digits, version_runs)
    return spans


# --- names ------------------------------------------------------------------------------

WORD_RE = re.compile(r"[А-ЯЁЄІЇҐа-яёєіїґA-Za-z][А-ЯЁЄІЇҐа-яёєіїґ'’ʼ\-]*")
INITIAL_RE = re.compile(r"(?<![\w])[А-ЯЄІЇҐ]\.(?:\s?[А-ЯЄІЇҐ]\.)?")

PATRONYMIC_RE = re.compile(
    r"(?:ович|евич|йович|ьович|івна|ївна|овна|евна|ічна|инична|ична)"
    r"(?:а|у|ем|ом|еві|ові|і|ою|ої|ей|ы|ой)?$",
    re.IGNORECASE,
)
SURNAME_RE = re.compile(
    r"(?:енко|єнко|чук|щук|юк|ук|ський|ська|цький|цька|зький|зька|ов|ова|ев|ева|єв|єва|"
    r"ін|іна|ин|ина|ів|ович|ишин|ишина|як|ак|ко|ий|ой|ких|ых|их)"
    r"(?:а|у|ом|ем|им|ої|ій|ою|ого|ому|ім|ы|ым|ой|е)?$",
    re.IGNORECASE,
)
# Words that introduce a person: the next capitalised word is a name.
TITLES = frozenset(
    """пан пані пана панові паном панею гр громадянин громадянка громадянина громадянки
    сусід сусідка сусіда сусідки сусіду сусідові сусідом сусідкою сосед соседка соседа
    соседки дільничний дільничного дільничному участковый участкового депутат депутата
    депутатка водій водія водієві водитель водителя власник власника власниця власниці
    хазяїн хазяйка хозяин хозяйка директор директора директорка голова голови осбб
    мешканець мешканка мешканця жилец жительница бабуся бабусі дід діда дядько дядька
    тітка тітки тьотя тёти дядя гражданин гражданка господин госпожа""".split()
)
# Words after which capitalised words are a place name, not a person (tokens carry no
# dots, so "вул." is "вул"): the shared place words (data.text.vocabulary) written in Cyrillic,
# plus words that only announce a place in a sentence (адреса, зупинка, "по").
PLACE_TRIGGERS = (
    cyrillic(STREET_TYPES)
    | cyrillic(CROSS_WORDS)
    | HONORIFICS
    | DISTRICT_WORDS
    | cyrillic(PARK_WORDS)
    | frozenset(
        """вулиць провулка перекрёстке пр адресою адресу адреса адресе зупинка зупинки
    остановка станція по""".split()
    )
) - frozenset(
    # also everyday words right before a name: "дорога Олено" (dear), "им" (ru: to them),
    # single letters ("р." is also рік, "н." an initial), and the Russian "набережная",
    # which ends a name ("на Набережной. Опять Петренко" must not make Петренко a place)
    "дорога дороги дорогу дорозі им р н набережная набережной".split()
)
# One-letter abbreviations that name a street only when written with a dot ("в. Стуса").
DOTTED_TRIGGERS = frozenset({"в"})
# A house number right after capitalised words makes them a street ("Івана Франка, 61").
HOUSE_RE = re.compile(
    r",?\s*(?:буд(?:инок)?\.?|д\.|дом|№)?\s*\d{1,3}(?:\s?[-/]?\s?[а-яієїa-z](?![а-яієїa-z]))?"
    r"(?![\d:\-])(?!\s*(?:рок\w*|рік|лет|год\w*|раз|рази|разів|хв\w*|мин\w*|час\w*|грн|кг|м|людей|чол\w*)\b)"
)
MAX_PLACE_WORDS = 3
# Streets named after dates ("8 Березня", "1 Мая"); "Марта" and "Мая" are also names.
MONTHS = frozenset(MONTH_NAMES)


@cache
def _morph() -> tuple[pymorphy3.MorphAnalyzer, pymorphy3.MorphAnalyzer]:
    """Both analyzers are slow to build (dictionaries), so build them once."""
    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


@cache
def first_names() -> frozenset[str]:
    """Lower-cased first names and diminutives from the committed lists."""
    return frozenset().union(*(_read_list(p) for p in sorted(NAMES_DIR.glob("*.txt")) if p.name != AMBIGUOUS_FILE))


@cache
def ambiguous_names() -> frozenset[str]:
    """First names that are also common words (Надія, Слава, Поля)."""
    return _read_list(NAMES_DIR / AMBIGUOUS_FILE)


def _read_list(path: Path) -> frozenset[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(_norm(line) for line in lines if line and not line.startswith("#"))


def _norm(word: str) -> str:
    return word.lower().replace("’", "'").replace("ʼ", "'").replace("ё", "е")


@dataclass(frozen=True)
class _WordInfo:
    first: bool  # a first name (list, lemma or tagger)
    sure_first: bool  # listed as written, or both taggers read a name first: enough even
    # opening a sentence, where capitalisation says nothing
    patronymic: bool
    surname: bool  # tagged or shaped like a surname (needs context unless `strong`)
    strong_surname: bool  # tagger and ending agree, and it is no adjective (street names)
    common: bool  # also an everyday word (Надія, Слава, Поля): weak opening a sentence
    place: bool  # the tagger knows it as a place name (Україна, Вознесенськ)


_PERSON = frozenset({"Name", "Surn", "Patr"})


def _from_dictionary(parse: pymorphy3.analyzer.Parse) -> bool:
    """The reading comes from the dictionary, not from a guess on the word's ending."""
    return type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"


@lru_cache(maxsize=65536)
def _word_info(word: str) -> _WordInfo:
    """Classify a capitalised word once; results are cached across texts.

    The Ukrainian dictionary tags many Russian words as names ("Пьют", "Люди") and the
    Russian one the reverse, so a tagger-only name needs both to agree (or one not to
    know the word), and lemma matches only count from readings that are names.
    """
    uk, ru = _morph()
    low = _norm(word)
    uk_parses = uk.parse(low)
    ru_parses = [p for p in ru.parse(low) if p.score >= 0.2] or ru.parse(low)[:1]
    uk_top, ru_top = uk_parses[0], ru_parses[0]
    names = first_names()
    name_lemmas = {_norm(p.normal_form) for p in uk_parses + ru_parses if "Name" in p.tag.grammemes}
    uk_name = "Name" in uk_top.tag.grammemes
    ru_name = "Name" in ru_top.tag.grammemes or not _from_dictionary(ru_top) or ru_top.tag.POS is None
    listed = low in names
    uk_word = _from_dictionary(uk_top) and not (_PERSON & uk_top.tag.grammemes) and uk_top.tag.POS != "NOUN"
    first = listed or (bool(name_lemmas & names) and not uk_word) or (uk_name and ru_name and len(low) > 2)
    adjective = any(p.tag.POS == "ADJF" and _from_dictionary(p) for p in uk_parses) or (
        sum(p.score for p in ru_parses if p.tag.POS == "ADJF") >= 0.5
    )
    patronymic = (
        bool(PATRONYMIC_RE.search(low)) or any("Patr" in p.tag.grammemes for p in uk_parses[:2] + ru_parses[:1])
    ) and (not adjective or ("Patr" in ru_top.tag.grammemes and ru_top.score >= 0.5))
    surn_tag = any("Surn" in p.tag.grammemes for p in uk_parses[:2]) or any(
        "Surn" in p.tag.grammemes and p.score >= 0.3 for p in ru_parses[:2]
    )
    shaped = bool(SURNAME_RE.search(low))
    common = low in ambiguous_names() or bool(name_lemmas & ambiguous_names())
    return _WordInfo(
        first=first,
        sure_first=listed or (uk_name and ru_name),
        patronymic=patronymic and len(low) > 5,
        surname=surn_tag or shaped,
        strong_surname=surn_tag and shaped and not common and not adjective,
        common=common,
        place=any("Geox" in p.tag.grammemes for p in uk_parses[:3] + ru_parses[:2]),
    )


@lru_cache(maxsize=1 << 17)
def _capitalised_info(word: str) -> _WordInfo | None:
    """:func:`_word_info` of a capitalised word (not all capitals, not one letter), else
    None; cached for every word, since the tests cost more than the lookup (~1.5 us a text)."""
    return _word_info(word) if word[0].isupper() and len(word) > 1 and not word.isupper() else None


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(' \t"«(')
    return not before or before[-1] in ".!?\n:;"


def _may_hold_a_name(text: str, words: Sequence[str], infos: Sequence[_WordInfo | None]) -> bool:
    """False when no rule of :func:`_name_spans` can mark a word, so its context rules
    (places, sentence starts, neighbours) need not run: most reports only have
    capitalised words that are no name part (a sentence opening, a street).

    A word is marked only when it is a first name, a patronymic or a strong surname,
    follows a title, or is a surname next to a first name or patronymic (covered by the
    first case) or next to an initial. A first name opening a sentence that is not a
    sure one, or is a common word ("Люди добрі", "Надія є"), is marked only beside a
    surname or patronymic, and makes no neighbour a name (``strong_part``): alone it
    lets the rules be skipped (a third of reports open with "Люди").
    """
    surname = False
    spans: list[tuple[int, int]] | None = None  # the words' offsets, found once a first name needs them
    for k, info in enumerate(infos):  # one pass: this runs for every report
        if info is None:
            continue
        if info.patronymic or info.strong_surname or (k > 0 and words[k - 1].lower() in TITLES):
            return True
        if info.first:
            if info.sure_first and not info.common:
                return True
            if spans is None:
                spans = [m.span() for m in WORD_RE.finditer(text)]
            if not _sentence_start(text, spans[k][0]) or _name_part_beside(text, spans, infos, k):
                return True
        surname = surname or info.surname
    return surname and INITIAL_RE.search(text) is not None


def _name_part_beside(text: str, spans: Sequence[tuple[int, int]], infos: Sequence[_WordInfo | None], k: int) -> bool:
    """A surname or patronymic right beside word ``k``, only blanks between (what makes
    :func:`_name_spans` mark a first name whose capital says nothing)."""
    for j in (k - 1, k + 1):
        info = infos[j] if 0 <= j < len(infos) else None
        if info is not None and (info.surname or info.patronymic):
            a, b = min(j, k), max(j, k)
            if not text[spans[a][1] : spans[b][0]].strip():
                return True
    return False


def _is_first_name(word: str) -> bool:
    return _word_info(word).first


def _gazetteer_place_tokens(
    text: str,
    tokens: Sequence[tuple[int, int, str]],
    infos: Sequence[_WordInfo | None],
    place: Sequence[bool],
    marked: Sequence[int],
    names: PlaceNames,
) -> set[int]:
    """Which of the ``marked`` tokens belong to one of the gazetteer's place names
    (data.text.redact_places), with the other words of that name.

    A one-word match is a person's surname that a street shares when a first name,
    patronymic or initial stands beside it or a title before it ("сусідка Ганна
    Примаченко", "Заявник Лисенко О."), not the street.
    """
    found: set[int] = set()
    for i in marked:
        if i in found:
            continue
        match = names.covering(text, tokens, i)
        if match is None:
            continue
        first, n_words = match
        if n_words == 1 and _person_beside(text, tokens, infos, place, i):
            continue
        found.update(range(first, first + n_words))
    return found


def _person_beside(
    text: str, tokens: Sequence[tuple[int, int, str]], infos: Sequence[_WordInfo | None], place: Sequence[bool], i: int
) -> bool:
    """A first name, patronymic or initial right beside token ``i``, or a title before it."""
    start, end = tokens[i][0], tokens[i][1]
    beside = [
        k
        for k in (i - 1, i + 1)
        if 0 <= k < len(tokens) and not text[min(tokens[k][1], end) : max(tokens[k][0], start)].strip()
    ]
    return (
        any(
            infos[k] is not None and (infos[k].first or infos[k].patronymic) and not place[k]  # type: ignore[union-attr]
            for k in beside
        )
        or (i > 0 and tokens[i - 1][2].lower() in TITLES)
        or any(0 <= s - end <= 2 or 0 <= start - e <= 2 for s, e in (m.span() for m in INITIAL_RE.finditer(text)))
    )


def _name_spans(text: str, places: PlaceNames | None = None) -> list[tuple[int, int]]:
    """Spans of person names (runs of name words merged into one span)."""
    words = WORD_RE.findall(text)
    infos: list[_WordInfo | None] = list(map(_capitalised_info, words))
    if not _may_hold_a_name(text, words, infos):
        return []
    tokens = [(*m.span(), m.group()) for m in WORD_RE.finditer(text)]
    marks = [False] * len(tokens)

    def gap(a: int, b: int) -> str:
        return text[tokens[a][1] : tokens[b][0]].strip()

    # Capitalised words that belong to a place name: after a place word (вул., парк,
    # ріг), continuing such a run (at most MAX_PLACE_WORDS words), the second street of
    # an intersection, or any run followed by a house number.
    capitalised = [i for i, info in enumerate(infos) if info is not None]  # the only words that can be marked
    place = [False] * len(tokens)
    run_len = [0] * len(tokens)
    for i in capitalised:
        if i == 0:
            continue
        prev_word = tokens[i - 1][2].lower()
        if place[i - 1] and not gap(i - 1, i) and run_len[i - 1] < MAX_PLACE_WORDS:
            place[i], run_len[i] = True, run_len[i - 1] + 1
        elif (prev_word in PLACE_TRIGGERS and gap(i - 1, i) in {"", "."}) or (
            # "в. Стуса" is a street, but "Ткаченко В. Заявник" is an initial
            prev_word in DOTTED_TRIGGERS
            and gap(i - 1, i) == "."
            and not (i >= 2 and infos[i - 2] is not None and not gap(i - 2, i - 1))
        ):
            place[i], run_len[i] = True, 1
        elif (
            prev_word in CONJUNCTIONS and not gap(i - 1, i) and i >= 2 and place[i - 2] and not gap(i - 2, i - 1)
        ) or (gap(i - 1, i) == "/" and place[i - 1]):
            place[i], run_len[i] = True, 1
        elif tokens[i][2].lower() in MONTHS and re.search(r"\d\s*$", text[: tokens[i][0]]):
            place[i], run_len[i] = True, 1  # "по 8 Марта", "1 Травня": a date names a street
    run_end = 0
    for i in capitalised:
        if i < run_end:  # inside the previous run
            continue
        k = i
        while k + 1 < len(tokens) and infos[k + 1] is not None and not gap(k, k + 1) and k - i < MAX_PLACE_WORDS - 1:
            k += 1
        if HOUSE_RE.match(text, tokens[k][1]):
            place[i : k + 1] = [True] * (k + 1 - i)
        run_end = k + 1

    def titled(i: int) -> bool:
        return i > 0 and tokens[i - 1][2].lower() in TITLES

    initials = [m.span() for m in INITIAL_RE.finditer(text)]

    def next_to_initial(i: int) -> bool:
        s, e = tokens[i][0], tokens[i][1]
        return any(0 <= s - ie <= 2 or 0 <= is_ - e <= 2 for is_, ie in initials)

    def is_first(k: int) -> bool:
        info = infos[k]
        if info is None or not info.first:
            return False
        return info.sure_first or not _sentence_start(text, tokens[k][0])

    def strong_part(k: int) -> bool:
        info = infos[k]
        if info is None or (info.common and _sentence_start(text, tokens[k][0])):
            return False
        return is_first(k) or info.patronymic

    for i in capitalised:
        info = infos[i]
        if info is None or place[i]:
            continue
        start = tokens[i][0]
        at_start = _sentence_start(text, start)
        # Parts of one name stand a space apart: "Андрія Мельника", not "Андрій. Мельник".
        neighbours = [k for k in (i - 1, i + 1) if 0 <= k < len(tokens) and not gap(min(i, k), max(i, k))]
        near_name = any(strong_part(k) for k in neighbours)
        if info.patronymic:
            marks[i] = True
        elif info.first:
            # Opening a sentence, capitalisation is no evidence: "Надія", "Люди" need a
            # sure first name or another part of a name next to them.
            marks[i] = (is_first(i) and not (info.common and at_start)) or any(
                infos[k] is not None and (infos[k].surname or infos[k].patronymic)  # type: ignore[union-attr]
                for k in neighbours
            )
        elif info.surname and (near_name or titled(i) or next_to_initial(i)):
            marks[i] = True
        elif near_name and not at_start and not info.place:
            # a capitalised word inside a sentence right next to a first name or
            # patronymic is a surname even when the tagger does not know it
            marks[i] = True
        elif info.strong_surname and not at_start:
            marks[i] = True
        elif titled(i) and not at_start:
            marks[i] = True
    marked = [i for i in capitalised if marks[i]]
    if marked and places is not None:  # the gazetteer's places only unmark, so they are looked up only now
        for k in _gazetteer_place_tokens(text, tokens, infos, place, marked, places):
            marks[k] = False
    # Initials belong to the name they stand next to.
    spans = [(tokens[i][0], tokens[i][1]) for i in capitalised if marks[i]]
    for s, e in initials:
        if any(0 <= ms - e <= 2 or 0 <= s - me <= 2 for ms, me in spans):
            spans.append((s, e))
    return spans


# --- assembling -------------------------------------------------------------------------


def _overlaps(span: tuple[int, int], keep: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < k_end and k_start < span[1] for k_start, k_end in keep)


def place_index(names: Iterable[str]) -> PlaceNames:
    """The place names redaction spares anywhere in a text (every spelling of the city's
    streets, landmarks and districts: geo.gazetteer.Gazetteer.place_names); build it once."""
    return PlaceNames(names, _is_first_name)


def redact(text: str, keep_spans: Sequence[tuple[int, int]] = (), places: PlaceNames | None = None) -> Redaction:
    """Replace personal data with typed placeholders; names inside ``keep_spans`` stay.

    ``keep_spans`` are character offsets into ``text`` (the geocoder's matched place);
    ``places`` (:func:`place_index`) spares the gazetteer's place names anywhere. Without
    it a street named after a person is redacted like the person: the safe side.
    """
    found = [(s, e, PLACEHOLDERS[kind]) for s, e, kind in contact_spans(text) + _number_spans(text)]
    found += [(*s, NAME) for s in _name_spans(text, places) if not _overlaps(s, keep_spans)]
    # Earlier, longer matches win (an e-mail beats the handle inside it).
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if chosen and start < chosen[-1][1]:
            continue
        # Adjacent names ("Іван Петрович Сидоренко") become one placeholder.
        if chosen and kind == NAME == chosen[-1][2] and not text[chosen[-1][1] : start].strip(" .,"):
            if "," not in text[chosen[-1][1] : start]:
                chosen[-1] = (chosen[-1][0], end, NAME)
                continue
        chosen.append((start, end, kind))
    if not chosen:
        return Redaction(text, {})
    parts: list[str] = []
    pos = 0
    counts: dict[str, int] = {}
    for start, end, kind in chosen:
        parts.append(text[pos:start])
        parts.append(kind)
        counts[kind.strip("[]")] = counts.get(kind.strip("[]"), 0) + 1
        pos = end
    parts.append(text[pos:])
    return Redaction("".join(parts), dict(counts))


# --- reporter identity ------------------------------------------------------------------


def reporter_hash(author_id: str, salt: bytes) -> str:
    """Keyed hash of a source's author id: the same author links across reports (spam,
    repeat reporters) without storing who it is; without the salt it cannot be reversed
    by hashing candidate ids. HMAC-SHA256 truncated to 16 bytes (32 hex characters)."""
    return hmac.new(salt, author_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def load_or_create_salt(path: Path) -> bytes:
    """Read the deployment salt, creating it (32 random bytes, mode 0600) on first start.

    Created with O_EXCL so two processes starting at once cannot overwrite each other's
    salt (which would silently split every reporter into two hashes).
    """
    path = Path(path)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(salt)
    os.chmod(path, 0o600)
    return salt
