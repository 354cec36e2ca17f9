"""The store's version: one number that changes with every write to the data tables.

Database triggers keep it (migration ``issue19a_store_version``), so it also moves when a
CLI import, a worker process or plain SQL writes. Reading it is one tiny query, cheap
enough to run on every page view as the key of the page caches.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

_READ = {
    "postgresql": "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM store_version_seq",
    "sqlite": "SELECT n FROM store_version WHERE id = 1",
}


def store_version(engine: Engine) -> int:
    """The current version (grows on every insert, update or delete of a watched table)."""
    with engine.connect() as conn:
        return int(conn.execute(text(_READ[engine.dialect.name])).scalar_one())


BULK_MIN_ROWS = 200  # below this, dropping and re-creating a trigger costs more than it saves


def insert_counted(conn: Connection, table: str, n_rows: int, insert: Callable[[], int], event: str = "insert") -> None:
    """Run ``insert`` (a bulk INSERT into ``table`` returning how many rows it stored; or,
    with ``event="update"``, a bulk UPDATE returning how many rows it changed) and
    move the version as the row trigger would have: on SQLite, by those rows, with the
    table's version trigger dropped meanwhile inside the same transaction.

    Why: the mere presence of an AFTER INSERT trigger makes SQLite insert into the
    indexed reports table at less than half the speed (~13 us a row), a tenth of an
    import's time. Dropping it is a schema change of the import's own transaction: other
    connections keep seeing it (and cannot write meanwhile), a rollback restores it, and
    the version ends where the trigger would have taken it. Outside a transaction, on
    small batches or where the trigger is missing, ``insert`` runs as it is.
    """
    name = f"{table}_store_version_{event}"  # migration issue19a_store_version
    driver = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or n_rows < BULK_MIN_ROWS or not getattr(driver, "in_transaction", False):
        insert()
        return
    found = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,))
    create = found.scalar()
    if create is None:
        insert()
        return
    conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        stored = insert()
        conn.exec_driver_sql("UPDATE store_version SET n = n + ? WHERE id = 1", (stored,))
    finally:  # back even when the insert failed and the caller goes on
        conn.exec_driver_sql(create)
