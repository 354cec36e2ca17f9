"""geo.geocoding on a hand-made mini gazetteer (tests/data/mini_gazetteer.json), plus the
eval set (tests/data/geocode_eval.csv) against the demo gazetteer with the accuracy targets.

Mini city (metres from the centre 47.566 N 31.33 E): Маріупольська (old Московська) runs
west-east through the centre with houses 1-40 every 25 m (no 15 and 16, but 15а); вулиця
Соборності runs south-north through the centre (houses 10 and 23/27); Херсонська (old 1-го
Травня), Кобзарська (old 8-го Березня), Іллі Урмана (old Енгельса), Софіївська (old
Пушкінська), провулок Глінки, Щаслива, Молодіжна, Кошового Олега, Вознесенська, Тиха вулиця
and Тихий провулок, Центральна, Миколи Лисенка; school No 5, lyceum No 1, market, bus and
railway stations, hospital, police, council, parks Шевченка and 1-го Травня, two «АТБ» shops
(one by Соборності), bar «Маяк», pharmacy No 3; microdistricts Болгарка, Центр, Молодіжний.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest
from conftest import require

from geo import Match, geocode, geocode_many
from geo.gazetteer import Gazetteer
from geo.geocoding import geocode_lines
from geo.geocoding.weights import EXACT_ADDRESS_M, FAR_HOUSE_M, INTERSECTION_M, LANDMARK_M, STREET_OFFSET_M
from geo.projection import to_metres

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
MINI = Gazetteer.from_dict(json.loads((DATA / "mini_gazetteer.json").read_text(encoding="utf-8")))
X0, Y0 = (float(v) for v in to_metres(47.566, 31.33))


def g(text: str, **kw) -> Match:
    return geocode(text, gazetteer=MINI, **kw)


def offset(m: Match) -> tuple[float, float]:
    """The answer in metres from the mini city's centre."""
    x, y = to_metres(m.lat, m.lon)
    return float(x) - X0, float(y) - Y0


def near(m: Match, dx: float, dy: float, tol: float) -> bool:
    x, y = offset(m)
    return math.hypot(x - dx, y - dy) <= tol


def spanned(text: str, m: Match) -> str:
    assert m.span is not None
    return text[m.span[0] : m.span[1]]


# --- streets: inflection, Russian, old names, Latin, typos, look-alikes ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "На Маріупольській знову повна урна",
        "по Маріупольській вночі не горять ліхтарі",
        "на Мариупольской сломали детскую площадку",
        "На Московській знову темно",  # old name
        "по Московской опять темно",  # old name, Russian
        "na Mariupolskii temno",  # KMU Latin, inflected
        "на Маpiупольській сміття",  # Latin look-alikes
        "на Маріупльській темно",  # typo after a preposition
        "вул. Маріюпольська біля аптеки",  # typo after a street type
        "МАРІУПОЛЬСЬКА ВУЛИЦЯ — темно",  # caps, type after the name
    ],
)
def test_street_forms(text: str) -> None:
    m = g(text)
    assert (m.level, m.street) == ("street", "Маріупольська")
    assert near(m, 0, 0, 5)  # middle of the street
    assert m.uncertainty_m == pytest.approx(1000 + STREET_OFFSET_M, rel=0.01)  # half its 2 km length


def test_street_district_only_when_the_street_lies_in_one() -> None:
    assert g("на Щасливій темно").district == "Болгарка"  # x = -900 m: inside Болгарка
    assert g("на Маріупольській темно").district is None  # crosses three microdistricts


def test_span_is_the_place_in_the_original_text() -> None:
    text = "Вчора по вул. Соборності, 23/27 знову сміття"
    assert spanned(text, g(text)) == "вул. Соборності, 23/27"
    text = "Люди, на Московській біля 5-ї школи курять"
    assert spanned(text, g(text)) == "Московській біля 5-ї школи"
    text = "Космодем’янської? Ні — на Маpiупольській"
    assert spanned(text, g(text)) == "Маpiупольській"


def test_span_never_bridges_far_apart_parts() -> None:
    """The redactor keeps the span verbatim: a name between a street and a landmark far
    apart must stay outside it."""
    text = "на Соборності, як казала сусідка Тетяна Іваненко з третього поверху, біля 5-ї школи"
    m = g(text)
    assert m.street == "Соборності" and spanned(text, m) == "5-ї школи"


