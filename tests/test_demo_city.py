"""The committed demo city: real names and renamings present, sane geography, reproducible files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiPoint, Point

from geo.demo.layout import CITY_BBOX, CITY_POPULATION
from geo.demo.make_osm import write_osm
from geo.gazetteer import DEFAULT_GAZETTEER, DEFAULT_OSM, Gazetteer, load_gazetteer
from geo.osm import build_gazetteer, dumps_gazetteer, split_street_name

SOURCES = Path(__file__).resolve().parents[1] / "geo" / "demo" / "sources"


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return load_gazetteer(DEFAULT_GAZETTEER)


def _bare(full: str | None) -> str | None:
    return split_street_name(full)[0] if full else None


def _street(gz: Gazetteer, bare: str):
    (street,) = [s for s in gz.streets if s.name == bare]
    return street


def test_rebuild_is_byte_identical() -> None:
    assert dumps_gazetteer(build_gazetteer(DEFAULT_OSM)) == DEFAULT_GAZETTEER.read_text(encoding="utf-8")


def test_generator_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "demo.osm"
    write_osm(out)
    assert out.read_bytes() == DEFAULT_OSM.read_bytes()


def test_every_renaming_is_mapped(gz: Gazetteer) -> None:
    rows = list(csv.DictReader(open(SOURCES / "renamings.csv", encoding="utf-8")))
    city = [r for r in rows if r["settlement"] == "Вознесенськ"]
    adopted = {r["old_name"] for r in city if not r["decision_stage"].startswith("PROPOSED")}

    def bare(value: str) -> str:
        return value.split(" (")[0]  # 'Кошового Олега (провулок)'

    checked = 0
    for row in rows:
        old, new = bare(row["old_name"]), bare(row["new_name"])
        if row["settlement"] != "Вознесенськ":
            assert not [s for s in gz.streets if s.name in (old, new)]  # Ракове's street stays out
            continue
        if row["decision_stage"].startswith("PROPOSED"):
            if row["old_name"] in adopted:  # the adoption wins over the proposal
                assert not [s for s in gz.streets if new in (s.name, _bare(s.names.get("alt_name")))]
                continue
            street = _street(gz, old)
            assert _bare(street.names["alt_name"]) == new
        else:
            street = _street(gz, new)
            assert _bare(street.names["old_name"]) == old
        assert street.id in gz.all_street_names()[street.names.get("alt_name") or street.names["old_name"]]
        assert not street.synthetic
        checked += 1
    assert checked == 25


def test_known_streets_present_with_type(gz: Gazetteer) -> None:
    for row in csv.DictReader(open(SOURCES / "known_streets.csv", encoding="utf-8")):
        street = _street(gz, row["name"])
        assert street.type == row["type"] and not street.synthetic
        assert street.names["name:ru"] and street.names["name:en"].isascii()
        assert gz.addresses_of(street.id)


def test_mariupolska_was_moskovska(gz: Gazetteer) -> None:
    street = _street(gz, "Маріупольська")
    assert street.names["name"] == "Маріупольська вулиця"
    assert street.names["old_name"] == "Московська вулиця"
    assert street.names["old_name:ru"] == "Московская улица"
    assert street.names["name:en"] == "Mariupolska vulytsia"
    assert _street(gz, "Глінки").names["name"] == "провулок Глінки"
    assert _street(gz, "Соборності").names["name:ru"] == "улица Соборности"


def test_street_counts(gz: Gazetteer) -> None:
    real = [s for s in gz.streets if not s.synthetic]
    assert len(real) == 34
    assert 60 <= len(gz.streets) - len(real) <= 120
    assert len({s.names["name"] for s in gz.streets}) == len(gz.streets)
    assert all(gz.addresses_of(s.id) for s in gz.streets)


def test_bolgarka_across_the_bug(gz: Gazetteer) -> None:
    bug = next(w for w in gz.water if w.name == "Південний Буг").shape
    districts = {d.name: d for d in gz.districts}
    link = LineString([districts["Болгарка"].shape.centroid, districts["Центр"].shape.centroid])
    assert link.crosses(bug)
    assert gz.district_at(47.566, 31.33) == "Центр"
    assert sum(d.population for d in gz.districts) == CITY_POPULATION
    assert all(d.synthetic for d in gz.districts)


def test_landmarks_on_land_inside_the_city(gz: Gazetteer) -> None:
    for m in gz.landmarks:
        point = Point(m.lon, m.lat)
        assert gz.boundary_polygon.contains(point), m.name
        assert not gz.water_polygon.contains(point), m.name
    lon0, lat0, lon1, lat1 = CITY_BBOX
    assert all(lon0 <= x <= lon1 and lat0 <= y <= lat1 for x, y in gz.boundary)
    schools = gz.landmarks_of_kind("school")
    assert sorted(int(s.number) for s in schools) == list(range(1, 10))
    assert {s.names["short_name"] for s in schools} == {f"ЗОШ № {n}" for n in range(1, 10)}
    for kind in ("lyceum", "market", "bus_station", "railway_station", "hospital", "townhall", "police", "spring"):
        assert gz.landmarks_of_kind(kind), kind
    assert len(gz.landmarks_of_kind("church")) == 3 and len(gz.landmarks_of_kind("bar")) >= 5
    parks = {p.name for p in gz.parks}
    assert {"Парк ім. 1-го Травня", "Парк ім. Островського", "Парк ім. Шевченка", "Парк Вознесенської школи"} <= parks
    bar_streets = {
        gz.street_by_id(a.street_id).name
        for a in gz.addresses
        for m in gz.landmarks_of_kind("bar")
        if (a.lat, a.lon) == (m.lat, m.lon)
    }
    assert bar_streets == {"Набережна"}
    bars = MultiPoint([(m.lon, m.lat) for m in gz.landmarks_of_kind("bar")])
    assert bars.minimum_rotated_rectangle.length < 0.02  # one stretch (< ~1 km around), not spread over the city


def test_addresses(gz: Gazetteer) -> None:
    assert len(gz.addresses) >= 5000
    houses = [a.house for a in gz.addresses]
    assert any(re.fullmatch(r"\d+[а-я]", h) for h in houses)
    sob = _street(gz, "Соборності")
    assert "23/27" in {a.house for a in gz.addresses_of(sob.id)}
    assert "45" in {a.house for a in gz.addresses_of(_street(gz, "Молодогвардійська").id)}
    sample = gz.addresses[::50]
    assert all(gz.contains(a.lat, a.lon) and not gz.water_polygon.contains(Point(a.lon, a.lat)) for a in sample)
