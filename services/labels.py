"""Names the pages show for the product's codes (categories, category groups), by language."""

from __future__ import annotations

from dataclasses import dataclass

from data.categories import CATEGORIES, GROUPS, rules


def category_names(lang: str) -> dict[str, str]:
    """Category slug -> its name in `lang`, in the catalogue's order."""
    return {slug: (c.en if lang == "en" else c.uk) for slug, c in CATEGORIES.items()}


def group_names(lang: str) -> dict[str, str]:
    """Category group -> its name in `lang`."""
    return {slug: (g.en if lang == "en" else g.uk) for slug, g in GROUPS.items()}


@dataclass(frozen=True)
class RuleText:
    category: str
    rule: str
    article: str
    authority: str  # an owner code (police | council | community)
    contact: str


def rules_in(lang: str) -> list[RuleText]:
    """Each category's rule, sanction article, acting authority and contact, in `lang`."""
    names = category_names(lang)
    return [RuleText(names[slug], r.rule_en if lang == "en" else r.rule_uk, r.article, r.authority,
                     r.contact_en if lang == "en" else r.contact_uk) for slug, r in rules().items()]
