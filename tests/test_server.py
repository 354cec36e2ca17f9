"""The sign-in routes beside Streamlit (ui/server.py), driven as ASGI calls."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

from auth import sessions
from auth.accounts import create_user
from data.store import open_store
from ui.server import COOKIE, CSP, ROUTES, SecurityHeaders

APP = Starlette(routes=ROUTES, middleware=[Middleware(SecurityHeaders)])


def call(
    path: str,
    form: dict[str, str],
    *,
    cookie: str | None = None,
    origin: str | None = "http://testhost",
    scheme: str = "http",
) -> tuple[int, dict[str, list[str]]]:
    """POST a form the way a browser does; the status and the response headers."""
    body = urlencode(form).encode()
    headers = [(b"host", b"testhost"), (b"content-type", b"application/x-www-form-urlencoded")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{COOKIE}={cookie}".encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "scheme": scheme,
        "server": ("testhost", 80),
        "client": ("198.51.100.4", 5000),
        "http_version": "1.1",
        "root_path": "",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    with ThreadPoolExecutor(1) as pool:  # its own event loop (Playwright may run one in this thread)
        pool.submit(asyncio.run, APP(scope, receive, send)).result()
    start = sent[0]
    out: dict[str, list[str]] = {}
    for name, value in start["headers"]:
        out.setdefault(name.decode().lower(), []).append(value.decode())
    return start["status"], out


def session_cookie(headers: dict[str, list[str]]) -> SimpleCookie:
    jar = SimpleCookie()
    for line in headers.get("set-cookie", []):
        jar.load(line)
    return jar


@pytest.fixture
def engine(sqlite_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    open_store.cache_clear()  # the routes open the store of DATABASE_URL
    engine = open_store()
    create_user(engine, "olena", "correct horse", "police", actor="test")
    yield engine
    open_store.cache_clear()


def test_sign_in_sets_an_httponly_strict_cookie_and_no_secret_in_the_redirect(engine) -> None:
    status, headers = call("/auth/login", {"username": "olena", "password": "correct horse", "lang": "en"})
    assert status == 303 and headers["location"] == ["/login?lang=en"]
    morsel = session_cookie(headers)[COOKIE]
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict" and morsel["path"] == "/"
    assert not morsel["secure"]  # plain http (tests, localhost); HTTPS gets Secure, below
    assert morsel.value not in headers["location"][0] and sessions.resolve(engine, morsel.value).username == "olena"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer_and_no_cookie(engine) -> None:
    answers = [
        call("/auth/login", {"username": name, "password": "wrong horse", "lang": "uk"}) for name in ("olena", "nobody")
    ]
    assert answers[0] == answers[1]
    status, headers = answers[0]
    assert status == 303 and headers["location"] == ["/login?lang=uk&error=wrong"] and "set-cookie" not in headers
    for _ in range(2):
        call("/auth/login", {"username": "nobody", "password": "wrong horse"})
    status, headers = call("/auth/login", {"username": "nobody", "password": "wrong horse"})
    assert re.fullmatch(r"/login\?lang=uk&error=throttled&wait=\d+", headers["location"][0])


def test_a_new_sign_in_replaces_the_old_session_and_sign_out_revokes_it(engine) -> None:
    _, headers = call("/auth/login", {"username": "olena", "password": "correct horse"})
    first = session_cookie(headers)[COOKIE].value
    _, headers = call("/auth/login", {"username": "olena", "password": "correct horse"}, cookie=first)
    second = session_cookie(headers)[COOKIE].value
    assert second != first and sessions.resolve(engine, first) is None
    status, headers = call("/auth/logout", {"lang": "uk"}, cookie=second)
    assert status == 303 and headers["location"] == ["/?lang=uk"]
    cleared = session_cookie(headers)[COOKIE]
    assert cleared.value == "" and cleared["max-age"] == "0"
    assert sessions.resolve(engine, second) is None  # a copied id is refused too


def test_cross_site_posts_are_refused(engine) -> None:
    status, headers = call(
        "/auth/login", {"username": "olena", "password": "correct horse"}, origin="https://evil.example"
    )
    assert status == 403 and "set-cookie" not in headers
    _, headers = call("/auth/login", {"username": "olena", "password": "correct horse"})
    session_id = session_cookie(headers)[COOKIE].value
    assert call("/auth/logout", {}, cookie=session_id, origin="https://evil.example")[0] == 403
    assert sessions.resolve(engine, session_id) is not None


def test_over_https_the_cookie_is_secure_and_every_answer_carries_the_csp(engine) -> None:
    _, headers = call(
        "/auth/login", {"username": "olena", "password": "correct horse"}, scheme="https", origin="https://testhost"
    )
    assert session_cookie(headers)[COOKIE]["secure"]
    assert headers["content-security-policy"] == [CSP] and headers["x-content-type-options"] == ["nosniff"]
    assert not re.search(r"https?://|\*", CSP)  # no outside host, no wildcard
    assert "form-action 'self'" in CSP and "object-src 'none'" in CSP
