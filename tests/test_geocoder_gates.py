"""The geocoder's shortcuts (issue 25) change no answer: each gate that skips work is
checked against the work it skips, by brute force, on the eval set; the memos give the
same answers cold, warm and when full. bench/geocode_equal.py compares every answer on
~21,000 texts with the answers recorded before the shortcuts."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import pytest

import geo.geocoding.geometry as geometry
import geo.geocoding.inflect as inflect
from data.text.vocabulary import CONNECTORS, CROSS_WORDS, STREET_TYPES
from geo.gazetteer import DEFAULT_GAZETTEER, Gazetteer
from geo.geocoding import geocode, get_index
from geo.geocoding.decision import _read
from geo.geocoding.houses import _house_after, _house_ends
from geo.geocoding.inflect import _text_keys, word_info
from geo.geocoding.landmarks import _kind_at
from geo.geocoding.names import _fuzzy_positions
from geo.geocoding.text import _NOT_PLACES, _blank_contacts, _prepare, _prev_token
from geo.geocoding.weights import MAX_ALIAS_WORDS
from geo.normalize import (
    _MIXED_WORD,
    _TOKEN,
    APOSTROPHES,
    FILLER,
    PLACE_PREPOSITIONS,
    Token,
    _fix_word,
    _lower_same_length,
    _nfc_same_length,
    normalize_text,
    tokenize,
    word_keys,
)

DATA = Path(__file__).parent / "data"
MIXED = [
    "вулиця Coбopнocтi 5",  # Latin o, c, p inside a Cyrillic word
    "на Mосковській біля AТБ",
    "Cafe Ateneum, Kiasman edessä",
    "Маріупольська 15a, вхід з двору",
    "ïжак на Ïжакевича",
    "www.example.com/Соборності",
    # every character normalize_text maps, at a word's edge and inside it
    "Ганна Кос’янчук — на ʼЗеленійʼ, `Вишнева` ‘25’ – ´ріг′ з Молодіжною, Жёлтая",
    "«п'ятий»'' '' ' м'ясо'' ''Пушкінська'",
    "дек\u00adор\u00ad'\u00ad \u00ad'\u00ad Кос\u00ad'\u00adянчук ' \u00ad 5'а №7-й",
    # contacts of every kind, and texts without their marks
    "Пишіть olena.k@ukr.net або @olena_voz, #Вознесенськ, http://x.ua/Соборності, WWW.Site.com",
    "HTTPS://t.me/voz Пушкінська 5, +38 (067) 123-45-67",
    "Соборності 12, тел. 067 123 45 67, 0501234567 і 14-2",
    "Сміття на Бузькій #Вознесенськ #Бузька15",
    "Пишіть на lysenko97@meta.ua, Соборності 5",
    "Питання до @olena_voz щодо Кленової 3",
]


def _eval_texts() -> list[str]:
    with open(DATA / "geocode_eval.csv", encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)] + MIXED


def _fresh_demo() -> Gazetteer:
    """A new gazetteer object: its index starts with empty memos."""
    return Gazetteer.from_dict(json.loads(DEFAULT_GAZETTEER.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def demo() -> Gazetteer:
    return _fresh_demo()


_CHAR_MAP = str.maketrans({**{ch: "'" for ch in APOSTROPHES}, "ё": "е", "—": "-", "–": "-"})
"""normalize_text's mapping as one translate table (the oracle of its str.replace pairs)."""


def test_normalize_text_fast_path_equals_the_full_path() -> None:
    for text in _eval_texts():
        full = _lower_same_length(_MIXED_WORD.sub(_fix_word, _nfc_same_length(text))).translate(_CHAR_MAP)
        assert normalize_text(text) == full, text


def test_blanking_contacts_equals_the_full_pattern() -> None:
    """The phone pattern alone, for texts without the marks of the other contacts."""
    for text in _eval_texts():
        norm = normalize_text(text)
        assert _blank_contacts(norm) == _NOT_PLACES.sub(lambda m: " " * len(m.group(0)), norm), text


