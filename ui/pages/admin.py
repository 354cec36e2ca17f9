"""Admin: users and roles, the audit log, the retention purge."""

import streamlit as st

from auth.roles import ROLES
from encoders import markdown_text, visible_columns
from services import admin
from services.clock import now
from ui import state
from ui.guard import page_guard

page_guard("admin")
user = state.current_user()
engine = state.engine()
st.title(state.tr("nav.admin"))
users_tab, audit_tab, purge_tab = st.tabs([state.tr("admin.users"), state.tr("admin.audit"), state.tr("admin.purge")])

with users_tab:
    st.dataframe(admin.users_frame(engine, actor=user), hide_index=True, width="stretch")
    with st.form("add-user"):
        name = st.text_input(state.tr("auth.username"))
        password = st.text_input(state.tr("auth.password"), type="password")
        role = st.selectbox(state.tr("admin.role"), ROLES)
        orgs = admin.organisations(engine)
        organisation = st.selectbox(state.tr("admin.organisation"), [None, *orgs],
                                    format_func=lambda o: "—" if o is None else orgs[o].name(state.lang()))
        if st.form_submit_button(state.tr("admin.save_user")):
            try:
                admin.save_user(engine, name.strip(), password, role, organisation_id=organisation, actor=user)
                st.success(state.tr("admin.saved", user=markdown_text(name)))
            except ValueError as exc:
                st.error(markdown_text(exc))

with audit_tab:
    st.dataframe(visible_columns(admin.audit_frame(engine, actor=user)), hide_index=True, width="stretch")

with purge_tab:
    st.caption(state.tr("admin.purge_help"))
    if st.button(state.tr("admin.purge_run")):
        st.json(admin.purge_now(engine, now(), actor=user))
