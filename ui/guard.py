"""Server-side role check at the top of every restricted page (not only the menu), and at the
top of every rerun of its fragments (a fragment's rerun skips the page's top)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from auth import can
from ui import state

P = ParamSpec("P")


def page_guard(page: str) -> str | None:
    """Stop the page unless the signed-in role may open it; returns the role."""
    role = state.current_role()
    if not can(role, page):
        st.error(state.tr("auth.forbidden"))
        st.stop()
    return role


def guarded_fragment(page: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.fragment`` whose every run checks the session first: a control inside a fragment
    reruns only that fragment, so without this a signed-out, expired or demoted session
    would keep getting the fragment's data until its next whole-page run (one indexed
    store read, ~0.5 ms)."""

    def wrap(func: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(func)
        def checked(*args: P.args, **kwargs: P.kwargs) -> None:
            page_guard(page)
            func(*args, **kwargs)

        return st.fragment(checked)

    return wrap


def opened_only(page: str, label: str, key: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """A :func:`guarded_fragment` whose body runs inside an expander (title: the catalogue's
    `label`; open state under `key`) and only while it is open: what it computes is computed
    only for a user who opened it, and opening it reruns this fragment alone."""

    def wrap(body: Callable[[], None]) -> Callable[[], None]:
        @functools.wraps(body)
        def section() -> None:
            box = st.expander(state.tr(label), key=key, on_change="rerun")
            if box.open:
                with box:
                    body()

        return guarded_fragment(page)(section)

    return wrap
