"""Personal numbers in report text: where they are, by kind (data.text.redact replaces them).

Why a module of its own: residents write the same number many ways. A phone comes as
digits, as number words ("нуль шістдесят сім сто двадцять три ..."), mixed, or with
letters that look like digits ("О67 І23 45 67", "0б7"); documents and payment details
come grouped in fours or threes. Each finder returns ``(start, end, kind)`` spans of the
text it was given; the look-alike pass maps letters to digits without changing the
text's length, so its spans hold for the original text.

Kinds: phone, ipn (tax number: 10 digits whose last one is the check digit), passport
(2 letters + 6 digits; the 9-digit ID card), card (13-19 digits passing Luhn), iban
(UA + 27 digits), plate (2004 and later "ВЕ 1234 АК", 1995-2004 "123-45 ВІ", Soviet
"а 12-34 НИ" and "12-34 НИК"), flat and entrance (кв./квартира/під'їзд/подъезд with a
number or an ordinal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from data.text.vocabulary import PHONE_WORDS

Span = tuple[int, int, str]

# --- digit runs: phones, tax numbers, ID cards, bank cards ------------------------------

# Digit groups joined by single separators; which groups form a number is decided by
# counting their digits, so every writing of the same number works.
_DIGIT_RUN_RE = re.compile(r"\+?\s?\(?\d+(?:[\s\-.()]{1,2}\d+)*\)?")
_GROUP_RE = re.compile(r"\d+")
# Short city numbers (5-6 digits, "3-12-45") are phones only after a contact word.
_SHORT_PHONE_RE = re.compile(
    r"(?i)" + PHONE_WORDS + r"[:\s]*"
    r"(\d{1,3}(?:[\s\-.]\d{2}){2})(?!\d)"
)
# A keyword shortly before makes a number of the right length count even when it is
# grouped (ID cards) or fails its check digit (a typo still identifies someone).
_ID_KEYWORD_RE = re.compile(r"(?i)(?:\bid\b|айді|айди|картк|карт[аиы]|паспорт|документ)[^\n\d]{0,25}$")
_TAX_KEYWORD_RE = re.compile(
    r"(?i)(?:іпн|ипн|инн|інн|рнокпп|ідентифікаційн|идентификационн|податков|налогов|код)[^\n\d]{0,25}$"
)
_CARD_KEYWORD_RE = re.compile(r"(?i)(?:картк|карт[аиуы]|карточк|card|моно|приват)[^\n\d]{0,25}$")
_KEYWORD_REACH = 40
_ID_CARD_DIGITS, _TAX_DIGITS = 9, 10
_CARD_DIGITS = range(13, 20)


def valid_phone(digits: str) -> bool:
    """Ukrainian numbers: 0XXXXXXXXX, 380XXXXXXXXX, the old trunk form 80XXXXXXXXX."""
    n = len(digits)
    return (
        (n == 10 and digits[0] == "0")
        or (n == 12 and digits.startswith("380"))
        or (n == 11 and digits.startswith("80"))
    )


def valid_tax_number(digits: str) -> bool:
    """ІПН/РНОКПП: the 10th digit is the weighted sum of the first nine mod 11 (mod 10)."""
    if len(digits) != _TAX_DIGITS or digits[0] == "0":
        return False
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    return sum(w * int(d) for w, d in zip(weights, digits)) % 11 % 10 == int(digits[9])


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _plain_separators(text: str) -> bool:
    """Only spaces and hyphens between the groups (dates and times use dots and colons)."""
    return all(ch in " -" for ch in text if not ch.isdigit())


def digit_run_spans(text: str) -> list[Span]:
    """Phones, tax numbers, ID cards and bank cards among the digit runs of ``text``.

    Every group of a run is tried as a start (dates, times and house numbers often sit
    right next to a number); from a start the longest valid number wins.
    """
    spans: list[Span] = []
    for run in _DIGIT_RUN_RE.finditer(text):
        groups = list(_GROUP_RE.finditer(run.group()))
        offset = run.start()
        i = 0
        while i < len(groups):
            found: tuple[int, str] | None = None
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j].group()
                if len(digits) > max(_CARD_DIGITS):
                    break
                kind = _number_kind(digits, text, offset + groups[i].start(), offset + groups[j].end(), i == j)
                if kind:
                    found = (j, kind)
            if found is None:
                i += 1
                continue
            j, kind = found
            start, end = offset + groups[i].start(), offset + groups[j].end()
            if kind == "phone":  # pull in a leading "+", "(" and a closing ")"
                while start > offset and text[start - 1] in "+( ":
                    if text[start - 1] == " " and (start - 2 < offset or text[start - 2] not in "+("):
                        break
                    start -= 1
                if end < len(text) and text[end] == ")":
                    end += 1
            spans.append((start, end, kind))
            i = j + 1
    return spans


def _number_kind(digits: str, text: str, start: int, end: int, one_group: bool) -> str | None:
    if valid_phone(digits):
        return "phone"
    n = len(digits)
    if n < _ID_CARD_DIGITS or n == 11 or n == 12:  # no kind has these lengths but phones
        return None
    plain = one_group or _plain_separators(text[start:end])
    if not plain:
        return None
    before = max(0, start - _KEYWORD_REACH)
    if len(digits) in _CARD_DIGITS and (
        luhn(digits) or (len(digits) == 16 and _CARD_KEYWORD_RE.search(text, before, start))
    ):
        return "card"
    if valid_tax_number(digits) or (len(digits) == _TAX_DIGITS and _TAX_KEYWORD_RE.search(text, before, start)):
        return "ipn"
    if len(digits) == _ID_CARD_DIGITS and (one_group or _ID_KEYWORD_RE.search(text, before, start)):
        return "passport"
    return None


def short_phone_spans(text: str, low: str) -> list[Span]:
    """Short city numbers after a contact word (``low``: the text in lower case, for the
    cheap test that there is one)."""
    if not (
        "тел" in low
        or "моб" in low
        or "номер" in low
        or "дзвон" in low
        or "звон" in low
        or "вайбер" in low
        or "viber" in low
    ):
        return []
    return [(*m.span(1), "phone") for m in _SHORT_PHONE_RE.finditer(text)]


# --- letters that look like digits ------------------------------------------------------

_LOOKALIKE = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "О": "0",
        "о": "0",
        "I": "1",
        "l": "1",
        "І": "1",
        "і": "1",
        "|": "1",
        "З": "3",
        "з": "3",
        "S": "5",
        "б": "6",
        "Б": "6",
        "В": "8",
        "B": "8",
    }
)
_LOOKALIKE_CHARS = "OoОоIlІі|ЗзSбБВB"
# Letters alone count between two numbers ("063 ООО 12 34", "0 9 З 1 2"), or beside one
# when there are several and they are no everyday word ("22 ЗЗ", "22 Об"; not "із", "об":
# in lower case, as running text writes them).
_LOOKALIKE_WORDS = frozenset("із зі во об обо бо ві so is il io oil boss bo ob si".split())
_MIXED_TOKEN_RE = re.compile(rf"(?<![\w])[0-9{_LOOKALIKE_CHARS}]+(?![\w])")
_SEPARATORS = frozenset(" -.()")
_MAX_BARE = 4
Run = tuple[int, int]  # start and end of a run of digits


def _lookalike_beside(text: str, runs: Sequence[Run]) -> bool:
    """A look-alike letter right beside a run of digits, or one separator away."""
    n = len(text)
    for start, end in runs:
        for pos, between in ((start - 1, -1), (start - 2, start - 1), (end, -1), (end + 1, end)):
            if 0 <= pos < n and text[pos] in _LOOKALIKE_CHARS and (between < 0 or text[between] in _SEPARATORS):
                return True
    return False


def digits_for_lookalikes(text: str, runs: Sequence[Run]) -> str | None:
    """``text`` with look-alike letters inside numbers turned into digits (same length),
    or None when there are none: "О67-І23-45-67" -> "067-123-45-67". ``runs``: the
    runs of digits of ``text``."""
    if not _lookalike_beside(text, runs):
        return None
    tokens = list(_MIXED_TOKEN_RE.finditer(text))
    has_digit = [any(c.isdigit() for c in t.group()) for t in tokens]
    out = list(text)
    changed = False
    for k, tok in enumerate(tokens):
        word = tok.group()
        if word.isdigit():
            continue
        if has_digit[k]:
            ok = True
        else:  # letters only: next to a number, close by
            before = k > 0 and has_digit[k - 1] and tok.start() - tokens[k - 1].end() <= 2
            after = k < len(tokens) - 1 and has_digit[k + 1] and tokens[k + 1].start() - tok.end() <= 2
            ok = len(word) <= _MAX_BARE and (
                (before and after) or ((before or after) and len(word) > 1 and word not in _LOOKALIKE_WORDS)
            )
        if ok:
            out[tok.start() : tok.end()] = word.translate(_LOOKALIKE)
            changed = True
    return "".join(out) if changed else None


# --- phones in words ----------------------------------------------------------------------

_UNITS = {
    0: "нуль ноль",
    1: "один одна одно",
    2: "два дві две",
    3: "три",
    4: "чотири четыре чотирі",
    5: "п'ять пять",
    6: "шість шесть",
    7: "сім семь",
    8: "вісім восемь",
    9: "дев'ять девять",
}
_TEENS = {
    10: "десять",
    11: "одинадцять одиннадцать",
    12: "дванадцять двенадцать",
    13: "тринадцять тринадцать",
    14: "чотирнадцять четырнадцать",
    15: "п'ятнадцять пятнадцать",
    16: "шістнадцять шестнадцать",
    17: "сімнадцять семнадцать",
    18: "вісімнадцять восемнадцать",
    19: "дев'ятнадцять девятнадцать",
}
_TENS = {
    20: "двадцять двадцать",
    30: "тридцять тридцать",
    40: "сорок",
    50: "п'ятдесят пятьдесят пісят писят",
    60: "шістдесят шестьдесят шісят шисят",
    70: "сімдесят семьдесят",
    80: "вісімдесят восемьдесят",
    90: "дев'яносто девяносто",
}
_HUNDREDS = {
    100: "сто",
    200: "двісті двести",
    300: "триста",
    400: "чотириста четыреста",
    500: "п'ятсот пятьсот",
    600: "шістсот шестьсот",
    700: "сімсот семьсот",
    800: "вісімсот восемьсот",
    900: "дев'ятсот девятьсот",
}


def _fold(word: str) -> str:
    return re.sub(r"['’ʼ`]", "", word.lower()).replace("ё", "е")


_NUMBER_WORDS: dict[str, tuple[int, str]] = {
    _fold(w): (value, kind)
    for kind, table in (("unit", _UNITS), ("teen", _TEENS), ("tens", _TENS), ("hundreds", _HUNDREDS))
    for value, words in table.items()
    for w in words.split()
}
_WORD_ALT = "|".join(
    re.escape(w).replace("'", "['’ʼ`]?")
    for w in sorted(
        {w for t in (_UNITS, _TEENS, _TENS, _HUNDREDS) for ws in t.values() for w in ws.split()}, key=len, reverse=True
    )
)
_TOKEN = rf"(?:(?:{_WORD_ALT})(?![\w'’ʼ`])|\d+)"
_SEP = r"[\s,\-–.()]{1,4}"
_WORD_RUN_RE = re.compile(rf"(?i)(?<![\w'’ʼ`])(?:плюс{_SEP})?{_TOKEN}(?:{_SEP}{_TOKEN})+")
_TOKEN_RE = re.compile(rf"(?i)плюс|{_TOKEN}")
_OPENS = {"hundreds": frozenset({"tens", "teen", "unit"}), "tens": frozenset({"unit"})}


def _spoken_numbers(run: str, tokens: list[re.Match[str]]) -> list[tuple[int, int, str]]:
    """Group dictated tokens of ``run`` into numbers: "сто двадцять три" -> 123, "сорок
    п'ять" -> 45, "нуль" -> 0 (a comma ends a number: "сто, двадцять" is 100 and 20);
    digits stay as written. Returns (first token, last token, digits)."""
    out: list[tuple[int, int, str]] = []
    first, value, opens = -1, 0, frozenset[str]()

    def between(k: int) -> str:
        return run[tokens[k - 1].end() : tokens[k].start()]

    for k, tok in enumerate(tokens):
        word = _fold(tok.group())
        if word.isdigit() or word == "плюс":
            if first >= 0:
                out.append((first, k - 1, str(value)))
                first = -1
            if word.isdigit():
                out.append((k, k, word))
            continue
        number, kind = _NUMBER_WORDS[word]
        joined = k > 0 and "," not in between(k)
        if first >= 0 and number and kind in opens and joined:  # "сто" + "двадцять" + "три"
            value += number
            opens = _OPENS["tens"] if kind == "tens" else frozenset()
            continue
        if first >= 0:
            out.append((first, k - 1, str(value)))
        first, value = k, number
        opens = _OPENS.get(kind, frozenset()) if number else frozenset()
    if first >= 0:
        out.append((first, len(tokens) - 1, str(value)))
    return out


_SPOKEN = frozenset(
    w.replace("'", apostrophe)
    for t in (_UNITS, _TEENS, _TENS, _HUNDREDS)
    for ws in t.values()
    for w in ws.split()
    for apostrophe in ("'", "’", "ʼ", "`", "")
)
_STRIP = ',.:;()!?"«»'


def _has_number_word(text: str) -> bool:
    """Any number word in ``text`` (split on spaces and hyphens: cheaper than a regex)."""
    return any(w.strip(_STRIP) in _SPOKEN for w in text.lower().replace("-", " ").split())


def spoken_phone_spans(text: str) -> list[Span]:
    """Phones dictated in Ukrainian or Russian number words, alone or mixed with digits."""
    spans: list[Span] = []
    if not _has_number_word(text):
        return spans
    for run in _WORD_RUN_RE.finditer(text):
        tokens = list(_TOKEN_RE.finditer(run.group()))
        if all(_fold(t.group()).isdigit() for t in tokens):
            continue  # plain digits: digit_run_spans
        numbers = _spoken_numbers(run.group(), tokens)
        for a, b in _longest_phones(numbers):
            first, last = tokens[numbers[a][0]], tokens[numbers[b][1]]
            start = first.start()
            if numbers[a][0] > 0 and _fold(tokens[numbers[a][0] - 1].group()) == "плюс":
                start = tokens[numbers[a][0] - 1].start()
            spans.append((run.start() + start, run.start() + last.end(), "phone"))
    return spans


def _longest_phones(numbers: list[tuple[int, int, str]]) -> Iterator[tuple[int, int]]:
    i = 0
    while i < len(numbers):
        digits, best = "", None
        for j in range(i, len(numbers)):
            digits += numbers[j][2]
            if len(digits) > 12:
                break
            if valid_phone(digits):
                best = j
        if best is None:
            i += 1
            continue
        yield i, best
        i = best + 1


# --- documents and accounts written with letters ----------------------------------------

_PLATE_LETTERS = "АВСЕНІКМОРТХABCEHIKMOPTX"
_IBAN_RE = re.compile(r"(?<![\w])[UuУу][AaАа][\s\-]?\d{2}(?:[\s\-]?\d){20,29}(?!\d)")
_PASSPORT_RE = re.compile(
    r"(?<![\w])(?P<doc>[А-ЯЄІЇҐA-Z]{2}[\s,\-]{0,3}(?:№|N|#|номер|но?м\.)?[\s:]{0,2}\d{6})(?![\d])"
    # any case after a document word ("паспорт мк 123456", "серия ав, номер 123456")
    r"|(?i:паспорт|сері[яї]|сери[яи])[^\n\d]{0,12}?(?<![\w])(?P<lower>[а-яєіїґa-z]{2}"
    r"(?i:[\s,\-]{0,3}(?:№|N|#|номер|но?м\.)?[\s:]{0,2})\d{6})(?![\d])"
)
# The record number of the ID card (УНЗР): birth date and five digits.
_RECORD_RE = re.compile(r"(?<![\d\-])(?:19|20)\d{6}-\d{5}(?![\d])")
# 2004 onwards: two letters, four digits, two letters (any case: "вн 4321 ко"), unless
# the letter pairs read as everyday words ("на 2000 км").
_PLATE_RE = re.compile(
    rf"(?i)(?<![\w])([{_PLATE_LETTERS}]{{2}})[\s\-]?\d{{2}}[\s\-]?\d{{2}}[\s\-]?([{_PLATE_LETTERS}]{{2}})(?![\w])"
)
_PLATE_WORDS = frozenset("на не но то та те от ох ах ок км кг см мм ха ті це са".split())
_OLD_PLATE_RE = re.compile(
    "|".join(
        (
            # 1995-2004: five digits and two capital letters, the region code before them optional
            rf"(?<![\w\-])\d{{3}}[\s\-]?\d{{2}}\s?[{_PLATE_LETTERS}]{{2}}(?![\w])",
            # Soviet 1977 standard: a serial letter, four digits, two region letters
            r"(?<![\w])[а-яіa-z]\s?\d{2}[\s\-]?\d{2}\s?[А-ЯІ]{2}(?![\w])",
            r"(?<![\w])[А-ЯІ]\s?\d{2}-\d{2}\s?[А-ЯІ]{2}(?![\w])",
            # older Soviet: four digits and three letters ("12-34 НИК")
            r"(?<![\w])\d{2}-\d{2}\s?[А-ЯІ]{3}(?![\w])",
        )
    )
)
# Old plates in lower case only after a car word ("номер 123-45 ве"): alone, "12345 на"
# is a number and a preposition.
_CAR_WORD_PLATE_RE = re.compile(
    rf"(?i)(?:номер\w*|машин\w*|авто\w*|тачк\w*)[^\n\d]{{0,20}}?(?<![\w])"
    rf"(\d{{3}}[\s\-]?\d{{2}}\s?[{_PLATE_LETTERS}]{{2}}|[а-яіa-z]\s?\d{{2}}[\s\-]?\d{{2}}\s?[а-яі]{{2,3}})(?![\w])"
)
_IBAN_DIGITS, _PASSPORT_RUN = 22, 6
# How far before and after a run of digits its passport or plate can reach ("серія ЕН
# номер 654321"; "ВЕ 1234 АК", "а 12-34 НИК"): the end must lie inside the window, or the
# "no letter follows" check would see the window's end instead of the text.
_PASSPORT_REACH, _PLATE_BEFORE, _PLATE_AFTER, _CAR_WORD_REACH = 40, 4, 10, 36


def document_spans(text: str, n_digits: int, runs: Sequence[Run]) -> list[Span]:
    """IBANs, passports and plates. Each is looked for only around the runs of digits
    (``runs``) it could hold: a scan of a few characters instead of the whole report."""
    found: set[tuple[int, int]] = set()
    spans: list[Span] = []
    low = text.lower()
    car_word = "номер" in low or "машин" in low or "авто" in low or "тачк" in low
    if n_digits >= _IBAN_DIGITS:
        spans += [(*m.span(), "iban") for m in _IBAN_RE.finditer(text)]
    for start, end in runs:
        length = end - start
        if length == 8:
            m = _RECORD_RE.match(text, start)
            if m:
                spans.append((*m.span(), "passport"))
        if length == _PASSPORT_RUN:
            m = _PASSPORT_RE.search(text, max(0, start - _PASSPORT_REACH), end)
            if m:
                spans.append((*m.span("doc" if m.group("doc") else "lower"), "passport"))
        if 2 <= length <= 5:  # plates: 4 digits (or 2 + 2), 5 (or 3 + 2)
            m = car_word and _CAR_WORD_PLATE_RE.search(text, max(0, start - _CAR_WORD_REACH), end + _PLATE_AFTER)
            if m and m.span(1) not in found:
                found.add(m.span(1))
                spans.append((*m.span(1), "plate"))
            for regex in (_PLATE_RE, _OLD_PLATE_RE):
                m = regex.search(text, max(0, start - _PLATE_BEFORE), end + _PLATE_AFTER)
                if (
                    m is None
                    or m.span() in found
                    or (regex is _PLATE_RE and (m.group(1) in _PLATE_WORDS or m.group(2) in _PLATE_WORDS))
                ):
                    continue
                found.add(m.span())
                spans.append((*m.span(), "plate"))
    return spans


# --- flats and entrances ------------------------------------------------------------------

_APOS = "['’ʼ`]?"
_FLAT_WORD = r"(?:квартир|квартір)\w*"
_FLAT_ABBR = r"(?:кв-р\w*|кв)\.?"
_ENTRANCE_WORD = rf"(?:під{_APOS}їзд|пiд{_APOS}їзд|подъезд|подьезд|подезд|парадн)\w*"
_NUMBER = r"(?:№|N|номер)?\s{0,2}\d{1,4}(?:\s?-?[а-яієї](?![а-яієї]))?"
_ORDINAL = rf"(?:перш|перв|друг|втор|трет|четверт|четвёрт|п{_APOS}ят|шост|шест|сьом|седьм|восьм|дев{_APOS}ят|десят)\w*"
# A number before the word names one home when it is an ordinal ("54-й квартиры", "2-му
# під'їзді") or follows a preposition ("в 27 квартирі", "возле 4 подъезда"); "120
# квартир" and "у будинку 3 під'їзди" only count them.
_ORDINAL_NUMBER = r"\d{1,4}-?[а-яієї]{1,3}"
# ... or when the word is singular ("3 під'їзд, 5 поверх"; "3 під'їзди" counts them).
_FLAT_SINGULAR = r"(?:квартира|квартирі|квартире|квартіра|квартірі)"
_ENTRANCE_SINGULAR = rf"(?:під{_APOS}їзд|під{_APOS}їзді|подъезд|подъезде|подьезд|подьезде)"
_PREPOSITION = r"(?:в|у|з|із|зі|до|біля|коло|возле|около|из|от|від|во|к|напроти|напротив|навпроти)"


def _home_re(word: str, abbreviation: str | None, ordinal_words: str | None, singular: str) -> re.Pattern[str]:
    """The number after the word (or its abbreviation: "кв. 5"), or before the full word."""
    ordinal = f"{_ORDINAL_NUMBER}|{ordinal_words}" if ordinal_words else _ORDINAL_NUMBER
    word_after = f"(?:{word}|{abbreviation})" if abbreviation else word
    return re.compile(
        rf"(?i)(?<![\w])(?:(?P<after>{word_after}\s{{0,2}}{_NUMBER})(?![\d])"
        rf"|(?P<ordinal>(?:{ordinal})\s{{1,2}}{word})"
        rf"|{_PREPOSITION}\s{{1,2}}(?P<plain>\d{{1,4}}\s{{1,2}}{word})"
        rf"|(?P<single>\d{{1,4}}\s{{1,2}}{singular}(?![\w'’ʼ])))"
    )


_FLAT_RE = _home_re(_FLAT_WORD, _FLAT_ABBR, None, _FLAT_SINGULAR)
_ENTRANCE_RE = _home_re(_ENTRANCE_WORD, None, _ORDINAL, _ENTRANCE_SINGULAR)


def home_spans(text: str, low: str) -> list[Span]:
    """Flat and entrance numbers of private homes (the keyword goes with the number);
    ``low`` is the text in lower case."""
    # Substring tests first: far cheaper than a regex scan, and most reports hold neither.
    spans: list[Span] = []
    if "кв" in low and ("квар" in low or "квір" in low or "кв." in low or "кв " in low or "кв№" in low or "кв-" in low):
        spans += [(*_home_span(m), "flat") for m in _FLAT_RE.finditer(text)]
    if ("зд" in low and ("їзд" in low or "одъезд" in low or "одьезд" in low or "одезд" in low)) or "арадн" in low:
        spans += [(*_home_span(m), "entrance") for m in _ENTRANCE_RE.finditer(text)]
    return spans


def _home_span(match: re.Match[str]) -> tuple[int, int]:
    return next(match.span(g) for g in ("after", "ordinal", "plain", "single") if match.group(g) is not None)
