"""The one message catalogue of the interface: Ukrainian by default, English on request.

A ``{city}`` placeholder is the city profile's name in that language (data/city_profile.py),
so no message names a city:

>>> t("app.title", "en") == "Safety map: " + profile().names.en
True
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from data.city_profile import profile
from data.messages import Message

CATALOGUE = Path(__file__).resolve().parent / "messages.toml"
LANGS = ("uk", "en")
DEFAULT_LANG = "uk"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {lang: text}; TOML tables are flattened to dotted keys."""
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, node: dict) -> None:
        if "uk" in node and isinstance(node["uk"], str):
            out[prefix] = node
            return
        for name, child in node.items():
            walk(f"{prefix}.{name}" if prefix else name, child)

    walk("", tomllib.loads(CATALOGUE.read_text(encoding="utf-8")))
    return out


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for `key` in `lang`, formatted with `values` (``city`` defaults to the city
    profile's name); unknown keys fail loudly."""
    entry = catalogue()[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    if "{city}" in text and "city" not in values:
        values = {**values, "city": profile().names.get(lang)}
    return text.format(**values) if values else text


def code_label(prefix: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """A machine code (role, owner, status, level, method, audit action) in `lang` via the
    catalogue key `prefix.code`; an unknown code stays visible as it is, never dropped."""
    if not isinstance(code, str) or not code:
        return ""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in catalogue() else code


def say(message: Message, lang: str = DEFAULT_LANG, escape: Callable[[str], str] | None = None) -> str:
    """A stored :class:`data.messages.Message` named in `lang` (catalogue key ``msg.<code>``).

    Text parameters are untrusted data (file names, columns, values from a file): a page that
    renders markup passes its encoder as `escape`; plain-text output needs none. A nested
    message is named in the same language; a code the catalogue lacks fails loudly.

    >>> say(Message("legacy", {"text": "*old* row"}), "en")
    '*old* row'
    """

    def value(param: object) -> object:
        if isinstance(param, Message):
            return say(param, lang, escape)
        if isinstance(param, str) and escape is not None:
            return escape(param)
        return param

    return t("msg." + message.code, lang, **{k: value(v) for k, v in message.params.items()})
