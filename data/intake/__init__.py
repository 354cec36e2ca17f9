"""Source parsers: a file in, RawMessage / Quarantined items out (raw text in memory only).

One entry point, :func:`parse_file`, finds what a file is and hands it to its parser:

=========== ======================================================== =====================
kind        file                                                     module
=========== ======================================================== =====================
telegram    Telegram Desktop ``result.json`` (one chat or account)   :mod:`.telegram`
facebook    Facebook "Download your information" JSON                :mod:`.facebook`
csv, xlsx   tables of reports (hotline logs, registers)              :mod:`.tabular`
minutes     meeting minutes, our XLSX template or the DOCX layout    :mod:`.minutes`
survey      survey responses, CSV or XLSX                            :mod:`.surveys`
=========== ======================================================== =====================

Counting contract: every record read becomes exactly one RawMessage (one survey
response for surveys) or one Quarantined, so ``result.stats["read"] ==
result.stats["emitted"] + result.stats["quarantined"]`` once ``items`` is exhausted.
What is not a record (service messages, photos, blank rows) is counted under
``skipped_*`` and explained in ``notes``. The only exception is :class:`UnreadableFile`,
raised by ``parse_file`` itself; a file damaged further on (a truncated export) ends
``items`` with one Quarantined entry that says where reading stopped, and the reason in
``result.problems`` (the file failed: the CLI exits non-zero).

Bounds (:mod:`.bounds`) hold whatever the file: its size, JSON nesting depth, cell sizes
and cells per sheet are checked while streaming, before anything big is built. Tables
of things that are not reports (an action plan, meetings, districts, hotspots) are
refused as "not a report file"; survey files are told apart and read as surveys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data.intake.bounds import MB, IntakeBounds, bounds
from data.intake.common import InputFile, IntakeOptions, ParseResult, UnreadableFile, utf16_order, zip_names
from data.intake.facebook import parse_facebook
from data.intake.minutes import Meeting, is_minutes_workbook, parse_minutes
from data.intake.surveys import SurveyResponse, looks_like_survey, parse_survey
from data.intake.tabular import parse_table
from data.intake.telegram import parse_telegram
from data.messages import msg

KINDS = ("telegram", "facebook", "csv", "xlsx", "minutes", "survey")

__all__ = [
    "KINDS",
    "IntakeBounds",
    "IntakeOptions",
    "Meeting",
    "ParseResult",
    "SurveyResponse",
    "UnreadableFile",
    "detect_kind",
    "parse_file",
]


def parse_file(
    path: str | Path | bytes,
    *,
    kind: str | None = None,
    column_mapping: str | Path | dict[str, Any] | None = None,
    name: str | None = None,
    options: IntakeOptions | None = None,
    limits: IntakeBounds | None = None,
) -> ParseResult:
    """Parse one source file; ``kind`` overrides detection (see :data:`KINDS`).

    ``path`` may be bytes (an upload); ``name`` then names it in messages and its
    extension helps detection. ``column_mapping`` (a dict or a JSON file) is for tables
    whose header cannot be recognised; see :func:`data.intake.common.load_mapping`.
    ``options`` settle date order and projected coordinates; ``limits`` default to
    :func:`data.intake.bounds.bounds`. A file over ``max_file_mb`` is refused unread.
    """
    infile = InputFile.of(path, name)
    limits = limits or bounds()
    options = options or IntakeOptions()
    if infile.size() > limits.max_file_bytes:
        raise UnreadableFile(
            infile.name,
            msg("file_too_big", mb=round(infile.size() / MB), limit=round(limits.max_file_mb), bound="max_file_mb"),
        )
    kind = kind or detect_kind(infile)
    if kind not in KINDS:
        raise UnreadableFile(infile.name, msg("unknown_kind", kind=str(kind), kinds=", ".join(KINDS)))
    if kind == "telegram":
        return parse_telegram(infile, limits=limits)
    if kind == "facebook":
        return parse_facebook(infile, limits=limits)
    if kind == "minutes":
        return parse_minutes(infile)
    if kind == "survey":
        return parse_survey(infile, column_mapping=column_mapping)
    table_kind = "xlsx" if _is_zip(infile) else "csv"
    if kind != table_kind:
        raise UnreadableFile(infile.name, msg("kind_mismatch", kind=kind, actual=table_kind.upper()))
    return parse_table(infile, kind=kind, column_mapping=column_mapping, options=options, limits=limits)


def detect_kind(source: str | Path | bytes | InputFile, name: str | None = None) -> str:
    """What a file is, from its content first (uploads get renamed) and its name second."""
    infile = InputFile.of(source, name)
    head = infile.head()
    if not head:
        raise UnreadableFile(infile.name, msg("file_empty"))
    if infile.suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(infile.name, msg("old_xls"))
    if _is_zip(infile):
        return _zip_kind(infile)
    if _utf16(head):
        text = head[:4096].decode(utf16_order(head) or "utf-16", errors="replace")
        if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            raise UnreadableFile(infile.name, msg("json_utf16"))
        return "survey" if looks_like_survey(infile) else "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        # a whole-account export may hold a long contact list before its chats
        telegram_markers = (b'"messages"', b'"chats"', b'"date_unixtime"', b'"personal_information"')
        if any(marker in head for marker in telegram_markers):
            return "telegram"
        return "facebook"
    if infile.suffix in (".json", ".docx", ".xlsx"):
        raise UnreadableFile(infile.name, msg("content_not_suffix", suffix=infile.suffix))
    return "survey" if looks_like_survey(infile) else "csv"


def _utf16(head: bytes) -> bool:
    """UTF-16 text: by its BOM, or by its high bytes (NUL for Latin, 0x04 for Cyrillic)."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_order(head) is not None


def _is_zip(infile: InputFile) -> bool:
    return infile.head(4) == b"PK\x03\x04"


def _zip_kind(infile: InputFile) -> str:
    names = zip_names(infile)
    if "word/document.xml" in names:
        return "minutes"
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(infile.name, msg("zip_not_office"))
    if is_minutes_workbook(infile):
        return "minutes"
    return "survey" if looks_like_survey(infile) else "xlsx"
