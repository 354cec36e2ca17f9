"""Find the place in a resident's message and turn it into a point with an honest level.

Residents do not write addresses: they write "на Московській біля 5-ї школи", "угол
Пушкинской и Соборности", "Маріупольська 15а". The geocoder reads such text against the
gazetteer (docs/CONTRACTS.md) and answers with a `Match`: a point, the level of what was
understood (address > intersection > landmark > street > district > none), a score and an
uncertainty radius in metres, the names it understood and the character span of the place
in the original text (the redactor keeps that span and redacts names elsewhere).

How it reads (each step exists because residents write that way):
1. `geo.normalize`: case, apostrophes, Latin look-alikes, then per-word match keys
   (folded uk/ru spelling, lemmas, stems), so inflection, Russian spelling and KMU Latin
   meet the gazetteer aliases.
2. Exact lookup of 1-4 word spans in an alias index built once per gazetteer: every name,
   name:uk/ru/en, old_name, alt_name, official_name, short_name, a surname-only short form of
   person names ("Урмана"), swapped word order ("Олега Кошового") and a Russian guess.
   E-mails, links, handles and phone numbers are blanked first ("lysenko97@..." is no
   "Лисенка 97"). Homonyms are told apart by the written type ("провулку Тихого") and by
   grammatical gender ("на Молодіжному" is the microdistrict, "на Молодіжній" the street).
3. Context decides whether a span is a place: a street-type word, a house number, a place
   preposition ("на", "по", "возле"), an intersection word or a capital letter inside a
   sentence. Names that are ordinary words ("Щаслива родина", "вкрали болгарку") and dates
   that share an old street name ("1 травня пройшов суботник") need it; dates need a
   street-type word or a house number.
4. Typos: rapidfuzz on stems and whole folded words, only where a street name must stand
   (after a street-type word, a place preposition, an intersection word, or before a house
   number), and only when one street clearly wins.
5. Landmarks: kind words ("школа", "ЗОШ", "ринок", "автовокзал", "лікарня", "парк X") with
   a number or a name, brands alone ("біля АТБ"); institutions (police, council, hospital)
   need a relative word or a locative, because "поліція не реагує" and "звернулись в
   поліцію" are not places. A chain with several branches takes the branch on the named
   street, else the first one with a low score and the branches' spread as uncertainty.
6. Geometry in metres (EPSG:32636): exact address point, else interpolation along the
   street by house number and parity, intersection of two lines (or their nearest points),
   landmark point, street middle, microdistrict centroid.

A shared Telegram location is the sender's own point: it wins over the text (level
"address", score 1.0, 25 m); the names read from the text are still reported.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from pyproj import Transformer
from rapidfuzz import fuzz, process
from shapely import STRtree, line_locate_point
from shapely import points as points_array
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import linemerge, nearest_points

from geo.constants import METRIC_CRS, WGS84
from geo.normalize import (
    AMBIGUOUS_TYPES, CONNECTORS, CORPUS_WORDS, CROSS_WORDS, HOUSE_WORDS, NEAR_WORDS,
    NOT_HOUSE_UNITS, ORDINAL_SUFFIXES, ORDINALS, PLACE_PREPOSITIONS, STREET_TYPES,
    TYPES_AFTER_NAME, Token, analysers, fold, is_dictionary_word, latin_to_cyrillic,
    deaccent, normalize_text, stem, tokenize, word_keys,
)
from geo.projection import to_metres

# Uncertainty radii (metres) and level factors of the score; see `_score`.
# A claimed radius covers where the reported event happened, not only the named feature:
# "at house 15" is its yard or pavement, "near the market" a short walk, "on the corner"
# the blocks around it. Calibrated on the demo reports (an event named by its nearest house
# lies within 60 m of it, by a landmark or corner within 200 m); kept under the H3 res-9
# edge (~174 m) so that such reports still count in the police hot spot analysis.
EXACT_ADDRESS_M = 60.0
NEAR_HOUSE_M = 30.0  # added when the house is placed from a neighbouring number
FAR_HOUSE_M = 60.0  # added when the numbers around it are far apart or on one side only
STREET_OFFSET_M = 30.0  # an event "on X street" may lie off its centre line
SHARED_LOCATION_M = 25.0
LANDMARK_M = 170.0
INTERSECTION_M = 170.0
MAX_INTERSECTION_GAP_M = 150.0
STREET_DISTRICT_SHARE = 0.8
MAX_SPAN_GAP_TOKENS = 4  # a street farther from the landmark stays out of the kept span: the
# redactor keeps everything inside it, and a name written in between must not survive
AMBIGUOUS_GAP_M = 300.0  # two gazetteer streets the text fits equally, farther apart: no pick
PLACE_GAP_M = 800.0  # pieces of one named street farther apart are two places (a street cut
# by a river, a park or the railway resumes within a few hundred metres; a namesake in
# another part of town lies farther)
AMBIGUOUS_FACTOR = 0.5  # score weight of an answer around several far-apart candidates
AMBIGUOUS_BRANCH = 0.6  # score weight of "біля АТБ" when the town has several АТБ
MAX_BRANCH_TO_STREET_M = 300.0  # "АТБ на Соборності": a branch farther away is another АТБ
LEVEL_FACTOR = {"address": 0.97, "interpolated": 0.9, "intersection": 0.95, "landmark": 0.93,
                "street": 0.9, "district": 0.85}

ALIAS_WEIGHT = {"name": 1.0, "official_name": 1.0, "old_name": 0.97, "short": 0.95,
                "alt_name": 0.9, "generated": 0.95}
FUZZY_CUTOFF_TYPE = 80.0  # one slip in a five-letter stem ("Оедська") after "вулиця"
FUZZY_MARGIN = 5.0  # the best street must beat any other street by this much
FUZZY_CUTOFF_PREPOSITION = 88.0
FUZZY_MIN_LEN = 6
FUZZY_MIN_LEN_TYPED = 4  # "улица Тхая": after a street type even a short word is a name
MAX_ALIAS_WORDS = 4
INFLECT_MIN_LEN = 4  # shortest name word matched through an inflected form
INFLECT_STEM_CUT = 2  # letters a name word may change at its end ("katu" -> "kadu-lla")
INFLECT_MAX_ENDING = 6  # letters an inflected form may add ("-lla", "-ssa", "-n", "-ssä")
LANDMARK_ALIAS_WORDS = 3
PROPER_NAME_MIN_LEN = 6  # a capitalised name word of a language without a dictionary here
GENERIC_NAME_WORD = 3  # a word in this many landmark names is generic ("hotel", "kahvila")

_FILLER_WORDS = frozenset({"ім", "імені", "им", "имени", "im", "imeni"})
"""'Парк ім. Шевченка', 'вулиця імені ...': the honorific carries no place information."""

DISTRICT_WORDS = frozenset({"район", "районі", "району", "районе", "района", "р", "н", "мкр",
                            "мкрн", "мікрорайон", "мікрорайоні", "мікрорайону", "микрорайон",
                            "микрорайоне", "микрорайона", "мікр", "масив", "масиві"})
"""Words that announce a microdistrict ("мкр Болгарка", "в районі Болгарки")."""

GIVEN_NAMES = frozenset(stem(w) for w in (
    "марії зої льва олега іллі богдана геннадія андрія назарія лесі івана тараса михайла "
    "григорія василя ліни олени пилипа марка олександра миколи соломії петра володимира "
    "ярослава данила максима устима пантелеймона архипа остапа олеся бориса катерини степана "
    "павла олександри анни юрія сергія віктора дмитра романа"
).split())
"""Given names in the genitive: 'Іллі Урмана' is also written 'Урмана' (a short alias)."""

# Landmark kinds by the stems of the words residents use for them.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "school": ("школа школи школу школі школою школ шк зош сш нвк школы школе школой гімназія "
               "гімназії гімназію гимназия гимназии school",),
    "lyceum": ("ліцей ліцею ліцеї ліцеєм лицей лицея лицее лицеем lyceum",),
    "market": ("ринок ринку ринка ринке ринком рынок рынка рынке рынку рынком базар базару "
               "базарі базаре базара market bazar",),
    "bus_station": ("автостанція автостанції автостанцію автостанцією автостанция автостанции "
                    "автовокзал автовокзалу автовокзалі автовокзала автовокзале автовокзалом "
                    "avtostantsiia avtovokzal",),
    "railway_station": ("вокзал вокзалу вокзалі вокзала вокзале вокзалом vokzal",),
    "hospital": ("лікарня лікарні лікарню лікарнею больница больницы больнице больницу црл "
                 "црлк госпіталь госпіталі поліклініка поліклініки поліклініці поликлиника "
                 "поликлиники",),
    "townhall": ("міськрада міськради міськраді мерія мерії виконком виконкому горсовет "
                 "горсовета горсовете мэрия мэрии исполком исполкома ратуша",),
    "police": ("поліція поліції поліцію поліцією полиция полиции полицию райвідділ "
               "райвідділу райотдел райотдела відділок відділку",),
    "park": ("парк парку парке парка парком сквер скверу сквері сквере park",),
    "church": ("церква церкви церкві церковь церкви храм храму храмі храма собор собору "
               "соборі собора",),
    "stadium": ("стадіон стадіону стадіоні стадион стадиона стадионе",),
    "pharmacy": ("аптека аптеки аптеці аптеку аптекою аптеке аптекой apteka pharmacy",),
    "bar": ("бар бару барі бара баре паб пабу пабі паба пабе bar pub",),
    "cafe": ("кафе кав'ярня кав'ярні кав'ярню кофейня кофейни кофейне піцерія піцерії піцерію "
             "пиццерия пиццерии cafe",),
    "playground": ("майданчик майданчику майданчика майданчиком площадка площадки площадке "
                   "playground",),
    "shop": ("магазин магазину магазині магазина магазине магазином супермаркет супермаркету "
             "супермаркеті супермаркета shop",),
    "spring": ("джерело джерела джерелі родник родника роднике",),
}
KIND_BY_STEM: dict[str, str] = {}
for _kind, (_words,) in _KIND_WORDS.items():
    for _w in _words.split():
        KIND_BY_STEM.setdefault(stem(_w), _kind)
_TWO_WORD_KINDS = {tuple(stem(w) for w in pair.split()): kind for pair, kind in (
    ("міська рада", "townhall"), ("міської ради", "townhall"), ("городской совет", "townhall"),
    ("ж д", "railway_station"), ("жд вокзал", "railway_station"),
    ("залізничний вокзал", "railway_station"), ("залізнична станція", "railway_station"),
    ("железнодорожный вокзал", "railway_station"), ("автобусна станція", "bus_station"),
    ("сервісний центр", "office"), ("сервисный центр", "office"), ("відділ поліції", "police"),
)}
"""Two-word kind names; "вокзал" alone is the railway station, "автовокзал" the bus one."""
BRAND_KINDS = frozenset({"shop", "bar", "cafe"})
"""Kinds residents name by brand alone ("біля АТБ", "возле «Маяка»")."""
NUMBERED_KINDS = frozenset({"school", "lyceum", "pharmacy"})
"""Kinds residents name by number ("5-та школа", "аптека №3")."""
GENERIC_KINDS = frozenset({"school", "pharmacy", "shop", "bar", "cafe", "playground", "park",
                           "church"})
"""Kinds with many members: the kind word alone ("біля магазину") is no place."""
HOUSE_LETTERS = frozenset("абвгдеєжзик")
"""Letters of house numbers ("15а", "2б"); other glued letters make ordinals ("5-ї")."""
SCHOOL_KINDS = frozenset({"school", "lyceum", "gymnasium", "college"})
_SCHOOL_NAME_FILLERS = frozenset({"і", "іі", "ііі", "i", "ii", "iii", "ступенів", "ступеня", "ступеней",
                                  "загальноосвітня", "загальноосвітньої", "№", "-", ".", "no", "номер"})
"""Words between 'школа' and its number in official names: 'школа І-ІІІ ступенів № 5'."""
INSTITUTION_KINDS = frozenset({"police", "townhall", "hospital"})
"""Institutions are often the subject of a message ("поліція не приїхала"): a place only
after a relative word or a locative preposition ("з поліцією" is company, not a place)."""
_INSTITUTION_PREPOSITIONS = NEAR_WORDS | {"у", "в", "во", "на", "біля"}
_LOCATIVE_GAP = frozenset(stem(w) for w in (
    "території територія двір дворі подвір'ї районі районе відділу відділення "
    "будівлі здания входу входа"
).split())

HOLIDAY_WORDS = frozenset({"день", "дня", "дню", "днем", "днём", "свято", "свята", "святом", "святі",
                           "праздник", "праздника", "празднику"})
"""Before a street-like name they make a holiday: День Незалежності, День Перемоги."""
CITY_STEMS = frozenset({stem("вознесенськ"), stem("вознесенск"), stem("voznesensk")})
_CITY_ENDINGS = ("ськ", "ська", "ську", "ськом", "ськові", "ск", "ска", "ске", "ском", "ску", "sk", "ska")


def _city_form(word: str) -> bool:
    """A case form of the city's name ("у Вознесенську", "в Вознесенске"); the street's own
    forms ("на Вознесенській", "вознесенская 123") differ, except the nominative, which then
    needs a type word or a house number."""
    return word.endswith(_CITY_ENDINGS) and bool(word_keys(word) & CITY_STEMS)


# --- answer ---------------------------------------------------------------------------

@dataclass
class Match:
    """The geocoder's answer (docs/CONTRACTS.md); level "none" means no place was found."""

    lat: float | None = None
    lon: float | None = None
    level: str = "none"
    score: float = 0.0
    uncertainty_m: float | None = None
    street: str | None = None
    street2: str | None = None
    house: str | None = None
    landmark: dict[str, Any] | None = None
    district: str | None = None
    span: tuple[int, int] | None = None
    candidates: list[dict[str, Any]] | None = None
    """When the text fits places far apart (two streets of one name, chain branches), each
    of them ({"street"/"landmark", "lat", "lon", "uncertainty_m"}); the answer is then at a
    coarser level around all of them, never a confident pick of one."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (span as a list)."""
        out = asdict(self)
        out["span"] = list(self.span) if self.span is not None else None
        return out


