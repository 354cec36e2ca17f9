"""A process of its own that parses an import's file ahead of the importing process.

Why: with the worker pool placing and redacting, the importing process is the pool's
bottleneck, and parsing a JSON export (~20 us a message: ijson's events, the Python
record of each message) is the part of its work that needs neither the store nor the
workers' answers. The reader is forked with the pool (single-threaded, after the
warm-up), parses the file again (the importing process keeps its own parse for the
checks made when a file is opened) and sends the records in batches over a pipe,
~5 us a message to take in. The records, their order, the counts, notes and problems
are those of parsing in the importing process (tests/test_import_reader.py).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import weakref
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from data import intake

BATCH = 500  # records a message: few pipe round trips, bounded memory
KINDS = ("telegram", "facebook")  # the exports big enough to pay for it, whose open-time checks are cheap
MIN_BYTES = 4 << 20  # smaller files are parsed where they are imported (a fork and a re-read cost ~20 ms)

READERS: weakref.WeakKeyDictionary[Pool, Reader] = weakref.WeakKeyDictionary()
"""Each worker pool's reader (services.import_workers.worker_pool forks both)."""


class Reader:
    """The forked parsing process and its end of the pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def items(self, path: Path, parsed: intake.ParseResult, options: dict[str, Any]) -> Iterator[Any]:
        """The records of ``parsed`` as the reader parses them; ``parsed``'s notes, problems,
        counts and survey responses are the reader's once they are exhausted. A file left
        before its end stops the reader (later imports parse where they are)."""
        self.conn.send((path, {**options, "kind": parsed.kind}))
        finished = False
        try:
            while True:
                try:
                    what, payload = self.conn.recv()
                except EOFError:
                    raise RuntimeError("the import's reader process ended before the file did") from None
                if what == "models":
                    yield from _unpacked(payload)
                    continue
                if what == "items":
                    yield from payload
                    continue
                finished = True
                if what == "end":
                    parsed.notes[:], parsed.problems[:], stats, parsed.surveys[:] = payload
                    parsed.stats.clear()
                    parsed.stats.update(stats)
                    return
                if what == "unreadable":
                    raise intake.UnreadableFile(*payload)
                raise payload
        finally:
            if not finished:
                self.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.conn.close()


def read_ahead(kind: str, path: Path) -> bool:
    """Whether a file of this kind and size is parsed by a reader, when there is one."""
    return kind in KINDS and path.stat().st_size >= MIN_BYTES


def read_items(pool: Pool | None, path: Path, parsed: intake.ParseResult, options: dict[str, Any]) -> Iterator[Any]:
    """``parsed.items``, or the same records parsed by ``pool``'s reader when the file is
    big enough to pay for it (``options``: what ``parsed`` was parsed with, but its kind)."""
    reader = READERS.get(pool) if pool is not None else None
    if reader is None or not reader.alive or not read_ahead(parsed.kind, path):
        return parsed.items
    return reader.items(path, parsed, options)


def _serve(conn: Connection) -> None:
    """The reader's loop: one file parsed and sent per request, until the pipe closes."""
    gc.freeze()  # what was forked stays out of the collector's view: its pages stay shared
    while True:
        try:
            path, options = conn.recv()
        except EOFError:
            return
        try:
            parsed = intake.parse_file(path, **options)
            batch: list[Any] = []
            for item in parsed.items:
                batch.append(item)
                if len(batch) == BATCH:
                    conn.send(_packed(batch))
                    batch = []
            conn.send(_packed(batch))
            conn.send(("end", (parsed.notes, parsed.problems, parsed.stats, parsed.surveys)))
        except intake.UnreadableFile as exc:
            conn.send(("unreadable", (exc.name, exc.problem)))
        except Exception as exc:  # noqa: BLE001 - raised in the importing process instead
            conn.send(("error", exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}")))


def _packed(batch: list[Any]) -> tuple[str, Any]:
    """A batch as its records' classes, fields and fields set ("models"), when each is a
    plain pydantic model; else as it is ("items").

    Why: a pickled pydantic model is rebuilt by its ``__setstate__`` (~5 us a record in
    the importing process, more than the record's data); its parts take ~2 us.
    """
    if all(isinstance(i, BaseModel) and i.__pydantic_extra__ is None and i.__pydantic_private__ is None for i in batch):
        return "models", [(type(i), i.__dict__, i.__pydantic_fields_set__) for i in batch]
    return "items", batch


def _unpacked(parts: list[tuple[type[BaseModel], dict[str, Any], set[str]]]) -> list[BaseModel]:
    """The records of a "models" batch, as pickle would rebuild them (but in one loop)."""
    out = []
    for cls, fields, fields_set in parts:
        record = cls.__new__(cls)
        _set(record, "__dict__", fields)
        _set(record, "__pydantic_fields_set__", fields_set)
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        out.append(record)
    return out


_set = object.__setattr__


def _picklable(exc: Exception) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure means: send its text instead
        return False
    return True
