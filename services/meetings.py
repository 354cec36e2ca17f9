"""Meetings of the dialogue platform and their closing record (Decidim's meeting closure):
minutes, attendee count, attending organisations and the actions agreed there. An agreed
action points at its meeting (actions.meeting_id), so the link reads both ways."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from auth.roles import require
from auth.users import User
from data.messages import MessageError, MessageLookupError, msg
from data.store.schema import ActionRow, AuditRow, MeetingOrganisationRow, MeetingRow
from services.actions import ActionInput


@dataclass(frozen=True)
class Closure:
    minutes: str
    attendees: int
    organisation_ids: Sequence[str] = ()
    public_summary: str | None = None
    agreed: Sequence[ActionInput] = field(default_factory=tuple)  # new actions agreed at the meeting
    agreed_ids: Sequence[int] = ()  # existing actions agreed there

    def validate(self) -> None:
        if not self.minutes.strip():
            raise MessageError(msg("meeting_no_minutes"))
        if self.attendees < 0:
            raise MessageError(msg("meeting_attendees_negative"))
        for action in self.agreed:
            action.validate()


def close(engine: Engine, meeting_id: str, closure: Closure, *, user: User) -> list[int]:
    """Close a meeting with its record; creates the agreed actions linked to it and links
    the existing ones. Council and admins; audited. Returns the agreed actions' ids."""
    require(user.role, "edit_actions")
    closure.validate()
    with Session(engine) as session, session.begin():
        meeting = session.get(MeetingRow, meeting_id)
        if meeting is None:
            raise MessageLookupError(msg("meeting_unknown", id=str(meeting_id)))
        if meeting.closed_at is not None:
            raise MessageError(msg("meeting_closed_already", id=str(meeting_id)))
        meeting.minutes = closure.minutes.strip()
        meeting.public_summary = (closure.public_summary or "").strip() or None
        meeting.attendees = closure.attendees
        meeting.closed_at = datetime.now(UTC)
        meeting.closed_by = user.username
        for org_id in dict.fromkeys(closure.organisation_ids):
            session.add(MeetingOrganisationRow(meeting_id=meeting_id, organisation_id=org_id))
        ids = []
        for data in closure.agreed:
            row = ActionRow(**(data.__dict__ | {"meeting_id": meeting_id}))
            session.add(row)
            session.flush()
            ids.append(int(row.id))
        for action_id in closure.agreed_ids:
            row = session.get(ActionRow, action_id)
            if row is None:
                raise MessageLookupError(msg("action_unknown", id=action_id))
            row.meeting_id = meeting_id
            ids.append(int(action_id))
        session.add(
            AuditRow(
                actor=user.username,
                action="meeting_close",
                target=f"meeting:{meeting_id}",
                detail={
                    "attendees": closure.attendees,
                    "organisations": list(closure.organisation_ids),
                    "actions": ids,
                },
            )
        )
        return ids


def add(engine: Engine, meeting_id: str, *, on: date, place: str, user: User) -> None:
    """Schedule a meeting (to be closed with its record afterwards)."""
    require(user.role, "edit_actions")
    if not meeting_id.strip() or not place.strip():
        raise MessageError(msg("meeting_needs_id_place"))
    with Session(engine) as session, session.begin():
        if session.get(MeetingRow, meeting_id.strip()) is not None:
            raise MessageError(msg("meeting_exists", id=str(meeting_id)))
        session.add(MeetingRow(id=meeting_id.strip(), date=on, place=place.strip()))


@dataclass(frozen=True)
class MeetingRecord:
    id: str
    date: date
    place: str
    attendees: int | None
    closed: bool
    minutes: str | None
    public_summary: str | None
    organisation_ids: tuple[str, ...]
    action_ids: tuple[int, ...]


def record(engine: Engine, meeting_id: str) -> MeetingRecord:
    """One meeting with its organisations and agreed actions (staff view)."""
    with Session(engine) as session:
        m = session.get(MeetingRow, meeting_id)
        if m is None:
            raise MessageLookupError(msg("meeting_unknown", id=str(meeting_id)))
        orgs = session.scalars(
            select(MeetingOrganisationRow.organisation_id)
            .where(MeetingOrganisationRow.meeting_id == meeting_id)
            .order_by(MeetingOrganisationRow.organisation_id)
        ).all()
        acts = session.scalars(
            select(ActionRow.id).where(ActionRow.meeting_id == meeting_id).order_by(ActionRow.id)
        ).all()
        return MeetingRecord(
            m.id,
            m.date,
            m.place,
            m.attendees,
            m.closed_at is not None,
            m.minutes,
            m.public_summary,
            tuple(orgs),
            tuple(int(a) for a in acts),
        )


def meetings_frame(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    """Every meeting (staff): date, place, attendees, closed, organisations (names), the
    agreed actions' ids and the minutes."""
    with Session(engine) as session:
        meetings = session.scalars(select(MeetingRow).order_by(MeetingRow.date, MeetingRow.id)).all()
        orgs: dict[str, list[str]] = {}
        attended = select(MeetingOrganisationRow.meeting_id, MeetingOrganisationRow.organisation_id)
        for mid, oid in session.execute(attended):
            orgs.setdefault(mid, []).append(names.get(oid, oid))
        acts: dict[str, list[int]] = {}
        agreed = select(ActionRow.id, ActionRow.meeting_id).where(ActionRow.meeting_id.is_not(None))
        for aid, mid in session.execute(agreed.order_by(ActionRow.id)):
            acts.setdefault(mid, []).append(int(aid))
        rows = [
            {
                "id": m.id,
                "date": m.date,
                "place": m.place,
                "attendees": m.attendees,
                "closed": m.closed_at is not None,
                "organisations": "; ".join(sorted(orgs.get(m.id, []))),
                "agreed": ", ".join(f"№{a}" for a in acts.get(m.id, [])),
                "minutes": m.minutes or "",
            }
            for m in meetings
        ]
    return pd.DataFrame(
        rows, columns=["id", "date", "place", "attendees", "closed", "organisations", "agreed", "minutes"]
    )


def public_meetings(engine: Engine) -> pd.DataFrame:
    """Closed meetings as the public sees them (public view): month, attendees, number of
    organisations, the public summary and the public actions agreed there."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, month, attendees, n_organisations, public_summary "
                "FROM public_meetings_view ORDER BY month, id"
            )
        ).all()
        agreed = conn.execute(
            text("SELECT id, meeting_id FROM public_actions_view WHERE meeting_id IS NOT NULL ORDER BY id")
        ).all()
    by_meeting: dict[str, list[str]] = {}
    for aid, mid in agreed:
        by_meeting.setdefault(mid, []).append(f"№{aid}")
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["id", "month", "attendees", "n_organisations", "public_summary"]
    )
    frame["agreed"] = frame["id"].map(lambda m: ", ".join(by_meeting.get(m, [])))
    return frame