# --- index --------------------------------------------------------------------------

@dataclass
class _Street:
    """One gazetteer street in metres, with its address points."""

    id: str
    name: str
    type: str  # "вулиця", "провулок", ...: "провулок Тихий" is not "Тиха вулиця"
    geom: LineString | MultiLineString
    main: LineString  # the longest merged line: middle point and house interpolation
    exact: dict[str, tuple[float, float]] = field(default_factory=dict)
    by_parity: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # (n, s on main)


@dataclass(frozen=True)
class _Alias:
    """One way to write a place, as a sequence of word-key sets."""

    target: str  # "street" | "district" | "park"
    idx: int
    kind: str  # ALIAS_WEIGHT key
    n_words: int  # non-number words
    date_like: bool  # starts with a number: "1-го Травня", "8 Марта"
    adjective: bool
    stems: str  # space-joined surface stems, for fuzzy matching


@dataclass
class _Landmark:
    kind: str
    name: str
    number: str | None
    x: float
    y: float
    name_keys: frozenset[str]
    distinct: frozenset[str] = frozenset()  # name keys that tell it from others of its kind


@dataclass
class _District:
    name: str
    polygon: Polygon  # WGS84, for point-in-polygon
    metric: Polygon  # metres, for the share of a street inside it
    x: float
    y: float
    radius: float


@dataclass
class _Index:
    streets: list[_Street]
    districts: list[_District]
    landmarks: list[_Landmark]
    aliases: dict[tuple[str, ...], list[_Alias]]
    fuzzy_choices: list[str]
    fuzzy_aliases: list[_Alias]
    district_tree: STRtree | None
    brands: dict[str, list[_Landmark]]  # distinctive name key -> shops, bars, cafes
    surfaces: frozenset[str]  # multi-word street names as written, folded
    street_districts: dict[int, str | None] = field(default_factory=dict)  # filled lazily
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # see _inflected
    inflected: dict[str, frozenset[str]] = field(default_factory=dict)  # memo of _inflected
    landmark_aliases: dict[tuple[str, ...], list[_Landmark]] = field(default_factory=dict)
    typed_words: frozenset[str] = frozenset()  # alias words that carry a learned type


def _field(gazetteer: Any, name: str) -> list:
    """Gazetteer object (geo.gazetteer.Gazetteer) or the plain JSON dict."""
    if isinstance(gazetteer, Mapping):
        return list(gazetteer.get(name) or [])
    return list(getattr(gazetteer, name, None) or [])


def _get(obj: Any, key: str) -> Any:
    """A field of a JSON dict or of a geo.gazetteer dataclass."""
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


def _core_words(text: str) -> list[str]:
    """Words of a name without type words, honorifics, ordinal suffixes and punctuation."""
    tokens = tokenize(normalize_text(text))
    words = [tok.text for i, tok in enumerate(tokens)
             if (tok.is_word or tok.is_number) and tok.text not in _FILLER_WORDS
             and not _is_ordinal_suffix(tokens, i)]
    out = [w for w in words if w not in STREET_TYPES]
    if not out:  # "Набережна вулиця": the name itself is a type word
        out = [w for w in words if STREET_TYPES[w] not in _LOOSE_TYPES] or words
    return out


def name_key(name: str) -> str:
    """Comparable form of a place name: 'провулок Глінки', 'Глінки' and 'пров. Глінки' all
    give 'глінки' (used by the eval bench and tests to compare names, not spellings)."""
    return " ".join(_core_words(name))


def _is_ordinal_suffix(tokens: list[Token], i: int) -> bool:
    """'го' in '1-го', 'ї' in '5-ї', 'й' in '5й': a suffix glued to a number."""
    tok = tokens[i]
    if tok.text not in ORDINAL_SUFFIXES or i == 0:
        return False
    prev = tokens[i - 1]
    if prev.is_number and prev.end == tok.start:
        return True
    return prev.text == "-" and i >= 2 and tokens[i - 2].is_number


def _key_tuples(words: list[str]) -> Iterator[tuple[str, ...]]:
    return itertools.product(*(sorted(word_keys(w)) for w in words))


@lru_cache(maxsize=8192)
def _is_adjective(word: str) -> bool:
    uk, ru = analysers()
    return any("ADJF" in p.tag.grammemes for p in uk.parse(word)) or (
        ru.word_is_known(word) and any("ADJF" in p.tag.grammemes for p in ru.parse(word)))


def _add_alias(index: dict[tuple[str, ...], list[_Alias]], words: list[str], target: str,
               idx: int, kind: str, seen: set) -> _Alias | None:
    if not words or len(words) > MAX_ALIAS_WORDS:
        return None
    n_words = sum(1 for w in words if not w.isdigit())
    if n_words == 0:
        return None
    single = len(words) == 1
    alias = _Alias(
        target=target, idx=idx, kind=kind, n_words=n_words, date_like=words[0].isdigit(),
        adjective=single and _is_adjective(words[0]),
        stems=" ".join(stem(w) for w in words),
    )
    for key in _key_tuples(words):
        marker = (key, target, idx)
        if marker in seen:
            continue
        seen.add(marker)
        index.setdefault(key, []).append(alias)
    return alias


def _name_variants(names: Mapping[str, str], name: str) -> Iterator[tuple[str, str]]:
    """(alias kind, text) for every distinct name tag of a feature, current names first."""
    seen: set[str] = set()
    tagged = [("name", name)]
    for key, value in sorted(names.items()):
        base = key.split(":")[0]
        if base in ("name", "official_name"):
            tagged.append(("name", value))
        elif base in ("old_name", "alt_name", "short_name"):
            tagged.append(("short" if base == "short_name" else base, value))
    for kind, value in tagged:
        for part in value.split(";"):
            part = part.strip()
            if part and part not in seen:
                seen.add(part)
                yield kind, part


def _folded(words: list[str]) -> str:
    """Whole words in the shared uk/ru alphabet: typos in short stems ("Вишенвая" for
    "Вишнева") are clearer against the full word than against the stem."""
    return " ".join(fold(latin_to_cyrillic(w) if w.isascii() else w) for w in words)


def _ru_guess(words: list[str]) -> list[str]:
    """Russian spelling of a Ukrainian adjective root where folding cannot meet it:
    Ukrainian і often stands for Russian о/е ("Харківська" / "Харьковская")."""
    return [w.replace("ів", "ов").replace("їв", "ев") if not w.isdigit() else w for w in words]


def _project_lines(lines: list) -> list[LineString]:
    out = []
    for line in lines:
        if len(line) < 2:
            continue
        lon = [p[0] for p in line]
        lat = [p[1] for p in line]
        x, y = to_metres(lat, lon)
        out.append(LineString(list(zip(x.tolist(), y.tolist()))))
    return out


def _house_key(house: str) -> str:
    """Canonical house number: '15 А' -> '15а', '40, корп. 1' -> '40к1', '23 / 27' -> '23/27'."""
    if house.isdigit():
        return house
    tokens = [t.text for t in tokenize(normalize_text(house)) if t.text not in {",", ".", "-"}]
    out = []
    for t in tokens:
        out.append("к" if t in CORPUS_WORDS else t)
    return "".join(out)


