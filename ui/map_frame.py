"""Draw a shared (cached) folium map with streamlit-folium's component: the base map once per
page, the period's layers swapped in place.

Drawing path. ``st_folium`` renders the whole map to HTML and JavaScript on every call and
keys the component by a hash of that script, so a map whose layers changed (another period,
category or layer choice) became a new iframe: the component bundle, Leaflet, the plugins
and the whole map script loaded and ran again. Here a map is split once, on a copy
(``split``):

- the base: the map with its base layers (offline basemap, OSM tiles), attribution, scale and
  fitted view. Its script, and so the component key, is the same for every period of a page;
- the overlays: every overlay layer group, plus one group (out of the layer control)
  carrying the legends and labels, which follow that group's visibility
  (layers/style.py ``_ScriptControl``), and the layer control.

The component keeps its iframe and map for an unchanged key. The overlays' script is what
``st_folium(base, feature_group_to_add=groups, layer_control=control)`` would send
(tests/test_page_cache.py compares them), except that a group made with ``show=False`` is not
added to the map (st_folium adds every group, so a hidden layer would show) and that it ends
by writing its version to the map element's ``data-layers`` (the sign bench/pages_browser.py
and the e2e journey wait for). It is not handed to the component's own swap, which runs it
with ``eval``: the app's Content-Security-Policy (ui/server.py) allows inline scripts but no
``eval``. It travels in the component's ``html`` argument, HTML-escaped in an inert (hidden)
textarea, and ``SWAPPER`` (appended to the base script) runs it as an inline script: at the
first render from the html the component placed in the frame, then on every render event
whose html carries another version, after removing the previous groups and layer control.
Only the period's layers are sent, parsed and drawn; tiles, view and basemap stay.

The strings are rendered once per map object and kept beside it (for as long as the map is
cached). st_folium also changes the map it draws (renames element ids, adds header and
scripts to the figure again), so a shared map is never drawn itself: a copy of its element
tree is (``drawn_copy``, sharing the data).

Only for maps that return nothing to the page (``returned_objects=[]``); maps a user clicks
on (moderator, report form) keep calling ``st_folium``.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_module
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import folium
import streamlit_folium
from branca.element import Element, MacroElement
from streamlit_folium import (
    _get_feature_group_string,
    _get_header,
    _get_html,
    _get_layer_control_string,
    _get_map_string,
    get_full_id,
)

from layers.popups import OwnElement
from layers.style import _ScriptControl

LAYERS_ID = "hm-layers"  # the inert element carrying the overlays' script in the html argument
# Runs the overlays' script (as an inline script: the CSP has no 'unsafe-eval') at the first
# render and whenever a render event brings another version; the same text for every map.
SWAPPER = """
(function () {
    function draw(html) {
        var holder = document.createElement("template");
        holder.innerHTML = html || "";
        var carrier = holder.content.getElementById("{id}");
        if (!carrier) { return; }
        var version = carrier.getAttribute("data-version");
        if (map_div.getContainer().dataset.layers === version) { return; }
        (window.feature_group || []).forEach(function (group) { map_div.removeLayer(group); });
        window.feature_group = [];
        if (window.layer_control) { map_div.removeControl(window.layer_control); window.layer_control = null; }
        var script = document.createElement("script");
        // a function scope: the layer control's `let` may not be declared twice in the page
        script.textContent = "(function () {\\n" + carrier.textContent + "\\n})();";
        document.body.appendChild(script);
        script.remove();
    }
    var first = document.getElementById("{id}");
    if (first) { draw(first.outerHTML); }
    window.Streamlit.events.addEventListener("streamlit:render", function (event) {
        draw(event.detail.args.html);
    });
})();
""".replace("{id}", LAYERS_ID)


@dataclass(frozen=True)
class Frame:
    """What the streamlit-folium component needs to draw one map, and its overlays' script
    (as st_folium builds them) with that script's version."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    overlays: str
    version: str


_FRAMES: weakref.WeakKeyDictionary[folium.Map, Frame] = weakref.WeakKeyDictionary()
_BASES: OrderedDict[tuple[int, str, int], tuple[str, str, str, str]] = OrderedDict()  # per base stamp
BASES_KEPT = 16
_LOCK = threading.Lock()


