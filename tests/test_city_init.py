"""A real city from its own OSM extract: `city init`, the profile's areas, gazetteer selection.

The extract is the real one of central Helsinki (ODbL, tests/data/helsinki/SOURCE.md). It
carries the city's boundary relation without its member ways, the case the issue met: the
study area must then come from the deployer, never from a hull of the streets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box

from data.city_profile import demo_profile, read_profile
from data.runmode import demo_mode
from geo.areas import AreaError, districts_from_geojson, districts_from_osm, scan_areas, study_area_from_osm
from geo.city import build_city_gazetteer, init_city
from geo.gazetteer import DEFAULT_GAZETTEER, DEFAULT_OSM, Gazetteer, load_gazetteer
from geo.osm import dumps_gazetteer
from tests.conftest import ROOT

HELSINKI = ROOT / "tests" / "data" / "helsinki" / "Helsinki.osm.pbf"
AREA = box(24.934, 60.163, 24.955, 60.1805)


def _geojson(path: Path, features: list[tuple[dict, Polygon]], crs: str | None = None) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [list(poly.exterior.coords)]},
            }
            for props, poly in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("helsinki")
    area = _geojson(folder / "area.geojson", [({"name": "centre"}, AREA)])
    districts = _geojson(
        folder / "districts.geojson",
        [
            ({"name": "Länsi", "name:en": "West"}, box(24.934, 60.163, 24.9445, 60.1805)),
            ({"name": "Itä", "name:en": "East"}, box(24.9445, 60.163, 24.955, 60.1805)),
        ],
    )
    init_city(
        HELSINKI,
        name="Helsinki",
        tz="Europe/Helsinki",
        out=folder / "city.toml",
        study_area_geojson=area,
        districts_geojson=districts,
    )
    return folder / "city.toml"


def _cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CITY_PROFILE"} | env
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        check=False,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_an_incomplete_boundary_is_an_error_that_names_it_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(
        AreaError, match=r"relation 34914 'Helsinki' \(level 8; incomplete: 0 of 56 member ways.*--study-area"
    ):
        init_city(HELSINKI, name="Helsinki", tz="Europe/Helsinki", out=tmp_path / "city.toml")
    assert list(tmp_path.iterdir()) == []
    result = _cli(
        "city",
        "init",
        str(HELSINKI),
        "--name",
        "Helsinki",
        "--tz",
        "Europe/Helsinki",
        "--out",
        str(tmp_path / "city.toml"),
    )
    assert result.returncode == 2 and "no complete city boundary" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_time_zone_is_required_and_checked(tmp_path: Path) -> None:
    result = _cli("city", "init", str(HELSINKI), "--name", "Helsinki", "--out", str(tmp_path / "c.toml"))
    assert result.returncode != 0 and "--tz" in result.stderr
    area = _geojson(tmp_path / "a.geojson", [({"name": "a"}, AREA)])
    with pytest.raises(AreaError, match="not an IANA time zone"):
        init_city(HELSINKI, name="Helsinki", tz="Helsinki", out=tmp_path / "c.toml", study_area_geojson=area)


def test_without_district_polygons_the_deployer_is_told(tmp_path: Path) -> None:
    area = _geojson(tmp_path / "a.geojson", [({"name": "a"}, AREA)])
    done = init_city(HELSINKI, name="Helsinki", tz="Europe/Helsinki", out=tmp_path / "c.toml", study_area_geojson=area)
    assert done.counts["districts"] == 0
    assert any(note.startswith("no district polygons") and "--districts" in note for note in done.notes)


def test_the_profile_reads_back_and_rebuilds_the_same_gazetteer(helsinki: Path) -> None:
    profile = read_profile(helsinki)
    assert (profile.time_zone, profile.names.en, profile.names.uk, profile.demo) == (
        "Europe/Helsinki",
        "Helsinki",
        "Гельсінкі",
        False,
    )
    assert profile.metric_crs == "EPSG:32635"  # UTM 35N holds 24.94 E
    assert {"fi", "sv"} <= set(profile.name_languages)
    written = profile.gazetteer.read_text(encoding="utf-8")
    assert dumps_gazetteer(build_city_gazetteer(profile).data) == written
    gaz = Gazetteer.from_dict(json.loads(written))
    assert Polygon(gaz.boundary).equals(AREA)
    assert "boundary_source" not in gaz.meta
    tagged = {k.split(":", 1)[1] for k in gaz.meta["city"] if ":" in k}  # 90 wiki languages in the extract
    assert tagged <= set(profile.name_languages) and gaz.meta["city"]["name:sv"] == "Helsingfors"
    assert sorted(d.name for d in gaz.districts) == ["Itä", "Länsi"]
    assert gaz.district_at(60.1690, 24.9400) == "Länsi" and gaz.district_at(60.1690, 24.9500) == "Itä"
    assert gaz.district_by_name("West").name == "Länsi"


def test_geocode_precedence_gazetteer_over_profile_over_demo(helsinki: Path) -> None:
    line = "Annankatu 10 roskia\n"
    via_profile, swedish = map(
        json.loads, _cli("geocode", stdin=line + "Mannerheimvägen 5\n", CITY_PROFILE=str(helsinki)).stdout.splitlines()
    )
    assert (via_profile["street"], via_profile["house"], via_profile["district"]) == ("Annankatu", "10", "Länsi")
    assert (swedish["street"], swedish["house"]) == ("Mannerheimintie", "5")  # name:sv kept: a profile language
    demo = json.loads(_cli("geocode", stdin=line).stdout)
    assert demo["level"] == "none"
    given = json.loads(
        _cli("geocode", "--gazetteer", str(DEFAULT_GAZETTEER), stdin=line, CITY_PROFILE=str(helsinki)).stdout
    )
    assert given["level"] == "none"  # --gazetteer wins over CITY_PROFILE


def test_the_profile_selects_the_gazetteer_and_production(helsinki: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTSPOTS_MODE", "demo")
    monkeypatch.delenv("CITY_PROFILE", raising=False)
    assert demo_mode() and load_gazetteer().meta["source"] == "voznesensk-demo.osm"
    monkeypatch.setenv("CITY_PROFILE", str(helsinki))
    assert not demo_mode()  # no demo reports or demo accounts in a city of its own
    assert load_gazetteer().meta["source"] == "Helsinki.osm.pbf"
    assert load_gazetteer(DEFAULT_GAZETTEER).meta["source"] == "voznesensk-demo.osm"


def test_gazetteer_build_writes_the_file_the_profile_reads(helsinki: Path, tmp_path: Path) -> None:
    before = read_profile(helsinki).gazetteer.read_bytes()
    read_profile(helsinki).gazetteer.unlink()
    result = _cli("gazetteer", "build", CITY_PROFILE=str(helsinki))
    assert result.returncode == 0, result.stderr
    assert read_profile(helsinki).gazetteer.read_bytes() == before
    plain = _cli("gazetteer", "build", str(HELSINKI), "--out", str(tmp_path / "g.json"))
    assert plain.returncode == 0 and "no complete city boundary" in plain.stderr
    assert json.loads((tmp_path / "g.json").read_text())["meta"]["boundary_source"] == "street_hull"


def test_the_demo_profile_builds_the_committed_gazetteer_byte_for_byte() -> None:
    built = build_city_gazetteer(demo_profile())
    assert built.skipped_districts == []
    assert dumps_gazetteer(built.data) == DEFAULT_GAZETTEER.read_text(encoding="utf-8")


def test_osm_areas_complete_and_incomplete() -> None:
    demo = scan_areas(DEFAULT_OSM)
    assert study_area_from_osm(demo).name == "Вознесенськ"
    suburbs = districts_from_osm(demo, places=("suburb",))
    assert len(suburbs.items) == 7 and suburbs.skipped == []
    real = districts_from_osm(scan_areas(HELSINKI), levels=(10,))
    assert real.items == [] and len(real.skipped) == 6 and all("incomplete" in s for s in real.skipped)
    with pytest.raises(AreaError, match="relation 184713 'Kluuvi'.*incomplete"):
        study_area_from_osm(scan_areas(HELSINKI), 184713)


def test_geojson_districts_in_a_projected_crs_and_without_names(tmp_path: Path) -> None:
    from pyproj import Transformer

    to_tm35 = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    square = Polygon([to_tm35.transform(x, y) for x, y in box(24.94, 60.16, 24.95, 60.17).exterior.coords])
    got = districts_from_geojson(
        _geojson(tmp_path / "d.geojson", [({"name": "Kluuvi"}, square)], crs="urn:ogc:def:crs:EPSG::3067")
    )
    assert [d["name"] for d in got.items] == ["Kluuvi"]
    assert Polygon(got.items[0]["polygon"]).symmetric_difference(box(24.94, 60.16, 24.95, 60.17)).area < 1e-10
    with pytest.raises(AreaError, match="no name"):
        districts_from_geojson(_geojson(tmp_path / "n.geojson", [({"name": ""}, AREA)]))
