"""The public map page as the browser receives it (streamlit's AppTest): the map keeps its place
in the page for every view, so the browser keeps the map's frame and only swaps its layers."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from i18n import t
from tests.conftest import ROOT
from tests.test_police_page import _map_place


def test_the_public_map_keeps_its_place_when_a_note_shows_above_it(demo_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The "opened on cells" note shows above the map only for one view; an element that moved
    would get a new iframe, which reloads the whole map (see tests/test_police_page.py)."""
    from ui import cache

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    monkeypatch.setattr(cache, "public_opening_view", lambda **_: "cells")  # the page opens on cells
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
        at.run()  # the first run also shows the app's one-off demo-data check above the page
        assert not at.exception, [e.value for e in at.exception]
        assert t("release.opened_on_cells") in [i.value for i in at.info]
        place = _map_place(at)
        for view in ("hotspots", "districts", "cells"):
            next(r for r in at.radio if r.label == t("public.view")).set_value(view).run()
            assert not at.exception, [e.value for e in at.exception]
            assert (t("release.opened_on_cells") in [i.value for i in at.info]) == (view == "cells")
            assert _map_place(at) == place, view
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
