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
from data.messages import MessageError, MessageLookupError, MessagePermissionError, msg
from data.organisations import organisations
from data.store.schema import ActionRow, AuditRow, MilestoneRow

OWNERS = ("police", "council", "community")
#: proposed: a solution raised at a meeting; rejected: turned down, with the reason said
STATUSES = ("proposed", "open", "in_progress", "done", "rejected")
EDITABLE = (
    "description",
    "due_date",
    "status",
    "public_note",
    "owner",
    "owner_org_id",
    "partners",
    "cell",
    "district",
    "progress",
    "parent_id",
    "weight",
    "cost",
    "starts_on",
    "ends_on",
    "reject_reason",
    "meeting_id",
)
PARTNER_EDITABLE = ("status", "public_note", "progress")


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
    progress: int = 0
    parent_id: int | None = None
    weight: float | None = None
    cost: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    reject_reason: str | None = None
    meeting_id: str | None = None

    def validate(self) -> None:
        if not self.description.strip():
            raise MessageError(msg("action_no_description"))
        if self.owner not in OWNERS:
            raise MessageError(msg("action_owner_unknown", owner=str(self.owner)))
        if self.status not in STATUSES:
            raise MessageError(msg("action_status_unknown", status=str(self.status)))
        if not (self.cell or self.district):
            raise MessageError(msg("action_no_place"))
        if not 0 <= int(self.progress) <= 100:
            raise MessageError(msg("action_progress_range"))
        if self.status == "rejected" and not (self.reject_reason or "").strip():
            raise MessageError(msg("action_reject_no_reason"))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise MessageError(msg("action_period_reversed"))
        if self.cost is not None and self.cost < 0:
            raise MessageError(msg("action_cost_negative"))
        if self.weight is not None and self.weight <= 0:
            raise MessageError(msg("action_weight_not_positive"))


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
    frame["progress_total"] = rolled_up(frame)
    return frame


def rolled_up(plan: pd.DataFrame) -> pd.Series:
    """Each action's progress with its children rolled up (Decidim's accountability): a
    parent's progress is the weighted mean of its children's rolled-up progress (weight
    None = 1); rejected children do not count; an action without children keeps its own.
    Indexed like `plan`."""
    if plan.empty:
        return pd.Series(dtype="float64", index=plan.index)
    own = dict(zip(plan["id"].astype(int), plan["progress"].fillna(0).astype(float), strict=True))
    weights = dict(zip(plan["id"].astype(int), plan["weight"].fillna(1.0).astype(float), strict=True))
    children: dict[int, list[int]] = {}
    for aid, parent, status in zip(plan["id"], plan["parent_id"], plan["status"], strict=True):
        if parent is not None and not pd.isna(parent) and status != "rejected":
            children.setdefault(int(parent), []).append(int(aid))
    done: dict[int, float] = {}

    def value(aid: int, seen: frozenset[int]) -> float:
        if aid in done:
            return done[aid]
        kids = [k for k in children.get(aid, []) if k not in seen]
        if not kids:
            result = own[aid]
        else:
            total = sum(weights[k] for k in kids)
            result = sum(weights[k] * value(k, seen | {k}) for k in kids) / total
        done[aid] = result
        return result

    return pd.Series([value(int(a), frozenset({int(a)})) for a in plan["id"]], index=plan.index, dtype="float64")


def milestones_frame(engine: Engine, action_ids: list[int] | None = None) -> pd.DataFrame:
    """Dated milestones (title, date, text) of the actions, oldest first."""
    cols = ["id", "action_id", "title", "on_date", "text", "created_by"]
    query = select(*[getattr(MilestoneRow, c) for c in cols]).order_by(MilestoneRow.on_date, MilestoneRow.id)
    if action_ids is not None:
        query = query.where(MilestoneRow.action_id.in_(action_ids))
    with Session(engine) as session:
        return pd.DataFrame([tuple(r) for r in session.execute(query)], columns=cols)


