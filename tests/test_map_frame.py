"""ui.map_frame renders a map's swapped groups as st_folium does, without parsing each
rendered piece as a Jinja template a second time (branca's ``Element(text)``)."""

from __future__ import annotations

import copy

import branca.element
import streamlit_folium
from test_layers_restricted import every_police_layer

from ui import map_frame


def test_the_overlays_are_st_folium_s_group_and_control_strings(monkeypatch) -> None:
    """The oracle: st_folium itself, on a copy of the map split the same way; the frame differs
    only in not adding hidden groups to the map and in its closing version stamp."""
    fmap = every_police_layer()
    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    base, groups, control = map_frame.split(copy.deepcopy(fmap))
    streamlit_folium.st_folium(
        base, key="m", height=500, returned_objects=[], feature_group_to_add=groups, layer_control=control
    )
    expected = sent[0]["feature_group"] + sent[0]["layer_control"]
    hidden = [i for i, group in enumerate(groups) if not group.show]
    assert hidden  # the KDE and the clusters start hidden
    for i in hidden:
        expected = expected.replace(f"map_div.addLayer(feature_group_feature_group_{i});\n", "", 1)
    frame = map_frame.frame_of(fmap)
    assert frame.overlays == expected + f'map_div.getContainer().dataset.layers = "{frame.version}";\n'
    assert "FeatureCollection" in frame.overlays and "markerClusterGroup" in frame.overlays


def test_no_layer_is_parsed_as_a_template_again(monkeypatch) -> None:
    """Rendering the groups parses no rendered GeoJSON as a Jinja template (each feature's text
    once more: most of a police map's frame time before)."""
    fmap = every_police_layer()
    parsed: list[str] = []
    template = branca.element.Template

    def recording(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(source)
        return template(source, *args, **kwargs)

    monkeypatch.setattr(branca.element, "Template", recording)
    frame = map_frame.frame_of(fmap)
    assert "FeatureCollection" in frame.overlays
    assert not [source for source in parsed if "FeatureCollection" in source]
