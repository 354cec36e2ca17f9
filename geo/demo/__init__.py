"""Synthetic demo city: the OSM generator (make_osm), its names (street_names), the built files."""