_TOKEN_BY_CHARACTER = re.compile(r"\d+|(?:[^\W\d_]|['\u00ad])+|[№/\-.,;:!?()\"«»]")
"""_TOKEN as first written: a word is a run of letters, apostrophes and fillers read one
character at a time (the oracle of _TOKEN's run-by-run form)."""


def test_token_pattern_equals_the_character_by_character_one() -> None:
    for text in _eval_texts():
        norm = normalize_text(text)
        assert [m.span() for m in _TOKEN.finditer(norm)] == [m.span() for m in _TOKEN_BY_CHARACTER.finditer(norm)]


def _tokenize_slow(normalised: str) -> list[Token]:
    """tokenize's general loop (fillers dropped, edge apostrophes stripped), for every text."""
    out = []
    for m in _TOKEN_BY_CHARACTER.finditer(normalised):
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


def test_tokenize_fast_path_equals_the_general_loop() -> None:
    for text in _eval_texts():
        norm = normalize_text(text)
        assert tokenize(norm) == _tokenize_slow(norm), text


def test_gates_let_through_every_word_the_full_reading_would_use(demo: Gazetteer) -> None:
    index = get_index(demo)
    context_words = set(STREET_TYPES) | CONNECTORS | PLACE_PREPOSITIONS | CROSS_WORDS
    checked = 0
    for text in _eval_texts():
        t = _prepare(text)
        t.infos = [word_info(index, t.texts[i]) for i in t.words]
        ends = _house_ends(t)
        positions = set(_fuzzy_positions(t, ends))
        for j in range(len(t.tokens)):  # a house number can follow only where _house_ends says
            if _house_after(t, j) is not None:
                assert j in ends, (text, j)
        for pos, i in enumerate(t.words):
            info = t.infos[pos]
            # the alias reach: every alias found by the full product lookup starts within it
            for n in range(1, MAX_ALIAS_WORDS + 1):
                span = t.words[pos : pos + n]
                if len(span) < n:
                    break
                exact = [sorted(word_keys(t.texts[k])) for k in span]
                keys = [sorted(_text_keys(index, t.texts[k])) for k in span]
                if any(
                    key in index.aliases for key in itertools.chain(itertools.product(*exact), itertools.product(*keys))
                ):
                    assert info.name_reach >= n, (text, pos, n)
                    checked += 1
            # a landmark kind word is flagged
            if _kind_at(t, pos)[0] is not None:
                assert info.kind, (text, t.texts[i])
            assert info.brand == any(key in index.brands for key in word_keys(t.texts[i]))
            # the fuzzy reader visits every word after a context word or before a house number
            prev = _prev_token(t, i, frozenset({"."}))
            nxt = t.words[pos + 1] if pos + 1 < len(t.words) else None
            housed = _house_after(t, i) is not None or (nxt is not None and _house_after(t, nxt) is not None)
            if (prev is not None and t.texts[prev] in context_words) or housed:
                assert pos in positions, (text, t.texts[i])
    assert checked > 300  # the eval set names streets: the check above ran


def test_memos_change_no_answer_cold_warm_or_full(demo: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _eval_texts()
    cold = [geocode(text, gazetteer=demo).to_dict() for text in texts]
    warm = [geocode(text, gazetteer=demo).to_dict() for text in texts]
    assert warm == cold
    index = get_index(demo)
    assert index.word_memo and index.point_memo
    monkeypatch.setattr(inflect, "WORD_MEMO_SIZE", 0)  # full from the start: nothing is remembered
    monkeypatch.setattr(geometry, "POINT_MEMO_SIZE", 1)  # starts again at every new point
    fresh = _fresh_demo()
    assert [geocode(text, gazetteer=fresh).to_dict() for text in texts] == cold
    assert not get_index(fresh).word_memo and len(get_index(fresh).point_memo) <= 1
    t, names, _landmarks = _read("на вул. Соборності 5", get_index(fresh))
    assert names and names[0].house == "5"
