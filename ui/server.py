"""The HTTP side of signing in: two small routes beside Streamlit, and security headers.

Streamlit cannot set cookies from a script, so the sign-in form posts to ``/auth/login``,
which checks the password, opens a server-side session and puts its id in an
``HttpOnly; SameSite=Strict`` cookie (``Secure`` over HTTPS) that page scripts cannot read;
``/auth/logout`` revokes it and clears the cookie. Pages read the cookie with
``st.context.cookies`` and check it against the store on every run. No secret is ever in
a URL: the redirects carry only the language and a non-secret error code.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth import sessions
from auth.users import LoginThrottled, authenticate
from data.store import open_store
from i18n import LANGS

COOKIE = "hotspots_session"
LOGIN_PAGE = "/login"
MAX_FORM_BYTES = 4096
#: everything the app loads is served by itself (Leaflet and fonts are vendored)
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # Streamlit components insert inline scripts
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self' blob: data:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _same_origin(request: Request) -> bool:
    """A form post from one of our own pages (a login or logout from another site is refused)."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
    return urlsplit(origin).netloc == request.headers.get("host")


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("HOTSPOTS_COOKIE_SECURE") == "1"


def _back(path: str, lang: str, **query: str) -> RedirectResponse:
    params = {"lang": lang if lang in LANGS else LANGS[0], **query}
    return RedirectResponse(f"{path}?{urlencode(params)}", status_code=303)


async def login(request: Request) -> Response:
    """Check the password; on success a fresh session id goes into the cookie, an old one is revoked."""
    if not _same_origin(request):
        return PlainTextResponse("cross-site sign-in refused", status_code=403)
    form = await _form(request)
    lang = form.get("lang", "")
    client = request.client.host if request.client else None
    try:
        user = await run_in_threadpool(
            authenticate, open_store(), form.get("username", "").strip(), form.get("password", ""), client=client
        )
    except LoginThrottled as exc:
        return _back(LOGIN_PAGE, lang, error="throttled", wait=str(int(exc.wait.total_seconds()) + 1))
    if user is None:
        return _back(LOGIN_PAGE, lang, error="wrong")
    await run_in_threadpool(sessions.revoke, open_store(), request.cookies.get(COOKIE))
    session_id = await run_in_threadpool(sessions.open_session, open_store(), user.username)
    response = _back(LOGIN_PAGE, lang)
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


async def logout(request: Request) -> Response:
    """Revoke the session in the store (a copied id stops working too) and clear the cookie."""
    if not _same_origin(request):
        return PlainTextResponse("cross-site sign-out refused", status_code=403)
    form = await _form(request)
    await run_in_threadpool(sessions.revoke, open_store(), request.cookies.get(COOKIE))
    response = _back("/", form.get("lang", ""))
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


ROUTES = [Route("/auth/login", login, methods=["POST"]), Route("/auth/logout", logout, methods=["POST"])]


class SecurityHeaders:
    """ASGI middleware: the Content-Security-Policy (no outside host) and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
