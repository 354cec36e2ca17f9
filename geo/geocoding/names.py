"""Street and district names in the text and the context that makes them places."""

from __future__ import annotations

import itertools

from rapidfuzz import fuzz, process

from data.text.vocabulary import CONNECTORS, CROSS_WORDS, DISTRICT_WORDS, NEAR_WORDS, STREET_TYPES
from geo.geocoding.houses import _house_after, _house_before, _house_ends
from geo.geocoding.index import _Alias, _folded, _house_key, _Index
from geo.geocoding.inflect import _text_keys
from geo.geocoding.text import (
    _Candidate,
    _contiguous,
    _is_capitalised_inside,
    _next_token,
    _prev_token,
    _span_words,
    _Text,
)
from geo.geocoding.weights import (
    ALIAS_WEIGHT,
    FUZZY_CUTOFF_PREPOSITION,
    FUZZY_CUTOFF_TYPE,
    FUZZY_MARGIN,
    FUZZY_MIN_LEN,
    FUZZY_MIN_LEN_TYPED,
    MAX_ALIAS_WORDS,
    PROPER_NAME_MIN_LEN,
)
from geo.geocoding.words import (
    _GOVERNS,
    _KNOWN_KINDS,
    _LOOSE_TYPES,
    _MASCULINE_TYPES,
    HOLIDAY_WORDS,
    _adjectival,
    _agree,
    _city_form,
    _gender_fit,
    _is_given_name,
)
from geo.normalize import (
    AMBIGUOUS_TYPES,
    PLACE_PREPOSITIONS,
    TYPES_AFTER_NAME,
    is_dictionary_word,
    stem,
)

_DOT = frozenset({"."})
_CONTEXT_WORDS = (frozenset(STREET_TYPES) | CONNECTORS | PLACE_PREPOSITIONS | CROSS_WORDS) - {"."}
"""Words after which _fuzzy_names reads a misspelt name (typed, joined, a preposition, a corner)."""


def _find_names(t: _Text, index: _Index) -> list[_Candidate]:
    """Longest exact alias spans (up to MAX_ALIAS_WORDS), left to right, without overlaps."""
    found: list[_Candidate] = []
    words = t.words
    infos = t.infos
    exact = [info.exact for info in infos]
    keys = [info.keys for info in infos]
    pos = 0
    while pos < len(words):
        # no alias starts with any key of this word (exact or inflected): no name starts here
        reach = infos[pos].name_reach
        if reach == 0:
            pos += 1
            continue
        best: _Candidate | None = None
        longest = 1
        while (
            longest < min(MAX_ALIAS_WORDS, reach)
            and pos + longest < len(words)
            and _contiguous(t, words[pos + longest - 1], words[pos + longest])
        ):
            longest += 1
        for n in range(longest, 0, -1):
            hits: list[_Alias] = []
            for key in itertools.product(*exact[pos : pos + n]):
                hits.extend(index.aliases.get(key, ()))
            # the word may inflect a name: "Aleksanterinkadulla" only through an inflected form
            inflected = not hits and any(len(keys[k]) > len(exact[k]) for k in range(pos, pos + n))
            if inflected:
                for key in itertools.product(*keys[pos : pos + n]):
                    hits.extend(index.aliases.get(key, ()))
            if hits:
                best = _pick_alias(t, index, hits, words[pos], words[pos + n - 1])
                best.inflected = inflected
                pos += n
                break
        if best is None:
            pos += 1
        else:
            found.append(best)
    return found


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
    before = _prev_token(t, first, frozenset({"."}))
    oblique = before is not None and t.word(before) in PLACE_PREPOSITIONS

    def rank(a: _Alias) -> tuple[float, float, float]:
        if not several:
            return 0.0, 0.0, ALIAS_WEIGHT[a.kind]
        kind = "мікрорайон" if a.target == "district" else index.streets[a.idx].type
        type_fit = 0.0 if said is None or kind not in _KNOWN_KINDS else 1.0 if said == kind else -1.0
        gender = "m" if kind in _MASCULINE_TYPES else "f"
        gender_fit = _gender_fit(word, gender, oblique) if a.adjective or a.target == "district" else 0.0
        return type_fit, gender_fit, ALIAS_WEIGHT[a.kind]

    best = max(hits, key=rank)
    top = rank(best)
    others = (
        tuple(sorted({a.idx for a in hits if a.target == "street" and a.idx != best.idx and rank(a)[:2] == top[:2]}))
        if best.target == "street"
        else ()
    )
    return _Candidate(alias=best, first=first, last=last, alternatives=others)


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
        elif (
            cand.support < 0.85
            and cand.inflected
            and t.original[t.tokens[cand.first].start].isupper()
            and len(alias.stems.replace(" ", "")) >= PROPER_NAME_MIN_LEN
        ):
            cand.support = 0.85  # "Bulevardilla ...": a capitalised name in a place case, even first
            # in a sentence ("Station was crowded" is no Station Road)
    if (
        cand.inflected
        and cand.house is None
        and cand.type_tok is None
        and not t.original[t.tokens[cand.first].start].isupper()
    ):
        cand.support = 0.0  # a lowercase word that only starts like a name ("parking", "Park St")
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
        if _city_form(word, index.city_keys, index.city_endings) and not (typed_before or typed_after or cand.house):
            # an inflected city name is the city, not the street named after it; the street's
            # own name may still be a street at a corner ("X / <city-adjective>")
            cand.support, cand.veto = 0.0, not word.endswith(("ська", "ская", "ска"))
        elif cand.support < 1.0 and alias.adjective and nxt is not None and _attributive(t, cand.last, nxt):
            cand.support = 0.0  # "на новій зупинці", "щасливій ноті": an adjective, not a name
        elif cand.support < 1.0 and alias.adjective and not _adjectival(t.word(cand.last)):
            cand.support = 0.0  # "у каштанов" (chestnut trees), not Каштанова вулиця
        elif alias.adjective:
            kind = index.streets[alias.idx].type
            if _gender_fit(t.word(cand.last), "m" if kind in _MASCULINE_TYPES else "f") < 0:
                cand.support *= 0.85  # "зі Степової" for Степовий провулок: maybe another place


