"""Administration: users and roles, the audit log (admins only, checked here)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth.roles import require
from data.store.ops import purge
from auth.users import User, add_user
from data.organisations import Organisation
from data.organisations import organisations as all_organisations
from data.store.schema import AuditRow, UserRow


def users_frame(engine: Engine, *, actor: User) -> pd.DataFrame:
    require(actor.role, "manage_users")
    cols = ["username", "role", "organisation_id", "active", "demo", "failed_logins", "created_at"]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(UserRow).order_by(UserRow.username))]
    return pd.DataFrame.from_records(rows, columns=cols)


def save_user(engine: Engine, username: str, password: str, role: str, *, organisation_id: str | None,
              actor: User) -> User:
    require(actor.role, "manage_users")
    return add_user(engine, username, password, role, organisation_id=organisation_id)


def organisations(engine: Engine) -> dict[str, Organisation]:
    """The organisation records a user can belong to, by id."""
    return all_organisations(engine)


def set_active(engine: Engine, username: str, active: bool, *, actor: User) -> None:
    require(actor.role, "manage_users")
    with Session(engine) as session, session.begin():
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise KeyError(f"no user {username!r}")
        row.active = active
        session.add(AuditRow(actor=actor.username, action="user_active", target=username, detail={"active": active}))


def audit_frame(engine: Engine, *, actor: User, limit: int = 500) -> pd.DataFrame:
    require(actor.role, "manage_users")
    cols = ["id", "at", "actor", "action", "target", "detail"]
    with Session(engine) as session:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(query)]
    return pd.DataFrame.from_records(rows, columns=cols)


def purge_now(engine: Engine, now: datetime, *, actor: User) -> dict:
    """The retention purge (admins only); returns what was removed."""
    require(actor.role, "purge")
    return purge(engine, now, actor=actor.username).as_dict()
