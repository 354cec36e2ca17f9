"""Full garbage collections out of the users' reruns: the start-up objects frozen, and the
oldest generation collected by the server's own thread while no page computes.

Python's full collection walks every object the collector tracks, and it runs whenever
enough objects have survived since the last one: in practice inside the rerun that
allocated them (a cold police period change makes tens of thousands of long-lived ones).
After the app's imports the server holds about 360k objects (modules, functions, classes,
pandas, Streamlit, folium) that live as long as the process and are never garbage, so
such a collection took about 0.25 s of that rerun.

- ``gc.freeze()`` moves every object tracked at that moment into a permanent generation
  that collections skip: a full collection walks only what the pages made since (their
  caches and maps), about 0.05 s. Done once per server, at the start of its first script
  run (app.py: Streamlit's runtime then exists, which the page caches' decorators look for
  when imported), after importing what the page scripts import: a module first imported
  later would stay walked. Only start-up objects are frozen, so nothing a page makes later
  is kept by it.
- The oldest generation is then never collected on allocation (its threshold is out of
  reach); a daemon thread collects it every :data:`COLLECT_EVERY` seconds instead, once no
  page's own computation runs (``ui.warm_up.after_users``, which waits at most
  ``WAIT_FOR_USERS`` seconds, so garbage cycles are freed within about 40 s under any
  load). The young generations still collect as Python's default has them (a fraction of
  a millisecond each).

``python bench/heap_freeze.py`` prints the full collections that fall inside reruns, both ways.
"""

from __future__ import annotations

import ast
import gc
import threading
import time
from pathlib import Path

from ui import warm_up

PAGES = Path(__file__).parent / "pages"
COLLECT_EVERY = 10.0  # seconds between the server's own full collections
NEVER = 2**31 - 1  # a threshold the oldest generation's count never reaches

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
    """Import what the pages import, collect what start-up left as garbage, freeze every
    object tracked now and hand the oldest generation to :func:`collect_when_idle` (once per
    process); returns how many objects were frozen."""
    with _LOCK:
        if not _FROZEN:
            for module, names in page_imports():
                __import__(module, fromlist=names)  # as `from module import names` does: submodules too
            gc.collect()  # garbage frozen now could never be freed
            gc.freeze()
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
            threading.Thread(target=collect_when_idle, name="heap-collector", daemon=True).start()
            _FROZEN.append(gc.get_freeze_count())
        return _FROZEN[0]


def collect_when_idle(every: float = COLLECT_EVERY, rounds: int | None = None) -> None:
    """Every `every` seconds, once no page's own computation runs, a full collection (forever,
    or `rounds` times)."""
    done = 0
    while rounds is None or done < rounds:
        time.sleep(every)
        warm_up.after_users()
        gc.collect()
        done += 1
