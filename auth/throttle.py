"""Back-off for sign-in attempts, counted atomically in the store.

Every attempt is counted before its password is checked, in one transaction that holds
the counters' rows (an upsert takes the row lock on PostgreSQL and the write lock on
SQLite): parallel tries see each other's counts, so twelve at once are twelve, and only
the free ones reach the password hasher. A correct password takes its attempt back.

Keys: ``user:<typed name>`` for every typed name, known or not (an unknown name is
throttled exactly like a real one, so throttling reveals no account), and
``ip:<client address>``, which slows one client trying many names.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data.store.schema import LoginFailureRow

#: tries per key before each further one must wait (2 s, 4 s, 8 s, ... up to MAX_DELAY)
FREE_TRIES = {"user": 3, "ip": 10}
MAX_DELAY = timedelta(minutes=15)
#: a key's count starts again after this long without a checked attempt
FORGET_AFTER = timedelta(hours=1)


def user_key(username: str) -> str:
    return f"user:{username.casefold()}"


def ip_key(address: str | None) -> str:
    return f"ip:{address or 'local'}"


def delay(failures: int, free: int) -> timedelta:
    """How long after the last checked attempt the next one may run."""
    if failures < free:
        return timedelta(0)
    return min(MAX_DELAY, timedelta(seconds=2 ** min(failures - free + 1, 20)))


def _count(session: Session, key: str, now: datetime) -> tuple[int, datetime | None]:
    """Add one attempt to `key` atomically; the count before it and the last checked attempt."""
    table = LoginFailureRow.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stale = table.c.last_failed_at < now - FORGET_AFTER
    statement = (
        insert(table)
        .values(key=key, failures=1, last_failed_at=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failed_at": case((stale, None), else_=table.c.last_failed_at),
            },
        )
        .returning(table.c.failures, table.c.last_failed_at)
    )
    failures, last = session.execute(statement).one()
    return failures - 1, last


def admit(engine: Engine, keys: list[str], now: datetime) -> timedelta:
    """Count one attempt against every key; how long it must still wait (zero: check it now).

    Keys are taken in the order given (user before address), so two attempts never wait
    on each other's locks in a cycle.
    """
    with Session(engine) as session, session.begin():
        wait = timedelta(0)
        for key in keys:
            before, last = _count(session, key, now)
            if last is not None:
                wait = max(wait, last + delay(before, FREE_TRIES[key.split(":", 1)[0]]) - now)
        if wait <= timedelta(0):
            session.execute(update(LoginFailureRow).where(LoginFailureRow.key.in_(keys)).values(last_failed_at=now))
    return max(wait, timedelta(0))


def succeeded(engine: Engine, user: str, address: str, now: datetime) -> None:
    """A right password: the name starts afresh, the address gets its attempt back, and
    counters nobody used for a while go."""
    with Session(engine) as session, session.begin():
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == user))
        session.execute(
            update(LoginFailureRow)
            .where(LoginFailureRow.key == address, LoginFailureRow.failures > 0)
            .values(failures=LoginFailureRow.failures - 1)
        )
    with Session(engine) as session, session.begin():
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.last_failed_at < now - FORGET_AFTER))


def failures(engine: Engine, key: str) -> int:
    """The current count of `key` (audit and tests)."""
    with Session(engine) as session:
        row = session.get(LoginFailureRow, key)
        return row.failures if row else 0
