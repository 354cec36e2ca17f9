"""The sign-in and sign-out forms as HTML: they post to the routes of ui/server.py, which
set or clear the HttpOnly session cookie (the password never passes through a page script)."""

from encoders import html_attr, html_text
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
<input type="hidden" name="lang" value="{html_attr(state.lang())}">
<label>{html_text(state.tr("auth.username"))}<input name="username" autocomplete="username" required></label>
<label>{html_text(state.tr("auth.password"))}<input name="password" type="password" autocomplete="current-password"
 required></label>
<button type="submit">{html_text(state.tr("auth.sign_in"))}</button></form>"""


def sign_out_form() -> str:
    return f"""{FORM_STYLE}<form class="signin" method="post" action="/auth/logout">
<input type="hidden" name="lang" value="{html_attr(state.lang())}">
<button type="submit">{html_text(state.tr("auth.sign_out"))}</button></form>"""