def _leading_number(house: str) -> int | None:
    digits = ""
    for ch in house:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else None


def build_index(gazetteer: Any) -> _Index:
    """Alias index and metric geometry of one gazetteer (built once, cached by identity)."""
    aliases: dict[tuple[str, ...], list[_Alias]] = {}
    seen: set = set()
    fuzzy: dict[str, _Alias] = {}
    streets: list[_Street] = []
    by_id: dict[str, int] = {}
    pieces: dict[int, list[int]] = {}  # first index of a gazetteer street -> its places
    for raw in _field(gazetteer, "streets"):
        lines = _project_lines(_get(raw, "lines") or [])
        if not lines:
            continue
        merged = linemerge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
        parts = list(merged.geoms) if isinstance(merged, MultiLineString) else [merged]
        first = len(streets)
        for group in _places(parts):  # one name in two parts of town: two places
            main = max(group, key=lambda g: g.length)
            geom = MultiLineString(group) if len(group) > 1 else main
            streets.append(_Street(id=_get(raw, "id"), name=_get(raw, "name") or "",
                                   type=_get(raw, "type") or "вулиця", geom=geom, main=main))
        by_id[_get(raw, "id")] = first
        pieces[first] = list(range(first, len(streets)))
        for idx, (kind, text) in ((i, v) for i in pieces[first]
                                  for v in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or "")):
            words = _core_words(text)
            variants = [(kind, words)]
            if kind == "name":
                variants.append(("generated", _ru_guess(words)))
            if len(words) == 2 and not any(w.isdigit() for w in words):
                given = [stem(w) in GIVEN_NAMES for w in words]
                if any(given) and not all(given):
                    variants.append(("short", [words[given.index(False)]]))
                    variants.append(("short", words[::-1]))
            for vkind, vwords in variants:
                alias = _add_alias(aliases, vwords, "street", idx, vkind, seen)
                if alias is not None and not alias.date_like:
                    fuzzy.setdefault(alias.stems, alias)
                    fuzzy.setdefault(_folded(vwords), alias)
    # 14,000 addresses: one projection call, plain tuples, no per-item type checks
    rows = [(a["street_id"], a["house"], a["lat"], a["lon"]) if isinstance(a, dict)
            else (a.street_id, a.house, a.lat, a.lon) for a in _field(gazetteer, "addresses")]
    rows = [r for r in rows if r[0] in by_id]
    if rows:
        xs, ys = to_metres([r[2] for r in rows], [r[3] for r in rows])
        for (street_id, house, _lat, _lon), x, y in zip(rows, xs.tolist(), ys.tolist()):
            options = pieces[by_id[street_id]]
            st = streets[options[0]] if len(options) == 1 else min(
                (streets[i] for i in options), key=lambda o: o.geom.distance(Point(x, y)))
            key = _house_key(str(house))
            st.exact[key] = (x, y)
            if key.isdigit():
                st.by_parity.setdefault(int(key) % 2, []).append((int(key), x, y))
    for st in streets:
        for parity, points in st.by_parity.items():
            s_along = line_locate_point(st.main, points_array([(x, y) for _n, x, y in points]))
            st.by_parity[parity] = sorted(zip((n for n, _x, _y in points), s_along.tolist()))

    landmarks: list[_Landmark] = []
    for raw in _field(gazetteer, "landmarks"):
        x, y = (float(v) for v in to_metres(_get(raw, "lat"), _get(raw, "lon")))
        keys: set[str] = set()
        for _kind, text in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or ""):
            for w in _core_words(text):
                keys |= word_keys(w)
        number = _get(raw, "number")
        landmarks.append(_Landmark(kind=_get(raw, "kind") or "", name=_get(raw, "name") or "",
                                   number=str(number) if number not in (None, "") else None,
                                   x=x, y=y, name_keys=frozenset(keys)))
    for raw in _field(gazetteer, "parks"):
        ring = _get(raw, "polygon") or []
        if not _get(raw, "name") or len(ring) < 3:
            continue
        if any(lm.kind == "park" and lm.name == _get(raw, "name") for lm in landmarks):
            continue
        poly = Polygon(ring)
        x, y = (float(v) for v in to_metres(poly.centroid.y, poly.centroid.x))
        keys = set()
        for w in _core_words(_get(raw, "name")):
            keys |= word_keys(w)
        landmarks.append(_Landmark("park", _get(raw, "name"), None, x, y, frozenset(keys)))

    _distinct_keys(landmarks)

    districts: list[_District] = []
    for raw in _field(gazetteer, "districts"):
        ring = _get(raw, "polygon") or []
        if len(ring) < 3:
            continue
        poly = Polygon(ring)
        lon = [p[0] for p in ring]
        lat = [p[1] for p in ring]
        xs, ys = to_metres(lat, lon)
        metric = Polygon(list(zip(xs.tolist(), ys.tolist())))
        centre = metric.representative_point() if not metric.contains(metric.centroid) else metric.centroid
        idx = len(districts)
        districts.append(_District(name=_get(raw, "name") or "", polygon=poly, metric=metric, x=centre.x,
                                   y=centre.y, radius=_circumradius(metric, centre)))
        for kind, text in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or ""):
            _add_alias(aliases, _core_words(text), "district", idx, kind, seen)
    tree = STRtree([d.polygon for d in districts]) if districts else None
    choices = list(fuzzy)
    brands: dict[str, list[_Landmark]] = {}
    for lm in landmarks:
        if lm.kind in BRAND_KINDS:
            for key in lm.distinct:
                brands.setdefault(key, []).append(lm)
    index = _Index(streets=streets, districts=districts, landmarks=landmarks, aliases=aliases,
                   fuzzy_choices=choices, fuzzy_aliases=[fuzzy[c] for c in choices],
                   district_tree=tree, brands=brands,
                   surfaces=frozenset(c for c in choices if " " in c))
    index.landmark_aliases = _landmark_aliases(gazetteer, landmarks, aliases)
    index.prefixes = _prefix_table(gazetteer)
    index.typed_words = _typed_words(gazetteer)
    return index


def _places(parts: list[LineString]) -> list[list[LineString]]:
    """Pieces of one named street grouped by place: pieces within PLACE_GAP_M of each
    other are one street; a piece farther away is another street of the same name."""
    groups: list[list[LineString]] = []
    for part in sorted(parts, key=lambda g: -g.length):
        near = [g for g in groups if any(part.distance(o) <= PLACE_GAP_M for o in g)]
        for g in near[1:]:
            near[0].extend(g)
            groups.remove(g)
        if near:
            near[0].append(part)
        else:
            groups.append([part])
    return groups


def _surface_words(gazetteer: Any) -> set[str]:
    """Every core word of every street, district and landmark name, as written."""
    out: set[str] = set()
    for part in ("streets", "districts", "landmarks"):
        for raw in _field(gazetteer, part):
            for _kind, text in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or ""):
                out.update(_core_words(text))
    return out


def _script_inflects(word: str) -> bool:
    """Words no dictionary here lemmatises: letters, none of them Cyrillic."""
    return word.isalpha() and not any("\u0400" <= ch <= "\u04ff" for ch in word)


def _prefix_table(gazetteer: Any) -> dict[str, tuple[str, ...]]:
    """Prefix -> name words it may start, for names in languages without a dictionary here
    (see _inflected). Every prefix a name word keeps when inflected is listed."""
    table: dict[str, list[str]] = {}
    for word in _surface_words(gazetteer):
        if not _script_inflects(word) or len(word) < INFLECT_MIN_LEN:
            continue
        for form in {word, deaccent(word)}:
            for k in range(max(INFLECT_MIN_LEN, len(form) - INFLECT_STEM_CUT), len(form) + 1):
                table.setdefault(form[:k], []).append(word)
    return {k: tuple(sorted(set(v))) for k, v in table.items()}


def _inflected(index: _Index, word: str) -> frozenset[str]:
    """Match keys of the name words this text word may be an inflected form of, for
    languages no dictionary here knows: Finnish "Aleksanterinkadulla" (adessive, with
    consonant gradation t -> d) or "Kiasman" (genitive) share all but the last
    INFLECT_STEM_CUT letters of the name word and add at most INFLECT_MAX_ENDING letters."""
    hit = index.inflected.get(word)
    if hit is not None:
        return hit
    keys: set[str] = set()
    if _script_inflects(word) and index.prefixes:
        for form in {word, deaccent(word)}:
            for k in range(len(form), INFLECT_MIN_LEN - 1, -1):
                if len(form) - k > INFLECT_MAX_ENDING:
                    break
                for name_word in index.prefixes.get(form[:k], ()):
                    keys |= word_keys(name_word)
    out = frozenset(keys)
    if len(index.inflected) < 65536:
        index.inflected[word] = out
    return out


def _text_keys(index: _Index, word: str) -> frozenset[str]:
    """word_keys plus the keys of the name words it inflects (see _inflected)."""
    extra = _inflected(index, word)
    return word_keys(word) | extra if extra else word_keys(word)


def _typed_words(gazetteer: Any) -> frozenset[str]:
    """Keys of name words that carry one of the extract's learned street types ("Postikatu",
    "katu" in "Alvar Aallon katu"): such a word names a street by itself."""
    meta = gazetteer.get("meta") if isinstance(gazetteer, Mapping) else getattr(gazetteer, "meta", None)
    learned = (meta or {}).get("street_types") or {}
    glued = tuple(learned.get("glued") or ())
    separate = frozenset(learned.get("separate") or ())
    keys: set[str] = set()
    for raw in _field(gazetteer, "streets"):
        for _kind, text in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or ""):
            for word in _core_words(text):
                if word in separate or any(word.endswith(g) and len(word) - len(g) >= 3 for g in glued):
                    keys |= word_keys(word)
    return frozenset(keys)


