"""Per-browser state shared by the pages: language, signed-in user, the store."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from auth import session as auth_session
from auth.users import User, get_user
from data.store import open_store
from data.store.db import public_engine
from i18n import DEFAULT_LANG, LANGS, t

SESSION_PARAM = "session"


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


def current_user() -> User | None:
    """The signed-in user, read again from the store on every run (roles can change).

    The token lives in the browser session (menu navigation clears query parameters) and
    in the URL (a refresh starts a new browser session); each run restores the other.
    """
    token = st.query_params.get(SESSION_PARAM) or st.session_state.get(SESSION_PARAM)
    username = auth_session.read(token)
    if not username:
        return None
    st.session_state[SESSION_PARAM] = token
    if st.query_params.get(SESSION_PARAM) != token:
        st.query_params[SESSION_PARAM] = token
    return get_user(engine(), username)


def current_role() -> str | None:
    user = current_user()
    return user.role if user else None


def sign_in(user: User) -> None:
    token = auth_session.issue(user.username)
    st.session_state[SESSION_PARAM] = token
    st.query_params[SESSION_PARAM] = token


def sign_out() -> None:
    st.session_state.pop(SESSION_PARAM, None)
    st.query_params.pop(SESSION_PARAM, None)
