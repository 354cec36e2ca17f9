"""The joint action plan: actions linked to a hotspot cell or a microdistrict.

Council and admins create and edit any action; partners (community organisations and
businesses of the dialogue platform) update only the actions their organisation owns.
Every change is audited with the original values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth.roles import can, require
from auth.users import User
from data.organisations import organisations
from data.store.schema import ActionRow, AuditRow

OWNERS = ("police", "council", "community")
STATUSES = ("proposed", "open", "in_progress", "done")  # proposed: a solution raised at a meeting
EDITABLE = ("description", "due_date", "status", "public_note", "owner", "owner_org_id", "partners", "cell",
            "district")
PARTNER_EDITABLE = ("status", "public_note")


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str
    due_date: date | None = None
    cell: str | None = None
    district: str | None = None
    owner_org_id: str | None = None
    partners: str | None = None
    status: str = "open"
    public_note: str | None = None

    def validate(self) -> None:
        if not self.description.strip():
            raise ValueError("describe the action")
        if self.owner not in OWNERS:
            raise ValueError(f"owner must be one of {', '.join(OWNERS)}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if not (self.cell or self.district):
            raise ValueError("link the action to a hotspot cell or a microdistrict")


def actions_frame(engine: Engine, *, today: date, lang: str = "uk") -> pd.DataFrame:
    """All actions with an `overdue` flag (past due and not done) and `owner_org`, the
    owning organisation's name (for display; rights go by `owner_org_id`)."""
    cols = [c.name for c in ActionRow.__table__.columns]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(ActionRow).order_by(ActionRow.id))]
    frame = pd.DataFrame.from_records(rows, columns=cols)
    due = pd.to_datetime(frame["due_date"])
    frame["overdue"] = (frame["status"] != "done") & due.notna() & (due < pd.Timestamp(today))
    names = organisation_names(engine, lang)
    frame["owner_org"] = frame["owner_org_id"].map(lambda o: names.get(o) if o else None)
    return frame


def may_edit(user: User, action: Any) -> bool:
    """Whether `user` may edit this action (a row of actions_frame or an ActionRow)."""
    if can(user.role, "edit_actions"):
        return True
    owner = action["owner_org_id"] if isinstance(action, pd.Series | dict) else action.owner_org_id
    return can(user.role, "edit_own_actions") and bool(user.organisation_id) and owner == user.organisation_id


def editable(plan: pd.DataFrame, user: User) -> pd.DataFrame:
    """The rows of actions_frame that `user` may edit."""
    return plan[[may_edit(user, row) for _, row in plan.iterrows()]] if len(plan) else plan


def may_create(user: User) -> bool:
    return can(user.role, "edit_actions")


def organisation_names(engine: Engine, lang: str = "uk") -> dict[str, str]:
    """Organisation id -> name in `lang`, for choosing an owner."""
    return {org_id: org.name(lang) for org_id, org in organisations(engine).items()}


def changes(current: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose wanted value differs from the current one (empty text = None),
    so a form that shows every field saves only what the person changed."""
    def same(a: Any, b: Any) -> bool:
        a = None if a is None or (isinstance(a, float) and pd.isna(a)) or a == "" else a
        b = None if b is None or b == "" else b
        if isinstance(a, pd.Timestamp):
            a = a.date()
        return a == b
    return {k: (None if v == "" else v) for k, v in wanted.items() if not same(current[k], v)}


def create(engine: Engine, data: ActionInput, *, user: User) -> int:
    require(user.role, "edit_actions")
    data.validate()
    with Session(engine) as session, session.begin():
        row = ActionRow(**data.__dict__)
        session.add(row)
        session.flush()
        session.add(AuditRow(actor=user.username, action="action_create", target=f"action:{row.id}",
                             detail={"new": _jsonable(data.__dict__)}))
        return int(row.id)


def update(engine: Engine, action_id: int, changes: dict[str, Any], *, user: User) -> None:
    """Edit an action; a partner may only touch the actions its organisation owns. Only the
    given fields change; their previous values are kept in the audit log."""
    if not changes:
        return
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    with Session(engine) as session, session.begin():
        row = session.get(ActionRow, action_id)
        if row is None:
            raise KeyError(f"no action {action_id}")
        if not can(user.role, "edit_actions"):
            require(user.role, "edit_own_actions")
            if not may_edit(user, row):
                raise PermissionError(f"{user.username} may only update the actions of organisation "
                                      f"{user.organisation_id!r}")
            if set(changes) - set(PARTNER_EDITABLE):
                raise PermissionError("partners may update the status and the public note only")
        original = {key: getattr(row, key) for key in changes}
        merged = ActionInput(**{k: getattr(row, k) for k in ActionInput.__dataclass_fields__} | changes)
        merged.validate()
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = datetime.now(UTC)
        session.add(AuditRow(actor=user.username, action="action_edit", target=f"action:{action_id}",
                             detail={"original": _jsonable(original), "new": _jsonable(changes)}))


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
