"""The store's version: one number that changes with every write to the data tables.

Database triggers keep it (migration ``issue19a_store_version``), so it also moves when a
CLI import, a worker process or plain SQL writes. Reading it is one tiny query, cheap
enough to run on every page view as the key of the page caches.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

_READ = {
    "postgresql": "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM store_version_seq",
    "sqlite": "SELECT n FROM store_version WHERE id = 1",
}


def store_version(engine: Engine) -> int:
    """The current version (grows on every insert, update or delete of a watched table)."""
    with engine.connect() as conn:
        return int(conn.execute(text(_READ[engine.dialect.name])).scalar_one())
