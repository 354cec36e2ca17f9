"""What counts as "the other language" on a page (docs/LANGUAGE.md): shared by the catalogue
test, the AppTest page test and the Chromium walks.

- English pages: no Cyrillic letter outside data.
- Ukrainian pages: no Latin word outside data, except the names and tokens in ALLOWED_LATIN
  (method names, file formats, products, citations, code such as a command line).
- Data is exempt: what residents, files or staff wrote (report text, place and organisation
  names without a name in the reader's language, action descriptions and notes, meeting
  places, user names, audit targets and details) and the language switch's own choices.
"""

from __future__ import annotations

import re

CYRILLIC = re.compile(r"[\u0400-\u04FF]+")
# a Latin word standing alone (letter runs glued to digits, like H3 ids "891e43a5...", are not words)
LATIN_WORD = re.compile(r"(?<![\w*])[A-Za-z][A-Za-z'*]*(?![\w*])")
CODE_SPAN = re.compile(r"`[^`]*`")

#: Latin tokens a Ukrainian page may show: methods, formats, products, citations, units, codes
ALLOWED_LATIN = frozenset(
    """
    H3 Gi* KDE DBSCAN HDBSCAN FDR Getis Ord PEI* PAI WDD SEPP MILP HiGHS Cell Key Method z p
    CSV PDF XLSX JSON DOCX GeoJSON Open311 requests json
    OpenStreetMap OSM contributors Leaflet Telegram Facebook cookie Enter README
    DEMO DATA VZ UTC Europe Kyiv Wheeler Ratcliffe
    Excel Word Office ZIP Desktop
""".split()
)

#: the language switch names both languages on every page
SWITCH_CHOICES = ("Українська", "English")


def foreign_words(text: str, lang: str) -> list[str]:
    """Words of the other language in `text` shown in `lang` (code spans and switch choices are exempt)."""
    plain = CODE_SPAN.sub(" ", text)
    for choice in SWITCH_CHOICES:
        plain = plain.replace(choice, " ")
    if lang == "en":
        return CYRILLIC.findall(plain)
    return [w for w in LATIN_WORD.findall(plain) if w not in ALLOWED_LATIN]
