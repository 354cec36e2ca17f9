"""The gazetteer read once into lookup tables and metric geometry."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from shapely import STRtree, line_locate_point
from shapely import points as points_array
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import linemerge

from data.city_profile import profile, utm_crs
from data.text.vocabulary import STREET_TYPES
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.geocoding.weights import (
    GENERIC_NAME_WORD,
    INFLECT_CUT_MIN_PREFIX,
    INFLECT_MIN_LEN,
    INFLECT_STEM_CUT,
    LANDMARK_ALIAS_WORDS,
    MAX_ALIAS_WORDS,
    PLACE_GAP_M,
)
from geo.geocoding.words import (
    _FILLER_WORDS,
    _LOOSE_TYPES,
    BRAND_KINDS,
    GIVEN_NAMES,
    KIND_BY_STEM,
    _is_adjective,
    _is_ordinal_suffix,
    _script_inflects,
)
from geo.normalize import (
    CORPUS_WORDS,
    deaccent,
    fold,
    latin_to_cyrillic,
    normalize_text,
    stem,
    tokenize,
    word_keys,
)
from geo.projection import to_metres


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
    middle: tuple[float, float, float] | None = None  # geometry._street_point, once computed
    # geometry._intersection's memo (other street, crossing); holds streets: kept out of == and repr
    crossings: dict[int, tuple[Any, tuple[float, float, float] | None]] = field(
        default_factory=dict, compare=False, repr=False
    )


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
    fuzzy_memo: dict[tuple[str, float], list[tuple[float, int]]] = field(default_factory=dict)  # see _fuzzy_near
    landmark_aliases: dict[tuple[str, ...], list[_Landmark]] = field(default_factory=dict)
    landmark_starts: dict[str, int] = field(default_factory=dict)  # first key -> longest alias
    alias_starts: dict[str, int] = field(default_factory=dict)  # first key -> longest street/district alias
    word_memo: dict[str, Any] = field(default_factory=dict)  # inflect.word_info
    point_memo: dict[tuple[float, float], list[Any]] = field(default_factory=dict)  # geometry._finish
    kind_pools: dict[str, list[_Landmark]] = field(default_factory=dict)  # landmarks._pool
    typed_words: frozenset[str] = frozenset()  # alias words that carry a learned type
    city_keys: frozenset[str] = frozenset()  # keys of the city's own name (meta "city")
    crs: str = ""  # metric CRS of x/y above (_gazetteer_crs)
    city_endings: tuple[str, ...] = ()  # the profile's names.case_endings


def _core_words(text: str) -> list[str]:
    """Words of a name without type words, honorifics, ordinal suffixes and punctuation."""
    tokens = tokenize(normalize_text(text))
    words = [
        tok.text
        for i, tok in enumerate(tokens)
        if (tok.is_word or tok.is_number) and tok.text not in _FILLER_WORDS and not _is_ordinal_suffix(tokens, i)
    ]
    out = [w for w in words if w not in STREET_TYPES]
    if not out:  # "Набережна вулиця": the name itself is a type word
        out = [w for w in words if STREET_TYPES[w] not in _LOOSE_TYPES] or words
    return out


def name_key(name: str) -> str:
    """Comparable form of a place name: 'провулок Глінки', 'Глінки' and 'пров. Глінки' all
    give 'глінки' (used by the eval bench and tests to compare names, not spellings)."""
    return " ".join(_core_words(name))


def _key_tuples(words: list[str]) -> Iterator[tuple[str, ...]]:
    return itertools.product(*(sorted(word_keys(w)) for w in words))


def _add_alias(
    index: dict[tuple[str, ...], list[_Alias]], words: list[str], target: str, idx: int, kind: str, seen: set
) -> _Alias | None:
    if not words or len(words) > MAX_ALIAS_WORDS:
        return None
    n_words = sum(1 for w in words if not w.isdigit())
    if n_words == 0:
        return None
    single = len(words) == 1
    alias = _Alias(
        target=target,
        idx=idx,
        kind=kind,
        n_words=n_words,
        date_like=words[0].isdigit(),
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
        elif base in ("old_name", "alt_name", "short_name", "loc_name"):
            tagged.append(("short" if base in ("short_name", "loc_name") else base, value))
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


def _gazetteer_crs(gazetteer: Gazetteer) -> str:
    """The metric CRS of one gazetteer's geometry: the UTM zone of its boundary's (else its
    streets') middle, so that a gazetteer chosen apart from the city profile (``geocode
    --gazetteer``) still gets true metres; the profile's CRS when it has no geometry."""
    ring = list(gazetteer.boundary) or [p for raw in gazetteer.streets[:50] for line in raw.lines for p in line]
    if not ring:
        return profile().metric_crs
    lon = sum(float(p[0]) for p in ring) / len(ring)
    lat = sum(float(p[1]) for p in ring) / len(ring)
    return utm_crs(lat, lon)


