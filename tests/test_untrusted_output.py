"""Untrusted text reaches Streamlit's Markdown/HTML outputs and folium only through the encoders.

The code is read as a syntax tree (not grepped). An argument that lands in Markdown or
HTML is accepted only when it is provably trusted: a literal, a catalogue text (tr/t)
whose values are trusted, an encoder's result, a number (int/len/..., or an f-string
field with a numeric or date format), or a name only ever assigned such values.
Everything else (a report field, an exception message, a file name) must be passed
through :mod:`encoders` first. folium's HTML-building popups and tooltips are not used at
all: layers/popups.py sets text with textContent.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

ENCODERS = {
    "markdown_text",
    "html_text",
    "html_attr",
    "js_string",
    "js_template",
    "js_value",
    "visible_controls",
    "terminal",
    "json_line",
    "spreadsheet_cell",
}
CATALOGUE = {"tr", "t"}  # i18n.t / state.tr: the text is ours; the values put into it are checked
# i18n.say / state.say: a stored message named from the catalogue; trusted only when its text
# parameters pass a Markdown/HTML encoder given as its escape (issue 19e)
MESSAGES = "say"
MARKUP_ENCODERS = {"markdown_text", "html_text"}
NUMERIC = {"int", "float", "round", "len", "abs", "sum", "min", "max", "bool"}
# Markdown built from the catalogue and numbers only (layers/public.py, services/method.py), and the
# sign-in forms (ui/signin.py: catalogue texts through html_text/html_attr), and a service's refusal
# (ui.state.refusal: its message through say(..., markdown_text), anything else through markdown_text).
TRUSTED_BUILDERS = {"method_markdown", "method_text", "sign_in_form", "sign_out_form", "refusal"}
# Column headers from the catalogue (services.council.header, services.effect.header); not st.header.
CATALOGUE_HEADERS = "header"
MARKDOWN_CALLS = {
    "markdown",
    "write",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "title",
    "header",
    "subheader",
    "html",
    "exception",
    "latex",
}
WIDGETS = {
    "button",
    "download_button",
    "link_button",
    "page_link",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "slider",
    "select_slider",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "file_uploader",
    "color_picker",
    "camera_input",
    "form_submit_button",
    "expander",
    "popover",
    "metric",
    "pills",
    "segmented_control",
    "feedback",
    "chat_input",
    "status",
    "spinner",
}
FOLIUM_HTML = {"Popup", "Tooltip", "GeoJsonPopup", "GeoJsonTooltip", "Html", "IFrame", "Element"}
NOT_STREAMLIT = {"logging", "logger", "log", "console", "warnings", "session", "parser", "sheet", "book"}
_STR_ONLY_SPEC = re.compile(r"^(.?[<>^=])?\d*(\.\d+)?s?$")  # a format spec a str also accepts


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _receiver(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        value = func.value
        while isinstance(value, ast.Attribute):
            value = value.value
        return value.id if isinstance(value, ast.Name) else ""
    return ""


class Trust:
    """Which expressions of one module are trusted (a fixpoint over its assignments)."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.expr | None]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._record(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                self._record(node.target, node.value)
            elif isinstance(node, (ast.For, ast.comprehension, ast.withitem)):
                target = node.target if not isinstance(node, ast.withitem) else node.optional_vars
                if target is not None:
                    self._record(target, None)  # loop variables and `as` names: unknown
            elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
                for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                    self._record(ast.Name(arg.arg), None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self._record(ast.Name(node.name), None)
            elif isinstance(node, ast.NamedExpr):
                self._record(node.target, node.value)
        self.trusted_names: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, values in self.assigned.items():
                if name not in self.trusted_names and all(v is not None and self.ok(v) for v in values):
                    self.trusted_names.add(name)
                    changed = True

    def _record(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._record(element, None)  # unpacked values: unknown

    def ok(self, node: ast.expr | None) -> bool:
        """Whether the value of `node` may go into Markdown/HTML as it is."""
        if node is None:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.trusted_names
        if isinstance(node, ast.Attribute):  # module constants such as police.POLICE_RES
            return node.attr.isupper()
        if isinstance(node, ast.JoinedStr):
            return all(self.ok(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            spec = node.format_spec
            if isinstance(spec, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in spec.values):
                text = "".join(str(v.value) for v in spec.values)
                if text and not _STR_ONLY_SPEC.match(text):
                    return True  # only numbers and dates accept this format
            return self.ok(node.value)
        if isinstance(node, ast.BinOp):
            return self.ok(node.left) and self.ok(node.right)
        if isinstance(node, ast.IfExp):
            return self.ok(node.body) and self.ok(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.ok(v) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.ok(e) for e in node.elts)
        if isinstance(node, ast.Compare):
            return True  # a bool
        if isinstance(node, ast.Lambda):
            return self.ok(node.body)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in ENCODERS or name in NUMERIC or name in TRUSTED_BUILDERS:
                return True
            if name == CATALOGUE_HEADERS and _receiver(node) != "st":
                return True
            if name in CATALOGUE:
                return all(self.ok(k.value) if k.arg else self._ok_expansion(k.value) for k in node.keywords)
            if name == MESSAGES:
                given = [*node.args[1:], *(k.value for k in node.keywords if k.arg == "escape")]
                return any(isinstance(g, ast.Name) and g.id in MARKUP_ENCODERS for g in given)
        return False

    def _ok_expansion(self, node: ast.expr) -> bool:
        """`**{...}` into a catalogue text: every value must be trusted."""
        if isinstance(node, ast.DictComp):
            return self.ok(node.value)
        if isinstance(node, ast.Dict):
            return all(self.ok(v) for v in node.values)
        return False


def _sink_arguments(node: ast.Call) -> Iterator[ast.expr]:
    """The arguments of a Streamlit call that are shown as Markdown/HTML."""
    name, receiver = _call_name(node), _receiver(node)
    if (
        receiver in NOT_STREAMLIT
        or (name == CATALOGUE_HEADERS and receiver not in ("st", ""))
        or (
            name == CATALOGUE_HEADERS
            and receiver == ""
            and not isinstance(node.func, ast.Attribute)
            and len(node.args) == 2
        )
    ):  # header(column, lang): a catalogue lookup, not st.header
        return
    if name in MARKDOWN_CALLS:
        yield from node.args
        yield from (k.value for k in node.keywords if k.arg in ("body", "label", "help"))
    elif name in WIDGETS:
        yield from node.args[:1]
        yield from (k.value for k in node.keywords if k.arg in ("label", "help", "placeholder"))
        if name in ("radio", "pills", "segmented_control"):  # their options are Markdown too
            yield from (k.value for k in node.keywords if k.arg in ("captions", "format_func"))
    elif name == "tabs":
        yield from node.args[:1]
    elif name == "progress":
        yield from node.args[1:2]
        yield from (k.value for k in node.keywords if k.arg == "text")
    elif name == "Page":
        yield from (k.value for k in node.keywords if k.arg == "title")


def violations(source: str, *, streamlit: bool = True) -> list[str]:
    """Where untrusted values reach an output of `source` without an encoder."""
    tree = ast.parse(source)
    trust = Trust(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        where = f"line {node.lineno}: {ast.unparse(node)[:120]}"
        if streamlit:
            for arg in _sink_arguments(node):
                if not trust.ok(arg):
                    found.append(f"{where} <- {ast.unparse(arg)[:80]}")
        unsafe = [k for k in node.keywords if k.arg == "unsafe_allow_html"]
        if unsafe and not (isinstance(unsafe[0].value, ast.Constant) and unsafe[0].value.value is False):
            found.append(f"{where} <- unsafe_allow_html")
        if name in FOLIUM_HTML and _receiver(node) in ("folium", "branca", "features", "element", ""):
            if _receiver(node) or name in ("Popup", "Tooltip", "GeoJsonPopup", "GeoJsonTooltip"):
                found.append(f"{where} <- folium HTML element (use layers.popups)")
        for keyword in node.keywords:
            if (
                keyword.arg in ("popup", "tooltip")
                and _receiver(node) != "alt"
                and name != "encode"
                and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
            ):
                found.append(f"{where} <- {keyword.arg}= (use layers.popups)")
            if keyword.arg == "html" and name == "DivIcon" and not trust.ok(keyword.value):
                found.append(f"{where} <- DivIcon html")
        if name == "html" and _receiver(node) in ("components", "st", "v1") and not all(trust.ok(a) for a in node.args):
            found.append(f"{where} <- components.html")
    return found


def checked_files() -> list[Path]:
    return sorted(
        [
            ROOT / "app.py",
            *(ROOT / "ui").rglob("*.py"),
            *(ROOT / "services").rglob("*.py"),
            *(ROOT / "layers").rglob("*.py"),
        ]
    )


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_untrusted_values_reach_outputs_only_through_the_encoders(path: Path) -> None:
    streamlit = path.parts[len(ROOT.parts)] in ("ui", "app.py", "services")
    assert violations(path.read_text(encoding="utf-8"), streamlit=streamlit) == []


BAD = [
    "st.markdown(report['text'])",
    "st.caption(note)",
    "st.error(str(exc))",
    "st.write(f'> {item.excerpt}')",
    "st.info(state.tr('form.found', place=match.street))",
    "st.success(state.tr('mod.summary', **summary.as_dict()))",
    "col1.button(state.tr('mod.place_street', street=street))",
    "st.selectbox(name, options)",
    "st.tabs([row.title])",
    "st.progress(0.0, text=upload.name)",
    "st.markdown(markdown_text(x) + y)",
    "st.markdown('<b>x</b>' + markdown_text(y), unsafe_allow_html=True)",
    "components.html(page_html)",
    "st.html(body)",
    "folium.Popup(body).add_to(m)",
    "folium.Marker(where, tooltip=text)",
    "folium.GeoJson(data, tooltip=folium.GeoJsonTooltip(fields=['tip']))",
    "folium.DivIcon(html=f'<b>{name}</b>')",
    "x = note\nst.caption(x)",
    "for n in notes:\n    st.caption(n)",
    "st.error(state.say(exc.message))",
    "st.error(say(problem, lang))",
    "st.error(state.say(exc.message, visible_controls))",
]
GOOD = [
    "st.markdown(markdown_text(report['text']))",
    "st.caption(state.tr('mod.queue_size', n=len(queue)))",
    "st.error(markdown_text(exc))",
    "st.success(state.tr('mod.summary', **{k: markdown_text(v) for k, v in d.items()}))",
    "st.caption(state.tr('mod.locked_until', time=f'{until:%H:%M} UTC'))",
    "st.metric(state.tr('police.share'), f'{share:.0%}')",
    "label = state.tr('x')\nst.button(label)",
    "st.markdown(f\"**{state.tr('council.edit')}**\")",
    "st.text(report['text'])",
    "st.dataframe(frame)",
    "folium.DivIcon(html=f'<div>{rank:d}</div>')",
    "folium.CircleMarker(where, radius=5)",
    "st.error(state.say(exc.message, markdown_text))",
    "st.error(say(problem, lang, escape=markdown_text))",
]


@pytest.mark.parametrize("snippet", BAD)
def test_the_check_finds_untrusted_values(snippet: str) -> None:
    assert violations(snippet), snippet


@pytest.mark.parametrize("snippet", GOOD)
def test_the_check_accepts_encoded_and_catalogue_values(snippet: str) -> None:
    assert violations(snippet) == [], snippet
