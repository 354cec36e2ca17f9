"""The police page as the browser receives it (streamlit's AppTest): the map keeps its place in
the page for every choice, so the browser keeps the map's frame and only swaps its layers."""

from __future__ import annotations

import pytest
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


@pytest.fixture
def police_page(demo_store, monkeypatch):  # type: ignore[no-untyped-def]
    """A new police session's first whole run of the page (empty page caches); call it."""
    import streamlit as st

    from auth import sessions
    from ui.state import SESSION_KEY

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    st.cache_data.clear()
    st.cache_resource.clear()

    def opened(**state: object) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
        at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], "police")
        for key, value in state.items():
            at.session_state[key] = value
        at.run()  # the app opens on the public map (and checks the demo data once); then the police page
        at.switch_page(str(ROOT / "ui" / "pages" / "police.py")).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield opened
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_map_keeps_its_place_whatever_notes_a_choice_shows(police_page) -> None:  # type: ignore[no-untyped-def]
    """A new period or category may add notes above the map (the "next 7 days" dates, a warning
    of too few reports); an element that moved would get a new iframe, which reloads the whole
    map and can miss the component's first render (the map then stays blank)."""
    at = police_page()
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


def test_the_accuracy_and_effects_are_computed_only_while_their_expander_is_open(police_page, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A period or category change reruns the whole page: the stored forecasts' accuracy and the
    finished actions' effects, both in closed expanders, are not computed for it."""
    from services import effect, police

    computed: list[str] = []
    for module, name in ((police, "prediction_accuracy"), (effect, "finished_table")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: computed.append(_n) or _f(*a, **k))
    at = police_page()
    _choose(at, "police_period.label", 4)
    expanders = [e.label for e in at.expander]
    assert t("police.accuracy") in expanders and t("plan.effect") in expanders  # shown, closed
    assert computed == []
    police_page(**{"police-accuracy-open": True, "police-effects-open": True})
    assert sorted(computed) == ["finished_table", "prediction_accuracy"]


def test_the_csv_export_reads_the_windows_full_rows_only_when_asked(police_page, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page's window holds no report text (issue 19s): the CSV's "prepare" toggle reads the
    window's full rows, and only then."""
    from services import police

    exported: list = []
    original = police.export_csv
    monkeypatch.setattr(police, "export_csv", lambda reports, **k: exported.append(reports) or original(reports, **k))
    at = police_page()
    assert exported == []
    next(w for w in at.toggle if w.label == t("police.prepare_csv")).set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(exported) == 1 and exported[0]["text"].notna().sum() > 100
