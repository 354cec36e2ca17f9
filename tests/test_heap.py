"""The server freezes its start-up objects once (ui/heap.py), after importing what the pages import."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT
from ui import heap


def test_page_imports_are_every_top_level_import_of_every_page() -> None:
    found = set(heap.page_imports())
    for script in (ROOT / "ui" / "pages").glob("*.py"):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                assert (node.module, tuple(a.name for a in node.names)) in found, (script.name, node.module)
            elif isinstance(node, ast.Import):
                assert all((a.name, ()) in found for a in node.names), script.name


def test_freezing_imports_the_pages_modules_and_leaves_later_objects_collectable() -> None:
    """In a fresh interpreter: the pages' modules (submodules named in a ``from`` import too)
    are loaded and frozen; a cycle made afterwards is still freed by a collection."""
    code = """
import gc, sys, weakref
from ui import heap
frozen = heap.freeze_startup()
assert frozen > 100_000 and gc.get_freeze_count() > 100_000, frozen
assert heap.freeze_startup() == frozen  # once per process
assert {"services.police", "ui.cache", "ui.map_frame", "services.moderation"} <= set(sys.modules)

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a
gone = weakref.ref(a)
del a, b
gc.collect()
assert gone() is None
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().endswith("ok"), done.stderr
