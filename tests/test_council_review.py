"""The council page's cold path (issue 19m): what the page computes once per store version and
shares between its parts gives the same tables and layers as each part computed on its own."""

from __future__ import annotations

from datetime import date

import folium
import pandas as pd

from tests.test_page_cache import cache  # noqa: F401 (fixture: the page caches on the demo store)

TODAY = date(2026, 3, 1)


def _overlays(fmap: folium.Map) -> dict[str, list[object]]:
    """Each overlay group's GeoJSON features and tooltip texts, by the group's name."""
    out = {}
    for group in fmap._children.values():
        if isinstance(group, folium.FeatureGroup):
            parts: list[object] = []
            for child in group._children.values():
                if isinstance(child, folium.GeoJson):
                    parts.append(child.data)
                    parts += [getattr(c, "tips_js", None) for c in child._children.values()]
            out[group.layer_name] = parts
    return out


def test_the_review_maps_survey_layers_are_those_of_the_responses(cache, demo_store) -> None:  # noqa: F811 (the imported fixture)
    """The review map takes the newest wave's means and their change from the page cache; they
    draw exactly what the survey responses themselves draw."""
    from geo.gazetteer import load_gazetteer
    from layers.council import council_map
    from services import council

    surveys, waves = council.survey_waves(demo_store["engine"])
    assert len(waves) >= 2, "the demo has two survey waves"
    period = council.periods(TODAY)[2]
    shown = _overlays(cache.council_review("council", period=period, today=TODAY, lang="en").fmap)
    direct = council_map(
        load_gazetteer(),
        role="council",
        period=council.period(period),
        lang="en",
        survey=surveys,
        wave=waves[-1],
        previous_wave=waves[-2],
    )
    expected = _overlays(direct)
    survey_layers = [name for name in expected if name.startswith("Survey")]
    assert len(survey_layers) == 2
    for name in survey_layers:
        assert shown[name] == expected[name], name


def test_the_survey_tables_are_those_of_the_responses(cache, demo_store) -> None:  # noqa: F811 (the imported fixture)
    from layers.privacy import survey_by_district, survey_change
    from services import council

    surveys, waves = council.survey_waves(demo_store["engine"])
    for lang in ("uk", "en"):
        for wave in waves:
            expected = council.shown_survey(survey_by_district(surveys, wave), lang)
            pd.testing.assert_frame_equal(cache.survey_table("council", wave=wave, lang=lang), expected)
        expected = council.shown_survey(survey_change(surveys, waves[0], waves[-1]), lang)
        got = cache.survey_difference("council", before=waves[0], after=waves[-1], lang=lang)
        pd.testing.assert_frame_equal(got, expected)
        assert got.notna().any().any()


def test_the_effects_table_from_the_pages_action_plan_is_the_one_read_on_its_own(cache, demo_store) -> None:  # noqa: F811 (the imported fixture)
    """The "did it work?" table takes the action plan the page cached (in its language) and
    gives the table that reading the plan itself gives."""
    from services import effect

    expected = effect.finished_table(demo_store["engine"], role="council", today=TODAY)
    assert len(expected) > 0 and expected["wdd"].notna().any()
    for lang in ("uk", "en"):
        pd.testing.assert_frame_equal(cache.finished_effects("council", today=TODAY, lang=lang), expected)


def test_the_effects_of_many_actions_are_each_actions_own(demo_store) -> None:
    """`effects` prepares each read once for all actions; every action's result is the one
    :func:`services.effect.effect_of` gives it alone, from the ring read and from the whole history."""
    from data.store.aggregates import report_columns
    from services import effect
    from services.actions import actions_frame

    engine = demo_store["engine"]
    plan = actions_frame(engine, today=TODAY)
    finished = plan[plan["status"] == "done"]
    history = report_columns(engine, ("occurred_at", "h3_r9"))
    alone = [effect.effect_of(a, history, today=TODAY) for _, a in finished.iterrows()]
    assert sum(e.result is not None for e in alone) >= 2
    for table in (
        effect.effects(engine, finished, role="council", today=TODAY),
        effect.effects(engine, finished, role="council", today=TODAY, reports=history),
    ):
        assert table["reason"].tolist() == [e.reason for e in alone]
        assert table["wdd"].tolist() == [None if e.result is None else round(e.result.total, 2) for e in alone]
        assert table["wdd_se"].tolist() == [None if e.result is None else round(e.result.se_total, 2) for e in alone]


def test_district_labels_follow_the_gazetteer_in_each_language(monkeypatch) -> None:
    """The names are computed once per gazetteer and language (a page labels every row), and
    another gazetteer gets its own."""
    import dataclasses

    from geo.gazetteer import load_gazetteer
    from services import labels

    gz = load_gazetteer()
    for d in gz.districts:
        assert labels.district_label(d.id, "uk") == labels.district_label(d.name, "uk") == d.name
        assert labels.district_label(d.id, "en") == (d.names.get("name:en") or d.name)
    assert labels.district_label("Невідомий", "en") == "Невідомий" and labels.district_label(None, "en") == ""
    renamed = dataclasses.replace(gz, districts=[dataclasses.replace(d, name=d.name + " (new)") for d in gz.districts])
    monkeypatch.setattr(labels, "load_gazetteer", lambda: renamed)
    first = gz.districts[0]
    assert labels.district_label(first.id, "uk") == first.name + " (new)"
    assert labels.district_names("uk")[first.id] == first.name + " (new)"