def _landmark_aliases(gazetteer: Any, landmarks: list[_Landmark],
                      street_aliases: Mapping[tuple[str, ...], Any]) -> dict[tuple[str, ...], list[_Landmark]]:
    """Landmarks by their own names, to find them named anywhere without a kind word
    ("Kiasman edessä", "near the Old Market Hall", "возле музея Атенеум"). Only names that
    point to one place (or the branches of one chain) and are no street name or ordinary
    word; a word in many landmark names ("hotel", "ravintola") names none of them alone."""
    raw_list = _field(gazetteer, "landmarks")
    by_key: dict[tuple[str, ...], list[_Landmark]] = {}
    word_names: dict[str, set[str]] = {}
    for raw, lm in zip(raw_list, landmarks):
        for _kind, text in _name_variants(_get(raw, "names") or {}, _get(raw, "name") or ""):
            words = _core_words(text)
            if not words or len(words) > LANDMARK_ALIAS_WORDS:
                continue
            for w in words:
                word_names.setdefault(w, set()).add(lm.name)
            if len(words) == 1 and (len(words[0]) < 4 or words[0].isdigit()):
                continue
            for key in _key_tuples(words):
                bucket = by_key.setdefault(key, [])
                if lm not in bucket:
                    bucket.append(lm)
    out: dict[tuple[str, ...], list[_Landmark]] = {}
    for key, options in by_key.items():
        if key in street_aliases or len({lm.name for lm in options}) > 1:
            continue
        out[key] = options
    generic = {w for w, names in word_names.items() if len(names) >= GENERIC_NAME_WORD}
    generic_keys = {k for w in generic for k in word_keys(w)}
    return {key: v for key, v in out.items()
            if not (len(key) == 1 and key[0] in generic_keys)}


def _circumradius(polygon: Polygon, centre: Point) -> float:
    """Distance from the answer point to the farthest corner of the district: all of the
    district lies within it (an equal-area circle leaves its corners out)."""
    return max(math.hypot(x - centre.x, y - centre.y) for x, y in polygon.exterior.coords)


def _distinct_keys(landmarks: list[_Landmark]) -> None:
    """Name keys minus kind words and words most landmarks of the kind share ("магазин",
    "дитячий майданчик", "вознесенська загальноосвітня школа")."""
    kinds: dict[str, list[_Landmark]] = {}
    for lm in landmarks:
        kinds.setdefault(lm.kind, []).append(lm)
    for pool in kinds.values():
        names = {lm.name: lm.name_keys for lm in pool}  # branches of one chain count once
        counts: dict[str, int] = {}
        for keys in names.values():
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        common = {k for k, n in counts.items() if len(names) >= 3 and n > len(names) / 2}
        for lm in pool:
            lm.distinct = frozenset(k for k in lm.name_keys if k not in common and k not in KIND_BY_STEM)


_INDEX_CACHE: dict[int, tuple[Any, _Index]] = {}


def get_index(gazetteer: Any) -> _Index:
    """The index of this gazetteer object, built on first use (the object is kept alive
    in the cache, so its id cannot be reused by another object)."""
    hit = _INDEX_CACHE.get(id(gazetteer))
    if hit is not None and hit[0] is gazetteer:
        return hit[1]
    index = build_index(gazetteer)
    _INDEX_CACHE[id(gazetteer)] = (gazetteer, index)
    return index


def _default_gazetteer() -> Any:
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


# --- reading the text -------------------------------------------------------------------

@dataclass
class _Candidate:
    """A matched name span: tokens [first, last] of the token list."""

    alias: _Alias
    first: int
    last: int
    fuzzy: float = 1.0
    support: float = 0.0  # 0 = none; see _support
    type_tok: int | None = None
    house: str | None = None
    house_span: tuple[int, int] | None = None  # token indices
    veto: bool = False  # a rule said "not a place" (city, holiday, person, adjective...)
    alternatives: tuple[int, ...] = ()  # other streets the same words fit as well


@dataclass
class _Text:
    original: str
    tokens: list[Token]
    words: list[int]  # indices of word/number tokens that carry meaning

    def word(self, i: int) -> str:
        return self.tokens[i].text


_NOT_PLACES = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"            # e-mail: "andrii.lysenko45@i.ua"
    r"|(?:https?://|www\.)\S+"                   # links
    r"|@\w+|#\w+"                                # handles and hashtags
    r"|\+?\d[\d ()-]{7,}\d"                      # phone numbers
)
"""Contacts carry surnames and digits ("lysenko97@meta.ua" is no "Лисенка 97"): blanked
before reading (same length, so spans still point into the original text)."""


def _prepare(text: str) -> _Text:
    normalised = _NOT_PLACES.sub(lambda m: " " * len(m.group(0)), normalize_text(text))
    tokens = tokenize(normalised)
    for i, tok in enumerate(tokens[:-2]):
        # "в. Кленова": "в." is short for вулиця when a dot is glued to it
        if tok.text == "в" and tokens[i + 1].text == "." and tokens[i + 1].start == tok.end \
                and tokens[i + 2].is_word:
            tokens[i] = Token("вул", tok.start, tok.end)
    words = [i for i, t in enumerate(tokens)
             if (t.is_word or t.is_number) and not _is_ordinal_suffix(tokens, i)
             and t.text not in _FILLER_WORDS]
    return _Text(text, tokens, words)


def _prev_token(t: _Text, i: int, skip: frozenset[str] = frozenset({".", ","})) -> int | None:
    j = i - 1
    while j >= 0 and t.tokens[j].text in skip:
        j -= 1
    return j if j >= 0 else None


def _next_token(t: _Text, i: int, skip: frozenset[str] = frozenset({"."})) -> int | None:
    j = i + 1
    while j < len(t.tokens) and t.tokens[j].text in skip:
        j += 1
    return j if j < len(t.tokens) else None


def _contiguous(t: _Text, a: int, b: int) -> bool:
    """Tokens a < b belong to one name: nothing but a hyphen or ordinal suffix between."""
    for j in range(a + 1, b):
        tok = t.tokens[j]
        if tok.text == "-" or _is_ordinal_suffix(t.tokens, j) or tok.text in _FILLER_WORDS:
            continue
        if tok.text == "." and j > 0 and t.tokens[j - 1].text in _FILLER_WORDS:
            continue
        return False
    return True


def _find_names(t: _Text, index: _Index) -> list[_Candidate]:
    """Longest exact alias spans (up to MAX_ALIAS_WORDS), left to right, without overlaps."""
    found: list[_Candidate] = []
    words = t.words
    keys = [sorted(_text_keys(index, t.word(i))) for i in words]
    joined = [_contiguous(t, words[k], words[k + 1]) for k in range(len(words) - 1)]
    pos = 0
    while pos < len(words):
        best: _Candidate | None = None
        longest = 1
        while longest < MAX_ALIAS_WORDS and pos + longest < len(words) and joined[pos + longest - 1]:
            longest += 1
        for n in range(longest, 0, -1):
            hits: list[_Alias] = []
            for key in itertools.product(*keys[pos:pos + n]):
                hits.extend(index.aliases.get(key, ()))
            if hits:
                best = _pick_alias(t, index, hits, words[pos], words[pos + n - 1])
                pos += n
                break
        if best is None:
            pos += 1
        else:
            found.append(best)
    return found


_GENDER_ENDINGS = sorted(
    [(e, "m") for e in ("ий", "ого", "ому", "ім", "ый", "ым", "ом", "ой")]
    + [(e, "f") for e in ("а", "ої", "ій", "у", "ою", "ая", "ую", "ей", "ой")],
    key=lambda pair: -len(pair[0]))


def _gender_fit(word: str, alias_word_gender: str | None) -> float:
    """Surface gender agreement: "на Молодіжному" is the microdistrict, "на Молодіжній"
    the street, though both lemmatise to "молодіжний". The longest ending decides; "-ой"
    is both (ru masculine nominative and feminine oblique) and stays neutral."""
    if alias_word_gender is None:
        return 0.0
    genders = set()
    for ending, gender in _GENDER_ENDINGS:
        if word.endswith(ending):
            if genders and len(ending) < best:
                break
            genders.add(gender)
            best = len(ending)
    if len(genders) != 1:
        return 0.0
    return 1.0 if alias_word_gender in genders else -1.0


_MASCULINE_TYPES = frozenset({"провулок", "проспект", "бульвар", "узвіз", "проїзд", "тупик",
                              "мікрорайон"})


_KNOWN_KINDS = frozenset(STREET_TYPES.values())
"""Types a written type word can be compared with; a type learned from another language's
names ("katu") cannot be told from "улица" written by a Russian speaker."""
_LOOSE_TYPES = frozenset({"вулиця", "провулок"})
"""Residents mix these two up ("вул. Глінки" for провулок Глінки); other types name other places."""


def _said_type(t: _Text, first: int, last: int) -> str | None:
    """The street type written next to a name span, if any ("пров. Тихий", "Тиха вулиця")."""
    for j in (_prev_token(t, first, frozenset({"."})), _next_token(t, last)):
        if j is not None and t.word(j) in STREET_TYPES and t.word(j) not in AMBIGUOUS_TYPES:
            return STREET_TYPES[t.word(j)]
    return None


def _pick_alias(t: _Text, index: _Index, hits: list[_Alias], first: int, last: int) -> _Candidate:
    """Among places sharing the keys, prefer the written street type ("провулку Тихого" is
    the lane, not Тиха вулиця), then grammatical gender ("на Молодіжному" is the
    microdistrict, "на Молодіжній" the street), then current names over old ones."""
    word = t.word(last)
    said = _said_type(t, first, last)
    several = len({(h.target, h.idx) for h in hits}) > 1

    def rank(a: _Alias) -> tuple[float, float, float]:
        if not several:
            return 0.0, 0.0, ALIAS_WEIGHT[a.kind]
        kind = "мікрорайон" if a.target == "district" else index.streets[a.idx].type
        type_fit = 0.0 if said is None or kind not in _KNOWN_KINDS else 1.0 if said == kind else -1.0
        gender = "m" if kind in _MASCULINE_TYPES else "f"
        gender_fit = _gender_fit(word, gender) if a.adjective or a.target == "district" else 0.0
        return type_fit, gender_fit, ALIAS_WEIGHT[a.kind]

    best = max(hits, key=rank)
    top = rank(best)
    others = tuple(sorted({a.idx for a in hits if a.target == "street" and a.idx != best.idx
                           and rank(a)[:2] == top[:2]})) if best.target == "street" else ()
    return _Candidate(alias=best, first=first, last=last, alternatives=others)


def _is_capitalised_inside(t: _Text, i: int) -> bool:
    """Capital letter not at a sentence start: a proper name in the resident's own text."""
    tok = t.tokens[i]
    if not t.original[tok.start].isupper():
        return False
    j = tok.start - 1
    while j >= 0 and t.original[j] in " \t\"«(":
        j -= 1
    return j >= 0 and t.original[j] not in ".!?\n"


