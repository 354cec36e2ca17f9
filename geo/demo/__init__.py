"""The synthetic demo city and its reports: every demo generator (make_osm writes the city's OSM
extract here, make_reports the reports into data/demo/) and the city's built files."""
