"""Category classification: rules, model, and the held-out quality bar."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

from data.categories import SLUGS
from data.text.classify import (
    KEYWORDS,
    MODEL_PATH,
    CharWbFeatures,
    classify,
    classify_by_rules,
    classify_many,
    load_model,
    normalise,
    normalised_words,
    rule_scores,
)

CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "text" / "training" / "categories.csv"


def _rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_training_set_shape() -> None:
    rows = _rows()
    assert len(rows) >= 800
    assert {r["category"] for r in rows} == set(SLUGS)
    assert {r["split"] for r in rows} == {"train", "test"}
    test_share = sum(r["split"] == "test" for r in rows) / len(rows)
    assert 0.15 <= test_share <= 0.25
    per_slug = [sum(r["category"] == s for r in rows) for s in SLUGS]
    assert min(per_slug) >= 0.8 * max(per_slug)  # balanced-ish
    assert len({normalise(r["text"]) for r in rows}) == len(rows)  # no duplicates


def test_macro_f1_on_held_out_split() -> None:
    rows = [r for r in _rows() if r["split"] == "test"]
    predicted = [c.category for c in classify_many([r["text"] for r in rows])]
    assert f1_score([r["category"] for r in rows], predicted, average="macro") >= 0.90


def test_model_file_is_small() -> None:
    assert MODEL_PATH.stat().st_size < 5 * 1024 * 1024


def test_keyword_table_covers_every_slug() -> None:
    assert set(KEYWORDS) == set(SLUGS)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Біля гаражів стихійне звалище будівельного сміття", "litter"),
        ("Машини стоять на газоні та на тротуарі біля школи", "parking"),
        ("Спилили три липи в сквері без дозволу", "greenery"),
        ("На стіні школи намалювали графіті балончиком", "graffiti"),
        ("Зламали гойдалку і лавку на дитячому майданчику", "vandalism"),
        ("Сусіди вмикають гучну музику до ранку", "noise"),
        ("Біля магазину щовечора розпивають алкоголь", "drinking"),
        ("Зграя бродячих собак кидається на дітей", "animals"),
        ("На вулиці не горить жоден ліхтар", "lighting"),
        ("Закинутий будинок у дворі, там наркомани і шприци", "unsafe_yard"),
        ("Коли відремонтують ями на дорозі і дадуть воду?", "other"),
        ("Пьяные на детской площадке каждый вечер", "drinking"),
        ("фанарі не горять на [вулиця] вже тиждень", "lighting"),
        ("Сусід [ім'я] вигулює собаку без намордника", "animals"),
    ],
)
def test_classify_typical_reports(text: str, slug: str) -> None:
    result = classify(text)
    assert result.category == slug
    assert result.source in {"rule", "model"}
    assert 0.0 < result.confidence <= 1.0


def test_rule_confidence_definition() -> None:
    # one unopposed stem: 0.5; two: 0.75; one each for two categories: 0.25
    assert rule_scores("ліхтар")["lighting"] == 1
    assert classify_by_rules("ліхтар") == ("lighting", 0.5)
    assert classify_by_rules("ліхтар не горить") == ("lighting", 0.75)
    slug, conf = classify_by_rules("ліхтар і собака")  # type: ignore[misc]
    assert conf == 0.25 and slug in {"lighting", "animals"}
    assert classify_by_rules("просто текст без ключових слів") is None


def test_stems_match_at_word_start_only() -> None:
    # "шин" (tyres) must not fire inside "машина"
    assert "litter" not in rule_scores("машина")


def test_surer_opinion_wins() -> None:
    text = "ліхтар"
    result = classify(text)
    rule = classify_by_rules(text)
    assert rule is not None
    assert result.confidence >= rule[1]
    assert result.source == ("rule" if result.confidence == rule[1] else "model")


def test_batch_equals_single() -> None:
    texts = ["сміття біля баків", "собаки", "музика вночі", ""]
    assert classify_many(texts) == [classify(t) for t in texts]


def test_street_names_do_not_trigger_rules() -> None:
    # "Кленова" (maple) and "Липова" (lime) are streets, not greenery
    assert rule_scores("На вулиці Кленовій та Липовій машини стоять на газоні")["greenery"] == 0
    assert rule_scores("Липи спиляли біля школи")["greenery"] == 2
    assert "other" not in rule_scores("машини на газоні")  # "газ" (gas) is no stem of "газон"


def test_word_cached_features_equal_sklearn() -> None:
    """The word-by-word TF-IDF gives sklearn's matrix exactly, so the model's answers
    (and its F1) cannot change; odd spacing, short words and case included."""
    vectorizer = load_model().steps[0][1]
    texts = [normalise(r["text"]) for r in _rows()]
    texts += ["", "a", "ab", "ab c", "  x  y  ", "Привіт ВСІМ  тут\tі там", "сміття\nбіля\u00a0баків"]
    expected = vectorizer.transform(texts)
    got = CharWbFeatures(vectorizer, cache_words=16).transform(texts)
    expected.sort_indices()
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


@pytest.mark.parametrize("n_texts", [300, 70_000, 200_000])  # 32-bit keys, and 64-bit past 2^31
def test_ngram_counts_equal_scipy_summing(n_texts: int) -> None:
    """CharWbFeatures._counts (32- or 64-bit keys, columns in any order) is scipy's canonical CSR of the summed (row, column) pairs."""
    features = CharWbFeatures(load_model().steps[0][1])
    rng = np.random.default_rng(n_texts)
    rows = np.sort(rng.integers(0, n_texts, 50_000))
    cols = rng.integers(0, len(features._vocabulary), 50_000).astype(np.int32)
    got = features._counts(rows, cols, n_texts)
    width = len(features._vocabulary)
    expected = sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n_texts, width)).tocsr()
    expected.sum_duplicates()
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


# raw texts as residents type them: any case, ё, every apostrophe, odd whitespace, letters
# whose case mapping changes their length (İ, ß, ŉ), digits and symbols
_RAW_TEXT = st.text(
    alphabet=st.sampled_from(list("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёЁІЇЄҐАБВ ieiIİßŉﬁ'’ʼ`\n\t\u00a0\u2009.,!-0123")),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_RAW_TEXT, min_size=1, max_size=8))
def test_model_words_path_equals_sklearn_on_normalised_texts(texts: list[str]) -> None:
    """What classify_by_model feeds the model (each raw text's normalised words, 16-bit
    n-gram indices) is sklearn's matrix of the normalised texts, exactly."""
    vectorizer = load_model().steps[0][1]
    expected = vectorizer.transform([normalise(t) for t in texts])
    got = CharWbFeatures(vectorizer, cache_words=64).transform_words([normalised_words(t) for t in texts])
    expected.sort_indices()
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)
