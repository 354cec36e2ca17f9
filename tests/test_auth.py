"""Logins, throttling, sessions and the role matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import allowed_pages, can, require
from auth.accounts import create_user
from auth.users import LoginThrottled, authenticate
from data.store.schema import AuditRow, SessionRow, UserRow

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_password_is_hashed_with_argon2_and_checked(store) -> None:
    create_user(store, "olena", "correct horse", "police", actor="test")
    with Session(store) as s:
        stored = s.scalar(select(UserRow.password_hash))
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert authenticate(store, "olena", "correct horse", now=T0).role == "police"
    assert authenticate(store, "olena", "wrong", now=T0) is None
    assert authenticate(store, "nobody", "whatever", now=T0) is None


def test_repeated_failures_are_slowed_down_and_logged(store) -> None:
    create_user(store, "ivan", "correct horse", "council", actor="test")
    for _ in range(3):  # three free tries, then each attempt doubles the wait (2 s, 4 s, ...)
        assert authenticate(store, "ivan", "bad", now=T0) is None
    with pytest.raises(LoginThrottled):  # the 4th waits 2 s after the last checked try; it still counts
        authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=1))
    with pytest.raises(LoginThrottled):  # 4 counted: 4 s
        authenticate(store, "ivan", "bad", now=T0 + timedelta(seconds=3))
    assert authenticate(store, "ivan", "bad", now=T0 + timedelta(seconds=8)) is None  # 5 counted: 8 s ... checked
    with pytest.raises(LoginThrottled):
        authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=8 + 15))
    assert authenticate(store, "ivan", "correct horse", now=T0 + timedelta(seconds=8 + 33)).role == "council"
    with Session(store) as s:
        actions = [a for (a,) in s.execute(select(AuditRow.action).order_by(AuditRow.id))]
    assert actions.count("login_failed") == 4 and actions.count("login_throttled") == 3 and actions[-1] == "login"
    assert authenticate(store, "ivan", "bad", now=T0 + timedelta(seconds=42)) is None  # a success starts afresh


def test_unknown_role_and_short_password_are_refused(store) -> None:
    with pytest.raises(ValueError, match="role_unknown"):
        create_user(store, "x", "long enough", "mayor", actor="test")
    with pytest.raises(ValueError, match="password_too_short.*8"):
        create_user(store, "x", "short", "admin", actor="test")


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

    create_user(store, "police", "demo-police-2025", "police", demo=True, actor="test")
    assert authenticate(store, "police", "demo-police-2025", now=T0).role == "police"
    monkeypatch.setenv("HOTSPOTS_MODE", "production")
    assert authenticate(store, "police", "demo-police-2025", now=T0) is None
    assert get_user(store, "police") is None


# --- issue 15: server-side sessions, atomic throttling, no user enumeration, admin actions


def test_sign_in_opens_a_new_opaque_session_each_time_and_sign_out_revokes_it(store) -> None:
    from auth import sessions

    create_user(store, "olena", "correct horse", "police", actor="test")
    first, second = sessions.open_session(store, "olena", now=T0), sessions.open_session(store, "olena", now=T0)
    assert first != second and "olena" not in first and len(first) >= 40
    with Session(store) as s:
        stored = set(s.scalars(select(SessionRow.id_hash)))
    assert first not in stored and second not in stored  # only digests are kept
    assert sessions.resolve(store, first, now=T0).role == "police"
    sessions.revoke(store, first, now=T0)
    assert sessions.resolve(store, first, now=T0 + timedelta(seconds=1)) is None  # a reused id is refused
    assert sessions.resolve(store, second, now=T0 + timedelta(seconds=1)).username == "olena"
    assert sessions.resolve(store, "made-up", now=T0) is None and sessions.resolve(store, None, now=T0) is None


def test_sessions_end_after_30_idle_minutes_and_8_hours_in_all(store) -> None:
    from auth import sessions

    create_user(store, "olena", "correct horse", "police", actor="test")
    idle = sessions.open_session(store, "olena", now=T0)
    assert sessions.resolve(store, idle, now=T0 + timedelta(minutes=29)) is not None
    assert sessions.resolve(store, idle, now=T0 + timedelta(minutes=29 + 30)) is None
    busy = sessions.open_session(store, "olena", now=T0)
    at = T0
    while at < T0 + timedelta(hours=8) - timedelta(minutes=20):
        at += timedelta(minutes=20)
        assert sessions.resolve(store, busy, now=at) is not None, at  # use keeps it alive ...
    assert sessions.resolve(store, busy, now=T0 + timedelta(hours=8)) is None  # ... for 8 hours at most


def test_deactivation_and_password_change_end_open_sessions(store) -> None:
    from auth import accounts, sessions

    create_user(store, "olena", "correct horse", "police", actor="test")
    create_user(store, "boss", "correct horse", "admin", actor="test")
    before = sessions.open_session(store, "olena", now=T0)
    assert accounts.set_password(store, "olena", "new battery staple", actor="boss") == 1
    assert sessions.resolve(store, before, now=T0) is None
    assert authenticate(store, "olena", "correct horse", now=T0) is None
    assert authenticate(store, "olena", "new battery staple", now=T0).role == "police"
    open_ = sessions.open_session(store, "olena", now=T0)
    assert accounts.set_active(store, "olena", False, actor="boss", now=T0) == 1
    assert sessions.resolve(store, open_, now=T0) is None
    assert authenticate(store, "olena", "new battery staple", now=T0) is None
    accounts.set_active(store, "olena", True, actor="boss")
    assert sessions.resolve(store, open_, now=T0) is None  # reactivation opens no old session
    assert authenticate(store, "olena", "new battery staple", now=T0) is not None
    with Session(store) as s:
        audit = s.execute(
            select(AuditRow.actor, AuditRow.action, AuditRow.target).where(AuditRow.action.like("user_%"))
        ).all()
    assert ("boss", "user_password", "olena") in audit and ("boss", "user_deactivate", "olena") in audit
    assert ("boss", "user_activate", "olena") in audit


def test_parallel_wrong_passwords_are_all_counted_and_only_the_free_ones_checked(store, monkeypatch) -> None:
    """Twelve threads against one store: every try is counted, only the 3 free ones reach argon2."""
    from concurrent.futures import ThreadPoolExecutor

    from auth import throttle, users

    create_user(store, "ivan", "correct horse", "council", actor="test")
    checked = _spy_on_verify(monkeypatch)
    barrier = __import__("threading").Barrier(12)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            return "wrong" if users.authenticate(store, "ivan", "bad", client="10.0.0.7", now=T0) is None else "in"
        except LoginThrottled:
            return "throttled"

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(attempt, range(12)))
    assert throttle.failures(store, throttle.user_key("ivan")) == 12
    assert throttle.failures(store, throttle.ip_key("10.0.0.7")) == 12
    assert answers.count("wrong") == 3 and answers.count("throttled") == 9 and len(checked) == 3


def _spy_on_verify(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    from auth import users

    calls: list[str] = []
    real = users._hasher

    class Spy:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            calls.append(password_hash)
            return real.verify(password_hash, password)

    monkeypatch.setattr(users, "_hasher", Spy())
    return calls


def test_unknown_and_known_names_run_one_argon2_verify_each_with_the_same_answer(store, monkeypatch) -> None:
    from auth import users

    create_user(store, "olena", "correct horse", "police", actor="test")
    calls = _spy_on_verify(monkeypatch)
    assert users.authenticate(store, "olena", "wrong horse", now=T0) is None
    assert users.authenticate(store, "nobody", "wrong horse", now=T0) is None
    assert len(calls) == 2 and calls[0] != calls[1]
    params = [c.split("$")[1:4] for c in calls]  # argon2id, version, memory/time/parallelism: the same cost
    assert params[0] == params[1]
    for _ in range(2):
        users.authenticate(store, "nobody", "wrong horse", now=T0)
    with pytest.raises(LoginThrottled) as unknown:  # an unknown name is throttled like a real one
        users.authenticate(store, "nobody", "wrong horse", now=T0)
    for _ in range(2):
        users.authenticate(store, "olena", "wrong horse", now=T0)
    with pytest.raises(LoginThrottled) as known:
        users.authenticate(store, "olena", "wrong horse", now=T0)
    assert str(unknown.value) == str(known.value) and len(calls) == 6


def test_one_client_trying_many_names_is_slowed_down(store) -> None:
    for number in range(10):
        assert authenticate(store, f"guess{number}", "x" * 8, client="203.0.113.9", now=T0) is None
    with pytest.raises(LoginThrottled):
        authenticate(store, "guess-next", "x" * 8, client="203.0.113.9", now=T0)
    assert authenticate(store, "guess-next", "x" * 8, client="198.51.100.1", now=T0) is None  # others are not


def test_add_user_refuses_an_existing_name_and_keeps_it_unchanged(store) -> None:
    create_user(store, "olena", "correct horse", "police", organisation_id=None, actor="boss")
    with pytest.raises(ValueError, match="user_exists"):
        create_user(store, "olena", "another password", "admin", actor="boss")
    assert authenticate(store, "olena", "correct horse", now=T0).role == "police"
    with Session(store) as s:
        assert s.scalar(select(AuditRow.actor).where(AuditRow.action == "user_add")) == "boss"


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(store) -> None:
    from auth import accounts

    create_user(store, "boss", "correct horse", "admin", actor="test")
    with pytest.raises(ValueError, match="last_admin"):
        accounts.set_role(store, "boss", "police", actor="boss")
    with pytest.raises(ValueError, match="last_admin"):
        accounts.set_active(store, "boss", False, actor="boss")
    create_user(store, "second", "correct horse", "admin", actor="boss")
    accounts.set_role(store, "boss", "police", actor="second")
    with Session(store) as s:
        detail = s.scalar(select(AuditRow.detail).where(AuditRow.action == "user_role"))
    assert detail == {"from": "admin", "to": "police"}
