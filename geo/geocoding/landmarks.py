"""Landmarks in the text: kind words with a number or name, brands, own names."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from data.text.vocabulary import NEAR_WORDS
from geo.geocoding.index import _Index, _Landmark
from geo.geocoding.text import _contiguous, _next_token, _prev_token, _Text
from geo.geocoding.words import (
    _FILLER_WORDS,
    _INSTITUTION_PREPOSITIONS,
    _LOCATIVE_GAP,
    _QUOTES,
    _SCHOOL_NAME_FILLERS,
    _TWO_WORD_KINDS,
    GENERIC_KINDS,
    INSTITUTION_KINDS,
    KIND_BY_STEM,
    NUMBERED_KINDS,
    SCHOOL_KINDS,
    _has_case,
    _is_adjective,
)
from geo.normalize import (
    NOT_HOUSE_UNITS,
    ORDINALS,
    PLACE_PREPOSITIONS,
    is_dictionary_word,
    stem,
    word_keys,
)


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


def _pool(index: _Index, kind: str) -> list[_Landmark]:
    """The landmarks a kind word can mean (any school kind for a school), in gazetteer
    order; remembered per kind, since they depend on the gazetteer alone."""
    pool = index.kind_pools.get(kind)
    if pool is None:
        group = SCHOOL_KINDS if kind in SCHOOL_KINDS else {kind}
        pool = index.kind_pools[kind] = [lm for lm in index.landmarks if lm.kind in group]
    return pool


def _find_landmarks(t: _Text, index: _Index) -> list[_LandmarkHit]:
    """Kind words with a number, a name or (for kinds unique in town) alone."""
    out: list[_LandmarkHit] = []
    used: set[int] = set()
    for pos, (i, info) in enumerate(zip(t.words, t.infos)):
        if not info.kind or i in used:
            continue  # no kind word starts here (what _kind_at would say, without its work)
        kind, last = _kind_at(t, pos)
        if kind is None:
            continue
        pool = _pool(index, kind)
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
    for j, info in zip(t.words, t.infos):
        if not info.brand:
            continue  # no shop, bar or cafe has this word in its name
        if j in used or not t.tokens[j].is_word or len(t.word(j)) < 3:
            continue
        keys = word_keys(t.word(j))
        if any((key,) in index.landmark_aliases for key in keys):
            continue  # the whole name of a landmark ("Ateneum"), not part of a brand ("Ateneum Bistro")
        options: list[_Landmark] = []
        for key in keys:
            options.extend(index.brands.get(key, ()))
        last = j
        if len({lm.name for lm in options}) > 1:  # "Продукти" / "Продукти 24": the words decide
            nxt = _next_token(t, j, frozenset({"»", '"', "."}))
            span = [j] + ([nxt] if nxt is not None and (t.tokens[nxt].is_word or t.tokens[nxt].is_number) else [])
            ranked = [
                ((sum(1 for k in span if word_keys(t.word(k)) & lm.distinct), -_uncovered(t, span, lm)), lm)
                for lm in options
            ]
            top = max(r for r, _ in ranked)
            options = [lm for r, lm in ranked if r == top]
            if top[0] == 2:
                last = span[-1]
        if not options or len({lm.name for lm in options}) > 1:
            continue
        quoted = j > 0 and t.tokens[j - 1].text in _QUOTES
        prev = _prev_token(t, j)
        near = prev is not None and t.word(prev) in NEAR_WORDS
        tok = t.tokens[j]
        proper = t.original[tok.start].isupper()  # "АТБ", "Фора": written as a name
        if quoted or (near and (proper or not is_dictionary_word(t.word(j)))):
            out.append(_LandmarkHit(options, j, last, 0.95))
    return out


def _uncovered(t: _Text, hits: list[int], lm: _Landmark) -> int:
    """Distinctive words of the landmark's name the text does not have."""
    said: set[str] = set()
    for j in hits:
        said |= word_keys(t.word(j))
    return len(lm.distinct - said)


