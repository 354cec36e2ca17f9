"""Demo or production: one switch read by every layer (the demo has public passwords)."""

from __future__ import annotations

import os

from data.city_profile import profile


def demo_mode() -> bool:
    """Demo mode for the bundled demo city unless the operator says otherwise
    (HOTSPOTS_MODE=production). A city's own profile (CITY_PROFILE, `demo = false`) always
    runs in production: no demo reports imported into it, no demo account signs in."""
    return os.environ.get("HOTSPOTS_MODE", "demo") != "production" and profile().demo
