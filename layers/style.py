"""Colour-blind-safe palettes and map legends shared by every audience's map.

Palettes are ColorBrewer schemes chosen for colour-vision deficiency (RdBu diverging for
hot/cold and change, YlOrRd sequential for counts, viridis for survey shares, Okabe-Ito
for categories). Legends are Leaflet controls created in the map's script, so they show
both in a saved HTML file and inside streamlit-folium (which renders only scripts).
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import numpy as np
from branca.element import MacroElement, Template

from encoders import html_text, js_value
from layers.popups import GeoJsonTextTooltip, OwnElement

# ColorBrewer RdBu, 7 classes; index 0 = bin -3 (cold 99%) ... index 6 = bin +3 (hot 99%).
GISTAR_COLORS: dict[int, str] = dict(
    zip(range(-3, 4), ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"], strict=True)
)
DIVERGING = list(GISTAR_COLORS.values())  # for change: blue = fewer, red = more
SEQUENTIAL = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]  # ColorBrewer YlOrRd 5
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
FLAGGED = "#bdbdbd"  # "fewer than k" / suppressed: neutral grey, never a data colour
STATUS_COLORS = {"open": "#E69F00", "in_progress": "#56B4E9", "done": "#009E73"}


def class_breaks(values: Sequence[float], n: int = len(SEQUENTIAL), floor: float | None = None) -> list[float]:
    """Upper bounds of up to `n` quantile classes (rounded to whole numbers for counts).

    Quantiles keep every colour in use on skewed report counts; `floor` is the smallest
    value shown (k on public maps) so the first class never suggests smaller counts.
    """
    vals = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if vals.size == 0:
        return []
    qs = np.quantile(vals, np.linspace(0, 1, n + 1)[1:])
    breaks = sorted({float(np.ceil(q)) for q in qs})
    if floor is not None:
        breaks = [b for b in breaks if b >= floor] or [float(floor)]
    return breaks


def color_for(value: float, breaks: Sequence[float], palette: Sequence[str] = SEQUENTIAL) -> str:
    """The class colour of `value`; palettes are stretched over the number of classes."""
    if not breaks:
        return palette[-1]
    idx = int(np.searchsorted(np.asarray(breaks), value, side="left"))
    idx = min(idx, len(breaks) - 1)
    pos = 0 if len(breaks) == 1 else round(idx * (len(palette) - 1) / (len(breaks) - 1))
    return palette[pos]


def break_labels(breaks: Sequence[float], low: float) -> list[str]:
    """'5-9', '10-17', ... labels for integer class breaks starting at `low`."""
    out, start = [], low
    for b in breaks:
        out.append(f"{int(start)}" if int(start) == int(b) else f"{int(start)}–{int(b)}")
        start = b + 1
    return out


def diverging_breaks(values: Sequence[float]) -> list[float]:
    """Symmetric breaks around 0 for change maps: 3 classes each side and a 'no change' band.

    The band is +-0.5 for whole counts and a sixth of the range for small fractions
    (survey means), so the seven RdBu classes always stay in order.
    """
    vals = np.abs(np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float))
    top = float(vals.max()) if vals.size and vals.max() > 0 else 1.0
    zero = min(0.5, top / 6)
    return [-2 * top / 3, -top / 3, -zero, zero, top / 3, 2 * top / 3, top]


def diverging_labels(breaks: Sequence[float]) -> list[str]:
    """Upper bound of each change class, the middle one as 'about 0'."""
    return ["≈ 0" if i == 3 else f"≤ {b:+.2g}" for i, b in enumerate(breaks)]


class _ScriptControl(OwnElement):
    """A fixed Leaflet control with our own HTML (any text in it encoded with html_text),
    added by the map's own script; the HTML reaches the script through ``js_value``.

    Its parent is the map, or a layer group whose visibility it follows: ui/map_frame.py
    moves a shared map's legends into a group so that swapping the group swaps them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.inner_js }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            var parent = {{ this._parent.get_name() }};
            if (parent instanceof L.Map) { ctl.addTo(parent); return; }
            parent.on('add', function() { ctl.addTo(parent._map); });
            parent.on('remove', function() { ctl.remove(); });
            if (parent._map) { ctl.addTo(parent._map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, inner_html: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "ScriptControl"
        self.inner_js = js_value(inner_html)
        self.position = position
        self.css_class = css_class


BOX = "background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px/1.35 sans-serif;"


def legend(
    title: str, items: Sequence[tuple[str, str]], *, unit: str, period: str | None, position: str = "bottomright"
) -> MacroElement:
    """A legend box: title, period, unit and one swatch per (colour, label)."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
        f'border:1px solid #777;background:{c}"></span>{html_text(label)}</div>'
        for c, label in items
    )
    head = f"<b>{html_text(title)}</b>"
    if period:
        head += f"<br>{html_text(period)}"
    body = f'<div style="{BOX}" class="hm-legend">{head}<br><i>{html_text(unit)}</i>{rows}</div>'
    return _ScriptControl(body, position, "hm-legend-control")


def label_control(text: str, *, position: str = "topleft", emphasis: bool = False) -> MacroElement:
    """A fixed text label (the DEMO DATA banner, notes)."""
    style = BOX + ("color:#b2182b;font-weight:bold;border:2px solid #b2182b;" if emphasis else "")
    return _ScriptControl(f'<div style="{style}">{html_text(text)}</div>', position, "hm-label-control")


class Attribution(OwnElement):
    """Adds a permanent attribution to the map's attribution control (ODbL requires it)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


class MetricScale(OwnElement):
    """Leaflet's scale bar in metres only, its unit symbols in the map's language (Leaflet
    itself writes "km", "m" and the imperial "mi", "ft")."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var scale = L.control.scale({imperial: false});
            var update = scale._updateScale;
            scale._updateScale = function (bar, text, ratio) {
                var words = text.split(" ");
                words[1] = {{ this.units|tojson }}[words[1]] || words[1];
                update.call(this, bar, words.join(" "), ratio);
            };
            scale.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, km: str, m: str) -> None:
        super().__init__()
        self._name = "MetricScale"
        self.units = {"km": km, "m": m}


def polygon_style(fill: str, *, weight: float = 0.6, opacity: float = 0.7, dash: str | None = None) -> dict:
    """Leaflet path style for aggregated polygons (thin outline, semi-transparent fill)."""
    style = {"fillColor": fill, "color": "#555555", "weight": weight, "fillOpacity": opacity}
    if dash:
        style["dashArray"] = dash
    return style


class TextGeoJson(folium.GeoJson, OwnElement):
    """folium's GeoJson whose rendered pieces are added as text (:class:`OwnElement`, next in
    its method order after folium's own steps) instead of being parsed again as a Jinja
    template: the parse grew with the features' JSON (about a quarter of drawing a district
    map). Its JSON holds no template syntax (``add_geojson`` takes the tooltips out of it), so
    the figure's HTML is the same."""


def add_geojson(
    parent: folium.Map | folium.FeatureGroup,
    features: list[dict],
    *,
    name: str,
    tooltip_field: str | None = "tip",
) -> folium.GeoJson:
    """One GeoJson layer whose features carry their own `style`; small, no per-feature JS.

    The `tooltip_field` text is taken out of the GeoJSON (folium writes GeoJSON into its
    templates unencoded) and shown as plain text by GeoJsonTextTooltip, never as HTML.
    """
    tips: list[object] = []
    if tooltip_field:
        for f in features:
            props = f["properties"]
            if tooltip_field in props:
                props["tip_index"] = len(tips)
                tips.append(props.pop(tooltip_field))
    layer = TextGeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda f: f["properties"]["style"],
        embed=True,
    )
    if tips:
        GeoJsonTextTooltip(tips).add_to(layer)
    layer.add_to(parent)
    return layer
