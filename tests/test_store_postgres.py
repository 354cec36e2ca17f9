"""The store on PostgreSQL/PostGIS, tested for real (and the same queries on SQLite).

Tests taking the ``store`` fixture run twice, on SQLite and on a fresh PostGIS database
(tests/conftest.py); the ones taking ``pg`` exist only on PostgreSQL. Without
TEST_DATABASE_URL the PostgreSQL runs skip locally and fail in CI (``require``).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import geoalchemy2  # noqa: F401  (teaches SQLAlchemy's reflection the geometry type)
import h3
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import Engine, create_engine, func, inspect, make_url, select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session

from data.categories import CATEGORIES
from data.store.db import make_engine, upgrade
from data.store.postgis import (
    PUBLIC_ROLE,
    cell_counts,
    enable_public_login,
    reports_in_bbox,
    reports_in_polygon,
    reports_near,
)
from data.store.repo import claim_batch, insert_ignoring_conflicts
from data.store.schema import ImportBatch, ReportRow
from tests.store_backends import scratch_database

CENTRE = (47.566, 31.33)
T0 = datetime(2025, 3, 1, 21, 30, tzinfo=UTC)
GEOD = Geod(ellps="WGS84")
PUBLIC_VIEWS = {"public_actions_view", "public_milestones_view", "public_meetings_view"}  # no counts among them
MIGRATION_0002 = "data/store/migrations/versions/0002_postgis_public_views.py"
MIGRATION_0003 = "data/store/migrations/versions/0003_public_view_for_the_public_pages.py"
POSTGIS_VIEWS = {"geometry_columns", "geography_columns"}  # the extension's own catalogue views


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m`` north and ``east_m`` east of the centre, on the spheroid."""
    lon, lat, _ = GEOD.fwd(CENTRE[1], CENTRE[0], 0, north_m)
    lon, lat, _ = GEOD.fwd(lon, lat, 90, east_m)
    return lat, lon


def row(
    ref: str, lat: float | None = CENTRE[0], lon: float | None = CENTRE[1], when: datetime = T0, **extra: Any
) -> dict[str, Any]:
    cells = {f"h3_r{r}": h3.latlng_to_cell(lat, lon, r) if lat is not None else None for r in (7, 8, 9, 10)}
    base = dict(
        source="csv",
        source_ref=ref,
        received_at=when,
        occurred_at=when,
        occurred_at_source="given",
        text="сміття біля під'їзду, дзвоніть 0671234567",
        reporter_hash="h" * 64,
        category="litter",
        category_source="rule",
        lat=lat,
        lon=lon,
        level="street",
        score=0.9,
        status="new",
    )
    return base | cells | extra


