"""From what was read to one answer: the order of levels and honest uncertainty."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from shapely.geometry import Point

from data.text.vocabulary import CONNECTORS, CROSS_WORDS, STREET_TYPES
from geo.gazetteer import Gazetteer
from geo.geocoding.geometry import (
    _address_point,
    _district_at,
    _finish,
    _intersection,
    _street_district,
    _street_point,
    _to_wgs84,
)
from geo.geocoding.houses import _parse_house
from geo.geocoding.index import _default_gazetteer, _house_key, _Index, _Landmark, _Street, get_index
from geo.geocoding.inflect import word_info
from geo.geocoding.landmarks import _find_landmarks, _LandmarkHit, _named_landmarks
from geo.geocoding.match import Match
from geo.geocoding.names import _find_names, _fuzzy_names, _support
from geo.geocoding.text import _Candidate, _prepare, _Text
from geo.geocoding.weights import (
    ALIAS_WEIGHT,
    AMBIGUOUS_BRANCH,
    AMBIGUOUS_FACTOR,
    AMBIGUOUS_GAP_M,
    CORNER_ANYWHERE,
    INTERSECTION_M,
    LANDMARK_M,
    LEVEL_FACTOR,
    MAX_BRANCH_TO_STREET_M,
    MAX_SPAN_GAP_TOKENS,
    SHARED_LOCATION_M,
)
from geo.normalize import HOUSE_WORDS, stem


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
    between = [t.word(j) for j in range(a.last + 1, b.first) if t.word(j) not in STREET_TYPES and t.word(j) != "."]
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
    t.infos = [word_info(index, t.texts[i]) for i in t.words]
    landmarks = _find_landmarks(t, index)
    in_landmark = set()
    for hit in landmarks:
        in_landmark.update(range(hit.first, hit.last + 1))
    names = [c for c in _find_names(t, index) if not (set(range(c.first, c.last + 1)) & in_landmark)]
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
            if strong.support > 0 and weak.support == 0 and not weak.veto and (not weak.alias.date_like or cornered):
                weak.support = strong.support
    kept = [c for c in names if c.support > 0]
    placed = {j for c in kept for j in range(c.first, c.last + 1)} | in_landmark
    landmarks.extend(_named_landmarks(t, index, placed))
    return t, kept, landmarks


def geocode(text: str, *, location: tuple[float, float] | None = None, gazetteer: Gazetteer | None = None) -> Match:
    """Read one message and return where it happened (see the module docstring)."""
    index = get_index(gazetteer if gazetteer is not None else _default_gazetteer())
    match = _geocode_text(text or "", index)
    if location is not None:
        lat, lon = float(location[0]), float(location[1])
        match.lat, match.lon = lat, lon
        match.level, match.score, match.uncertainty_m = "address", 1.0, SHARED_LOCATION_M
        match.district = _district_at(index, lat, lon)
    return match


def _stretch(
    t: _Text, x_c: _Candidate, a: _Candidate, b: _Candidate, street_of: Callable[[_Candidate], _Street]
) -> tuple[float, float, float] | None:
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


def _landmark_candidate(index: _Index, lm: _Landmark) -> dict[str, Any]:
    lon, lat = _to_wgs84(index.crs).transform(lm.x, lm.y)
    return {
        "landmark": {"kind": lm.kind, "name": lm.name, "number": lm.number},
        "lat": round(float(lat), 7),
        "lon": round(float(lon), 7),
        "uncertainty_m": LANDMARK_M,
    }


def _far_apart(index: _Index, c: _Candidate) -> list[int]:
    """The chosen street and those the same words fit equally, when any lies farther than
    AMBIGUOUS_GAP_M from the chosen one (a street split into pieces is one street)."""
    if not c.alternatives:
        return []
    chosen = index.streets[c.alias.idx].geom
    far = [i for i in c.alternatives if index.streets[i].geom.distance(chosen) > AMBIGUOUS_GAP_M]
    return [c.alias.idx, *far] if far else []


def _resolve(index: _Index, c: _Candidate, keep: Callable[[_Street], bool]) -> bool:
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
        lon, lat = _to_wgs84(index.crs).transform(x, y)
        candidates.append(
            {
                "street": index.streets[i].name,
                "lat": round(float(lat), 7),
                "lon": round(float(lon), 7),
                "uncertainty_m": round(unc, 1),
            }
        )
    m = Match(
        level="district",
        uncertainty_m=round(radius, 1),
        span=_span(t, _cand_range(c)),
        score=round(_score("district", c.support, ALIAS_WEIGHT[c.alias.kind], c.fuzzy) * AMBIGUOUS_FACTOR, 3),
        candidates=candidates,
    )
    return _finish(index, m, cx, cy, point_district=False)


def _house_anywhere(t: _Text, index: _Index, c: _Candidate) -> None:
    """A house number announced elsewhere in the text ("на Соборності, біля під'їзду
    будинку 15"): taken when that street has exactly that house. The kept span reaches the
    house only when it is near the name (the redactor keeps all text inside the span). A
    bare number right before the name is the English order ("at 12 Annankatu")."""
    j = c.first - 1
    while j > 0 and not t.tokens[j].is_number and t.tokens[j].text in {",", "-"}:
        j -= 1
    if j >= 0 and t.tokens[j].is_number:
        k = j
        while (
            k > 0
            and (t.tokens[k - 1].is_number or t.tokens[k - 1].text == "/")
            and t.tokens[k - 1].end >= t.tokens[k].start - 1
        ):
            k -= 1
        parsed = _parse_house(t, k)
        if parsed is not None and parsed[1][1] >= j - 1:
            key = _house_key(parsed[0])
            if any(key in index.streets[i].exact for i in (c.alias.idx, *c.alternatives)):
                c.house, c.house_span = parsed[0], (k, parsed[1][1])
                return
    for i, tok in enumerate(t.tokens):
        if not (tok.text in HOUSE_WORDS or stem(tok.text) == "будинк"):
            continue
        j = i + 1
        while j < len(t.tokens) and t.tokens[j].text in {".", "№"}:
            j += 1
        parsed = _parse_house(t, j)
        if parsed is None:
            continue
        key = _house_key(parsed[0])
        if any(key in index.streets[k].exact for k in (c.alias.idx, *c.alternatives)):
            c.house = parsed[0]
            near = min(abs(i - c.last), abs(c.first - parsed[1][1])) <= MAX_SPAN_GAP_TOKENS
            c.house_span = (i, parsed[1][1]) if near else None
            return


def _corner_anywhere(t: _Text, index: _Index, streets: list[_Candidate]) -> Match | None:
    """Two streets and an intersection word anywhere in the text ("на Соборності, там де
    перехрестя з Херсонською"): their crossing, when they meet."""
    if len({c.alias.idx for c in streets}) < 2 or not any(tok.text in CROSS_WORDS for tok in t.tokens):
        return None
    a = streets[0]
    b = next(c for c in streets if c.alias.idx != a.alias.idx)
    if _far_apart(index, a) or _far_apart(index, b):
        return None
    cross = _intersection(index.streets[a.alias.idx], index.streets[b.alias.idx])
    if cross is None:
        return None
    x, y, unc = cross
    ranges = _cand_range(a) + _cand_range(b)
    if b.first - a.last > MAX_SPAN_GAP_TOKENS:
        ranges = _cand_range(a)  # the text in between stays out of the kept span
    m = Match(
        level="intersection",
        uncertainty_m=round(unc, 1),
        street=index.streets[a.alias.idx].name,
        street2=index.streets[b.alias.idx].name,
        span=_span(t, ranges),
        score=_score(
            "intersection",
            min(a.support, b.support) * CORNER_ANYWHERE,
            min(ALIAS_WEIGHT[a.alias.kind], ALIAS_WEIGHT[b.alias.kind]),
            min(a.fuzzy, b.fuzzy),
        ),
    )
    return _finish(index, m, x, y)


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
    lm_dict = {"kind": chosen.kind, "name": chosen.name, "number": chosen.number} if chosen is not None else None

    # 1. address
    for c in streets:
        if c.house is None:
            _house_anywhere(t, index, c)
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
        m = Match(
            level="address",
            uncertainty_m=unc,
            street=st.name,
            house=c.house,
            landmark=lm_dict,
            span=_span(t, _cand_range(c)),
            score=_score("address" if exact else "interpolated", c.support, ALIAS_WEIGHT[c.alias.kind], c.fuzzy),
        )
        return _finish(index, m, x, y)
    # 2. a stretch between two cross streets: "на Маріупольській між Соборності і Херсонською"
    for x_c, a, b in zip(streets, streets[1:], streets[2:]):
        stretch = _stretch(t, x_c, a, b, street_of)
        if stretch is not None:
            px, py, unc = stretch
            m = Match(
                level="street",
                uncertainty_m=round(unc, 1),
                street=street_of(x_c).name,
                landmark=lm_dict,
                span=_span(t, _cand_range(x_c) + _cand_range(b)),
                score=_score("street", min(x_c.support, a.support, b.support), ALIAS_WEIGHT[x_c.alias.kind], x_c.fuzzy),
            )
            return _finish(index, m, px, py)
    # 3. intersection
    for a, b in zip(streets, streets[1:]):
        if a.alias.idx == b.alias.idx or not _connected(t, a, b):
            continue
        if not (
            _resolve(index, a, lambda st, o=street_of(b): _intersection(st, o) is not None)  # noqa: B008 (bound now)
            and _resolve(index, b, lambda st, o=street_of(a): _intersection(st, o) is not None)  # noqa: B008
        ):
            continue
        cross = _intersection(street_of(a), street_of(b))
        if cross is None:
            continue
        x, y, unc = cross
        support = min(a.support, b.support)
        weight = min(ALIAS_WEIGHT[a.alias.kind], ALIAS_WEIGHT[b.alias.kind])
        m = Match(
            level="intersection",
            uncertainty_m=round(unc, 1),
            street=street_of(a).name,
            street2=street_of(b).name,
            span=_span(t, _cand_range(a) + _cand_range(b)),
            landmark=lm_dict,
            score=_score("intersection", support, weight, min(a.fuzzy, b.fuzzy)),
        )
        return _finish(index, m, x, y)
    corner = _corner_anywhere(t, index, streets)
    if corner is not None:
        return corner
    street = streets[0] if streets else None
    if street is not None and (
        _cross_before(t, street)
        or any(_connected(t, a, b) and a.alias.idx != b.alias.idx for a, b in zip(streets, streets[1:]))
    ):
        street.support *= 0.85  # a corner was meant, but the second street is not understood or
        # the two do not meet here
    # 4. landmark
    if landmark is not None and chosen is not None:
        ranges = [(landmark.first, landmark.last)]
        m = Match(
            level="landmark",
            uncertainty_m=round(max(LANDMARK_M, spread), 1),
            landmark=lm_dict,
            score=_score("landmark", landmark.support, 1.0 if spread == 0 else AMBIGUOUS_BRANCH, 1.0),
        )
        if street is not None:
            m.street = street_of(street).name
            m.house = street.house
            street_ranges = _cand_range(street)
            gap = max(
                min(a for a, _ in street_ranges) - landmark.last, landmark.first - max(b for _, b in street_ranges)
            )
            if gap <= MAX_SPAN_GAP_TOKENS:
                ranges += street_ranges
        m.span = _span(t, ranges)
        if branches:
            m.candidates = [_landmark_candidate(index, lm) for lm in branches]
        return _finish(index, m, chosen.x, chosen.y)
    # 5. street
    if street is not None:
        options = _far_apart(index, street)
        if options:
            return _ambiguous(t, index, street, options)
        st = street_of(street)
        x, y, unc = _street_point(st)
        # a house number the gazetteer cannot place is still reported
        m = Match(
            level="street",
            uncertainty_m=round(unc, 1),
            street=st.name,
            house=street.house,
            span=_span(t, _cand_range(street)),
            district=_street_district(index, street.alias.idx),
            score=_score("street", street.support, ALIAS_WEIGHT[street.alias.kind], street.fuzzy),
        )
        return _finish(index, m, x, y, point_district=False)
    # 6. district
    if districts:
        c = districts[0]
        d = index.districts[c.alias.idx]
        m = Match(
            level="district",
            uncertainty_m=round(d.radius, 1),
            district=d.name,
            span=_span(t, _cand_range(c)),
            score=_score("district", c.support, ALIAS_WEIGHT[c.alias.kind], 1.0),
        )
        return _finish(index, m, d.x, d.y)
    return Match()


def geocode_many(texts: Iterable[str], *, gazetteer: Gazetteer | None = None) -> list[Match]:
    """Geocode many texts against one gazetteer (loaded and indexed once)."""
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    return [geocode(text, gazetteer=gaz) for text in texts]


def geocode_lines(lines: Iterable[str], *, gazetteer: Gazetteer | None = None) -> Iterator[dict[str, Any]]:
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
