""" "Now" for the whole product: fixed in demo mode so "this week" always shows data.

It lives in data/ because the intake needs it too (the newest date it accepts is the
deployment clock's today + 1 day); services/clock.py re-exports it for the pages.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from data.runmode import demo_mode

DEMO_META = Path(__file__).resolve().parent / "demo" / "meta.json"


@cache
def _demo_now() -> datetime:
    meta = json.loads(DEMO_META.read_text(encoding="utf-8"))
    return datetime.fromisoformat(meta["now"]).replace(tzinfo=UTC)


def now() -> datetime:
    """The day after the latest demo report in demo mode; the real clock otherwise."""
    return _demo_now() if demo_mode() else datetime.now(UTC)
