"""Popups and tooltips that receive their text as JSON data and set it with ``textContent``.

folium's own Popup/Tooltip put their HTML into a JavaScript template literal (so a
``${...}`` in a report runs) and GeoJsonPopup/GeoJsonTooltip write property values
through ``innerHTML``; HTML escaping alone fixes neither. These elements never build HTML
from text: the data is serialised with :func:`encoders.js_value` (JSON with ``<``, ``>``,
``&``, ``'`` as \\u escapes, so nothing can end the script) and the browser gets it as DOM
text nodes.

Each element is one script per layer, not per marker, so a map with a thousand points
carries the small box-building function once. Text is passed through
:func:`encoders.visible_controls` first, so control and bidi characters show as code points.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cached_property

from branca.element import Element, Figure, MacroElement, Template

from encoders import js_value, visible_controls

Rows = Sequence[tuple[str, object]]


class _Rendered(Element):
    """A piece of an element's rendered output, kept as text. branca wraps every rendered
    piece in ``Element(text)``, which parses the text as a Jinja template again: a cost that
    grows with the text (the police points' JSON: most of a map's render) and the reason a
    ``{{ ... }}`` in a report must never reach a template unencoded."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text[:-1] if text.endswith("\n") else text  # as Jinja drops one trailing newline

    def render(self, **kwargs: object) -> str:
        return self.text


class OwnElement(MacroElement):
    """Our map elements: rendered like branca's MacroElement, each piece added as text
    (:class:`_Rendered`) instead of being parsed again as a template. Their output holds no
    template syntax (text goes through :func:`encoders.js_value`, which escapes the braces),
    so the figure's HTML is the same."""

    def render(self, **kwargs: object) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Rendered(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


# box(data) -> <div>: an optional bold title, then one line per [label, value]; every
# piece of text is a text node, newlines in a value are kept (pre-wrap).
_BOX_JS = """function box(d) {
        var div = document.createElement('div');
        div.className = 'hm-text-box';
        if (d.title) {
            var t = div.appendChild(document.createElement('b'));
            t.textContent = d.title;
        }
        (d.rows || []).forEach(function(r) {
            var line = div.appendChild(document.createElement('div'));
            if (r[0]) {
                line.appendChild(document.createElement('b')).textContent = r[0] + ': ';
            }
            var v = line.appendChild(document.createElement('span'));
            v.style.whiteSpace = 'pre-wrap';
            v.textContent = r[1];
        });
        return div;
    }"""


def box_data(rows: Rows = (), *, title: object = None) -> dict:
    """The JSON a popup or tooltip box is drawn from (controls shown visibly)."""
    return {
        "title": visible_controls(title) if title is not None else None,
        "rows": [[visible_controls(label), visible_controls(value)] for label, value in rows],
    }


class TextPopups(OwnElement):
    """Binds a text popup to each given marker of one layer; add it after the markers
    (the script binds to markers that must already exist)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            """
        + _BOX_JS
        + """
            var opts = {{ this.options_js }};
            [{% for marker, data in this.items %}[{{ marker.get_name() }}, {{ data }}],{% endfor %}]
            .forEach(function(p) { p[0].bindPopup(function() { return box(p[1]); }, opts); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, max_width: int = 320) -> None:
        super().__init__()
        self._name = "TextPopups"
        self.items: list[tuple[Element, str]] = []  # (marker, its box data as JavaScript)
        self.options_js = js_value({"maxWidth": max_width})

    def bind(self, marker: Element, rows: Rows = (), *, title: object = None) -> None:
        """Give `marker` a popup with these (label, value) rows (all plain text)."""
        self.items.append((marker, js_value(box_data(rows, title=title))))


class GeoJsonTextTooltip(OwnElement):
    """A hover tooltip on the features of its parent GeoJson, shown as text.

    The replacement for folium.GeoJsonTooltip (which writes property values as HTML). The
    texts live here, not in the GeoJSON: feature ``properties.tip_index`` points into them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var tips = {{ this.tips_js }};
            {{ this._parent.get_name() }}.eachLayer(function(layer) {
                var i = layer.feature && layer.feature.properties && layer.feature.properties.tip_index;
                if (i == null || tips[i] == null) { return; }
                layer.bindTooltip(function() {
                    var div = document.createElement('div');
                    div.style.whiteSpace = 'pre-wrap';
                    div.textContent = tips[i];
                    return div;
                }, {sticky: true});
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, tips: Sequence[object]) -> None:
        super().__init__()
        self._name = "GeoJsonTextTooltip"
        self.tips_js = js_value([None if t is None else visible_controls(t) for t in tips])


class TextPopupPoints(OwnElement):
    """Circle markers made in the browser from one JSON array, each with a text popup.

    One element for a whole layer instead of one folium element per marker: folium renders
    every element's template (st_folium twice), which for 1,500 markers cost over a second
    on each page run. The markers go into ``target`` (a MarkerCluster or FeatureGroup that
    is rendered before this element) in one ``addLayers`` call where it has one.

    Each distinct text is sent once (``packed``): the points name it by its index. A police
    layer repeats five labels, a dozen categories and a few statuses on every point, and
    Streamlit sends a component's arguments as ASCII JSON (six bytes per Cyrillic letter):
    without the table the labels were most of a police period's map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            """
        + _BOX_JS
        + """
            var opts = {{ this.options_js }}, style = {{ this.style_js }}, target = {{ this.target.get_name() }};
            var text = {{ this.packed[0] }};
            function unpacked(p) {  // [lat, lon, title, label, value, ...]: indexes into text (-1: none)
                var rows = [];
                for (var i = 3; i < p.length; i += 2) { rows.push([text[p[i]], text[p[i + 1]]]); }
                return {title: p[2] < 0 ? null : text[p[2]], rows: rows};
            }
            var made = {{ this.packed[1] }}.map(function(p) {
                return L.circleMarker([p[0], p[1]], style).bindPopup(function() { return box(unpacked(p)); }, opts);
            });
            if (target.addLayers) { target.addLayers(made); } else { made.forEach(function(m) { target.addLayer(m); }); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, target: Element, *, style: dict, max_width: int = 320) -> None:
        super().__init__()
        self._name = "TextPopupPoints"
        self.target = target
        self.style_js = js_value(style)
        self.options_js = js_value({"maxWidth": max_width})
        self.points: list[list[object]] = []

    def add(self, lat: float, lon: float, rows: Rows = (), *, title: object = None) -> None:
        """A marker at (lat, lon) whose popup shows these (label, value) rows (all plain text)."""
        self.points.append([lat, lon, box_data(rows, title=title)])

    def __deepcopy__(self, memo: dict[int, object]) -> TextPopupPoints:
        """A copy sharing the points (a map is copied to be drawn, its points only read): copying
        thousands of popup rows cost more than drawing them."""
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            clone.__dict__[key] = value if key in ("points", "packed") else copy.deepcopy(value, memo)
        return clone

    @cached_property
    def packed(self) -> tuple[str, str]:
        """(the distinct texts, the points) as JavaScript, encoded once (a rendered map reads
        them twice); add no point after. A point is [lat, lon, title, label, value, ...], its
        texts as indexes into the first list (-1: no title)."""
        index: dict[str, int] = {}

        def at(text: str | None) -> int:
            return -1 if text is None else index.setdefault(text, len(index))

        points = [
            [lat, lon, at(box["title"]), *(at(text) for row in box["rows"] for text in row)]
            for lat, lon, box in self.points
        ]
        return js_value(list(index)), js_value(points)
