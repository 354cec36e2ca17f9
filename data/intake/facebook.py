"""Facebook "Download your information" JSON: own posts, group posts and comments.

Two quirks drive this module. Facebook writes every UTF-8 byte as its own ``\\u00XX``
escape, so Ukrainian arrives as mojibake ("Ð¡Ð¼Ñ...") and is repaired string by string.
And the key names change between export versions, so the known shapes are listed here
and anything else fails loudly, naming the file and the key, rather than importing
nothing in silence.

A record is one entry of the list (a post or a comment). An entry that carries only
media (photos, links) is not a report: it is counted as ``skipped_media`` and noted.
Entries stream one at a time, so a big file costs no more memory than a small one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import ijson

from data.intake.bounds import IntakeBounds, bounds
from data.intake.common import (
    FileSource,
    InputFile,
    ParseResult,
    Tally,
    UnreadableFile,
    short_hash,
    valid_point,
)
from data.intake.jsonrepair import DepthGuard, TooDeep
from data.intake.social import ITEM, built_items, json_problem, located, shared_extra
from data.messages import msg
from data.records import Quarantined, RawMessage

KIND = "facebook"
# Top-level keys of the dict-shaped files whose value is the list of entries.
LIST_KEYS = (
    "status_updates_v2",
    "status_updates",
    "posts_v2",
    "your_posts_v2",
    "group_posts_v2",
    "group_posts",
    "group_comments_v2",
    "group_comments",
    "group_posts_and_comments_v2",
    "group_posts_and_comments",
    "comments_v2",
    "comments",
    "your_posts_in_groups",
    "your_comments_in_groups",
)
# Keys of an entry, and of its ``data`` items, that carry nothing we import.
_ENTRY_KEYS = {
    "timestamp",
    "data",
    "attachments",
    "title",
    "tags",
    "event",
    "uri",
    "fbid",
    "group",
    "backdated_timestamp",
}
_DATA_KEYS = {"post", "comment", "update_timestamp", "backdated_timestamp", "title", "text"}
_ATTACHMENT_KEYS = {
    "place",
    "media",
    "external_context",
    "text",
    "name",
    "for_sale_item",
    "event",
    "fundraiser",
    "life_event",
    "poll",
    "note",
}


def fix_mojibake(value: Any) -> Any:
    """Undo Facebook's byte-per-character escapes, recursively over dicts and lists.

    A string that is not mojibake (characters above U+00FF, or bytes that are not UTF-8)
    is returned unchanged, so a file that was already repaired passes through intact.
    """
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [fix_mojibake(item) for item in value]
    if isinstance(value, dict):
        return {fix_mojibake(key): fix_mojibake(item) for key, item in value.items()}
    return value


def parse_facebook(source: FileSource, *, name: str | None = None, limits: IntakeBounds | None = None) -> ParseResult:
    """Parse a Facebook DYI JSON file into RawMessage / Quarantined items.

    Raises UnreadableFile at once for a file that is not JSON or whose structure is not
    one of the known ones, before any item is produced. The entries stream (one built
    at a time, nesting bounded by ``max_json_depth``), so memory does not grow with the
    file; damage further on ends the items with one Quarantined entry and a problem.
    """
    infile = InputFile.of(source, name)
    limits = limits or bounds()
    json_bounds = (limits.max_json_depth, limits.max_json_string_bytes)
    list_key = _layout(infile, json_bounds)
    result = ParseResult(kind=KIND, name=infile.name, items=iter(()))
    result.items = _items(infile, json_bounds, list_key, result, Tally(result, KIND))
    return result


def _events(raw: IO[bytes], json_bounds: tuple[int, int]) -> Iterator[tuple[str, str, Any]]:
    return ijson.parse(DepthGuard(raw, *json_bounds), use_float=True)


def _layout(infile: InputFile, json_bounds: tuple[int, int]) -> str:
    """The list the entries sit in: "(list)" for a top-level list, else the first known key.

    Reads events only (nothing is built) up to the first list of entries.
    """
    seen: list[str] = []
    with infile.open() as raw:
        try:
            for prefix, event, value in _events(raw, json_bounds):
                if prefix == "" and event == "start_array":
                    return "(list)"
                if prefix == "" and event in ("string", "number", "boolean", "null"):
                    kind = {"string": "str", "number": "number", "boolean": "bool", "null": "null"}[event]
                    raise UnreadableFile(infile.name, msg("fb_not_list", kind=kind))
                if prefix == "" and event == "map_key":
                    seen.append(value)
                elif prefix in LIST_KEYS and prefix == (seen[-1] if seen else None):
                    if event == "start_array":
                        return prefix
                    raise UnreadableFile(infile.name, msg("fb_key_not_list", key=prefix, kind=_json_kind(event)))
        except TooDeep as exc:
            raise UnreadableFile(infile.name, exc.message) from None
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise UnreadableFile(infile.name, msg("fb_unreadable", problem=json_problem(exc))) from None
    keys = ", ".join(f"'{key}'" for key in seen[:5]) or "-"
    raise UnreadableFile(infile.name, msg("fb_unknown_keys", keys=keys))


def _json_kind(event: str) -> str:
    return {"start_map": "dict", "string": "str", "number": "number", "boolean": "bool", "null": "null"}.get(
        event, event
    )


def _is_entry(prefix: str) -> bool:
    return prefix == "item" or (prefix.endswith(".item") and prefix[:-5] in LIST_KEYS)


def _entries(infile: InputFile, json_bounds: tuple[int, int], raw: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """(list key, entry) for every entry of every known list, built one at a time."""
    for prefix, event, value in built_items(_events(raw, json_bounds), _is_entry):
        if event == ITEM:
            yield ("(list)" if prefix == "item" else prefix[:-5]), value


def _items(
    infile: InputFile, json_bounds: tuple[int, int], list_key: str, result: ParseResult, tally: Tally
) -> Iterator[RawMessage | Quarantined]:
    unknown: set[str] = set()
    index = 0
    with infile.open() as raw:
        stream = _entries(infile, json_bounds, raw)
        try:
            for key, entry in stream:
                index += 1
                item = _convert(fix_mojibake(entry), index, key, tally, unknown)
                if item is not None:
                    yield item
        except (ijson.JSONError, UnicodeDecodeError, TooDeep) as exc:
            problem = json_problem(exc)
            if not isinstance(exc, TooDeep):
                problem = msg("file_damaged", problem=problem)
            tally.read()
            yield tally.quarantine(
                f"fb:file:{infile.name}:entry-{index + 1}", msg("entries_read_before", problem=problem, n=index)
            )
            result.problems.append(msg("file_rest_not_read", file=infile.name, problem=problem))
    if result.stats["skipped_media"]:
        result.notes.append(msg("note_fb_media", n=result.stats["skipped_media"]))
    if unknown:
        result.notes.append(msg("note_fb_unknown_keys", file=infile.name, keys=", ".join(sorted(unknown))))


def _convert(entry: Any, index: int, list_key: str, tally: Tally, unknown: set[str]) -> RawMessage | Quarantined | None:
    if not isinstance(entry, dict):
        tally.read()
        return tally.quarantine(f"fb:entry-{index}", msg("fb_entry_not_object", n=index, list=list_key))
    unknown.update(key for key in entry if key not in _ENTRY_KEYS)
    texts: list[str] = []
    timestamp = entry.get("timestamp")
    group = None
    for piece in _as_list(entry.get("data")):
        if not isinstance(piece, dict):
            continue
        unknown.update(key for key in piece if key not in _DATA_KEYS)
        if isinstance(piece.get("post"), str):
            texts.append(piece["post"])
        comment = piece.get("comment")
        if isinstance(comment, dict):
            if isinstance(comment.get("comment"), str):
                texts.append(comment["comment"])
            timestamp = comment.get("timestamp", timestamp)
            group = comment.get("group") if isinstance(comment.get("group"), str) else group
        elif isinstance(comment, str):
            texts.append(comment)
    location, venue, has_media, links = _attachments(entry, unknown)
    text = "\n".join(t for t in texts if t.strip())
    location, from_link = located(location, links)
    if not text and location is None and venue is None:
        if has_media or links:
            tally.skip("media")
            return None
        tally.read()
        return tally.quarantine(f"fb:entry-{index}", msg("fb_entry_no_text", n=index, list=list_key))
    tally.read()
    received_at = _timestamp(timestamp)
    ref = f"fb:{timestamp}:{short_hash(text, length=10)}"
    if received_at is None:
        return tally.quarantine(ref, msg("fb_entry_bad_timestamp", n=index, value=str(timestamp)), text)
    extra: dict[str, Any] = {"entry": index, "list": list_key}
    if group:
        extra["group"] = group  # a group's name, not a person's
    shared_extra(extra, links=links, from_link=from_link, photo=has_media)
    tally.emitted()
    return RawMessage(
        source="facebook",
        source_ref=ref,
        received_at=received_at,
        text=text,
        location=location,
        venue_text=venue,
        extra=extra,
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _attachments(
    entry: dict[str, Any], unknown: set[str]
) -> tuple[tuple[float, float] | None, str | None, bool, list[str]]:
    """(location, venue text, has media, links) from ``attachments[].data[]``."""
    location, venue, has_media, links = None, None, False, []
    for attachment in _as_list(entry.get("attachments")):
        for item in _as_list(attachment.get("data") if isinstance(attachment, dict) else None):
            if not isinstance(item, dict):
                continue
            unknown.update(key for key in item if key not in _ATTACHMENT_KEYS)
            has_media = has_media or "media" in item
            context = item.get("external_context")
            if isinstance(context, dict) and isinstance(context.get("url"), str):
                links.append(context["url"])
            place = item.get("place")
            if isinstance(place, dict):
                coordinate = place.get("coordinate")
                if isinstance(coordinate, dict):
                    location = valid_point(coordinate.get("latitude"), coordinate.get("longitude")) or location
                parts = [place.get(k) for k in ("name", "address")]
                venue = ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or venue
    return location, venue, has_media, links


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None
