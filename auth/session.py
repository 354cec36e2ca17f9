"""Signed, expiring session tokens, so a sign-in survives a browser refresh.

The token travels in the page URL (`?session=...`): Streamlit cannot set cookies from the
server. It carries only the user name, is signed with a secret made at first start, and
expires; the role is read again from the store on every page load.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from data.store.db import VAR_DIR

SESSION_HOURS = 8


def _secret() -> bytes:
    path = Path(os.environ.get("HOTSPOTS_SESSION_KEY_FILE", VAR_DIR / "session.key"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt="hotspots-session")


def issue(username: str) -> str:
    return _serializer().dumps({"u": username})


def read(token: str | None, max_age_s: int = SESSION_HOURS * 3600) -> str | None:
    """The user name in a valid, unexpired token; None for anything else."""
    if not token:
        return None
    try:
        return str(_serializer().loads(token, max_age=max_age_s)["u"])
    except (BadSignature, SignatureExpired, KeyError, TypeError):
        return None
