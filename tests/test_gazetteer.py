"""The OSM -> gazetteer builder and the loader, on a tiny hand-written extract (.osm and .osm.pbf)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import osmium
import pytest
from shapely.geometry import Point

from geo.demo.layout import CITY_CENTRE
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.osm import build_gazetteer, dumps_gazetteer, house_key, split_street_name, write_gazetteer
from geo.projection import to_metres, to_wgs84

# Two ways of one street sharing node 2; an address by the old name; a building with an
# address (centroid); a school numbered only in its name; district, boundary (relation),
# water, park, spring.
FIXTURE = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="47.5600" lon="31.3000"/>
  <node id="2" version="1" lat="47.5600" lon="31.3100"/>
  <node id="3" version="1" lat="47.5600" lon="31.3200"/>
  <node id="4" version="1" lat="47.5550" lon="31.3100"/>
  <node id="5" version="1" lat="47.5650" lon="31.3100"/>
  <node id="10" version="1" lat="47.5602" lon="31.3050">
    <tag k="addr:street" v="вулиця Леніна"/><tag k="addr:housenumber" v="15а"/>
  </node>
  <node id="11" version="1" lat="47.5598" lon="31.3060">
    <tag k="addr:street" v="вулиця Нікуди"/><tag k="addr:housenumber" v="1"/>
  </node>
  <node id="12" version="1" lat="47.5620" lon="31.3150">
    <tag k="amenity" v="school"/><tag k="name" v="Загальноосвітня школа № 5"/>
  </node>
  <node id="13" version="1" lat="47.5630" lon="31.3020">
    <tag k="natural" v="spring"/><tag k="name" v="Джерело"/><tag k="synthetic" v="yes"/>
  </node>
  <node id="20" version="1" lat="47.5590" lon="31.3150"/>
  <node id="21" version="1" lat="47.5590" lon="31.3160"/>
  <node id="22" version="1" lat="47.5580" lon="31.3160"/>
  <node id="23" version="1" lat="47.5580" lon="31.3150"/>
  <node id="30" version="1" lat="47.5500" lon="31.2900"/>
  <node id="31" version="1" lat="47.5500" lon="31.3300"/>
  <node id="32" version="1" lat="47.5700" lon="31.3300"/>
  <node id="33" version="1" lat="47.5700" lon="31.2900"/>
  <node id="40" version="1" lat="47.5650" lon="31.2950"/>
  <node id="41" version="1" lat="47.5650" lon="31.2980"/>
  <node id="42" version="1" lat="47.5680" lon="31.2980"/>
  <way id="100" version="1">
    <nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="name" v="вулиця Соборності"/>
    <tag k="old_name" v="вулиця Леніна"/><tag k="name:ru" v="улица Соборности"/>
  </way>
  <way id="101" version="1">
    <nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="вулиця Соборності"/>
  </way>
  <way id="102" version="1">
    <nd ref="4"/><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="name" v="Маріупольська вулиця"/>
    <tag k="old_name" v="Московська вулиця"/><tag k="synthetic" v="yes"/>
  </way>
  <way id="103" version="1">
    <nd ref="20"/><nd ref="21"/><nd ref="22"/><nd ref="23"/><nd ref="20"/>
    <tag k="building" v="house"/><tag k="addr:street" v="Маріупольська вулиця"/>
    <tag k="addr:housenumber" v="23/27"/>
  </way>
  <way id="104" version="1">
    <nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/><nd ref="30"/>
  </way>
  <way id="105" version="1">
    <nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/><nd ref="30"/>
    <tag k="place" v="suburb"/><tag k="name" v="Центр"/><tag k="population" v="7 200"/>
  </way>
  <way id="106" version="1">
    <nd ref="40"/><nd ref="41"/><nd ref="42"/><nd ref="40"/>
    <tag k="natural" v="water"/><tag k="name" v="Ставок"/>
  </way>
  <way id="107" version="1">
    <nd ref="20"/><nd ref="21"/><nd ref="22"/><nd ref="23"/><nd ref="20"/>
    <tag k="leisure" v="park"/><tag k="name" v="Парк"/>
  </way>
  <relation id="200" version="1">
    <member type="way" ref="104" role="outer"/>
    <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="8"/>
    <tag k="name" v="Місто"/>
  </relation>
</osm>
"""


