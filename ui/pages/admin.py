"""Admin: users and roles, the audit log, the retention purge (dry run, then a typed word)."""

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


def attempt(action, done_key: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    """Run one account action; say what happened (a refusal shows its reason)."""
    try:
        result = action()
    except admin.MessageError as exc:
        st.error(state.tr("accounts.refused", reason=state.say(exc.message, markdown_text)))
    except PermissionError as exc:  # the page guard lets only admins in: a bug, shown rather than hidden
        st.error(state.tr("accounts.refused", reason=markdown_text(exc)))
    else:
        st.success(
            state.tr(
                done_key,
                sessions=int(result) if isinstance(result, int) else 0,
                **{key: markdown_text(value) for key, value in values.items()},
            )
        )


with users_tab:
    table = st.empty()  # filled last, so it shows what the forms below just changed
    names = list(admin.users_frame(engine, actor=user)["username"])
    add, password_col, role_col, active_col = st.columns(4)
    with add, st.form("add-user", clear_on_submit=True):
        st.subheader(state.tr("accounts.add"))
        name = st.text_input(state.tr("auth.username"))
        password = st.text_input(state.tr("auth.password"), type="password")
        role = st.selectbox(state.tr("admin.role"), ROLES, format_func=lambda r: state.tr("role." + r))
        orgs = admin.organisations(engine)
        organisation = st.selectbox(
            state.tr("admin.organisation"),
            [None, *orgs],
            format_func=lambda o: "—" if o is None else orgs[o].name(state.lang()),
        )
        if st.form_submit_button(state.tr("accounts.add_button")):
            attempt(
                lambda: admin.add_user(engine, name.strip(), password, role, organisation_id=organisation, actor=user),
                "accounts.added",
                user=name.strip(),
            )
    with password_col, st.form("change-password", clear_on_submit=True):
        st.subheader(state.tr("accounts.change_password"))
        target = st.selectbox(state.tr("accounts.user"), names, key="password-user")
        new_password = st.text_input(state.tr("accounts.new_password"), type="password")
        if st.form_submit_button(state.tr("accounts.change_password")):
            attempt(
                lambda: admin.change_password(engine, target, new_password, actor=user), "accounts.password_changed"
            )
    with role_col, st.form("change-role"):
        st.subheader(state.tr("accounts.change_role"))
        target = st.selectbox(state.tr("accounts.user"), names, key="role-user")
        new_role = st.selectbox(state.tr("accounts.new_role"), ROLES, format_func=lambda r: state.tr("role." + r))
        if st.form_submit_button(state.tr("accounts.change_role")):
            attempt(
                lambda: admin.change_role(engine, target, new_role, actor=user),
                "accounts.role_changed",
                user=target,
                role=state.tr("role." + new_role),
            )
    with active_col, st.form("activation"):
        st.subheader(f"{state.tr('accounts.deactivate')} / {state.tr('accounts.reactivate')}")
        target = st.selectbox(state.tr("accounts.user"), names, key="active-user")
        off, on = st.columns(2)
        if off.form_submit_button(state.tr("accounts.deactivate")):
            attempt(lambda: admin.set_active(engine, target, False, actor=user), "accounts.deactivated", user=target)
        if on.form_submit_button(state.tr("accounts.reactivate")):
            attempt(lambda: admin.set_active(engine, target, True, actor=user), "accounts.reactivated", user=target)
    table.dataframe(
        visible_columns(admin.users_table(engine, actor=user, lang=state.lang())), hide_index=True, width="stretch"
    )

with audit_tab:
    st.dataframe(
        visible_columns(admin.audit_table(engine, actor=user, lang=state.lang())), hide_index=True, width="stretch"
    )

with purge_tab:
    st.caption(state.tr("admin.purge_help"))
    if st.button(state.tr("purge.dry_run")):
        st.session_state["purge_preview"] = admin.purge_preview(engine, now(), actor=user)
    preview = st.session_state.get("purge_preview")
    if preview is not None:
        st.info(state.tr("purge.would", word=admin.PURGE_WORD))
        st.dataframe(admin.purge_table(preview, state.lang()), hide_index=True)
        with st.form("purge-confirm"):
            word = st.text_input(state.tr("purge.confirm"))
            if st.form_submit_button(state.tr("purge.run")):
                try:
                    done = admin.purge_confirmed(engine, preview, word, actor=user)
                except admin.MessageError as exc:
                    st.error(state.tr("accounts.refused", reason=state.say(exc.message, markdown_text)))
                else:
                    st.session_state.pop("purge_preview")
                    st.success(state.tr("purge.done"))
                    st.dataframe(admin.purge_table(done, state.lang()), hide_index=True)
