"""The city the deployment serves, for pages: its name and the stem of download names.

Pages may call only services (tests/test_pages_layering.py), so the city profile reaches
them through here.
"""

from __future__ import annotations

import re
import unicodedata

from data.city_profile import profile


def name(lang: str) -> str:
    """The city's name in ``lang`` (the profile's names; English when it has none)."""
    return profile().names.get(lang)


def file_stem() -> str:
    """ASCII stem of download file names: the English name, lower case, '-' for the rest.

    >>> import re; bool(re.fullmatch(r"[a-z0-9-]+", file_stem()))
    True
    """
    plain = unicodedata.normalize("NFKD", profile().names.en).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "city"
