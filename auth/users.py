"""Users with argon2 password hashes; sign-in that tells nobody which names exist.

A known and an unknown name take the same path: the attempt is counted and throttled
under the typed name (auth/throttle.py), then exactly one argon2 verify runs, against the
user's hash or against a dummy hash of the same parameters, and both fail with the same
answer. Every try is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth import throttle
from auth.roles import ROLES
from data.messages import MessageError, msg
from data.runmode import demo_mode
from data.store.schema import AuditRow, UserRow

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    username: str
    role: str
    organisation_id: str | None = None  # an organisations.id (data/organisations.py)


class LoginThrottled(Exception):
    """Too many failed logins for this name or this client: try again after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"too many failed logins; try again in {int(wait.total_seconds())} s")
        self.wait = wait


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise MessageError(msg("password_too_short", n=MIN_PASSWORD))
    return _hasher.hash(password)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise MessageError(msg("role_unknown", role=str(role), roles=", ".join(ROLES)))
    return role


@cache
def _dummy_hash() -> str:
    """A hash of a random password with the hasher's parameters: unknown names cost one verify too."""
    return _hasher.hash(secrets.token_urlsafe(16))


def active_user(session: Session, username: str) -> User | None:
    """An active account; demo accounts (public passwords) only while in demo mode."""
    row = _active(session, username)
    return User(row.username, row.role, row.organisation_id) if row else None


def _active(session: Session, username: str) -> UserRow | None:
    row = session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
    return None if row is None or (row.demo and not demo_mode()) else row


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    engine: Engine, username: str, password: str, *, client: str | None = None, now: datetime | None = None
) -> User | None:
    """The user if the password is right; None otherwise (the same for unknown names).

    Raises LoginThrottled while the name or the client `client` (an IP address) must wait.
    """
    now = now or datetime.now(UTC)
    user_key, ip_key = throttle.user_key(username), throttle.ip_key(client)
    wait = throttle.admit(engine, [user_key, ip_key], now)
    if wait > timedelta(0):
        _audit(engine, username, "login_throttled", client)
        raise LoginThrottled(wait)
    with Session(engine) as session:
        row = _active(session, username)
        found = (row.password_hash, User(row.username, row.role, row.organisation_id)) if row else None
    ok = _verify(found[0] if found else _dummy_hash(), password)
    if not (ok and found):
        _audit(engine, username, "login_failed", client)
        return None
    throttle.succeeded(engine, user_key, ip_key, now)
    _audit(engine, username, "login", client)
    return found[1]


def _audit(engine: Engine, username: str, action: str, client: str | None) -> None:
    with Session(engine) as session, session.begin():
        session.add(AuditRow(actor=username[:100], action=action, target=username[:200], detail={"client": client}))


def get_user(engine: Engine, username: str) -> User | None:
    with Session(engine) as session:
        return active_user(session, username)
