"""Staff messages as codes: quarantine reasons and batch notes/problems become JSON messages

Revision ID: issue19e_staff_messages
Revises: issue25_store_settings
Create Date: 2026-12-07

Before, a quarantine reason and each line of an import batch's notes and problems were
English sentences. Now they are stored as ``{"code": ..., "params": {...}}`` (a batch
holds a JSON list) and named in the reader's language from the catalogue (msg.<code>).
The sentences the importer used to write are mapped to their codes here; any other text
becomes the code "legacy" with the old text as its parameter (shown verbatim).
Self-contained on purpose: the patterns below are those of the old code, frozen.
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "issue19e_staff_messages"
down_revision = "issue25_store_settings"
branch_labels = None
depends_on = None


def _m(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def _problem(text: str) -> dict[str, Any]:
    """The inner problem of a row or message reason (a date, a missing text)."""
    if text == "no text":
        return _m("no_text")
    if text == "no date":
        return _m("no_date")
    if text == "no problem described":
        return _m("no_problem_described")
    if text == "no wave":
        return _m("survey_no_wave")
    if text == "no answers":
        return _m("survey_no_answers")
    if found := re.fullmatch(r"date '(.*)' is not a date", text, re.S):
        return _m("bad_date", value=found[1])
    if found := re.fullmatch(r"date '(.*)' is not a date \(read month first\)", text, re.S):
        return _m("bad_date_monthfirst", value=found[1])
    if found := re.fullmatch(r"time '(.*)' is not a time", text, re.S):
        return _m("bad_time", value=found[1])
    return _m("legacy", text=text)


_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"place not found in the text.*", re.S), lambda f: _m("not_located")),
    (re.compile(r"could not process: (.*)", re.S), lambda f: _m("could_not_process", detail=f[1])),
    (re.compile(r"row (\d+): (.*)", re.S), lambda f: _m("row_problem", row=int(f[1]), problem=_problem(f[2]))),
    (re.compile(r"message (\S+): (.*)", re.S), lambda f: _m("tg_message_problem", id=f[1], problem=_problem(f[2]))),
    (
        re.compile(r"outside the city: the point (\S+), (\S+) is outside the study area"),
        lambda f: _m("point_outside_area", lat=f[1], lon=f[2]),
    ),
    (
        re.compile(r"date (\S+) is outside the accepted period (\S+) to (\S+)"),
        lambda f: _m("date_outside_period", date=f[1], first=f[2], last=f[3]),
    ),
    (re.compile(r"date outside the period"), lambda f: _m("date_outside_period_short")),
    (re.compile(r"a message without an id \(cannot be referenced\)"), lambda f: _m("tg_no_id")),
    (
        re.compile(r"entry (\d+): timestamp '(.*)' is not a date", re.S),
        lambda f: _m("fb_entry_bad_timestamp", n=int(f[1]), value=f[2]),
    ),
    (
        re.compile(r"entry (\d+) of '(.*)' has no text", re.S),
        lambda f: _m("fb_entry_no_text", n=int(f[1]), list=f[2]),
    ),
]

_NOTES: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"read as (\S+), columns separated by (.+)"),
        lambda f: _m("note_csv_read_as", encoding=f[1], delimiter=f[2]),
    ),
    (re.compile(r"(\d+) blank rows skipped"), lambda f: _m("note_blank_rows", n=int(f[1]))),
    (re.compile(r"(\d+) survey responses read"), lambda f: _m("note_survey_read", n=int(f[1]))),
    (
        re.compile(r"(\d+) empty rows of the problems table skipped"),
        lambda f: _m("note_minutes_blank_rows", n=int(f[1])),
    ),
    (
        re.compile(r"(\d+) service messages \(joins, pins, title changes\) skipped"),
        lambda f: _m("note_tg_service", n=int(f[1])),
    ),
    (re.compile(r"(\d+) photos not imported"), lambda f: _m("note_tg_photos", n=int(f[1]))),
    (
        re.compile(r"(\d+) photos not imported \((\d+) with a caption, imported as text\)"),
        lambda f: _m("note_tg_photos_captions", n=int(f[1]), captions=int(f[2])),
    ),
    (
        re.compile(r"(\d+) files, stickers or voice messages without text skipped"),
        lambda f: _m("note_tg_media", n=int(f[1])),
    ),
    (
        re.compile(r"(\d+) messages without text or location skipped"),
        lambda f: _m("note_tg_empty", n=int(f[1])),
    ),
    (
        re.compile(r"(\d+) posts with only photos or links not imported"),
        lambda f: _m("note_fb_media", n=int(f[1])),
    ),
    (
        re.compile(r"(\d+) texts carried control or bidi characters: shown as \[U\+XXXX\], never active"),
        lambda f: _m("note_made_visible", n=int(f[1])),
    ),
]


def _mapped(text: str, patterns: list[tuple[re.Pattern[str], Any]]) -> dict[str, Any]:
    for pattern, build in patterns:
        found = pattern.fullmatch(text)
        if found:
            return build(found)
    return _m("legacy", text=text)


def _is_message_json(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return (isinstance(value, dict) and "code" in value) or isinstance(value, list)


def reason_json(text: str | None) -> str:
    """An old quarantine reason as a stored message (JSON); a message already stays."""
    text = text or ""
    if _is_message_json(text):
        return text
    return json.dumps(_mapped(text, _REASONS), ensure_ascii=False, sort_keys=True)


def lines_json(text: str | None, patterns: list[tuple[re.Pattern[str], Any]]) -> str:
    """Old newline-separated notes or problems as a JSON list of messages ("" stays "")."""
    if not text or _is_message_json(text):
        return text or ""
    return json.dumps([_mapped(line, patterns) for line in text.splitlines() if line], ensure_ascii=False)


def upgrade() -> None:
    bind = op.get_bind()
    quarantine = sa.table("quarantine", sa.column("id", sa.Integer), sa.column("reason", sa.Text))
    for row_id, reason in bind.execute(sa.select(quarantine.c.id, quarantine.c.reason)).all():
        new = reason_json(reason)
        if new != reason:
            bind.execute(sa.update(quarantine).where(quarantine.c.id == row_id).values(reason=new))
    batches = sa.table(
        "import_batches", sa.column("id", sa.Integer), sa.column("notes", sa.Text), sa.column("problems", sa.Text)
    )
    for row_id, notes, problems in bind.execute(sa.select(batches.c.id, batches.c.notes, batches.c.problems)).all():
        new_notes, new_problems = lines_json(notes, _NOTES), lines_json(problems, [])
        if (new_notes, new_problems) != (notes, problems):
            bind.execute(
                sa.update(batches).where(batches.c.id == row_id).values(notes=new_notes, problems=new_problems)
            )


def downgrade() -> None:
    """Legacy texts go back verbatim; coded messages stay as their JSON (no catalogue here)."""
    bind = op.get_bind()
    quarantine = sa.table("quarantine", sa.column("id", sa.Integer), sa.column("reason", sa.Text))
    for row_id, reason in bind.execute(sa.select(quarantine.c.id, quarantine.c.reason)).all():
        try:
            value = json.loads(reason or "")
        except ValueError:
            continue
        if isinstance(value, dict) and value.get("code") == "legacy":
            bind.execute(sa.update(quarantine).where(quarantine.c.id == row_id).values(reason=value["params"]["text"]))
