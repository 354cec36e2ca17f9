"""Telegram Desktop export (``result.json``): one chat or a whole account.

Streams with ijson through :class:`~data.intake.jsonrepair.RepairingReader`, so a 200 MB
export is read in bounded memory and the exporter's invalid control-character escapes do
not stop the import. What counts as a record: a ``"type": "message"`` entry with text or
an attached location. Service messages and media without any text are not reports; they
are counted (``stats['skipped_service']``, ``skipped_photo``, ``skipped_media``) and
reported in the notes so that nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ijson

from data.intake.bounds import IntakeBounds, bounds
from data.intake.common import (
    FileSource,
    InputFile,
    ParseResult,
    Tally,
    UnreadableFile,
    kyiv_to_utc,
    valid_point,
)
from data.intake.jsonrepair import DepthGuard, RepairingReader, TooDeep
from data.intake.social import ITEM, built_items, json_problem, located, shared_extra
from data.messages import Message, msg
from data.records import Quarantined, RawMessage

KIND = "telegram"
# Where the chats of a whole-account export sit, and their messages, ids and types.
_CHAT_ROOTS = ("chats.list.item", "left_chats.list.item")
_MESSAGE_PREFIXES = {root + ".messages.item": root for root in _CHAT_ROOTS}
_CHAT_ID_PREFIXES = {root + ".id": root for root in _CHAT_ROOTS}
_CHAT_TYPE_PREFIXES = {root + ".type": root for root in _CHAT_ROOTS}
_LINK_TYPES = ("link", "text_link")


def parse_telegram(source: FileSource, *, name: str | None = None, limits: IntakeBounds | None = None) -> ParseResult:
    """Parse a Telegram Desktop JSON export into RawMessage / Quarantined items.

    The head of the file is read at once (UnreadableFile if it is not an export); the
    messages stream lazily. Damage further on ends ``items`` with one Quarantined entry
    saying where the import stopped, so what was read before it is kept.
    """
    infile = InputFile.of(source, name)
    limits = limits or bounds()
    json_bounds = (limits.max_json_depth, limits.max_json_string_bytes)
    layout = _layout(infile, json_bounds)  # an unreadable file fails here, before any item
    result = ParseResult(kind=KIND, name=infile.name, items=iter(()))
    result.items = _items(infile, layout, result, Tally(result, KIND), json_bounds)
    return result


def _items(
    infile: InputFile, layout: _Layout, result: ParseResult, tally: Tally, json_bounds: tuple[int, int]
) -> Iterator[RawMessage | Quarantined]:
    with infile.open() as raw:
        reader = DepthGuard(RepairingReader(raw), *json_bounds)
        if layout.single_chat:  # the common case: ijson builds each message in C
            found = ijson.items(reader, "messages.item", use_float=True)
            stream: Iterator[tuple[str, str | None, Any]] = ((layout.chat_id, layout.chat_type, m) for m in found)
        else:
            stream = _messages(reader)
        try:
            for chat_id, chat_type, message in stream:
                item = _convert(message, chat_id, chat_type, tally)
                if item is not None:
                    yield item
        except (ijson.JSONError, UnicodeDecodeError, TooDeep) as exc:
            # Part of the file was read: keep it, and say loudly where the rest was lost.
            problem = exc.message if isinstance(exc, TooDeep) else msg("damaged_near", byte=reader.bytes_in)
            if not isinstance(exc, TooDeep):
                problem = msg("with_detail", problem=problem, detail=json_problem(exc))
            tally.read()
            yield tally.quarantine(
                f"tg:file:{infile.name}:byte-{reader.bytes_in}",
                msg("messages_read_before", problem=problem, n=result.stats["read"] - 1),
            )
            result.problems.append(msg("file_rest_not_read", file=infile.name, problem=problem))
    _write_notes(result)


@dataclass
class _Layout:
    single_chat: bool
    chat_id: str = "unknown"
    chat_type: str | None = None


def _layout(infile: InputFile, json_bounds: tuple[int, int]) -> _Layout:
    """Single chat or whole account, read from the head of the file.

    A chat's ``id`` and ``type`` precede its ``messages`` in every Telegram Desktop
    export, so the scan stops at the first ``messages`` list or ``chats`` key.
    """
    layout = _Layout(single_chat=True)
    with infile.open() as raw:
        try:
            for prefix, event, value in ijson.parse(DepthGuard(RepairingReader(raw), *json_bounds), use_float=True):
                if prefix == "id" and event in ("number", "string"):
                    layout.chat_id = str(int(value) if isinstance(value, float) else value)
                elif prefix == "type" and event == "string":
                    layout.chat_type = value
                elif prefix == "messages" and event == "start_array":
                    return layout
                elif prefix == "" and event == "map_key" and value in ("chats", "left_chats"):
                    return _Layout(single_chat=False)
        except TooDeep as exc:
            raise UnreadableFile(infile.name, exc.message) from None
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise UnreadableFile(infile.name, msg("telegram_unreadable", problem=json_problem(exc))) from None
    raise UnreadableFile(infile.name, msg("telegram_no_messages"))


def _messages(reader: DepthGuard) -> Iterator[tuple[str, str | None, Any]]:
    """(chat id, chat type, message) of a whole-account export, one message at a time."""
    chat_ids: dict[str, str] = {}
    chat_types: dict[str, str] = {}
    for prefix, event, value in built_items(ijson.parse(reader, use_float=True), _MESSAGE_PREFIXES.__contains__):
        if event == ITEM:
            root = _MESSAGE_PREFIXES[prefix]
            yield chat_ids.get(root, "unknown"), chat_types.get(root), value
        elif prefix in _CHAT_ID_PREFIXES and event in ("number", "string"):
            chat_ids[_CHAT_ID_PREFIXES[prefix]] = str(int(value) if isinstance(value, float) else value)
        elif prefix in _CHAT_TYPE_PREFIXES and event == "string":
            chat_types[_CHAT_TYPE_PREFIXES[prefix]] = value
        elif event == "start_map" and prefix in _CHAT_ROOTS:
            chat_ids.pop(prefix, None)  # a new chat: forget the previous one's id
            chat_types.pop(prefix, None)


def _convert(message: Any, chat_id: str, chat_type: str | None, tally: Tally) -> RawMessage | Quarantined | None:
    """One message entry as a record, or None when it is not a record (counted as skipped)."""
    if not isinstance(message, dict):
        tally.read()
        reason = msg("tg_entry_not_object", chat=chat_id)
        return tally.quarantine(_no_id_ref(chat_id, tally), reason)
    msg_type = message.get("type", "message")
    if msg_type == "service":
        tally.skip("service")
        return None
    msg_id = message.get("id")
    ref = f"tg:{chat_id}:{msg_id}" if msg_id is not None else _no_id_ref(chat_id, tally)
    if msg_type != "message":
        tally.read()
        return tally.quarantine(
            ref, msg("tg_message_problem", id=str(msg_id), problem=msg("tg_unknown_type", type=str(msg_type)))
        )
    text, links = _rebuild_text(message)
    location, venue = _location(message)
    location, from_link = located(location, links)
    if not text.strip() and location is None and venue is None:
        tally.skip("photo" if "photo" in message else "media" if _has_media(message) else "empty")
        return None
    tally.read()
    if msg_id is None:
        return tally.quarantine(ref, msg("tg_no_id"), text)
    received_at, assumed_local = _received_at(message)
    if received_at is None:
        shown = message.get("date")
        problem = msg("bad_date", value=str(shown)) if shown else msg("no_date")
        return tally.quarantine(ref, msg("tg_message_problem", id=str(msg_id), problem=problem), text)
    extra: dict[str, Any] = {"chat_id": chat_id}
    if chat_type:
        extra["chat_type"] = chat_type
    if assumed_local:
        extra["date_assumed_kyiv"] = True
    if "photo" in message:
        tally.result.stats["photo_captions"] += 1
    if message.get("forwarded_from") is not None or message.get("forwarded_from_id"):
        extra["forwarded"] = True  # the original author's name is not kept, only their id
        if message.get("forwarded_from_id"):
            extra["forwarded_from_id"] = str(message["forwarded_from_id"])
    if message.get("reply_to_message_id") is not None:
        reply_chat = message.get("reply_to_peer_id") or chat_id
        extra["reply_to"] = f"tg:{reply_chat}:{message['reply_to_message_id']}"
    if message.get("edited_unixtime"):
        edited = _unix(message["edited_unixtime"])
        if edited is not None:
            extra["edited_at"] = edited.isoformat()
    bad_pin = _bad_pin(message) if location is None else None
    if bad_pin:
        extra["location_problem"] = bad_pin
    shared_extra(extra, links=links, from_link=from_link, photo="photo" in message)
    tally.emitted()
    return RawMessage(
        source="telegram",
        source_ref=ref,
        received_at=received_at,
        text=text,
        author_id=_author_id(message),
        location=location,
        venue_text=venue,
        extra=extra,
    )


def _no_id_ref(chat_id: str, tally: Tally) -> str:
    """A ref for an entry without a message id: its position, so that two differ."""
    return f"tg:{chat_id}:no-id-{tally.result.stats['read']}"


def _rebuild_text(message: dict[str, Any]) -> tuple[str, list[str]]:
    """Plain text and the links in it.

    ``text_entities`` is the exporter's flat list of pieces; older exports only have
    ``text`` (a string, or a list mixing strings and ``{"type", "text"}`` pieces). A
    piece's ``text`` may itself be a list of pieces (a link inside bold inside italic):
    they are walked with an explicit stack, in order, in time linear in their number.
    """
    pieces = message.get("text_entities")
    if not isinstance(pieces, list) or not pieces and message.get("text"):
        raw = message.get("text", "")
        pieces = raw if isinstance(raw, list) else [raw]
    plain = _plain_pieces(pieces)
    return (plain, []) if plain is not None else _walked_pieces(pieces)


def _walked_pieces(pieces: list[Any]) -> tuple[str, list[str]]:
    """The general walk of :func:`_rebuild_text`: any nesting, links collected."""
    parts: list[str] = []
    links: list[str] = []
    stack: list[Any] = [iter(pieces)]
    while stack:
        piece = next(stack[-1], _DONE)
        if piece is _DONE:
            stack.pop()
        elif isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            text = piece.get("text")
            if piece.get("type") in _LINK_TYPES:
                href = piece.get("href") if isinstance(piece.get("href"), str) else text
                if isinstance(href, str) and href:
                    links.append(href)
            if isinstance(text, str):
                parts.append(text)
            elif isinstance(text, list | dict):
                stack.append(iter(text if isinstance(text, list) else [text]))
        elif isinstance(piece, list):
            stack.append(iter(piece))
    return "".join(parts), links


_DONE = object()


def _plain_pieces(pieces: list[Any]) -> str | None:
    """The text of pieces that are all ``{"type": ..., "text": "..."}`` without a link
    (nearly every message), in one flat pass; None when the walk above is needed."""
    parts: list[str] = []
    for piece in pieces:
        if type(piece) is not dict:
            return None
        text = piece.get("text")
        if type(text) is not str or piece.get("type") in _LINK_TYPES:
            return None
        parts.append(text)
    return "".join(parts)


def _location(message: dict[str, Any]) -> tuple[tuple[float, float] | None, str | None]:
    info = message.get("location_information")
    location = valid_point(info.get("latitude"), info.get("longitude")) if isinstance(info, dict) else None
    if "place_name" not in message and "address" not in message:  # most messages: no venue
        return location, None
    venue_parts = [message.get(key) for key in ("place_name", "address")]
    venue = ", ".join(p.strip() for p in venue_parts if isinstance(p, str) and p.strip()) or None
    return location, venue


def _bad_pin(message: dict[str, Any]) -> Message | None:
    """Why an attached location is no point (NaN, off the Earth), so the moderator sees it."""
    info = message.get("location_information")
    if not isinstance(info, dict) or (info.get("latitude") is None and info.get("longitude") is None):
        return None
    return msg("pin_not_a_point", lat=repr(info.get("latitude")), lon=repr(info.get("longitude")))


def _has_media(message: dict[str, Any]) -> bool:
    return any(key in message for key in ("file", "media_type", "sticker_emoji", "poll", "contact_information"))


def _unix(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _received_at(message: dict[str, Any]) -> tuple[datetime | None, bool]:
    """UTC from ``date_unixtime``; old exports only have ``date``, the exporting PC's
    local time, which we take as the city's time (and flag) rather than lose the message."""
    when = _unix(message.get("date_unixtime"))
    if when is not None:
        return when, False
    local = message.get("date")
    if isinstance(local, str):
        try:
            return kyiv_to_utc(datetime.fromisoformat(local)), True
        except ValueError:
            return None, False
    return None, False


def _author_id(message: dict[str, Any]) -> str | None:
    """The sender's stable id ("user123"); never the name in ``from``."""
    for key in ("from_id", "actor_id"):
        value = message.get(key)
        if isinstance(value, str | int) and str(value):
            return str(value)
    return None


def _write_notes(result: ParseResult) -> None:
    stats = result.stats
    if stats["skipped_service"]:
        result.notes.append(msg("note_tg_service", n=stats["skipped_service"]))
    photos = stats["skipped_photo"] + stats["photo_captions"]
    if photos and stats["photo_captions"]:
        result.notes.append(msg("note_tg_photos_captions", n=photos, captions=stats["photo_captions"]))
    elif photos:
        result.notes.append(msg("note_tg_photos", n=photos))
    if stats["skipped_media"]:
        result.notes.append(msg("note_tg_media", n=stats["skipped_media"]))
    if stats["skipped_empty"]:
        result.notes.append(msg("note_tg_empty", n=stats["skipped_empty"]))
