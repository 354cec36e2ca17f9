"""The page caches are shared by every session: a result is handed out only after the
server-side role check, and the role is part of its key, so a public session never gets
a police or council result that a police or council session cached; a write to the store
makes the next call compute afresh."""

from __future__ import annotations

from datetime import date

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
    with pytest.raises(PermissionError):
        cache.police_top(outsider, period=8, categories=[], lang="uk")
    with pytest.raises(PermissionError):
        cache._police_top(outsider, cache.version(), cache.clock_key(), 8, (), "uk")
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
        lambda: cache.raised_at_meetings(outsider),
        lambda: cache._raised_at_meetings(outsider, cache.version()),
        lambda: cache._council_counts(outsider, cache.version()),
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


def test_every_draw_of_a_shared_map_sends_the_frame_what_st_folium_sends(cache, monkeypatch) -> None:
    """A cached map is rendered once (ui.map_frame) and every draw (another session, another
    rerun) sends the component what st_folium sends for a fresh copy of the map split into its
    base, its swapped groups and its layer control, with the groups' and control's script moved
    into the html (run by map_frame.SWAPPER, not by the component's eval), differing only in not
    adding hidden groups to the map and in its closing version stamp. The shared map itself is
    never changed."""
    import copy
    import html

    import streamlit_folium

    from services import public
    from ui import map_frame, state

    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    chosen = public.default_period(state.public_reader())
    shared = cache.public_view(
        period=chosen, group=None, lang="en", view=cache.public_opening_view(period=chosen, group=None)
    ).fmap
    police_map = cache.police_view(
        "police", period=8, categories=[], lang="en", layers=["gistar", "kde", "emerging", "points"]
    ).fmap
    for key, fmap in (("public-map", shared), ("police-map", police_map)):
        sent.clear()
        original_id = fmap._id
        base, groups, control = map_frame.split(copy.deepcopy(fmap))
        hidden = [i for i, group in enumerate(groups) if not group.show]
        streamlit_folium.st_folium(
            base,
            key=key,
            height=560,
            use_container_width=True,
            returned_objects=[],
            feature_group_to_add=groups,
            layer_control=control,
        )
        for _ in range(3):
            map_frame.draw(fmap, key=key, height=560)
        assert fmap._id == original_id
        assert len(sent) == 4
        overlays = sent[0]["feature_group"] + sent[0]["layer_control"]
        for i in hidden:
            line = f"map_div.addLayer(feature_group_feature_group_{i});\n"
            assert overlays.count(line) == 1
            overlays = overlays.replace(line, "")
        frame = map_frame.frame_of(fmap)
        assert frame.overlays == overlays + f'map_div.getContainer().dataset.layers = "{frame.version}";\n'
        carrier = f'<textarea id="hm-layers" hidden data-version="{frame.version}">\n{html.escape(frame.overlays, quote=False)}</textarea>'
        expected = sent[0] | {
            "script": sent[0]["script"] + map_frame.SWAPPER,
            "html": sent[0]["html"] + carrier,
            "feature_group": None,
            "layer_control": None,
        }
        expected["key"] = streamlit_folium.generate_js_hash(expected["script"], key, False)
        fields = [f for f in sent[0] if f != "on_change"]
        for draw in sent[1:]:
            assert {f: draw[f] for f in fields} == {f: expected[f] for f in fields}
        assert sent[0]["header"].count("#map_div {") == 1
        assert "base_layers" in frame.overlays and "hm-legend" in frame.overlays
        assert "hm-legend" not in sent[1]["script"] and "OpenStreetMap contributors" in sent[1]["script"]
    assert hidden  # the police KDE layer starts hidden
    assert any("markercluster" in link for link in sent[0]["js_links"])  # the police map's own plugin


def test_a_new_period_keeps_the_map_frame_and_swaps_only_its_layers(cache, monkeypatch) -> None:
    """Police and council maps of two periods share their base script, so the component keeps
    its iframe (same key); their layers, legends and version differ."""
    import streamlit_folium

    from services import council
    from ui import map_frame

    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    today = date(2026, 3, 1)
    first, second = council.periods(today)[:2]
    maps = {
        "police-map": [
            cache.police_view("police", period=p, categories=[], lang="en", layers=["gistar", "points"]).fmap
            for p in (4, 12)
        ],
        "council-map": [
            cache.council_review("council", period=p, today=today, lang="en").fmap for p in (first, second)
        ],
    }
    for key, (one, other) in maps.items():
        sent.clear()
        map_frame.draw(one, key=key, height=500)
        map_frame.draw(other, key=key, height=500)
        assert sent[0]["key"] == sent[1]["key"] and sent[0]["script"] == sent[1]["script"], key
        assert sent[0]["html"] != sent[1]["html"], key
        assert map_frame.frame_of(one).version != map_frame.frame_of(other).version, key


