"""Per-browser state shared by the pages: language, signed-in user, the store."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext, get_script_run_ctx

from auth import sessions
from auth.users import User
from data.messages import Message
from data.store import open_store
from data.store.db import public_engine
from encoders import markdown_text, visible_controls
from i18n import DEFAULT_LANG, LANGS, t
from i18n import say as i18n_say
from ui.server import COOKIE

#: where the session id lives in Streamlit's session state (on the server, never in the page)
SESSION_KEY = "session_id"
#: this run's (marker, session ids, signed-in user): the user resolved once per run (current_user)
RUN_USER_KEY = "run_user"


@st.cache_resource
def engine() -> Engine:
    return open_store()


@st.cache_resource
def public_reader() -> Engine:
    """What the public pages read through: the public views (a read-only role on PostgreSQL)."""
    engine()  # the schema is brought up to date by the main engine
    return public_engine()


def lang() -> str:
    value = st.session_state.get("lang") or st.query_params.get("lang") or DEFAULT_LANG
    return value if value in LANGS else DEFAULT_LANG


def tr(key: str, **values: object) -> str:
    """The catalogue text in the chosen language."""
    return t(key, lang(), **values)


def say(message: Message, escape: Callable[[str], str] = visible_controls) -> str:
    """A stored message (import problem, note, quarantine reason) in the chosen language; its
    text parameters pass `escape` (plain text by default: controls made visible; a page
    that renders Markdown passes ``encoders.markdown_text``)."""
    return i18n_say(message, lang(), escape)


def refusal(exc: Exception) -> str:
    """Why a service refused a staff member's action, as Markdown in the chosen language; an
    exception that carries no message (a bug, not a refusal) is shown as escaped text."""
    message = getattr(exc, "message", None)
    return say(message, markdown_text) if isinstance(message, Message) else markdown_text(str(exc))


def cookie_session_id() -> str | None:
    """The session id of the cookie this browser sent when it opened the page, if any."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def current_user() -> User | None:
    """The signed-in user, checked against the store once per run (revoked, idle or expired
    sessions and deactivated accounts end at once; roles can change).

    Every run checks afresh, a fragment's own rerun included; within one run the app's menu,
    the page's guard and its fragments share the answer (:func:`_this_run`). The id is kept
    in the session state; a reload starts a new session state and finds it again in the
    HttpOnly cookie that /auth/login set (ui/server.py).
    """
    run = get_script_run_ctx()
    ids = (st.session_state.get(SESSION_KEY), cookie_session_id())
    known = st.session_state.get(RUN_USER_KEY)
    if run is not None and known is not None and _this_run(run, known[0]) and known[1] == ids:
        return known[2]
    user = _resolved(ids)
    if run is not None:
        st.session_state[RUN_USER_KEY] = (run.cursors, (st.session_state.get(SESSION_KEY), cookie_session_id()), user)
    return user


def _this_run(run: ScriptRunContext, marker: object) -> bool:
    """Whether `marker` was taken in the run going on now: Streamlit gives every run (a
    fragment's rerun too) a new ``cursors`` dict when it resets the context; the kept marker
    holds the old one, so a later run's dict can never be the same object."""
    return marker is run.cursors


def _resolved(ids: tuple[str | None, ...]) -> User | None:
    for session_id in ids:
        user = sessions.resolve(engine(), session_id)
        if user is not None:
            st.session_state[SESSION_KEY] = session_id
            return user
    st.session_state.pop(SESSION_KEY, None)
    return None


def current_role() -> str | None:
    user = current_user()
    return user.role if user else None
