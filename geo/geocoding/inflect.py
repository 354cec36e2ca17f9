"""Inflected forms of names in languages no dictionary here knows (Finnish cases, ...)."""

from __future__ import annotations

from typing import NamedTuple

from geo.geocoding.index import _Index
from geo.geocoding.weights import (
    INFLECT_MAX_ENDING,
    INFLECT_MIN_LEN,
    INFLECT_SHORT_ENDING,
    INFLECT_SHORT_NAME,
)
from geo.geocoding.words import _TWO_WORD_KINDS, KIND_BY_STEM, _script_inflects
from geo.normalize import deaccent, stem, word_keys

_TWO_WORD_FIRSTS = frozenset(pair[0] for pair in _TWO_WORD_KINDS)


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


WORD_MEMO_SIZE = 32768  # distinct words remembered per index (a city's vocabulary; ~300 bytes each, <= 10 MB)


class WordInfo(NamedTuple):
    """What every reading step asks about one text word, against one index."""

    exact: tuple[str, ...]  # sorted word_keys
    keys: tuple[str, ...]  # sorted _text_keys (exact plus inflected-name keys)
    name_reach: int  # longest street/district alias whose first key is one of `keys` (0: none)
    landmark_reach: int  # the same for landmark own-name aliases
    brand: bool  # one of the word's exact keys names a shop, bar or cafe
    kind: bool  # the word's stem is a landmark kind word or starts a two-word one


def word_info(index: _Index, word: str) -> WordInfo:
    """WordInfo of one text word, remembered per index: residents reuse the same few
    thousand words, and each used to be keyed, sorted and looked up again at every step."""
    hit = index.word_memo.get(word)
    if hit is None:
        exact = word_keys(word)
        keys = _text_keys(index, word)
        hit = WordInfo(
            tuple(sorted(exact)),
            tuple(sorted(keys)),
            max([index.alias_starts.get(k, 0) for k in keys], default=0),
            max([index.landmark_starts.get(k, 0) for k in keys], default=0),
            any(k in index.brands for k in exact),
            stem(word) in KIND_BY_STEM or stem(word) in _TWO_WORD_FIRSTS,
        )
        if len(index.word_memo) < WORD_MEMO_SIZE:
            index.word_memo[word] = hit
    return hit
