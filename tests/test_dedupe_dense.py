"""The batch de-duplication on dense data gives the marks of the pair rule, pair by pair.

Why: :func:`mark_duplicates` finds candidates with numpy (grid, time window, distance)
and decides what it can for all pairs at once before scoring texts; none of that may
change a mark. The oracle is :func:`find_duplicate` (the pair rule, brute force) applied
in time order to the originals so far.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from data.city_profile import city_zone
from data.text.dedupe import (
    EARTH_RADIUS_M,
    Candidate,
    _kyiv_day,
    _local_days,
    _norm,
    _one_byte,
    _token_set_norm,
    _token_set_norms,
    find_duplicate,
    mark_duplicates,
)

LAT, LON = 47.566, 31.33
DEG_PER_M = 180 / (EARTH_RADIUS_M * np.pi)
# the last Sunday of October: the city's clocks go back, so UTC and local days part
T0 = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
SCHOOL_5 = {"kind": "school", "name": "Школа № 5", "number": "5"}
SCHOOL_6 = {"kind": "school", "name": "Школа № 6", "number": "6"}
WORDS = (
    "сміття біля баків на розі вулиці знову не вивозять тиждень смердить школи двору "
    "машини газоні стоять парк музика вночі собаки бродячі яма дорозі ліхтар світить"
).split()


def _texts(rng: random.Random) -> list[str]:
    """Near-alike texts (some share all words, some most, some few), short ones, houses."""
    base = [" ".join(rng.sample(WORDS, rng.randint(6, 14))) for _ in range(8)]
    texts = ["сміття", "знову шумлять", "яма", "Соборності, 14 сміття біля баків", "буд. 12 сміття біля баків знову"]
    texts += ["сміття біля баків знову", "знову сміття біля баків!", "музика вночі біля школи"]  # four words: not short
    for sentence in base:
        words = sentence.split()
        texts.append(sentence)
        for _ in range(4):  # small edits keep token_set_ratio near the threshold
            edited = list(words)
            edited[rng.randrange(len(edited))] = rng.choice(WORDS)
            if rng.random() < 0.5:
                edited.append(rng.choice(WORDS))
            texts.append(" ".join(edited) + rng.choice(["", "!", " [телефон]", ", буд. 3", " «АТБ»"]))
    return texts


def _dense_reports(seed: int, n: int) -> list[Candidate]:
    rng = random.Random(seed)
    texts = _texts(rng)
    # a few spots, some exactly 30 m and 150 m apart: distances right at the thresholds
    spots = [(0.0, 0.0), (30.0, 0.0), (150.0, 0.0), (0.0, 149.9999), (75.0, 75.0), (400.0, 10.0)]
    reports = []
    for i in range(n):
        north_m, east_m = rng.choice(spots)
        jitter = rng.choice([0.0, 0.0, rng.uniform(-20, 20)])
        lat = LAT + (north_m + jitter) * DEG_PER_M
        lon = LON + east_m * DEG_PER_M / np.cos(np.radians(LAT))
        reports.append(
            Candidate(
                i,
                rng.choice(["litter", "litter", "noise"]),
                lat if rng.random() > 0.02 else None,
                lon,
                T0 + timedelta(minutes=rng.uniform(0, 60 * 24 * 15)),  # across the clock change
                rng.choice(texts),
                uncertainty_m=rng.choice([None, 10.0, 30.0, 200.0]),
                house=rng.choice([None, None, "", "12", "12-А", "12а", "14"]),
                landmark=rng.choice([None, None, "null", SCHOOL_5, SCHOOL_6, json.dumps(SCHOOL_6), "«АТБ»"]),
            )
        )
    return reports


def _frame(reports: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in reports]).drop(columns="duplicate_of")


def _pair_rule_marks(reports: list[Candidate]) -> dict[int, int | None]:
    originals: list[Candidate] = []
    marks: dict[int, int | None] = {}
    for r in sorted(reports, key=lambda r: r.occurred_at):
        marks[r.id] = find_duplicate(r, originals)
        if marks[r.id] is None:
            originals.append(r)
    return marks


def test_dense_batch_gives_the_marks_of_the_pair_rule() -> None:
    for seed in (25, 26):
        reports = _dense_reports(seed, 500)
        marked = mark_duplicates(_frame(reports))
        expected = _pair_rule_marks(reports)
        assert marked.to_dict() == expected
        assert 100 < sum(m is not None for m in expected.values()) < 400  # both outcomes are exercised


def test_local_days_of_a_frame_are_those_of_each_report() -> None:
    rng = random.Random(3)
    times = [T0 + timedelta(seconds=rng.uniform(-3e7, 3e7)) for _ in range(2000)]
    times += [T0 + timedelta(hours=h, microseconds=m) for h in range(60) for m in (-1, 0, 1)]
    stamps = pd.to_datetime(pd.Series(times), utc=True).to_numpy(dtype="datetime64[ns]")
    days = _local_days(stamps, city_zone())
    assert [datetime(1970, 1, 1).date() + timedelta(days=int(d)) for d in days] == [_kyiv_day(t) for t in times]


def test_a_sorted_word_set_scores_as_the_text() -> None:
    rng = random.Random(4)
    texts = _texts(rng) + ["Біля гаражів, біля гаражів: сміття [ім'я] ще раз сміття!"]
    for a in texts:
        for b in texts:
            set_a, set_b = _token_set_norm(a), _token_set_norm(b)
            assert (set_a.n_words, set_b.n_words) == (_norm(a).n_words, _norm(b).n_words)
            assert fuzz.token_set_ratio(set_a.text, set_b.text) == fuzz.token_set_ratio(_norm(a).text, _norm(b).text)


def test_one_byte_relabelling_scores_as_the_texts() -> None:
    """Words from a wide alphabet (every Ukrainian letter, Latin, digits, the apostrophe,
    characters beyond one byte): the relabelled texts score exactly as the originals, and
    too many distinct characters leave the texts as they are."""
    rng = random.Random(5)
    alphabet = list("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяabcxyz0129'_") + ["ŋ", "ß", "é", "ẞ"]
    texts = [
        " ".join("".join(rng.choices(alphabet, k=rng.randint(1, 6))) for _ in range(rng.randint(1, 12)))
        for _ in range(150)
    ]
    texts += [_token_set_norm(t).text for t in _texts(rng)]
    relabelled = _one_byte(texts)
    assert all(max(map(ord, t), default=0) < 0x100 for t in relabelled)
    for a, b in zip(range(len(texts)), rng.sample(range(len(texts)), len(texts)), strict=True):
        for x, y in ((a, b), (a, a), (b, a)):
            assert fuzz.token_set_ratio(relabelled[x], relabelled[y]) == fuzz.token_set_ratio(texts[x], texts[y])
    many = ["".join(chr(0x4E00 + k) for k in range(300))]
    assert _one_byte(many) == many


def test_texts_normalised_together_are_those_normalised_one_by_one() -> None:
    """Placeholders left open or closed in the next text, case rules at the joins (final
    sigma, dotted I), emoji, newlines; and a text holding the separator."""
    rng = random.Random(6)
    pieces = ["Сміття", "[телефон]", "[ім'я", "]", "ΟΔΟΣ", "İstanbul", "Ёлка", "вул’ця", "🚮", "\n", "12-А", " "]
    texts = ["".join(rng.choices(pieces, k=rng.randint(0, 8))) for _ in range(400)] + [""]
    for given in (texts, [*texts, "a\x00b [x"]):
        set_texts, counts = _token_set_norms(given)
        one_by_one = [_token_set_norm(text) for text in given]
        assert set_texts == [norm.text for norm in one_by_one]
        assert counts == [norm.n_words for norm in one_by_one]
