"""The police page's period computation on its faster paths gives the same numbers and the
same map script as the plain ones (issue 19k): the top places' recent counts and categories
against a count of the rows, the map's rendered overlays against folium's own rendering."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from data.categories import label as category_label
from data.store.repo import reports_frame


def test_top_places_count_each_listed_cells_reports_and_categories(demo_store) -> None:  # type: ignore[no-untyped-def]
    from services import forecast as fc
    from services.police import top_cells

    engine = demo_store["engine"]
    table = fc.default_forecast(engine, until=date(2026, 1, 1))
    rows = reports_frame(engine, located_only=True).tail(3000)
    top = top_cells(table, pd.DataFrame(columns=["cell", "category"]), rows, n=10, lang="en")
    assert len(top) == 10
    per_cell = Counter(rows["h3_r9"])
    assert top["n"].tolist() == [per_cell[c] for c in top["cell"]]
    assert sum(top["n"]) > 0
    for cell, shown in zip(top["cell"], top["categories"], strict=True):
        kinds = Counter(rows.loc[rows["h3_r9"] == cell, "category"])
        best = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        assert shown == ", ".join(f"{category_label(c, 'en')} ({k})" for c, k in best)


def test_our_map_elements_render_the_html_branca_would(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Our elements add their rendered pieces as text instead of parsing them again as Jinja
    templates (layers.popups.OwnElement): the map's whole HTML is what branca's own
    MacroElement.render gives, hostile texts included."""
    import copy

    from branca.element import MacroElement
    from test_layers_hostile import HOSTILE, hostile_gazetteer, hostile_reports
    from test_layers_restricted import every_police_layer

    from layers.popups import OwnElement

    reports = hostile_reports()
    fmap = every_police_layer(hostile_gazetteer(), reports)
    ours = copy.deepcopy(fmap).get_root().render()
    monkeypatch.setattr(OwnElement, "render", MacroElement.render)
    theirs = copy.deepcopy(fmap).get_root().render()
    assert ours == theirs
    assert "circleMarker" in ours and "hm-legend" in ours and len(reports) >= len(HOSTILE)


def test_report_points_carry_each_reports_popup_rows(demo_store) -> None:  # type: ignore[no-untyped-def]
    """The points layer builds its popups per column (issue 19k): each point's rows are the
    report's own category name, city time, status, place level with radius and text."""
    from datetime import timedelta

    from data.city_profile import city_zone
    from i18n import code_label, t
    from layers import police
    from layers.privacy import counted_reports
    from layers.text import plain
    from services.police import window_reports

    engine = demo_store["engine"]
    reports = window_reports(engine, *_last_weeks(engine, 4))
    end = reports["occurred_at"].max() + timedelta(seconds=1)
    start = end - timedelta(days=28)
    markers, circles = police.points_layers(reports, role="police", start=start, end=end, lang="en", cap=300)
    points = next(c for c in _descendants(markers) if type(c).__name__ == "TextPopupPoints").points
    counted = counted_reports(reports)
    shown = counted[counted["occurred_at"] >= start].sort_values("occurred_at", ascending=False).head(300)
    assert len(points) == len(shown) == 300
    for point, row in zip(points, shown.itertuples(index=False), strict=True):
        level = code_label("level", plain(row.level), "en")
        if row.uncertainty_m == row.uncertainty_m:
            level += f" ({t('popup.uncertainty', 'en', m=int(row.uncertainty_m))})"
        assert point[:2] == [row.lat, row.lon]
        assert [value for _, value in point[2]["rows"]] == [
            category_label(row.category, "en"),
            row.occurred_at.tz_convert(city_zone()).strftime("%Y-%m-%d %H:%M"),
            code_label("status", plain(row.status), "en"),
            level,
            plain(row.text),
        ]
    rings = next(c for c in _descendants(circles) if type(c).__name__ == "UncertaintyCircles").circles
    assert rings == [[r.lat, r.lon, r.uncertainty_m] for r in shown.itertuples(index=False) if r.uncertainty_m > 0]


