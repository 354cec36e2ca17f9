"""One worker process per server that computes part of a cold page run beside the page itself.

A police period change right after a store write computes the map (the window, the trends,
Gi*) and, below it, the forecast ranking and the patrol plan, each from the whole history.
Python runs one thread at a time, so a thread computing the second part beside the first
saves nothing (measured: 123-130 ms for both against 127 ms one after the other); a second
process does run beside the page on a second core. The page starts the second part here as
soon as it knows its inputs (:func:`start`, under the key of the cached steps that will want
it), draws its map meanwhile, and those steps, on a miss, use the job's :func:`result`
instead of computing.

A key is started at most once: a key asked for while the worker was still starting (a few
seconds after the server's first police page) is left to the page for good, since the page
has computed it by the time the worker could. The page computes itself whenever the worker
cannot help: no job under the key, a job still queued behind others (it is cancelled), a
job older than the caller's cache lifetime, one that failed or did not finish within
:data:`WAIT`. A job already handed to the worker cannot be cancelled: the page may then wait
for the (at most two) jobs the worker takes before it, other sessions'. What the page shows is the same either way: the job calls the
service functions the page's own steps call (``tests/test_offload.py``). Jobs run behind the
page's role check: :func:`start` is called by functions of ``ui.cache`` that check the role
first, the role is part of every key, and the job's service function checks it again.

``HOTSPOTS_PAGE_WORKER``: ``off`` never starts the worker, ``on`` always does; by default
(``auto``) it runs in a Streamlit server on a machine with more than one core, not in
``AppTest`` or the CLI. The worker ends with the server that started it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from streamlit.logger import get_logger

SETTING = "HOTSPOTS_PAGE_WORKER"
KEPT = 16  # job keys remembered (older ones were for store versions long gone)
WAIT = 30.0  # seconds a page waits at most for a job that is running
RETRY_AFTER = 60.0  # seconds before a worker that failed to start is started again

logger = get_logger(__name__)
_LOCK = threading.Lock()
_POOL: list[ProcessPoolExecutor] = []
_READY: list[Future[bool]] = []
_JOBS: OrderedDict[Hashable, tuple[float, Future[Any] | None]] = OrderedDict()  # key -> (started, job)
_GAVE_UP: list[float] = []  # when the worker last failed to start


def enabled() -> bool:
    """Whether this process hands work to a worker (see the module's docstring)."""
    setting = os.environ.get(SETTING, "auto").strip().lower()
    if setting in ("on", "off"):
        return setting == "on"
    from streamlit.runtime import Runtime

    return Runtime.exists() and (os.cpu_count() or 1) > 1


def start(key: Hashable, job: Callable[..., Any], /, **kwargs: Any) -> bool:
    """Run ``job(engine, **kwargs)`` in the worker under ``key`` unless that key was asked for
    before (started or not); True if started now."""
    if not enabled():
        return False
    with _LOCK:
        if key in _JOBS:
            return False
        pool = _ready_pool()
        future = None
        if pool is not None:
            try:
                future = pool.submit(_run, job, kwargs)
            except RuntimeError:  # the worker died (BrokenProcessPool) or is shutting down
                _forget_pool()
        _JOBS[key] = (time.monotonic(), future)
        while len(_JOBS) > KEPT:
            forgotten = _JOBS.popitem(last=False)[1][1]
            if forgotten is not None:
                forgotten.cancel()
    return future is not None


def result(key: Hashable, *, max_age: float, timeout: float = WAIT) -> Any | None:
    """The result of the job started under ``key`` less than ``max_age`` seconds ago (for each
    step that asks for it); None when the caller should compute: no such job, a job still
    queued behind others (then cancelled), or one that failed or took longer than ``timeout``."""
    with _LOCK:
        started, future = _JOBS.get(key, (0.0, None))
        if future is None or time.monotonic() - started > max_age:
            return None
        behind = any(not earlier.done() for earlier in _started_before(key))
    if (behind and future.cancel()) or future.cancelled():
        return None
    try:
        return future.result(timeout)
    except Exception:  # the page computes what the worker could not
        logger.warning("page worker job failed or was too slow: %s", key, exc_info=True)
        with _LOCK:
            _JOBS[key] = (started, None)  # asked again, the page computes at once
        return None


def ready(timeout: float = 120.0) -> bool:
    """Start the worker if need be and wait until it has (False if ``timeout`` seconds passed
    first or it is not enabled): for benches and tests, which time or check its jobs."""
    deadline = time.monotonic() + timeout
    while enabled() and time.monotonic() < deadline:
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


def _started_before(key: Hashable) -> list[Future[Any]]:
    """The jobs started before ``key``'s (called under _LOCK)."""
    earlier = []
    for other, (_, future) in _JOBS.items():
        if other == key:
            break
        if future is not None:
            earlier.append(future)
    return earlier


def _ready_pool() -> ProcessPoolExecutor | None:
    """The worker once it has started (called under _LOCK); starts it on first use, and again
    :data:`RETRY_AFTER` seconds after it failed to."""
    if not _POOL:
        if _GAVE_UP and time.monotonic() - _GAVE_UP[-1] < RETRY_AFTER:
            return None
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
        _GAVE_UP[:] = [time.monotonic()]
        _forget_pool()
        return None
    return _POOL[0]


def _forget_pool() -> None:
    """Drop the worker (called under _LOCK): the next :func:`start` starts another."""
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
