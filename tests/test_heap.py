"""The server freezes its start-up objects once, after importing what the pages import, and
collects the oldest generation itself while no page computes (ui/heap.py)."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
import threading
import weakref

from tests.conftest import ROOT
from ui import heap, warm_up


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
from ui import heap, warm_up
frozen = heap.freeze_startup()
assert frozen > 100_000 and gc.get_freeze_count() > 100_000, frozen
assert heap.freeze_startup() == frozen  # once per process
assert {"services.police", "ui.cache", "ui.map_frame", "services.moderation"} <= set(sys.modules)
assert gc.get_threshold()[2] == heap.NEVER  # the oldest generation: only the collector's
import threading
assert any(t.name == "heap-collector" and t.daemon and t.is_alive() for t in threading.enumerate())

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


class _Node:
    other: object = None


def _old_garbage() -> weakref.ref:
    """A reference cycle moved to the oldest generation while reachable, then dropped: only a
    full collection can free it."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gc.collect(1)  # survivors of the middle generation move to the oldest
    return weakref.ref(a)


def test_the_idle_collector_frees_old_garbage_only_once_no_page_computes() -> None:
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], heap.NEVER)
    try:
        with warm_up.user_first():
            gone = _old_garbage()
            collector = threading.Thread(target=heap.collect_when_idle, kwargs={"every": 0.0, "rounds": 1})
            collector.start()
            collector.join(0.3)
            assert collector.is_alive() and gone() is not None  # it waits while a page computes
        collector.join(10)
        assert not collector.is_alive()
        assert gone() is None
    finally:
        gc.set_threshold(*thresholds)
