"""Logins and roles, behind one interface so an OIDC provider (st.login) can replace it.

Roles are checked on the server for every page and every export: pages are registered
only for roles that may see them, and every restricted function calls
:func:`auth.roles.require` itself.
"""

from auth.roles import PAGES, ROLES, allowed_pages, can, require
from auth.users import User

__all__ = ["PAGES", "ROLES", "User", "allowed_pages", "can", "require"]
