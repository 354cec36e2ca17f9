"""Full garbage collections kept from being set off inside users' reruns: the server's
start-up objects frozen, and the oldest generation collected by a thread of its own.

Python's full collection walks every object the collector tracks, and it runs whenever
enough objects have survived since the last one: in practice inside the rerun that
allocated them (a cold police period change makes tens of thousands of long-lived ones),
where it took 0.15-0.25 s with the page caches in memory.

- ``gc.freeze()`` moves every object tracked at that moment into a permanent generation
  that collections skip. It is done once, when app.py builds the server, before any
  session exists: what app.py imported then (about 250k objects: Streamlit, pandas,
  SQLAlchemy, the store, the intake) lives as long as the process and is never garbage.
  The page scripts' own modules are imported on their first run and stay walked: some
  (streamlit-folium's component) register with Streamlit's runtime, which does not exist
  yet when the server is built.
- The oldest generation is then never collected on allocation (its threshold is out of
  reach); a daemon thread collects it every :data:`COLLECT_EVERY` seconds instead, once no
  page computes in a cached function (``ui.warm_up.after_users``, which waits at most
  ``WAIT_FOR_USERS`` seconds, so garbage cycles are freed within about 40 s under any
  load). A collection can still hold the interpreter while a rerun draws or sends what it
  computed. The young generations collect as Python's default has them (well under a
  millisecond each). CPython 3.11's collector; 3.14's incremental one ignores the third
  threshold.

``python bench/heap_freeze.py`` prints the full collections inside reruns, both ways.
"""

from __future__ import annotations

import gc
import threading
import time

from ui import warm_up

COLLECT_EVERY = 10.0  # seconds between the server's own full collections
NEVER = 2**31 - 1  # a threshold the oldest generation's count never reaches

_LOCK = threading.Lock()
_frozen: int | None = None  # how many objects were frozen, once done


def manage_collections() -> int:
    """Collect what start-up left as garbage, freeze every object tracked now and hand the
    oldest generation to :func:`collect_when_idle` (once per process); returns how many
    objects were frozen."""
    global _frozen
    with _LOCK:
        if _frozen is None:
            gc.collect()  # garbage frozen now could never be freed
            gc.freeze()
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
            threading.Thread(target=collect_when_idle, name="heap-collector", daemon=True).start()
            _frozen = gc.get_freeze_count()
        return _frozen


def collect_when_idle(every: float = COLLECT_EVERY, rounds: int | None = None) -> None:
    """Every `every` seconds, once no page's own computation runs, a full collection (forever,
    or `rounds` times)."""
    done = 0
    while rounds is None or done < rounds:
        time.sleep(every)
        warm_up.after_users()
        gc.collect()
        done += 1
