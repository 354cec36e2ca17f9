"""The bound on token_set_ratio never rules out a pair that reaches the threshold.

Why: de-duplication skips the rapidfuzz call for pairs the bound rules out; one wrong
"no" would lose a duplicate mark. The oracle is rapidfuzz itself on every pair.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from rapidfuzz import fuzz

from data.text.dedupe import _one_byte, _token_set_norm
from data.text.dedupe_bound import CHAR_COLUMNS, may_reach, text_features

WORDS = "сміття біля баків знову не вивозять тиждень двору машини газоні парк музика вночі собаки яма".split()


def _texts(rng: random.Random, alphabet: str) -> list[str]:
    """Sorted word sets: near copies of a few sentences, random words, one-word texts."""
    made = []
    for _ in range(60):
        base = rng.sample(WORDS, rng.randint(1, 12))
        for _ in range(rng.randint(1, 4)):
            words = list(base)
            for _ in range(rng.randint(0, 3)):
                if rng.random() < 0.5 and words:
                    words[rng.randrange(len(words))] = rng.choice(WORDS)
                else:
                    words.append("".join(rng.choices(alphabet, k=rng.randint(1, 9))))
            made.append(_token_set_norm(" ".join(words)).text)
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [50.0, 80.0, 95.0])
def test_no_pair_at_or_above_the_threshold_is_ruled_out(seed: int, threshold: float) -> None:
    rng = random.Random(seed)
    alphabet = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяabc0129'_" + ("ŋßéẞ" if seed == 3 else "")
    texts = _texts(rng, alphabet)
    for given in (texts, _one_byte(texts)):
        features = text_features(given)
        i, j = np.meshgrid(np.arange(len(given)), np.arange(len(given)), indexing="ij")
        i, j = i.ravel(), j.ravel()
        reach = may_reach(features, i, j, threshold)
        scores = np.asarray([fuzz.token_set_ratio(given[a], given[b]) for a, b in zip(i, j, strict=True)])
        assert not np.any((scores >= threshold) & ~reach)
        assert np.any(~reach) and np.any(reach & (scores < threshold))  # it decides some, not all


def test_features_count_words_and_characters_of_each_text() -> None:
    texts = ["ab cd", "", "x", "ab ab", "яма", "a" * 300]
    f = text_features(texts)
    assert f.length.tolist() == [5, 0, 1, 5, 3, 300]
    assert f.words.tolist() == [2, 0, 1, 2, 1, 1]
    assert f.letters.tolist() == [4, 0, 1, 4, 3, 300]
    assert f.chars.sum(axis=1).tolist() == f.letters.tolist()
    assert f.word_bins.sum(axis=1).tolist() == [6, 0, 2, 6, 4, 301]


def test_many_distinct_characters_share_the_last_column() -> None:
    texts = [" ".join(chr(0x4E00 + k) * 2 for k in range(n, n + 30)) for n in range(0, 120, 10)]
    f = text_features(texts)
    assert f.chars.shape == (len(texts), CHAR_COLUMNS)
    assert f.chars.sum(axis=1).tolist() == f.letters.tolist()


def test_a_threshold_that_is_not_a_whole_percent_is_refused() -> None:
    f = text_features(["a b", "a c"])
    with pytest.raises(ValueError):
        may_reach(f, np.array([0]), np.array([1]), 80.5)
