"""Street-type words of an extract's languages: known ones plus those learned from its names.

A type word tells same-named streets apart ("Ленинский проспект" / "Ленинский переулок",
"Alvar Aallon katu" / "Alvar Aallon kuja", "Postikatu" / "Postikuja"). Hand lists cover
Ukrainian, Russian and English; any other language is learned from the extract itself:
- separate words: a first or last word that starts or ends many names of one name tag
  ("katu" in "Alvar Aallon katu", "rue" in "rue de la Paix");
- glued suffixes (compound languages: Finnish "-katu", Swedish "-gatan", German "-straße"):
  a word ending shared by many names, where the letter before it varies (Harris's successor
  variety: "katu" follows n, i, o, s...; "atu" always follows k, so "atu" is no boundary).
Each learned type of a `name:xx` tag is mapped to the type of the `name` tag most often on
the same street (Swedish "gatan" <-> Finnish "katu"), so both languages share one type.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from data.text.vocabulary import STREET_TYPES

_KNOWN_WORDS = (
    # Ukrainian (the gazetteer's canonical forms)
    "вулиця провулок проспект площа бульвар узвіз проїзд шосе тупик майдан набережна алея дорога "
    "в'їзд завулок "
    # Russian
    "улица переулок проспект площадь бульвар шоссе проезд тупик набережная аллея спуск въезд "
    # English
    "street road avenue lane drive square boulevard crescent terrace highway"
).split()
KNOWN_TYPES: dict[str, str] = {w: STREET_TYPES[w] for w in _KNOWN_WORDS}
"""Only words the geocoder also reads as types (geo.normalize.STREET_TYPES): a name split
here is the name the geocoder compares."""
ALSO_NAMES = frozenset({"набережна", "набережная"})
""""Набережна вулиця": a type word that is also a name; the other type word wins."""
DEFAULT_TYPE = "вулиця"
"""A name without any type word is a plain street."""

NAME_KEYS = re.compile(r"^(name|old_name|alt_name|official_name|short_name|loc_name|reg_name)(:[a-z_-]+)?$")
"""Tags that name a street (any language suffix)."""
MIN_NAMES = 3  # a learned type ends or starts at least this many distinct names of one tag
MIN_VARIETY = 2  # distinct letters before a glued suffix
MIN_SUFFIX, MAX_SUFFIX = 4, 8
MIN_EXTENSION = 0.8  # a longer suffix keeps this share of its shorter form's names
MIN_STEM = 3  # letters left before a glued suffix
_WORD = re.compile(r"[^\W\d_][^\W\d_'-]*")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.lower())


def learn_types(names_by_tag: Mapping[str, Iterable[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """(separate type words, glued suffixes) learned per name tag -> canonical type."""
    separate: dict[str, str] = {}
    glued: dict[str, str] = {}
    # compounds glue words that also stand alone ("Alvar Aallon katu" / "Postikatu",
    # "Alvar Aaltos gränd" / "Bergbomsgränden"); an inflection ending ("-ова") never does
    standalone = {
        w for names in names_by_tag.values() for name in names for w in _words(name)[1:] if len(_words(name)) >= 2
    }
    for _tag, names in sorted(names_by_tag.items()):
        names = sorted(set(names))
        edge: Counter[str] = Counter()
        ends: Counter[str] = Counter()
        before: dict[str, set[str]] = defaultdict(set)
        for name in names:
            words = _words(name)
            if len(words) >= 2:
                edge.update({words[0], words[-1]})
            if not words:
                continue
            last = words[-1]
            for n in range(MIN_SUFFIX - 1, min(MAX_SUFFIX, len(last) - MIN_STEM) + 1):
                ends[last[-n:]] += 1
                before[last[-n:]].add(last[-n - 1])
        for word, count in edge.items():
            if count >= MIN_NAMES and len(word) >= 2 and word not in KNOWN_TYPES:
                separate.setdefault(word, word)
        # a boundary: frequent, varied letters before it, and not a mere subset of a shorter
        # form ("nkatu" is only the genitive "n" + "katu"); of a chain the shortest stays
        kept = {
            s
            for s, c in ends.items()
            if len(s) >= MIN_SUFFIX
            and c >= MIN_NAMES
            and len(before[s]) >= MIN_VARIETY
            and c >= MIN_EXTENSION * ends[s[1:]]
            and any(s.startswith(w) and len(w) >= len(s) - 2 for w in standalone)
        }
        for s in sorted(kept):
            if not any(s.endswith(o) for o in kept if o != s):
                glued.setdefault(s, s)
    return separate, glued


def street_type(name: str, separate: Mapping[str, str], glued: Mapping[str, str]) -> tuple[str, str, str]:
    """(bare name, type word as found, canonical type) of one full street name.

    Known type words at either end are split off ("вулиця Соборності" -> "Соборності", as
    the geocoder reads them); a learned one stays in the name, glued ("Postikatu" is no
    "Posti") or not ("Alvar Aallon katu"), and is still reported as the type.
    """
    words = name.split()
    if len(words) >= 2:
        first, last = words[0].lower(), words[-1].lower()
        for word in (last, first):
            if word in separate and word not in KNOWN_TYPES:
                return name, word, separate[word]
        if last in glued and last not in KNOWN_TYPES:  # "Alvar Aallon kuja"
            return name, last, glued[last]
    types = KNOWN_TYPES
    if len(words) >= 2:
        first, last = words[0].lower(), words[-1].lower()
        if first in types and not (first in ALSO_NAMES and last in types):
            return " ".join(words[1:]), first, types[first]
        if last in types:
            return " ".join(words[:-1]), last, types[last]
    word = words[-1].lower() if words else ""
    for suffix in sorted(glued, key=len, reverse=True):
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return name, suffix, glued[suffix]
    return name, "", DEFAULT_TYPE


def canonical_pairs(streets: Iterable[Mapping[str, str]], separate: dict[str, str], glued: dict[str, str]) -> None:
    """Map each learned type of a `name:xx` tag to the `name` tag's type on the same streets
    (in place): "gatan" -> "katu" when Swedish and Finnish names pair up that way."""
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for names in streets:
        main = names.get("name")
        if not main:
            continue
        _, main_word, _ = street_type(main, separate, glued)
        for key, value in names.items():
            if key.startswith("name:") and value != main:
                _, word, _ = street_type(value, separate, glued)
                if word and main_word and word != main_word and word not in KNOWN_TYPES:
                    pairs[word][main_word] += 1
    for word, counts in pairs.items():
        target, n = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if n >= MIN_NAMES:
            for table in (separate, glued):
                if word in table:
                    table[word] = {**KNOWN_TYPES, **separate, **glued}.get(target, target)
