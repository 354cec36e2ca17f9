"""Names the pages show for the product's codes (categories, category groups), by language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from data.categories import CATEGORIES, GROUPS, rules
from geo.gazetteer import Gazetteer, load_gazetteer
from layers.text import district_names_of


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
    return [
        RuleText(
            names[slug],
            r.rule_en if lang == "en" else r.rule_uk,
            (r.article_en or r.article) if lang == "en" else r.article,
            r.authority,
            r.contact_en if lang == "en" else r.contact_uk,
        )
        for slug, r in rules().items()
    ]


def district_names(lang: str) -> dict[str, str]:
    """Microdistrict id or Ukrainian name -> its name in `lang` (the gazetteer's `name:en`,
    else its own name): the store keeps the id or the local name, the page shows this."""
    return dict(_names_of(load_gazetteer(), lang))


#: (gazetteer id, lang) -> (that gazetteer, its names): a page labels every row of a table
_NAMES: dict[tuple[int, str], tuple[Gazetteer, dict[str, str]]] = {}


def _names_of(gazetteer: Gazetteer, lang: str) -> dict[str, str]:
    known = _NAMES.get((id(gazetteer), lang))
    if known is not None and known[0] is gazetteer:
        return known[1]
    out: dict[str, str] = {}
    shown = district_names_of(gazetteer, lang)
    for d in gazetteer.districts:
        out[d.id] = out[d.name] = shown[d.id]
    if len(_NAMES) > 16:  # tests load many small gazetteers
        _NAMES.clear()
    _NAMES[(id(gazetteer), lang)] = (gazetteer, out)
    return out


def district_label(value: object, lang: str) -> str:
    """One microdistrict as the page shows it; '' for none, an unknown name as it is (data)."""
    return district_labeller(lang)(value)


def district_labeller(lang: str) -> Callable[[object], str]:
    """:func:`district_label` in `lang` with the gazetteer looked up once: a page labels every
    row of a table and every option of a select box (finding the gazetteer in force takes
    path look-ups each time)."""
    names = _names_of(load_gazetteer(), lang)
    return lambda value: names.get(value, value) if isinstance(value, str) and value else ""
