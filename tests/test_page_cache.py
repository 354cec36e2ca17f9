"""The page caches are shared by every session: a result is handed out only after the
server-side role check, and the role is part of its key, so a public session never gets
a police or council result that a police or council session cached; a write to the store
makes the next call compute afresh."""

from __future__ import annotations

import pytest


@pytest.fixture
def cache(demo_store, monkeypatch):  # type: ignore[no-untyped-def]
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    st.cache_data.clear()
    st.cache_resource.clear()
    from ui import cache as page_cache

    yield page_cache
    st.cache_data.clear()
    st.cache_resource.clear()


def _counting(monkeypatch, module, name: str) -> list[object]:
    """Count the calls of a service function (what a cache hit must not reach)."""
    calls: list[object] = []
    original = getattr(module, name)

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("role"))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


@pytest.mark.parametrize("outsider", [None, "moderator", "partner"])
def test_a_session_without_the_role_never_receives_a_cached_police_result(cache, monkeypatch, outsider) -> None:
    from services import police

    loads = _counting(monkeypatch, police, "load")
    accuracy = _counting(monkeypatch, police, "prediction_accuracy")
    warmed = cache.police_history("police", categories=[])
    cache.police_history("police", categories=[])
    cache.prediction_accuracy("police", categories=[], lang="uk")
    assert len(warmed) > 0 and len(loads) == 1 and accuracy == ["police"]  # the second call was a cache hit
    with pytest.raises(PermissionError):
        cache.police_history(outsider, categories=[])
    with pytest.raises(PermissionError):
        cache.prediction_accuracy(outsider, categories=[], lang="uk")
    with pytest.raises(PermissionError):
        cache.police_view(outsider, period=8, categories=[], lang="uk", layers=["gistar"])
    # even past the outer check, the role is in the key: the warmed entry is not the outsider's
    with pytest.raises(PermissionError):
        cache._police_history(outsider, cache.version(), ())
    with pytest.raises(PermissionError):
        cache._prediction_accuracy(outsider, cache.version(), (), "uk")
    # the inner call missed the cache and computed for the outsider (which the service refused);
    # _police_history checks the role itself before loading anything
    assert len(loads) == 1 and accuracy == ["police", outsider]


@pytest.mark.parametrize("outsider", [None, "police", "moderator"])
def test_a_session_without_the_role_never_receives_a_cached_council_result(cache, monkeypatch, outsider) -> None:
    from services import council

    loads = _counting(monkeypatch, council, "load")
    warmed = cache.council_reports("council")
    assert len(warmed) > 0 and loads == ["council"]
    for call in (
        lambda: cache.council_reports(outsider),
        lambda: cache.council_trend(outsider, district=None, lang="uk"),
        lambda: cache.survey_waves(outsider),
        lambda: cache._council_reports(outsider, cache.version()),
    ):
        with pytest.raises(PermissionError):
            call()
    assert loads == ["council", outsider]  # the inner call computed for the outsider (and was refused)


def test_a_write_to_the_store_makes_the_next_call_compute_afresh(cache, demo_store, monkeypatch) -> None:
    from sqlalchemy import text

    from services import council

    loads = _counting(monkeypatch, council, "load")
    before = cache.council_reports("council")
    cache.council_reports("council")
    assert len(loads) == 1
    engine = demo_store["engine"]
    with engine.begin() as conn:  # hide one report, then show it again: two writes, same data
        first = int(before["id"].iloc[0])
        conn.execute(text("UPDATE reports SET status = 'rejected' WHERE id = :id"), {"id": first})
        assert len(cache.council_reports("council")) == len(before)  # not committed yet: old version, cached
    assert len(cache.council_reports("council")) == len(before) - 1 and len(loads) == 2
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE reports SET status = :s WHERE id = :id"), {"s": before["status"].iloc[0], "id": first}
        )
    assert len(cache.council_reports("council")) == len(before) and len(loads) == 3


def test_no_cached_function_keeps_a_parameter_out_of_its_key() -> None:
    """Streamlit does not hash parameters named "_..."; a role or version named so would
    let one key serve every role or every version of the store."""
    import ast

    from tests.conftest import ROOT

    tree = ast.parse((ROOT / "ui" / "cache.py").read_text(encoding="utf-8"))
    cached = [
        f
        for f in tree.body
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(d, ast.Name) and d.id in {"_cached", "_cached_map"} for d in f.decorator_list)
    ]
    assert len(cached) >= 10
    for func in cached:
        names = [a.arg for a in func.args.args + func.args.kwonlyargs]
        assert names[0] == "role" or "version_key" in names, func.name
        assert not [n for n in names if n.startswith("_")], func.name


def test_every_draw_of_a_shared_map_sends_the_frame_the_same_map(cache, monkeypatch) -> None:
    """st_folium changes the map it is handed (ids renamed, header and scripts added again),
    so the cached map is drawn from a copy each time: the second session (or rerun) gets the
    same frame as the first, not a header styling an id that no longer exists."""
    import streamlit_folium

    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    from services import public
    from ui import state

    chosen = public.default_period(state.public_reader())
    shared = cache.public_view(
        period=chosen, group=None, lang="en", view=cache.public_opening_view(period=chosen, group=None)
    ).fmap
    original_id = shared._id
    for _ in range(3):
        streamlit_folium.st_folium(
            cache.map_to_draw(shared), key="public-map", height=560, use_container_width=True, returned_objects=[]
        )
    assert shared._id == original_id
    assert len(sent) == 3
    for draw in sent[1:]:
        assert {f: draw[f] for f in ("script", "header", "html", "key")} == {
            f: sent[0][f] for f in ("script", "header", "html", "key")
        }
    assert sent[0]["header"].count("#map_div {") == 1
