"""Draw a shared (cached) folium map with streamlit-folium's component, rendered once.

``st_folium`` renders the whole map to HTML and JavaScript on every call: branca compiles
each rendered piece as a Jinja template again, so a police map costs a tenth of a second or
more per rerun. It also changes the map it draws (renames its element ids, adds the header,
styles and layer scripts to the figure again), so a second draw of one map object would
send a header styling an id that no longer exists and a script adding every layer twice.
A map the page caches share is therefore never drawn itself: a copy is rendered once, its
strings are kept beside the map (for as long as the map is cached), and every draw sends
the component the very arguments ``st_folium(copy_of_map, returned_objects=[])`` sends
(tests/test_page_cache.py compares them).

Only for maps that return nothing to the page (``returned_objects=[]``); maps a user clicks
on (moderator, report form) keep calling ``st_folium``.
"""

from __future__ import annotations

import copy
import threading
import weakref
from dataclasses import dataclass

import folium
import streamlit_folium
from streamlit_folium import _get_header, _get_html, _get_map_string, get_full_id


@dataclass(frozen=True)
class Frame:
    """What the streamlit-folium component needs to draw one map (as st_folium builds it)."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


_FRAMES: weakref.WeakKeyDictionary[folium.Map, Frame] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def frame_of(fmap: folium.Map) -> Frame:
    """The map's rendered frame, made once per map object (a copy is rendered: the map stays as it was)."""
    with _LOCK:
        known = _FRAMES.get(fmap)
    if known is not None:
        return known
    drawn = copy.deepcopy(fmap)
    drawn.get_root().render()  # st_folium renders the figure, then the map again (render=True)
    drawn.render()
    html, header = _get_html(drawn), _get_header(drawn)  # before the script: that step renames ids
    frame = Frame(_get_map_string(drawn), header, html, get_full_id(drawn), *_links(drawn))
    with _LOCK:
        _FRAMES[fmap] = frame
    return frame


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
        feature_group=None,
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
