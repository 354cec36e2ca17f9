"""Point folium at the map libraries shipped in static/vendor instead of CDNs.

The dashboard runs offline: Streamlit serves ./static at /app/static (see
.streamlit/config.toml), and every folium map we build loads Leaflet from there.
Bootstrap, glyphicons and Font Awesome are not loaded: our layers use no icon fonts.
"""

from __future__ import annotations

import folium
import folium.plugins

STATIC = "/app/static/vendor"


def use_local_assets() -> None:
    """Replace folium's CDN links (idempotent; called when layers is imported)."""
    folium.Map.default_js = [
        ("leaflet", f"{STATIC}/leaflet/leaflet.js"),
        ("jquery", f"{STATIC}/jquery/jquery.min.js"),
        ("awesome_markers", f"{STATIC}/awesome-markers/leaflet.awesome-markers.js"),
    ]
    folium.Map.default_css = [
        ("leaflet_css", f"{STATIC}/leaflet/leaflet.css"),
        ("awesome_markers_css", f"{STATIC}/awesome-markers/leaflet.awesome-markers.css"),
    ]
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", f"{STATIC}/markercluster/leaflet.markercluster.js")]
    folium.plugins.MarkerCluster.default_css = [
        ("markerclustercss", f"{STATIC}/markercluster/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{STATIC}/markercluster/MarkerCluster.Default.css"),
    ]
