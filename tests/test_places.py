"""Cells are named by their streets, nearest landmark and microdistrict (reverse geocoding)."""

from __future__ import annotations

import h3

from geo import places
from geo.gazetteer import load_gazetteer
from geo.places import describe_cells


def test_a_cell_on_a_street_names_that_street_and_its_district() -> None:
    gz = load_gazetteer()
    street = next(s for s in gz.streets if len(s.lines[0]) > 3)
    lon, lat = street.lines[0][len(street.lines[0]) // 2]
    cell = h3.latlng_to_cell(lat, lon, 9)
    place = describe_cells([cell], gz)[cell]
    assert street.full_name in place.streets
    assert place.district == gz.district_at(*h3.cell_to_latlng(cell))


def test_names_follow_the_language_and_the_nearest_landmark_is_named() -> None:
    gz = load_gazetteer()
    mark = next(m for m in gz.landmarks if m.names.get("name:en"))
    cell = h3.latlng_to_cell(mark.lat, mark.lon, 9)
    uk, en = describe_cells([cell], gz)[cell], describe_cells([cell], gz, lang="en")[cell]
    assert uk.landmark_m is not None and uk.landmark_m <= 300
    assert en.landmark and en.landmark != uk.landmark or mark.names["name:en"] == mark.name
    assert all(any(s.names.get("name:en") == name for s in gz.streets) for name in en.streets)


def test_every_cell_of_the_city_has_a_street() -> None:
    gz = load_gazetteer()
    ring = [(lat, lon) for lon, lat in gz.boundary]
    cells = h3.h3shape_to_cells(h3.LatLngPoly(ring), 9)
    places = describe_cells(cells, gz)
    assert sum(1 for p in places.values() if p.streets) >= 0.95 * len(cells)


def test_remembered_descriptions_equal_fresh_ones_and_stay_bounded(monkeypatch) -> None:  # noqa: ANN001
    gz = load_gazetteer()
    ring = [(lat, lon) for lon, lat in gz.boundary]
    cells = sorted(h3.h3shape_to_cells(h3.LatLngPoly(ring), 9))[:40]
    index = places._index(gz)
    monkeypatch.setattr(places, "DESCRIBED_KEPT", 25)
    index.described.clear()
    for lang in ("uk", "en", "uk"):
        got = describe_cells(cells, gz, lang=lang)
        assert got == {c: places._describe(c, gz, index, lang, 2) for c in cells}
        assert len(index.described) <= 25
    index.described.clear()
