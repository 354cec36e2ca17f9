"""The encoders against independent readers: CommonMark (markdown-it), html.unescape, json,
and the characters each context treats as syntax."""

from __future__ import annotations

import html
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from encoders import (
    FORMULA_START,
    html_attr,
    html_text,
    js_string,
    js_template,
    js_value,
    markdown_text,
    spreadsheet_cell,
    terminal,
    visible_controls,
)

FAST = settings(max_examples=60, deadline=None)
# Text that favours the characters each context cares about.
HOSTILE_ALPHABET = st.sampled_from(list("<>&'\"`$\\{}[]()!*_#~|:=+-@%\t\r\n\x00\x1b\x9b\u202e\u2028 aбВ1.\u200d/"))
texts = st.one_of(st.text(HOSTILE_ALPHABET, max_size=40), st.text(max_size=40))
MD = MarkdownIt("commonmark")


@FAST
@given(texts)
def test_markdown_text_renders_as_exactly_the_text(text) -> None:
    rendered = MD.render(markdown_text(text))
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p", "br"}, rendered  # no image, link, emphasis, code, heading, list or raw HTML
    shown = html.unescape(re.sub(r"<br />\n|</?p>", lambda m: "\n" if m.group().startswith("<br") else "", rendered))
    expected = visible_controls(text).replace("\t", " ")

    # CommonMark trims each line and collapses blank lines into paragraph breaks
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()

    assert norm(shown) == norm(expected)


@FAST
@given(texts)
def test_markdown_text_forms_no_streamlit_directive_math_or_shortcode(text) -> None:
    out = markdown_text(text)
    assert not re.search(r"(?<!\\)[$:\[\]]", out)


@FAST
@given(texts)
def test_html_text_and_attr_decode_back_and_hold_no_markup(text) -> None:
    for encoded, syntax in ((html_text(text), "<>\"'"), (html_attr(text), "<>\"'`")):
        assert not set(encoded) & set(syntax)
        assert html.unescape(encoded) == visible_controls(text)


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | texts,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
        max_leaves=12,
    )
)
def test_js_value_is_exact_json_that_cannot_end_a_script_or_open_a_template(value) -> None:
    out = js_value(value)
    assert json.loads(out) == value
    assert not set(out) & set("<>&'\u2028\u2029")
    assert "{{" not in out and "{%" not in out and "{#" not in out


def _js_value_per_string(value: object) -> str:
    """js_value as it was before issue 19t: a regular expression call per string literal (the oracle)."""
    unsafe = re.compile("[<>&'{}\u2028\u2029]")
    return re.sub(
        r'"(?:[^"\\]|\\.)*"',
        lambda m: unsafe.sub(lambda c: f"\\u{ord(c.group()):04x}", m.group()),
        json.dumps(value, ensure_ascii=False),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
        max_leaves=30,
    )
)
def test_js_value_escapes_every_string_at_once_as_it_did_one_by_one(value) -> None:
    """js_value escapes all string literals in one pass (issue 19t): the same text as escaping
    each literal on its own, keys, quotes, backslashes, NULs and structural braces included."""
    assert js_value(value) == _js_value_per_string(value)


def test_js_value_of_hostile_popups_is_what_it_was() -> None:
    rows = [["{{ 7*7 }}", '</script>"\\\x00'], ["\u2028{%", "a'b&c<d>"], ["}", "{"]]
    value = [[47.5, 31.3, {"title": 'x"{', "rows": rows}], {"{}": ["\\", '"']}, "", [], {}]
    assert js_value(value) == _js_value_per_string(value)
    assert "\\u007b\\u007b 7*7 \\u007d\\u007d" in js_value(value)


@FAST
@given(texts)
def test_js_string_is_one_string_literal(text) -> None:
    out = js_string(text)
    assert json.loads(out) == visible_controls(text)
    assert "</" not in out and "{{" not in out


@FAST
@given(texts)
def test_js_template_has_no_live_backtick_interpolation_or_script_end(text) -> None:
    out = js_template(text)
    assert not re.search(r"(?<!\\)(?:\\\\)*`", out)
    assert not re.search(r"(?<!\\)(?:\\\\)*\$\{", out.replace("\\x7b", "{"))
    assert "<" not in out and "{" not in out
    # read back as a template literal's cooked value
    cooked = re.sub(
        r"\\(x[0-9a-f]{2}|.)",
        lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1).startswith("x") and len(m.group(1)) == 3 else m.group(1),
        out,
    )
    assert cooked == visible_controls(text)


@FAST
@given(st.one_of(texts, st.integers(), st.floats(allow_nan=False), st.none()))
def test_spreadsheet_cell_never_starts_a_formula_and_keeps_numbers(value) -> None:
    out = spreadsheet_cell(value)
    if isinstance(value, str):
        assert not out.startswith(FORMULA_START)
        assert out.removeprefix("'") == visible_controls(value) or out == visible_controls(value)
    else:
        assert out is value


@FAST
@given(texts)
def test_terminal_output_holds_no_control_or_bidi_character(text) -> None:
    out = terminal(text)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]", out)


def test_visible_controls_names_each_hidden_character() -> None:
    assert visible_controls("a\u202eb\x00c\x1bd\te\nf") == "a‹U+202E›b‹U+0000›c‹U+001B›d\te\nf"
    assert visible_controls(None) == "" and visible_controls(12) == "12"


def test_visible_columns_shows_hidden_characters_in_text_columns_only() -> None:
    import pandas as pd

    from encoders import visible_columns

    frame = pd.DataFrame({"id": [1, 2], "excerpt": ["abc\u202egpj.exe", None], "n": [1.5, 2.0]})
    shown = visible_columns(frame)
    assert shown["excerpt"].tolist()[0] == "abc‹U+202E›gpj.exe" and pd.isna(shown["excerpt"].tolist()[1])
    assert shown["id"].tolist() == [1, 2] and shown["n"].dtype == frame["n"].dtype