def test_typo_scores_below_exact() -> None:
    assert g("на Маріупльській темно").score < g("на Маріупольській темно").score


@pytest.mark.parametrize(
    "text, street",
    [
        ("ул. Соборности, темно", "Соборності"),
        ("по вулиці Соборності біля магазину", "Соборності"),
        ("на Урмана біля магазину п'ють", "Іллі Урмана"),  # surname-only short form
        ("угол Энгельса", "Іллі Урмана"),  # old name, Russian
        ("вул. Олега Кошового", "Кошового Олега"),  # swapped word order
        ("возле Пушкинской сломали скамейки", "Софіївська"),  # old name, Russian adjective
        ("пер. Глинки, темно", "Глінки"),
        ("vul Illi Urmana", "Іллі Урмана"),
        ("Жителі Кобзарської просять ліхтарі", "Кобзарська"),  # a capital inside the sentence
    ],
)
def test_more_street_forms(text: str, street: str) -> None:
    m = g(text)
    assert (m.level, m.street) == ("street", street)


# --- house numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, house",
    [
        ("вул. Маріупольська, 15а, біля під'їзду", "15а"),
        ("Маріупольська 15-а біля під'їзду", "15а"),
        ("Маріупольська 15 А", "15а"),
        ("Соборності 23/27 сміття біля входу", "23/27"),
        ("Соборності 23 / 27", "23/27"),
        ("ул. Соборности дом 10", "10"),
        ("біля будинку 21 на Маріупольській розлили мазут", "21"),
        ("возле дома 7 по Московской собаки", "7"),
        ("ул.Московская д.12", "12"),
        ("Маріупольська, будинок 8", "8"),
        ("Маріупольська вул., 9", "9"),
    ],
)
def test_house_numbers(text: str, house: str) -> None:
    m = g(text)
    assert (m.level, m.house) == ("address", house)


def test_exact_address_points() -> None:
    m = g("вул. Маріупольська, 15а")
    assert near(m, -1000 + 25 * 15.5, 12, 1) and m.uncertainty_m <= EXACT_ADDRESS_M
    m = g("Соборності 23/27")
    assert near(m, 12, -800 + 25 * 23, 1)
    m = g("Маріупольська 21")
    assert near(m, -1000 + 25 * 21, 12, 1) and m.score >= 0.95


def test_missing_number_is_interpolated_by_parity() -> None:
    m = g("Маріупольська 16 — машини на газоні")
    assert m.level == "address" and m.house == "16"
    assert near(m, -1000 + 25 * 16, 0, 20)  # between 14 and 18 on the main line
    assert EXACT_ADDRESS_M < m.uncertainty_m <= EXACT_ADDRESS_M + FAR_HOUSE_M
    assert m.score < g("Маріупольська 14").score
    far = g("Маріупольська 60")  # beyond the last house: extrapolated,
    assert far.level == "address" and far.uncertainty_m > 400  # the claim grows with the distance


def test_building_part_sits_on_its_plot() -> None:
    m = g("вулиця Маріупольська буд. 21 корп. 2")
    assert m.house == "21к2" and near(m, -1000 + 25 * 21, 12, 1)


@pytest.mark.parametrize(
    "text",
    [
        "на Маріупольській 22:30 знову кричали",
        "на Маріупольській 15 травня був суботник",
        "на Маріупольській 5 днів не вивозять сміття",
        "на Маріупольській біля 5-ї школи",
    ],
)
def test_numbers_that_are_not_houses(text: str) -> None:
    assert g(text).house is None


# --- intersections -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "на розі Маріупольської і Соборності не працює світлофор",
        "перехрестя Соборності та Маріупольської — машини на тротуарі",
        "угол Московской и Соборности — пьяные",
        "на углу Мариупольской и Соборности мусор",
        "Маріупольська/Соборності ДТП",
    ],
)
def test_intersection(text: str) -> None:
    m = g(text)
    assert m.level == "intersection"
    assert {m.street, m.street2} == {"Маріупольська", "Соборності"}
    assert near(m, 0, 0, 2) and m.uncertainty_m == INTERSECTION_M


@pytest.mark.parametrize(
    "text, pair",
    [
        ("ріг 1-го Травня і Маріупольської, темно", {"Херсонська", "Маріупольська"}),  # date-like old name
        ("угол Соборности и 8 Марта", {"Соборності", "Кобзарська"}),
        ("на розі Маріюпольської і Соборності", {"Маріупольська", "Соборності"}),  # typo at a corner
        ("Увага! Маріупольська / в. Соборноті сміття", {"Маріупольська", "Соборності"}),  # typo after "в."
    ],
)
def test_corners_with_old_dates_and_typos(text: str, pair: set[str]) -> None:
    m = g(text)
    assert m.level == "intersection" and {m.street, m.street2} == pair


