"""The Streamlit settings the app's speed depends on (read by `streamlit run` from the repo)."""

from __future__ import annotations

import tomllib

from streamlit import config

from tests.conftest import ROOT


def test_no_full_garbage_collection_after_every_run() -> None:
    """Streamlit's default `gc.collect(2)` after each script run walked the whole heap of the
    page caches (~430k objects, 0.2-0.45 s) before the browser heard "finished" (docs/SCALING.md)."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert "runner.postScriptGC" in config.get_config_options(), "Streamlit renamed the option: check the fix"
    assert settings["runner"]["postScriptGC"] is False
