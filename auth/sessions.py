"""Server-side sessions: an opaque random id per sign-in, checked against the store on every run.

The browser holds only the id (in an HttpOnly cookie, never in a URL); the store holds its
SHA-256, the user, and the times that end it: 30 minutes without use, 8 hours after
sign-in, or a revocation (sign-out, deactivation, password change). The role is read from
the user row on every check, so a role change applies at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from auth.users import User, active_user
from data.store.schema import SessionRow

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
#: last_seen_at is written at most this often (a Streamlit page reruns on every click)
TOUCH_EVERY = timedelta(minutes=1)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(engine: Engine, username: str, *, now: datetime | None = None) -> str:
    """A new session id for `username` (a new one at every sign-in, never reused)."""
    now = now or datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        session.add(
            SessionRow(
                id_hash=_digest(session_id),
                username=username,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE,
            )
        )
    return session_id


def resolve(engine: Engine, session_id: str | None, *, now: datetime | None = None) -> User | None:
    """The signed-in user of a live session; None for an unknown, revoked, idle or expired one,
    or when the account was deactivated."""
    if not session_id:
        return None
    now = now or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        row = session.get(SessionRow, _digest(session_id))
        if row is None or row.revoked_at is not None or now >= row.expires_at or now - row.last_seen_at >= IDLE:
            return None
        user = active_user(session, row.username)
        if user is None:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return user


def revoke(engine: Engine, session_id: str | None, *, now: datetime | None = None) -> None:
    """End one session (sign-out)."""
    if not session_id:
        return
    with Session(engine) as session, session.begin():
        session.execute(
            update(SessionRow)
            .where(SessionRow.id_hash == _digest(session_id), SessionRow.revoked_at.is_(None))
            .values(revoked_at=now or datetime.now(UTC))
        )


def revoke_user(session: Session, username: str, *, now: datetime | None = None) -> int:
    """End every session of `username` inside the caller's transaction (deactivation,
    password change); returns how many were open."""
    done = session.execute(
        update(SessionRow)
        .where(SessionRow.username == username, SessionRow.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    return done.rowcount