@pytest.fixture()
def fixture_osm(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def test_builder_reads_every_layer(fixture_osm: Path) -> None:
    data = build_gazetteer(fixture_osm)
    assert set(data) == {"meta", "boundary", "streets", "addresses", "landmarks", "districts", "water", "parks"}
    assert data["meta"]["source"] == "tiny.osm"
    assert data["meta"]["synthetic"] is True
    assert data["meta"]["attribution"] == "© OpenStreetMap contributors"

    by_name = {s["name"]: s for s in data["streets"]}
    assert sorted(by_name) == ["Маріупольська", "Соборності"]
    sob = by_name["Соборності"]
    assert sob["type"] == "вулиця" and sob["highway"] == "primary" and sob["synthetic"] is False
    assert sob["names"] == {"name": "вулиця Соборності", "name:ru": "улица Соборности", "old_name": "вулиця Леніна"}
    assert sob["lines"] == [[[31.3, 47.56], [31.31, 47.56], [31.32, 47.56]]]  # two ways merged at node 2
    assert by_name["Маріупольська"]["synthetic"] is True

    addr = {(a["street_id"], a["house"]): a for a in data["addresses"]}
    assert (sob["id"], "15а") in addr  # matched through old_name
    building = addr[(by_name["Маріупольська"]["id"], "23/27")]
    assert (building["lat"], building["lon"]) == (47.5585, 31.3155)  # centroid of the footprint
    assert len(data["addresses"]) == 2  # the address on an unknown street is dropped

    kinds = {m["kind"]: m for m in data["landmarks"]}
    assert kinds["school"]["number"] == "5"
    assert kinds["spring"]["synthetic"] is True
    assert kinds["park"]["name"] == "Парк"
    assert [m["id"] for m in data["landmarks"]] == ["lm-0001", "lm-0002", "lm-0003"]

    (district,) = data["districts"]
    assert (district["id"], district["name"], district["population"]) == ("d-01", "Центр", 7200)
    assert data["boundary"][0] == data["boundary"][-1] and len(data["boundary"]) == 5
    assert data["water"][0]["name"] == "Ставок" and data["parks"][0]["name"] == "Парк"


def test_pbf_reads_the_same(fixture_osm: Path, tmp_path: Path) -> None:
    pbf = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(fixture_osm)):
            writer.add(obj)
    from_xml, from_pbf = build_gazetteer(fixture_osm), build_gazetteer(pbf)
    assert from_pbf["meta"]["source"] == "tiny.osm.pbf"
    for key in ("streets", "addresses", "landmarks", "districts", "boundary", "water", "parks"):
        assert from_pbf[key] == from_xml[key], key


def test_output_is_canonical_and_stable(fixture_osm: Path, tmp_path: Path) -> None:
    first = write_gazetteer(build_gazetteer(fixture_osm), tmp_path / "a.json").read_bytes()
    second = dumps_gazetteer(build_gazetteer(fixture_osm)).encode("utf-8")
    assert first == second and first.endswith(b"\n")
    assert json.loads(first)["meta"]["source_sha256"] == hashlib.sha256(fixture_osm.read_bytes()).hexdigest()


def test_loader_helpers(fixture_osm: Path, tmp_path: Path) -> None:
    path = write_gazetteer(build_gazetteer(fixture_osm), tmp_path / "g.json")
    gz = load_gazetteer(path)
    assert gz is load_gazetteer(path)  # cached
    assert isinstance(gz, Gazetteer)
    sob = next(s for s in gz.streets if s.name == "Соборності")
    assert gz.street_by_id(sob.id) is sob and gz.street_by_id("st-9999") is None
    assert sob.full_name == "вулиця Соборності"
    assert "вулиця Леніна" in sob.aliases() and "Соборності" in sob.aliases()
    assert gz.all_street_names()["вулиця Леніна"] == [sob.id]
    assert [a.house for a in gz.addresses_of(sob.id)] == ["15а"]
    assert sob.geometry.geom_type == "MultiLineString"
    with pytest.raises(TypeError):  # typed records: fields by name, no JSON-style access
        sob["id"]  # type: ignore[index]
    assert gz.district_at(47.56, 31.31) == "Центр"
    assert gz.district_at(47.60, 31.31) is None
    assert gz.contains(47.56, 31.31) and not gz.contains(47.60, 31.31)
    assert gz.water_polygon.contains(Point(31.297, 47.566))


def test_street_name_split_and_house_order() -> None:
    assert split_street_name("вулиця Соборності") == ("Соборності", "вулиця")
    assert split_street_name("Воскресенський провулок") == ("Воскресенський", "провулок")
    assert split_street_name("Соборності") == ("Соборності", "вулиця")
    assert split_street_name("Набережна вулиця") == ("Набережна", "вулиця")
    assert split_street_name("набережна Перемоги") == ("Перемоги", "набережна")
    assert sorted(["23/27", "101", "15а", "2", "15"], key=house_key) == ["2", "15", "15а", "23/27", "101"]


def test_projection_round_trip() -> None:
    lat, lon = np.array([CITY_CENTRE[0], 47.531]), np.array([CITY_CENTRE[1], 31.267])
    x, y = to_metres(lat, lon)
    assert 370_000 < x[0] < 380_000 and 5_260_000 < y[0] < 5_275_000  # UTM 36N
    assert np.hypot(x[0] - x[1], y[0] - y[1]) == pytest.approx(6_200, rel=0.05)
    back_lat, back_lon = to_wgs84(x, y)
    assert np.allclose(back_lat, lat, atol=1e-9) and np.allclose(back_lon, lon, atol=1e-9)
