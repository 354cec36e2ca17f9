"""The joint action plan: who may create and edit, overdue flags, audit."""

from __future__ import annotations

from datetime import date

import pytest

from sqlalchemy.orm import Session

from auth.users import User
from data import organisations
from services import actions
from services.moderation import audit_trail

COUNCIL = User("rada", "council")
PARTNER = User("ngo", "partner", "org-clean")
OTHER_PARTNER = User("biz", "partner", "org-cafe")


def _new(engine, **extra) -> int:
    with Session(engine) as session, session.begin():
        organisations.save(session, organisations.Organisation("org-clean", "ГО «Чисте місто»", None, "community"))
        organisations.save(session, organisations.Organisation("org-cafe", "Кафе «Бриз»", None, "business"))
    data = actions.ActionInput(description="Прибрати звалище біля ринку", owner="community", district="Центр",
                               owner_org_id="org-clean", due_date=date(2025, 5, 1))
    return actions.create(engine, actions.ActionInput(**data.__dict__ | extra), user=COUNCIL)


def test_council_creates_and_overdue_is_flagged(store) -> None:
    action_id = _new(store)
    frame = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id")
    assert bool(frame.loc[action_id, "overdue"]) is True
    actions.update(store, action_id, {"status": "done", "public_note": "Звалище прибрано 20.05"}, user=COUNCIL)
    assert bool(actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id, "overdue"]) is False
    trail = audit_trail(store, f"action:{action_id}")
    assert trail[-1]["detail"]["original"] == {"status": "open", "public_note": None}


def test_partner_updates_only_its_own_actions(store) -> None:
    action_id = _new(store)
    actions.update(store, action_id, {"status": "in_progress"}, user=PARTNER)
    with pytest.raises(PermissionError):
        actions.update(store, action_id, {"status": "done"}, user=OTHER_PARTNER)
    with pytest.raises(PermissionError):
        actions.update(store, action_id, {"description": "інше"}, user=PARTNER)
    with pytest.raises(PermissionError):
        actions.create(store, actions.ActionInput(description="x", owner="council", district="Центр"), user=PARTNER)


def test_an_action_needs_a_place_and_a_valid_owner(store) -> None:
    with pytest.raises(ValueError, match="cell or a microdistrict"):
        actions.create(store, actions.ActionInput(description="x", owner="council"), user=COUNCIL)
    with pytest.raises(ValueError, match="owner"):
        actions.create(store, actions.ActionInput(description="x", owner="mayor", district="Центр"), user=COUNCIL)


def test_a_prefilled_form_saves_only_what_changed_and_the_note_survives(store) -> None:
    action_id = _new(store, status="in_progress", public_note="Прибрано 2 з 3 ділянок")
    current = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id]
    form = {"status": "done", "public_note": current["public_note"], "description": current["description"],
            "due_date": current["due_date"], "owner_org_id": current["owner_org_id"]}
    changed = actions.changes(current, form)
    assert changed == {"status": "done"}
    actions.update(store, action_id, changed, user=COUNCIL)
    after = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id]
    assert (after["status"], after["public_note"]) == ("done", "Прибрано 2 з 3 ділянок")
    assert audit_trail(store, f"action:{action_id}")[-1]["detail"] == {"original": {"status": "in_progress"},
                                                                       "new": {"status": "done"}}
    assert actions.changes(after, {"status": "done", "public_note": "Прибрано 2 з 3 ділянок"}) == {}
    assert actions.changes(after, {"public_note": ""}) == {"public_note": None}


def test_ownership_is_the_organisation_id_not_its_spelling(store) -> None:
    action_id = _new(store)
    plan = actions.actions_frame(store, today=date(2025, 6, 1))
    assert plan.set_index("id").loc[action_id, "owner_org"] == "ГО «Чисте місто»"
    assert actions.editable(plan, PARTNER)["id"].tolist() == [action_id]
    assert actions.editable(plan, OTHER_PARTNER).empty
    assert len(actions.editable(plan, COUNCIL)) == len(plan)
    with Session(store) as session, session.begin():
        same = organisations.resolve(session, "  ГО   «Чисте  місто» ", "community")
        spelled = organisations.resolve(session, 'ГО "Чисте місто"', "community")
    assert same == spelled == "org-clean"