def _parse_house(t: _Text, i: int) -> tuple[str, tuple[int, int]] | None:
    """House number starting at token i: '15', '15а', '15-а', '15 А', '23/27', '23 / 27',
    '15 корп. 2', '40, корп. 1'. None for dates, times, quantities and years."""
    toks = t.tokens
    if i >= len(toks) or not toks[i].is_number:
        return None
    number = toks[i].text
    if not 0 < int(number) < 1000 or len(number) > 3:
        return None
    end = i
    nxt = i + 1
    if nxt < len(toks) and toks[nxt].text == ":" and nxt + 1 < len(toks) and toks[nxt + 1].is_number:
        return None  # a time, 22:30
    if nxt < len(toks) and toks[nxt].text == "." and nxt + 1 < len(toks) and toks[nxt + 1].is_number \
            and toks[nxt].start == toks[i].end:
        return None  # a date or a time, 15.05 / 22.30
    # what follows, past a glued or hyphenated suffix: "5-ї школи" is an ordinal, "15 травня" a
    # date, "5 днів" a quantity; "15а" and "15-а" are houses
    j = nxt
    suffix = None
    k = j
    if k < len(toks) and toks[k].text == "-" and k + 1 < len(toks) and toks[k + 1].is_word \
            and toks[k + 1].start == toks[k].end and toks[k + 1].text in ORDINAL_SUFFIXES | HOUSE_LETTERS:
        k += 1
    if k < len(toks) and toks[k].is_word and (k > j or toks[k].start == toks[i].end) \
            and toks[k].text in ORDINAL_SUFFIXES:
        suffix = toks[k].text
        k += 1
    if suffix is not None and suffix not in HOUSE_LETTERS:
        return None  # "5-ї", "1-го": an ordinal
    if k < len(toks) and toks[k].is_word:
        after = stem(toks[k].text)
        if after in NOT_HOUSE_UNITS or KIND_BY_STEM.get(after) in SCHOOL_KINDS:
            return None  # "15 травня", "5 днів", "5 школи"
    house = number
    # letter: glued ("15а"), hyphenated ("15-а"), or spaced at the end of a clause ("15 А")
    if j < len(toks) and toks[j].is_word and len(toks[j].text) == 1 and toks[j].text.isalpha():
        glued = toks[j].start == toks[i].end
        after = toks[j + 1].text if j + 1 < len(toks) else ""
        if glued or after in ("", ",", ".", "-", "!", "?", ";", "(", ")"):
            house += toks[j].text
            end = j
    elif j + 1 < len(toks) and toks[j].text == "-" and toks[j + 1].is_word and len(toks[j + 1].text) == 1:
        house += toks[j + 1].text
        end = j + 1
    # fraction
    k = end + 1
    if k + 1 < len(toks) and toks[k].text == "/" and toks[k + 1].is_number:
        house += "/" + toks[k + 1].text
        end = k + 1
    # building part
    k = end + 1
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k < len(toks) and toks[k].text in CORPUS_WORDS:
        m = k + 1
        if m < len(toks) and toks[m].text == ".":
            m += 1
        if m < len(toks) and toks[m].is_number:
            house += "к" + toks[m].text
            end = m
    return house, (i, end)


def _house_after(t: _Text, last: int) -> tuple[str, tuple[int, int]] | None:
    """House number after a street name: 'Соборності 23/27', 'вул. X, буд. 15',
    'на X возле дома 14', 'Соборності вул., 8', 'на X між 10 і 12'."""
    j = last + 1
    marker = False
    relative = False
    toks = t.tokens
    while j < len(toks):
        word = toks[j].text
        if word in {",", ".", "-"}:
            j += 1
        elif word in STREET_TYPES:
            j += 1
        elif word in HOUSE_WORDS or stem(word) == "будинк":
            marker = True
            j += 1
        elif word in NEAR_WORDS or word in {"у", "в", "між", "между"}:
            if relative:
                return None
            relative = True
            j += 1
        else:
            break
    if j >= len(toks) or not toks[j].is_number:
        return None
    if relative and not marker and toks[j - 1].text not in {"між", "между"}:
        return None
    return _parse_house(t, j)


def _house_before(t: _Text, first: int) -> tuple[str, tuple[int, int]] | None:
    """'буд. 9 по вул. X', 'возле дома 7 по Московской', 'біля будинку №10 на Травневій'."""
    toks = t.tokens
    j = first - 1
    steps = 0
    while j >= 0 and steps < 4 and (toks[j].text in STREET_TYPES or toks[j].text in {".", ",", "по",
                                                                                      "на", "в", "у"}):
        j -= 1
        steps += 1
    # j should now be at the end of a house number
    k = j
    while k >= 0 and not toks[k].is_number and k > j - 4:
        k -= 1
    if k < 0 or not toks[k].is_number:
        return None
    m = k - 1
    while m >= 0 and toks[m].text in {".", "№"}:
        m -= 1
    if m < 0 or not (toks[m].text in HOUSE_WORDS or stem(toks[m].text) == "будинк"):
        if not (m >= 0 and toks[m + 1].text == "№"):
            return None
    parsed = _parse_house(t, k)
    if parsed is None or parsed[1][1] != j:
        return None
    return parsed


def _span_words(t: _Text, cand: _Candidate) -> list[str]:
    return [t.word(j) for j in t.words if cand.first <= j <= cand.last]


def _support(t: _Text, index: _Index, cand: _Candidate) -> None:
    """Score the context of a name span (see module docstring, step 3)."""
    prev = _prev_token(t, cand.first, frozenset({"."}))
    prev_word = t.word(prev) if prev is not None else ""
    nxt = _next_token(t, cand.last, frozenset({"."}))
    next_word = t.word(nxt) if nxt is not None else ""
    alias = cand.alias
    house = _house_after(t, cand.last) or _house_before(t, cand.first)
    if house is not None and alias.target == "street":
        cand.house, cand.house_span = house
    if alias.target == "district":
        if prev_word in DISTRICT_WORDS or prev_word in PLACE_PREPOSITIONS:
            cand.support = 1.0 if prev_word in DISTRICT_WORDS else 0.92
        if prev is not None and prev_word in DISTRICT_WORDS:
            cand.type_tok = prev
        return
    typed_before = prev_word in STREET_TYPES and prev_word not in ("мкр", "мкрн", "мікрорайон")
    typed_after = next_word in STREET_TYPES and STREET_TYPES[next_word] in TYPES_AFTER_NAME
    if prev_word in AMBIGUOUS_TYPES:
        typed_before = True
    if typed_before:
        cand.type_tok = prev
    elif typed_after:
        cand.type_tok = nxt
    if cand.house is not None or typed_before or typed_after:
        cand.support = 1.0
    elif alias.date_like:
        # "1 травня", "8 Марта": a date unless typed, numbered or at a corner ("ріг 1 Травня і ...")
        cand.support = 1.0 if prev_word in CROSS_WORDS else 0.0
    elif alias.n_words >= 2 and _folded(_span_words(t, cand)) in index.surfaces:
        cand.support = 1.0  # the name as on the sign, "Тараса Шевченка" (not "Тарасу Шевченку")
    elif prev_word in CROSS_WORDS:
        cand.support = 1.0
    elif prev_word in PLACE_PREPOSITIONS:
        cand.support = 0.92
    elif alias.n_words == 1 and (_is_capitalised_inside(t, cand.first) or next_word in NEAR_WORDS):
        cand.support = 0.85  # a name inside a sentence, or "Молодогвардійська біля ЦНАП";
        # an inflected person name ("Дякуємо Тарасу Шевченку") is capitalised anyway
    if cand.support < 0.95 and alias.target == "street":
        span_keys = [_text_keys(index, w) for w in _span_words(t, cand)]
        if any(keys & index.typed_words for keys in span_keys):
            cand.support = 0.95  # "Postikadulla", "Alvar Aallon katu": the name says "street"
        elif cand.support < 0.85 and all(_script_inflects(w) for w in _span_words(t, cand)) \
                and t.original[t.tokens[cand.first].start].isupper() \
                and sum(len(w) for w in _span_words(t, cand)) >= PROPER_NAME_MIN_LEN:
            cand.support = 0.85  # "Bulevardilla ...": a capitalised name, even first in a sentence
    if prev_word in HOLIDAY_WORDS and cand.house is None and cand.type_tok is None:
        cand.support, cand.veto = 0.0, True  # "День Незалежності", "до Дня Перемоги": a holiday
    if alias.kind == "short" and alias.n_words == 1 and cand.house is None and cand.type_tok is None:
        if prev is not None and t.original[t.tokens[prev].start].isupper() and _is_given_name(prev_word):
            cand.support, cand.veto = 0.0, True  # "Тетяна Лисенко" is a person, not вулиця Миколи Лисенка
        elif cand.support < 0.9:
            cand.support = 0.0  # a bare surname needs a preposition, a type word or a house
    if alias.target == "street" and cand.type_tok is not None:
        said = STREET_TYPES.get(t.word(cand.type_tok))
        kind = index.streets[alias.idx].type
        if said and kind in _KNOWN_KINDS and said != kind and not {said, kind} <= _LOOSE_TYPES:
            cand.support, cand.veto = 0.0, True  # "Центральна площа" is not "Центральна вулиця"
    if alias.target == "street" and alias.n_words == 1 and not alias.date_like:
        word = t.word(cand.first)
        if _city_form(word) and not (typed_before or typed_after or cand.house):
            # "у Вознесенську": the city, not Вознесенська вулиця; "Вознесенська" itself may
            # still be the street at a corner ("Чумацька / Вознесенська")
            cand.support, cand.veto = 0.0, not word.endswith(("ська", "ская", "ска"))
        elif cand.support < 1.0 and alias.adjective and nxt is not None and _attributive(t, cand.last, nxt):
            cand.support = 0.0  # "на новій зупинці", "щасливій ноті": an adjective, not a name
        elif cand.support < 1.0 and alias.adjective and not _adjectival(t.word(cand.last)):
            cand.support = 0.0  # "у каштанов" (chestnut trees), not Каштанова вулиця
        elif alias.adjective:
            kind = index.streets[alias.idx].type
            if _gender_fit(t.word(cand.last), "m" if kind in _MASCULINE_TYPES else "f") < 0:
                cand.support *= 0.85  # "зі Степової" for Степовий провулок: maybe another place


_GOVERNS = {
    **{w: {"loct", "accs", "loc2"} for w in ("на", "в", "у", "во")},
    "по": {"datv", "loct"},
    **{w: {"gent", "gen2"} for w in ("біля", "возле", "около", "коло", "поблизу", "навпроти",
                                     "напротив", "вздовж", "вдоль", "від", "от", "до", "рядом",
                                     "близ", "вблизи")},
    **{w: {"gent", "gen2", "ablt"} for w in ("з", "із", "зі", "с", "со")},  # from / with
    **{w: {"ablt", "accs"} for w in ("за", "під", "над", "перед", "под", "между")},
}
"""Cases each preposition takes: "на Кленовой собаки" is not "Кленова собака", because
"на" wants the locative and "кленовой собаки" agree only in the genitive."""


