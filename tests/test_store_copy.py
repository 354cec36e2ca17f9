"""PostgreSQL's COPY bulk path stores exactly what the executemany path stores.

Why: a big import's reports reach PostgreSQL by COPY into a staging table, then one
INSERT ... ON CONFLICT DO NOTHING (data.store.repo); the rows, their ids, the geometry
the trigger fills and the skipping of already-stored rows must not depend on the path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from data.store import repo
from data.store.db import make_engine, upgrade
from services.importer import import_file
from tests.conftest import ROOT, require
from tests.test_import_workers import _stored

HOTLINE = ROOT / "data" / "demo" / "sources" / "hotline" / "hotline_2024-2025.csv"


def _sample(tmp_path: Path, rows: int, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\n".join(HOTLINE.read_bytes().split(b"\n")[: rows + 1]) + b"\n")
    return path


@pytest.mark.postgres
def test_a_copy_import_stores_what_the_insert_path_does(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    require(bool(os.environ.get("TEST_DATABASE_URL")), "TEST_DATABASE_URL is not set (see .ci/postgres.sh)")
    from tests.store_backends import scratch_database

    copies: list[int] = []
    real_copy = repo._copy_ignoring_conflicts

    def counting(session, table, columns, values):  # type: ignore[no-untyped-def]
        copies.append(len(values[0]))
        real_copy(session, table, columns, values)

    monkeypatch.setattr(repo, "_copy_ignoring_conflicts", counting)
    first, overlapping = _sample(tmp_path, 600, "first.csv"), _sample(tmp_path, 900, "overlapping.csv")
    stores = {}
    with (
        scratch_database(os.environ["TEST_DATABASE_URL"]) as insert_url,
        scratch_database(os.environ["TEST_DATABASE_URL"]) as copy_url,
    ):
        for path_name, url, min_rows in (("insert", insert_url, 10**9), ("copy", copy_url, 1)):
            monkeypatch.setattr(repo, "COPY_MIN_ROWS", min_rows)
            engine = make_engine(url)
            upgrade(engine)
            summaries = [
                import_file(f, engine, parallel=False).as_dict() | {"batch_id": 0} for f in (first, overlapping)
            ]  # the second re-sends 600 stored rows: skipped
            with engine.connect() as conn:
                ids = conn.execute(
                    text("SELECT source_ref, id, duplicate_of, ST_AsText(geom) FROM reports ORDER BY id")
                ).all()
            stores[path_name] = (summaries, _stored(engine), ids)
            engine.dispose()
            if path_name == "insert":
                assert copies == [], "the insert path must not COPY"
    assert copies and max(copies) >= 300, "the COPY path was not taken"
    (s_insert, f_insert, ids_insert), (s_copy, f_copy, ids_copy) = stores["insert"], stores["copy"]
    assert s_insert == s_copy
    assert s_copy[1]["already_imported"] == 600
    for a, b in zip(f_insert, f_copy, strict=True):
        assert a.equals(b), "COPY stored something else"
    assert ids_insert == ids_copy  # same ids, same duplicate links, same geometry from the trigger
    assert len(ids_copy) > 300 and all(geom is not None for *_, geom in ids_copy)
