"""What the Telegram and Facebook parsers share: entries built one at a time from a JSON
event stream, a point read from a map link, and the extra fields both record.

Why: both exports are big JSON files of posts with links and photos; the same streaming
loop and the same "where is it, what came with it" fields were written twice and drifted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import ijson

from data.intake.common import point_from_links
from data.intake.jsonrepair import TooDeep
from data.messages import Message, msg

Point = tuple[float, float]
Event = tuple[str, str, Any]  # ijson's (prefix, event, value)
ITEM = "item"
"""The event name :func:`built_items` gives an entry it built (ijson has no such event)."""


def built_items(events: Iterable[Event], is_entry: Callable[[str], bool]) -> Iterator[Event]:
    """The events of a JSON stream, with every value whose prefix ``is_entry`` built whole.

    An entry (an object, a list or a scalar) comes out as one ``(prefix, ITEM, value)``;
    every event outside entries passes through unchanged (chat ids and types sit there).
    Only one entry is held at a time, so memory does not grow with the file. An entry is
    built by ijson's C builder where the C backend is installed (the same values as
    ``ijson.ObjectBuilder``, which builds in Python at ~0.5 us an event: most of the
    parse of a whole-account Telegram export).

    >>> events = ijson.parse(b'{"id": 7, "messages": [{"a": [1, 2]}, 3]}')
    >>> [(p, e, v) for p, e, v in built_items(events, lambda p: p == "messages.item") if e in (ITEM, "number")]
    [('id', 'number', 7), ('messages.item', 'item', {'a': [1, 2]}), ('messages.item', 'item', 3)]
    """
    built: list[Any] = []
    builders: dict[str, Callable[[Event], Any]] = {}  # one per entry prefix, reused entry after entry
    send: Callable[[Event], Any] | None = None
    prefix_of_entry = ""
    for item in events:
        if send is not None:
            send(item)
            if built:  # the builder hands over an entry when its last event came: no depth to count here
                yield prefix_of_entry, ITEM, built.pop()
                send = None
            continue
        prefix, event, value = item
        if not is_entry(prefix) or event in ("end_map", "end_array", "map_key"):
            yield item
        elif event in _OPENS:
            send = builders.get(prefix)
            if send is None:
                send = builders[prefix] = _entry_builder(prefix, built.append)
            prefix_of_entry = prefix
            send(item)
        else:
            yield prefix, ITEM, value


_OPENS = frozenset(("start_map", "start_array"))
_CLOSES = frozenset(("end_map", "end_array"))


def _entry_builder(prefix: str, done: Callable[[Any], Any]) -> Callable[[Event], Any]:
    """Takes the events of entries at ``prefix``, one event a call, and passes each entry,
    once complete, to ``done``: in C when ijson's C backend is there, else in Python."""
    try:
        from ijson.backends import yajl2_c  # ijson's C extension
    except ImportError:
        return _python_builder(done)
    return yajl2_c.items_basecoro(_Target(done), prefix).send


class _Target:
    """What ijson's coroutines send to: an object with ``send``."""

    def __init__(self, send: Callable[[Any], Any]) -> None:
        self.send = send


def _python_builder(done: Callable[[Any], Any]) -> Callable[[Event], Any]:
    """:func:`_entry_builder` without ijson's C backend (``ijson.ObjectBuilder``)."""
    state: dict[str, Any] = {"builder": None, "depth": 0}

    def send(item: Event) -> None:
        _prefix, event, value = item
        if state["builder"] is None:
            state["builder"] = ijson.ObjectBuilder()
        state["builder"].event(event, value)
        state["depth"] += 1 if event in _OPENS else -1 if event in _CLOSES else 0
        if state["depth"] == 0:
            done(state["builder"].value)
            state["builder"] = None

    return send


def json_problem(exc: Exception) -> Message:
    """Why a JSON export could not be read on: a bound, the text encoding, or the parser's words."""
    if isinstance(exc, TooDeep):
        return exc.message
    if isinstance(exc, UnicodeDecodeError):
        return msg("json_not_utf8", detail=exc.reason, byte=exc.start)
    return msg("json_damaged", detail=" ".join(str(exc).split()))  # yajl's messages span lines


def located(location: Point | None, links: list[str]) -> tuple[Point | None, bool]:
    """The attached point, else one read from a shared map link; and whether it came from the link."""
    if location is not None:
        return location, False
    from_link = point_from_links(links)
    return from_link, from_link is not None


def shared_extra(extra: dict[str, Any], *, links: list[str], from_link: bool, photo: bool) -> dict[str, Any]:
    """``extra`` with the fields both exports record: the links, a point taken from one, a photo.

    >>> shared_extra({"entry": 1}, links=[], from_link=False, photo=True)
    {'entry': 1, 'photo': True}
    """
    if links:
        extra["links"] = links
    if from_link:
        extra["location_from_link"] = True
    if photo:
        extra["photo"] = True
    return extra
