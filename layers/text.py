"""Text helpers for layers/: strings come from the one catalogue (i18n/messages.toml)."""

from __future__ import annotations

from i18n import code_label
from i18n import t as tr

__all__ = ["code_label", "plain", "tr"]


def plain(value: object) -> str:
    """A frame cell as text: '' for None/NaN (which pandas would print as 'nan')."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
