"""The one category taxonomy of the product.

Every package reads categories from here (slugs, labels, public groups, the privacy k of
each group, whether an offence concerns a public-space asset). The legal rule and the
authority that acts come from ``config/rules.toml``, a file the council still has to
confirm, so that lawyers can change it without touching code.

>>> CATEGORIES["noise"].group
'disorder'
>>> GROUPS["disorder"].k
10
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from data.city_profile import profile

RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "rules.toml"
# The k values are the city profile's ([privacy] k, k_person_linked), read once per process.
DEFAULT_K = profile().privacy.k
PERSON_LINKED_K = profile().privacy.k_person_linked


@dataclass(frozen=True)
class Group:
    """A fixed public category group: the only category filter the public map offers."""

    slug: str
    uk: str
    en: str
    k: int  # minimum count published for a cell / district of this group
    person_linked: bool  # offences that point at people (noise, drinking): larger k


@dataclass(frozen=True)
class Category:
    slug: str
    uk: str
    en: str
    group: str
    public_asset: bool  # about a public-space asset (a lamp, a lawn): never unlocks points

    @property
    def k(self) -> int:
        return GROUPS[self.group].k


GROUPS: dict[str, Group] = {
    g.slug: g
    for g in (
        Group("cleanliness", "Чистота і озеленення", "Cleanliness and greenery", DEFAULT_K, False),
        Group("infrastructure", "Благоустрій і освітлення", "Public space and lighting", DEFAULT_K, False),
        Group("disorder", "Громадський порядок", "Public order", PERSON_LINKED_K, True),
        Group("animals", "Тварини", "Animals", DEFAULT_K, False),
        Group("traffic", "Паркування", "Parking", DEFAULT_K, False),
        Group("other", "Інше", "Other", DEFAULT_K, False),
    )
}

CATEGORIES: dict[str, Category] = {
    c.slug: c
    for c in (
        Category("litter", "Сміття і стихійні звалища", "Litter and illegal dumping", "cleanliness", True),
        Category("greenery", "Пошкодження зелених насаджень", "Damaged greenery", "cleanliness", True),
        Category("parking", "Паркування на газонах і тротуарах", "Parking on lawns and sidewalks", "traffic", True),
        Category("graffiti", "Графіті", "Graffiti", "infrastructure", True),
        Category("vandalism", "Пошкодження майна благоустрою", "Vandalism of public property", "infrastructure", True),
        Category("lighting", "Несправне освітлення", "Broken street lighting", "infrastructure", True),
        Category("unsafe_yard", "Небезпечні двори", "Unsafe yards", "infrastructure", True),
        Category("noise", "Шум уночі", "Noise at night", "disorder", False),
        Category("drinking", "Розпиття алкоголю в громадських місцях", "Drinking in public", "disorder", False),
        Category("animals", "Безпритульні тварини і вигул", "Stray animals and dog walking", "animals", False),
        Category("other", "Інше", "Other", "other", False),
    )
}

SLUGS: tuple[str, ...] = tuple(CATEGORIES)


def label(slug: str, lang: str = "uk") -> str:
    c = CATEGORIES[slug]
    return c.en if lang == "en" else c.uk


@dataclass(frozen=True)
class Rule:
    """The rule broken and who acts on it (to be confirmed by the council)."""

    article: str
    rule_uk: str
    rule_en: str
    authority: str  # police | council | community
    contact_uk: str
    contact_en: str
    article_en: str = ""  # the sanction in English; the Ukrainian one is `article`


@cache
def rules() -> dict[str, Rule]:
    """Rules per category slug from the config file (every slug must have one)."""
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    out = {slug: Rule(**raw["category"][slug]) for slug in SLUGS}
    return out
