"""The fast keyword matcher of data/text/classify.py gives exactly what the original one gave.

The oracle below is the original ``rule_scores``: one ``re.search`` per distinct stem,
``(?<![\\w'])`` + the escaped stem, over the same normalised text. It is kept here, not in
the package, only to check the replacement (a stem index by first characters, checked at
word starts) on every training text and on generated texts built from the stems.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from data.categories import SLUGS
from data.text.classify import _PROPER_NOUN_RE, KEYWORDS, classify_by_rules, normalise, rule_scores

ROOT = Path(__file__).resolve().parents[1]


def _oracle_distinct(stems: tuple[str, ...]) -> list[str]:
    unique = sorted(set(stems))
    return [s for s in unique if not any(s != o and s.startswith(o) for o in unique)]


_ORACLE_PATTERNS = {
    slug: [re.compile(r"(?<![\w'])" + re.escape(stem)) for stem in _oracle_distinct(stems)]
    for slug, stems in KEYWORDS.items()
}


# the original proper-noun pattern (lookbehind first), which the package's reordered one replaces
_ORACLE_PROPER_NOUN_RE = re.compile(r"(?<=[\w,;)»\"] )[A-ZА-ЯЁЄІЇҐ][\w'’-]*")


def oracle_rule_scores(text: str) -> Counter[str]:
    norm = normalise(_ORACLE_PROPER_NOUN_RE.sub(" ", text))
    return Counter(
        {slug: n for slug, pats in _ORACLE_PATTERNS.items() if (n := sum(1 for p in pats if p.search(norm)))}
    )


def oracle_classify_by_rules(text: str) -> tuple[str, float] | None:
    """The original decision: the Counter's most_common, a tie broken by taxonomy order."""
    scores = oracle_rule_scores(text)
    if not scores:
        return None
    (slug, top), *rest = scores.most_common()
    if rest and rest[0][1] == top:
        slug = min((s for s, n in scores.items() if n == top), key=SLUGS.index)
    total = sum(scores.values())
    return slug, (top / total) * (1 - 0.5**top)


def _same(text: str) -> None:
    new, old = rule_scores(text), oracle_rule_scores(text)
    assert list(new.items()) == list(old.items()), text  # same counts, same key order
    assert classify_by_rules(text) == oracle_classify_by_rules(text), text  # same leader, same confidence


def _csv_texts(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r[column] for r in csv.DictReader(fh)]


def test_identical_on_every_training_text() -> None:
    texts = _csv_texts(ROOT / "data" / "text" / "training" / "categories.csv", "text")
    assert len(texts) >= 800
    for text in texts:
        _same(text)
        _same(text.upper())  # upper case: proper-noun stripping takes most words away
        _same(text.replace(" ", ""))  # no word starts inside: stems must not match there


def test_identical_on_pii_eval_texts() -> None:
    path = ROOT / "tests" / "data" / "pii_eval.csv"
    for text in _csv_texts(path, "text"):
        _same(text)


_ALL_STEMS = sorted({s for stems in KEYWORDS.values() for s in stems})
# Pieces that sit between stems: separators that make or break a word start (letters,
# digits, "_", apostrophes of every kind, ё, hyphens, punctuation, whitespace runs),
# and capitalised or upper-case words (proper nouns are stripped before matching).
_GLUE = st.sampled_from(
    [
        " ",
        "",
        "  ",
        "\n",
        "\t",
        ", ",
        ". ",
        "-",
        "'",
        "’",
        "ʼ",
        "`",
        "_",
        "1",
        "а",
        "і",
        "ї",
        "ё",
        "Ё",
        "«",
        "»",
        "(",
        ") ",
        '"',
        "не ",
        "на ",
        "та ",
        "вул. ",
        "Кленова ",
        "ЛИПИ ",
    ]
)
_STEM = st.sampled_from(_ALL_STEMS)


@st.composite
def _piece(draw: st.DrawFn) -> str:
    stem = draw(_STEM)
    kind = draw(st.integers(0, 5))
    if kind == 1:  # a fragment: overlaps with other stems, prefixes of longer ones
        i = draw(st.integers(0, len(stem)))
        j = draw(st.integers(i, len(stem)))
        return stem[i:j]
    if kind == 2:
        return stem.capitalize()
    if kind == 3:
        return stem.upper()
    if kind == 4:
        return stem.replace("е", "ё").replace("'", draw(st.sampled_from(["’", "ʼ", "`", "'"])))
    return stem


_TEXT = st.lists(st.one_of(_piece(), _GLUE, st.text(max_size=4)), max_size=25).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
def test_identical_on_generated_texts(text: str) -> None:
    _same(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(_STEM, min_size=1, max_size=12), st.sampled_from([" ", "", ",", " і ", "'", "-"]))
def test_identical_on_stem_runs(stems: list[str], sep: str) -> None:
    """Stems back to back: overlapping matches ("стоят на" + "на газоне") all count."""
    _same(sep.join(stems))


def test_overlapping_stems_of_one_category_both_count() -> None:
    """ "стоят на" and "на газоне" overlap: a single alternation regex scanned with
    finditer would count only the first."""
    text = "машини стоят на газоне"
    assert rule_scores(text)["parking"] == oracle_rule_scores(text)["parking"] == 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Аа Вв,;)»\"'’-.Ґґ5Zz\nЇї")), max_size=40))
def test_proper_noun_pattern_matches_where_the_original_did(text: str) -> None:
    """The reordered pattern (capital first) strips exactly the original's matches."""
    assert [m.span() for m in _PROPER_NOUN_RE.finditer(text)] == [
        m.span() for m in _ORACLE_PROPER_NOUN_RE.finditer(text)
    ]
