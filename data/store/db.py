"""Engine creation and schema upgrade: every entry point calls :func:`open_store`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect

from data.city_profile import city_zone
from data.store.localtime import ensure_local_months

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = ROOT / "var"
DEFAULT_URL = f"sqlite:///{VAR_DIR / 'hotspots.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    """`DATABASE_URL` from the environment, else the SQLite file in var/."""
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL lets the dashboard read while an import writes; FKs are off by default in SQLite."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


IMPORT_CACHE_MB = 64  # SQLite's page cache during a bulk import (its default is 2 MB)


@contextmanager
def bulk_page_cache(conn: Connection, mb: int = IMPORT_CACHE_MB) -> Iterator[None]:
    """A larger SQLite page cache for the duration of a bulk write, then the one before.

    Why: a big import is one transaction; with the default 2 MB cache the reports table's
    indexes soon no longer fit, so inserts re-read index pages through the OS and spill
    dirty ones into the WAL early (docs/SCALING.md has what it saves). At most ``mb`` MB
    more memory, only while the import runs. Other engines: no-op.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(mb) * 1024}")  # negative: KiB
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (no-op when it is current)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@cache
def open_store(url: str | None = None) -> Engine:
    """The engine for `url` (default: :func:`database_url`) with an up-to-date schema and
    the reports' months in the city's time zone."""
    engine = make_engine(url or database_url())
    upgrade(engine)
    ensure_local_months(engine, city_zone().key)
    return engine


def table_names(engine: Engine) -> list[str]:
    """The store's tables; PostGIS's own ``spatial_ref_sys`` is left out so both backends agree."""
    return sorted(set(inspect(engine).get_table_names()) - {"spatial_ref_sys"})


@cache
def public_engine() -> Engine:
    """The engine of the public pages: ``PUBLIC_DATABASE_URL`` (PostgreSQL's read-only
    ``hotspots_public`` role, see docs/OPERATIONS.md) when set, else the main store."""
    url = os.environ.get("PUBLIC_DATABASE_URL")
    return make_engine(url) if url else open_store()
