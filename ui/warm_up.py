"""One background worker per server that fills the page caches a page will ask for next.

A period change on the police or council page computes that period's map and statistics the
first time anyone asks for it. After a staff page has been drawn, its other periods (and the
council's districts) are computed here instead, once per store version, so a later change is
a cache hit. One daemon thread runs every job in turn (never two warm-ups at once); it starts
only after the page that asked has finished its own work, and it sleeps briefly between steps
so that a user's rerun, which competes for the same interpreter, is not held up for long;
while a user's own computation runs (``user_first``), it starts no new step.

A job is named by a key (page, role, store version, ...): a key is run at most once, so
reruns of a page, and other sessions of the same role, ask for nothing new until the store
changes. The job's steps call the same cached functions as the pages, behind the same role
check, so a warm-up can only fill entries the session that started it may already read.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager

from streamlit.logger import get_logger

PAUSE = 0.05  # seconds between two steps: the interpreter is handed to the users' reruns
WAIT_FOR_USERS = 30.0  # seconds a step waits at most for the users' computations
KEPT = 64  # finished job keys remembered (older ones are forgotten: their versions are gone)

Steps = Callable[[], Iterable[Callable[[], object]]]

logger = get_logger(__name__)
_LOCK = threading.Lock()
_JOBS: queue.Queue[tuple[Hashable, Steps]] = queue.Queue()
_STATUS: OrderedDict[Hashable, str] = OrderedDict()  # key -> "queued" | "running" | "done" | "failed"
_WORKER: list[threading.Thread] = []
_IDLE = threading.Condition(_LOCK)
_USERS = 0  # users' computations running now (user_first)


def submit(key: Hashable, steps: Steps) -> bool:
    """Queue `steps` under `key` unless that key was queued before; True if queued now."""
    with _LOCK:
        if key in _STATUS:
            return False
        _STATUS[key] = "queued"
        while len(_STATUS) > KEPT:
            _STATUS.popitem(last=False)
        _JOBS.put((key, steps))
        _ensure_worker()
    return True


def _ensure_worker() -> None:
    """Start the one worker thread unless it runs (called under _LOCK)."""
    if not _WORKER or not _WORKER[0].is_alive():
        _WORKER[:] = [threading.Thread(target=_work, name="page-warm-up", daemon=True)]
        _WORKER[0].start()


@contextmanager
def user_first() -> Iterator[None]:
    """Around a user's own computation: the worker starts no new step until it has ended."""
    global _USERS
    with _IDLE:
        _USERS += 1
    try:
        yield
    finally:
        with _IDLE:
            _USERS -= 1
            _IDLE.notify_all()


def after_users(timeout: float = WAIT_FOR_USERS) -> None:
    """Wait while a user's computation runs (at most `timeout` seconds: a warm-up is never starved)."""
    with _IDLE:
        _IDLE.wait_for(lambda: _USERS == 0, timeout)


def state_of(key: Hashable) -> str | None:
    """How the job `key` stands: None (never asked for), queued, running, done or failed."""
    with _LOCK:
        return _STATUS.get(key)


def statuses() -> dict[Hashable, str]:
    with _LOCK:
        return dict(_STATUS)


def wait(timeout: float = 600.0) -> bool:
    """Wait until every queued job has finished; False if `timeout` seconds passed first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(s in ("queued", "running") for s in statuses().values()):
            return True
        time.sleep(0.02)
    return False


def _set(key: Hashable, value: str) -> None:
    with _LOCK:
        _STATUS[key] = value


def _work() -> None:
    while True:
        key, steps = _JOBS.get()
        _set(key, "running")
        logger.info("page warm-up started: %s", key)
        started = time.perf_counter()
        try:
            for step in steps():
                time.sleep(PAUSE)
                after_users()
                step()
        except Exception:  # a failed warm-up only costs speed: the page computes on demand
            _set(key, "failed")
            logger.warning("page warm-up failed: %s", key, exc_info=True)
        else:
            _set(key, "done")
            logger.info("page warm-up done: %s in %.1f s", key, time.perf_counter() - started)
