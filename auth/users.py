"""Users with argon2 password hashes; failed logins are slowed down and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth.roles import ROLES
from data.store.schema import AuditRow, UserRow
from services.clock import demo_mode

_hasher = PasswordHasher()
#: after this many failures in a row, each further try must wait longer (doubling)
FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    organisation_id: str | None = None  # an organisations.id (data/organisations.py)


class LoginThrottled(Exception):
    """Too many failed logins: try again after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"too many failed logins; try again in {int(wait.total_seconds())} s")
        self.wait = wait


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(engine: Engine, username: str, password: str, role: str, *, organisation_id: str | None = None,
             demo: bool = False) -> User:
    """Create or update a user (the first admin comes from `python cli.py users add`)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    with Session(engine) as session, session.begin():
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            row = UserRow(username=username, password_hash="", role=role)
            session.add(row)
        row.password_hash, row.role, row.organisation_id, row.demo = (hash_password(password), role,
                                                                       organisation_id or None, demo)
        row.active, row.failed_logins = True, 0
        session.add(AuditRow(actor="cli", action="user_add", target=username, detail={"role": role}))
    return User(username, role, organisation_id or None)


def _active(session: Session, username: str) -> UserRow | None:
    """An active account; demo accounts (public passwords) only while in demo mode."""
    row = session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
    return None if row is None or (row.demo and not demo_mode()) else row


def _delay(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_DELAY, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


def authenticate(engine: Engine, username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The user if the password is right; None otherwise. Every try is audited."""
    now = now or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        row = _active(session, username)
        wait = timedelta(0)
        if row is not None and row.last_failed_at is not None:
            wait = row.last_failed_at + _delay(row.failed_logins) - now
        if wait > timedelta(0):
            session.add(AuditRow(actor=username, action="login_throttled", target=username))
    if wait > timedelta(0):
        raise LoginThrottled(wait)
    with Session(engine) as session, session.begin():
        row = _active(session, username)
        ok = False
        if row is not None:
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        if not ok:
            if row is not None:
                row.failed_logins += 1
                row.last_failed_at = now
            session.add(AuditRow(actor=username, action="login_failed", target=username))
            return None
        row.failed_logins, row.last_failed_at = 0, None
        session.add(AuditRow(actor=username, action="login", target=username))
        return User(row.username, row.role, row.organisation_id)


def get_user(engine: Engine, username: str) -> User | None:
    with Session(engine) as session:
        row = _active(session, username)
        return User(row.username, row.role, row.organisation_id) if row else None
