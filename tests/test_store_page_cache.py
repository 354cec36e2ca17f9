"""The import's larger SQLite page cache holds only while the import runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine

from data.store.db import bulk_page_cache


def test_page_cache_is_larger_inside_and_restored_after(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with bulk_page_cache(conn, mb=48):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -48 * 1024
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
        try:
            with bulk_page_cache(conn, mb=16):
                raise RuntimeError("the import failed")
        except RuntimeError:
            pass
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
    engine.dispose()
