"""Text helpers for layers/: strings come from the one catalogue (i18n/messages.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from i18n import DEFAULT_LANG, code_label
from i18n import t as tr

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

__all__ = ["code_label", "district_names_of", "plain", "tr"]


def plain(value: object) -> str:
    """A frame cell as text: '' for None/NaN (which pandas would print as 'nan')."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def district_names_of(gazetteer: Gazetteer, lang: str) -> dict[str, str]:
    """Microdistrict id -> its name in `lang`: OSM's ``name:<lang>``, or the local name (in the
    default language, and where the gazetteer has no name in `lang`)."""
    return {
        d.id: (d.names.get(f"name:{lang}") if lang != DEFAULT_LANG else None) or d.name for d in gazetteer.districts
    }
