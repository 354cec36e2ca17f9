"""Duplicate reports: thresholds, cross-source reposts, the batch form and its speed."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from data.text.dedupe import EARTH_RADIUS_M, Candidate, distance_m, find_duplicate, is_duplicate, mark_duplicates

LAT, LON = 47.566, 31.33
T0 = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
TEXT = "Біля гаражів на Маріупольській вивалили купу будівельного сміття, мішки і шифер"
REPOST = (
    "Переслано з групи Вознесенськ: біля гаражів на Маріупольській вивалили купу будівельного сміття, мішки і шифер!!"
)


def north(metres: float) -> float:
    return LAT + metres / (EARTH_RADIUS_M * math.pi / 180)


def report(
    id_: int, *, metres: float = 0.0, hours: float = 0.0, text: str = TEXT, category: str = "litter"
) -> Candidate:
    return Candidate(id_, category, north(metres), LON, T0 + timedelta(hours=hours), text)


def test_helper_geometry() -> None:
    assert distance_m(LAT, LON, north(149), LON) == pytest.approx(149, abs=0.01)


@pytest.mark.parametrize(("metres", "expected"), [(149, 1), (151, None)])
def test_distance_threshold(metres: float, expected: int | None) -> None:
    assert find_duplicate(report(2, metres=metres, hours=1), [report(1)]) == expected


@pytest.mark.parametrize(("hours", "expected"), [(47, 1), (49, None)])
def test_time_threshold(hours: float, expected: int | None) -> None:
    assert find_duplicate(report(2, hours=hours), [report(1)]) == expected


def test_cross_source_repost_is_a_duplicate() -> None:
    assert find_duplicate(report(2, metres=40, hours=3, text=REPOST), [report(1)]) == 1


def test_other_category_or_other_text_is_not() -> None:
    assert find_duplicate(report(2, category="parking"), [report(1)]) is None
    other = "Машини паркуються на газоні біля школи, все розбито колесами і бордюр зламаний"
    assert find_duplicate(report(2, metres=100, text=other), [report(1)]) is None


def test_placeholders_do_not_break_similarity() -> None:
    redacted = TEXT + ", дзвоніть [телефон], [ім'я]"
    assert is_duplicate(report(2, text=redacted, hours=1), report(1))


@pytest.mark.parametrize(("metres", "hours", "expected"), [(25, 2, 1), (35, 2, None), (25, 20, None)])
def test_short_texts_need_30_m_and_the_same_day(metres: float, hours: float, expected: int | None) -> None:
    # T0 is 12:00 Kyiv; +20 h is the next Kyiv day
    assert (
        find_duplicate(report(2, metres=metres, hours=hours, text="сміття!"), [report(1, text="знову сміття")])
        == expected
    )


OTHER_WORDS = "Сміттєві баки біля гаражів переповнені, все розносить вітер по всьому двору"


@pytest.mark.parametrize(
    ("metres", "hours", "uncertainty", "expected"),
    [(25, 2, None, 1), (25, 2, 15.0, 1), (35, 2, None, None), (25, 20, None, None), (25, 2, 250.0, None)],
)
def test_same_place_same_day_in_other_words(
    metres: float, hours: float, uncertainty: float | None, expected: int | None
) -> None:
    """Two neighbours describing one dump differently: one event when the points are
    precise; two reports on one street centroid (uncertainty 250 m) are not."""
    later = Candidate(2, "litter", north(metres), LON, T0 + timedelta(hours=hours), OTHER_WORDS, None, uncertainty)
    assert find_duplicate(later, [report(1)]) == expected


def test_first_in_time_is_the_original_and_duplicates_are_skipped() -> None:
    a, b = report(1), report(2, hours=5)
    b_marked = Candidate(**{**b.__dict__, "duplicate_of": 1})
    assert find_duplicate(report(3, hours=6), [b_marked, a]) == 1
    assert find_duplicate(report(3, hours=6), [b_marked]) is None
    assert find_duplicate(report(3, hours=6), [report(9, hours=7)]) is None  # later one is not earlier


def test_missing_point_never_duplicates() -> None:
    nowhere = Candidate(2, "litter", None, None, T0, TEXT)
    assert find_duplicate(nowhere, [report(1)]) is None


def _frame(reports: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in reports]).drop(columns="duplicate_of")


def test_batch_points_to_the_first_report() -> None:
    df = _frame([report(3, hours=30, text=REPOST), report(1), report(2, hours=10, metres=100), report(4, hours=60)])
    df.index = [10, 11, 12, 13]
    marked = mark_duplicates(df)
    assert marked.to_dict() == {10: 1, 11: None, 12: 1, 13: None}


def test_batch_uses_uncertainty_column() -> None:
    df = _frame([report(1), report(2, hours=2, text=OTHER_WORDS)])
    assert mark_duplicates(df).tolist() == [None, 1]
    df["uncertainty_m"] = [15.0, 250.0]
    assert mark_duplicates(df).tolist() == [None, None]


def test_batch_agrees_with_pairwise_rule() -> None:
    rng = random.Random(7)
    texts = [TEXT, REPOST, "сміття", "Машини стоять на газоні біля школи вже тиждень, трава знищена", "знову шумлять"]
    reports = [
        Candidate(
            i,
            rng.choice(["litter", "parking"]),
            north(rng.uniform(0, 600)),
            LON + rng.uniform(0, 0.006),
            T0 + timedelta(hours=rng.uniform(0, 200)),
            rng.choice(texts),
        )
        for i in range(300)
    ]
    marked = mark_duplicates(_frame(reports))
    originals: list[Candidate] = []
    for r in sorted(reports, key=lambda r: r.occurred_at):
        dup = find_duplicate(r, originals)
        assert marked[r.id] == dup
        if dup is None:
            originals.append(r)


def test_batch_of_10000_is_fast() -> None:
    rng = random.Random(1)
    n = 10_000
    df = pd.DataFrame(
        {
            "id": range(n),
            "category": [rng.choice(["litter", "parking", "noise", "drinking"]) for _ in range(n)],
            "lat": [47.531 + rng.random() * 0.07 for _ in range(n)],
            "lon": [31.267 + rng.random() * 0.123 for _ in range(n)],
            "occurred_at": [T0 + timedelta(minutes=rng.uniform(0, 60 * 24 * 90)) for _ in range(n)],
            "text": [
                rng.choice([TEXT, REPOST, "сміття біля баків", "музика до ранку під вікнами знову"]) for _ in range(n)
            ],
        }
    )
    marked = mark_duplicates(df)  # the speed target lives in bench/intake_text.py
    assert len(marked) == n and marked.notna().any()
