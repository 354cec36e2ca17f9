"""Duplicates that are really duplicates: other houses and landmarks are other problems,
and the marks do not depend on the order reports or files arrive in."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.store.db import make_engine, upgrade
from data.store.schema import ReportRow
from data.text.dedupe import EARTH_RADIUS_M, Candidate, houses_in, is_duplicate, landmarks_in, mark_duplicates
from services.importer import import_file

LAT, LON = 47.566, 31.33
T0 = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)


def north(metres: float) -> float:
    return LAT + metres / (EARTH_RADIUS_M * math.pi / 180)


def test_forty_houses_of_one_street_in_two_days_are_forty_reports() -> None:
    """The issue's case: near-identical words, one street centroid, 48 h: no duplicates."""
    rows = [
        {
            "id": n,
            "category": "litter",
            "lat": north(n % 5 * 10),
            "lon": LON,
            "uncertainty_m": 250.0,
            "occurred_at": T0 + timedelta(hours=n * 1.2),
            "text": f"На вул. Соборності, {n} знову купа сміття біля під'їзду, ніхто не вивозить",
        }
        for n in range(1, 41)
    ]
    frame = pd.DataFrame(rows)
    assert mark_duplicates(frame).notna().sum() == 0
    same_house = frame.assign(text="На вул. Соборності, 7 знову купа сміття біля під'їзду, ніхто не вивозить")
    assert mark_duplicates(same_house).notna().sum() == 39  # the rule, not the texts, kept them apart


def test_the_geocoders_house_column_decides_when_given() -> None:
    text = "знову купа сміття біля під'їзду, ніхто не вивозить уже тиждень"
    frame = pd.DataFrame(
        [
            {
                "id": n,
                "category": "litter",
                "lat": LAT,
                "lon": LON,
                "occurred_at": T0 + timedelta(hours=n),
                "text": text,
                "house": house,
            }
            for n, house in enumerate(["12", "14", "12-А", "12а", None])
        ]
    )
    assert mark_duplicates(frame).tolist() == [None, None, None, 2, 0]


def test_different_landmarks_are_never_duplicates() -> None:
    base = Candidate(1, "drinking", LAT, LON, T0, "Біля школи №5 знову п'ють пиво на лавках до ночі")
    other = Candidate(
        2, "drinking", LAT, LON, T0 + timedelta(hours=2), "Біля школи №7 знову п'ють пиво на лавках до ночі"
    )
    same = Candidate(3, "drinking", LAT, LON, T0 + timedelta(hours=3), "біля школи № 5 знову п'ють пиво на лавках")
    assert not is_duplicate(other, base)
    assert is_duplicate(same, base)
    shop_a = Candidate(
        4,
        "litter",
        LAT,
        LON,
        T0,
        "сміття біля магазину, знову не вивезли",
        landmark={"kind": "shop", "name": "Магазин «АТБ»", "number": None},
    )
    shop_b = Candidate(
        5,
        "litter",
        LAT,
        LON,
        T0 + timedelta(hours=1),
        "сміття біля магазину, знову не вивезли",
        landmark={"kind": "shop", "name": "Магазин «Сільпо»", "number": None},
    )
    assert not is_duplicate(shop_b, shop_a)


def test_what_counts_as_a_house_or_landmark_in_text() -> None:
    assert houses_in("На вул. Соборності, 12 і біля буд. 14-Б") == {"12", "14б"}
    assert houses_in("3 дні не вивозять, Франка 15 собак бігає, о 22:30") == frozenset()
    assert landmarks_in("біля школи №5 і «АТБ»") == {"школ 5", "атб"}


TEXTS = [
    "Біля гаражів на Маріупольській вивалили купу будівельного сміття, мішки і шифер",
    "Переслано: біля гаражів на Маріупольській вивалили купу будівельного сміття, мішки і шифер!!",
    "сміття",
    "знову сміття біля баків",
    "Машини стоять на газоні біля школи вже тиждень, трава знищена",
]


@st.composite
def reports(draw: st.DrawFn) -> pd.DataFrame:
    """Reports that cluster in time and space, with shared moments (ties) on purpose."""
    n = draw(st.integers(2, 25))
    hours = st.sampled_from([0, 0, 1, 5, 20, 30, 47, 50, 60])
    return pd.DataFrame(
        [
            {
                "id": k,
                "category": draw(st.sampled_from(["litter", "parking"])),
                "lat": north(draw(st.sampled_from([0, 10, 20, 100, 140, 200]))),
                "lon": LON,
                "occurred_at": T0 + timedelta(hours=draw(hours)),
                "text": draw(st.sampled_from(TEXTS)),
                "source": "telegram",
                "source_ref": f"chat:{k}",
            }
            for k in range(n)
        ]
    )


@settings(max_examples=80, deadline=None)
@given(reports(), st.randoms(use_true_random=False))
def test_marks_do_not_depend_on_row_order(frame: pd.DataFrame, rng) -> None:  # type: ignore[no-untyped-def]
    expected = mark_duplicates(frame).set_axis(frame["id"]).to_dict()
    shuffled = frame.sample(frac=1.0, random_state=rng.randint(0, 2**31)).reset_index(drop=True)
    assert mark_duplicates(shuffled).set_axis(shuffled["id"]).to_dict() == expected
    # the original is the earliest report: no duplicate points to a later one
    when = frame.set_index("id")["occurred_at"]
    assert all(when[o] <= when[d] for d, o in expected.items() if o is not None)