def _project_lines(lines: list, crs: str) -> list[LineString]:
    out = []
    for line in lines:
        if len(line) < 2:
            continue
        lon = [p[0] for p in line]
        lat = [p[1] for p in line]
        x, y = to_metres(lat, lon, crs)
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


def build_index(gazetteer: Gazetteer) -> _Index:
    """Alias index and metric geometry of one gazetteer (built once, cached by identity)."""
    aliases: dict[tuple[str, ...], list[_Alias]] = {}
    seen: set = set()
    fuzzy: dict[str, _Alias] = {}
    streets: list[_Street] = []
    by_id: dict[str, int] = {}
    pieces: dict[int, list[int]] = {}  # first index of a gazetteer street -> its places
    crs = _gazetteer_crs(gazetteer)
    for raw in gazetteer.streets:
        lines = _project_lines(raw.lines or [], crs)
        if not lines:
            continue
        merged = linemerge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
        parts = list(merged.geoms) if isinstance(merged, MultiLineString) else [merged]
        first = len(streets)
        for group in _places(parts):  # one name in two parts of town: two places
            main = max(group, key=lambda g: g.length)
            geom = MultiLineString(group) if len(group) > 1 else main
            streets.append(_Street(id=raw.id, name=raw.name or "", type=raw.type or "вулиця", geom=geom, main=main))
        by_id[raw.id] = first
        pieces[first] = list(range(first, len(streets)))
        for idx, (kind, text) in (
            (i, v) for i in pieces[first] for v in _name_variants(raw.names or {}, raw.name or "")
        ):
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
    rows = [(a.street_id, a.house, a.lat, a.lon) for a in gazetteer.addresses]
    rows = [r for r in rows if r[0] in by_id]
    if rows:
        xs, ys = to_metres([r[2] for r in rows], [r[3] for r in rows], crs)
        for (street_id, house, _lat, _lon), x, y in zip(rows, xs.tolist(), ys.tolist()):
            options = pieces[by_id[street_id]]
            st = (
                streets[options[0]]
                if len(options) == 1
                else min((streets[i] for i in options), key=lambda o: o.geom.distance(Point(x, y)))
            )
            key = _house_key(str(house))
            st.exact[key] = (x, y)
            if key.isdigit():
                st.by_parity.setdefault(int(key) % 2, []).append((int(key), x, y))
    for st in streets:
        for parity, points in st.by_parity.items():
            s_along = line_locate_point(st.main, points_array([(x, y) for _n, x, y in points]))
            st.by_parity[parity] = sorted(zip((n for n, _x, _y in points), s_along.tolist()))

    landmarks: list[_Landmark] = []
    for raw in gazetteer.landmarks:
        x, y = (float(v) for v in to_metres(raw.lat, raw.lon, crs))
        keys: set[str] = set()
        for _kind, text in _name_variants(raw.names or {}, raw.name or ""):
            for w in _core_words(text):
                keys |= word_keys(w)
        number = raw.number
        landmarks.append(
            _Landmark(
                kind=raw.kind or "",
                name=raw.name or "",
                number=str(number) if number not in (None, "") else None,
                x=x,
                y=y,
                name_keys=frozenset(keys),
            )
        )
    for raw in gazetteer.parks:
        ring = raw.polygon or []
        if not raw.name or len(ring) < 3:
            continue
        if any(lm.kind == "park" and lm.name == raw.name for lm in landmarks):
            continue
        poly = Polygon(ring)
        x, y = (float(v) for v in to_metres(poly.centroid.y, poly.centroid.x, crs))
        keys = set()
        for w in _core_words(raw.name):
            keys |= word_keys(w)
        landmarks.append(_Landmark("park", raw.name, None, x, y, frozenset(keys)))

    _distinct_keys(landmarks)

    districts: list[_District] = []
    for raw in gazetteer.districts:
        ring = raw.polygon or []
        if len(ring) < 3:
            continue
        poly = Polygon(ring)
        lon = [p[0] for p in ring]
        lat = [p[1] for p in ring]
        xs, ys = to_metres(lat, lon, crs)
        metric = Polygon(list(zip(xs.tolist(), ys.tolist())))
        centre = metric.representative_point() if not metric.contains(metric.centroid) else metric.centroid
        idx = len(districts)
        districts.append(
            _District(
                name=raw.name or "",
                polygon=poly,
                metric=metric,
                x=centre.x,
                y=centre.y,
                radius=_circumradius(metric, centre),
            )
        )
        for kind, text in _name_variants(raw.names or {}, raw.name or ""):
            _add_alias(aliases, _core_words(text), "district", idx, kind, seen)
    tree = STRtree([d.polygon for d in districts]) if districts else None
    choices = list(fuzzy)
    brands: dict[str, list[_Landmark]] = {}
    for lm in landmarks:
        if lm.kind in BRAND_KINDS:
            for key in lm.distinct:
                brands.setdefault(key, []).append(lm)
    index = _Index(
        streets=streets,
        districts=districts,
        landmarks=landmarks,
        aliases=aliases,
        fuzzy_choices=choices,
        fuzzy_aliases=[fuzzy[c] for c in choices],
        district_tree=tree,
        brands=brands,
        surfaces=frozenset(c for c in choices if " " in c),
    )
    index.crs = crs
    index.city_endings = profile().names.case_endings
    index.city_keys = _city_keys(gazetteer)
    index.landmark_aliases = {
        key: v
        for key, v in _landmark_aliases(gazetteer, landmarks, aliases).items()
        if not (len(key) == 1 and key[0] in index.city_keys)
    }  # "Helsinki" is the city
    for key in index.landmark_aliases:
        index.landmark_starts[key[0]] = max(index.landmark_starts.get(key[0], 0), len(key))
    for key in aliases:
        index.alias_starts[key[0]] = max(index.alias_starts.get(key[0], 0), len(key))
    index.prefixes = _prefix_table(gazetteer)
    index.typed_words = _typed_words(gazetteer)
    return index


