"""Sign in / sign out (police, council, partners, moderators, admins; residents need none).

The forms post to the routes of ui/server.py, which set or clear the HttpOnly session
cookie: the password and the session id never pass through a URL or a page script.
"""

import streamlit as st

from encoders import markdown_text
from ui import state
from ui.signin import sign_in_form, sign_out_form

st.title(state.tr("nav.login"))
user = state.current_user()
if user:
    st.success(state.tr("auth.signed_in_as", user=markdown_text(user.username), role=state.tr("role." + user.role)))
    st.html(sign_out_form())
else:
    error = st.query_params.get("error")
    if error == "wrong":
        st.error(state.tr("auth.wrong"))
    elif error == "throttled":
        wait = st.query_params.get("wait", "")
        st.error(state.tr("auth.throttled", seconds=int(wait) if wait.isdigit() else 60))
    elif state.cookie_session_id():
        st.info(state.tr("signin.ended"))
    st.html(sign_in_form())
    st.caption(state.tr("signin.cookie_note"))
