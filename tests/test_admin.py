"""Admin services: every action checks the right on the server and audits the real actor;
the purge runs only after its dry run and the typed word."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.users import User
from data.store.schema import AuditRow, ContactRow
from services import admin
from tests.test_store_ops import NOW, aged  # noqa: F401 (fixture)

BOSS = User("boss", "admin")


@pytest.mark.parametrize("role", ["police", "council", "partner", "moderator", None])
def test_no_admin_action_runs_for_another_role(store, role) -> None:
    actor = User("x", role)
    for action in (
        lambda: admin.users_frame(store, actor=actor),
        lambda: admin.audit_frame(store, actor=actor),
        lambda: admin.add_user(store, "new", "long enough", "police", organisation_id=None, actor=actor),
        lambda: admin.change_password(store, "boss", "long enough", actor=actor),
        lambda: admin.change_role(store, "boss", "police", actor=actor),
        lambda: admin.set_active(store, "boss", False, actor=actor),
        lambda: admin.purge_preview(store, NOW, actor=actor),
    ):
        with pytest.raises(PermissionError):
            action()


def test_user_changes_are_audited_with_the_acting_admin(store) -> None:
    admin.add_user(store, "olena", "correct horse", "police", organisation_id=None, actor=BOSS)
    admin.change_role(store, "olena", "council", actor=BOSS)
    admin.change_password(store, "olena", "new battery staple", actor=BOSS)
    admin.set_active(store, "olena", False, actor=BOSS)
    admin.set_active(store, "olena", True, actor=BOSS)
    with pytest.raises(ValueError, match="deactivate_self"):
        admin.set_active(store, "boss", False, actor=BOSS)
    with Session(store) as s:
        rows = s.execute(select(AuditRow.actor, AuditRow.action).where(AuditRow.target == "olena")).all()
    assert rows == [
        ("boss", "user_add"),
        ("boss", "user_role"),
        ("boss", "user_password"),
        ("boss", "user_deactivate"),
        ("boss", "user_activate"),
    ]
    frame = admin.users_frame(store, actor=BOSS)
    assert frame.set_index("username").loc["olena", "role"] == "council"


def test_the_purge_needs_its_dry_run_and_the_typed_word(store, aged) -> None:  # noqa: F811
    def contacts() -> int:
        with Session(store) as s:
            return s.scalar(select(func.count()).select_from(ContactRow))

    with pytest.raises(ValueError, match="purge_preview_first"):
        admin.purge_confirmed(store, None, admin.PURGE_WORD, actor=BOSS)
    preview = admin.purge_preview(store, NOW, actor=BOSS)
    assert preview.dry_run and preview.contacts_deleted == 1 and contacts() == 3
    for word in ("", "purge", "yes"):
        with pytest.raises(ValueError, match="purge_type_word"):
            admin.purge_confirmed(store, preview, word, actor=BOSS)
    assert contacts() == 3
    with pytest.raises(PermissionError):
        admin.purge_confirmed(store, preview, admin.PURGE_WORD, actor=User("olena", "police"))
    done = admin.purge_confirmed(store, preview, admin.PURGE_WORD, actor=BOSS)
    assert not done.dry_run and done.contacts_deleted == 1 and contacts() == 2
    with Session(store) as s:
        audit = s.execute(select(AuditRow.actor, AuditRow.action).where(AuditRow.action.like("purge%"))).all()
    assert audit == [("boss", "purge_dry_run"), ("boss", "purge")]
