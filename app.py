"""Entry point. `streamlit run app.py` (or `uvicorn app:app`) first imports this file to
build the server: Streamlit plus the sign-in routes and security headers of ui/server.py.
Streamlit then runs it as the script of every browser session (`__name__ == "__main__"`),
which registers only the pages the signed-in role may see."""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from auth import allowed_pages
from i18n import t
from services.clock import demo_mode
from services.demo import ensure_demo
from ui import state
from ui.heap import manage_collections
from ui.server import ROUTES, SecurityHeaders

if __name__ != "__main__":
    app = st.App(__file__, routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
    manage_collections()  # start-up objects frozen, full collections on a thread of their own (ui/heap.py)
else:
    st.set_page_config(page_title=t("app.title"), page_icon="🗺️", layout="wide")

    PAGE_FILES = {
        "public_map": ("ui/pages/public_map.py", "nav.public_map", ":material/map:"),
        "rules": ("ui/pages/rules.py", "nav.rules", ":material/gavel:"),
        "report": ("ui/pages/report.py", "nav.report", ":material/edit_note:"),
        "method": ("ui/pages/method.py", "nav.method", ":material/info:"),
        "police": ("ui/pages/police.py", "nav.police", ":material/local_police:"),
        "council": ("ui/pages/council.py", "nav.council", ":material/account_balance:"),
        "moderator": ("ui/pages/moderator.py", "nav.moderator", ":material/inbox:"),
        "admin": ("ui/pages/admin.py", "nav.admin", ":material/admin_panel_settings:"),
    }

    with st.sidebar:
        st.selectbox(
            state.tr("app.language"),
            ["uk", "en"],
            key="lang",
            format_func=lambda code: {"uk": "Українська", "en": "English"}[code],
        )
        if demo_mode():
            st.warning(state.tr("app.demo_label"))

    if demo_mode() and not st.session_state.get("demo_checked"):
        bar = st.progress(0.0, text=state.tr("app.loading_demo"))
        ensure_demo(state.engine(), progress=lambda done, total: bar.progress(done / (total or done or 1)))
        bar.empty()
        st.session_state["demo_checked"] = True

    role = state.current_role()
    pages = [
        st.Page(
            PAGE_FILES[slug][0],
            title=state.tr(PAGE_FILES[slug][1]),
            icon=PAGE_FILES[slug][2],
            url_path=slug,
            default=slug == "public_map",
        )
        for slug in allowed_pages(role)
        if slug in PAGE_FILES
    ]
    pages.append(st.Page("ui/pages/login.py", title=state.tr("nav.login"), icon=":material/login:", url_path="login"))
    st.navigation(pages).run()