def test_corner_with_one_unknown_street_scores_lower() -> None:
    assert g("на розі Соборності і Невідомої").score < g("на Соборності").score


def test_fuzzy_tie_is_broken_by_type_or_house_else_no_guess() -> None:
    assert g("вул. Тхиа, 5").street == "Тиха"  # "Тиха" вулиця vs "Тихий" провулок
    assert g("пров. Тхиий").street == "Тихий"


def test_stretch_between_two_cross_streets() -> None:
    m = g("на Маріупольській між Соборності і Херсонською яма")
    assert (m.level, m.street, m.street2) == ("street", "Маріупольська", None)
    assert near(m, 250, 0, 1) and m.uncertainty_m == 250  # half the stretch, not half the street


def test_named_corner_of_streets_that_do_not_meet_is_the_first_street() -> None:
    m = g("на розі Кобзарської і Іллі Урмана")  # parallel streets in the mini city
    assert (m.level, m.street, m.street2) == ("street", "Кобзарська", None)
    assert m.score < g("на Кобзарській").score


# --- landmarks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "біля 5-ї школи курять підлітки",
        "навпроти 5-ї школи паркуються на тротуарі",
        "біля ЗОШ №5 розбиті пляшки",
        "возле школы 5 собираются",
        "школа № 5 — на подвір'ї сміття",
        "за п’ятою школою звалище",
        "возле пятой школы темно",
        "5-та школа, задній двір",
    ],
)
def test_numbered_school(text: str) -> None:
    m = g(text)
    assert m.level == "landmark"
    assert (m.landmark["kind"], m.landmark["number"]) == ("school", "5")
    assert near(m, 100, 60, 1) and m.uncertainty_m == LANDMARK_M


def test_lyceum_answers_a_school_number() -> None:
    m = g("біля ліцею №1")
    assert (m.landmark["kind"], m.landmark["number"]) == ("lyceum", "1")
    assert g("біля 7-ї школи").level == "none"  # no school No 7 in the mini city


@pytest.mark.parametrize(
    "text, kind",
    [
        ("біля ринку знову стихійна торгівля", "market"),
        ("возле рынка мусор", "market"),
        ("на базарі сміття", "market"),
        ("біля автостанції п'яні", "bus_station"),
        ("возле автовокзала собаки", "bus_station"),
        ("біля вокзалу таксі на газоні", "railway_station"),
        ("на залізничному вокзалі сміття", "railway_station"),
        ("біля лікарні паркуються", "hospital"),
        ("возле больницы собаки", "hospital"),
        ("біля міської ради мітинг", "townhall"),
        ("біля поліції розбита дорога", "police"),
        ("у відділу поліції паркуються", "police"),
    ],
)
def test_named_landmarks(text: str, kind: str) -> None:
    m = g(text)
    assert m.level == "landmark" and m.landmark["kind"] == kind


@pytest.mark.parametrize(
    "text, park",
    [
        ("в парку Шевченка п'ють", "Парк ім. Шевченка"),
        ("в парке Шевченко собаки", "Парк ім. Шевченка"),
        ("в парку 1 Травня сміття", "Парк ім. 1-го Травня"),  # a park named by a date
        ("в парке 1 Мая пьют", "Парк ім. 1-го Травня"),
    ],
)
def test_parks_by_name(text: str, park: str) -> None:
    m = g(text)
    assert m.level == "landmark" and m.landmark["name"] == park


def test_landmark_with_street_keeps_both() -> None:
    m = g("на Московській біля 5-ї школи курять")
    assert (m.level, m.street, m.landmark["number"]) == ("landmark", "Маріупольська", "5")
    m = g("Маріупольська 21, біля 5-ї школи")
    assert (m.level, m.house, m.landmark["number"]) == ("address", "21", "5")


@pytest.mark.parametrize(
    "text",
    [
        "Поліція взагалі реагує на виклики?",
        "Чергова зустріч громади з поліцією у четвер",
        "Звернулась до школи, але ніхто не відповів",
        "У парку п'ють",  # two parks: which one?
        "Біля магазину сміття",
    ],
)
def test_landmark_words_that_are_no_place(text: str) -> None:
    assert g(text).level == "none"


