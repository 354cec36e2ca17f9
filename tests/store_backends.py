"""Throw-away PostgreSQL databases for the store tests.

One database is migrated per test session and used as a template; every test gets its own
copy (``CREATE DATABASE ... TEMPLATE`` copies files, far faster than migrating again), so
tests never see each other's rows and can run in any order. The user of
``TEST_DATABASE_URL`` needs CREATEDB (the cluster of .ci/postgres.sh runs as postgres).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, make_url, pool, text

from data.store.db import make_engine, upgrade


def _admin(admin_url: str) -> Engine:
    """CREATE/DROP DATABASE cannot run inside a transaction block."""
    return create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)


@contextmanager
def scratch_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new database (a copy of ``template`` when given) on the cluster of ``admin_url``; dropped after."""
    name = f"hotspots_t_{uuid.uuid4().hex[:12]}"
    admin = _admin(admin_url)
    source = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_template(admin_url: str) -> Iterator[str]:
    """A database brought to the newest revision from empty; yields its name for TEMPLATE."""
    with scratch_database(admin_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()  # a template must have no open connections when it is copied
        yield make_url(url).database or ""
