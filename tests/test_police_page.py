"""The police page as the browser receives it (streamlit's AppTest): the map keeps its place in
the page for every choice, so the browser keeps the map's frame and only swaps its layers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from i18n import t
from services.labels import category_names
from tests.conftest import ROOT


def _map_place(at: AppTest) -> int:
    """Where the map component sits among the page's top-level elements."""
    places = [i for i, node in at.main.children.items() if node.type == "component_instance"]
    assert len(places) == 1, places
    return places[0]


def _notes_above_map(at: AppTest) -> int:
    """Captions and warnings above the map."""
    todo = [node for i, node in at.main.children.items() if i < _map_place(at)]
    found = 0
    while todo:
        node = todo.pop()
        found += node.type in ("caption", "warning")
        todo += list(getattr(node, "children", {}).values())
    return found


def _choose(at: AppTest, key: str, value: object) -> None:
    widget = next(w for w in [*at.selectbox, *at.multiselect] if w.label == t(key))
    widget.set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_map_keeps_its_place_whatever_notes_a_choice_shows(demo_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A new period or category may add notes above the map (the "next 7 days" dates, a warning
    of too few reports); an element that moved would get a new iframe, which reloads the whole
    map and can miss the component's first render (the map then stays blank)."""
    import streamlit as st

    from auth import sessions
    from ui.state import SESSION_KEY

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], "police")
    at.run()  # the app opens on the public map (and checks the demo data once); then the police page
    at.switch_page(str(ROOT / "ui" / "pages" / "police.py")).run()
    assert not at.exception, [e.value for e in at.exception]
    place, notes = _map_place(at), _notes_above_map(at)
    _choose(at, "police_period.label", "next7")
    assert _notes_above_map(at) == notes + 1  # the forecast's dates
    assert _map_place(at) == place
    for category in reversed(category_names("uk")):  # until one has too few reports for hot spots
        _choose(at, "filters.category", [category])
        assert _map_place(at) == place
        if _notes_above_map(at) == notes + 2:
            break
    assert _notes_above_map(at) == notes + 2, "no category of the demo data has too few reports"
    _choose(at, "police_period.label", 8)
    assert _map_place(at) == place
