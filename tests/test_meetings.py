"""A meeting's closing record round-trips through the store (SQLite and PostGIS)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from auth.users import User
from data import organisations
from data.store.schema import MeetingRow
from services import actions, meetings

COUNCIL = User("rada", "council")


def _setup(engine) -> None:
    with Session(engine) as session, session.begin():
        for oid, name, kind in (
            ("org-police", "Відділ поліції", "police"),
            ("org-clean", "ГО «Чисте місто»", "community"),
        ):
            organisations.save(session, organisations.Organisation(oid, name, None, kind))
        session.add(MeetingRow(id="m-7", date=date(2025, 4, 10), place="Бібліотека № 2"))


def test_closing_a_meeting_round_trips_and_links_both_ways(store) -> None:
    _setup(store)
    existing = actions.create(
        store, actions.ActionInput(description="Освітлення двору", owner="council", district="Центр"), user=COUNCIL
    )
    closure = meetings.Closure(
        minutes="Обговорили <script>x</script> освітлення; 3 пропозиції.",
        attendees=41,
        organisation_ids=["org-police", "org-clean"],
        public_summary="Домовились про 2 заходи",
        agreed=[
            actions.ActionInput(
                description="Рейди біля ринку", owner="police", district="Центр", owner_org_id="org-police"
            ),
            actions.ActionInput(
                description="Суботник", owner="community", district="Центр", owner_org_id="org-clean", status="proposed"
            ),
        ],
        agreed_ids=[existing],
    )
    ids = meetings.close(store, "m-7", closure, user=COUNCIL)
    got = meetings.record(store, "m-7")
    assert (got.closed, got.attendees, got.minutes, got.public_summary) == (
        True,
        41,
        closure.minutes,
        "Домовились про 2 заходи",
    )
    assert got.organisation_ids == ("org-clean", "org-police")
    assert sorted(got.action_ids) == sorted(ids) and len(ids) == 3
    plan = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id")
    assert set(plan.loc[ids, "meeting_id"]) == {"m-7"}
    public = meetings.public_meetings(store)
    assert public[["id", "month", "attendees", "n_organisations"]].values.tolist() == [["m-7", "2025-04", 41, 2]]
    assert public.loc[0, "agreed"].count("№") == 2  # the proposed action stays private
    assert "minutes" not in public.columns
    with pytest.raises(ValueError, match="meeting_closed_already"):
        meetings.close(store, "m-7", closure, user=COUNCIL)


def test_closing_needs_minutes_and_a_council_user(store) -> None:
    _setup(store)
    with pytest.raises(ValueError, match="meeting_no_minutes"):
        meetings.close(store, "m-7", meetings.Closure(minutes=" ", attendees=3), user=COUNCIL)
    with pytest.raises(PermissionError):
        meetings.close(
            store, "m-7", meetings.Closure(minutes="x", attendees=3), user=User("ngo", "partner", "org-clean")
        )