def split(fmap: folium.Map) -> tuple[folium.Map, list[folium.FeatureGroup], folium.LayerControl | None]:
    """(base map, overlay groups, layer control), taken out of `fmap` itself (pass a copy).

    Overlays are the map's overlay layers in their order, then one group (not in the layer
    control) holding the map's legends and labels in theirs."""
    overlays: list[folium.FeatureGroup] = []
    controls: list[Element] = []
    control = None
    for name, child in list(fmap._children.items()):
        if isinstance(child, folium.map.Layer) and child.overlay:
            overlays.append(child)
        elif isinstance(child, _ScriptControl):
            controls.append(child)
        elif isinstance(child, folium.LayerControl):
            control = child
        else:
            continue
        del fmap._children[name]
    if controls:
        carrier = folium.FeatureGroup(control=False)
        for element in controls:
            carrier.add_child(element)
        overlays.append(carrier)
    return fmap, overlays, control


def frame_of(fmap: folium.Map) -> Frame:
    """The map's rendered frame, made once per map object (a copy is rendered: the map stays as it was)."""
    with _LOCK:
        known = _FRAMES.get(fmap)
    if known is not None:
        return known
    base, groups, control = split(drawn_copy(fmap))
    script, header, html, map_id = _base_of(base)
    overlays = "".join(_group_string(group, base, idx) for idx, group in enumerate(groups))
    if control is not None:
        overlays += _get_layer_control_string(control, base)
    version = hashlib.sha256(overlays.encode()).hexdigest()[:16]
    overlays += f'map_div.getContainer().dataset.layers = "{version}";\n'
    # RCDATA: only "&", "<" and ">" are escaped (an attribute would also escape every quote);
    # the parser drops the one newline after the start tag
    carrier = (
        f'<textarea id="{LAYERS_ID}" hidden data-version="{version}">\n'
        f"{html_module.escape(overlays, quote=False)}</textarea>"
    )
    frame = Frame(script + SWAPPER, header, html + carrier, map_id, *_links(base), overlays, version)
    with _LOCK:
        _FRAMES[fmap] = frame
    return frame


def drawn_copy(fmap: folium.Map) -> folium.Map:
    """A copy of the map's element tree, from its figure down, for drawing: each element is a
    new object with its own children (rendering adds children, renames ids, sets attributes),
    while its data (GeoJSON, points, options) is shared, only read. A deep copy also copied
    every feature and point: more than a third of a police frame's time."""
    memo: dict[int, Element] = {}
    _copied(fmap.get_root(), memo)
    return memo[id(fmap)]  # type: ignore[return-value]


def _copied(element: Element, memo: dict[int, Element]) -> Element:
    known = memo.get(id(element))
    if known is not None:
        return known
    clone = copy.copy(element)
    memo[id(element)] = clone
    for key, value in element.__dict__.items():
        if isinstance(value, Element):
            clone.__dict__[key] = _copied(value, memo)
        elif key == "_children":
            clone.__dict__[key] = OrderedDict((name, _copied(child, memo)) for name, child in value.items())
        elif isinstance(value, list) and value and isinstance(value[0], tuple | Element):
            clone.__dict__[key] = [_elements_copied(item, memo) for item in value]  # e.g. (marker, popup) pairs
    return clone


def _elements_copied(item: object, memo: dict[int, Element]) -> object:
    if isinstance(item, Element):
        return _copied(item, memo)
    if isinstance(item, tuple):
        return tuple(_copied(v, memo) if isinstance(v, Element) else v for v in item)
    return item


