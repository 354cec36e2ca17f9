"""House numbers next to a street name."""

from __future__ import annotations

from data.text.vocabulary import NEAR_WORDS, STREET_TYPES
from geo.geocoding.text import _Text
from geo.geocoding.words import HOUSE_LETTERS, KIND_BY_STEM, SCHOOL_KINDS
from geo.normalize import (
    CORPUS_WORDS,
    HOUSE_WORDS,
    NOT_HOUSE_UNITS,
    ORDINAL_SUFFIXES,
    stem,
)


def _parse_house(t: _Text, i: int) -> tuple[str, tuple[int, int]] | None:
    """House number starting at token i: '15', '15а', '15-а', '15 А', '23/27', '23 / 27',
    '15 корп. 2', '40, корп. 1'. None for dates, times, quantities and years."""
    toks = t.tokens
    if i >= len(toks) or not toks[i].is_number:
        return None
    number = toks[i].text
    if not 0 < int(number) < 1000 or len(number) > 3:
        return None
    end = i
    nxt = i + 1
    if nxt < len(toks) and toks[nxt].text == ":" and nxt + 1 < len(toks) and toks[nxt + 1].is_number:
        return None  # a time, 22:30
    if (
        nxt < len(toks)
        and toks[nxt].text == "."
        and nxt + 1 < len(toks)
        and toks[nxt + 1].is_number
        and toks[nxt].start == toks[i].end
    ):
        return None  # a date or a time, 15.05 / 22.30
    # what follows, past a glued or hyphenated suffix: "5-ї школи" is an ordinal, "15 травня" a
    # date, "5 днів" a quantity; "15а" and "15-а" are houses
    j = nxt
    suffix = None
    k = j
    if (
        k < len(toks)
        and toks[k].text == "-"
        and k + 1 < len(toks)
        and toks[k + 1].is_word
        and toks[k + 1].start == toks[k].end
        and toks[k + 1].text in ORDINAL_SUFFIXES | HOUSE_LETTERS
    ):
        k += 1
    if (
        k < len(toks)
        and toks[k].is_word
        and (k > j or toks[k].start == toks[i].end)
        and toks[k].text in ORDINAL_SUFFIXES
    ):
        suffix = toks[k].text
        k += 1
    if suffix is not None and suffix not in HOUSE_LETTERS:
        return None  # "5-ї", "1-го": an ordinal
    if k < len(toks) and toks[k].is_word:
        after = stem(toks[k].text)
        if after in NOT_HOUSE_UNITS or KIND_BY_STEM.get(after) in SCHOOL_KINDS:
            return None  # "15 травня", "5 днів", "5 школи"
    house = number
    # letter: glued ("15а"), hyphenated ("15-а"), or spaced at the end of a clause ("15 А")
    if j < len(toks) and toks[j].is_word and len(toks[j].text) == 1 and toks[j].text.isalpha():
        glued = toks[j].start == toks[i].end
        after = toks[j + 1].text if j + 1 < len(toks) else ""
        if glued or after in ("", ",", ".", "-", "!", "?", ";", "(", ")"):
            house += toks[j].text
            end = j
    elif j + 1 < len(toks) and toks[j].text == "-" and toks[j + 1].is_word and len(toks[j + 1].text) == 1:
        house += toks[j + 1].text
        end = j + 1
    # fraction
    k = end + 1
    if k + 1 < len(toks) and toks[k].text == "/" and toks[k + 1].is_number:
        house += "/" + toks[k + 1].text
        end = k + 1
    # building part
    k = end + 1
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k < len(toks) and toks[k].text in CORPUS_WORDS:
        m = k + 1
        if m < len(toks) and toks[m].text == ".":
            m += 1
        if m < len(toks) and toks[m].is_number:
            house += "к" + toks[m].text
            end = m
    return house, (i, end)


_RELATIVE = frozenset({"у", "в", "між", "между"})


def _skipped_before_house(word: str) -> bool:
    """Words _house_after steps over between a name and its house number."""
    return (
        word in {",", ".", "-"}
        or word in STREET_TYPES
        or word in HOUSE_WORDS
        or word in NEAR_WORDS
        or word in _RELATIVE
        or stem(word) == "будинк"
    )


def _house_ends(t: _Text) -> frozenset[int]:
    """Token indices a house number may follow (only skipped words between them and a
    number): _house_after can only answer for these, so the others need not ask it."""
    out: set[int] = set()
    texts = t.texts
    for k in [k for k, w in enumerate(texts) if w.isdigit()]:  # Token.is_number
        j = k - 1
        out.add(j)
        while j >= 0 and _skipped_before_house(texts[j]):
            j -= 1
            out.add(j)
    return frozenset(out)


def _house_after(t: _Text, last: int) -> tuple[str, tuple[int, int]] | None:
    """House number after a street name: 'Соборності 23/27', 'вул. X, буд. 15',
    'на X возле дома 14', 'Соборності вул., 8', 'на X між 10 і 12'."""
    j = last + 1
    marker = False
    relative = False
    toks = t.tokens
    while j < len(toks):
        word = toks[j].text
        if word in {",", ".", "-"}:
            j += 1
        elif word in STREET_TYPES:
            j += 1
        elif word in HOUSE_WORDS or stem(word) == "будинк":
            marker = True
            j += 1
        elif word in NEAR_WORDS or word in {"у", "в", "між", "между"}:
            if relative:
                return None
            relative = True
            j += 1
        else:
            break
    if j >= len(toks) or not toks[j].is_number:
        return None
    if relative and not marker and toks[j - 1].text not in {"між", "между"}:
        return None
    return _parse_house(t, j)


def _house_before(t: _Text, first: int) -> tuple[str, tuple[int, int]] | None:
    """'буд. 9 по вул. X', 'возле дома 7 по Московской', 'біля будинку №10 на Травневій'."""
    toks = t.tokens
    j = first - 1
    steps = 0
    while j >= 0 and steps < 4 and (toks[j].text in STREET_TYPES or toks[j].text in {".", ",", "по", "на", "в", "у"}):
        j -= 1
        steps += 1
    # j should now be at the end of a house number
    k = j
    while k >= 0 and not toks[k].is_number and k > j - 4:
        k -= 1
    if k < 0 or not toks[k].is_number:
        return None
    m = k - 1
    while m >= 0 and toks[m].text in {".", "№"}:
        m -= 1
    if m < 0 or not (toks[m].text in HOUSE_WORDS or stem(toks[m].text) == "будинк"):
        if not (m >= 0 and toks[m + 1].text == "№"):
            return None
    parsed = _parse_house(t, k)
    if parsed is None or parsed[1][1] != j:
        return None
    return parsed
