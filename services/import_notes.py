"""What the importer tells staff about a batch, as messages (codes named at the edge).

Why here: the importer (services/importer.py) is at its size bound, and these messages are
one job: saying what the record checks changed, so that nothing changes silently.
"""

from __future__ import annotations

from data.messages import Message, msg

NOT_PLACED = msg("not_located")
"""The quarantine reason of a report whose place the text does not give."""


def check_notes(
    *,
    repeats: int,
    repeat_examples: list[str],
    truncated: int,
    max_text_chars: int,
    truncated_refs: list[str],
    made_visible: int,
) -> list[Message]:
    """The batch notes of the record checks: repeats inside the file, truncated texts,
    control characters made visible (each only when it happened)."""
    notes = []
    if repeats:
        notes.append(msg("note_repeats", n=repeats, examples=", ".join(repeat_examples)))
    if truncated:
        notes.append(msg("note_truncated", n=truncated, limit=max_text_chars, examples=", ".join(truncated_refs)))
    if made_visible:
        notes.append(msg("note_made_visible", n=made_visible))
    return notes


def too_many_records(file_name: str, limit: int) -> Message:
    """The problem of a file with more records than the bound allows (the rest is not read)."""
    return msg("file_rest_not_read", file=file_name, problem=msg("too_many_records", limit=limit, bound="max_records"))


def could_not_process(exc: Exception) -> Message:
    """The quarantine reason of a message that broke a pipeline step (a bug, kept for staff)."""
    return msg("could_not_process", detail=f"{type(exc).__name__}: {exc}")
