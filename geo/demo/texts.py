"""Resident-style report texts for the synthetic demo data (DEMO DATA — synthetic).

Why this exists: the geocoder, the classifier, the redactor and the de-duplicator must be
tested on text that looks like what Voznesensk residents actually write — Ukrainian,
Russian and surzhyk, streets written with and without "вул."/"ул.", old names from before
the 2022-2024 renamings, typos, inflected forms ("на Маріупольській"), schools by number,
intersections, microdistricts, and personal data that has to be redacted. Every choice is
drawn from the caller's seeded generator so the output is reproducible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pymorphy3

from geo.normalize import KMU

Lang = str  # "uk" | "ru" | "mix" (surzhyk)
LANGS: tuple[Lang, ...] = ("uk", "ru", "mix")
LANG_P: tuple[float, ...] = (0.55, 0.25, 0.20)


def pick(rng: np.random.Generator, items: list[Any] | tuple[Any, ...]) -> Any:
    """One element, drawn with the seeded generator (never the global random state)."""
    return items[int(rng.integers(len(items)))]


# --------------------------------------------------------------------------------------
# Category templates. "{p}" is a prepositional place phrase ("на вул. Соборності, 23",
# "біля ринку", "у нас у дворі"). Several phrasings per language so paraphrased
# duplicates differ from their originals.
# --------------------------------------------------------------------------------------
TEMPLATES: dict[str, dict[Lang, list[str]]] = {
    "litter": {
        "uk": [
            "{p} знову купа сміття, ніхто не прибирає",
            "Стихійне звалище {p}, вже тиждень лежать мішки",
            "{p} переповнені баки, сміття розноситься вітром",
            "Хтось вивантажив будівельне сміття {p}",
            "Після вихідних {p} все засипано пляшками і пакетами",
            "Прохання прибрати {p}, там справжній смітник",
            "{p} викидають сміття прямо на газон",
            "Коли вже вивезуть сміття {p}? Сморід на весь квартал",
        ],
        "ru": [
            "{p} опять гора мусора, никто не убирает",
            "Стихийная свалка {p}, мешки лежат уже неделю",
            "{p} переполнены мусорные баки",
            "Кто-то вывалил строительный мусор {p}",
            "После выходных {p} всё в бутылках и пакетах",
            "Когда уберут мусор {p}? Воняет на весь квартал",
        ],
        "mix": [
            "{p} опять сміття кругом, шо за люди",
            "Ну шо це таке, {p} мусор вже тиждень лежить",
            "{p} баки переповнені, сміття валяється по всьому двору",
            "Люди добрі, {p} знов звалка, хто за це отвічає?",
        ],
    },
    "parking": {
        "uk": [
            "{p} машини стоять прямо на газоні",
            "{p} паркуються на тротуарі, пішоходам нема де пройти",
            "Знову {p} автівки на зеленій зоні, газон знищено",
            "{p} заставили весь тротуар, з візком не пройти",
            "Прошу перевірити паркування {p}, ставлять на газон щоранку",
            "{p} водії паркуються на пішохідному переході",
        ],
        "ru": [
            "{p} машины стоят прямо на газоне",
            "{p} паркуются на тротуаре, пройти невозможно",
            "Опять {p} все газоны в машинах",
            "{p} заставили весь тротуар, с коляской не пройти",
            "{p} каждое утро ставят машины на газон",
        ],
        "mix": [
            "{p} опять машини на газоні, шо за безобразіє",
            "{p} паркуються як хочуть, тротуар весь заставлений",
            "Скока можна, {p} знову машини на травці стоять",
        ],
    },
    "greenery": {
        "uk": [
            "{p} зрізали дерева без жодного дозволу",
            "{p} поламали молоді саджанці",
            "{p} хтось знищив клумбу",
            "{p} обламали гілки каштанів",
            "{p} вирубують кущі, це законно?",
        ],
        "ru": [
            "{p} спилили деревья без разрешения",
            "{p} сломали молодые саженцы",
            "{p} кто-то вытоптал клумбу",
            "{p} обломали ветки у каштанов",
        ],
        "mix": [
            "{p} опять дерева пиляють, хто дозволив?",
            "{p} всі саджанці поламали, жалко аж сльози",
        ],
    },
    "graffiti": {
        "uk": [
            "{p} розмалювали стіну графіті",
            "{p} на фасаді з'явились написи фарбою",
            "{p} на зупинці нові графіті, ще й з рекламою наркотиків",
            "{p} зафарбували всі стіни балончиками",
        ],
        "ru": [
            "{p} разрисовали стену граффити",
            "{p} на остановке новые надписи краской",
            "{p} опять рисуют баллончиками по фасаду",
        ],
        "mix": [
            "{p} знов стіни розрисували, реклама якихось солей",
            "{p} шось понаписували фарбою на всьому паркані",
        ],
    },
    "vandalism": {
        "uk": [
            "{p} зламали лавку",
            "{p} розбили скло на зупинці",
            "{p} вандали зламали гойдалку на дитячому майданчику",
            "{p} перевернули урни і погнули огорожу",
            "{p} пошкодили нові лавки, які щойно поставили",
        ],
        "ru": [
            "{p} сломали скамейку",
            "{p} разбили стекло на остановке",
            "{p} сломали качели на детской площадке",
            "{p} перевернули урны и погнули забор",
        ],
        "mix": [
            "{p} опять лавочки поламали, шо за вандали",
            "{p} гойдалку зломали, діткам нема де гратись",
        ],
    },
    "lighting": {
        "uk": [
            "{p} не горять ліхтарі, ввечері темно хоч око виколи",
            "{p} вже тиждень не працює вуличне освітлення",
            "{p} темно, ліхтар не світить, страшно ходити",
            "Прохання полагодити освітлення {p}",
            "{p} блимає ліхтар і потім гасне зовсім",
        ],
        "ru": [
            "{p} не горят фонари, вечером темно",
            "{p} уже неделю не работает освещение",
            "{p} темно, фонарь не светит, страшно ходить",
            "Просьба починить освещение {p}",
        ],
        "mix": [
            "{p} опять ліхтарі не горять, темнотіща",
            "Коли вже включать свєт {p}? Ходим з фонариками",
        ],
    },
    "unsafe_yard": {
        "uk": [
            "{p} у дворі збирається підозріла компанія, мешканці бояться виходити",
            "{p} відкритий підвал, туди лазять діти",
            "{p} у дворі розкопана яма без огорожі",
            "{p} у дворі щовечора якісь люди, страшно з дитиною гуляти",
            "{p} зламаний люк у дворі, хтось впаде",
        ],
        "ru": [
            "{p} во дворе собирается подозрительная компания",
            "{p} открыт подвал, туда лазят дети",
            "{p} во дворе яма без ограждения",
            "{p} во дворе каждый вечер какие-то личности, страшно гулять",
        ],
        "mix": [
            "{p} у дворі якісь мутні типи тусуються кожен вечір",
            "{p} відкритий люк, діти там бігають, шо чекаємо?",
        ],
    },
    "noise": {
        "uk": [
            "{p} знову гучна музика після опівночі",
            "{p} всю ніч кричать і співають, неможливо спати",
            "{p} галасують до третьої ночі",
            "{p} вночі ганяють на мотоциклах без глушника",
            "{p} гучна вечірка, вже друга ночі",
        ],
        "ru": [
            "{p} опять громкая музыка после полуночи",
            "{p} всю ночь орут, спать невозможно",
            "{p} шумят до трёх ночи",
            "{p} ночью гоняют на мотоциклах",
        ],
        "mix": [
            "{p} опять музика на всю катушку, вже ніч",
            "{p} орут до утра, діти не сплять",
            "Шо за безпредел {p}, кожну ніч шум",
        ],
    },
    "drinking": {
        "uk": [
            "{p} щовечора розпивають алкоголь",
            "{p} компанія п'є просто на лавці",
            "{p} збираються випивати, залишають пляшки",
            "{p} п'яні біля дитячого майданчика",
            "{p} розпивають спиртне прямо біля магазину",
        ],
        "ru": [
            "{p} каждый вечер распивают алкоголь",
            "{p} компания пьёт прямо на лавочке",
            "{p} пьяные возле детской площадки",
            "{p} распивают спиртное прямо у магазина",
        ],
        "mix": [
            "{p} опять бухають на лавочці, пляшки кругом",
            "{p} п'яні компанії кожен вечір, шо робить поліція?",
        ],
    },
    "animals": {
        "uk": [
            "{p} зграя безпритульних собак кидається на людей",
            "{p} вигулюють собак без повідка і намордника",
            "{p} бродячі собаки лякають дітей",
            "{p} господарі не прибирають за собаками",
            "{p} бігає агресивний пес без нашийника",
        ],
        "ru": [
            "{p} стая бездомных собак бросается на людей",
            "{p} выгуливают собак без поводка и намордника",
            "{p} бродячие собаки пугают детей",
            "{p} хозяева не убирают за собаками",
        ],
        "mix": [
            "{p} собаки бродячі зграєю бігають, страшно",
            "{p} вигулюють собак без намордніка прямо на площадці",
        ],
    },
    "other": {
        "uk": [
            "{p} відкритий колодязь, треба закрити",
            "{p} розкидані шприци",
            "{p} обірвані дроти висять над тротуаром",
            "{p} розбита дорога, глибока яма",
        ],
        "ru": [
            "{p} открытый колодец, надо закрыть",
            "{p} валяются шприцы",
            "{p} висят оборванные провода",
        ],
        "mix": [
            "{p} якісь дроти висять прямо над тротуаром, опасно",
            "{p} шприци валяються, діти ж там ходять",
        ],
    },
}

PREFIXES: dict[Lang, list[str]] = {
    "uk": [
        "",
        "",
        "",
        "",
        "Доброго дня! ",
        "Шановна поліціє, ",
        "Люди, ",
        "Скільки можна! ",
        "Звертаюсь до міськради: ",
        "Увага! ",
        "Добрий вечір. ",
    ],
    "ru": [
        "",
        "",
        "",
        "",
        "Добрый день! ",
        "Уважаемая полиция, ",
        "Люди, ",
        "Сколько можно! ",
        "Обращаюсь в горсовет: ",
    ],
    "mix": ["", "", "", "Люди добрі, ", "Шо творится! ", "Доброго дня, ", "Слухайте, "],
}
SUFFIXES: dict[Lang, list[str]] = {
    "uk": [
        "",
        "",
        "",
        ".",
        ".",
        "!",
        "!!!",
        ". Прошу вжити заходів.",
        ". Скільки можна?",
        ". Дякую.",
        ". Фото додаю.",
        " 😡",
        ". Зверталися вже не раз.",
    ],
    "ru": ["", "", "", ".", ".", "!", "!!!", ". Примите меры.", ". Сколько можно?", ". Спасибо.", " 😡"],
    "mix": ["", "", ".", "!", "!!!", ". Примите міри.", " 😡", ". Скока можна?"],
}

# Texts that cannot be placed: the place is "here" for the writer only.
VAGUE_PLACES: dict[Lang, list[str]] = {
    "uk": [
        "у нас у дворі",
        "біля нашого під'їзду",
        "на нашій вулиці",
        "біля будинку",
        "у нашому районі",
        "під вікнами",
        "біля магазину",
        "на зупинці",
    ],
    "ru": ["у нас во дворе", "возле нашего подъезда", "на нашей улице", "возле дома", "в нашем районе", "под окнами"],
    "mix": ["у нас у дворі", "возле нашого дому", "на нашій улиці", "під окнами", "біля подїзду"],
}

# Time references the "when" parser should read (DESIGN.md occurred_at_source = text).
TIME_PHRASES: dict[str, dict[Lang, list[str]]] = {
    "yesterday_evening": {
        "uk": ["Вчора ввечері", "Учора ввечері", "Вчора увечері"],
        "ru": ["Вчера вечером", "Вчера вечером"],
        "mix": ["Вчора вечером", "Вчєра ввечері"],
    },
    "last_night": {
        "uk": ["Сьогодні вночі", "Цієї ночі", "Минулої ночі"],
        "ru": ["Сегодня ночью", "Этой ночью"],
        "mix": ["Сьогодні ночю", "Цієї ночі"],
    },
}

# --------------------------------------------------------------------------------------
# Street names: abbreviations, old names, Russian forms, inflection, typos.
# --------------------------------------------------------------------------------------
TYPE_ABBR: dict[str, dict[Lang, list[str]]] = {
    "вулиця": {"uk": ["вул. ", "вул.", "вулиця ", "", "", "в. "], "ru": ["ул. ", "ул.", "улица ", "", ""]},
    "провулок": {"uk": ["пров. ", "провулок ", "пров."], "ru": ["пер. ", "переулок ", "пер."]},
    "проспект": {"uk": ["просп. ", "проспект ", "пр. "], "ru": ["пр. ", "проспект ", "пр-т "]},
    "площа": {"uk": ["пл. ", "площа "], "ru": ["пл. ", "площадь "]},
    "бульвар": {"uk": ["бульв. ", "бульвар "], "ru": ["бул. ", "бульвар "]},
    "узвіз": {"uk": ["узвіз "], "ru": ["спуск "]},
}
_UK_TO_RU = str.maketrans({"і": "и", "ї": "и", "є": "е", "'": "ь", "’": "ь", "І": "И", "Ї": "И", "Є": "Е"})
_UK_TO_RU_WORDS = (("ська", "ская"), ("цька", "цкая"), ("зька", "зкая"), ("ський", "ский"), ("цький", "цкий"))


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="uk")


@dataclass(frozen=True)
class StreetForms:
    """All written forms of one street the generator may use (current, old, Russian)."""

    uk: str
    ru: str
    old_uk: str | None
    old_ru: str | None
    type: str


def ru_from_uk(name: str) -> str:
    """A Russian spelling residents would write when no name:ru tag exists."""
    out = name
    for uk, ru in _UK_TO_RU_WORDS:
        if out.endswith(uk):
            out = out[: -len(uk)] + ru
    return out.translate(_UK_TO_RU)


def _is_feminine_adjective_uk(name: str) -> bool:
    """Only single-word adjectival names inflect ("Маріупольська"); genitive names
    ("Соборності", "Вавілова", "Іллі Урмана") stay as written."""
    if " " in name or not name.endswith("а"):
        return False
    if name.endswith(("ська", "цька", "зька")):
        return True
    tag = _morph().parse(name)[0].tag
    return "ADJF" in tag or ("Surn" in tag and "femn" in tag)


def _is_masculine_adjective_uk(name: str) -> bool:
    return " " not in name and name.endswith(("ий", "ій"))


def inflect(name: str, lang: Lang, case: str) -> str:
    """Locative ("на Маріупольській") or genitive ("розі Маріупольської") of a street name."""
    if lang == "ru":
        if name.endswith("ая"):
            return name[:-2] + "ой"
        if name.endswith(("ый", "ий")) and " " not in name:
            return name[:-2] + ("ом" if case == "loct" else "ого")
        return name
    if _is_feminine_adjective_uk(name):
        return name[:-1] + ("ій" if case == "loct" else "ої")
    if _is_masculine_adjective_uk(name):
        return name[:-2] + ("ому" if case == "loct" else "ого")
    return name


def typo(rng: np.random.Generator, word: str) -> str:
    """One realistic keyboard or spelling slip (never on words shorter than 5 letters)."""
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(5))
    if kind == 1:  # doubled letter
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i >= 2:  # swapped neighbours
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 3:  # і/и and е/є confusion
        swaps = {"і": "и", "и": "і", "е": "є", "є": "е", "ь": "", "'": ""}
        for j, ch in enumerate(word):
            if ch in swaps:
                return word[:j] + swaps[ch] + word[j + 1 :]
        return word
    if kind == 4:
        return word[0].lower() + word[1:]  # lower-case start
    return word[:i] + word[i + 1 :]


@dataclass
class Rendered:
    """A text plus what a perfect geocoder should find in it (the ground truth)."""

    text: str
    place_text: str = ""
    street: str = ""  # current official Ukrainian name
    street2: str = ""
    house: str = ""
    landmark_id: str = ""
    district: str = ""
    variants: list[str] = field(default_factory=list)  # old_name, ru, typo, inflected, abbr


def street_written(rng: np.random.Generator, forms: StreetForms, lang: Lang, case: str, variants: list[str]) -> str:
    """The street as a resident writes it: maybe old name, maybe Russian, maybe a typo."""
    wlang = "ru" if lang == "ru" or (lang == "mix" and rng.random() < 0.5) else "uk"
    use_old = forms.old_uk is not None and rng.random() < 0.4
    if use_old:
        variants.append("old_name")
        name = forms.old_ru if wlang == "ru" and forms.old_ru else forms.old_uk
    else:
        name = forms.ru if wlang == "ru" else forms.uk
    if wlang == "ru":
        variants.append("ru")
    assert name is not None
    if case != "nomn":
        inflected = inflect(name, wlang, case)
        if inflected != name:
            variants.append("inflected")
        name = inflected
    if rng.random() < 0.08:
        variants.append("typo")
        name = typo(rng, name)
    abbr = pick(rng, TYPE_ABBR.get(forms.type, TYPE_ABBR["вулиця"])[wlang])
    if abbr:
        variants.append("abbr" if len(abbr.strip()) <= 5 else "type_word")
        if case != "nomn" and abbr.strip() in ("вулиця", "улица", "провулок", "переулок", "площа", "площадь"):
            abbr = {
                "вулиця": "вулиці ",
                "улица": "улице ",
                "провулок": "провулку ",
                "переулок": "переулке ",
                "площа": "площі ",
                "площадь": "площади ",
            }[abbr.strip()]
    return abbr + name


ADDRESS_SHAPES: dict[str, list[tuple[str, str]]] = {  # (shape, grammatical case of the street)
    "uk": [
        ("біля будинку {h} на {s}", "loct"),
        ("за адресою {s}, {h}", "nomn"),
        ("{s} {h}", "nomn"),
        ("на {s}, буд. {h}", "loct"),
        ("біля буд. {h} по {s}", "loct"),
        ("{s}, {h}", "nomn"),
    ],
    "ru": [
        ("возле дома {h} по {s}", "loct"),
        ("по адресу {s}, {h}", "nomn"),
        ("{s} {h}", "nomn"),
        ("на {s}, д. {h}", "loct"),
        ("у дома {s} {h}", "nomn"),
        ("{s}, {h}", "nomn"),
    ],
}


def address_phrase(rng: np.random.Generator, forms: StreetForms, house: str, lang: Lang, variants: list[str]) -> str:
    """A full address in one of the many shapes residents use."""
    ru = lang == "ru" or (lang == "mix" and rng.random() < 0.4)
    shape, case = pick(rng, ADDRESS_SHAPES["ru" if ru else "uk"])
    street = street_written(rng, forms, "ru" if ru else lang, case, variants)
    return shape.format(h=house, s=street)


def street_phrase(rng: np.random.Generator, forms: StreetForms, lang: Lang, variants: list[str]) -> str:
    """Street only: "на Соборності", "по Маріупольській", "на ул. Мариупольской"."""
    prep = pick(rng, ["на ", "на ", "по "] if lang != "ru" else ["на ", "по ", "на "])
    return prep + street_written(rng, forms, lang, "loct", variants)


def intersection_phrase(
    rng: np.random.Generator, a: StreetForms, b: StreetForms, lang: Lang, variants: list[str]
) -> str:
    """ "на розі X і Y", "перехрестя X та Y", "угол X и Y", "X / Y"."""
    ru = lang == "ru" or (lang == "mix" and rng.random() < 0.4)
    shape = int(rng.integers(4))
    if shape == 3:
        return f"{street_written(rng, a, lang, 'nomn', variants)} / {street_written(rng, b, lang, 'nomn', variants)}"
    x = street_written(rng, a, "ru" if ru else "uk", "gent", variants)
    y = street_written(rng, b, "ru" if ru else "uk", "gent", variants)
    if ru:
        return [f"на углу {x} и {y}", f"на перекрёстке {x} и {y}", f"угол {x} и {y}"][shape]
    return [f"на розі {x} і {y}", f"на перехресті {x} та {y}", f"ріг {x} і {y}"][shape]


LANDMARK_PHRASES: dict[str, dict[str, list[str]]] = {
    "market": {
        "uk": ["біля ринку", "на ринку", "коло центрального ринку", "на базарі", "біля базару"],
        "ru": ["возле рынка", "на рынке", "возле центрального рынка", "на базаре"],
    },
    "bus_station": {
        "uk": ["біля автостанції", "на автовокзалі", "коло автостанції", "на автостанції"],
        "ru": ["возле автостанции", "на автовокзале", "у автовокзала"],
    },
    "railway_station": {
        "uk": ["біля вокзалу", "на залізничному вокзалі", "коло вокзалу", "біля залізничної станції"],
        "ru": ["возле вокзала", "на ж/д вокзале", "у вокзала"],
    },
    "hospital": {
        "uk": ["біля лікарні", "коло лікарні", "біля ЦРЛ", "біля районної лікарні"],
        "ru": ["возле больницы", "у больницы", "возле ЦРБ"],
    },
    "townhall": {
        "uk": ["біля міськради", "коло виконкому", "біля міської ради"],
        "ru": ["возле горсовета", "у исполкома"],
    },
    "police": {
        "uk": ["біля відділку поліції", "коло райвідділу поліції"],
        "ru": ["возле отделения полиции", "у райотдела"],
    },
    "lyceum": {"uk": ["біля ліцею", "коло ліцею", "біля Вознесенського ліцею"], "ru": ["возле лицея", "у лицея"]},
    "office": {"uk": ["біля сервісного центру МВС", "коло сервісного центру"], "ru": ["возле сервисного центра МВД"]},
}
NUMBERED_PHRASES: dict[str, dict[str, list[str]]] = {
    "school": {
        "uk": [
            "біля школи №{n}",
            "коло {n}-ї школи",
            "біля ЗОШ №{n}",
            "біля {n} школи",
            "біля школи № {n}",
            "біля ЗОШ {n}",
        ],
        "ru": ["возле школы №{n}", "возле {n}-й школы", "у {n} школы", "около школы номер {n}"],
    },
    "pharmacy": {"uk": ["біля аптеки №{n}", "коло аптеки № {n}"], "ru": ["возле аптеки №{n}"]},
}
# The head word of a named place in the genitive (uk, ru): "біля бару «Маяк»".
HEAD_GENITIVE: dict[str, tuple[str, str]] = {
    "магазин": ("магазину", "магазина"),
    "бар": ("бару", "бара"),
    "паб": ("пабу", "паба"),
    "кафе-бар": ("кафе-бару", "кафе-бара"),
    "кафе": ("кафе", "кафе"),
    "кав'ярня": ("кав'ярні", "кофейни"),
    "піцерія": ("піцерії", "пиццерии"),
}
_QUOTED = re.compile(r"«([^»]+)»")


def _genitive_phrase_uk(name: str) -> str:
    """Enough Ukrainian genitive for church names: "Свято-Покровська церква" -> "...ської церкви"."""
    out = []
    for w in name.split():
        if w.endswith("ська"):
            w = w[:-1] + "ої"
        elif w.lower() == "церква":
            w = w[:-1] + "и"
        elif w.lower() == "собор":
            w += "у"
        out.append(w)
    return " ".join(out)


def _genitive_phrase_ru(name: str) -> str:
    """Russian counterpart: "Свято-Покровская церковь" -> "Свято-Покровской церкви"."""
    out = []
    for w in name.split():
        if w.endswith("ская"):
            w = w[:-2] + "ой"
        elif w.lower() == "церковь":
            w = w[:-2] + "и"
        elif w.lower() == "собор":
            w += "а"
        out.append(w)
    return " ".join(out)


def landmark_phrase(rng: np.random.Generator, lm: dict[str, Any], lang: Lang, variants: list[str]) -> str:
    """How residents point at a landmark: by kind ("біля ринку"), number ("5-ї школи") or name."""
    ru = lang == "ru" or (lang == "mix" and rng.random() < 0.5)
    key = "ru" if ru else "uk"
    kind, number, name = lm["kind"], lm.get("number"), lm["name"]
    if kind in NUMBERED_PHRASES and number:
        variants.append("landmark_number")
        return pick(rng, NUMBERED_PHRASES[kind][key]).format(n=number)
    if kind in LANDMARK_PHRASES:
        variants.append("landmark_kind")
        return pick(rng, LANDMARK_PHRASES[kind][key])
    variants.append("landmark_name")
    near = "возле" if ru else pick(rng, ["біля", "біля", "коло"])
    quoted = _QUOTED.search(name)
    if kind == "playground":
        label = f" «{quoted.group(1)}»" if quoted else ""
        return f"на детской площадке{label}" if ru else f"на дитячому майданчику{label}"
    if quoted:
        head = name[: quoted.start()].strip().lower()
        words = HEAD_GENITIVE.get(head)
        if words and rng.random() < 0.8:
            return f"{near} {words[1 if ru else 0]} «{quoted.group(1)}»"
        return f"{near} «{quoted.group(1)}»" if rng.random() < 0.5 else f"{near} {quoted.group(1)}"
    words = name.split()
    if kind == "park":
        if words[0].lower() == "парк":
            return f"в {'парке' if ru else 'парку'} {' '.join(words[1:])}"
        if words[-1].lower() == "сквер" and len(words) == 2:
            adj = words[0]
            return f"в {adj[:-2]}ом сквере" if ru else f"у {adj[:-2]}ому сквері"
    if kind == "church":
        return (
            f"{near} {_genitive_phrase_ru((lm.get('names') or {}).get('name:ru', name))}"
            if ru
            else f"{near} {_genitive_phrase_uk(name)}"
        )
    return f"{near} {name}"


def district_phrase(rng: np.random.Generator, name_uk: str, name_ru: str, lang: Lang, variants: list[str]) -> str:
    """Microdistricts: "на Болгарці", "на Заречье", "в районі Привокзального"."""
    ru = lang == "ru" or (lang == "mix" and rng.random() < 0.5)
    variants.append("district")
    if ru:
        if name_ru.endswith("ка"):
            return f"на {name_ru[:-1]}е"
        if name_ru.endswith("ье"):
            return f"на {name_ru}"
        if name_ru.endswith(("ый", "ий")):
            return pick(rng, [f"на {name_ru[:-2]}ом", f"в районе {name_ru[:-2]}ого"])
        if name_ru == "Центр":
            return pick(rng, ["в центре", "в центре города"])
        return f"в районе {name_ru}"
    if name_uk.endswith("ка"):
        return f"на {name_uk[:-2]}ці"
    if name_uk.endswith("я"):
        return f"на {name_uk[:-1]}і"
    if name_uk.endswith(("ий", "ій")):
        return pick(rng, [f"на {name_uk[:-2]}ому", f"в районі {name_uk[:-2]}ого", f"в мікрорайоні {name_uk}"])
    if name_uk == "Центр":
        return pick(rng, ["в центрі", "у центрі міста"])
    return f"в районі {name_uk}"


OPERATOR_PREFIXES = [
    "Заявник повідомляє: ",
    "Заявниця повідомляє: ",
    "Мешканці скаржаться: ",
    "Скарга: ",
    "Повідомлення: ",
    "",
]


def compose(
    rng: np.random.Generator, category: str, lang: Lang, place: str, time_phrase: str = "", *, operator: bool = False
) -> str:
    """Template + optional greeting, time phrase and ending; a leading place is capitalised.

    ``operator``: a hotline operator's retelling (formal prefix, no emoji, always Ukrainian).
    """
    tpl = pick(rng, TEMPLATES[category][lang])
    body = tpl.format(p=place)
    if time_phrase:
        body = f"{time_phrase} {body[0].lower()}{body[1:]}"
    if operator:
        prefix = pick(rng, OPERATOR_PREFIXES)
        return (prefix + (body[0].lower() + body[1:] if prefix else body[0].upper() + body[1:])).rstrip(".") + "."
    body = body[0].upper() + body[1:]
    prefix = pick(rng, PREFIXES[lang])
    if prefix:
        body = prefix + (body[0].lower() + body[1:] if prefix.rstrip().endswith(",") else body)
    return body + pick(rng, SUFFIXES[lang])


# --------------------------------------------------------------------------------------
# Personal data to be redacted (all invented).
# --------------------------------------------------------------------------------------
FIRST_NAMES = [
    "Олена",
    "Ірина",
    "Наталія",
    "Тетяна",
    "Світлана",
    "Оксана",
    "Юлія",
    "Марина",
    "Галина",
    "Людмила",
    "Андрій",
    "Олександр",
    "Сергій",
    "Володимир",
    "Микола",
    "Іван",
    "Дмитро",
    "Віктор",
    "Василь",
    "Петро",
]
SURNAMES = [
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Шевчук",
    "Кравченко",
    "Мельник",
    "Олійник",
    "Поліщук",
    "Лисенко",
    "Руденко",
    "Савченко",
    "Петренко",
    "Мороз",
    "Гончаренко",
    "Марченко",
    "Левченко",
    "Кузьменко",
    "Павленко",
    "Зінченко",
    "Тимошенко",
]
# The first ten first names are women's, the rest men's (patronymics must agree).
PATRONYMICS = {
    "f": ["Іванівна", "Петрівна", "Миколаївна", "Василівна", "Олександрівна", "Сергіївна"],
    "m": ["Іванович", "Петрович", "Миколайович", "Васильович", "Олександрович", "Сергійович"],
}


def patronymic(rng: np.random.Generator, first: str) -> str:
    return pick(rng, PATRONYMICS["f" if FIRST_NAMES.index(first) < 10 else "m"])


PLATE_LETTERS = "АВЕІКМНОРСТХ"
EMAIL_HOSTS = ["ukr.net", "gmail.com", "i.ua", "meta.ua"]
_TRANSLIT = str.maketrans(KMU)  # KMU 2010, letter by letter (e-mail and handle stems)


def person_name(rng: np.random.Generator) -> tuple[str, str]:
    first, last = pick(rng, FIRST_NAMES), pick(rng, SURNAMES)
    return first, last


def latin(word: str) -> str:
    return word.lower().translate(_TRANSLIT)


def phone(rng: np.random.Generator) -> str:
    op = pick(rng, ["067", "068", "096", "097", "050", "066", "095", "063", "073", "093"])
    d = [int(x) for x in rng.integers(0, 10, size=7)]
    s = "".join(map(str, d))
    return pick(
        rng,
        [
            f"+38{op}{s}",
            f"{op}-{s[:3]}-{s[3:5]}-{s[5:]}",
            f"{op} {s[:3]} {s[3:5]} {s[5:]}",
            f"+38 ({op}) {s[:3]}-{s[3:5]}-{s[5:]}",
            f"{op}{s}",
        ],
    )


def plate(rng: np.random.Generator) -> str:
    """Mykolaiv-oblast plates start with ВЕ/НЕ; residents write them with or without spaces."""
    region = pick(rng, ["ВЕ", "ВЕ", "НЕ", "ВН"])
    digits = "".join(str(int(x)) for x in rng.integers(0, 10, size=4))
    tail = pick(rng, list(PLATE_LETTERS)) + pick(rng, list(PLATE_LETTERS))
    return pick(rng, [f"{region} {digits} {tail}", f"{region}{digits}{tail}", f"{region}{digits} {tail}"])


def pii_sentence(rng: np.random.Generator, lang: Lang, category: str) -> tuple[str, str, str]:
    """(sentence, kind, value): one piece of personal data a resident adds to a report."""
    kinds = (
        ["phone", "email", "handle", "name", "plate"]
        if category == "parking"
        else ["phone", "phone", "email", "handle", "name", "name"]
    )
    kind = pick(rng, kinds)
    ru = lang == "ru"
    first, last = person_name(rng)
    if kind == "phone":
        v = phone(rng)
        s = pick(
            rng,
            [f"Мій номер {v}", f"Тел. {v}", f"Телефонуйте {v}"]
            if not ru
            else [f"Мой номер {v}", f"Тел. {v}", f"Звоните {v}"],
        )
    elif kind == "email":
        v = f"{latin(first)}.{latin(last)}{int(rng.integers(1, 99))}@{pick(rng, EMAIL_HOSTS)}"
        s = f"Пишіть на {v}" if not ru else f"Пишите на {v}"
    elif kind == "handle":
        v = f"@{latin(first)}_{latin(last)[:5]}"
        s = pick(
            rng,
            [f"{v} підтвердить", f"cc {v}", f"{v}, ви бачили?"] if not ru else [f"{v} подтвердит", f"{v}, вы видели?"],
        )
    elif kind == "plate":
        v = plate(rng)
        s = pick(
            rng,
            [f"Номер авто {v}", f"Машина {v} стоїть там щодня"]
            if not ru
            else [f"Номер машины {v}", f"Машина {v} стоит там каждый день"],
        )
    else:
        v = pick(
            rng, [f"{last} {first}", f"{first} {last}", f"{last} {first[0]}.", f"{first} {patronymic(rng, first)}"]
        )
        s = pick(
            rng,
            [f"Це сусід {v}, всі знають", f"Заявник {v}", f"Знову {v} з третього під'їзду"]
            if not ru
            else [f"Это сосед {v}, все знают", f"Опять {v} из третьего подъезда"],
        )
    return s, kind, v