def _named_landmarks(t: _Text, index: _Index, used: set[int]) -> list[_LandmarkHit]:
    """A landmark named by its own name, anywhere, without a kind word ("Kiasman edessä",
    "near the Old Market Hall"): written as a proper name (capital letter), in quotes or
    after a relative word or place preposition."""
    out: list[_LandmarkHit] = []
    if not index.landmark_aliases:
        return out
    words = t.words
    infos = t.infos
    keys = [info.keys for info in infos]
    pos = 0
    while pos < len(words):
        longest = infos[pos].landmark_reach
        if not longest:  # no landmark alias starts with this word
            pos += 1
            continue
        hit = None
        for n in range(min(longest, len(words) - pos), 0, -1):
            span = words[pos : pos + n]
            if any(j in used for j in span) or not all(_contiguous(t, a, b) for a, b in zip(span, span[1:])):
                continue
            for key in itertools.product(*keys[pos : pos + n]):
                options = index.landmark_aliases.get(key)
                if options:
                    inflected = any(k not in word_keys(t.word(j)) for k, j in zip(key, span))
                    hit = (options, span[0], span[-1], inflected)
                    break
            if hit:
                break
        if hit is None:
            pos += 1
            continue
        options, first, last, inflected = hit
        prev = _prev_token(t, first)
        quoted = first > 0 and t.tokens[first - 1].text in _QUOTES
        placed = (
            not inflected and prev is not None and (t.word(prev) in NEAR_WORDS or t.word(prev) in PLACE_PREPOSITIONS)
        )
        proper = t.original[t.tokens[first].start].isupper() and not (
            first == last and is_dictionary_word(t.word(first))
        )
        if quoted or placed or proper:
            out.append(_LandmarkHit(list(options), first, last, 0.95))
            used.update(range(first, last + 1))
        pos += last - first + 1 if (quoted or placed or proper) else 1
    return out


def _after_locative(t: _Text, i: int) -> bool:
    """'біля поліції', 'на території лікарні', 'у відділу поліції', 'в лікарні' - but not
    'звернулись в поліцію' / 'обращаюсь в горсовет' (direction: accusative)."""
    prev = _prev_token(t, i)
    if (
        prev is not None
        and t.tokens[prev].is_word
        and t.word(prev) not in PLACE_PREPOSITIONS
        and is_dictionary_word(t.word(prev))
        and _is_adjective(t.word(prev))
    ):
        prev = _prev_token(t, prev)  # "у городской больницы", "біля центральної лікарні"
    gap = prev is not None and stem(t.word(prev)) in _LOCATIVE_GAP
    if gap:
        prev = _prev_token(t, prev)
    if prev is None or t.word(prev) not in _INSTITUTION_PREPOSITIONS:
        return False
    if not gap and t.word(prev) in {"в", "у", "во", "на"}:
        # "в лікарні" (in it), "у больницы" (at it, Russian genitive); not "в лікарню" (to it)
        return _has_case(t.word(i), "loct") or (t.word(prev) == "у" and _has_case(t.word(i), "gent"))
    return True


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
    while (
        k < len(toks)
        and k - last <= 8
        and (toks[k].text in _SCHOOL_NAME_FILLERS or KIND_BY_STEM.get(stem(toks[k].text)) in SCHOOL_KINDS)
    ):
        k += 1
    if k < len(toks) and toks[k].is_number and k - last <= 8:
        after = _next_token(t, k)
        if after is not None and stem(t.word(after)) in NOT_HOUSE_UNITS:
            return None  # "школа 5 років без ремонту"
        return toks[k].text, i, k
    return None


def _named(
    t: _Text, pos: int, last: int, pool: list[_Landmark], numbers: bool = True
) -> tuple[list[_Landmark], int, int] | None:
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
    best_rank = (0, 0)
    span: tuple[int, int] = (words[pos], last)
    near_keys = [(j, word_keys(t.word(j))) for j in near if numbers or not t.tokens[j].is_number]
    for lm in pool:
        hits = [j for j, keys in near_keys if keys & lm.distinct]
        if not hits:
            continue
        rank = (len(hits), -_uncovered(t, hits, lm))  # «Продукти» is not «Продукти 24»
        if rank > best_rank:
            best, best_rank = [lm], rank
            span = (min(hits + [words[pos]]), max(hits + [last]))
        elif rank == best_rank:
            best.append(lm)
    if not best or len({lm.name for lm in best}) > 1:
        return None  # nothing named, or two different places share the word
    return best, span[0], span[1]
