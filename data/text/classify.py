"""Assign a category slug (data/categories.py) to a redacted report text.

Two independent opinions, because each fails differently:
* keyword rules (the table below): transparent, a moderator can read why, and exact on
  the words residents use most, but blind to paraphrase and typos;
* a character n-gram model (TF-IDF char_wb 2-5 + logistic regression, trained by
  ``data/text/training/build_model.py`` on ``data/text/training/categories.csv``): robust to
  typos, inflection and mixed Ukrainian/Russian, but opaque.
Whichever is surer wins.

Rule confidence: every stem in the table that occurs in the text is one hit for its
category. With ``top`` hits for the leading category and ``total`` hits overall,
``confidence = (top / total) * (1 - 0.5 ** top)``: one unopposed hit gives 0.5, two give
0.75, three 0.875; hits for competing categories lower it by the leading share (one hit
each for two categories gives 0.25). So the rules win against an unsure model, and a
confident model overrules a single, possibly accidental keyword.
Model confidence is the predicted class probability.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from data.categories import SLUGS
from data.text.textscan import literal_union

MODEL_PATH = Path(__file__).resolve().parent / "models" / "category_model.joblib"

# Stems (Ukrainian and Russian) that point at a category; matched at the start of a word
# in lower-cased text with ё -> е and typographic apostrophes normalised. Several words
# separated by a space must occur in that order, a space apart.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "litter": (
        "смітт",
        "смiтт",
        "сміт",
        "звалищ",
        "звалк",
        "мусор",
        "свалк",
        "будсміт",
        "строймусор",
        "строительный мусор",
        "пакети зі сміт",
        "відход",
        "отход",
        "недопал",
        "окурк",
        "урна переповн",
        "баки переповн",
        "контейнери переповн",
        "не вивоз",
        "не вивез",
        "не вывоз",
        "вивалил",
        "скинули",
        "засмічен",
        "засрал",
        "покришк",
        "шин",
        "диван",
        "матрац",
        "цегл",
        "мішки",
        "мешки",
    ),
    "parking": (
        "паркуют",
        "паркуєт",
        "паркуван",
        "припаркув",
        "стоянк",
        "автомоб",
        "машин на газон",
        "на газоні стоять",
        "на газоне",
        "на тротуар",
        "на зебр",
        "пішохідному переході",
        "перекрили виїзд",
        "бус ",
        "фура",
        "таксі стоїть",
        "авто на газон",
        "автівк",
        "тачк",
        "таксист",
        "бусик",
        "стоят на",
        "стоїть на газон",
        "стоять на газон",
        "перегородил",
        "заставил",
        "заставлен",
    ),
    "greenery": (
        "спилял",
        "спиляли",
        "спилили",
        "пилять",
        "пиляют",
        "вируб",
        "вырубк",
        "вырубают",
        "зрубал",
        "рубают",
        "рубають",
        "срубил",
        "порубк",
        "саджанц",
        "саженц",
        "дерево",
        "дерева",
        "деревц",
        "деревья",
        "деревьев",
        "дерев ",
        "коріння",
        "корни",
        "живопліт",
        "очерет",
        "верб",
        "березк",
        "клен",
        "иву",
        "чорнозем",
        "кущ",
        "кусты",
        "клумб",
        "квіти",
        "цветы",
        "квітник",
        "газон розкоп",
        "газон перекоп",
        "кору",
        "кора",
        "гілк",
        "ветки",
        "ялинк",
        "туї",
        "липи",
        "тополі",
        "обрізк",
        "обрізал",
    ),
    "graffiti": (
        "графіт",
        "граффит",
        "гарафіт",
        "теги",
        "тегами",
        "балончик",
        "баллончик",
        "написи",
        "надпис",
        "намалювал",
        "малюють",
        "нарисовал",
        "рисуют",
        "розмалюв",
        "розписал",
        "изрисовал",
        "разрисован",
        "трафарет",
        "реклама наркот",
        "наркорекл",
        "реклама закладок",
        "фарбою написал",
        "маркером",
    ),
    "vandalism": (
        "зламал",
        "поламал",
        "сломал",
        "разломал",
        "розбил",
        "разбили",
        "розбит",
        "вибили",
        "пошкодил",
        "вирвали урну",
        "вкрали кришк",
        "украли",
        "вкрали",
        "крадуть",
        "розтрощил",
        "знищили нов",
        "порезал",
        "палять урн",
        "підпалили урн",
        "підпалили смітт",
        "ламає",
        "ламают",
        "відкрутил",
        "розкрутил",
        "перевернул",
        "погнул",
        "вандал",
        "скло на зупинці",
    ),
    "noise": (
        "шум",
        "шумл",
        "шумят",
        "галас",
        "гучн",
        "громк",
        "музик",
        "музык",
        "музло",
        "колонк",
        "кричат",
        "кричать",
        "крики",
        "орут",
        "репетує",
        "вечірк",
        "вечерин",
        "дискотек",
        "караоке",
        "петард",
        "феєрверк",
        "салют",
        "ревуть",
        "ревут",
        "глушник",
        "прямоток",
        "песни",
        "співа",
        "перфоратор",
        "спати неможливо",
        "спать невозможно",
        "до ранку",
        "до утра",
        "до третьої ночі",
        "до трех ночи",
    ),
    "drinking": (
        "п'ют",
        "п'є",
        "пьют",
        "пьет",
        "пьяны",
        "п'ян",
        "пяні",
        "розпива",
        "распива",
        "розпиття",
        "распитие",
        "алкогол",
        "алкаш",
        "горілк",
        "водк",
        "самогон",
        "пиво",
        "пива",
        "випивох",
        "випива",
        "выпива",
        "бухают",
        "бухають",
        "наливайк",
        "генделик",
        "спиртн",
        "п'яниц",
    ),
    "animals": (
        "собак",
        "собач",
        "пес",
        "псів",
        "псини",
        "сабак",
        "зграя",
        "зграї",
        "стая",
        "стаей",
        "бродяч",
        "безпритульн",
        "бездомн",
        "вигул",
        "выгул",
        "без повідк",
        "без поводк",
        "намордник",
        "покусал",
        "кусают",
        "кусаєт",
        "кусаються",
        "кіт",
        "коти",
        "кошк",
        "котів",
        "щур",
        "крыс",
        "свин",
        "корова",
        "коней",
        "кури",
        "гуси",
        "відлов",
        "отлов",
        "голуб",
        "лисиц",
        "цуцен",
        "щен",
        "кінь",
        "пасеться",
        "випаса",
        "худоб",
        "сказ",
    ),
    "lighting": (
        "ліхтар",
        "фонар",
        "фанар",
        "освітлен",
        "освещен",
        "не горить",
        "не горят",
        "не горит",
        "не світить",
        "не свитить",
        "не світять",
        "лампа",
        "лампи",
        "лампочк",
        "темн",
        "темрява",
        "темряві",
        "блимає",
        "мигают",
        "мерехтить",
        "перегорі",
        "перегорел",
        "свєт",
        "фонарик",
    ),
    "unsafe_yard": (
        "покинут",
        "закинут",
        "заброшен",
        "недобудов",
        "недострой",
        "недостроен",
        "аварійн",
        "притон",
        "наркоман",
        "шприц",
        "закладк",
        "закладчик",
        "наркозаклад",
        "підвал",
        "подвал",
        "люк",
        "колодец без",
        "яма",
        "траншея",
        "обвал",
        "підозріл",
        "подозрител",
        "мутные",
        "личност",
        "грабу",
        "грабят",
        "пограбува",
        "нападал",
        "арматура",
        "бомж",
        "драк",
        "кражи",
        "крадіжк",
        "наркотиками",
        "зруйнован",
        "розвален",
        "без перил",
        "впав",
        "небезпечн",
        "опасн",
        "рухне",
        "обрушит",
        "впаде",
        "обрив",
    ),
    "other": (
        "ями на дороз",
        "ямы на дорог",
        "ремонт дорог",
        "дорогу розкоп",
        "ожеледиц",
        "гололед",
        "дорожня розмітк",
        "вода",
        "води",
        "водопостач",
        "опален",
        "отоплен",
        "автобус",
        "маршрутк",
        "розклад",
        "расписан",
        "світлофор",
        "светофор",
        "шахра",
        "субсид",
        "виплат",
        "черг",
        "каналізац",
        "газу",
        "газ ",
        "газов",
        "інтернет",
        "зв'язк",
        "связи",
        "вышк",
        "пандус",
        "банкомат",
        "тріщин",
        "ремонт тротуар",
        "лежачі поліцейськ",
        "не вистачає",
    ),
}


def _distinct_stems(stems: Sequence[str]) -> list[str]:
    """Drop stems that extend a shorter stem of the same category ("не горить" after
    "не горит"): the shorter one already matches, and counting both would double a hit."""
    unique = sorted(set(stems))
    return [s for s in unique if not any(s != o and s.startswith(o) for o in unique)]


# A stem counts when the text has it at a word start: a position with no letter, digit,
# underscore or apostrophe right before it (the regex lookbehind (?<![\w'])). One scan
# finds the word starts whose first _KEY_LEN characters begin some stem; only the few
# stems sharing those characters are then compared there (str.startswith). A stem may
# hold spaces ("на газоні стоять") and matches may overlap, so every word start is
# tried, never only the end of the previous match. Equivalent to one
# re.search(r"(?<![\w'])" + re.escape(stem)) per stem, ~22x faster
# (tests/test_classify_rules_oracle.py checks this against that implementation).
_STEMS: dict[str, list[str]] = {slug: _distinct_stems(stems) for slug, stems in KEYWORDS.items()}
_KEY_LEN = min(len(stem) for stems in _STEMS.values() for stem in stems)


def _stems_by_key() -> dict[str, list[tuple[str, str]]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for slug, stems in _STEMS.items():
        for stem in stems:
            index.setdefault(stem[:_KEY_LEN], []).append((slug, stem))
    return index


_BY_KEY = _stems_by_key()
# A word start is the text's start or the position after a character that is no letter,
# digit, underscore or apostrophe. The scan looks for those characters (a character-class
# prefix, which the regex engine skips to in one tight loop) followed by a key (a
# lookahead: zero-width, so no key is consumed; the keys all have _KEY_LEN characters, so
# none is a prefix of another, and as a trie a position only tries the keys that share
# its first letters). Every key starts with a letter, so the break character consumed
# is never the start of another match: the same starts as the lookbehind
# (?<![\w'])(?=key), which tries the lookbehind at every character (~2.5x slower).
_AFTER_BREAK_RE = re.compile(r"[^\w'](?=" + literal_union(_BY_KEY) + ")")
assert all(re.match(r"\w", key) for key in _BY_KEY), "a key must start with a letter (see above)"


@dataclass(frozen=True)
class Classification:
    category: str
    source: Literal["rule", "model"]
    confidence: float


def normalise(text: str) -> str:
    """The form both the rules and the model see (the model is trained on it too)."""
    return " ".join(normalised_words(text))  # whitespace runs -> one space, ends stripped


def normalised_words(text: str) -> list[str]:
    """The words of :func:`normalise`'s text: what the model's n-grams are made of, without
    joining the words only to split them again (str.lower is idempotent, so they are also
    the words the vectorizer would split the normalised text into)."""
    return text.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'").replace("`", "'").split()


# A capitalised word inside a sentence is a proper noun (вул. Кленова, Тополина, Садова):
# its stems say nothing about the offence. The capital comes first and the lookbehind
# (over it, the space and the character before) after it: the same matches as
# (?<=[\w,;)»"] )[A-ZА-ЯЁЄІЇҐ]..., but the regex engine skips ahead to capitals instead of
# trying the lookbehind at every character (~2.4x faster; tests/test_classify_rules_oracle.py).
_PROPER_NOUN_RE = re.compile(r"[A-ZА-ЯЁЄІЇҐ](?<=[\w,;)»\"] [A-ZА-ЯЁЄІЇҐ])[\w'’-]*")


def rule_scores(text: str) -> Counter[str]:
    """Number of distinct keyword stems per category found in the text (proper nouns
    inside a sentence are skipped, so street names such as Кленова never count)."""
    return Counter(_rule_hits(text))


def _rule_hits(text: str) -> dict[str, int]:
    """:func:`rule_scores` as a plain dict, categories in table order (what the rules
    decide on; a Counter and its sorting cost more than the few hits a text has)."""
    norm = normalise(_PROPER_NOUN_RE.sub(" ", text))
    found: dict[str, set[str]] = {}
    if norm[:_KEY_LEN] in _BY_KEY:
        _add_stems(norm, 0, found)
    for m in _AFTER_BREAK_RE.finditer(norm):
        _add_stems(norm, m.end(), found)
    if not found:
        return {}
    # Categories in table order, as before (ties are broken by taxonomy order anyway).
    return {slug: len(found[slug]) for slug in _STEMS if slug in found}


def _add_stems(norm: str, pos: int, found: dict[str, set[str]]) -> None:
    """The stems that start at word start ``pos``, added to their category's set."""
    for slug, stem in _BY_KEY[norm[pos : pos + _KEY_LEN]]:
        if norm.startswith(stem, pos):
            found.setdefault(slug, set()).add(stem)