def _attributive(t: _Text, adj_i: int, noun_i: int) -> bool:
    """The name word is an adjective of the noun right after it ("на новій зупинці"): they
    agree in case and gender, in a case the preposition before them takes. Type words count
    as nouns here ("по парковій алеї"); a name already typed by one never gets here."""
    noun_tok = t.tokens[noun_i]
    if (
        not noun_tok.is_word
        or noun_tok.text in PLACE_PREPOSITIONS
        or noun_tok.text in CONNECTORS
        or t.original[noun_tok.start].isupper()
    ):
        return False
    prev = _prev_token(t, adj_i, frozenset({"."}))
    cases = _GOVERNS.get(t.word(prev)) if prev is not None else None
    return _agree(t.word(adj_i), noun_tok.text, frozenset(cases) if cases else None)


def _fuzzy_positions(t: _Text, ends: frozenset[int]) -> list[int]:
    """Word positions _fuzzy_names must look at, in order: right after a context word
    (past dots), or ending, alone or with the next word, before a house number. A word
    elsewhere has no context and no house, so no misspelt name is read there."""
    texts = t.texts
    pos_of = {i: pos for pos, i in enumerate(t.words)}
    found: set[int] = set()
    for k in [k for k, w in enumerate(texts) if w in _CONTEXT_WORDS]:
        j = k + 1
        while j < len(texts) and texts[j] == ".":
            j += 1
        if j in pos_of:
            found.add(pos_of[j])
    for e in ends:
        if e in pos_of:
            found.update((pos_of[e], pos_of[e] - 1))
    return sorted(p for p in found if p >= 0)


def _fuzzy_names(t: _Text, index: _Index, taken: set[int]) -> list[_Candidate]:
    """Typos, only where the context says a street name must stand: after a street-type word,
    a place preposition, an intersection word or a connector after another street, or
    before a house number."""
    out: list[_Candidate] = []
    if not index.fuzzy_choices:
        return out
    texts = t.texts
    ends = _house_ends(t)  # only a span ending here can stand before a house number
    for pos in _fuzzy_positions(t, ends):
        i = t.words[pos]
        if i in taken or not texts[i][0].isalpha():
            continue
        prev = _prev_token(t, i, _DOT)
        prev_word = texts[prev] if prev is not None else ""
        nxt = t.words[pos + 1] if pos + 1 < len(t.words) else None
        typed = prev_word in STREET_TYPES and STREET_TYPES[prev_word] != "мікрорайон"
        joined = prev_word in CONNECTORS and prev is not None and _prev_token(t, prev) in taken
        context = typed or joined or prev_word in PLACE_PREPOSITIONS or prev_word in CROSS_WORDS
        if not (context or i in ends or nxt in ends):
            continue
        spans = [[i]]
        if nxt is not None and nxt not in taken and _contiguous(t, i, nxt) and t.tokens[nxt].is_word:
            spans.insert(0, [i, nxt])
        for span in spans:
            words = [texts[j] for j in span]
            if sum(len(w) for w in words) < (FUZZY_MIN_LEN_TYPED if typed else FUZZY_MIN_LEN):
                continue
            housed = span[-1] in ends and _house_after(t, span[-1]) is not None
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


FUZZY_MEMO_SIZE = 50_000  # spans remembered per index (a city's typos repeat; ~100 bytes each)


def _fuzzy_near(index: _Index, query: str, cutoff: float) -> list[tuple[float, int]]:
    """The six fuzzy choices nearest to ``query`` (score, choice number), remembered: the
    scan of every alias is a fifth of the geocoder's time, and the same misspelt spans
    recur from message to message. Bounded: past the size the memo starts again."""
    key = (query, cutoff)
    found = index.fuzzy_memo.get(key)
    if found is None:
        if len(index.fuzzy_memo) >= FUZZY_MEMO_SIZE:
            index.fuzzy_memo.clear()
        found = [
            (score, k)
            for _choice, score, k in process.extract(
                query, index.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6
            )
        ]
        index.fuzzy_memo[key] = found
    return found


def _fuzzy_pick(
    t: _Text, index: _Index, span: list[int], words: list[str], cutoff: float
) -> tuple[float, _Alias] | None:
    """The one street a misspelt span means, or None. A written street type narrows the
    choice first; near ties (within FUZZY_MARGIN) are broken by which street has the written
    house number; a tie that remains is no guess."""
    best: dict[int, tuple[float, _Alias]] = {}
    for query in (" ".join(stem(w) for w in words), _folded(words)):
        for score, k in _fuzzy_near(index, query, cutoff):
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
