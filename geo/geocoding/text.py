"""The message as tokens, and moves around them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data.text.vocabulary import EMAIL_PATTERN, HANDLE_PATTERN
from geo.geocoding.index import _Alias
from geo.geocoding.inflect import WordInfo
from geo.geocoding.words import _FILLER_WORDS, _is_ordinal_suffix
from geo.normalize import ORDINAL_SUFFIXES, Token, normalize_text, tokenize


@dataclass
class _Candidate:
    """A matched name span: tokens [first, last] of the token list."""

    alias: _Alias
    first: int
    last: int
    fuzzy: float = 1.0
    support: float = 0.0  # 0 = none; see _support
    type_tok: int | None = None
    house: str | None = None
    house_span: tuple[int, int] | None = None  # token indices
    veto: bool = False  # a rule said "not a place" (city, holiday, person, adjective...)
    alternatives: tuple[int, ...] = ()  # other streets the same words fit as well
    inflected: bool = False  # matched only through an inflected form (geocoding.inflect)


@dataclass
class _Text:
    original: str
    tokens: list[Token]
    words: list[int]  # indices of word/number tokens that carry meaning
    texts: list[str] = field(default_factory=list)  # each token's text, for the hot loops
    infos: list[WordInfo] = field(default_factory=list)  # word_info of each of `words` (set by read)

    def word(self, i: int) -> str:
        return self.tokens[i].text


_PHONE_PATTERN = r"\+?\d[\d ()-]{7,}\d"
_NOT_PLACES = re.compile(
    EMAIL_PATTERN  # e-mail: "andrii.lysenko45@i.ua"
    + r"|(?:https?://|www\.)\S+"  # links
    + "|"
    + HANDLE_PATTERN
    + r"|#\w+"  # handles and hashtags
    + "|"
    + _PHONE_PATTERN
)
"""Contacts carry surnames and digits ("lysenko97@meta.ua" is no "Лисенка 97"): blanked
before reading (same length, so spans still point into the original text)."""
_PHONES = re.compile(_PHONE_PATTERN)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _blank_contacts(normalised: str) -> str:
    """_NOT_PLACES blanked out. Every alternative but the phone needs "@", "#", "http" or
    "www." in the (lowercased) text; without them the phone pattern alone finds the same
    spans, ~2.5x faster (most messages)."""
    marked = "@" in normalised or "#" in normalised or "http" in normalised or "www." in normalised
    return (_NOT_PLACES if marked else _PHONES).sub(_blank, normalised)


def _prepare(text: str) -> _Text:
    normalised = _blank_contacts(normalize_text(text))
    tokens = tokenize(normalised)
    texts = [tok.text for tok in tokens]
    for i in range(len(tokens) - 2):
        # "в. Кленова": "в." is short for вулиця when a dot is glued to it
        if texts[i] == "в" and texts[i + 1] == "." and tokens[i + 1].start == tokens[i].end and tokens[i + 2].is_word:
            tokens[i] = Token("вул", tokens[i].start, tokens[i].end)
            texts[i] = "вул"
    words = [
        i
        for i, w in enumerate(texts)
        if (w[0].isalpha() or w.isdigit())  # Token.is_word or Token.is_number
        and w not in _FILLER_WORDS
        and (w not in ORDINAL_SUFFIXES or not _is_ordinal_suffix(tokens, i))
    ]
    return _Text(text, tokens, words, texts)


def _prev_token(t: _Text, i: int, skip: frozenset[str] = frozenset({".", ","})) -> int | None:
    j = i - 1
    while j >= 0 and t.tokens[j].text in skip:
        j -= 1
    return j if j >= 0 else None


def _next_token(t: _Text, i: int, skip: frozenset[str] = frozenset({"."})) -> int | None:
    j = i + 1
    while j < len(t.tokens) and t.tokens[j].text in skip:
        j += 1
    return j if j < len(t.tokens) else None


def _contiguous(t: _Text, a: int, b: int) -> bool:
    """Tokens a < b belong to one name: nothing but a hyphen or ordinal suffix between."""
    for j in range(a + 1, b):
        tok = t.tokens[j]
        if tok.text == "-" or _is_ordinal_suffix(t.tokens, j) or tok.text in _FILLER_WORDS:
            continue
        if tok.text == "." and j > 0 and t.tokens[j - 1].text in _FILLER_WORDS:
            continue
        return False
    return True


def _is_capitalised_inside(t: _Text, i: int) -> bool:
    """Capital letter not at a sentence start: a proper name in the resident's own text."""
    tok = t.tokens[i]
    if not t.original[tok.start].isupper():
        return False
    j = tok.start - 1
    while j >= 0 and t.original[j] in ' \t"«(':
        j -= 1
    return j >= 0 and t.original[j] not in ".!?\n"


def _span_words(t: _Text, cand: _Candidate) -> list[str]:
    return [t.word(j) for j in t.words if cand.first <= j <= cand.last]
