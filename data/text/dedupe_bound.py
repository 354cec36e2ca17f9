"""An exact upper bound on ``token_set_ratio``, for many text pairs at once.

Why: in a dense import (a million reports in three years) most report pairs that come
this far need a text score (12 million at 1M), and 98% of those score below the
threshold. A rapidfuzz call costs a few microseconds; this bound, a few numpy passes over
all pairs, rules out about three quarters of them without changing any verdict.

For two texts given as sorted sets of words joined by single spaces (what
:func:`data.text.dedupe._token_set_norm` makes), with ``L`` the length of a text, ``k``
its words, ``w = L - k + 1`` its characters other than spaces and ``s`` the length of
the joined intersection, rapidfuzz's ``token_set_ratio`` is the largest of

* ``2 s / (s + L_a)`` and ``2 s / (s + L_b)`` (times 100; the intersection against each
  text, 100 when one set holds the other): each is below 80 when ``3 s < 2 L``, and
  ``s`` is at most the sum over hash bins of words of the smaller of the two texts'
  ``len(word) + 1`` in that bin, minus one (equal words fall in the same bin);
* ``1 - d / (L_a + L_b)`` with ``d`` the Indel distance of the two sorted differences:
  ``d`` is at least ``w_a + w_b - 2 H + |k_a - k_b|``, where ``H`` is the sum over
  characters of the smaller count in the two texts (the shared words' characters cancel
  out, so the intersection is not needed).

A pair is sent on to rapidfuzz unless both parts are surely below the threshold, so the
marks are those of scoring every pair (``tests/test_dedupe_dense.py``). Rational
comparisons are made in integers: no rounding decides a pair.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

SPACE = 32
WORD_BINS = 32
CHAR_COLUMNS = 48  # the rarest characters beyond these share the last column (still a bound)
PAIRS_PER_PASS = 1 << 18  # bounds the memory of one pass (~20 MB of gathered counts)
_HASH_BASE = np.uint64(0x100000001B3)
_HASH_MIX = np.uint64(0x9E3779B97F4A7C15)


class TextFeatures(NamedTuple):
    """Per text: its length, words, characters other than spaces, their counts per
    character and the length of its words per hash bin (``len(word) + 1``)."""

    length: np.ndarray
    words: np.ndarray
    letters: np.ndarray
    chars: np.ndarray
    word_bins: np.ndarray


def _small(counts: np.ndarray) -> np.ndarray:
    """Counts in the narrowest unsigned type that holds them (less memory to gather)."""
    top = int(counts.max()) if counts.size else 0
    return counts.astype(np.uint8 if top < 1 << 8 else np.uint16 if top < 1 << 16 else np.uint32)


def text_features(texts: list[str]) -> TextFeatures:
    """The features of each text (words one space apart, no leading or trailing space)."""
    n = len(texts)
    length = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), length)
    letter = codes != SPACE
    new_text = np.concatenate(([True], owner[1:] != owner[:-1]))
    starts = np.flatnonzero(letter & (new_text | np.concatenate(([True], ~letter[:-1]))))  # words' first letters
    words = np.bincount(owner[starts], minlength=n).astype(np.int64)
    letters = length - np.maximum(words - 1, 0)
    chars = _char_counts(codes[letter], owner[letter], n)
    word_bins = _word_bin_lengths(codes[letter], owner, starts, letter, new_text, n)
    return TextFeatures(length, words, letters, chars, word_bins)


def _char_counts(codes: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per text, how often each character occurs: the CHAR_COLUMNS - 1 commonest
    characters of all texts one column each, the others together in the last."""
    if not codes.size:
        return np.zeros((n, 1), dtype=np.uint8)
    frequency = np.bincount(codes)  # by code point (at most 0x110000): cheaper than sorting
    present = np.flatnonzero(frequency)
    to_column = np.zeros(len(frequency), dtype=np.int64)
    rank = np.argsort(-frequency[present], kind="stable")  # commonest first
    to_column[present[rank]] = np.minimum(np.arange(len(present)), CHAR_COLUMNS - 1)
    column = to_column[codes]
    width = int(column.max()) + 1
    return _small(np.bincount(owner * width + column, minlength=n * width).reshape(n, width))


def _word_bin_lengths(
    letter_codes: np.ndarray, owner: np.ndarray, starts: np.ndarray, letter: np.ndarray, new_text: np.ndarray, n: int
) -> np.ndarray:
    """Per text and hash bin of words, the sum of ``len(word) + 1`` of its words there."""
    if not len(starts):
        return np.zeros((n, WORD_BINS), dtype=np.uint8)
    ends = np.flatnonzero(letter & np.concatenate((~letter[1:] | new_text[1:], [True]))) + 1
    sizes = ends - starts
    first = np.cumsum(sizes) - sizes  # where each word starts among the letters alone
    position = np.arange(len(letter_codes), dtype=np.int64) - np.repeat(first, sizes)
    powers = np.cumprod(np.full(int(sizes.max()), _HASH_BASE, dtype=np.uint64), dtype=np.uint64)
    hashed = np.add.reduceat(letter_codes.astype(np.uint64) * powers[position], first)  # wraps: a hash
    bins = ((hashed * _HASH_MIX) >> np.uint64(59)).astype(np.int64) % WORD_BINS
    counts = np.bincount(owner[starts] * WORD_BINS + bins, weights=sizes + 1, minlength=n * WORD_BINS)
    return _small(counts.astype(np.int64).reshape(n, WORD_BINS))


def may_reach(features: TextFeatures, i: np.ndarray, j: np.ndarray, threshold: float) -> np.ndarray:
    """For each pair ``(i[t], j[t])``, False when ``token_set_ratio`` of the two texts is
    surely below ``threshold`` (a whole number of percent), else True."""
    top = int(threshold)
    if top != threshold:
        raise ValueError(f"the bound compares whole percents, not {threshold}")
    keep = np.ones(len(i), dtype=bool)
    for begin in range(0, len(i), PAIRS_PER_PASS):
        a, b = i[begin : begin + PAIRS_PER_PASS], j[begin : begin + PAIRS_PER_PASS]
        la, lb = features.length[a], features.length[b]
        shared = np.minimum(features.word_bins[a], features.word_bins[b]).sum(axis=1, dtype=np.int64) - 1
        sect_may = 200 * shared >= top * (shared + np.minimum(la, lb))  # 2s / (s + L) >= top / 100
        rest = np.flatnonzero(~sect_may)
        a, b = a[rest], b[rest]
        common = np.minimum(features.chars[a], features.chars[b]).sum(axis=1, dtype=np.int64)
        total = features.length[a] + features.length[b]
        least = features.letters[a] + features.letters[b] - 2 * common + np.abs(features.words[a] - features.words[b])
        keep[begin + rest] = 100 * (total - least) >= top * total
    return keep