def _attributive(t: _Text, adj_i: int, noun_i: int) -> bool:
    """The name word is an adjective of the noun right after it ("на новій зупинці"): they
    agree in case and gender, in a case the preposition before them takes. Type words count
    as nouns here ("по парковій алеї"); a name already typed by one never gets here."""
    noun_tok = t.tokens[noun_i]
    if not noun_tok.is_word or noun_tok.text in PLACE_PREPOSITIONS \
            or noun_tok.text in CONNECTORS or t.original[noun_tok.start].isupper():
        return False
    prev = _prev_token(t, adj_i, frozenset({"."}))
    cases = _GOVERNS.get(t.word(prev)) if prev is not None else None
    return _agree(t.word(adj_i), noun_tok.text, frozenset(cases) if cases else None)


@lru_cache(maxsize=16384)
def _agree(adj: str, noun: str, cases: frozenset[str] | None) -> bool:
    uk, ru = analysers()
    for analyser in (uk, ru):
        if not (analyser.word_is_known(adj) and analyser.word_is_known(noun)):
            continue
        adj_forms = {(p.tag.case, p.tag.gender) for p in analyser.parse(adj) if "ADJF" in p.tag.grammemes}
        noun_forms = {(p.tag.case, p.tag.gender) for p in analyser.parse(noun)
                      if "NOUN" in p.tag.grammemes and "Name" not in p.tag.grammemes and "Surn" not in p.tag.grammemes}
        shared = adj_forms & noun_forms
        if cases is not None:
            shared = {f for f in shared if f[0] in cases}
        if shared:
            return True
    return False


def _fuzzy_names(t: _Text, index: _Index, taken: set[int]) -> list[_Candidate]:
    """Typos, only where the context says a street name must stand: after a street-type word,
    a place preposition, an intersection word or a connector after another street, or
    before a house number."""
    out: list[_Candidate] = []
    if not index.fuzzy_choices:
        return out
    for pos, i in enumerate(t.words):
        if i in taken or not t.tokens[i].is_word:
            continue
        prev = _prev_token(t, i, frozenset({"."}))
        prev_word = t.word(prev) if prev is not None else ""
        typed = prev_word in STREET_TYPES and STREET_TYPES[prev_word] != "мікрорайон"
        joined = prev_word in CONNECTORS and prev is not None and _prev_token(t, prev) in taken
        context = typed or joined or prev_word in PLACE_PREPOSITIONS or prev_word in CROSS_WORDS
        spans = [[i]]
        if pos + 1 < len(t.words) and t.words[pos + 1] not in taken and _contiguous(t, i, t.words[pos + 1]) \
                and t.tokens[t.words[pos + 1]].is_word:
            spans.insert(0, [i, t.words[pos + 1]])
        for span in spans:
            words = [t.word(j) for j in span]
            if sum(len(w) for w in words) < (FUZZY_MIN_LEN_TYPED if typed else FUZZY_MIN_LEN):
                continue
            housed = _house_after(t, span[-1]) is not None
            if not (context or housed):
                continue
            strong = typed or joined or housed or prev_word in CROSS_WORDS
            if not strong and all(is_dictionary_word(w) for w in words):
                continue  # after a bare preposition, ordinary words are no misspelt names
            cutoff = FUZZY_CUTOFF_TYPE if typed or joined else FUZZY_CUTOFF_PREPOSITION
            pick = _fuzzy_pick(t, index, span, words, cutoff)
            if pick is None:
                continue
            score, alias = pick
            cand = _Candidate(alias=alias, first=span[0], last=span[-1], fuzzy=score / 100.0)
            _support(t, index, cand)
            if cand.support > 0:
                out.append(cand)
                taken.update(span)
                break
    return out


def _fuzzy_pick(t: _Text, index: _Index, span: list[int], words: list[str],
                cutoff: float) -> tuple[float, _Alias] | None:
    """The one street a misspelt span means, or None. A written street type narrows the
    choice first; near ties (within FUZZY_MARGIN) are broken by which street has the written
    house number; a tie that remains is no guess."""
    best: dict[int, tuple[float, _Alias]] = {}
    for query in (" ".join(stem(w) for w in words), _folded(words)):
        for _choice, score, k in process.extract(query, index.fuzzy_choices, scorer=fuzz.ratio,
                                                 score_cutoff=cutoff, limit=6):
            alias = index.fuzzy_aliases[k]
            if alias.stems.count(" ") + 1 == len(span) and score > best.get(alias.idx, (0.0,))[0]:
                best[alias.idx] = (score, alias)
    said = _said_type(t, span[0], span[-1])
    typed = {k: v for k, v in best.items() if index.streets[k].type == said}
    best = typed or best  # "вул. Тхиа" is a вулиця even if a провулок spells closer
    if not best:
        return None
    top = max(score for score, _ in best.values())
    tied = [v for v in best.values() if v[0] >= top - FUZZY_MARGIN]
    if len(tied) > 1:
        house = _house_after(t, span[-1]) or _house_before(t, span[0])
        if house is not None:
            key = _house_key(house[0])
            tied = [v for v in tied if key in index.streets[v[1].idx].exact] or tied
    return tied[0] if len(tied) == 1 else None


@dataclass
class _LandmarkHit:
    """A landmark mention; several options when a chain has several shops ("АТБ")."""

    options: list[_Landmark]
    first: int
    last: int
    support: float


def _kind_at(t: _Text, pos: int) -> tuple[str | None, int]:
    """Landmark kind named at word position pos, and the token where its name ends."""
    words = t.words
    i = words[pos]
    s = stem(t.word(i))
    if pos + 1 < len(words):
        pair = (s, stem(t.word(words[pos + 1])))
        if pair in _TWO_WORD_KINDS:
            return _TWO_WORD_KINDS[pair], words[pos + 1]
    return KIND_BY_STEM.get(s), i


def _find_landmarks(t: _Text, index: _Index) -> list[_LandmarkHit]:
    """Kind words with a number, a name or (for kinds unique in town) alone."""
    out: list[_LandmarkHit] = []
    used: set[int] = set()
    for pos, i in enumerate(t.words):
        if i in used:
            continue
        kind, last = _kind_at(t, pos)
        if kind is None:
            continue
        group = SCHOOL_KINDS if kind in SCHOOL_KINDS else {kind}
        pool = [lm for lm in index.landmarks if lm.kind in group]
        if not pool:
            continue
        if kind in INSTITUTION_KINDS and not _after_locative(t, i):
            continue
        first = i
        options: list[_Landmark] = []
        if kind in NUMBERED_KINDS:
            number = _number_near(t, pos, last)
            if number is not None:
                options = [lm for lm in pool if lm.number == number[0]]
                first, last = min(first, number[1]), max(last, number[2])
        if not options:
            named = _named(t, pos, last, pool, numbers=kind not in NUMBERED_KINDS)
            if named is not None:
                options, first, last = named[0], min(first, named[1]), max(last, named[2])
            elif kind not in GENERIC_KINDS:
                own = [lm for lm in pool if lm.kind == kind]  # "біля ліцею": the one lyceum
                options = own if len(own) == 1 else []
        if options:
            out.append(_LandmarkHit(options, first, last, 1.0))
            used.update(range(first, last + 1))
    out.extend(_brands(t, index, used))
    return out


def _brands(t: _Text, index: _Index, used: set[int]) -> list[_LandmarkHit]:
    """A shop, bar or cafe named without its kind word: in quotes, or after a relative word
    when the name is no ordinary word ("біля АТБ", "возле Сильпо", "біля «Якоря»")."""
    out: list[_LandmarkHit] = []
    for j in t.words:
        if j in used or not t.tokens[j].is_word or len(t.word(j)) < 3:
            continue
        options: list[_Landmark] = []
        for key in word_keys(t.word(j)):
            options.extend(index.brands.get(key, ()))
        if not options or len({lm.name for lm in options}) > 1:
            continue
        quoted = j > 0 and t.tokens[j - 1].text in _QUOTES
        prev = _prev_token(t, j)
        near = prev is not None and t.word(prev) in NEAR_WORDS
        tok = t.tokens[j]
        proper = t.original[tok.start].isupper()  # "АТБ", "Фора": written as a name
        if quoted or (near and (proper or not is_dictionary_word(t.word(j)))):
            out.append(_LandmarkHit(options, j, j, 0.95))
    return out


def _named_landmarks(t: _Text, index: _Index, used: set[int]) -> list[_LandmarkHit]:
    """A landmark named by its own name, anywhere, without a kind word ("Kiasman edessä",
    "near the Old Market Hall"): written as a proper name (capital letter), in quotes or
    after a relative word or place preposition."""
    out: list[_LandmarkHit] = []
    if not index.landmark_aliases:
        return out
    words = t.words
    pos = 0
    while pos < len(words):
        hit = None
        for n in range(min(LANDMARK_ALIAS_WORDS, len(words) - pos), 0, -1):
            span = words[pos:pos + n]
            if any(j in used for j in span) or not all(_contiguous(t, a, b) for a, b in zip(span, span[1:])):
                continue
            for key in itertools.product(*(sorted(_text_keys(index, t.word(j))) for j in span)):
                options = index.landmark_aliases.get(key)
                if options:
                    hit = (options, span[0], span[-1])
                    break
            if hit:
                break
        if hit is None:
            pos += 1
            continue
        options, first, last = hit
        prev = _prev_token(t, first)
        quoted = first > 0 and t.tokens[first - 1].text in _QUOTES
        placed = prev is not None and (t.word(prev) in NEAR_WORDS or t.word(prev) in PLACE_PREPOSITIONS)
        proper = t.original[t.tokens[first].start].isupper() and not (
            first == last and is_dictionary_word(t.word(first)))
        if quoted or placed or proper:
            out.append(_LandmarkHit(list(options), first, last, 0.95))
            used.update(range(first, last + 1))
        pos += last - first + 1 if (quoted or placed or proper) else 1
    return out


def _after_locative(t: _Text, i: int) -> bool:
    """'біля поліції', 'на території лікарні', 'у відділу поліції', 'в лікарні' - but not
    'звернулись в поліцію' / 'обращаюсь в горсовет' (direction: accusative)."""
    prev = _prev_token(t, i)
    gap = prev is not None and stem(t.word(prev)) in _LOCATIVE_GAP
    if gap:
        prev = _prev_token(t, prev)
    if prev is None or t.word(prev) not in _INSTITUTION_PREPOSITIONS:
        return False
    if not gap and t.word(prev) in {"в", "у", "во", "на"}:
        return _has_case(t.word(i), "loct")
    return True


