"""The geocoder on real OpenStreetMap data: right, or honestly unsure (issue 24).

A tiny OSM file written here exercises the builder and the geocoder together (type words of
Russian and English names, learned types of another language, diacritics, same-named
streets far apart, numbered landmarks above 99); the real Helsinki extract (ODbL, see
tests/data/helsinki/SOURCE.md) checks the written eval set end to end.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import sys
from pathlib import Path

import pytest

from geo.gazetteer import Gazetteer
from geo.geocoding import geocode
from geo.normalize import normalize_text, tokenize
from geo.osm import build_gazetteer
from geo.street_types import learn_types

DATA = Path(__file__).parent / "data"
BASE_LAT, BASE_LON = 50.0, 30.0


def _ll(x: float, y: float) -> tuple[float, float]:
    """Metres east/north of the base point -> lat, lon (small area, plain scaling)."""
    return BASE_LAT + y / 111_320, BASE_LON + x / (111_320 * math.cos(math.radians(BASE_LAT)))


def _osm(
    tmp_path: Path,
    streets: list[tuple[dict[str, str], list[tuple[float, float]]]],
    points: list[tuple[dict[str, str], tuple[float, float]]],
) -> Gazetteer:
    nodes, ways, nid = [], [], 0
    for k, (tags, line) in enumerate(streets, start=1):
        refs = []
        for x, y in line:
            nid += 1
            lat, lon = _ll(x, y)
            nodes.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}" version="1"/>')
            refs.append(f'<nd ref="{nid}"/>')
        tag_xml = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in {"highway": "residential", **tags}.items())
        ways.append(f'<way id="{k}" version="1">{"".join(refs)}{tag_xml}</way>')
    for tags, (x, y) in points:
        nid += 1
        lat, lon = _ll(x, y)
        tag_xml = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in tags.items())
        nodes.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}" version="1">{tag_xml}</node>')
    path = tmp_path / "t.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">' + "".join(nodes + ways) + "</osm>", encoding="utf-8"
    )
    return Gazetteer.from_dict(build_gazetteer(path))


def _dist(m, x: float, y: float) -> float:
    lat, lon = _ll(x, y)
    return math.hypot((m.lat - lat) * 111_320, (m.lon - lon) * 111_320 * math.cos(math.radians(BASE_LAT)))


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    streets = [
        ({"name": "Ленинский проспект"}, [(0, 0), (2000, 0)]),
        ({"name": "Ленинский переулок"}, [(0, 600), (400, 600)]),
        ({"name": "Main Street"}, [(0, 1200), (800, 1200)]),
        ({"name": "Main Avenue"}, [(0, 2000), (800, 2000)]),
        ({"name": "Töölönkatu"}, [(3000, 0), (3000, 800)]),
        ({"name": "Садовая улица"}, [(5000, 0), (5000, 500)]),
        ({"name": "Садовая улица"}, [(8000, 3000), (8000, 3500)]),
        ({"name": "Речная улица"}, [(6000, 0), (6000, 1000)]),
        ({"name": "Речная улица"}, [(6000, 1500), (6000, 2500)]),  # cut by a river: one street
    ]
    points = [
        ({"addr:street": "Садовая улица", "addr:housenumber": "7"}, (5010, 100)),
        ({"amenity": "school", "name": "Школа № 123"}, (1000, 50)),
    ]
    return _osm(tmp_path_factory.mktemp("osm"), streets, points)


def test_builder_splits_russian_and_english_type_words(town: Gazetteer) -> None:
    types = {(s.name, s.type) for s in town.streets}
    assert {("Ленинский", "проспект"), ("Ленинский", "провулок"), ("Main", "вулиця"), ("Main", "проспект")} <= types


@pytest.mark.parametrize(
    "text, y",
    [
        ("на Ленинском проспекте яма", 0),
        ("в Ленинском переулке темно", 600),
        ("potholes on Main Street", 1200),
        ("cars on Main Avenue again", 2000),
    ],
)
def test_written_type_word_separates_same_named_streets(town: Gazetteer, text: str, y: float) -> None:
    m = geocode(text, gazetteer=town)
    assert m.level == "street" and m.candidates is None
    assert abs(_dist(m, 0, y) - _dist(m, 0, y)) == 0 and min(_dist(m, x, y) for x in range(0, 2001, 50)) < 5


@pytest.mark.parametrize(
    "text",
    ["Töölönkatu 3 roskia", "roskia Toolonkatu", "Töölönkadulla roskia", "To\u0308o\u0308lo\u0308nkadulla roskia"],
)
def test_diacritics_kept_dropped_or_decomposed(town: Gazetteer, text: str) -> None:
    m = geocode(text, gazetteer=town)
    assert m.street == "Töölönkatu"
    start, end = m.span
    assert normalize_text(text[start:end]).replace("\u00ad", "").startswith(("töölön", "toolon"))


def test_a_street_cut_by_a_river_stays_one_street(town: Gazetteer) -> None:
    m = geocode("на Речной улице темно", gazetteer=town)
    assert m.level == "street" and m.candidates is None


def test_numbered_landmark_above_99(town: Gazetteer) -> None:
    m = geocode("біля школи № 123 курять", gazetteer=town)
    assert m.level == "landmark" and m.landmark["number"] == "123"


def test_same_name_far_apart_is_no_confident_pick(town: Gazetteer) -> None:
    m = geocode("на Садовой улице темно", gazetteer=town)
    assert m.level == "district" and m.score < 0.5
    assert len(m.candidates) == 2
    for x, y in ((5000, 250), (8000, 3250)):  # the claim covers both streets
        assert _dist(m, x, y) <= m.uncertainty_m
    house = geocode("Садовая 7 темно", gazetteer=town)  # only one of them has house 7
    assert house.level == "address" and _dist(house, 5010, 100) < 1


def test_tokens_are_nfc_letters_of_any_script_and_keep_offsets() -> None:
    text = "Cafe\u0301 på Ålandsgatan, Αθηνάς 5"
    norm = normalize_text(text)
    assert len(norm) == len(text)
    words = [t.text for t in tokenize(norm) if t.is_word]
    assert words == ["café", "på", "ålandsgatan", "αθηνάς"]


def test_types_learned_from_the_extract_names() -> None:
    separate, glued = learn_types(
        {
            "name": [
                "Annankatu",
                "Mikonkatu",
                "Postikatu",
                "Alvar Aallon katu",
                "Postikuja",
                "Eero Erkon katu",
                "Kaisankuja",
                "Marmorikuja",
                "Yrjö Kosken katu",
                "Alvar Aallon kuja",
            ],
            "name:uk": ["Кленова", "Соснова", "Липова", "вулиця Миру", "Дубова"],
        }
    )
    assert "katu" in separate and "katu" in glued and "kuja" in glued
    assert "ова" not in glued and "nkatu" not in glued  # an inflection ending is no type


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_geocode", Path(__file__).parents[1] / "bench" / "geocode.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_geocode"] = module
    spec.loader.exec_module(module)
    return module


def test_helsinki_eval_set() -> None:
    """The written texts about the real extract: >= 90% right, none far off claiming < 100 m."""
    bench = _bench()
    gaz = Gazetteer.from_dict(build_gazetteer(DATA / "helsinki" / "Helsinki.osm.pbf"))
    with open(DATA / "geocode_eval_helsinki.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 80
    truth = bench.Truth(gaz)
    answers = [geocode(r["text"], gazetteer=gaz) for r in rows]
    s = bench.score(rows, answers, truth)
    assert s.skipped == 0 and s.street >= 0.9 and s.false_places == 0
    bad, measured = bench.far_off(rows, answers, truth)
    assert bad == 0 and measured >= 80


def test_house_and_corner_named_apart_from_the_street(town: Gazetteer) -> None:
    m = geocode("на Садовой улице возле дома опять, буквально у подъезда д. 7 мусор", gazetteer=town)
    assert m.level == "address" and m.house == "7"
    corner = geocode("на Ленинском проспекте, там где перекресток с проспектом Мира, темно", gazetteer=_corner_town())
    assert corner.level == "intersection"


def _corner_town() -> Gazetteer:
    import tempfile

    streets = [
        ({"name": "Ленинский проспект"}, [(0, 0), (2000, 0)]),
        ({"name": "проспект Мира"}, [(1000, -1000), (1000, 1000)]),
    ]
    return _osm(Path(tempfile.mkdtemp()), streets, [])


def test_english_common_words_are_no_street(town: Gazetteer) -> None:
    """A word that only starts like a name, or a bare capitalised word first in a sentence,
    is no place; the same word with a type word or a house number is."""
    gaz = _english_town()
    for text in ("Station was crowded again", "cars near parking again", "Parking is a mess"):
        assert geocode(text, gazetteer=gaz).level == "none", text
    assert geocode("queues on Station Road", gazetteer=gaz).level == "street"


def _english_town() -> Gazetteer:
    import tempfile

    streets = [({"name": "Station Road"}, [(0, 0), (800, 0)]), ({"name": "Park Street"}, [(0, 500), (800, 500)])]
    return _osm(Path(tempfile.mkdtemp()), streets, [])


@pytest.fixture(scope="module")
def russian_town(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    streets = [
        ({"name": "улица Ленина"}, [(0, 0), (2000, 0)]),
        ({"name": "проспект Мира"}, [(1000, -1000), (1000, 1000)]),
        ({"name": "Садовая улица"}, [(0, 500), (2000, 500)]),
    ]
    points = [
        ({"addr:street": "улица Ленина", "addr:housenumber": str(n)}, (n * 20, 10 if n % 2 else -10))
        for n in range(1, 60)
    ]
    points += [
        ({"shop": "supermarket", "name": "Магнит"}, (1500, 510)),
        ({"shop": "supermarket", "name": "Магнит"}, (100, -900)),
        ({"amenity": "hospital", "name": "Городская больница № 2"}, (200, 200)),
    ]
    return _osm(tmp_path_factory.mktemp("ru"), streets, points)


@pytest.mark.parametrize(
    "text, level, where",
    [
        ("ул. Ленина, д. 5 темно", "address", (100, 10)),
        ("дом 7 по улице Ленина", "address", (140, 10)),
        ("на углу Ленина и проспекта Мира авария", "intersection", (1000, 0)),
        ("у Магнита на Садовой пьяные", "landmark", (1500, 510)),  # the branch on that street
        ("у городской больницы № 2 шумят", "landmark", (200, 200)),
    ],
)
def test_russian_city(russian_town: Gazetteer, text: str, level: str, where: tuple[float, float]) -> None:
    m = geocode(text, gazetteer=russian_town)
    assert m.level == level and _dist(m, *where) <= m.uncertainty_m
