"""The server freezes its start-up objects once, when it is built, and collects the oldest
generation itself while no page computes (ui/heap.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import weakref

from tests.conftest import ROOT
from ui import heap, warm_up


def test_building_the_server_freezes_its_modules_and_hands_full_collections_to_a_thread() -> None:
    """In a fresh interpreter, as `streamlit run` or uvicorn builds the server (app.py imported
    as a module): what it imported is frozen, the streamlit-folium component is not imported
    before the runtime exists, the oldest generation is the collector thread's, and an import
    leaves that freeze as it is."""
    code = """
import gc, threading
import app
from ui import heap
frozen = heap.manage_collections()  # once per process: app already did it
assert frozen > 100_000 and gc.get_freeze_count() > 100_000, frozen
import sys, services.importer, ui.state
tracked = {id(o) for o in gc.get_objects()}  # frozen objects are not listed
assert id(ui.state.__dict__) not in tracked and id(services.importer.__dict__) not in tracked
assert "streamlit_folium" not in sys.modules  # it registers its component with the runtime
assert gc.get_threshold()[2] == heap.NEVER
assert any(t.name == "heap-collector" and t.daemon and t.is_alive() for t in threading.enumerate())

from services.importer import _older_objects_skipped_by_gc
before = gc.get_freeze_count()
with _older_objects_skipped_by_gc() as skip_older:
    skip_older()
assert gc.get_freeze_count() == before, (before, gc.get_freeze_count())
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().endswith("ok"), done.stderr[-3000:]


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
