"""The joint action plan: who may create and edit, overdue flags, audit."""

from __future__ import annotations

from datetime import date

import pytest

from auth.users import User
from services import actions
from services.moderation import audit_trail

COUNCIL = User("rada", "council")
PARTNER = User("ngo", "partner", "ГО Чисте місто")
OTHER_PARTNER = User("biz", "partner", "Кафе Бриз")


def _new(engine, **extra) -> int:
    data = actions.ActionInput(description="Прибрати звалище біля ринку", owner="community", district="Центр",
                               owner_org="ГО Чисте місто", due_date=date(2025, 5, 1))
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
