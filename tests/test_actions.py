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
    data = actions.ActionInput(
        description="Прибрати звалище біля ринку",
        owner="community",
        district="Центр",
        owner_org_id="org-clean",
        due_date=date(2025, 5, 1),
    )
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
    with pytest.raises(ValueError, match="action_no_place"):
        actions.create(store, actions.ActionInput(description="x", owner="council"), user=COUNCIL)
    with pytest.raises(ValueError, match="action_owner_unknown"):
        actions.create(store, actions.ActionInput(description="x", owner="mayor", district="Центр"), user=COUNCIL)


def test_a_prefilled_form_saves_only_what_changed_and_the_note_survives(store) -> None:
    action_id = _new(store, status="in_progress", public_note="Прибрано 2 з 3 ділянок")
    current = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id]
    form = {
        "status": "done",
        "public_note": current["public_note"],
        "description": current["description"],
        "due_date": current["due_date"],
        "owner_org_id": current["owner_org_id"],
    }
    changed = actions.changes(current, form)
    assert changed == {"status": "done"}
    actions.update(store, action_id, changed, user=COUNCIL)
    after = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id]
    assert (after["status"], after["public_note"]) == ("done", "Прибрано 2 з 3 ділянок")
    assert audit_trail(store, f"action:{action_id}")[-1]["detail"] == {
        "original": {"status": "in_progress"},
        "new": {"status": "done"},
    }
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


# --- issue 22: progress, roll-up, milestones, rejection -------------------------------------


def test_roll_up_of_a_small_tree_by_hand(store) -> None:
    """R <- A (40 %, weight 1), B (weight 3) <- B1 (100 %, w 1), B2 (0 %, w 3); C rejected (90 %).
    By hand: B = (1*100 + 3*0) / 4 = 25; R = (1*40 + 3*25) / 4 = 28.75; C is left out."""
    root = _new(store, progress=5)
    a = _new(store, progress=40, parent_id=root)
    b = _new(store, progress=70, parent_id=root, weight=3.0)
    _new(store, progress=100, parent_id=b)
    _new(store, progress=0, parent_id=b, weight=3.0)
    _new(store, progress=90, parent_id=root, status="rejected", reject_reason="Немає бюджету")
    plan = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id")
    assert plan.loc[b, "progress_total"] == pytest.approx(25.0)
    assert plan.loc[root, "progress_total"] == pytest.approx(28.75)
    assert plan.loc[a, "progress_total"] == pytest.approx(40.0)
    with pytest.raises(ValueError, match="action_parent_cycle"):
        actions.update(store, root, {"parent_id": b}, user=COUNCIL)


def test_rejecting_needs_a_reason_and_the_public_never_sees_it(store) -> None:
    from services.public import public_actions

    action_id = _new(store, status="proposed")
    with pytest.raises(ValueError, match="action_reject_no_reason"):
        actions.update(store, action_id, {"status": "rejected"}, user=COUNCIL)
    actions.update(store, action_id, {"status": "rejected", "reject_reason": "Дублює захід №1"}, user=COUNCIL)
    assert action_id not in public_actions(store)["id"].tolist()
    with pytest.raises(ValueError, match="action_progress_range"):
        actions.update(store, action_id, {"progress": 120}, user=COUNCIL)
    with pytest.raises(ValueError, match="action_period_reversed"):
        actions.update(store, action_id, {"starts_on": date(2025, 5, 1), "ends_on": date(2025, 4, 1)}, user=COUNCIL)


def test_partner_sets_progress_and_adds_a_milestone_to_its_own_action_only(store) -> None:
    action_id = _new(store, cost=12500.0, starts_on=date(2025, 3, 1), ends_on=date(2025, 5, 1))
    actions.update(store, action_id, {"progress": 60}, user=PARTNER)
    actions.add_milestone(
        store, action_id, title="Вивезено сміття", on_date=date(2025, 4, 12), text="<b>2 машини</b>", user=PARTNER
    )
    with pytest.raises(PermissionError):
        actions.add_milestone(store, action_id, title="x", on_date=date(2025, 4, 12), text=None, user=OTHER_PARTNER)
    with pytest.raises(PermissionError):
        actions.update(store, action_id, {"cost": 1.0}, user=PARTNER)
    row = actions.actions_frame(store, today=date(2025, 6, 1)).set_index("id").loc[action_id]
    assert (row["progress"], row["cost"], str(row["ends_on"])) == (60, 12500.0, "2025-05-01")
    stones = actions.milestones_frame(store, [action_id])
    assert stones[["title", "text"]].values.tolist() == [["Вивезено сміття", "<b>2 машини</b>"]]
    assert audit_trail(store, f"action:{action_id}")[-1]["action"] == "milestone_add"
