"""The words residents use around places: kinds of landmarks, districts, holidays, genders, cases."""

from __future__ import annotations

from functools import lru_cache

from data.text.vocabulary import HONORIFICS, NEAR_WORDS, PARK_WORDS, STREET_TYPES
from geo.normalize import ORDINAL_SUFFIXES, Token, analysers, stem, word_keys

_FILLER_WORDS = HONORIFICS
"""'Парк ім. Шевченка', 'вулиця імені ...': the honorific carries no place information."""

GIVEN_NAMES = frozenset(
    stem(w)
    for w in (
        "марії зої льва олега іллі богдана геннадія андрія назарія лесі івана тараса михайла "
        "григорія василя ліни олени пилипа марка олександра миколи соломії петра володимира "
        "ярослава данила максима устима пантелеймона архипа остапа олеся бориса катерини степана "
        "павла олександри анни юрія сергія віктора дмитра романа"
    ).split()
)
"""Given names in the genitive: 'Іллі Урмана' is also written 'Урмана' (a short alias)."""

# Landmark kinds by the stems of the words residents use for them.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "school": (
        "школа школи школу школі школою школ шк зош сш нвк школы школе школой гімназія "
        "гімназії гімназію гимназия гимназии school",
    ),
    "lyceum": ("ліцей ліцею ліцеї ліцеєм лицей лицея лицее лицеем lyceum",),
    "market": (
        "ринок ринку ринка ринке ринком рынок рынка рынке рынку рынком базар базару базарі базаре базара market bazar",
    ),
    "bus_station": (
        "автостанція автостанції автостанцію автостанцією автостанция автостанции "
        "автовокзал автовокзалу автовокзалі автовокзала автовокзале автовокзалом "
        "avtostantsiia avtovokzal",
    ),
    "railway_station": ("вокзал вокзалу вокзалі вокзала вокзале вокзалом vokzal",),
    "hospital": (
        "лікарня лікарні лікарню лікарнею больница больницы больнице больницу црл "
        "црлк госпіталь госпіталі поліклініка поліклініки поліклініці поликлиника "
        "поликлиники",
    ),
    "townhall": (
        "міськрада міськради міськраді мерія мерії виконком виконкому горсовет "
        "горсовета горсовете мэрия мэрии исполком исполкома ратуша",
    ),
    "police": (
        "поліція поліції поліцію поліцією полиция полиции полицию райвідділ "
        "райвідділу райотдел райотдела відділок відділку",
    ),
    "park": (" ".join(sorted(PARK_WORDS)),),
    "church": ("церква церкви церкві церковь церкви храм храму храмі храма собор собору соборі собора",),
    "stadium": ("стадіон стадіону стадіоні стадион стадиона стадионе",),
    "pharmacy": ("аптека аптеки аптеці аптеку аптекою аптеке аптекой apteka pharmacy",),
    "bar": ("бар бару барі бара баре паб пабу пабі паба пабе bar pub",),
    "cafe": ("кафе кав'ярня кав'ярні кав'ярню кофейня кофейни кофейне піцерія піцерії піцерію пиццерия пиццерии cafe",),
    "playground": ("майданчик майданчику майданчика майданчиком площадка площадки площадке playground",),
    "shop": (
        "магазин магазину магазині магазина магазине магазином супермаркет супермаркету супермаркеті супермаркета shop",
    ),
    "spring": ("джерело джерела джерелі родник родника роднике",),
}
KIND_BY_STEM: dict[str, str] = {}
for _kind, (_words,) in _KIND_WORDS.items():
    for _w in _words.split():
        KIND_BY_STEM.setdefault(stem(_w), _kind)
_TWO_WORD_KINDS = {
    tuple(stem(w) for w in pair.split()): kind
    for pair, kind in (
        ("міська рада", "townhall"),
        ("міської ради", "townhall"),
        ("городской совет", "townhall"),
        ("ж д", "railway_station"),
        ("жд вокзал", "railway_station"),
        ("залізничний вокзал", "railway_station"),
        ("залізнична станція", "railway_station"),
        ("железнодорожный вокзал", "railway_station"),
        ("автобусна станція", "bus_station"),
        ("сервісний центр", "office"),
        ("сервисный центр", "office"),
        ("відділ поліції", "police"),
    )
}
"""Two-word kind names; "вокзал" alone is the railway station, "автовокзал" the bus one."""
BRAND_KINDS = frozenset({"shop", "bar", "cafe"})
"""Kinds residents name by brand alone ("біля АТБ", "возле «Маяка»")."""
NUMBERED_KINDS = frozenset({"school", "lyceum", "pharmacy"})
"""Kinds residents name by number ("5-та школа", "аптека №3")."""
GENERIC_KINDS = frozenset({"school", "pharmacy", "shop", "bar", "cafe", "playground", "park", "church"})
"""Kinds with many members: the kind word alone ("біля магазину") is no place."""
HOUSE_LETTERS = frozenset("абвгдеєжзик")
"""Letters of house numbers ("15а", "2б"); other glued letters make ordinals ("5-ї")."""
SCHOOL_KINDS = frozenset({"school", "lyceum", "gymnasium", "college"})
_SCHOOL_NAME_FILLERS = frozenset(
    {
        "і",
        "іі",
        "ііі",
        "i",
        "ii",
        "iii",
        "ступенів",
        "ступеня",
        "ступеней",
        "загальноосвітня",
        "загальноосвітньої",
        "№",
        "-",
        ".",
        "no",
        "номер",
    }
)
"""Words between 'школа' and its number in official names: 'школа І-ІІІ ступенів № 5'."""
INSTITUTION_KINDS = frozenset({"police", "townhall", "hospital"})
"""Institutions are often the subject of a message ("поліція не приїхала"): a place only
after a relative word or a locative preposition ("з поліцією" is company, not a place)."""
_INSTITUTION_PREPOSITIONS = NEAR_WORDS | {"у", "в", "во", "на", "біля"}
_LOCATIVE_GAP = frozenset(
    stem(w)
    for w in (
        "території територія двір дворі подвір'ї районі районе відділу відділення будівлі здания входу входа"
    ).split()
)

