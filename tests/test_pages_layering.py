"""Pages hold no logic of their own: they import only services, auth, i18n, the ui helpers
and the drawing libraries (data flows data -> ... -> services -> ui, never around)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[1] / "ui" / "pages").glob("*.py"))
# encoders: the one way untrusted text reaches output (issue 14), a leaf every layer may use
ALLOWED = {
    "services",
    "auth",
    "i18n",
    "ui",
    "encoders",
    "streamlit",
    "streamlit_folium",
    "altair",
    "datetime",
    "__future__",
}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_page_imports_only_services_auth_and_i18n(page: Path) -> None:
    tree = ast.parse(page.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {name.split(".")[0] for name in imported} <= ALLOWED, sorted(imported)