def _city_keys(gazetteer: Gazetteer) -> frozenset[str]:
    """Match keys of the city's names (meta "city" of the gazetteer, every language)."""
    keys: set[str] = set()
    for _kind, text in _name_variants(gazetteer.meta.get("city") or {}, ""):
        for word in _core_words(text):
            keys |= word_keys(word)
    return frozenset(keys)


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


def _surface_words(gazetteer: Gazetteer) -> set[str]:
    """Every core word of every street, district and landmark name, as written."""
    out: set[str] = set()
    for part in ("streets", "districts", "landmarks"):
        for raw in getattr(gazetteer, part):
            for _kind, text in _name_variants(raw.names or {}, raw.name or ""):
                out.update(_core_words(text))
    return out


def _prefix_table(gazetteer: Gazetteer) -> dict[str, tuple[str, ...]]:
    """Prefix -> name words it may start, for names in languages without a dictionary here
    (see _inflected). Every prefix a name word keeps when inflected is listed."""
    table: dict[str, list[str]] = {}
    for word in _surface_words(gazetteer):
        if not _script_inflects(word) or len(word) < INFLECT_MIN_LEN:
            continue
        for form in {word, deaccent(word)}:
            for k in range(max(INFLECT_CUT_MIN_PREFIX, len(form) - INFLECT_STEM_CUT), len(form)):
                table.setdefault(form[:k], []).append(word)  # "kadu-" for "katu"
            table.setdefault(form, []).append(word)
    return {k: tuple(sorted(set(v))) for k, v in table.items()}