HOLIDAY_WORDS = frozenset(
    {"день", "дня", "дню", "днем", "днём", "свято", "свята", "святом", "святі", "праздник", "праздника", "празднику"}
)
"""Before a street-like name they make a holiday: День Незалежності, День Перемоги."""


def _city_form(word: str, city_keys: frozenset[str], endings: tuple[str, ...]) -> bool:
    """A case form of the city's name (the city profile's ``names.case_endings``: "у
    Києві" for a profile ending "єві"); a street named after the city has other forms,
    except the nominative, which then needs a type word or a house number."""
    return bool(endings) and word.endswith(endings) and bool(word_keys(word) & city_keys)


def _is_ordinal_suffix(tokens: list[Token], i: int) -> bool:
    """'го' in '1-го', 'ї' in '5-ї', 'й' in '5й': a suffix glued to a number."""
    tok = tokens[i]
    if tok.text not in ORDINAL_SUFFIXES or i == 0:
        return False
    prev = tokens[i - 1]
    if prev.is_number and prev.end == tok.start:
        return True
    return prev.text == "-" and i >= 2 and tokens[i - 2].is_number


@lru_cache(maxsize=8192)
def _is_adjective(word: str) -> bool:
    uk, ru = analysers()
    return any("ADJF" in p.tag.grammemes for p in uk.parse(word)) or (
        ru.word_is_known(word) and any("ADJF" in p.tag.grammemes for p in ru.parse(word))
    )


def _script_inflects(word: str) -> bool:
    """Words no dictionary here lemmatises: letters, none of them Cyrillic."""
    return word.isalpha() and not any("\u0400" <= ch <= "\u04ff" for ch in word)


_GENDER_ENDINGS = sorted(
    [(e, "m") for e in ("ий", "ого", "ому", "ім", "ый", "ым", "ом", "ой")]
    + [(e, "f") for e in ("а", "ої", "ій", "у", "ою", "ая", "ую", "ей", "ой")],
    key=lambda pair: -len(pair[0]),
)


def _gender_fit(word: str, alias_word_gender: str | None, oblique: bool = False) -> float:
    """Surface gender agreement: "на Молодіжному" is the microdistrict, "на Молодіжній"
    the street, though both lemmatise to "молодіжний". The longest ending decides; "-ой"
    is both (ru masculine nominative and feminine oblique) and stays neutral, unless a
    preposition put the word in an oblique case ("на Вишневой": feminine)."""
    if alias_word_gender is None:
        return 0.0
    if oblique and word.endswith("ой"):
        return 1.0 if alias_word_gender == "f" else -1.0
    genders = set()
    best = 0
    for ending, gender in _GENDER_ENDINGS:
        if word.endswith(ending):
            if genders and len(ending) < best:
                break
            genders.add(gender)
            best = len(ending)
    if len(genders) != 1:
        return 0.0
    return 1.0 if alias_word_gender in genders else -1.0


_MASCULINE_TYPES = frozenset({"провулок", "проспект", "бульвар", "узвіз", "проїзд", "тупик", "мікрорайон"})


_KNOWN_KINDS = frozenset(STREET_TYPES.values())
"""Types a written type word can be compared with; a type learned from another language's
names ("katu") cannot be told from "улица" written by a Russian speaker."""
_LOOSE_TYPES = frozenset({"вулиця", "провулок"})
"""Residents mix these two up ("вул. Глінки" for провулок Глінки); other types name other places."""

_GOVERNS = {
    **{w: {"loct", "accs", "loc2"} for w in ("на", "в", "у", "во")},
    "по": {"datv", "loct"},
    **{
        w: {"gent", "gen2"}
        for w in (
            "біля",
            "возле",
            "около",
            "коло",
            "поблизу",
            "навпроти",
            "напротив",
            "вздовж",
            "вдоль",
            "від",
            "от",
            "до",
            "рядом",
            "близ",
            "вблизи",
        )
    },
    **{w: {"gent", "gen2", "ablt"} for w in ("з", "із", "зі", "с", "со")},  # from / with
    **{w: {"ablt", "accs"} for w in ("за", "під", "над", "перед", "под", "между")},
}
"""Cases each preposition takes: "на Кленовой собаки" is not "Кленова собака", because
"на" wants the locative and "кленовой собаки" agree only in the genitive."""


@lru_cache(maxsize=16384)
def _agree(adj: str, noun: str, cases: frozenset[str] | None) -> bool:
    uk, ru = analysers()
    for analyser in (uk, ru):
        if not (analyser.word_is_known(adj) and analyser.word_is_known(noun)):
            continue
        adj_forms = {(p.tag.case, p.tag.gender) for p in analyser.parse(adj) if "ADJF" in p.tag.grammemes}
        noun_forms = {
            (p.tag.case, p.tag.gender)
            for p in analyser.parse(noun)
            if "NOUN" in p.tag.grammemes and "Name" not in p.tag.grammemes and "Surn" not in p.tag.grammemes
        }
        shared = adj_forms & noun_forms
        if cases is not None:
            shared = {f for f in shared if f[0] in cases}
        if shared:
            return True
    return False


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


_QUOTES = frozenset({"«", "»", '"', "(", ")"})
