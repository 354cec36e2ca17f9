"""Administration: users and roles, the audit log, the retention purge.

Every function checks the actor's right itself (a page hidden from a role is not the only
guard) and records the real actor in the audit log.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from auth import accounts
from auth.roles import require
from auth.users import User
from data.messages import MessageError, msg
from data.organisations import Organisation
from data.organisations import organisations as all_organisations
from data.store.ops import PurgeSummary, purge
from data.store.schema import AuditRow, UserRow
from i18n import code_label, t

#: the word an admin types to run the purge after reading its dry run
PURGE_WORD = "PURGE"


def users_frame(engine: Engine, *, actor: User) -> pd.DataFrame:
    require(actor.role, "manage_users")
    cols = ["username", "role", "organisation_id", "active", "demo", "created_at"]
    with Session(engine) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(select(UserRow).order_by(UserRow.username))]
    return pd.DataFrame.from_records(rows, columns=cols)


def add_user(
    engine: Engine, username: str, password: str, role: str, *, organisation_id: str | None, actor: User
) -> User:
    """A new account; an existing name is refused."""
    require(actor.role, "manage_users")
    return accounts.create_user(engine, username, password, role, organisation_id=organisation_id, actor=actor.username)


def organisations(engine: Engine) -> dict[str, Organisation]:
    """The organisation records a user can belong to, by id."""
    return all_organisations(engine)


def change_password(engine: Engine, username: str, password: str, *, actor: User) -> int:
    require(actor.role, "manage_users")
    return accounts.set_password(engine, username, password, actor=actor.username)


def change_role(engine: Engine, username: str, role: str, *, actor: User) -> None:
    require(actor.role, "manage_users")
    accounts.set_role(engine, username, role, actor=actor.username)


def set_active(engine: Engine, username: str, active: bool, *, actor: User) -> int:
    """Deactivate (the user's open sessions end) or reactivate an account."""
    require(actor.role, "manage_users")
    if not active and username == actor.username:
        raise MessageError(msg("deactivate_self"))
    return accounts.set_active(engine, username, active, actor=actor.username)


def audit_frame(engine: Engine, *, actor: User, limit: int = 500) -> pd.DataFrame:
    require(actor.role, "manage_users")
    cols = ["id", "at", "actor", "action", "target", "detail"]
    with Session(engine) as session:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        rows = [{c: getattr(r, c) for c in cols} for r in session.scalars(query)]
    return pd.DataFrame.from_records(rows, columns=cols)


def purge_preview(engine: Engine, now: datetime, *, actor: User) -> PurgeSummary:
    """What the retention purge would do now (nothing changes; the look is audited)."""
    require(actor.role, "purge")
    summary = purge(engine, now, actor=actor.username, dry_run=True)
    with Session(engine) as session, session.begin():
        session.add(
            AuditRow(actor=actor.username, action="purge_dry_run", target="retention", detail=summary.as_dict())
        )
    return summary


def purge_confirmed(engine: Engine, preview: PurgeSummary | None, confirmation: str, *, actor: User) -> PurgeSummary:
    """Run the purge the admin saw in `preview`, once they typed PURGE_WORD (audited by the purge)."""
    require(actor.role, "purge")
    if preview is None or not preview.dry_run:
        raise MessageError(msg("purge_preview_first"))
    if confirmation.strip() != PURGE_WORD:
        raise MessageError(msg("purge_type_word", word=PURGE_WORD))
    return purge(engine, datetime.fromisoformat(preview.now), actor=actor.username)


def users_table(engine: Engine, *, actor: User, lang: str) -> pd.DataFrame:
    """The accounts as the admin page shows them: role and organisation by name, headers in `lang`."""
    frame = users_frame(engine, actor=actor)
    orgs = organisations(engine)
    shown = frame.assign(
        role=frame["role"].map(lambda r: code_label("role", r, lang)),
        organisation_id=frame["organisation_id"].map(
            lambda o: orgs[o].name(lang) if o in orgs else (o if isinstance(o, str) else "")
        ),
    )
    return shown.rename(columns={"organisation_id": "organisation"}).rename(columns=lambda c: t("table." + c, lang))


def audit_table(engine: Engine, *, actor: User, lang: str, limit: int = 500) -> pd.DataFrame:
    """The audit log as the admin page shows it: actions by name, headers in `lang`; the
    detail stays the stored record (a log entry is shown as it was written, not reworded)."""
    frame = audit_frame(engine, actor=actor, limit=limit)
    shown = frame.assign(
        action=frame["action"].map(lambda a: code_label("audit_action", a, lang)),
        detail=frame["detail"].map(_detail_text),
    )
    return shown.rename(columns=lambda c: t("table." + c, lang))


def _detail_text(detail: object) -> str:
    """The detail's set fields as compact JSON (empty ones left out: they say nothing)."""
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    return json.dumps({k: v for k, v in detail.items() if v not in (None, [], {})}, ensure_ascii=False, default=str)


def purge_table(summary: PurgeSummary, lang: str) -> pd.DataFrame:
    """A purge run (or its preview) as the admin page shows it: one named line per figure."""
    return pd.DataFrame(
        {
            t("table.purge_item", lang): [t("purge_item." + k, lang) for k in summary.as_dict()],
            t("table.purge_value", lang): [_purge_value(v, lang) for v in summary.as_dict().values()],
        }
    )


def _purge_value(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return t("purge_item.yes" if value else "purge_item.no", lang)
    return str(value)