def classify_by_rules(text: str) -> tuple[str, float] | None:
    """Leading category and rule confidence (module docstring), or None without hits."""
    scores = _rule_hits(text)
    if not scores:
        return None
    top = max(scores.values())
    leaders = [s for s, n in scores.items() if n == top]
    # A tie has no leader: report the first slug in taxonomy order, weakly.
    slug = leaders[0] if len(leaders) == 1 else min(leaders, key=SLUGS.index)
    total = sum(scores.values())
    return slug, (top / total) * (1 - 0.5**top)


@cache
def load_model(path: Path = MODEL_PATH):  # noqa: ANN201 (a fitted sklearn Pipeline)
    """Load the fitted pipeline once per process (a few ms per text afterwards)."""
    return joblib.load(path)


# The vectorizer settings CharWbFeatures reproduces (the others it reads from the vectorizer).
_PLAIN_CHAR_WB = {
    "analyzer": "char_wb",
    "input": "content",
    "binary": False,
    "preprocessor": None,
    "strip_accents": None,
}


class CharWbFeatures:
    """The TF-IDF matrix of a fitted ``TfidfVectorizer(analyzer="char_wb")``, built word by word.

    Why: sklearn makes every n-gram of every text a Python string and looks each one up
    (~80 us a text). char_wb n-grams never cross whitespace, so a text's n-grams are
    those of its words in turn: the vocabulary indices of a word are computed once and
    cached (words repeat across reports), and a batch becomes one concatenation. The
    result equals ``vectorizer.transform`` (tests/test_classify.py checks it).
    """

    def __init__(self, vectorizer: Any, cache_words: int = 1 << 16) -> None:
        params = vectorizer.get_params()
        unsupported = {k: params[k] for k, value in _PLAIN_CHAR_WB.items() if params[k] != value}
        if unsupported:
            raise ValueError(f"only a plain char_wb TfidfVectorizer is supported, not {unsupported}")
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._lowercase: bool = params["lowercase"]
        self._ngram_range: tuple[int, int] = params["ngram_range"]
        self._idf: np.ndarray = vectorizer.idf_
        self._sublinear: bool = params["sublinear_tf"]
        self._norm: str | None = params["norm"]
        self._dtype = params["dtype"]
        # 16-bit indices when the vocabulary allows (18,451 n-grams): half the bytes to join
        self._index_type = np.dtype(np.uint16 if len(self._vocabulary) <= 1 << 16 else np.int32)
        self._word_indices = lru_cache(maxsize=cache_words)(self._index_bytes)

    def _index_bytes(self, word: str) -> bytes:
        """:meth:`_indices` in ascending order, as the raw bytes of an array of
        ``_index_type``: a text's columns are then one ``bytes.join``, not a numpy
        concatenation of small arrays, and each word is a sorted run for :meth:`_counts`."""
        return np.sort(self._indices(word)).astype(self._index_type).tobytes()

    def _indices(self, word: str) -> np.ndarray:
        """Vocabulary indices of the n-grams of one word, padded with spaces as sklearn does."""
        padded = f" {word} "
        size = len(padded)
        lo, hi = self._ngram_range
        grams: list[str] = []
        for n in range(lo, hi + 1):
            grams += [padded[i : i + n] for i in range(max(1, size - n + 1))]
            if size <= n:  # a short word counts once, not once per n
                break
        found = [j for g in grams if (j := self._vocabulary.get(g)) is not None]
        return np.array(found, dtype=np.int32)

    def _counts(self, rows: np.ndarray, cols: np.ndarray, n_texts: int) -> sp.csr_array:
        """The n-gram counts as a canonical CSR matrix (sorted, summed), made from one sort
        of (row, column) keys: two to three times faster than scipy's COO conversion and
        per-row sorting, and the same matrix. The keys are 32-bit when they fit (a chunk
        of 1,000 texts: 18 M). The sort is numpy's stable one (timsort), which merges
        ascending runs as it finds them: the texts come in row order and each word's
        columns ascending (:meth:`_index_bytes`), so it merges a text's few word runs
        (~1.4x faster than two radix passes over the pairs, the import's largest
        classifier cost)."""
        width = len(self._vocabulary)
        key_type = np.int32 if n_texts * width < np.iinfo(np.int32).max else np.int64
        flat = rows.astype(key_type) * key_type(width) + cols.astype(key_type)
        flat.sort(kind="stable")  # equal keys are equal, so order among them is moot
        n = len(flat)
        change = np.ones(n, dtype=bool)
        np.not_equal(flat[1:], flat[:-1], out=change[1:])
        starts = np.flatnonzero(change)
        keys = flat[starts]
        counts = np.diff(np.r_[starts, n])
        key_rows = keys // key_type(width)
        indptr = np.zeros(n_texts + 1, dtype=np.int32)
        np.cumsum(np.bincount(key_rows, minlength=n_texts), out=indptr[1:])
        indices = (keys - key_rows * key_type(width)).astype(np.int32)
        return sp.csr_array((counts.astype(self._dtype), indices, indptr), shape=(n_texts, width))

    def transform(self, texts: Sequence[str]) -> sp.csr_array:
        """TF-IDF rows for ``texts`` (counts summed per n-gram, then tf-idf and norm)."""
        return self.transform_words([(t.lower() if self._lowercase else t).split() for t in texts])

    def transform_words(self, split: Sequence[Sequence[str]]) -> sp.csr_array:
        """:meth:`transform` of texts given as their words (as the vectorizer splits them)."""
        per_word = list(map(self._word_indices, [w for words in split for w in words]))
        cols = np.frombuffer(b"".join(per_word), dtype=self._index_type)
        word_rows = np.repeat(np.arange(len(split)), list(map(len, split)))
        n_grams = np.fromiter(map(len, per_word), dtype=np.int64, count=len(per_word)) // self._index_type.itemsize
        rows = np.repeat(word_rows, n_grams)
        counts = self._counts(rows, cols, len(split))
        if self._sublinear:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        counts.data *= self._idf[counts.indices]
        return normalize(counts, norm=self._norm, copy=False) if self._norm else counts


