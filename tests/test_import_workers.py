"""Placing and redacting in worker processes gives the same store as doing it serially."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data.store.db import make_engine, upgrade
from data.store.schema import QuarantineRow, ReportRow
from services.import_workers import MIN_PARALLEL
from services.importer import import_file
from tests.conftest import ROOT

HOTLINE = ROOT / "data" / "demo" / "sources" / "hotline" / "hotline_2024-2025.csv"
CHAT = ROOT / "data" / "demo" / "sources" / "telegram" / "result.json"
SKIP = {"id", "batch_id", "created_at", "updated_at", "record_key"}


def _stored(engine) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        reports = pd.DataFrame(conn.execute(select(ReportRow.__table__)).mappings().all())
        quarantine = pd.DataFrame(conn.execute(select(QuarantineRow.__table__)).mappings().all())
    if "record" in quarantine.columns:  # the report as it would be stored, stamped when it was made
        quarantine["record"] = [
            None if r is None else {k: v for k, v in r.items() if k not in SKIP} for r in quarantine["record"]
        ]
    keep = lambda f: f[[c for c in f.columns if c not in SKIP]].sort_values("source_ref").reset_index(drop=True)  # noqa: E731
    return keep(reports), keep(quarantine.drop(columns=["created_at", "resolved_at"], errors="ignore"))


def test_a_parallel_import_stores_what_a_serial_one_does(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(tmp_path / "salt.key"))
    serial, parallel = (make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("serial", "parallel"))
    upgrade(serial)
    upgrade(parallel)
    sample = tmp_path / "hotline.csv"  # the header and 800 rows: one chunk big enough for the workers
    sample.write_bytes(b"\n".join(HOTLINE.read_bytes().split(b"\n")[:801]) + b"\n")
    one = import_file(sample, serial, parallel=False)
    # spawned, not forked: the test process may hold other tests' threads, which a fork must not copy
    # (import_pool forks only single-threaded processes); the workers load the gazetteer themselves
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        two = import_file(sample, parallel, pool=pool)
    assert one.as_dict() | {"batch_id": 0} == two.as_dict() | {"batch_id": 0}
    for a, b in zip(_stored(serial), _stored(parallel), strict=True):
        assert a.equals(b), "the parallel import stored something else"
    assert len(_stored(serial)[0]) + len(_stored(serial)[1]) >= MIN_PARALLEL


def test_workers_fork_only_from_a_single_threaded_process(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from services.import_workers import worker_pool

    monkeypatch.setattr(threading, "active_count", lambda: 2)  # e.g. Streamlit's server threads
    with worker_pool(2) as pool:
        assert pool is None
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    with worker_pool(2) as pool:
        assert pool is not None
    with worker_pool(1) as pool:
        assert pool is None


def test_a_parallel_chat_import_classifies_dates_and_marks_as_a_serial_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Telegram messages carry no category or date of their own: the workers classify and
    date them, and normalise the texts de-duplication compares (its next slice ahead)."""
    import json

    from services import import_workers, importer

    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(tmp_path / "salt.key"))
    monkeypatch.setattr(import_workers, "MIN_PARALLEL", 100)  # the pool takes small pieces and slices too
    monkeypatch.setattr(importer, "MIN_PARALLEL", 100)
    export = json.loads(CHAT.read_text(encoding="utf-8"))
    for chat in export["chats"]["list"]:  # a part of each chat: one chunk, several slices
        chat["messages"] = chat["messages"][:800]
    sample = tmp_path / "result.json"
    sample.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    serial, parallel = (make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("serial", "parallel"))
    upgrade(serial)
    upgrade(parallel)
    one = import_file(sample, serial, parallel=False)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        two = import_file(sample, parallel, pool=pool)
    assert one.as_dict() | {"batch_id": 0} == two.as_dict() | {"batch_id": 0}
    a, b = _stored(serial), _stored(parallel)
    for x, y in zip(a, b, strict=True):
        assert x.equals(y), "the parallel import stored something else"
    assert a[0]["duplicate_of"].notna().sum() > 0 and (a[0]["category_source"] == "model").sum() > 100


def test_the_workers_leave_what_they_share_with_the_parent_out_of_their_collections(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A full collection in a worker would otherwise write to the header of every inherited
    object and so copy the pages it shares with the parent (the models, the gazetteer)."""
    import gc
    import threading

    from services.import_workers import worker_pool

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # other tests' threads end long before the workers
    before = gc.get_freeze_count()
    with worker_pool(2) as pool:
        assert pool is not None
        assert min(pool.map(_frozen_in_worker, range(2))) > before  # inherited objects are frozen there
    assert gc.get_freeze_count() == before  # and given back to the parent's collector after the pool


def _frozen_in_worker(_: int) -> int:
    import gc

    return gc.get_freeze_count()


def test_the_workers_build_the_rows_so_the_importing_process_only_inserts(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stored row of a located report (its per-row conversion, bound for the driver) is
    made in the worker that placed it: the importing process builds none of them."""
    from services import importer

    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(tmp_path / "salt.key"))
    built_here: list[int] = []
    real = importer.report_values
    monkeypatch.setattr(
        importer, "report_values", lambda fields, batch: built_here.append(len(fields)) or real(fields, batch)
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    sample = tmp_path / "hotline.csv"
    sample.write_bytes(b"\n".join(HOTLINE.read_bytes().split(b"\n")[:801]) + b"\n")
    with multiprocessing.get_context("spawn").Pool(2) as pool:  # spawned: the patch above is not in the workers
        summary = import_file(sample, engine, pool=pool)
    assert summary.imported > 500
    assert sum(built_here) == 0, f"the importing process built {sum(built_here)} report rows"


def test_the_pools_maintenance_thread_does_not_spin_while_results_arrive(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """multiprocessing's maintenance thread also woke whenever a result waited in the pipe:
    thousands of loops (the importing process's CPU) for a few pieces of big answers."""
    import threading
    from multiprocessing import pool as mp_pool

    from services.import_workers import worker_pool

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    loops = [0]
    real = mp_pool.Pool._maintain_pool

    def counted(*args):  # type: ignore[no-untyped-def]
        loops[0] += 1
        return real(*args)

    monkeypatch.setattr(mp_pool.Pool, "_maintain_pool", staticmethod(counted))
    with worker_pool(2) as pool:
        assert pool is not None
        for _ in range(20):
            answers = pool.map_async(_big_answer, range(8), chunksize=1)
            sum(i * i for i in range(200_000))  # the importing process works meanwhile
            assert len(answers.get()) == 8
    assert loops[0] < 200, f"the maintenance thread looped {loops[0]} times"


def _big_answer(_: int) -> str:
    return "x" * 300_000