def _typed_words(gazetteer: Gazetteer) -> frozenset[str]:
    """Keys of name words that carry one of the extract's learned street types ("Postikatu",
    "katu" in "Alvar Aallon katu"): such a word names a street by itself."""
    learned = gazetteer.meta.get("street_types") or {}
    glued = tuple(learned.get("glued") or ())
    separate = frozenset(learned.get("separate") or ())
    keys: set[str] = set()
    for raw in gazetteer.streets:
        for _kind, text in _name_variants(raw.names or {}, raw.name or ""):
            for word in _core_words(text):
                if word in separate or any(word.endswith(g) and len(word) - len(g) >= 3 for g in glued):
                    keys |= word_keys(word)
    return frozenset(keys)


def _landmark_aliases(
    gazetteer: Gazetteer, landmarks: list[_Landmark], street_aliases: Mapping[tuple[str, ...], Any]
) -> dict[tuple[str, ...], list[_Landmark]]:
    """Landmarks by their own names, to find them named anywhere without a kind word
    ("Kiasman edessä", "near the Old Market Hall", "возле музея Атенеум"). Only names that
    point to one place (or the branches of one chain) and are no street name or ordinary
    word; a word in many landmark names ("hotel", "ravintola") names none of them alone."""
    raw_list = gazetteer.landmarks
    by_key: dict[tuple[str, ...], list[_Landmark]] = {}
    word_names: dict[str, set[str]] = {}
    for raw, lm in zip(raw_list, landmarks):
        for _kind, text in _name_variants(raw.names or {}, raw.name or ""):
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
    whole = {
        words[0] for lm in landmarks for _k, text in _name_variants({}, lm.name) if len(words := _core_words(text)) == 1
    }
    generic = {w for w, names in word_names.items() if len(names) >= GENERIC_NAME_WORD and w not in whole}
    generic_keys = {k for w in generic for k in word_keys(w)}
    return {key: v for key, v in out.items() if not (len(key) == 1 and key[0] in generic_keys)}


def _circumradius(polygon: Polygon, centre: Point) -> float:
    """Distance from the answer point to the farthest corner of the district: all of the
    district lies within it (an equal-area circle leaves its corners out)."""
    return max(math.hypot(x - centre.x, y - centre.y) for x, y in polygon.exterior.coords)


def _distinct_keys(landmarks: list[_Landmark]) -> None:
    """Name keys minus kind words and words most landmarks of the kind share ("магазин",
    "дитячий майданчик", "<місто>ська загальноосвітня школа")."""
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


_INDEX_CACHE: dict[int, tuple[Gazetteer, _Index]] = {}


def get_index(gazetteer: Gazetteer) -> _Index:
    """The index of this gazetteer object, built on first use (the object is kept alive
    in the cache, so its id cannot be reused by another object)."""
    hit = _INDEX_CACHE.get(id(gazetteer))
    if hit is not None and hit[0] is gazetteer:
        return hit[1]
    index = build_index(gazetteer)
    _INDEX_CACHE[id(gazetteer)] = (gazetteer, index)
    return index


def _default_gazetteer() -> Gazetteer:
    return load_gazetteer()