def _police_runs(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    """The periods for which the police page's data were computed (cache misses)."""
    from services import police

    periods: list[object] = []
    original = police.police_data

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        periods.append(kwargs["period"])
        return original(*args, **kwargs)

    monkeypatch.setattr(police, "police_data", spy)
    return periods


@pytest.mark.warm_up
def test_the_warm_up_computes_every_period_once_per_store_version(cache, demo_store, monkeypatch) -> None:
    from sqlalchemy import text

    from services import police
    from ui import warm_up

    monkeypatch.setattr(police, "AREA_COUNTS", range(3, 5))  # two counts stand for all (each solves a p-median)
    monkeypatch.setattr(police, "WINDOW_HOURS", (police.DEFAULT_PLAN[2], 3))  # the default and one other window
    computed = _police_runs(monkeypatch)
    plans = _counting(monkeypatch, police, "suggested_plan")
    first = cache.warm_police("police", lang="uk")
    assert warm_up.wait() and cache.warm_up_status(first) == "done"
    assert sorted(map(str, computed)) == sorted(map(str, police.PERIODS))
    assert cache.warm_police("police", lang="uk") == first  # asked again (a rerun, another session): nothing new
    for period in police.PERIODS:  # every period is now a cache hit
        cache.police_view("police", period=period, categories=[], lang="uk", layers=police.DEFAULT_LAYERS)
    for areas in police.AREA_COUNTS:
        cache.patrol_areas("police", categories=[], areas=areas, lang="uk")
    solved = len(plans)
    assert solved == 2 * len(police.WINDOW_HOURS)  # each window, for the weeks back and for the next 7 days
    patrols, shift, _, beat_km = police.DEFAULT_PLAN
    for period, window_hours in [(p, w) for p in (police.AHEAD, police.DEFAULT_PERIOD) for w in police.WINDOW_HOURS]:
        cache.patrol_plan(
            "police",
            period=period,
            categories=[],
            patrols=patrols,
            shift=(shift[0], shift[1] % 24),
            window_hours=window_hours,
            beat_km=beat_km,
            lang="uk",
        )
    assert len(plans) == solved  # a change of the plan's window after the page settled is a cache hit
    assert len(computed) == len(police.PERIODS) and warm_up.wait()
    with demo_store["engine"].begin() as conn:  # a write: a new store version
        conn.execute(text("UPDATE reports SET status = status WHERE id = (SELECT min(id) FROM reports)"))
    second = cache.warm_police("police", lang="uk")
    assert second != first and second[2] > first[2]
    assert warm_up.wait() and cache.warm_up_status(second) == "done"
    assert len(computed) == 2 * len(police.PERIODS)  # recomputed for the new version


@pytest.mark.warm_up
@pytest.mark.parametrize("outsider", [None, "moderator", "partner"])
def test_the_warm_up_never_runs_for_a_session_without_the_role(cache, monkeypatch, outsider) -> None:
    from ui import warm_up

    computed = _police_runs(monkeypatch)
    before = warm_up.statuses()
    with pytest.raises(PermissionError):
        cache.warm_police(outsider, lang="uk")
    if outsider != "partner":  # a partner works on the council page
        with pytest.raises(PermissionError):
            cache.warm_council(outsider, today=date(2025, 1, 1), lang="uk")
    assert warm_up.statuses() == before and computed == []


def _open_page(engine, slug: str, user: str | None) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from auth import sessions
    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if user:
        at.session_state["session_id"] = sessions.open_session(engine, user)
        at.run()  # the app opens on the public map; the signed-in user then opens the page
        at.switch_page(str(ROOT / "ui" / "pages" / f"{slug}.py"))
    at.run()
    assert not at.exception, at.exception


def test_a_staff_page_asks_for_its_warm_up_and_the_public_map_never_does(demo_store, monkeypatch) -> None:
    """The pages start it (after their own run): police and council for their role, public never."""
    import streamlit as st

    from ui import warm_up

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    st.cache_data.clear()
    engine = demo_store["engine"]
    _open_page(engine, "public_map", None)
    assert warm_up.statuses() == {}
    _open_page(engine, "police", "police")
    _open_page(engine, "council", "partner")
    asked = [(key[0], key[1]) for key in warm_up.statuses()]  # queued only: this test lets none run
    assert asked == [("police", "police"), ("council", "partner")]


@pytest.mark.warm_up
def test_the_warm_up_starts_no_step_while_a_user_computation_runs() -> None:
    import threading

    from ui import warm_up

    ran = threading.Event()
    with warm_up.user_first():
        assert warm_up.submit(("test", "user-first"), lambda: [ran.set])
        assert not ran.wait(0.5)  # queued behind the user's computation
    assert warm_up.wait() and ran.is_set() and warm_up.state_of(("test", "user-first")) == "done"
