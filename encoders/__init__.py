"""The only way untrusted text (reports, notes, names, places, file names) reaches output.

Each function encodes for one context; pick the one for the place the text lands in:

- :func:`html_text` / :func:`html_attr` - inside HTML elements / quoted attributes.
- :func:`js_string` / :func:`js_value` - a JavaScript string literal / plain data (safe
  inside a ``<script>`` element).
- :func:`js_template` - inside a JavaScript template literal (``\\``, backtick, ``${``).
- :func:`markdown_text` - Markdown shown as plain text (st.markdown, st.caption, labels...).
- :func:`spreadsheet_cell` - a CSV/XLSX cell (OWASP CSV-injection rule).
- :func:`terminal` / :func:`json_line` - text and JSON lines written to a terminal.

Every encoder first shows control and bidi-override characters visibly
(:func:`visible_controls`): an ESC, NUL or U+202E cannot hide or disguise text wherever it
is shown. Intake normalises them too; this is the second line, at output. Stdlib only, so
every package (layers, services, ui, the CLI) can import it.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_START",
    "html_attr",
    "html_text",
    "js_string",
    "js_template",
    "js_value",
    "json_line",
    "markdown_text",
    "spreadsheet_cell",
    "terminal",
    "visible_columns",
    "visible_controls",
]

# Bidi embeddings, overrides, isolates and marks, and the line/paragraph separators that
# end a JavaScript line: shown as their code point, never applied.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
# C0 controls except tab and newline, DEL, C1 controls (U+009B is a one-byte CSI), bidi.
_HIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_HIDDEN_IN_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\t]")
# OWASP CSV injection: a cell starting with one of these is read as a formula (and the
# full-width forms, which some spreadsheets fold to ASCII).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# a JSON string literal (captured: re.split keeps them), unrolled to scan a run of plain characters at once
_JSON_STRING = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")')
# what js_value escapes inside string literals (outside them JSON has only its braces of these)
_JS_ESCAPES = tuple((c, f"\\u{ord(c):04x}") for c in "<>&'{}\u2028\u2029")
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def _code_point(match: re.Match[str]) -> str:
    return f"\u2039U+{ord(match.group()):04X}\u203a"  # ‹U+202E›


def visible_controls(text: object) -> str:
    """``str(text)`` with control and bidi characters shown as ‹U+XXXX› (tab, newline kept).

    >>> visible_controls("abc\\u202egpj.exe\\x00")
    'abc‹U+202E›gpj.exe‹U+0000›'
    """
    return _HIDDEN.sub(_code_point, "" if text is None else str(text))


def visible_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A pandas DataFrame for a data grid (st.dataframe) with its text cells through
    :func:`visible_controls`: a grid shows text as text, but would apply a bidi override.

    Duck-typed (no pandas import here); columns that are not text are left as they are.
    """

    def shown(column: pd.Series) -> pd.Series:
        if str(column.dtype) in ("object", "str", "string"):
            return column.map(lambda v: visible_controls(v) if isinstance(v, str) else v)
        return column

    return frame.apply(shown) if len(frame.columns) else frame