def test_pharmacy_bar_and_the_one_lyceum() -> None:
    assert g("біля аптеки №3 п'яні").landmark["name"] == "Аптека № 3"
    assert g("біля бару «Маяк» шумно").landmark["name"] == "Бар «Маяк»"
    assert g("біля «Маяка» бійка").landmark["name"] == "Бар «Маяк»"  # brand alone, in quotes
    assert g("Сколько можно! Возле лицея паркуются").landmark["kind"] == "lyceum"
    m = g("Скарга.\nВознесенська загальноосвітня школа І-ІІІ ступенів № 5")  # official name
    assert m.landmark["number"] == "5"
    assert g("Школа 5 років без ремонту").level == "none"


def test_chain_shop_branch() -> None:
    m = g("біля АТБ на Соборності п'ють")  # the branch by the named street
    assert m.level == "landmark" and m.street == "Соборності" and near(m, 20, 300, 1)
    m = g("біля АТБ п'ють")  # which branch? say so
    assert m.level == "landmark" and m.score < 0.8 and m.uncertainty_m > 1000
    assert g("біля магазину «Продукти» сміття").landmark["name"] == "Магазин «Продукти»"


@pytest.mark.parametrize(
    "text",
    [
        "Звернулися в поліцію, толку нуль",  # direction, not a place
        "Обращаюсь в горсовет: опять мусор",
    ],
)
def test_institution_as_a_destination_is_no_place(text: str) -> None:
    assert g(text).level == "none"


# --- homonyms, written types, contacts ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, street",
    [
        ("на перехресті провулку Тихого", "Тихий"),  # lane by its type word...
        ("по Тихому провулку ганяють", "Тихий"),
        ("на Тихій вулиці темно", "Тиха"),
        ("вул. Тиха, темно", "Тиха"),
        ("на пер. Тихом собаки", "Тихий"),
    ],
)
def test_street_type_and_gender_pick_among_homonyms(text: str, street: str) -> None:
    assert g(text).street == street


def test_written_type_must_agree() -> None:
    assert g("на центральній площі сміття").level == "none"  # a square, not Центральна вулиця
    assert g("вул. Глінки 2").street == "Глінки"  # вулиця/провулок are mixed up freely


def test_abbreviation_v_dot_for_street() -> None:
    m = g("розі Соборності і в. Маріупольської")
    assert (m.level, {m.street, m.street2}) == ("intersection", {"Соборності", "Маріупольська"})


@pytest.mark.parametrize(
    "text",
    [
        "Пишіть на andrii.lysenko45@i.ua, сміття",  # a surname and digits in an e-mail
        "Опять Тетяна Лисенко из третьего подъезда",  # a person, not вулиця Миколи Лисенка
        "дзвоніть +38 (097) 294-89-93 або @lysenko_m",
    ],
)
def test_contacts_and_person_names_are_no_streets(text: str) -> None:
    assert g(text).level == "none"


def test_surname_street_with_context() -> None:
    assert g("на Лисенка темно").street == "Миколи Лисенка"
    assert g("Лисенка 5").street == "Миколи Лисенка"


@pytest.mark.parametrize(
    "text, street",
    [
        ("улица Тхая, 5", "Тиха"),  # short typo after a type word
        ("Маріюпольська 21 машини на газоні", "Маріупольська"),  # typo before a house number
    ],
)
def test_typos_with_a_type_word_or_a_house(text: str, street: str) -> None:
    assert g(text).street == street


# --- microdistricts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["на Болгарці не вивозять сміття", "в Болгарке опять собаки", "мкр Болгарка — темно", "в районі Болгарки звалище"],
)
def test_microdistrict(text: str) -> None:
    m = g(text)
    assert (m.level, m.district) == ("district", "Болгарка")
    assert m.uncertainty_m == pytest.approx(math.hypot(450 / 2, 1800 / 2), rel=0.02)  # its corners


def test_gender_tells_microdistrict_from_street() -> None:
    assert (g("на Молодіжному темно").level, g("на Молодіжному темно").district) == ("district", "Молодіжний")
    assert g("в Молодежном собаки").district == "Молодіжний"
    assert g("на Молодіжній темно").street == "Молодіжна"