@lru_cache(maxsize=8192)
def _is_given_name(word: str) -> bool:
    uk, ru = analysers()
    return any("Name" in p.tag.grammemes for a in (uk, ru) if a.word_is_known(word) for p in a.parse(word))


@lru_cache(maxsize=8192)
def _adjectival(word: str) -> bool:
    """The word can be an adjective form (or no dictionary knows it: a typo or a name)."""
    uk, ru = analysers()
    known = [a for a in (uk, ru) if a.word_is_known(word)]
    return not known or any("ADJF" in p.tag.grammemes for a in known for p in a.parse(word))


@lru_cache(maxsize=4096)
def _has_case(word: str, case: str) -> bool:
    uk, ru = analysers()
    return any(p.tag.case in (case, "loc2") for a in (uk, ru) if a.word_is_known(word) for p in a.parse(word))


def _number_near(t: _Text, pos: int, last: int) -> tuple[str, int, int] | None:
    """(number, first token, last token): '5-ї школи', 'п'ятої школи', 'ЗОШ №5', 'школа № 5',
    'возле школы 5', 'аптека 3'."""
    words = t.words
    i = words[pos]
    if pos > 0:
        j = words[pos - 1]
        w = t.word(j)
        if w.isdigit() and _contiguous(t, j, i):
            return w, j, last
        if stem(w) in ORDINALS and _contiguous(t, j, i):
            return ORDINALS[stem(w)], j, last
    k = last + 1
    toks = t.tokens
    while k < len(toks) and k - last <= 8 and (toks[k].text in _SCHOOL_NAME_FILLERS
                                               or KIND_BY_STEM.get(stem(toks[k].text)) in SCHOOL_KINDS):
        k += 1
    if k < len(toks) and toks[k].is_number and k - last <= 8:
        after = _next_token(t, k)
        if after is not None and stem(t.word(after)) in NOT_HOUSE_UNITS:
            return None  # "школа 5 років без ремонту"
        return toks[k].text, i, k
    return None


_QUOTES = frozenset({"«", "»", "\"", "(", ")"})


def _named(t: _Text, pos: int, last: int, pool: list[_Landmark],
           numbers: bool = True) -> tuple[list[_Landmark], int, int] | None:
    """Landmarks of the pool whose distinctive name words stand next to the kind word:
    'парк Шевченка', 'в парке 1 Мая', 'Центральний ринок', 'бар «Маяк»'. Numbers name a
    school only through _number_near ('школа 5 років без ремонту' is no school No 5)."""
    words = t.words
    near: list[int] = []
    for back in (1, 2):  # "Центральний ринок", "Свято-Вознесенський собор"
        if pos - back < 0 or not _contiguous(t, words[pos - back], words[pos - back + 1]):
            break
        near.append(words[pos - back])
    after = [j for j in words if j > last][:3]
    prev = last
    for j in after:
        between = [t.tokens[m].text for m in range(prev + 1, j)]
        if any(b not in _QUOTES and b != "." and b not in _FILLER_WORDS and b != "-" for b in between):
            break
        near.append(j)
        prev = j
    if not near:
        return None
    best: list[_Landmark] = []
    best_n = 0
    span: tuple[int, int] = (words[pos], last)
    for lm in pool:
        hits = [j for j in near if (numbers or not t.tokens[j].is_number) and word_keys(t.word(j)) & lm.distinct]
        if not hits:
            continue
        if len(hits) > best_n:
            best, best_n = [lm], len(hits)
            span = (min(hits + [words[pos]]), max(hits + [last]))
        elif len(hits) == best_n:
            best.append(lm)
    if not best or len({lm.name for lm in best}) > 1:
        return None  # nothing named, or two different places share the word
    return best, span[0], span[1]


# --- geometry -------------------------------------------------------------------------

def _address_point(st: _Street, house: str) -> tuple[float, float, float, bool] | None:
    """(x, y, uncertainty, exact) for a house: the address point, else interpolation along
    the street between the nearest numbers of the same parity."""
    key = _house_key(house)
    if key in st.exact:
        x, y = st.exact[key]
        return x, y, EXACT_ADDRESS_M, True
    number = _leading_number(key)
    if number is None:
        return None
    if str(number) in st.exact and key != str(number):
        x, y = st.exact[str(number)]  # "15к2" or "15/2" sits on the plot of 15
        return x, y, EXACT_ADDRESS_M + NEAR_HOUSE_M, False
    points = st.by_parity.get(number % 2) or []
    if not points:
        return None
    lower = [p for p in points if p[0] < number]
    upper = [p for p in points if p[0] > number]
    if lower and upper:
        (n1, s1), (n2, s2) = lower[-1], upper[0]
        s = s1 + (s2 - s1) * (number - n1) / (n2 - n1)
        uncertainty = EXACT_ADDRESS_M + (NEAR_HOUSE_M if n2 - n1 <= 4 else FAR_HOUSE_M)
    elif len(points) >= 2:
        (n1, s1), (n2, s2) = points[0], points[-1]
        slope = (s2 - s1) / (n2 - n1) if n2 != n1 else 0.0
        ref_n, ref_s = (n1, s1) if number < n1 else (n2, s2)
        s = min(max(ref_s + slope * (number - ref_n), 0.0), st.main.length)
        uncertainty = EXACT_ADDRESS_M + FAR_HOUSE_M
    else:
        return None
    p = st.main.interpolate(s)
    return p.x, p.y, uncertainty, False


def _intersection(a: _Street, b: _Street) -> tuple[float, float, float] | None:
    """Crossing point of two streets (the one nearest both middles if several), or the
    midpoint of their nearest points when they end close to each other."""
    cross = a.geom.intersection(b.geom)
    if not cross.is_empty:
        pts = [g for g in getattr(cross, "geoms", [cross]) if g.geom_type == "Point"]
        if not pts:
            pts = [cross.representative_point()]
        mid = a.main.interpolate(0.5, normalized=True)
        p = min(pts, key=lambda q: q.distance(mid))
        return p.x, p.y, INTERSECTION_M
    pa, pb = nearest_points(a.geom, b.geom)
    gap = pa.distance(pb)
    if gap > MAX_INTERSECTION_GAP_M:
        return None
    return (pa.x + pb.x) / 2, (pa.y + pb.y) / 2, INTERSECTION_M + gap / 2


def _street_point(st: _Street) -> tuple[float, float, float]:
    p = st.main.interpolate(0.5, normalized=True)
    return p.x, p.y, max(st.geom.length / 2, 25.0) + STREET_OFFSET_M


# --- main -------------------------------------------------------------------------------

def _district_at(index: _Index, lat: float, lon: float) -> str | None:
    if index.district_tree is None:
        return None
    point = Point(lon, lat)
    for i in index.district_tree.query(point, predicate="intersects"):
        return index.districts[int(i)].name
    return None


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def _finish(index: _Index, match: Match, x: float, y: float, *, point_district: bool = True) -> Match:
    lon, lat = _to_wgs84().transform(x, y)  # scalars: no array round trip per answer
    match.lat, match.lon = round(float(lat), 7), round(float(lon), 7)
    if match.district is None and point_district:
        match.district = _district_at(index, match.lat, match.lon)
    return match


def _street_district(index: _Index, idx: int) -> str | None:
    """The microdistrict holding most of a street (STREET_DISTRICT_SHARE of its length), or
    None: a street through three microdistricts says nothing about which one."""
    if idx not in index.street_districts:
        st = index.streets[idx]
        name = None
        for d in index.districts:
            if st.geom.intersection(d.metric).length >= STREET_DISTRICT_SHARE * st.geom.length:
                name = d.name
                break
        index.street_districts[idx] = name
    return index.street_districts[idx]


def _span(t: _Text, token_ranges: list[tuple[int, int]]) -> tuple[int, int]:
    first = min(a for a, _ in token_ranges)
    last = max(b for _, b in token_ranges)
    return t.tokens[first].start, t.tokens[last].end


def _cand_range(c: _Candidate) -> list[tuple[int, int]]:
    ranges = [(c.first, c.last)]
    if c.type_tok is not None:
        ranges.append((c.type_tok, c.type_tok))
    if c.house_span is not None:
        ranges.append(c.house_span)
    return ranges


def _score(level: str, support: float, weight: float, fuzzy: float) -> float:
    return round(LEVEL_FACTOR[level] * support * weight * fuzzy, 3)


def _connected(t: _Text, a: _Candidate, b: _Candidate) -> bool:
    """Two names form an intersection: joined by a connector ('і', 'та', 'и', '/', ','),
    or announced by an intersection word before the first one."""
    between = [t.word(j) for j in range(a.last + 1, b.first) if t.word(j) not in STREET_TYPES
               and t.word(j) != "."]
    if b.type_tok is not None and b.type_tok < b.first:
        between = [w for w in between if w not in STREET_TYPES]
    joined = len(between) <= 2 and bool(between) and all(w in CONNECTORS or w == "," for w in between)
    if not joined:
        return False
    return any(w in CONNECTORS for w in between) or _cross_before(t, a)


def _cross_before(t: _Text, a: _Candidate) -> bool:
    """An intersection word just before the first name ("на розі", "угол", "перехрестя")."""
    start = a.type_tok if a.type_tok is not None and a.type_tok < a.first else a.first
    return any(t.word(j) in CROSS_WORDS for j in range(max(0, start - 3), start))


def _read(text: str, index: _Index) -> tuple[_Text, list[_Candidate], list[_LandmarkHit]]:
    t = _prepare(text)
    landmarks = _find_landmarks(t, index)
    in_landmark = set()
    for hit in landmarks:
        in_landmark.update(range(hit.first, hit.last + 1))
    names = [c for c in _find_names(t, index)
             if not (set(range(c.first, c.last + 1)) & in_landmark)]
    for c in names:
        _support(t, index, c)
    taken = {j for c in names for j in range(c.first, c.last + 1)} | in_landmark
    names.extend(_fuzzy_names(t, index, taken))
    names.sort(key=lambda c: c.first)
    # a name joined to a supported street is supported too ("розі Маріупольської і Соборності",
    # "Чумацька / в. Хмельницького"); a date-like old name only at a corner ("ріг 1-го Травня і ...")
    for a, b in zip(names, names[1:]):
        if not (a.alias.target == b.alias.target == "street" and _connected(t, a, b)):
            continue
        cornered = _cross_before(t, a)
        for weak, strong in ((b, a), (a, b)):
            if strong.support > 0 and weak.support == 0 and not weak.veto \
                    and (not weak.alias.date_like or cornered):
                weak.support = strong.support
    kept = [c for c in names if c.support > 0]
    placed = {j for c in kept for j in range(c.first, c.last + 1)} | in_landmark
    landmarks.extend(_named_landmarks(t, index, placed))
    return t, kept, landmarks