def _base_of(base: folium.Map) -> tuple[str, str, str, str]:
    """(script, header, html, map id) of a split map's base, rendered as st_folium renders it;
    once per :class:`layers.basemap.BaseStamp` while the base holds only what ``basemap`` gave it
    (a period's map differs from another only in its overlays). The base's element ids are
    renamed as st_folium's script step renames them either way: the overlays refer to them."""
    stamp = getattr(base, "hm_base", None)
    known = stamp is not None and tuple(base._children) == stamp.names
    with _LOCK:
        drawn = _BASES.get(stamp.key) if known else None
    if drawn is not None:
        _get_map_string(base)  # the renaming only (its script is the drawn one)
        return drawn
    base.get_root().render()  # st_folium renders the figure, then the map again (render=True)
    base.render()
    html, header = _get_html(base), _get_header(base)  # before the script: that step renames ids
    script = _get_map_string(base)
    drawn = (script, header, html, get_full_id(base))
    if known:
        with _LOCK:
            _BASES[stamp.key] = drawn
            while len(_BASES) > BASES_KEPT:
                _BASES.popitem(last=False)
    return drawn


def _group_string(group: folium.FeatureGroup, base: folium.Map, idx: int) -> str:
    """st_folium's script of one swapped group, without adding a hidden group to the map."""
    shown = group.show
    with _unemitted(group):
        string = _get_feature_group_string(group, map=base, idx=idx)
    if not shown:
        string = string.replace(f"map_div.addLayer(feature_group_feature_group_{idx});\n", "", 1)
    return string


class _Unemitted(MacroElement):
    """Mixed into an element's class while st_folium renders its group (:func:`_unemitted_class`):
    the element's own ``render`` still does what it does (a shown layer adds its "add to map"
    child, a GeoJson computes its style map), but adding the rendered pieces to the figure is
    left out. branca adds each piece as ``Element(text)``, which parses the text as a Jinja
    template again (the GeoJSON's too: most of a group's time), and st_folium throws the pieces
    away: it makes the group's script from the elements' macros afterwards. The overlays are
    the same (tests/test_map_frame.py and tests/test_page_cache.py compare them with st_folium's)."""

    def render(self, **kwargs: object) -> None:
        for element in self._children.values():
            element.render(**kwargs)


_UNEMITTED: dict[type, type] = {}


def _unemitted_class(kind: type) -> type:
    """`kind` with :class:`_Unemitted` mixed in: first where its ``render`` only adds its pieces
    to the figure (branca's or :class:`layers.popups.OwnElement`'s), else at the chain's end."""
    with _LOCK:
        known = _UNEMITTED.get(kind)
        if known is None:
            only_emits = kind.render in (MacroElement.render, OwnElement.render)
            bases = (_Unemitted, kind) if only_emits else (kind, _Unemitted)
            known = _UNEMITTED[kind] = type(kind.__name__, bases, {"__module__": kind.__module__})
        return known


@contextmanager
def _unemitted(group: Element) -> Iterator[None]:
    """Every element of `group` rendered with :class:`_Unemitted` mixed in, until the end of the block."""
    swapped: list[tuple[Element, type]] = []
    todo = [group]
    while todo:
        element = todo.pop()
        todo += element._children.values()
        kind = type(element)
        if isinstance(element, MacroElement) and not isinstance(element, _Unemitted):
            element.__class__ = _unemitted_class(kind)
            swapped.append((element, kind))
    try:
        yield
    finally:
        for element, kind in swapped:
            element.__class__ = kind


def draw(fmap: folium.Map, *, key: str, height: int) -> None:
    """The map at the page's full width, returning nothing (no rerun on pan, zoom or click)."""
    frame = frame_of(fmap)
    streamlit_folium._component_func(
        script=frame.script,
        header=frame.header,
        html=frame.html,
        id=frame.map_id,
        key=streamlit_folium.generate_js_hash(frame.script, key, False),
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=None,  # the component would eval it; SWAPPER runs it from the html
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(frame.css_links),
        js_links=list(frame.js_links),
        on_change=None,
        wrap_longitude=False,
    )


def _links(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The style sheets and scripts the map's elements load, first use first (st_folium's walk)."""
    css: list[str] = []
    js: list[str] = []
    todo = [fmap]
    while todo:
        element = todo.pop(0)
        if isinstance(element, folium.elements.JSCSSMixin):
            css += [href for _, href in getattr(element, "default_css", [])]
            js += [src for _, src in getattr(element, "default_js", [])]
        todo = list(getattr(element, "_children", {}).values()) + todo
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))
