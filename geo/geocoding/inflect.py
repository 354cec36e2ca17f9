"""Inflected forms of names in languages no dictionary here knows (Finnish cases, ...)."""

from __future__ import annotations

from geo.geocoding.index import _Index
from geo.geocoding.weights import (
    INFLECT_MAX_ENDING,
    INFLECT_MIN_LEN,
    INFLECT_SHORT_ENDING,
    INFLECT_SHORT_NAME,
)
from geo.geocoding.words import _script_inflects
from geo.normalize import deaccent, word_keys


def _inflected(index: _Index, word: str) -> frozenset[str]:
    """Match keys of the name words this text word may be an inflected form of, for
    languages no dictionary here knows: Finnish "Aleksanterinkadulla" (adessive, with
    consonant gradation t -> d) or "Kiasman" (genitive) share all but the last
    INFLECT_STEM_CUT letters of the name word (keeping INFLECT_CUT_MIN_PREFIX) and add at most
    INFLECT_MAX_ENDING letters; a name shorter than INFLECT_SHORT_NAME letters ("Rex", "Oodi")
    keeps all its letters and takes at most INFLECT_SHORT_ENDING ("Rexin", "Oodin")."""
    hit = index.inflected.get(word)
    if hit is not None:
        return hit
    keys: set[str] = set()
    if _script_inflects(word) and index.prefixes:
        for form in {word, deaccent(word)}:
            for k in range(len(form), INFLECT_MIN_LEN - 1, -1):
                ending = len(form) - k
                if ending > INFLECT_MAX_ENDING:
                    break
                for name_word in index.prefixes.get(form[:k], ()):
                    if len(name_word) >= INFLECT_SHORT_NAME or ending <= INFLECT_SHORT_ENDING:
                        keys |= word_keys(name_word)
    out = frozenset(keys)
    if len(index.inflected) < 65536:
        index.inflected[word] = out
    return out


def _text_keys(index: _Index, word: str) -> frozenset[str]:
    """word_keys plus the keys of the name words it inflects (see _inflected)."""
    extra = _inflected(index, word)
    return word_keys(word) | extra if extra else word_keys(word)


WORD_MEMO_SIZE = 65536  # distinct words remembered per index (a city's vocabulary; ~300 bytes each)


def word_info(index: _Index, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sorted word_keys, sorted _text_keys) of one text word, remembered per index: every
    reading step asks for them, and residents reuse the same few thousand words."""
    hit = index.word_memo.get(word)
    if hit is None:
        hit = (tuple(sorted(word_keys(word))), tuple(sorted(_text_keys(index, word))))
        if len(index.word_memo) < WORD_MEMO_SIZE:
            index.word_memo[word] = hit
    return hit
