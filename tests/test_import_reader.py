"""A file parsed by the import's reader process gives the records, counts, notes and
problems of a parse in the importing process, and the same store."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from data.intake import parse_file
from data.intake.bounds import bounds
from data.store.db import make_engine, upgrade
from services import import_reader
from services.import_reader import Reader
from services.importer import import_file
from tests.conftest import ROOT
from tests.test_import_workers import _stored

CHAT = ROOT / "data" / "demo" / "sources" / "telegram" / "result.json"


def _exports(tmp_path: Path) -> dict[str, Path]:
    whole = CHAT.read_bytes()
    files = {
        "demo": CHAT,
        "truncated": whole[: len(whole) // 2],  # damaged halfway: what was read before is kept
        "deep": _nested_in_last_chat(whole),  # over the depth bound past the file's head
    }
    for name, data in list(files.items()):
        if isinstance(data, bytes):
            files[name] = tmp_path / f"{name}.json"
            files[name].write_bytes(data)
    return files  # type: ignore[return-value]


def _nested_in_last_chat(whole: bytes) -> bytes:
    at = whole.rindex(b'"messages": [') + len(b'"messages": [')
    assert at > 1 << 20  # the parser reads 1 MB at a time: the head is checked before this
    return whole[:at] + b"[" * 200 + b"]" * 200 + b"," + whole[at:]


@pytest.fixture
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forks are allowed (other tests' threads end long before the children here)."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def _parsed(path: Path) -> tuple[list[Any], dict[str, Any]]:
    parsed = parse_file(path, kind="telegram", limits=bounds())
    return list(parsed.items), _outcome(parsed)


def _outcome(parsed: Any) -> dict[str, Any]:
    return {"stats": dict(parsed.stats), "notes": parsed.notes, "problems": parsed.problems, "surveys": parsed.surveys}


@pytest.mark.parametrize("name", ["demo", "truncated", "deep"])
def test_the_reader_gives_what_a_parse_here_gives(tmp_path: Path, name: str) -> None:
    path = _exports(tmp_path)[name]
    items, outcome = _parsed(path)
    reader = Reader()
    try:
        parsed = parse_file(path, kind="telegram", limits=bounds())  # the importer's own, never iterated
        read = list(reader.items(path, parsed, {"limits": bounds()}))
        assert reader.alive  # ready for the next file
        again = list(reader.items(path, parse_file(path, kind="telegram"), {"limits": bounds()}))
    finally:
        reader.close()
    assert read == items
    assert [i.model_fields_set for i in read] == [i.model_fields_set for i in items]
    assert _outcome(parsed) == outcome
    assert again == items
    assert len(items) > (100 if name == "demo" else 0)
    assert bool(outcome["problems"]) == (name != "demo")


def test_an_import_through_the_reader_stores_what_one_without_it_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: None
) -> None:
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(tmp_path / "salt.key"))
    monkeypatch.setattr(import_reader, "MIN_BYTES", 0)  # the demo export is small
    used: list[Path] = []
    real = Reader.items
    monkeypatch.setattr(Reader, "items", lambda self, path, *a: used.append(path) or real(self, path, *a))
    here, ahead = (make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("here", "ahead"))
    upgrade(here)
    upgrade(ahead)
    one = import_file(CHAT, here, parallel=False)
    two = import_file(CHAT, ahead)
    assert used == [CHAT]
    assert one.as_dict() | {"batch_id": 0} == two.as_dict() | {"batch_id": 0}
    for a, b in zip(_stored(here), _stored(ahead), strict=True):
        assert a.equals(b), "the import through the reader stored something else"


def test_a_file_left_before_its_end_stops_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _exports(tmp_path)["demo"]
    reader = Reader()
    try:
        items = reader.items(path, parse_file(path), {})
        first = [next(items) for _ in range(3)]
        items.close()  # e.g. the record bound was reached
        assert not reader.alive
    finally:
        reader.close()
    assert first == _parsed(path)[0][:3]
