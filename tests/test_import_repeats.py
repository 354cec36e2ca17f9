"""Repeats inside a file are told by the store across chunks (services/import_repeats.py):
the counts are those of a set of every key of the file, whatever chunk a copy falls in."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import importer
from tests.test_intake_hostile import TEXT, imported, message, telegram


def _messages(ids: list[int]) -> list[dict]:
    """Telegram messages with these ids; id 0 is a service entry of an unknown type (the
    parser quarantines it with its key), so repeats of quarantined records are counted too."""
    out = []
    for i in ids:
        entry = message(i, f"{TEXT}, номер {i}")
        if i == 0:
            entry["type"] = "mystery"
        out.append(entry)
    return out


@pytest.mark.parametrize("chunk", [3, 4, 1000])
def test_repeats_in_the_same_the_next_and_later_chunks_and_of_already_imported_records(
    store, tmp_path: Path, monkeypatch, chunk: int
) -> None:
    monkeypatch.setattr(importer, "CHUNK", chunk)
    earlier = imported(telegram(_messages([50, 51]), tmp_path, "earlier.json"), store, parallel=False)
    assert earlier.read == 2
    ids = [1, 2, 0, 1, 50, 3, 2, 4, 0, 5, 1, 6, 50, 7, 51, 8, 3, 51, 9, 1, 0]
    summary = imported(telegram(_messages(ids), tmp_path), store, parallel=False)
    distinct = set(ids)
    before = {50, 51}
    assert summary.read == len(ids)
    assert summary.repeats == len(ids) - len(distinct)
    assert summary.duplicates >= summary.repeats  # and the near-copies de-duplication marks
    assert summary.already_imported == len(before)
    assert summary.imported + summary.quarantined + summary.duplicates - summary.repeats == len(distinct - before)
    assert summary.quarantined >= 1  # the unknown entry, stored once