def _last_weeks(engine, weeks: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from data.store.aggregates import report_columns

    last = report_columns(engine, ["occurred_at"])["occurred_at"].max()
    return last - timedelta(weeks=weeks), last + timedelta(seconds=1)


def _descendants(element):  # type: ignore[no-untyped-def]
    for child in element._children.values():
        yield child
        yield from _descendants(child)


def test_a_base_drawn_once_gives_every_period_the_frame_a_full_render_gives(demo_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ui.map_frame renders a map's base once per basemap stamp (issue 19k); the frame of a
    second period's map from that drawn base equals the frame rendered in full."""
    from services import police
    from ui import map_frame

    engine = demo_store["engine"]
    monkeypatch.setattr(police, "now", lambda: _last_weeks(engine, 0)[1])
    maps = [
        police.police_view(engine, role="police", period=p, lang="en", layers=("gistar", "emerging", "points")).fmap
        for p in (4, 12)
    ]
    map_frame._BASES.clear()
    first = map_frame.frame_of(maps[0])
    assert len(map_frame._BASES) == 1
    drawn = map_frame.frame_of(maps[1])
    map_frame._BASES.clear()
    map_frame._FRAMES.pop(maps[1])
    full = map_frame.frame_of(maps[1])
    assert drawn == full and drawn.script == first.script and drawn.overlays != first.overlays
    assert "markercluster" in " ".join(drawn.js_links)
    # a base changed after basemap() is rendered in full, never taken for the drawn one
    changed = police.police_view(engine, role="police", period=8, lang="en", layers=("gistar",)).fmap
    folium_marker = __import__("folium").Marker((47.56, 31.33))
    changed.add_child(folium_marker)
    assert map_frame.frame_of(changed).script != first.script


def _tree(element):  # type: ignore[no-untyped-def]
    """Each element of a tree, its id and its children's names (what drawing may not change)."""
    return [(type(e).__name__, e._id, tuple(e._children)) for e in [element, *_descendants(element)]]


def test_the_drawn_copy_gives_the_frame_a_deep_copy_gives_and_leaves_the_map_as_it_was(  # type: ignore[no-untyped-def]
    demo_store, monkeypatch
) -> None:
    """ui.map_frame draws a copy of the element tree that shares the data (issue 19n): the police
    (every layer), council (the action plan's popups) and public maps give the same frame as
    from a deep copy, and the shared map, its figure and data are as they were."""
    import copy

    from services import actions, council, police, public
    from ui import map_frame

    engine = demo_store["engine"]
    monkeypatch.setattr(police, "now", lambda: _last_weeks(engine, 0)[1])
    today = date(2026, 3, 1)
    plan = actions.actions_frame(engine, today=today, lang="en")
    chosen = public.default_period(engine)
    assert len(plan) and chosen
    maps = {
        "police": police.police_view(engine, role="police", period=4, lang="en").fmap,
        "council": council.review(
            engine,
            council.counts(engine, role="council"),
            plan,
            role="council",
            chosen=council.period(council.periods(today)[0]),
            lang="en",
            survey=None,
        ).fmap,
        "public": public.public_view(engine, chosen, None, lang="en").fmap,
    }
    for name, fmap in maps.items():
        before = _tree(fmap.get_root())
        html_before = copy.deepcopy(fmap).get_root().render()
        map_frame._BASES.clear()
        shared = map_frame.frame_of(fmap)
        assert _tree(fmap.get_root()) == before, name
        monkeypatch.setattr(map_frame, "drawn_copy", copy.deepcopy)
        map_frame._BASES.clear()
        deep = map_frame.frame_of(copy.deepcopy(fmap))
        monkeypatch.undo()
        monkeypatch.setattr(police, "now", lambda: _last_weeks(engine, 0)[1])
        assert shared == deep, name
        assert copy.deepcopy(fmap).get_root().render() == html_before, name


def test_the_pages_map_view_and_top_places_are_the_full_views(demo_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page computes the map without the forecast and the top places after it (issue 19n):
    the same map and the same table as the service's full view."""
    from services import police
    from ui import map_frame

    engine = demo_store["engine"]
    monkeypatch.setattr(police, "now", lambda: _last_weeks(engine, 0)[1])
    for period, categories in ((8, None), (police.AHEAD, ["litter", "noise"])):
        full = police.police_view(engine, role="police", period=period, categories=categories, lang="en")
        data = police.police_data(engine, role="police", period=period, categories=categories, with_forecast=False)
        assert data.forecast is None
        shown = police.police_map_of(data, role="police", lang="en", layers=("gistar", "kde", "emerging", "points"))
        assert shown.top is None and shown.forecast is None and shown.ahead == full.ahead
        assert map_frame.frame_of(shown.fmap) == map_frame.frame_of(full.fmap)
        forecast = police.period_forecast(engine, role="police", ahead=period == police.AHEAD, categories=categories)
        pd.testing.assert_frame_equal(police.police_top(data, forecast, role="police", lang="en"), full.top)


def test_the_window_is_read_without_text_and_the_map_and_export_are_those_of_the_full_read(  # type: ignore[no-untyped-def]
    demo_store, monkeypatch
) -> None:
    """The page reads a period's window without its text, the map's points (with text) for their
    last four weeks only and the CSV export's full rows only when asked (issue 19s): the map's
    frame, the top places and the CSV are those made from the full read of the window."""
    from datetime import timedelta

    from auth.users import User
    from clustering.hotspots import prepare
    from geo.gazetteer import load_gazetteer
    from layers.police import police_map
    from services import police
    from ui import map_frame

    engine = demo_store["engine"]
    monkeypatch.setattr(police, "now", lambda: _last_weeks(engine, 0)[1])
    user = User("officer", "police")
    for period, categories in ((26, None), (police.AHEAD, ["litter", "noise"])):
        data = police.police_data(engine, role="police", period=period, categories=categories, with_forecast=False)
        assert "text" not in data.reports and len(data.points) > 10
        assert len(data.reports) > len(data.points) or period == police.AHEAD  # "next7": four weeks
        assert data.points["occurred_at"].min() >= data.end - timedelta(days=28)
        full = police.window_reports(engine, data.start, data.end, categories=categories)
        shown = police.police_map_of(data, role="police", lang="en", layers=("gistar", "emerging", "points"))
        expected = police_map(
            load_gazetteer(),
            role="police",
            lang="en",
            period_label=f"{data.start:%Y-%m-%d} – {data.end:%Y-%m-%d}",
            gistar=data.gistar,
            emerging=data.emerging,
            reports=full,
            points_window=(max(data.start, data.end - timedelta(days=28)), data.end),
        )
        assert map_frame.frame_of(shown.fmap) == map_frame.frame_of(expected)
        forecast = police.period_forecast(engine, role="police", ahead=period == police.AHEAD, categories=categories)
        usable = prepare(full, police.POLICE_RES, load_gazetteer().boundary_polygon)[2]
        pd.testing.assert_frame_equal(
            police.police_top(data, forecast, role="police", lang="en"),
            police.top_cells(forecast, data.emerging, usable, lang="en"),
        )
        csv = police.window_csv(engine, data.start, data.end, user=user, categories=categories, lang="en")
        assert csv == police.export_csv(full, user=user, engine=engine, lang="en") and full["text"].notna().any()


def test_the_when_charts_rows_are_pandas_melt_of_the_profile() -> None:
    """The chart's rows (weekday, hour, n), built without ``DataFrame.melt``, are melt's rows."""
    from clustering.profiles import hour_weekday_counts
    from services.police import when_rows

    profile = hour_weekday_counts(pd.Series({0: 3, 23: 2, 100: 5, 167: 1})).rename(index=lambda d: f"day {d}")
    melted = profile.reset_index().melt(id_vars="weekday", var_name="hour", value_name="n")
    pd.testing.assert_frame_equal(when_rows(profile), melted.astype({"hour": "int64"}))
    assert int(when_rows(profile)["n"].sum()) == 11
