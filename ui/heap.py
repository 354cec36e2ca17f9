"""Keep the server's start-up objects out of the garbage collector's full collections.

Python's full collection walks every object the collector tracks. After the app's imports
the server holds about 340k of them: modules, functions, classes, pandas, Streamlit,
folium. They live as long as the process and are never garbage, yet a full collection that
fell inside a user's rerun walked them all. ``gc.freeze()`` moves every object tracked at
that moment into a permanent generation that collections skip, so a full collection walks
only what the pages made since (their caches and maps).

It is done once per server, at the start of its first script run (app.py: Streamlit's
runtime then exists, which the page caches' decorators look for when imported), after
importing what the page scripts import: a module first imported later would stay walked.
Frozen objects are never collected; only start-up objects are frozen, so nothing a page
makes later is kept by it (bench/heap_freeze.py times a full collection both ways).
"""

from __future__ import annotations

import ast
import gc
import threading
from pathlib import Path

PAGES = Path(__file__).parent / "pages"

_LOCK = threading.Lock()
_FROZEN: list[int] = []  # the number of objects frozen, once done


def page_imports(pages: Path = PAGES) -> list[tuple[str, tuple[str, ...]]]:
    """The page scripts' top-level imports as (module, names from it), read from their source."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for script in sorted(pages.glob("*.py")):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found += [(alias.name, ()) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append((node.module, tuple(alias.name for alias in node.names)))
    return found


def freeze_startup() -> int:
    """Import what the pages import, collect what start-up left as garbage, then freeze every
    object tracked now (once per process); returns how many objects are frozen."""
    with _LOCK:
        if not _FROZEN:
            for module, names in page_imports():
                __import__(module, fromlist=names)  # as `from module import names` does: submodules too
            gc.collect()  # garbage frozen now could never be freed
            gc.freeze()
            _FROZEN.append(gc.get_freeze_count())
        return _FROZEN[0]
