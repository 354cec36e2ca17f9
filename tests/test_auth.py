"""Logins, throttling, sessions and the role matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import allowed_pages, can, require
from auth import session as auth_session
from auth.users import LoginThrottled, add_user, authenticate
from data.store.schema import AuditRow, UserRow

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_password_is_hashed_with_argon2_and_checked(store) -> None:
    add_user(store, "olena", "correct horse", "police")
    with Session(store) as s:
        stored = s.scalar(select(UserRow.password_hash))
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert authenticate(store, "olena", "correct horse", now=T0).role == "police"
    assert authenticate(store, "olena", "wrong", now=T0) is None
    assert authenticate(store, "nobody", "whatever", now=T0) is None


def test_repeated_failures_are_slowed_down_and_logged(store) -> None:
    add_user(store, "ivan", "correct horse", "council")
    for _ in range(3):  # three free tries, then each failure doubles the wait (2 s, 4 s, ...)
        assert authenticate(store, "ivan", "bad", now=T0) is None
    with pytest.raises(LoginThrottled):
        authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=1))
    assert authenticate(store, "ivan", "bad", now=T0 + timedelta(seconds=3)) is None
    with pytest.raises(LoginThrottled):
        authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=6))
    assert authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=8)).role == "council"
    with Session(store) as s:
        actions = [a for (a,) in s.execute(select(AuditRow.action).order_by(AuditRow.id))]
    assert actions.count("login_failed") == 4 and "login_throttled" in actions and actions[-1] == "login"


def test_unknown_role_and_short_password_are_refused(store) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        add_user(store, "x", "long enough", "mayor")
    with pytest.raises(ValueError, match="8 characters"):
        add_user(store, "x", "short", "admin")


def test_session_token_is_signed_and_expires() -> None:
    token = auth_session.issue("olena")
    assert auth_session.read(token) == "olena"
    assert auth_session.read(token[:-2] + "xx") is None
    assert auth_session.read(token, max_age_s=-1) is None
    assert auth_session.read(None) is None


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (None, ["public_map", "rules", "report", "method"]),
        ("police", ["public_map", "rules", "report", "method", "police"]),
        ("council", ["public_map", "rules", "report", "method", "council"]),
        ("partner", ["public_map", "rules", "report", "method", "council"]),
        ("moderator", ["public_map", "rules", "report", "method", "moderator"]),
        ("admin", ["public_map", "rules", "report", "method", "police", "council", "moderator", "admin"]),
    ],
)
def test_each_role_sees_exactly_its_pages(role, pages) -> None:
    assert allowed_pages(role) == pages


def test_exports_refuse_roles_without_the_right() -> None:
    require("police", "export_police")
    with pytest.raises(PermissionError):
        require("council", "export_police")
    with pytest.raises(PermissionError):
        require(None, "export_council")
    assert can("partner", "edit_own_actions") and not can("partner", "edit_actions")


def test_demo_accounts_sign_in_only_in_demo_mode(store, monkeypatch) -> None:
    from auth.users import get_user

    add_user(store, "police", "demo-police-2025", "police", demo=True)
    assert authenticate(store, "police", "demo-police-2025", now=T0).role == "police"
    monkeypatch.setenv("HOTSPOTS_MODE", "production")
    assert authenticate(store, "police", "demo-police-2025", now=T0) is None
    assert get_user(store, "police") is None
