"""Street names for the demo extract: the real ones from sources/*.csv, invented fillers,
their Russian forms and the national (KMU 2010) Latin transliteration.

OSM-UA convention: the name carries the type word in lower case, before a genitive or
person name ("вулиця Соборності", "провулок Глінки") and after an adjective
("Маріупольська вулиця", "Воскресенський провулок"); Russian names follow the same order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from geo.normalize import KMU, KMU_INITIAL

SOURCES = Path(__file__).with_name("sources")

TYPE_RU = {"вулиця": "улица", "провулок": "переулок"}

# the KMU 2010 table of geo.normalize, plus the typographic apostrophes names are spelt with here
_KMU = {**KMU, "’": "", "ʼ": ""}


def translit_uk(text: str) -> str:
    """Ukrainian -> Latin by the KMU 2010 table (word-initial є/ї/й/ю/я, зг -> zgh)."""
    out: list[str] = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low not in _KMU:
            out.append(ch)
            prev = ch
            continue
        initial = not (prev.isalpha() or prev in "'’ʼ")
        if low == "г" and prev.lower() == "з":
            latin = "gh"
        elif initial and low in KMU_INITIAL:
            latin = KMU_INITIAL[low]
        else:
            latin = _KMU[low]
        if ch != low and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        prev = ch
    return "".join(out)


# Real names (current, old and proposed) that are adjectives: the type word goes after.
_REAL_ADJECTIVES = {
    "Маріупольська",
    "Московська",
    "Ольвійська",
    "Варшавська",
    "Харківська",
    "Кленова",
    "Воскресенський",
    "Полуничний",
    "Поетична",
    "Світанкова",
    "Морська",
    "Лісова",
    "Лісна",
    "Рибальська",
    "Рибацька",
    "Європейська",
    "Пушкінська",
    "Софіївська",
    "Херсонська",
    "Кобзарська",
    "Молодогвардійська",
    "Травнева",
    "Щаслива",
}
# Russian forms of the real bare names (current, old and proposed).
_REAL_RU = {
    "Маріупольська": "Мариупольская",
    "Московська": "Московская",
    "Ольвійська": "Ольвийская",
    "Єсеніна": "Есенина",
    "Варшавська": "Варшавская",
    "Льва Толстого": "Льва Толстого",
    "Харківська": "Харьковская",
    "Жуковського": "Жуковского",
    "Марії Примаченко": "Марии Примаченко",
    "Некрасова": "Некрасова",
    "Кленова": "Кленовая",
    "Фадєєва": "Фадеева",
    "Воскресенський": "Воскресенский",
    "Бєлінського": "Белинского",
    "Полуничний": "Клубничный",
    "Герцена": "Герцена",
    "Поетична": "Поэтическая",
    "Декабристів": "Декабристов",
    "Богдана Ступки": "Богдана Ступки",
    "Суворова": "Суворова",
    "Світанкова": "Рассветная",
    "Леваневського": "Леваневского",
    "Морська": "Морская",
    "Нахімова": "Нахимова",
    "Лісова": "Лесная",
    "Лісна": "Лесная",
    "Рибальська": "Рыбальская",
    "Рибацька": "Рыбацкая",
    "Єдності": "Единства",
    "Космодем'янської Зої": "Космодемьянской Зои",
    "Лермонтова": "Лермонтова",
    "Назарія Яремчука": "Назария Яремчука",
    "Маяковського": "Маяковского",
    "Європейська": "Европейская",
    "Пушкінська": "Пушкинская",
    "Софіївська": "Софиевская",
    "Тимірязєва": "Тимирязева",
    "Свободи": "Свободы",
    "Кошового Олега": "Кошевого Олега",
    "Іллі Урмана": "Ильи Урмана",
    "Енгельса": "Энгельса",
    "Херсонська": "Херсонская",
    "1-го Травня": "1 Мая",
    "Кобзарська": "Кобзарская",
    "8-го Березня": "8 Марта",
    "Геннадія Матуляка": "Геннадия Матуляка",
    "Гастелло": "Гастелло",
    "Андрія Бугровенка": "Андрея Бугровенко",
    "Чайковського": "Чайковского",
    "Соборності": "Соборности",
    "Молодогвардійська": "Молодогвардейская",
    "Травнева": "Майская",
    "Щаслива": "Счастливая",
    "Вавілова": "Вавилова",
    "Лобачевського": "Лобачевского",
    "Глінки": "Глинки",
    "Рилєєва": "Рылеева",
    "Чехова": "Чехова",
}

# Invented fillers: (Ukrainian, Russian, adjective?). Kept clear of every real name.
SYNTHETIC_STREETS: tuple[tuple[str, str, bool], ...] = (
    ("Садова", "Садовая", True),
    ("Шкільна", "Школьная", True),
    ("Набережна", "Набережная", True),
    ("Центральна", "Центральная", True),
    ("Польова", "Полевая", True),
    ("Зелена", "Зеленая", True),
    ("Вишнева", "Вишневая", True),
    ("Степова", "Степная", True),
    ("Молодіжна", "Молодежная", True),
    ("Вокзальна", "Вокзальная", True),
    ("Бузька", "Бугская", True),
    ("Одеська", "Одесская", True),
    ("Миколаївська", "Николаевская", True),
    ("Київська", "Киевская", True),
    ("Сонячна", "Солнечная", True),
    ("Виноградна", "Виноградная", True),
    ("Абрикосова", "Абрикосовая", True),
    ("Каштанова", "Каштановая", True),
    ("Липова", "Липовая", True),
    ("Тополина", "Тополиная", True),
    ("Калинова", "Калиновая", True),
    ("Квіткова", "Цветочная", True),
    ("Мирна", "Мирная", True),
    ("Тиха", "Тихая", True),
    ("Нова", "Новая", True),
    ("Заводська", "Заводская", True),
    ("Залізнична", "Железнодорожная", True),
    ("Козацька", "Казацкая", True),
    ("Дніпровська", "Днепровская", True),
    ("Чорноморська", "Черноморская", True),
    ("Весняна", "Весенняя", True),
    ("Лугова", "Луговая", True),
    ("Річкова", "Речная", True),
    ("Озерна", "Озерная", True),
    ("Підгірна", "Подгорная", True),
    ("Гранітна", "Гранитная", True),
    ("Паркова", "Парковая", True),
    ("Спортивна", "Спортивная", True),
    ("Торгова", "Торговая", True),
    ("Ринкова", "Рыночная", True),
    ("Північна", "Северная", True),
    ("Південна", "Южная", True),
    ("Східна", "Восточная", True),
    ("Західна", "Западная", True),
    ("Берегова", "Береговая", True),
    ("Джерельна", "Родниковая", True),
    ("Ясенева", "Ясеневая", True),
    ("Дубова", "Дубовая", True),
    ("Горіхова", "Ореховая", True),
    ("Пасічна", "Пасечная", True),
    ("Чумацька", "Чумацкая", True),
    ("Хліборобна", "Хлеборобная", True),
    ("Гончарна", "Гончарная", True),
    ("Українська", "Украинская", True),
    ("Покровська", "Покровская", True),
    ("Михайлівська", "Михайловская", True),
    ("Успенська", "Успенская", True),
    ("Вознесенська", "Вознесенская", True),
    ("Прибузька", "Прибугская", True),
    ("Ювілейна", "Юбилейная", True),
    ("Гетьманська", "Гетманская", True),
    ("Лесі Українки", "Леси Украинки", False),
    ("Івана Франка", "Ивана Франко", False),
    ("Тараса Шевченка", "Тараса Шевченко", False),
    ("Героїв України", "Героев Украины", False),
    ("Героїв Майдану", "Героев Майдана", False),
    ("Михайла Грушевського", "Михаила Грушевского", False),
    ("Григорія Сковороди", "Григория Сковороды", False),
    ("Івана Мазепи", "Ивана Мазепы", False),
    ("Богдана Хмельницького", "Богдана Хмельницкого", False),
    ("Василя Стуса", "Василия Стуса", False),
    ("Ліни Костенко", "Лины Костенко", False),
    ("Олени Пчілки", "Елены Пчилки", False),
    ("Михайла Коцюбинського", "Михаила Коцюбинского", False),
    ("Пилипа Орлика", "Филиппа Орлика", False),
    ("Івана Котляревського", "Ивана Котляревского", False),
    ("Марка Вовчка", "Марко Вовчка", False),
    ("Олександра Довженка", "Александра Довженко", False),
    ("Миколи Лисенка", "Николая Лысенко", False),
    ("Соломії Крушельницької", "Соломии Крушельницкой", False),
    ("Івана Богуна", "Ивана Богуна", False),
    ("Петра Сагайдачного", "Петра Сагайдачного", False),
    ("Незалежності", "Независимости", False),
    ("Миру", "Мира", False),
    ("Перемоги", "Победы", False),
    ("Захисників України", "Защитников Украины", False),
    ("Добровольців", "Добровольцев", False),
    ("Володимира Великого", "Владимира Великого", False),
    ("Ярослава Мудрого", "Ярослава Мудрого", False),
    ("Данила Галицького", "Даниила Галицкого", False),
    ("Максима Залізняка", "Максима Зализняка", False),
    ("Устима Кармалюка", "Устима Кармелюка", False),
    ("Івана Сірка", "Ивана Сирко", False),
    ("Пантелеймона Куліша", "Пантелеймона Кулиша", False),
    ("Архипа Куїнджі", "Архипа Куинджи", False),
    ("Остапа Вишні", "Остапа Вишни", False),
    ("Олеся Гончара", "Олеся Гончара", False),
    ("Василя Симоненка", "Василия Симоненко", False),
    ("Бориса Грінченка", "Бориса Гринченко", False),
    ("Миколи Аркаса", "Николая Аркаса", False),
    ("Миколи Леонтовича", "Николая Леонтовича", False),
    ("Катерини Білокур", "Екатерины Билокур", False),
    ("Героїв Чорнобиля", "Героев Чернобыля", False),
    ("Козацької Слави", "Казацкой Славы", False),
    ("Січових Стрільців", "Сечевых Стрельцов", False),
    ("Конституції", "Конституции", False),
    ("Степана Руданського", "Степана Руданского", False),
    ("Василя Сухомлинського", "Василия Сухомлинского", False),
    ("Павла Тичини", "Павла Тычины", False),
    ("Максима Рильського", "Максима Рыльского", False),
    ("Будівельників", "Строителей", False),
)
SYNTHETIC_LANES: tuple[tuple[str, str, bool], ...] = (
    ("Садовий", "Садовый", True),
    ("Шкільний", "Школьный", True),
    ("Тихий", "Тихий", True),
    ("Глухий", "Глухой", True),
    ("Зелений", "Зеленый", True),
    ("Вишневий", "Вишневый", True),
    ("Польовий", "Полевой", True),
    ("Степовий", "Степной", True),
    ("Нагірний", "Нагорный", True),
    ("Річковий", "Речной", True),
    ("Джерельний", "Родниковый", True),
    ("Сонячний", "Солнечный", True),
    ("Весняний", "Весенний", True),
    ("Затишний", "Уютный", True),
    ("Кутовий", "Угловой", True),
)


@dataclass(frozen=True)
class Name:
    """One street name in Ukrainian and Russian, with its type word and word order."""

    uk: str
    ru: str
    kind: str  # "вулиця" | "провулок"
    adjective: bool

    def full(self, lang: str = "uk") -> str:
        """The OSM name with the type word: 'вулиця X' / 'X вулиця' (ru, en likewise)."""
        if lang == "en":
            return translit_uk(self.full("uk"))
        base, kind = (self.uk, self.kind) if lang == "uk" else (self.ru, TYPE_RU[self.kind])
        return f"{base} {kind}" if self.adjective else f"{kind} {base}"


@dataclass(frozen=True)
class StreetSpec:
    """A street to draw: current name, optional old name / proposal, provenance."""

    name: Name
    old: Name | None = None
    proposal: Name | None = None
    synthetic: bool = True
    source: str | None = None

    def tags(self) -> dict[str, str]:
        """OSM tags: name, name:uk/ru/en, old_name*, alt_name* and provenance."""
        tags = {
            "name": self.name.full(),
            "name:uk": self.name.full(),
            "name:ru": self.name.full("ru"),
            "name:en": self.name.full("en"),
        }
        for key, other in (("old_name", self.old), ("alt_name", self.proposal)):
            if other is not None:
                tags[key] = other.full()
                tags[f"{key}:ru"] = other.full("ru")
                tags[f"{key}:en"] = other.full("en")
        if self.synthetic:
            tags["synthetic"] = "yes"
        else:
            tags["synthetic"] = "geometry"
            tags["source:name"] = self.source or ""
        return tags


def _real(uk: str, kind: str) -> Name:
    return Name(uk, _REAL_RU[uk], kind, uk in _REAL_ADJECTIVES)


def _strip_type(value: str) -> tuple[str, str | None]:
    """'Кошового Олега (провулок)' -> ('Кошового Олега', 'провулок')."""
    if value.endswith(")") and " (" in value:
        bare, kind = value[:-1].split(" (", 1)
        return bare, kind
    return value, None


def real_streets(sources: Path = SOURCES) -> list[StreetSpec]:
    """Every city street of renamings.csv and known_streets.csv, renamings applied.

    Adopted renaming -> the new name is `name`, the old one `old_name`; a proposal only ->
    the old name stays and the proposal is `alt_name`; an adoption beats a proposal.
    """
    adopted: dict[str, tuple[str, str, str]] = {}
    proposed: dict[str, tuple[str, str, str]] = {}
    with open(sources / "renamings.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["settlement"] != "Вознесенськ":
                continue
            old, old_kind = _strip_type(row["old_name"])
            new, new_kind = _strip_type(row["new_name"])
            kinds = row["object_type"].split("->")
            old_kind = old_kind or kinds[0]
            new_kind = new_kind or kinds[-1]
            target = proposed if row["decision_stage"].startswith("PROPOSED") else adopted
            target[old] = (old_kind, new, new_kind)
    specs: list[StreetSpec] = []
    for old, (old_kind, new, new_kind) in adopted.items():
        specs.append(
            StreetSpec(_real(new, new_kind), old=_real(old, old_kind), synthetic=False, source="sources/renamings.csv")
        )
    for old, (old_kind, new, new_kind) in proposed.items():
        if old in adopted:
            continue
        specs.append(
            StreetSpec(
                _real(old, old_kind), proposal=_real(new, new_kind), synthetic=False, source="sources/renamings.csv"
            )
        )
    with open(sources / "known_streets.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            specs.append(
                StreetSpec(_real(row["name"], row["type"]), synthetic=False, source="sources/known_streets.csv")
            )
    return specs


def synthetic_streets() -> tuple[list[StreetSpec], list[StreetSpec]]:
    """Invented (streets, lanes), in a fixed order."""
    streets = [StreetSpec(Name(uk, ru, "вулиця", adj)) for uk, ru, adj in SYNTHETIC_STREETS]
    lanes = [StreetSpec(Name(uk, ru, "провулок", adj)) for uk, ru, adj in SYNTHETIC_LANES]
    return streets, lanes
