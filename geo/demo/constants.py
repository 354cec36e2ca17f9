"""The fixed frame of the demo data set, shared by the generator and its writers."""

from __future__ import annotations

from datetime import datetime

from data.city_profile import demo_profile

KYIV = demo_profile().tz  # the demo city's clock, whatever CITY_PROFILE says
START = datetime(2024, 1, 1, tzinfo=KYIV)
END = datetime(2026, 1, 1, tzinfo=KYIV)  # exclusive; the demo's "now" is this day
NOW = "2026-01-01"
LABEL = "DEMO DATA — synthetic"
SEED = 20240101