@cache
def _features(path: Path = MODEL_PATH) -> CharWbFeatures:
    return CharWbFeatures(load_model(path).steps[0][1])


def classify_by_model(texts: Sequence[str]) -> list[tuple[str, float]]:
    """Model category and probability for each text (one vectorised call per batch)."""
    model = load_model()
    # the words of each normalised text: the vectorizer would lower and split normalise(t) into them
    proba = model.steps[-1][1].predict_proba(_features().transform_words(list(map(normalised_words, texts))))
    best = proba.argmax(axis=1)
    return [(str(model.classes_[b]), float(row[b])) for b, row in zip(best, proba, strict=True)]


def _decide(text: str, model_answer: tuple[str, float]) -> Classification:
    slug, prob = model_answer
    rule = classify_by_rules(text)
    if rule is not None and rule[1] > prob:
        return Classification(rule[0], "rule", round(rule[1], 4))
    return Classification(slug, "model", round(prob, 4))


def classify(text: str) -> Classification:
    """Category of a report: the rule or the model, whichever is surer."""
    return _decide(text, classify_by_model([text])[0])


def classify_many(texts: Sequence[str]) -> list[Classification]:
    """:func:`classify` for a whole import: the model runs once over the batch."""
    return [_decide(t, m) for t, m in zip(texts, classify_by_model(texts), strict=True)]
