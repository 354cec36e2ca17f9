"""Place names from the gazetteer that carry people's names (вулиця Івана Богуна, парк
Шевченка), found in any text so the name redactor leaves them alone.

Why: the geocoder's matched span protects one place, and only when the message was
placed. A report that was not placed, or that names a second street, still mentions
"на Марка Вовчка" or "по Хмельницкого", which read exactly like a person. The gazetteer
knows every street, landmark and district of the city with its old, Russian and Latin
spellings, so a word sequence that spells one of them is a place.

The names come from the caller (the import pipeline hands in its gazetteer's, see
geo.gazetteer.Gazetteer.place_names), so redaction needs no geography of its own.

Matching folds the letters that differ between Ukrainian, Russian and surzhyk spellings
(і/и/ы/ї, е/є/э/ё, ь, apostrophes), so "Миколы Леонтовича" matches "Миколи Леонтовича"
and "Хмельницкого" matches "Хмельницького". A sequence matches whole ("Івана Богуна");
its last word alone matches too ("на Богуна"), unless that word is a first name
("Кошового Олега" does not make every "Олега" a street), and so does the name with an
initial ("І. Франка").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

_WORD_RE = re.compile(r"[А-ЯЁЄІЇҐа-яёєіїґA-Za-z][А-ЯЁЄІЇҐа-яёєіїґA-Za-z'’ʼ\-]*")
_FOLD = str.maketrans(
    {
        "і": "и",
        "ї": "и",
        "ы": "и",
        "й": "и",
        "є": "е",
        "э": "е",
        "ё": "е",
        "ґ": "г",
        "ь": None,
        "ъ": None,
        "'": None,
        "’": None,
        "ʼ": None,
    }
)
MIN_SINGLE_WORD = 4


def fold(word: str) -> str:
    return word.lower().translate(_FOLD)


class PlaceNames:
    """An index of the capitalised word sequences of place names: first word -> the
    sequences (as folded word tuples) that start with it, longest first."""

    def __init__(self, names: Iterable[str], is_first_name: Callable[[str], bool]) -> None:
        sequences: set[tuple[str, ...]] = set()
        for name in names:
            words = [w for w in _WORD_RE.findall(name) if w[0].isupper() and len(w) > 1]
            if not words:
                continue
            sequences.add(tuple(fold(w) for w in words))
            if len(words) == 2:
                sequences.add((fold(words[1]), fold(words[0])))  # "Олега Кошового"
            if len(words) > 1:
                sequences.add((fold(words[0][0]) + ".", *(fold(w) for w in words[1:])))  # "І. Франка"
            last = words[-1]
            if len(words) > 1 and len(last) >= MIN_SINGLE_WORD and not is_first_name(last):
                sequences.add((fold(last),))
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for seq in sorted(sequences, key=len, reverse=True):
            self._by_first.setdefault(seq[0], []).append(seq)
        self._longest = max(map(len, sequences), default=1)

    def covering(self, text: str, tokens: Sequence[tuple[int, int, str]], i: int) -> tuple[int, int] | None:
        """The longest place name among ``tokens`` (start, end, word) of ``text`` that
        covers token ``i``, as (first token, number of words); only a capitalised word
        starts a name. Looked up per word a name rule marked: few words, few lookups."""
        best: tuple[int, int] | None = None
        for j in range(max(0, i - self._longest + 1), i + 1):
            if not tokens[j][2][:1].isupper():
                continue
            for seq in self._by_first.get(_key(text, tokens, j), ()):
                n = len(seq)
                if (
                    j + n > i
                    and j + n <= len(tokens)
                    and (best is None or n > best[1])
                    and all(fold(tokens[j + m][2]) == seq[m] for m in range(1, n))
                    and all(_together(text, tokens, k) for k in range(j, j + n - 1))
                ):
                    best = (j, n)
        return best


def _key(text: str, tokens: Sequence[tuple[int, int, str]], k: int) -> str:
    """A token as the index spells it: an initial keeps its dot ("і.")."""
    word = tokens[k][2]
    if len(word) == 1 and k + 1 < len(tokens) and text[tokens[k][1] : tokens[k + 1][0]].strip() == ".":
        return fold(word) + "."
    return fold(word)


def _together(text: str, tokens: Sequence[tuple[int, int, str]], k: int) -> bool:
    """Tokens k and k + 1 stand side by side (only a dot after an initial between them)."""
    gap = text[tokens[k][1] : tokens[k + 1][0]].strip()
    return not gap or (gap == "." and len(tokens[k][2]) == 1)
