"""layers/popups.py: a layer's points carry their popup texts as one table of distinct texts
and indexes into it; what the browser unpacks is each point's own title and rows."""

from __future__ import annotations

import json

import folium

from layers.popups import TextPopupPoints, box_data

HOSTILE = "</script><img src=x onerror=alert(1)>{{ 7*7 }}${x}\u202e\x00"


def unpacked(points: TextPopupPoints) -> list[list[object]]:
    """What the browser's ``unpacked(p)`` makes of the element's script data (it is JSON)."""
    texts, packed = (json.loads(part) for part in points.packed)
    out = []
    for p in packed:
        rows = [[texts[p[i]], texts[p[i + 1]]] for i in range(3, len(p), 2)]
        out.append([p[0], p[1], {"title": None if p[2] < 0 else texts[p[2]], "rows": rows}])
    return out


def test_every_point_unpacks_to_its_own_title_and_rows() -> None:
    points = TextPopupPoints(folium.FeatureGroup(), style={})
    given = [
        (47.5, 31.3, [("Категорія", "Шум уночі"), ("Текст", HOSTILE)], None),
        (47.6, 31.4, [("Категорія", "Шум уночі"), ("Текст", HOSTILE)], ""),
        (47.7, 31.5, [("", "без підпису"), ("Статус", 3)], "Заголовок"),
        (47.8, 31.6, [], None),
    ]
    for lat, lon, rows, title in given:
        points.add(lat, lon, rows, title=title)
    expected = [[lat, lon, box_data(rows, title=title)] for lat, lon, rows, title in given]
    assert unpacked(points) == expected == points.points
    texts = json.loads(points.packed[0])
    assert len(texts) == len(set(texts))  # each distinct text once, however many points show it
    assert texts.count(box_data([("", HOSTILE)])["rows"][0][1]) == 1


def test_the_table_keeps_texts_as_escaped_data() -> None:
    points = TextPopupPoints(folium.FeatureGroup(), style={})
    points.add(47.5, 31.3, [("Текст", HOSTILE)])
    script = "".join(points.packed)
    assert "</script>" not in script and "<img" not in script and "{{" not in script
    assert "‹U+202E›" in script and "‹U+0000›" in script  # bidi and control characters shown, not applied
