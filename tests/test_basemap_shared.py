"""Every map shares one list of basemap features (issue 19s): nothing a map does writes into
them, and each map's GeoJSON is what folium makes of its own fresh copy."""

from __future__ import annotations

import copy
import json

import folium

from geo.gazetteer import load_gazetteer
from layers import basemap as base


def _geojson(fmap: folium.Map) -> folium.GeoJson:
    group = next(c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup))
    return next(c for c in group._children.values() if isinstance(c, folium.GeoJson))


def test_maps_share_the_basemap_features_and_render_what_a_fresh_copy_renders(monkeypatch) -> None:
    gazetteer = load_gazetteer()
    maps = [base.basemap(gazetteer), base.basemap(gazetteer, lang="en")]
    shared = [_geojson(m).data["features"] for m in maps]
    assert len(shared[0]) > 3 and all(a is b for a, b in zip(*shared, strict=True))
    before = copy.deepcopy(shared[0])
    for fmap in maps:
        fmap.get_root().render()
    assert shared[0] == before  # rendering two maps wrote nothing into the shared features
    # the oracle: each map its own deep copy of freshly derived features, ids added by folium
    monkeypatch.setattr(base, "_features_of", lambda g: copy.deepcopy(base.basemap_features(g)))
    own = base.basemap(gazetteer)
    own.get_root().render()
    ours = _geojson(maps[0])
    theirs = _geojson(own)
    assert json.dumps(ours.data) == json.dumps(theirs.data)
    assert ours.feature_identifier == theirs.feature_identifier == "feature.id"
    assert ours.style_map == theirs.style_map


def test_the_osm_tile_layer_renders_what_folium_makes_of_its_url(monkeypatch) -> None:
    """UrlTileLayer skips folium's provider-name look-up of the URL: the whole map's HTML is
    byte for byte what ``folium.TileLayer(tiles=url)`` gives (element ids numbered alike)."""
    from branca.element import Element

    def html(tile_layer: type) -> str:
        counter = iter(range(10**6))
        monkeypatch.setattr(Element, "_generate_id", classmethod(lambda cls: f"{next(counter):032x}"))
        monkeypatch.setattr(base, "UrlTileLayer", tile_layer)
        return base.basemap(load_gazetteer(), lang="en").get_root().render()

    def folium_tiles(url: str, **kwargs: object) -> folium.TileLayer:
        return folium.TileLayer(tiles=url, **kwargs)

    ours, theirs = html(base.UrlTileLayer), html(folium_tiles)
    assert ours == theirs
    assert base.OSM_TILES in ours and "L.tileLayer" in ours
