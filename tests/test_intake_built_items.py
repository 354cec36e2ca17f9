"""Entries of a JSON stream built by ijson's C builder equal those of its Python
ObjectBuilder (data.intake.social, the fallback without the C backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ijson
import pytest

import data.intake.social as social

DEMO_EXPORT = Path(__file__).resolve().parents[1] / "data" / "demo" / "sources" / "telegram" / "result.json"
NESTED = (
    b'{"chats": {"list": [{"id": 1, "messages": [{"id": 1, "text": ["a", {"type": "link", "text": [{"x": []}]}],'
    b' "n": 1.5, "ok": true, "none": null}, 7, "s", [], {}, [[1, [2, {"k": [3]}]]]]}]}}'
)


def _entries(data: bytes, *, python: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    if python:
        monkeypatch.setattr(social, "_entry_builder", lambda prefix, done: social._python_builder(done))
    events = ijson.parse(data, use_float=True)
    return list(social.built_items(events, lambda p: p.endswith("messages.item")))


@pytest.mark.parametrize("data", [NESTED, DEMO_EXPORT.read_bytes()], ids=["nested", "demo-export"])
def test_c_and_python_builders_give_the_same_entries(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    in_c = _entries(data, python=False, monkeypatch=monkeypatch)
    in_python = _entries(data, python=True, monkeypatch=monkeypatch)
    assert in_c == in_python
    assert sum(e == social.ITEM for _, e, _ in in_c) >= 6  # entries were built, not only passed through
