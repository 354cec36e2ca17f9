"""Runs after every journey (file order): the app's server log holds no traceback."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_server_log_holds_no_traceback(app_url, app_var) -> None:
    log = (app_var / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "Error:" not in log, log[-4000:]
