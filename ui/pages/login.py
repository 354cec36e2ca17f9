"""Sign in / sign out (police, council, partners, moderators, admins; residents need none).

The forms post to the routes of ui/server.py, which set or clear the HttpOnly session
cookie: the password and the session id never pass through a URL or a page script.
"""

from html import escape

import streamlit as st

from ui import state

FORM_STYLE = """<style>
.signin{display:flex;flex-direction:column;gap:.8rem;max-width:24rem}
.signin label{display:flex;flex-direction:column;gap:.25rem;font-size:.9rem}
.signin input{font:inherit;padding:.45rem .6rem;border:1px solid #ccc;border-radius:.5rem}
.signin button{font:inherit;align-self:flex-start;padding:.4rem 1rem;border:1px solid #ccc;border-radius:.5rem;
background:#fff;cursor:pointer}
</style>"""


def sign_in_form() -> str:
    """The sign-in form as HTML (catalogue texts escaped; it posts to /auth/login)."""
    return f"""{FORM_STYLE}<form class="signin" method="post" action="/auth/login">
<input type="hidden" name="lang" value="{escape(state.lang())}">
<label>{escape(state.tr("auth.username"))}<input name="username" autocomplete="username" required></label>
<label>{escape(state.tr("auth.password"))}<input name="password" type="password" autocomplete="current-password"
 required></label>
<button type="submit">{escape(state.tr("auth.sign_in"))}</button></form>"""


def sign_out_form() -> str:
    return f"""{FORM_STYLE}<form class="signin" method="post" action="/auth/logout">
<input type="hidden" name="lang" value="{escape(state.lang())}">
<button type="submit">{escape(state.tr("auth.sign_out"))}</button></form>"""


st.title(state.tr("nav.login"))
user = state.current_user()
if user:
    st.success(state.tr("auth.signed_in_as", user=user.username, role=user.role))
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