def html_text(text: object) -> str:
    """Text for the content of an HTML element (``& < > " '`` as entities).

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(visible_controls(text), quote=True)


def html_attr(text: object) -> str:
    """Text for a quoted HTML attribute value; also encodes the backtick (old IE quoted with it)."""
    return html_text(text).replace("`", "&#96;")


def js_string(text: object) -> str:
    """A complete JavaScript string literal (with its quotes), safe inside ``<script>``.

    ``<``, ``>``, ``&`` and ``'`` become \\u escapes, so ``</script>`` or ``<!--`` in the
    text cannot end the script element around it.

    >>> js_string("</script><script>alert(1)</script>")
    '"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"'
    """
    return js_value(visible_controls(text))


def js_value(value: Any) -> str:
    """Plain data (dicts, lists, strings, numbers) as a JavaScript expression for a script.

    JSON, readable (Cyrillic kept), with ``<``, ``>``, ``&``, ``'``, U+2028/U+2029 and the
    braces as \\u escapes: nothing ends the script element, and no ``{{``/``{%`` reaches
    folium/branca, which parse every element's rendered script as a Jinja template again
    (a text holding ``{{ ... }}`` would run on the server). Strings are used as they are,
    so pass text through :func:`visible_controls` (or another encoder) first.

    >>> out = js_value({"t": "{{ 7*7 }}</script>"})
    >>> "{{" in out or "<" in out, json.loads(out)
    (False, {'t': '{{ 7*7 }}</script>'})
    """
    out = json.dumps(value, ensure_ascii=False)  # its own braces never form "{{", "{%" or "{#"
    parts = _JSON_STRING.split(out)  # structure, string, structure, ..., structure
    if len(parts) == 1:
        return out  # no string
    # every string literal escaped in one pass: joined by NUL, which JSON writes as \u0000
    strings = "\0".join(parts[1::2])
    for char, escape in _JS_ESCAPES:
        if char in strings:
            strings = strings.replace(char, escape)
    parts[1::2] = strings.split("\0")
    return "".join(parts)


def js_template(text: object) -> str:
    """Text for the inside of a JavaScript template literal (between backticks).

    Backslash, backtick and ``$`` are escaped (so no ``${...}`` runs); ``<`` and the braces
    become ``\\x..`` escapes so no ``</script>`` ends the script and no Jinja tag forms.

    >>> print(js_template("${fetch('//evil')}`"))
    \\$\\x7bfetch('//evil')\\x7d\\`
    """
    out = visible_controls(text).replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")
    return out.replace("<", "\\x3c").replace("{", "\\x7b").replace("}", "\\x7d")


def markdown_text(text: object) -> str:
    """Text that Markdown (and Streamlit's extensions: colours, icons, math) shows as typed.

    Every ASCII punctuation character gets a backslash (CommonMark escapes), so no image,
    link, HTML, emphasis, ``$math$`` or ``:red[...]`` directive is formed; indentation
    becomes no-break spaces (no code block); line breaks stay line breaks.

    >>> markdown_text("![x](https://evil.example/p.png)")
    '\\\\!\\\\[x\\\\]\\\\(https\\\\:\\\\/\\\\/evil\\\\.example\\\\/p\\\\.png\\\\)'
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", visible_controls(text))
    # leading spaces/tabs as no-break spaces: no line of the text becomes a code block
    escaped = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group().expandtabs(4)), escaped)
    return escaped.replace("\n", "  \n")  # a hard line break, as it was typed


def spreadsheet_cell(value: Any) -> Any:
    """A CSV/XLSX cell value: numbers, dates and None stay as they are; text is never a formula.

    Text starting with ``= + - @``, tab or carriage return gets a leading apostrophe
    (OWASP's rule: the spreadsheet shows it as text); control characters are shown.

    >>> spreadsheet_cell("=HYPERLINK(\\"http://evil\\")"), spreadsheet_cell(-3), spreadsheet_cell("вул. Миру")
    ('\\'=HYPERLINK("http://evil")', -3, 'вул. Миру')
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return visible_controls(value)


def terminal(text: object) -> str:
    """Text for a terminal: escape sequences, carriage returns and bidi characters shown.

    >>> terminal("ok\\x1b[2J\\rdone")
    'ok‹U+001B›[2J‹U+000D›done'
    """
    return _HIDDEN_IN_TERMINAL.sub(_code_point, "" if text is None else str(text))


def json_line(value: Any, **dumps: Any) -> str:
    """One JSON line for a terminal: readable Cyrillic, but bidi and C1 characters as \\u escapes.

    The data stays exact (a JSON reader gets the same strings back); only the characters a
    terminal would act on are written as escapes (json already escapes C0 controls).
    """
    out = json.dumps(value, ensure_ascii=False, **dumps)
    return re.sub(f"[\x7f-\x9f{_BIDI}]", lambda m: f"\\u{ord(m.group()):04x}", out)
