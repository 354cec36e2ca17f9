""" "Now" for the whole product (see data/clock.py, its one home)."""

from __future__ import annotations

from data.clock import DEMO_META, demo_mode, now

__all__ = ["DEMO_META", "demo_mode", "now"]
