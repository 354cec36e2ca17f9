"""geo.normalize: the spelling variants residents use must reduce to the same match keys."""

from __future__ import annotations

import pytest

from data.text.vocabulary import STREET_TYPES
from geo.normalize import (
    fold,
    latin_to_cyrillic,
    lemmas,
    normalize_text,
    stem,
    tokenize,
    translit_kmu,
    word_keys,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("На Маpiупольській", "на маріупольській"),  # Latin p, i inside a Cyrillic word
        ("вул. Coбopнocті 10", "вул. соборності 10"),  # Latin C, o, p, c
        ("Космодем’янської", "космодем'янської"),  # right single quote
        ("Космодемʼянської", "космодем'янської"),  # modifier letter apostrophe
        ("Космодем`янської", "космодем'янської"),  # backtick
        ("Ёлка — там", "елка - там"),  # ё, em dash
        ("vul. Sobornosti", "vul. sobornosti"),  # pure Latin words stay Latin
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_keeps_length_so_spans_carry_over() -> None:
    for raw in ["İstanbul Маpiупольська", "Космодем’янської — 5", "ЁЁЁ"]:
        assert len(normalize_text(raw)) == len(raw)


@pytest.mark.parametrize(
    "form",
    [
        "маріупольській",
        "маріупольська",
        "маріупольської",
        "мариупольской",
        "мариупольская",
        "mariupolska",
        "mariupolskii",
        "маріупольскій",
    ],
)
def test_inflected_russian_and_latin_forms_share_a_key(form: str) -> None:
    assert "мариуполск" in word_keys(form)


@pytest.mark.parametrize(
    "a, b",
    [
        ("соборності", "соборности"),  # uk / ru
        ("рилєєва", "рылеева"),  # є / е, и / ы
        ("ольвійська", "ольвийская"),  # ій / ий, -ська / -ская
        ("єдності", "yednosti"),  # KMU initial ye-
        ("іллі", "ильи"),  # doubled letter, soft sign
        ("софіївська", "sofiivska"),
        ("пушкінська", "пушкинской"),
    ],
)
def test_spelling_pairs_meet(a: str, b: str) -> None:
    assert word_keys(a) & word_keys(b)


def test_lemmas_compare_on_both_sides() -> None:
    assert lemmas("московській")[0] == "московський"
    assert "соборність" in lemmas("соборності")
    assert "пушкинский" in lemmas("пушкинской")  # the Russian dictionary
    assert stem("пушкинский") == stem("пушкінський")  # ~ the Ukrainian lemma


def test_ordinal_words_carry_their_number() -> None:
    assert "1" in word_keys("першого")
    assert "5" in word_keys("п'ятої")
    assert "5" in word_keys("пятой")
    assert "9" in word_keys("девятой")


def test_distinct_words_stay_apart() -> None:
    assert not word_keys("травня") & word_keys("травнева")  # date word vs Травнева street
    assert not word_keys("школи") & word_keys("шкільна")


def test_fold_maps_russian_and_ukrainian_letters() -> None:
    assert fold("ї") == fold("і") == fold("и") == fold("ы") == "и"
    assert fold("є") == fold("э") == "е"
    assert fold("сонячна") == fold(latin_to_cyrillic("soniachna"))


def test_kmu_transliteration_and_reverse() -> None:
    assert translit_kmu("маріупольська") == "mariupolska"
    assert translit_kmu("єдності") == "yednosti"
    assert translit_kmu("згорани") == "zghorany"
    assert translit_kmu("щаслива") == "shchaslyva"
    assert latin_to_cyrillic("khersonska") == "херсонска"  # the soft sign is lost in Latin...
    assert word_keys("khersonska") == word_keys("херсонська")  # ...and folded away in keys
    assert latin_to_cyrillic("yednosti") == "єдності"


@pytest.mark.parametrize(
    "word, kind",
    [
        ("вул", "вулиця"),
        ("ул", "вулиця"),
        ("улица", "вулиця"),
        ("vul", "вулиця"),
        ("пров", "провулок"),
        ("пер", "провулок"),
        ("переулок", "провулок"),
        ("просп", "проспект"),
        ("пр-т", "проспект"),
        ("пл", "площа"),
        ("площадь", "площа"),
        ("б-р", "бульвар"),
        ("мкр", "мікрорайон"),
        ("узвіз", "узвіз"),
        ("шоссе", "шосе"),
        ("тупик", "тупик"),
        ("проезд", "проїзд"),
    ],
)
def test_street_types_in_both_languages(word: str, kind: str) -> None:
    assert STREET_TYPES[word] == kind


def test_tokenize_offsets_point_into_the_original() -> None:
    raw = "вул.Соборності,23/27 біля 'Марі'"
    tokens = tokenize(normalize_text(raw))
    assert [t.text for t in tokens] == ["вул", ".", "соборності", ",", "23", "/", "27", "біля", "марі"]
    assert all(raw[t.start : t.end].lower() == t.text for t in tokens)