def add_milestone(engine: Engine, action_id: int, *, title: str, on_date: date, text: str | None, user: User) -> int:
    """A dated step on an action; partners add them to their organisation's actions only."""
    if not title.strip():
        raise MessageError(msg("milestone_no_title"))
    with Session(engine) as session, session.begin():
        row = session.get(ActionRow, action_id)
        if row is None:
            raise MessageLookupError(msg("action_unknown", id=action_id))
        _check_may_edit(user, row)
        milestone = MilestoneRow(
            action_id=action_id,
            title=title.strip(),
            on_date=on_date,
            text=(text or "").strip() or None,
            created_by=user.username,
        )
        session.add(milestone)
        session.flush()
        session.add(
            AuditRow(
                actor=user.username,
                action="milestone_add",
                target=f"action:{action_id}",
                detail={"new": {"title": milestone.title, "on_date": on_date.isoformat(), "text": milestone.text}},
            )
        )
        return int(milestone.id)


def _check_may_edit(user: User, row: ActionRow) -> None:
    if can(user.role, "edit_actions"):
        return
    require(user.role, "edit_own_actions")
    if not may_edit(user, row):
        raise MessagePermissionError(msg("action_other_organisation"))


def may_edit(user: User, action: pd.Series | ActionRow) -> bool:
    """Whether `user` may edit this action (a row of actions_frame or an ActionRow)."""
    if can(user.role, "edit_actions"):
        return True
    owner = action["owner_org_id"] if isinstance(action, pd.Series | dict) else action.owner_org_id
    return can(user.role, "edit_own_actions") and bool(user.organisation_id) and owner == user.organisation_id


def editable(plan: pd.DataFrame, user: User) -> pd.DataFrame:
    """The rows of actions_frame that `user` may edit (:func:`may_edit` of each row, decided
    for the whole column at once)."""
    if can(user.role, "edit_actions") or not len(plan):
        return plan
    if not (can(user.role, "edit_own_actions") and user.organisation_id):
        return plan.iloc[0:0]
    return plan[(plan["owner_org_id"] == user.organisation_id).to_numpy(dtype=bool)]


def may_create(user: User) -> bool:
    return can(user.role, "edit_actions")


def organisation_names(engine: Engine, lang: str = "uk") -> dict[str, str]:
    """Organisation id -> name in `lang`, for choosing an owner."""
    return {org_id: org.name(lang) for org_id, org in organisations(engine).items()}


def organisation_kind(engine: Engine, org_id: str | None) -> str:
    """The plan's owner group for an organisation: police, council, or community (community
    groups and businesses alike); the council when none is named."""
    if org_id is None:
        return "council"
    kind = organisations(engine)[org_id].kind
    return kind if kind in ("police", "council") else "community"


def changes(current: pd.Series | ActionRow, wanted: dict[str, Any]) -> dict[str, Any]:
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
        session.add(
            AuditRow(
                actor=user.username,
                action="action_create",
                target=f"action:{row.id}",
                detail={"new": _jsonable(data.__dict__)},
            )
        )
        return int(row.id)


def update(engine: Engine, action_id: int, changes: dict[str, Any], *, user: User) -> None:
    """Edit an action; a partner may only touch the actions its organisation owns. Only the
    given fields change; their previous values are kept in the audit log."""
    if not changes:
        return
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise MessageError(msg("action_fields_not_editable", fields=", ".join(sorted(unknown))))
    with Session(engine) as session, session.begin():
        row = session.get(ActionRow, action_id)
        if row is None:
            raise MessageLookupError(msg("action_unknown", id=action_id))
        _check_may_edit(user, row)
        if not can(user.role, "edit_actions") and set(changes) - set(PARTNER_EDITABLE):
            raise MessagePermissionError(msg("action_partner_fields"))
        if changes.get("parent_id") is not None:
            _check_no_cycle(session, action_id, int(changes["parent_id"]))
        original = {key: getattr(row, key) for key in changes}
        merged = ActionInput(**{k: getattr(row, k) for k in ActionInput.__dataclass_fields__} | changes)
        merged.validate()
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = datetime.now(UTC)
        session.add(
            AuditRow(
                actor=user.username,
                action="action_edit",
                target=f"action:{action_id}",
                detail={"original": _jsonable(original), "new": _jsonable(changes)},
            )
        )


def _check_no_cycle(session: Session, action_id: int, parent_id: int) -> None:
    """A parent may not be the action itself or one of its descendants."""
    seen, current = set(), parent_id
    while current is not None:
        if current == action_id or current in seen:
            raise MessageError(msg("action_parent_cycle"))
        seen.add(current)
        parent = session.get(ActionRow, current)
        if parent is None:
            raise MessageError(msg("action_no_parent", id=current))
        current = parent.parent_id


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