@settings(max_examples=40, deadline=None)
@given(reports(), st.integers(0, 25))
def test_texts_normalised_in_an_earlier_call_give_the_same_marks(frame: pd.DataFrame, cut: int) -> None:
    """The importer carries the normalised texts of a slice's overlap into the next."""
    norms: dict = {}
    mark_duplicates(frame.iloc[:cut], norms=norms)
    assert set(norms) == set(frame["id"].iloc[:cut])
    assert mark_duplicates(frame, norms=norms).tolist() == mark_duplicates(frame).tolist()
    assert set(norms) == set(frame["id"])


def test_fixed_marks_are_kept_and_only_originals_are_candidates() -> None:
    frame = pd.DataFrame(
        [
            {
                "id": k,
                "category": "litter",
                "lat": LAT,
                "lon": LON,
                "occurred_at": T0 + timedelta(hours=k),
                "text": TEXTS[0],
                "duplicate_of": given,
            }
            for k, given in enumerate([None, 0, None])
        ]
    )
    # row 1 is fixed as a duplicate of 0: row 2 points to 0, never to 1
    assert mark_duplicates(frame, fixed=[True, True, False]).tolist() == [None, 0, 0]
    # a moderator split: row 1 fixed as an original although it repeats row 0
    frame.loc[1, "duplicate_of"] = None
    assert mark_duplicates(frame, fixed=[False, True, False]).tolist() == [None, None, 0]


HEADER = "Дата звернення,Адреса,Текст звернення,Заявник\n"
FILE_A = [
    '02.03.2025 11:00,"вул. Маріупольська, 10","Біля гаражів стихійне звалище сміття, досі ніхто не вивозить, мішки",user-3',
    '02.03.2025 15:00,"вул. Маріупольська, 10","Біля гаражів стихійне звалище сміття, досі ніхто не вивозить!",user-7',
    '02.03.2025 16:00,"вул. Маріупольська, 12","Біля гаражів стихійне звалище сміття, досі ніхто не вивозить, мішки",user-8',
]
FILE_B = [
    '02.03.2025 09:15,"вул. Маріупольська, 10","Стихійне звалище сміття біля гаражів, ніхто не вивозить, мішки",user-2',
    '03.03.2025 10:00,"вул. Маріупольська, 10","Стихійне звалище сміття біля гаражів, досі ніхто не вивозить",user-9',
]


def _marks(engine) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.execute(select(ReportRow.id, ReportRow.source_ref, ReportRow.duplicate_of)).all()
    ref = {i: r for i, r, _ in rows}
    return {r: (ref[d] if d is not None else None) for _, r, d in rows}


def test_files_give_the_same_marks_in_any_import_order(tmp_path: Path) -> None:
    paths = []
    for name, lines in (("a.csv", FILE_A), ("b.csv", FILE_B)):
        path = tmp_path / name
        path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    results = []
    for order in (paths, paths[::-1]):
        engine = make_engine(f"sqlite:///{tmp_path / ('store-' + order[0].stem + '.db')}")
        upgrade(engine)
        for path in order:
            import_file(path, engine)
        results.append(_marks(engine))
        engine.dispose()
    assert results[0] == results[1]
    marks = results[0]
    assert sum(v is not None for v in marks.values()) == 3  # 4 at house 10 within 48 h -> 1 original
    assert len(set(v for v in marks.values() if v is not None)) == 1  # the 09:15 report of file b


def test_the_slice_read_from_the_driver_equals_the_rows_on_sqlite(tmp_path: Path) -> None:
    """De-duplication reads a slice on SQLite as the driver's tuples (no result
    processors): they must be what SQLAlchemy's rows would give, landmark JSON included."""
    from services.import_dedupe import DEDUPE_COLUMNS

    path = tmp_path / "a.csv"
    path.write_text(HEADER + "\n".join(FILE_A + FILE_B) + "\n", encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    import_file(path, engine)
    with Session(engine) as session:
        session.execute(update(ReportRow).where(ReportRow.id == 1).values(landmark={"kind": "school", "number": "5"}))
        statement = select(*DEDUPE_COLUMNS)
        rows = [tuple(r) for r in session.connection().execute(statement)]
        result = session.connection().execute(statement)
        raw = result.cursor.fetchall()
        result.close()
        session.rollback()
    engine.dispose()
    assert len(rows) == len(FILE_A) + len(FILE_B) and raw == rows
    assert any(isinstance(r[-2], str) and "school" in r[-2] for r in raw)


def test_bench_intake_dedupe_recomputes_the_stored_marks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """bench/intake_dedupe.py finds the marks an import stored, leaves the store as it
    was, and reports a stored mark the rule does not give."""
    import importlib.util
    import sqlite3

    spec = importlib.util.spec_from_file_location(
        "intake_dedupe", Path(__file__).parents[1] / "bench" / "intake_dedupe.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    store = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{store}")
    upgrade(engine)
    for name, lines in (("a.csv", FILE_A), ("b.csv", FILE_B)):
        path = tmp_path / name
        path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        import_file(path, engine)
    before = _marks(engine)
    engine.dispose()
    assert bench.main([str(store)]) == 0
    assert "3 duplicates, 0 marks differ" in capsys.readouterr().out
    con = sqlite3.connect(store)
    con.execute(
        "UPDATE reports SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL AND id = (SELECT max(id) FROM reports WHERE duplicate_of IS NOT NULL)"
    )
    con.commit()
    con.close()
    assert bench.main([str(store)]) == 1
    assert "3 duplicates, 1 marks differ" in capsys.readouterr().out
    engine = make_engine(f"sqlite:///{store}")
    after = _marks(engine)
    engine.dispose()
    assert sum(v is not None for v in after.values()) == 2 and after.keys() == before.keys()  # rolled back
