"""The PII test set of issue 17 (tests/data/pii_kinds.csv) and how a redaction is scored on it.

Why a token count and not "the item is gone": a half-redacted item ("нуль шістдесят сім
[телефон]", "ivan.petrenko (at) [email]") no longer occurs verbatim, yet leaks. An item
counts as removed when none of its telling tokens (a token with a digit, or a word of
three letters or more that is no keyword like "кв", "під'їзд", "собака", "крапка") occurs
in the output more often than in the rest of the message. Protected names count as kept
only when they survive verbatim, once with the place span kept (the message was placed)
and once without (it was not).

Columns of the CSV: kind, lang (uk | ru | surzhyk), text, items (exact substrings of the
text joined by "|": to be removed for PII kinds, to be kept for ``protected``).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PII_SET = Path(__file__).resolve().parent / "data" / "pii_kinds.csv"
PROTECTED = "protected"
KINDS = (
    "flat",
    "entrance",
    "phone_words",
    "phone_lookalike",
    "email",
    "ipn",
    "passport",
    "card",
    "iban",
    "plate",
    "handle",
)

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
# Words that frame an item without identifying anyone: they may stay next to a placeholder.
_KEYWORD_STEMS = (
    "кв",
    "квартир",
    "квартір",
    "під'їзд",
    "підʼїзд",
    "під’їзд",
    "підїзд",
    "подъезд",
    "подьезд",
    "номер",
    "собак",
    "собач",
    "крапк",
    "точк",
    "паспорт",
    "сері",
    "плюс",
    "dot",
)

Redactor = Callable[[str, Sequence[tuple[int, int]]], str]


@dataclass(frozen=True)
class Row:
    kind: str
    lang: str
    text: str
    items: tuple[str, ...]


def load(path: Path = PII_SET) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Row(r["kind"], r["lang"], r["text"], tuple(i for i in r["items"].split("|") if i))
            for r in csv.DictReader(fh)
        ]


def _tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN_RE.findall(text))


def telling_tokens(item: str) -> set[str]:
    """The tokens of an item that identify someone (see the module docstring)."""
    return {
        t for t in _tokens(item) if any(c.isdigit() for c in t) or (len(t) >= 3 and not t.startswith(_KEYWORD_STEMS))
    }


def removed(item: str, text: str, output: str) -> bool:
    """No telling token of ``item`` is left in ``output`` beyond its other uses in ``text``."""
    rest = _tokens(text.replace(item, " ", 1))
    out = _tokens(output)
    return all(out[t] <= rest[t] for t in telling_tokens(item))


def _spans(text: str, items: Sequence[str]) -> list[tuple[int, int]]:
    return [(text.index(i), text.index(i) + len(i)) for i in items]


@dataclass
class Score:
    """Per kind: items removed (PII) or kept (protected names), and how many there were."""

    ok: Counter[str]
    total: Counter[str]
    misses: list[tuple[str, str, str]]  # kind, item, output

    def rate(self, kind: str) -> float:
        return self.ok[kind] / self.total[kind] if self.total[kind] else float("nan")


def score(redactor: Redactor, rows: Sequence[Row] | None = None) -> Score:
    """Run ``redactor(text, keep_spans)`` over the set. Protected names are scored twice:
    ``protected, not placed`` (no span kept) and ``protected, placed`` (their span kept)."""
    result = Score(Counter(), Counter(), [])
    for row in rows if rows is not None else load():
        if row.kind == PROTECTED:
            for label, keep in (("not placed", []), ("placed", _spans(row.text, row.items))):
                kind = f"{PROTECTED}, {label}"
                out = redactor(row.text, keep)
                for item in row.items:
                    result.total[kind] += 1
                    if item in out:
                        result.ok[kind] += 1
                    else:
                        result.misses.append((kind, item, out))
            continue
        out = redactor(row.text, [])
        for item in row.items:
            result.total[row.kind] += 1
            if removed(item, row.text, out):
                result.ok[row.kind] += 1
            else:
                result.misses.append((row.kind, item, out))
    return result


def table(result: Score) -> list[str]:
    """The per-kind table as printed by bench/intake_text.py."""
    lines = [f"  {'kind':26s} {'rate':>8s}  {'n':>7s}"]
    for kind in (*KINDS, f"{PROTECTED}, not placed", f"{PROTECTED}, placed"):
        if result.total[kind]:
            verb = "kept" if kind.startswith(PROTECTED) else "removed"
            lines.append(
                f"  {kind:26s} {result.rate(kind):8.1%}  {result.ok[kind]:>3d}/{result.total[kind]:<3d} {verb}"
            )
    return lines