def insert(engine: Engine, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert rows; the ids by source_ref."""
    with Session(engine) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, rows)
        return {ref: id_ for ref, id_ in s.execute(select(ReportRow.source_ref, ReportRow.id))}


@pytest.fixture
def pg(postgres_template: str) -> Iterator[Engine]:
    """A fresh PostGIS database at the newest revision (PostgreSQL-only tests)."""
    with scratch_database(os.environ["TEST_DATABASE_URL"], template=postgres_template) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


# --- the migration ---------------------------------------------------------------------------


@pytest.mark.parametrize("migration", [MIGRATION_0002, MIGRATION_0003])
def test_category_groups_frozen_in_the_migration_match_the_taxonomy(migration: str) -> None:
    spec = importlib.util.spec_from_file_location("frozen", migration)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.CATEGORY_GROUPS == {slug: c.group for slug, c in CATEGORIES.items()}, (
        "data/categories.py changed: add a migration that recreates public_reports_view"
    )


@pytest.mark.postgres
def test_upgrade_from_empty_and_back(postgres_template: str) -> None:
    with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:  # no template: the real first start
        engine = make_engine(url)
        upgrade(engine)
        columns = {c["name"]: c for c in inspect(engine).get_columns("reports")}
        assert (columns["geom"]["type"].geometry_type, columns["geom"]["type"].srid) == ("POINT", 4326)
        indexes = {i["name"] for i in inspect(engine).get_indexes("reports")}
        assert {"ix_reports_geom", "ix_reports_geog"} <= indexes
        assert set(inspect(engine).get_view_names()) - POSTGIS_VIEWS == PUBLIC_VIEWS  # no true counts
        assert {"releases", "release_months", "release_cells"} <= set(inspect(engine).get_table_names())
        from alembic import command

        from data.store.db import alembic_config

        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert "geom" not in {c["name"] for c in inspect(engine).get_columns("reports")}
        upgrade(engine)
        assert "geom" in {c["name"] for c in inspect(engine).get_columns("reports")}
        engine.dispose()


def test_sqlite_downgrade_drops_the_views(sqlite_url: str) -> None:
    from alembic import command

    from data.store.db import alembic_config

    engine = make_engine(sqlite_url)
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert inspect(engine).get_view_names() == []
    upgrade(engine)
    assert set(inspect(engine).get_view_names()) == {
        "public_actions_view",
        "public_milestones_view",
        "public_meetings_view",
    }


# --- geometry kept in sync by the trigger ------------------------------------------------------


@pytest.mark.postgres
def test_every_writer_keeps_geom_in_sync(pg: Engine) -> None:
    ids = insert(pg, [row("a"), row("none", lat=None, lon=None, level="none")])
    geom = "SELECT ST_Y(geom), ST_X(geom), ST_SRID(geom) FROM reports WHERE id = :i"
    with pg.begin() as conn:
        assert conn.execute(text(geom), {"i": ids["a"]}).one() == (CENTRE[0], CENTRE[1], 4326)
        assert conn.execute(text(geom), {"i": ids["none"]}).one() == (None, None, None)
        # a raw UPDATE (a moderator moving the point on the map) moves the geometry too
        conn.execute(text("UPDATE reports SET lat = 47.57, lon = 31.34 WHERE id = :i"), {"i": ids["a"]})
        assert conn.execute(text(geom), {"i": ids["a"]}).one()[:2] == (47.57, 31.34)
        # lat/lon are the truth: a direct write to geom is overruled
        conn.execute(
            text("UPDATE reports SET geom = ST_SetSRID(ST_MakePoint(0, 0), 4326) WHERE id = :i"), {"i": ids["a"]}
        )
        assert conn.execute(text(geom), {"i": ids["a"]}).one()[:2] == (47.57, 31.34)
        conn.execute(text("UPDATE reports SET lat = NULL WHERE id = :i"), {"i": ids["a"]})
        assert conn.execute(text(geom), {"i": ids["a"]}).one() == (None, None, None)


@pytest.mark.postgres
def test_spatial_queries_use_the_gist_indexes(pg: Engine) -> None:
    insert(pg, [row(f"r{i}", *offset(i * 10.0, 0)) for i in range(50)])
    with pg.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        near = (
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM reports WHERE ST_DWithin(geom::geography, "
                    "ST_SetSRID(ST_MakePoint(31.33, 47.566), 4326)::geography, 100)"
                )
            )
            .scalars()
            .all()
        )
        inside = (
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM reports WHERE ST_Contains(ST_MakeEnvelope(31.3, 47.5, 31.4, 47.6, 4326), geom)"
                )
            )
            .scalars()
            .all()
        )
        view = (
            conn.execute(
                text("EXPLAIN SELECT id FROM reports WHERE geom && ST_MakeEnvelope(31.3, 47.5, 31.4, 47.6, 4326)")
            )
            .scalars()
            .all()
        )
    assert any("ix_reports_geog" in line for line in near), near
    assert any("ix_reports_geom" in line for line in inside), inside
    assert any("ix_reports_geom" in line for line in view), view


# --- spatial queries: the same answer on both backends ----------------------------------------


@pytest.fixture
def placed(store: Engine) -> dict[str, int]:
    """Reports around the centre: near, farther, far, later, rejected, a duplicate, unplaced."""
    ids = insert(
        store,
        [
            row("centre"),
            row("north100", *offset(100, 0), when=T0 + timedelta(hours=5)),
            row("east400", *offset(0, 400), category="noise"),
            row("far", *offset(2000, 2000)),
            row("later", *offset(-50, 0), when=T0 + timedelta(days=3)),
            row("rejected", status="rejected"),
            row("unplaced", lat=None, lon=None, level="none"),
        ],
    )
    return ids | insert(store, [row("dup", *offset(0, 10), duplicate_of=ids["centre"])])


def test_reports_near_a_point_within_metres_and_hours(store: Engine, placed: dict[str, int]) -> None:
    near = reports_near(store, *CENTRE, 250, around=T0, hours=48)
    assert [n.id for n in near] == [placed["centre"], placed["north100"]]
    assert near[0].distance_m == pytest.approx(0, abs=0.01)
    assert near[1].distance_m == pytest.approx(100, abs=0.05)  # metres on the spheroid, on both backends
    assert near[1].occurred_at == T0 + timedelta(hours=5)
    wider = reports_near(store, *CENTRE, 500, around=T0, hours=48)
    assert [n.id for n in wider] == [placed["centre"], placed["north100"], placed["east400"]]
    assert [n.id for n in reports_near(store, *CENTRE, 500, around=T0, hours=48, categories=["noise"])] == [
        placed["east400"]
    ]
    with_later = reports_near(store, *CENTRE, 250, around=T0, hours=24 * 4)
    assert placed["later"] in {n.id for n in with_later}
    with_dups = reports_near(store, *CENTRE, 50, around=T0, hours=1, include_duplicates=True)
    assert [n.id for n in with_dups] == [placed["centre"], placed["dup"]]


def test_reports_near_sees_the_callers_uncommitted_rows(store: Engine) -> None:
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, [row("fresh")])
        assert len(reports_near(s, *CENTRE, 10, around=T0, hours=1)) == 1


def test_reports_in_a_polygon(store: Engine, placed: dict[str, int]) -> None:
    south, west = offset(-300, -300)
    north, east = offset(300, 300)
    area = box(west, south, east, north)
    assert reports_in_polygon(store, area) == sorted([placed["centre"], placed["north100"], placed["later"]])
    assert reports_in_polygon(store, area, end=T0 + timedelta(days=1)) == sorted([placed["centre"], placed["north100"]])
    assert reports_in_polygon(store, area, statuses=["rejected"]) == [placed["rejected"]]
    assert reports_in_polygon(store, box(0, 0, 1, 1)) == []


def test_reports_in_a_bounding_box(store: Engine, placed: dict[str, int]) -> None:
    south, west = offset(-300, -300)
    north, east = offset(300, 500)
    frame = reports_in_bbox(store, south=south, west=west, north=north, east=east)
    assert list(frame["id"]) == [placed["later"], placed["north100"], placed["east400"], placed["centre"]]
    assert list(frame.columns) == ["id", "lat", "lon", "category", "occurred_at", "status", "h3_r9"]
    assert str(frame["occurred_at"].dt.tz) == "UTC"
    assert len(reports_in_bbox(store, south=south, west=west, north=north, east=east, limit=2)) == 2


def test_cell_counts(store: Engine, placed: dict[str, int]) -> None:
    counts = cell_counts(store, resolution=9, start=T0, end=T0 + timedelta(days=1), categories=["litter"])
    expected: dict[str, int] = {}
    for lat, lon in (CENTRE, offset(100, 0), offset(2000, 2000)):
        cell = h3.latlng_to_cell(lat, lon, 9)
        expected[cell] = expected.get(cell, 0) + 1
    assert counts == expected
    with pytest.raises(ValueError):
        cell_counts(store, resolution=6)


# --- the public views and the public role -----------------------------------------------------


def test_no_view_of_true_counts_is_left_and_the_actions_view_is_public_columns_only(store: Engine) -> None:
    assert set(inspect(store).get_view_names()) - POSTGIS_VIEWS == PUBLIC_VIEWS
    with store.connect() as conn:
        view = conn.execute(text("SELECT * FROM public_actions_view")).mappings()
        assert set(view.keys()) == {
            "id",
            "cell",
            "district",
            "status",
            "public_note",
            "progress",
            "parent_id",
            "weight",
            "meeting_id",
        }


@pytest.mark.postgres
def test_public_role_reads_the_releases_and_cannot_read_unprotected_counts(pg: Engine) -> None:
    """The public role reads release tables (perturbed counts) and the public action view;
    every road to a true count is closed: the reports table, the dropped views, any
    aggregate over reports, and it can neither write nor change a release."""
    from services.releases import publish

    insert(pg, [row(f"r{i}", *offset(30 * i, 0), status="verified") for i in range(8)])
    assert [r.month for r in publish(pg, "2025-03", now=datetime(2025, 4, 9, tzinfo=UTC))] == ["2025-03"]
    with pg.connect() as conn:
        conn.execute(text(f"SET ROLE {PUBLIC_ROLE}"))
        released = conn.execute(text("SELECT COALESCE(SUM(value), 0) FROM release_cells")).scalar_one()
        assert 8 - 3 <= released <= 8 + 3
        assert conn.execute(text("SELECT COUNT(*) FROM releases")).scalar_one() == 1
        assert conn.execute(text("SELECT COUNT(*) FROM release_months")).scalar_one() == 1
        assert conn.execute(text("SELECT COUNT(*) FROM public_actions_view")).scalar_one() == 0
    for query in (
        "SELECT text FROM reports",
        "SELECT lat, lon FROM reports",
        "SELECT count(*) FROM reports",
        "SELECT h3_r8, count(*) FROM reports GROUP BY h3_r8",
        "SELECT record_key FROM reports",
        "SELECT * FROM reporter_contacts",
        "SELECT * FROM quarantine",
        "SELECT * FROM audit_log",
        "SELECT * FROM users",
        "SELECT * FROM actions",
        "SELECT * FROM form_submissions",
        "SELECT * FROM public_cell_counts",
        "SELECT * FROM public_reports_view",
        "UPDATE release_cells SET value = value + 1",
        "DELETE FROM releases",
        "INSERT INTO release_cells VALUES (1, '2025-03', 'x', 'other', 'cell', '', 1)",
    ):
        with pg.connect() as conn:
            conn.execute(text(f"SET ROLE {PUBLIC_ROLE}"))
            with pytest.raises(ProgrammingError, match="permission denied|does not exist"):
                conn.execute(text(query))
    with pg.connect() as conn:  # the dropped views are gone for every role, not just hidden
        names = (
            conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
            .scalars()
            .all()
        )
        assert not {"public_cell_counts", "public_reports_view"} & set(names)
        grants = (
            conn.execute(
                text("SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = :role"),
                {"role": PUBLIC_ROLE},
            )
            .scalars()
            .all()
        )
        assert set(grants) == {"releases", "release_months", "release_cells", *PUBLIC_VIEWS}  # no counts in the views


@pytest.mark.postgres
def test_public_login_with_a_password_from_the_environment(pg: Engine) -> None:
    password = "p:w'd%s"  # characters that break naive quoting
    enable_public_login(pg, password)
    try:
        url = make_url(pg.url).set(username=PUBLIC_ROLE, password=password)
        public = create_engine(url)
        with public.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == PUBLIC_ROLE
            assert conn.execute(text("SELECT COUNT(*) FROM release_cells")).scalar_one() == 0
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text("SELECT text FROM reports"))
        public.dispose()
    finally:
        with pg.begin() as conn:
            conn.execute(text(f"ALTER ROLE {PUBLIC_ROLE} NOLOGIN PASSWORD NULL"))


@pytest.mark.postgres
def test_the_public_page_works_as_the_read_only_role(pg: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The public table is read from the releases alone, logged in as hotspots_public."""
    from data.store.db import public_engine
    from services import public
    from services.releases import publish

    insert(pg, [row(f"r{i}", status="verified") for i in range(6)])
    publish(pg, "2025-03", now=datetime(2025, 4, 9, tzinfo=UTC))
    enable_public_login(pg, "public-secret")
    try:
        url = make_url(pg.url).set(username=PUBLIC_ROLE, password="public-secret")
        monkeypatch.setenv("PUBLIC_DATABASE_URL", url.render_as_string(hide_password=False))
        public_engine.cache_clear()
        reader = public_engine()
        table = public.public_table(reader, "2025-03", None)
        with pg.connect() as conn:
            assert table.total == conn.execute(text("SELECT SUM(value) FROM release_cells")).scalar_one()
        assert abs(table.total - 6) <= 2 and public.publishable_periods(reader) == ["2025-03"]
        assert public.public_actions(reader).empty
        with reader.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT lat, lon FROM reports"))
        reader.dispose()
    finally:
        public_engine.cache_clear()
        with pg.begin() as conn:
            conn.execute(text(f"ALTER ROLE {PUBLIC_ROLE} NOLOGIN PASSWORD NULL"))


def test_public_login_needs_postgres(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        enable_public_login(make_engine(sqlite_url), "x")


# --- concurrency: constraints, not luck ---------------------------------------------------------


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Start the jobs in threads at the same instant; each result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # the caller asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_overlapping_writers_lose_nothing_and_duplicate_nothing(store: Engine) -> None:
    first = [row(f"r{i:04d}", *offset(i, 0)) for i in range(0, 600)]
    second = [row(f"r{i:04d}", *offset(i, 0)) for i in range(300, 900)][::-1]  # the overlap in opposite order
    seen: list[int] = []
    done = threading.Event()

    def write(rows: list[dict[str, Any]]) -> Callable[[], None]:
        def job() -> None:
            with Session(store) as s, s.begin():
                insert_ignoring_conflicts(s, ReportRow.__table__, rows)

        return job

    def read() -> None:
        while not done.is_set():
            with store.connect() as conn:
                seen.append(conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        results = run_together(write(first), write(second), write(first))
    finally:
        done.set()
        reader.join()
    assert results == [None, None, None]
    with Session(store) as s:
        refs = s.scalars(select(ReportRow.source_ref)).all()
    assert sorted(refs) == [f"r{i:04d}" for i in range(900)]
    assert seen and seen == sorted(seen)  # the reader only ever sees whole transactions, growing
    assert set(seen) <= {0, 600, 900}


def test_the_unique_sha256_refuses_a_second_batch_of_one_file(store: Engine) -> None:
    for name in ("one", "two"):
        with pytest.raises(IntegrityError) if name == "two" else nullcontext(), Session(store) as s, s.begin():
            s.add(ImportBatch(file_name=name, sha256="f" * 64, kind="csv"))


def test_one_batch_per_file_even_when_two_imports_race(store: Engine) -> None:
    def claim(name: str) -> Callable[[], int | None]:
        def job() -> int | None:
            with Session(store) as s, s.begin():
                batch = claim_batch(s, file_name=name, sha256="f" * 64, kind="csv")
                if batch is None:
                    return None
                time.sleep(0.2)  # hold the claim open: the other import must wait, then step aside
                insert_ignoring_conflicts(s, ReportRow.__table__, [row(f"{name}-1", batch_id=batch.id)])
                return batch.id

        return job

    results = run_together(claim("one"), claim("two"))
    assert sorted(results, key=lambda r: r is None) == [results[0] or results[1], None]
    assert isinstance(results[0] or results[1], int)
    with Session(store) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 1
        assert s.scalar(select(func.count()).select_from(ReportRow)) == 1


def hotline_csv(path: Any, first: int, n: int) -> Any:
    """A hotline export of ``n`` distinct, placeable rows (numbered from ``first``)."""
    streets = ["вул. Соборності", "вул. Маріупольська", "вул. Іллі Урмана"]
    texts = [
        "Стихійне звалище сміття біля гаражів",
        "Машини паркуються на газоні",
        "Не працює ліхтар біля під'їзду",
        "Шумна компанія вночі під вікнами",
    ]
    lines = ["Дата звернення,Адреса,Текст звернення,Заявник"]
    for i in range(first, first + n):
        lines.append(
            f'{i % 27 + 1:02d}.04.2025 {10 + i % 12}:{i % 60:02d},"{streets[i % 3]}, {i + 1}",'
            f"{texts[i % 4]} (звернення {i}),user-{i}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_concurrent_imports_of_different_and_same_files(store: Engine, tmp_path: Any) -> None:
    from services.importer import import_file

    first = hotline_csv(tmp_path / "first.csv", 0, 30)
    second = hotline_csv(tmp_path / "second.csv", 100, 30)
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            with store.connect() as conn:
                seen.append(
                    conn.execute(
                        text("SELECT (SELECT COUNT(*) FROM reports) + (SELECT COUNT(*) FROM quarantine)")
                    ).scalar_one()
                )
            time.sleep(0.005)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        results = run_together(*(lambda p=p: import_file(p, store) for p in (first, second, first, first)))
    finally:
        done.set()
        reader.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.same_file_batch is not None for r in results[1:2]] == [False]
    assert sorted(r.same_file_batch is not None for r in (results[0], results[2], results[3])) == [False, True, True]
    for summary in results:
        assert summary.imported + summary.duplicates + summary.quarantined + summary.already_imported == summary.read
    with store.connect() as conn:
        refs = conn.execute(text("SELECT source_ref FROM reports UNION ALL SELECT source_ref FROM quarantine")).all()
        batches = conn.execute(text("SELECT file_name FROM import_batches ORDER BY file_name")).scalars().all()
    assert len(refs) == len(set(refs)) == 60  # every row of both files once: nothing lost, nothing twice
    assert batches == ["first.csv", "second.csv"]
    assert seen == sorted(seen) and set(seen) <= {0, 30, 60}  # the reader saw whole imports only


@pytest.mark.postgres
def test_postgis_and_the_sqlite_fallbacks_give_the_same_answers(pg: Engine, sqlite_url: str) -> None:
    from geo.gazetteer import load_gazetteer

    rng = np.random.default_rng(3)
    gz = load_gazetteer()
    west, south, east, north = gz.boundary_polygon.bounds
    lats, lons = rng.uniform(south, north, 3000), rng.uniform(west, east, 3000)
    hours = rng.uniform(0, 24 * 60, 3000)
    rows = [
        row(
            f"p{i}",
            float(lats[i]),
            float(lons[i]),
            when=T0 + timedelta(hours=float(hours[i])),
            category=("litter", "noise", "parking")[i % 3],
            status=("new", "verified", "rejected")[i % 3 // 2],
        )
        for i in range(3000)
    ]
    lite = make_engine(sqlite_url)
    upgrade(lite)
    for engine in (lite, pg):
        insert(engine, rows)
    for district in gz.districts:
        assert reports_in_polygon(lite, district.shape) == reports_in_polygon(pg, district.shape)
    for i in range(30):
        lat, lon, around = float(lats[i]), float(lons[i]), T0 + timedelta(hours=float(hours[i]))
        a = reports_near(lite, lat, lon, 400, around=around, hours=72)
        b = reports_near(pg, lat, lon, 400, around=around, hours=72)
        assert [n.id for n in a] == [n.id for n in b]
        assert [n.distance_m for n in a] == pytest.approx([n.distance_m for n in b], abs=0.01)
    box_args = dict(south=47.55, west=31.30, north=47.58, east=31.35, start=T0, end=T0 + timedelta(days=20))
    pd.testing.assert_frame_equal(reports_in_bbox(lite, **box_args), reports_in_bbox(pg, **box_args))
    for res in (7, 8, 9, 10):
        assert cell_counts(lite, resolution=res, categories=["noise"]) == cell_counts(
            pg, resolution=res, categories=["noise"]
        )
    lite.dispose()
