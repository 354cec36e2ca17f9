"""One worker process per server that computes part of a cold page run beside the page itself.

A police period change right after a store write computes the map (the window, the trends,
Gi*) and, below it, the forecast ranking and the patrol plan, each from the whole history.
Python runs one thread at a time, so a thread computing the second part beside the first
saves nothing (measured: 123-130 ms for both against 127 ms one after the other); a second
process does run beside the page on a second core. The page starts the second part here as
soon as it knows its inputs (:func:`start`, under the key of the cached steps that will want
it), draws its map meanwhile, and those steps, on a miss, use the job's :func:`result`
instead of computing.

The page computes itself whenever the worker cannot help: while it starts (a few seconds after
the server's first police page), when no job was started under the key, when the job still
waits behind another (it is cancelled: the page is quicker on its own), or when it failed.
So the worker only ever saves time; what the page shows is the same either way (the job calls
the same service functions, ``tests/test_offload.py``). Jobs run behind the page's own role
check: :func:`start` is called by functions of ``ui.cache`` that check the role first, and
the job's service function checks it again.

``HOTSPOTS_PAGE_WORKER``: ``off`` never starts the worker, ``on`` always does; by default
(``auto``) it runs in a Streamlit server on a machine with more than one core, not in
``AppTest`` or the CLI.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from streamlit.logger import get_logger

SETTING = "HOTSPOTS_PAGE_WORKER"
KEPT = 64  # job keys remembered (older ones were for store versions long gone)
WAIT = 30.0  # seconds a page waits at most for a job that is running

logger = get_logger(__name__)
_LOCK = threading.Lock()
_POOL: list[ProcessPoolExecutor] = []
_READY: list[Future[bool]] = []
_JOBS: OrderedDict[Hashable, Future[Any]] = OrderedDict()
_GAVE_UP: list[bool] = []  # the worker could not start: the pages compute everything themselves


def enabled() -> bool:
    """Whether this process hands work to a worker (see the module's docstring)."""
    setting = os.environ.get(SETTING, "auto").strip().lower()
    if setting in ("on", "off"):
        return setting == "on"
    from streamlit.runtime import Runtime

    return Runtime.exists() and (os.cpu_count() or 1) > 1


def start(key: Hashable, job: Callable[..., Any], /, **kwargs: Any) -> bool:
    """Run ``job(engine, **kwargs)`` in the worker under ``key`` unless a job of that key was
    started already or the worker is not ready; True if started now."""
    if not enabled() or _GAVE_UP:
        return False
    with _LOCK:
        if key in _JOBS:
            return False
        pool = _ready_pool()
        if pool is None:
            return False
        try:
            _JOBS[key] = pool.submit(_run, job, kwargs)
        except RuntimeError:  # the worker died (BrokenProcessPool) or is shutting down
            _forget_pool()
            return False
        while len(_JOBS) > KEPT:
            _JOBS.popitem(last=False)[1].cancel()
    return True


def result(key: Hashable, timeout: float = WAIT) -> Any | None:
    """The result of the job started under ``key`` (for each step that asks for it); None when
    there is none to wait for, and the caller computes: never started, still queued behind
    another job (then cancelled), or failed."""
    with _LOCK:
        future = _JOBS.get(key)
        behind = future is not None and any(not earlier.done() for earlier in _started_before(key))
    if future is None or (behind and future.cancel()) or future.cancelled():
        return None
    try:
        return future.result(timeout)
    except Exception:  # the page computes what the worker could not
        logger.warning("page worker job failed: %s", key, exc_info=True)
        return None


def _started_before(key: Hashable) -> Iterator[Future[Any]]:
    """The jobs started before ``key``'s (called under _LOCK)."""
    for started, future in _JOBS.items():
        if started == key:
            return
        yield future


def ready(timeout: float = 120.0) -> bool:
    """Start the worker if need be and wait until it has (False if ``timeout`` seconds passed
    first or it is not enabled): for benches and tests, which time or check its jobs."""
    deadline = time.monotonic() + timeout
    while enabled() and not _GAVE_UP and time.monotonic() < deadline:
        with _LOCK:
            if _ready_pool() is not None:
                return True
        time.sleep(0.05)
    return False


def stop() -> None:
    """Stop the worker and forget its jobs (the next :func:`start` starts another, with the
    environment of that moment)."""
    with _LOCK:
        _forget_pool()
        _JOBS.clear()
        _GAVE_UP.clear()


def _ready_pool() -> ProcessPoolExecutor | None:
    """The worker once it has started (called under _LOCK); starts it on first use."""
    if not _POOL:
        pool = ProcessPoolExecutor(
            max_workers=1, mp_context=get_context("spawn"), initializer=_warm_up, initargs=(os.getpid(),)
        )
        _POOL.append(pool)
        _READY.append(pool.submit(bool, True))
    ready = _READY[0]
    if not ready.done():
        return None
    if ready.exception() is not None:
        logger.warning("the page worker did not start; pages compute on their own", exc_info=ready.exception())
        _GAVE_UP.append(True)
        _forget_pool()
        return None
    return _POOL[0]


def _forget_pool() -> None:
    """Drop a broken worker (called under _LOCK): the next :func:`start` starts another."""
    for pool in _POOL:
        pool.shutdown(wait=False, cancel_futures=True)
    _POOL.clear()
    _READY.clear()


# --- in the worker process ----------------------------------------------------------------

_ENGINE: list[Any] = []


def _warm_up(server: int) -> None:
    """The worker's start: the store's engine and the gazetteer, before its first job; and a
    watch that ends the worker once the server that started it has gone (a server stopped by
    a signal does not stop its pool)."""
    from data.store.db import database_url, make_engine
    from geo.gazetteer import load_gazetteer

    threading.Thread(target=_end_with, args=(server,), name="page-worker-watch", daemon=True).start()
    _ENGINE.append(make_engine(database_url()))
    load_gazetteer()


def _end_with(server: int, every: float = 1.0) -> None:
    """End this process once its parent is no longer ``server`` (it was re-parented)."""
    while os.getppid() == server:
        time.sleep(every)
    os._exit(0)


def _run(job: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    return job(_ENGINE[0], **kwargs)