def test_editable_actions_are_those_may_edit_allows_row_by_row(demo_store) -> None:
    """The plan's editable rows, decided for the whole column at once, are exactly the rows
    :func:`services.actions.may_edit` allows one by one, for every kind of user."""
    from auth.users import User
    from services import actions

    plan = actions.actions_frame(demo_store["engine"], today=TODAY)
    orgs = list(plan["owner_org_id"].dropna().unique())
    plan = pd.concat([plan, plan.head(2).assign(id=[-1, -2], owner_org_id=None)], ignore_index=True)  # no owner
    assert plan["owner_org_id"].isna().sum() == 2 and len(orgs) >= 2
    users = [User("c", "council"), User("a", "admin"), User("p", "police"), User("x", "partner")]
    users += [User(f"p{i}", "partner", org) for i, org in enumerate(orgs)] + [User("n", "partner", "no-such-org")]
    for user in users:
        oracle = plan[[actions.may_edit(user, row) for _, row in plan.iterrows()]]
        pd.testing.assert_frame_equal(actions.editable(plan, user), oracle)


def two_survey_waves(gazetteer) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Survey answers for waves "1" and "2", MIN_SURVEY_N in each of the gazetteer's districts
    (enough to be shown), trust alternating 3 and 4 by district."""
    from layers.privacy import MIN_SURVEY_N

    return pd.DataFrame(
        [
            {"wave": w, "district": d.name, "trust_police": 3.0 + i % 2}
            for w in ("1", "2")
            for i, d in enumerate(gazetteer.districts)
            for _ in range(MIN_SURVEY_N)
        ]
    )


def test_district_layers_add_their_geojson_as_text_and_render_the_html_folium_would(monkeypatch) -> None:
    """The council map's GeoJSON layers (layers.style.TextGeoJson) add their rendered script as
    text, never parsed again as a Jinja template (that parse grew with the features' JSON),
    and the map's whole HTML is what folium's own GeoJson rendering gives, hostile texts included."""
    import copy

    import jinja2
    from branca.element import MacroElement
    from test_layers_hostile import hostile_actions, hostile_gazetteer
    from test_layers_restricted import make_reports

    from layers import council
    from layers.popups import OwnElement
    from layers.privacy import Month

    gz = hostile_gazetteer()
    survey = two_survey_waves(gz)
    fmap = council.council_map(
        gz,
        role="council",
        period=Month(2026, 2),
        lang="en",
        reports=make_reports(8, 160),
        actions=hostile_actions(),
        survey=survey,
        wave="2",
        previous_wave="1",
    )
    parsed: list[str] = []
    plain_parse = jinja2.Environment.from_string

    def recorded(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(str(source))
        return plain_parse(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", recorded)
    ours = copy.deepcopy(fmap).get_root().render()
    assert ours.count('"FeatureCollection"') >= 7  # basemap, three district, cells, two survey layers
    reparsed = [s for s in parsed if '"FeatureCollection"' in s]
    assert len(reparsed) == 1, "only the basemap's GeoJSON (drawn once per page) is parsed again"
    monkeypatch.setattr(OwnElement, "render", MacroElement.render)
    theirs = copy.deepcopy(fmap).get_root().render()
    assert ours == theirs


def test_a_table_of_districts_finds_the_gazetteer_once(monkeypatch) -> None:
    """Labelling a table's microdistricts looks the gazetteer in force up once, not per row
    (each look-up resolves paths), with the names :func:`services.labels.district_label` gives."""
    from geo.gazetteer import load_gazetteer
    from services import council, labels

    gz = load_gazetteer()
    looked_up: list[int] = []

    def counted():  # type: ignore[no-untyped-def]
        looked_up.append(1)
        return gz

    table = pd.DataFrame(
        {"district": [d.id for d in gz.districts] + ["Невідомий", None], "n": range(len(gz.districts) + 2)}
    )
    expected = [labels.district_label(d, "en") for d in table["district"]]
    monkeypatch.setattr(labels, "load_gazetteer", counted)
    shown = council.shown_survey(table, "en")
    assert shown.iloc[:, 0].tolist() == expected
    assert expected[-2:] == ["Невідомий", ""] and len(set(expected)) == len(gz.districts) + 2
    assert len(looked_up) == 1


def test_the_page_cache_keeps_each_waves_means_not_the_responses(cache, demo_store) -> None:  # noqa: F811 (the imported fixture)
    """The survey tables and layers read each wave's means from one cached summary; the answers
    themselves are not kept in the page cache (each read of the waves copied them)."""
    from layers.privacy import survey_by_district
    from services import council

    surveys, waves = council.survey_waves(demo_store["engine"])
    kept = cache._surveys("council", cache.version())
    assert kept.waves == waves == cache.survey_waves("council")
    assert list(kept.means) == waves
    for wave in waves:
        pd.testing.assert_frame_equal(kept.means[wave], survey_by_district(surveys, wave))
        assert "answers" not in kept.means[wave]


def test_the_survey_legend_names_its_wave_in_the_chosen_language() -> None:
    """The survey legend's caption says which wave it shows ("wave 2" / "хвиля 2"), never the
    bare wave label, which a reader cannot tell from a count."""
    from test_layers_hostile import hostile_gazetteer

    from layers import council
    from layers.privacy import Month

    gz = hostile_gazetteer()
    survey = two_survey_waves(gz)
    italic = "\\u003ci\\u003e{}\\u003c/i\\u003e"  # the legend's HTML inside its JavaScript string
    for lang, caption in (("en", italic.format("wave 2")), ("uk", italic.format("хвиля 2"))):
        fmap = council.council_map(
            gz, role="council", period=Month(2026, 2), lang=lang, survey=survey, wave="2", previous_wave="1"
        )
        html = fmap.get_root().render()
        assert caption in html
        assert italic.format("2") not in html
