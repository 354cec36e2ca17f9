"""The council's grouped counts (microdistrict x month x category, counted by the store) equal
the row path (every report's point split by the district polygons), on SQLite and PostGIS;
the stored microdistricts follow a change of the districts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.categories import CATEGORIES
from data.categories import label as category_label
from data.records import h3_cells
from data.store.microdistricts import OUTSIDE, district_of, ensure_microdistricts
from data.store.repo import insert_ignoring_conflicts
from data.store.schema import ReportRow
from geo.gazetteer import load_gazetteer
from layers.council import cell_counts, district_ids, district_stats, district_stats_of
from services import council, districts

GZ = load_gazetteer()


def _reports(n: int, seed: int = 7) -> list[dict]:
    """Reports over the city's bounding box and a little beyond (some outside every district),
    times around city-time month ends, some rejected, some duplicates, some without a point."""
    rng = np.random.default_rng(seed)
    lons, lats = zip(*GZ.boundary, strict=True)
    rows = []
    for i in range(n):
        lat = float(rng.uniform(min(lats) - 0.003, max(lats) + 0.003))
        lon = float(rng.uniform(min(lons) - 0.003, max(lons) + 0.003))
        located = i % 17 != 0
        month_end = datetime(2025, 1 + i % 12, 1, tzinfo=UTC) - timedelta(hours=int(rng.integers(-4, 4)))
        when = month_end + timedelta(days=30 * int(rng.integers(0, 2)))
        rows.append(
            {
                "source": "csv",
                "source_ref": f"r{i}",
                "received_at": when,
                "occurred_at": when,
                "occurred_at_source": "given",
                "text": "t",
                "category": list(CATEGORIES)[i % len(CATEGORIES)],
                "category_source": "rule",
                "lat": lat if located else None,
                "lon": lon if located else None,
                "level": "address" if located else "none",
                "score": 0.9,
                "uncertainty_m": 10.0,
                "status": "rejected" if i % 13 == 0 else ("verified" if i % 3 else "new"),
                **(h3_cells(lat, lon) if located else h3_cells(None, None)),
            }
        )
    return rows


def _store_with_reports(store, n: int = 400):  # type: ignore[no-untyped-def]
    with Session(store) as session, session.begin():
        insert_ignoring_conflicts(session, ReportRow.__table__, _reports(n))
        first = session.scalar(select(ReportRow.id).order_by(ReportRow.id))
        for offset in (5, 6):  # two duplicates: left out of every count
            session.get(ReportRow, first + offset).duplicate_of = first
    return store


def test_grouped_counts_equal_the_polygon_split(store) -> None:  # type: ignore[no-untyped-def]
    _store_with_reports(store)
    assert districts.ensure(store) > 0
    rows = council.load(store, role="council")  # the row path's input
    counts = council.counts(store, role="council")
    assert counts["n"].sum() == len(rows) and set(counts["district"]) > {OUTSIDE}
    for label in ("2025-01", "2025-02", "2025-06", "2025-Q1", "2025-Q2", "2025-Q4", "2026-Q1"):
        period = council.period(label)
        row_path = district_stats(rows, GZ, period=period, role="council")
        grouped = district_stats_of(counts, GZ, period=period, role="council")
        pd.testing.assert_frame_equal(grouped, row_path)
        cells = council.period_cells(store, period, role="council")
        assert cells.to_dict() == cell_counts(rows, period).to_dict()
    for district in [None, *(d.id for d in GZ.districts)]:
        by_month = council.month_by_category(rows, district)  # the row path, as a wide table
        for lang in ("uk", "en"):
            long = by_month.reset_index().melt(id_vars="month", var_name="category", value_name="n")
            expected = long.assign(category=long["category"].map(lambda c, lang=lang: category_label(c, lang)))
            pd.testing.assert_frame_equal(council.trend(counts, district, lang), expected, check_dtype=bool(len(long)))


def test_the_stored_district_is_the_polygon_rule(store) -> None:  # type: ignore[no-untyped-def]
    _store_with_reports(store, 200)
    districts.ensure(store)
    with Session(store) as session:
        stored = session.execute(select(ReportRow.lat, ReportRow.lon, ReportRow.microdistrict)).all()
    located = [(a, b, m) for a, b, m in stored if a is not None]
    assert all(m is None for a, _, m in stored if a is None)
    oracle = district_ids(np.array([r[0] for r in located]), np.array([r[1] for r in located]), GZ)
    assert [r[2] for r in located] == list(oracle)


def test_new_reports_and_changed_districts_are_derived(store) -> None:  # type: ignore[no-untyped-def]
    _store_with_reports(store, 60)
    polygons = districts.polygons()
    assert ensure_microdistricts(store, polygons) > 0
    assert ensure_microdistricts(store, polygons) == 0  # current: nothing to write
    with Session(store) as session, session.begin():  # a report stored by a path that did not derive it
        insert_ignoring_conflicts(session, ReportRow.__table__, _reports(61)[60:])
    assert ensure_microdistricts(store, polygons) == 1
    renamed = [("x-" + d, ring) for d, ring in polygons]  # new ids: every report inside one changes
    with Session(store) as session:
        inside = session.query(ReportRow).filter(ReportRow.microdistrict.not_in([OUTSIDE])).count()
    assert ensure_microdistricts(store, renamed) == inside
    with Session(store) as session:
        values = {m for (m,) in session.execute(select(ReportRow.microdistrict).where(ReportRow.lat.is_not(None)))}
    assert values <= {OUTSIDE} | {d for d, _ in renamed}


def test_district_of_takes_the_first_district_where_polygons_overlap() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    inner = [(0.5, 0.5), (1.5, 0.5), (1.5, 1.5), (0.5, 1.5)]
    got = district_of(np.array([1.0, 1.9, 5.0]), np.array([1.0, 1.9, 5.0]), [("a", square), ("b", inner)])
    assert list(got) == ["a", "a", OUTSIDE]
    got = district_of(np.array([1.0, 1.9]), np.array([1.0, 1.9]), [("b", inner), ("a", square)])
    assert list(got) == ["b", "a"]


def test_an_import_into_a_new_store_derives_nothing_twice(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The insert sets each report's microdistrict, so the check after the import must not
    re-derive every located report (a whole-store read at 1M): the districts' fingerprint is
    recorded before the insert, when the store holds nothing to derive. (The migration records
    it only when the gazetteer file exists; here it did not.)"""
    from data.store import microdistricts
    from data.store.schema import StoreSettingRow
    from services.importer import import_file
    from tests.test_importer import HOTLINE

    derived: list[tuple[bool, int]] = []
    real = microdistricts._derive

    def spy(engine, polygons, wanted, *, everything):  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            derived.append((everything, session.query(ReportRow).count()))
        return real(engine, polygons, wanted, everything=everything)

    with Session(store) as session, session.begin():
        session.query(StoreSettingRow).filter(StoreSettingRow.key == microdistricts.SETTING).delete()
    monkeypatch.setattr(microdistricts, "_derive", spy)
    summary = import_file(HOTLINE, store)
    assert summary.imported > 0
    assert derived == [(True, 0)]  # once, on the empty store, before the insert
    with Session(store) as session:
        stored = dict(session.execute(select(ReportRow.id, ReportRow.microdistrict)).all())
        located = session.execute(
            select(ReportRow.id, ReportRow.lat, ReportRow.lon).where(ReportRow.lat.is_not(None))
        ).all()
    assert located
    expected = districts.of_points([r.lat for r in located], [r.lon for r in located])
    assert [stored[r.id] for r in located] == expected
