"""Who may do what: one matrix, read by the navigation, the pages and every export."""

from __future__ import annotations

ROLES = ("police", "council", "partner", "moderator", "admin")
ANONYMOUS = "public"

#: page slug -> roles that may open it (None: everyone, residents included)
PAGES: dict[str, tuple[str, ...] | None] = {
    "public_map": None,
    "rules": None,
    "report": None,
    "method": None,
    "police": ("police", "admin"),
    "council": ("council", "partner", "admin"),
    "moderator": ("moderator", "admin"),
    "admin": ("admin",),
}

#: restricted actions (exports, edits) -> roles allowed
ACTIONS: dict[str, tuple[str, ...]] = {
    "export_police": ("police", "admin"),
    "export_council": ("council", "partner", "admin"),
    "edit_actions": ("council", "admin"),
    "edit_own_actions": ("partner",),
    "moderate": ("moderator", "admin"),
    "manage_users": ("admin",),
    "purge": ("admin",),
}


def can(role: str | None, what: str) -> bool:
    """Whether `role` (None = not signed in) may open page or do action `what`."""
    if what in PAGES:
        allowed = PAGES[what]
        return allowed is None or (role is not None and role in allowed)
    return role is not None and role in ACTIONS[what]


def require(role: str | None, what: str) -> None:
    """Raise PermissionError unless `role` may do `what` (server-side check)."""
    if not can(role, what):
        raise PermissionError(f"role {role or ANONYMOUS!r} may not {what}")


def allowed_pages(role: str | None) -> list[str]:
    return [page for page in PAGES if can(role, page)]
