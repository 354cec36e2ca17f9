"""Regex helpers shared by the text steps of the intake (time phrases, keyword rules).

Why: Python's ``re`` tries every alternative of ``a|b|c|...`` at every position, so a
pattern of a few hundred words costs tens of microseconds a report. Written as a trie
(``в(?:чора|ечері)|...``), a position only tries the words that share its first letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_Trie = dict[str, "_Trie"]


def literal_union(words: Iterable[str]) -> str:
    """A regex (no groups) that matches where one of ``words`` starts, as a trie.

    It matches the shortest such word (a longer word that extends a shorter one adds
    nothing to "does any word start here"), so use it to find, not to take the longest.

    >>> literal_union(["вчора", "вчера", "вдень"])
    'в(?:день|ч(?:ера|ора))'
    >>> bool(re.fullmatch(literal_union(["ab", "abc", "b"]), "ab"))
    True
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        if "" in node:  # a shorter word already matches here
            return ""
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)
