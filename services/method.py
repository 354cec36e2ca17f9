"""The public "how this map is made" text (cell size, k, months, lag, approximate places)."""

from __future__ import annotations

from layers.public import method_markdown


def method_text(lang: str) -> str:
    return method_markdown(lang=lang)
