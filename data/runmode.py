"""Demo or production: one switch read by every layer (the demo has public passwords)."""

from __future__ import annotations

import os


def demo_mode() -> bool:
    """Demo mode unless the operator says otherwise (HOTSPOTS_MODE=production)."""
    return os.environ.get("HOTSPOTS_MODE", "demo") != "production"
