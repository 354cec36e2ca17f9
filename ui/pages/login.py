"""Sign in / sign out (police, council, partners, moderators, admins; residents need none)."""

import streamlit as st

from auth.users import LoginThrottled, authenticate
from encoders import markdown_text
from ui import state

st.title(state.tr("nav.login"))
user = state.current_user()
if user:
    st.success(state.tr("auth.signed_in_as", user=markdown_text(user.username),
                                role=markdown_text(user.role)))
    if st.button(state.tr("auth.sign_out")):
        state.sign_out()
        st.rerun()
else:
    with st.form("login"):
        username = st.text_input(state.tr("auth.username"))
        password = st.text_input(state.tr("auth.password"), type="password")
        submitted = st.form_submit_button(state.tr("auth.sign_in"))
    if submitted:
        try:
            found = authenticate(state.engine(), username.strip(), password)
        except LoginThrottled as exc:
            st.error(state.tr("auth.throttled", seconds=int(exc.wait.total_seconds())))
        else:
            if found is None:
                st.error(state.tr("auth.wrong"))
            else:
                state.sign_in(found)
                st.rerun()
