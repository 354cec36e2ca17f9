"""Account changes (admin page and CLI): each one audited with the real actor, each one
that takes a right away ending the user's open sessions at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from auth.sessions import revoke_user
from auth.users import User, check_role, hash_password
from data.messages import MessageError, msg
from data.store.schema import AuditRow, UserRow


class NoUser(MessageError, KeyError):
    """An account that does not exist (a KeyError for callers that look users up)."""


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    organisation_id: str | None = None,
    demo: bool = False,
    actor: str,
) -> User:
    """A new account; an existing name is refused (changes have their own functions)."""
    username = username.strip()
    if not username:
        raise MessageError(msg("user_name_empty"))
    row = UserRow(
        username=username,
        password_hash=hash_password(password),
        role=check_role(role),
        organisation_id=organisation_id or None,
        demo=demo,
        active=True,
    )
    with Session(engine) as session, session.begin():
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
            raise MessageError(msg("user_exists", user=username))
        session.add(row)
        session.add(
            AuditRow(
                actor=actor,
                action="user_add",
                target=username,
                detail={"role": role, "organisation_id": organisation_id},
            )
        )
    return User(username, role, organisation_id or None)


def _row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username).with_for_update())
    if row is None:
        raise NoUser(msg("user_unknown", user=username))
    return row


def _check_admins_remain(session: Session, username: str) -> None:
    """Refuse a change that would leave no active admin (nobody could then manage users)."""
    others = session.scalar(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == "admin", UserRow.active.is_(True), UserRow.username != username)
    )
    if not others:
        raise MessageError(msg("last_admin"))


def set_password(engine: Engine, username: str, password: str, *, actor: str) -> int:
    """A new password; every open session of the user ends. Returns how many ended."""
    new_hash = hash_password(password)
    with Session(engine) as session, session.begin():
        _row(session, username).password_hash = new_hash
        ended = revoke_user(session, username)
        session.add(AuditRow(actor=actor, action="user_password", target=username, detail={"sessions_ended": ended}))
    return ended


def set_role(engine: Engine, username: str, role: str, *, actor: str) -> None:
    """A new role (read again on the user's next click: sessions need not end)."""
    check_role(role)
    with Session(engine) as session, session.begin():
        row = _row(session, username)
        if row.role == "admin" and role != "admin":
            _check_admins_remain(session, username)
        before, row.role = row.role, role
        session.add(AuditRow(actor=actor, action="user_role", target=username, detail={"from": before, "to": role}))


def set_active(engine: Engine, username: str, active: bool, *, actor: str, now: datetime | None = None) -> int:
    """Deactivate (every open session ends at once) or reactivate; returns the sessions ended."""
    with Session(engine) as session, session.begin():
        row = _row(session, username)
        if not active and row.role == "admin":
            _check_admins_remain(session, username)
        row.active = active
        ended = 0 if active else revoke_user(session, username, now=now or datetime.now(UTC))
        session.add(
            AuditRow(
                actor=actor,
                action="user_activate" if active else "user_deactivate",
                target=username,
                detail={"sessions_ended": ended},
            )
        )
    return ended
