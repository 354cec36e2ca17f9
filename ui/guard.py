"""Server-side role check at the top of every restricted page (not only the menu)."""

from __future__ import annotations

import streamlit as st

from auth import can
from ui import state


def page_guard(page: str) -> str | None:
    """Stop the page unless the signed-in role may open it; returns the role."""
    role = state.current_role()
    if not can(role, page):
        st.error(state.tr("auth.forbidden"))
        st.stop()
    return role