def geocode(text: str, *, location: tuple[float, float] | None = None,
            gazetteer: Any = None) -> Match:
    """Read one message and return where it happened (see the module docstring)."""
    index = get_index(gazetteer if gazetteer is not None else _default_gazetteer())
    match = _geocode_text(text or "", index)
    if location is not None:
        lat, lon = float(location[0]), float(location[1])
        match.lat, match.lon = lat, lon
        match.level, match.score, match.uncertainty_m = "address", 1.0, SHARED_LOCATION_M
        match.district = _district_at(index, lat, lon)
    return match


def _stretch(t: _Text, x_c: _Candidate, a: _Candidate, b: _Candidate,
             street_of: Any) -> tuple[float, float, float] | None:
    """Middle of street X between its crossings with A and B ("X між A і B"): a street-level
    answer, but with the stretch's half length as its radius instead of the whole street's."""
    between = [t.word(j) for j in range(x_c.last + 1, a.first) if t.word(j) not in {",", "."}]
    if between not in (["між"], ["между"]) or not _connected(t, a, b):
        return None
    street = street_of(x_c)
    ends = [_intersection(street, street_of(c)) for c in (a, b)]
    if any(e is None for e in ends) or len({x_c.alias.idx, a.alias.idx, b.alias.idx}) < 3:
        return None
    s1, s2 = (street.main.project(Point(e[0], e[1])) for e in ends)
    p = street.main.interpolate((s1 + s2) / 2)
    return p.x, p.y, max(INTERSECTION_M, abs(s1 - s2) / 2)


def _landmark_candidate(lm: _Landmark) -> dict[str, Any]:
    lon, lat = _to_wgs84().transform(lm.x, lm.y)
    return {"landmark": {"kind": lm.kind, "name": lm.name, "number": lm.number},
            "lat": round(float(lat), 7), "lon": round(float(lon), 7), "uncertainty_m": LANDMARK_M}


def _far_apart(index: _Index, c: _Candidate) -> list[int]:
    """The chosen street and those the same words fit equally, when any lies farther than
    AMBIGUOUS_GAP_M from the chosen one (a street split into pieces is one street)."""
    if not c.alternatives:
        return []
    chosen = index.streets[c.alias.idx].geom
    far = [i for i in c.alternatives if index.streets[i].geom.distance(chosen) > AMBIGUOUS_GAP_M]
    return [c.alias.idx, *far] if far else []


def _resolve(index: _Index, c: _Candidate, keep: Any) -> bool:
    """Narrow an ambiguous name to the one street that passes `keep` (has the written
    house, meets the other street); True when the name is then unambiguous."""
    options = _far_apart(index, c)
    if not options:
        return True
    fitting = [i for i in options if keep(index.streets[i])]
    if len(fitting) == 1:
        c.alias = dataclasses.replace(c.alias, idx=fitting[0])
        c.alternatives = ()
        return True
    return False


def _ambiguous(t: _Text, index: _Index, c: _Candidate, options: list[int]) -> Match:
    """Streets of one name far apart and nothing in the text to choose: an answer around all
    of them, at district level, with each street as a candidate."""
    points = [_street_point(index.streets[i]) for i in options]
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    radius = max(math.hypot(x - cx, y - cy) + unc for x, y, unc in points)
    candidates = []
    for i, (x, y, unc) in zip(options, points):
        lon, lat = _to_wgs84().transform(x, y)
        candidates.append({"street": index.streets[i].name, "lat": round(float(lat), 7),
                           "lon": round(float(lon), 7), "uncertainty_m": round(unc, 1)})
    m = Match(level="district", uncertainty_m=round(radius, 1), span=_span(t, _cand_range(c)),
              score=round(_score("district", c.support, ALIAS_WEIGHT[c.alias.kind], c.fuzzy) * AMBIGUOUS_FACTOR, 3),
              candidates=candidates)
    return _finish(index, m, cx, cy, point_district=False)


def _geocode_text(text: str, index: _Index) -> Match:
    t, names, landmarks = _read(text, index)
    streets = [c for c in names if c.alias.target == "street"]
    districts = [c for c in names if c.alias.target == "district"]

    def street_of(c: _Candidate) -> _Street:
        return index.streets[c.alias.idx]

    landmark: _LandmarkHit | None = None
    chosen: _Landmark | None = None
    branches: list[_Landmark] = []
    spread = 0.0
    for hit in landmarks:
        if len(hit.options) == 1:
            landmark, chosen = hit, hit.options[0]
        elif streets:  # "АТБ на Соборності": the branch on (or near) the street
            geom = street_of(streets[0]).geom
            nearest = min(hit.options, key=lambda lm: geom.distance(Point(lm.x, lm.y)))
            if geom.distance(Point(nearest.x, nearest.y)) <= MAX_BRANCH_TO_STREET_M:
                landmark, chosen = hit, nearest
        else:  # one of several branches, which one the text does not say: low score, wide radius
            landmark, chosen = hit, hit.options[0]
            spread = max(math.hypot(lm.x - chosen.x, lm.y - chosen.y) for lm in hit.options)
            if spread > AMBIGUOUS_GAP_M:
                branches = hit.options
        if chosen is not None:
            break
    lm_dict = ({"kind": chosen.kind, "name": chosen.name, "number": chosen.number}
               if chosen is not None else None)

    # 1. address
    for c in streets:
        if c.house is None:
            continue
        house_key = _house_key(c.house)
        if not _resolve(index, c, lambda st, k=house_key: k in st.exact):
            continue
        st = street_of(c)
        point = _address_point(st, c.house)
        if point is None:
            continue
        x, y, unc, exact = point
        m = Match(level="address", uncertainty_m=unc, street=st.name, house=c.house,
                  landmark=lm_dict, span=_span(t, _cand_range(c)),
                  score=_score("address" if exact else "interpolated", c.support,
                               ALIAS_WEIGHT[c.alias.kind], c.fuzzy))
        return _finish(index, m, x, y)
    # 2. a stretch between two cross streets: "на Маріупольській між Соборності і Херсонською"
    for x_c, a, b in zip(streets, streets[1:], streets[2:]):
        stretch = _stretch(t, x_c, a, b, street_of)
        if stretch is not None:
            px, py, unc = stretch
            m = Match(level="street", uncertainty_m=round(unc, 1), street=street_of(x_c).name,
                      landmark=lm_dict, span=_span(t, _cand_range(x_c) + _cand_range(b)),
                      score=_score("street", min(x_c.support, a.support, b.support),
                                   ALIAS_WEIGHT[x_c.alias.kind], x_c.fuzzy))
            return _finish(index, m, px, py)
    # 3. intersection
    for a, b in zip(streets, streets[1:]):
        if a.alias.idx == b.alias.idx or not _connected(t, a, b):
            continue
        if not (_resolve(index, a, lambda st, o=street_of(b): _intersection(st, o) is not None)
                and _resolve(index, b, lambda st, o=street_of(a): _intersection(st, o) is not None)):
            continue
        cross = _intersection(street_of(a), street_of(b))
        if cross is None:
            continue
        x, y, unc = cross
        support = min(a.support, b.support)
        weight = min(ALIAS_WEIGHT[a.alias.kind], ALIAS_WEIGHT[b.alias.kind])
        m = Match(level="intersection", uncertainty_m=round(unc, 1), street=street_of(a).name,
                  street2=street_of(b).name, span=_span(t, _cand_range(a) + _cand_range(b)),
                  landmark=lm_dict,
                  score=_score("intersection", support, weight, min(a.fuzzy, b.fuzzy)))
        return _finish(index, m, x, y)
    street = streets[0] if streets else None
    if street is not None and (_cross_before(t, street) or any(
            _connected(t, a, b) and a.alias.idx != b.alias.idx for a, b in zip(streets, streets[1:]))):
        street.support *= 0.85  # a corner was meant, but the second street is not understood or
        # the two do not meet here
    # 4. landmark
    if landmark is not None and chosen is not None:
        ranges = [(landmark.first, landmark.last)]
        m = Match(level="landmark", uncertainty_m=round(max(LANDMARK_M, spread), 1), landmark=lm_dict,
                  score=_score("landmark", landmark.support, 1.0 if spread == 0 else AMBIGUOUS_BRANCH, 1.0))
        if street is not None:
            m.street = street_of(street).name
            m.house = street.house
            street_ranges = _cand_range(street)
            gap = max(min(a for a, _ in street_ranges) - landmark.last,
                      landmark.first - max(b for _, b in street_ranges))
            if gap <= MAX_SPAN_GAP_TOKENS:
                ranges += street_ranges
        m.span = _span(t, ranges)
        if branches:
            m.candidates = [_landmark_candidate(lm) for lm in branches]
        return _finish(index, m, chosen.x, chosen.y)
    # 5. street
    if street is not None:
        options = _far_apart(index, street)
        if options:
            return _ambiguous(t, index, street, options)
        st = street_of(street)
        x, y, unc = _street_point(st)
        # a house number the gazetteer cannot place is still reported
        m = Match(level="street", uncertainty_m=round(unc, 1), street=st.name, house=street.house,
                  span=_span(t, _cand_range(street)), district=_street_district(index, street.alias.idx),
                  score=_score("street", street.support, ALIAS_WEIGHT[street.alias.kind], street.fuzzy))
        return _finish(index, m, x, y, point_district=False)
    # 6. district
    if districts:
        c = districts[0]
        d = index.districts[c.alias.idx]
        m = Match(level="district", uncertainty_m=round(d.radius, 1), district=d.name,
                  span=_span(t, _cand_range(c)),
                  score=_score("district", c.support, ALIAS_WEIGHT[c.alias.kind], 1.0))
        return _finish(index, m, d.x, d.y)
    return Match()


def geocode_many(texts: Iterable[str], *, gazetteer: Any = None) -> list[Match]:
    """Geocode many texts against one gazetteer (loaded and indexed once)."""
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    return [geocode(text, gazetteer=gaz) for text in texts]


def geocode_lines(lines: Iterable[str], *, gazetteer: Any = None) -> Iterator[dict[str, Any]]:
    """For `cli.py geocode`: one JSON-ready dict per input line.

    A line is plain text, or a JSON object {"text": ..., "location": [lat, lon]} when the
    message came with a shared location. Each answer carries the input text as "text".
    """
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    for line in lines:
        line = line.rstrip("\n")
        text, location = line, None
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                text = obj["text"]
                loc = obj.get("location")
                location = (float(loc[0]), float(loc[1])) if loc else None
        out = geocode(text, location=location, gazetteer=gaz).to_dict()
        out["text"] = text
        yield out