# --- traps: dates, ordinary words, the city's own name ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1 травня пройшов суботник",
        "8 березня привітали жінок",
        "на 1 травня всі поїхали на шашлики",
        "к 8 марта обещали починить фонари",
        "з 8-го березня не працює ліхтар",
        "Вкрали болгарку з гаража",
        "Сусід різав болгаркою до ночі",
        "Щаслива родина гуляла ввечері",
        "закінчили на щасливій ноті",  # adjective of the next noun
        "з тихою радістю прибрали двір",  # "з" + instrumental: still an adjective
        "гуляли по центральній алеї",  # a type word as the noun: another place
        "Московська пропаганда не пройде",
        "у Вознесенську темно",  # the city, not Вознесенська вулиця
        "в Вознесенске опять мусор",
        "До Дня Соборності прибрали сквер",  # a holiday, not вулиця Соборності
        "Дякуємо Іллі Урману за допомогу",  # a person (inflected), not the street
        "Сміття не вивозять вже два тижні",
        "Учора о 22:30 знову кричали під вікнами",
        "",
    ],
)
def test_no_place(text: str) -> None:
    m = g(text)
    assert (m.level, m.lat, m.score, m.span) == ("none", None, 0.0, None)


@pytest.mark.parametrize(
    "text, street, house",
    [
        ("вул. 1-го Травня 12 — сміття", "Херсонська", "12"),
        ("на вулиці 1 Травня розбиті ліхтарі", "Херсонська", None),
        ("на вулиці Першого Травня сміття", "Херсонська", None),
        ("на 8 Березня 6 стоять машини", "Кобзарська", "6"),
        ("ул. 8 Марта 10 — граффити", "Кобзарська", "10"),
        ("вул. Вознесенська", "Вознесенська", None),
        ("на Вознесенській знов звалка", "Вознесенська", None),  # the street's own case form
        ("вознесенская 12", "Вознесенська", "12"),
        ("на Іллі Урмана темно", "Іллі Урмана", None),
    ],
)
def test_date_names_with_a_street_word_or_house(text: str, street: str, house: str | None) -> None:
    m = g(text)
    assert (m.street, m.house) == (street, house)


# --- shared location, API -------------------------------------------------------------------


def test_shared_location_wins() -> None:
    m = g("тут сміття, на Маріупольській", location=(47.5665, 31.318))
    assert (m.lat, m.lon, m.level, m.score, m.uncertainty_m) == (47.5665, 31.318, "address", 1.0, 25.0)
    assert m.street == "Маріупольська"  # what the text says is still reported
    assert m.district == "Болгарка"


def test_match_dict_and_batch_api() -> None:
    d = g("Соборності 23/27").to_dict()
    assert list(d) == [
        "lat",
        "lon",
        "level",
        "score",
        "uncertainty_m",
        "street",
        "street2",
        "house",
        "landmark",
        "district",
        "span",
        "candidates",
    ]
    assert isinstance(d["span"], list)
    json.dumps(d)
    answers = geocode_many(["на Болгарці", "нічого"], gazetteer=MINI)
    assert [a.level for a in answers] == ["district", "none"]
    lines = list(geocode_lines(["Соборності 10\n", '{"text": "сміття", "location": [47.57, 31.33]}'], gazetteer=MINI))
    assert lines[0]["house"] == "10" and lines[0]["text"] == "Соборності 10"
    assert lines[1]["level"] == "address" and lines[1]["lat"] == 47.57


# --- the eval set on the demo gazetteer -------------------------------------------------------


def _bench():
    spec = importlib.util.spec_from_file_location("bench_geocode", ROOT / "bench" / "geocode.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_eval_set_meets_the_targets_on_the_demo_gazetteer() -> None:
    demo = ROOT / "geo" / "demo" / "gazetteer.json"
    require(demo.exists(), "geo/demo/gazetteer.json is missing")
    from geo.gazetteer import load_gazetteer

    bench = _bench()
    gaz = load_gazetteer(demo)
    rows = bench.load_eval()
    assert len(rows) >= 400 and sum(r["level"] == "none" for r in rows) >= 60
    answers = [geocode(r["text"], gazetteer=gaz) for r in rows]
    s = bench.score(rows, answers, bench.Truth(gaz))
    assert s.skipped <= len(rows) // 10
    assert s.street >= bench.TARGETS["street"]
    assert s.address50 >= bench.TARGETS["address50"] and s.address_n >= 100
    assert s.false_places <= bench.TARGETS["false_places"]
    assert s.above08 >= bench.TARGETS["above08"]
