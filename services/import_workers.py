"""Worker processes for the per-message work of an import (placing, redacting,
classifying, dating: every step that needs no store).

Geocoding is most of an import's CPU time and each message is placed on its own, so a
big batch spreads it over the cores the process may use; the importing process is left
with parsing and storing, so it keeps up with the workers. The workers are forked from
the importing process after the gazetteer and models are loaded, so they start at once
and share those pages; answers are the same as serial (tests/test_import_workers.py).

Forking is safe only from a single-threaded process (a fork copies locks held by other
threads), so inside a threaded server (Streamlit) the import runs serially.
``HOTSPOTS_IMPORT_WORKERS`` sets the number of workers (1 = serial; default: the
process's cores).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any, TypeVar

from services.import_reader import READERS, Reader

WORKERS_ENV = "HOTSPOTS_IMPORT_WORKERS"
MIN_PARALLEL = 500  # messages in a chunk below which starting the work elsewhere costs more than it saves
PIECES_PER_WORKER = 2  # a chunk is sent as this many pieces per worker: balanced, yet batched (classification)

T = TypeVar("T")
R = TypeVar("R")


def available_workers() -> int:
    """Workers for an import: the env setting, else the cores this process may run on."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        return max(1, int(setting))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def worker_pool(workers: int | None = None) -> Iterator[Pool | None]:
    """A pool of forked workers, or None (serial) for one worker or a threaded process;
    with it, a reader process that parses big files ahead (services.import_reader)."""
    n = available_workers() if workers is None else workers
    if n <= 1 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    # What is alive now (the models, dictionaries and gazetteer the workers share) leaves
    # the collector's view before the fork: a worker's full collection would otherwise
    # write to every object's header and so copy each shared page (~60 MB a worker at 1M
    # messages); the parent gets them back when the pool ends.
    gc.freeze()
    try:
        reader = Reader()  # forked first: the pool's threads do not exist yet
        try:
            pool = _Pool(n, context=multiprocessing.get_context("fork"))
            READERS[pool] = reader
            try:
                yield pool
            finally:
                pool.terminate()
                pool.join()
        finally:
            reader.close()
    finally:
        gc.unfreeze()


class _Pool(Pool):
    """multiprocessing's Pool, whose maintenance thread wakes when a worker ends or the
    pool changes, not whenever a result waits in the pipe.

    Why: the stock thread also waits on the result pipe, which holds data for as long as
    the result thread takes to read a piece's answers (~200 KB of rows), so it spins
    meanwhile: ~12 us of the importing process's CPU a message, and GIL switches for
    its main thread (measured with the thread's CPU clock on a 50k-message export).
    Workers here never end by themselves (no maxtasksperchild): only a crash, which
    their sentinels still report, calls for the maintenance."""

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


def start_pieces(
    pool: Pool | None, fn: Callable[..., list[R]], items: Sequence[T], *args: Any
) -> Callable[[], list[R]]:
    """``fn(items, *args)`` (``fn`` maps a list to a list of the same length), started now
    in the pool (when there is one and enough items) as a few pieces per worker, so the
    caller can work meanwhile; call the result to wait for the answers, in order.
    Without the pool the work happens, here, at that call."""
    if pool is None or len(items) < MIN_PARALLEL:
        return lambda: fn(items, *args)
    n = PIECES_PER_WORKER * pool._processes  # type: ignore[attr-defined]
    step = -(-len(items) // n)
    pieces = [(items[i : i + step], *args) for i in range(0, len(items), step)]
    started = pool.starmap_async(fn, pieces, chunksize=1)
    return lambda: [answer for piece in started.get() for answer in piece]


__all__: list[Any] = ["MIN_PARALLEL", "WORKERS_ENV", "available_workers", "start_pieces", "worker_pool"]
