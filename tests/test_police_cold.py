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
    from datetime import UTC, datetime

    from branca.element import MacroElement
    from test_layers_hostile import HOSTILE, hostile_gazetteer, hostile_reports
    from test_layers_restricted import CLUSTERS, EMERGING, GISTAR, density_grid

    from layers import police
    from layers.popups import OwnElement

    reports = hostile_reports()
    fmap = police.police_map(
        hostile_gazetteer(),
        role="police",
        period_label="2026-02",
        lang="en",
        gistar=GISTAR,
        density=density_grid(),
        clusters=CLUSTERS,
        emerging=EMERGING,
        reports=reports,
        points_window=(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    )
    ours = copy.deepcopy(fmap).get_root().render()
    monkeypatch.setattr(OwnElement, "render", MacroElement.render)
    theirs = copy.deepcopy(fmap).get_root().render()
    assert ours == theirs
    assert "circleMarker" in ours and "hm-legend" in ours and len(reports) >= len(HOSTILE)
