"""What staff are told, as a code with parameters: stored as such, named at the edge.

Why: a quarantine reason, an import note or the problem of an unreadable file used to be an
English sentence, stored with the batch and shown as-is to a Ukrainian moderator. Parsers,
the importer and services now say what happened as a :class:`Message` (a catalogue code and
its parameters); the store keeps it as JSON; a page or the CLI names it in the reader's
language from the catalogue (``msg.<code>`` in i18n/messages.toml, see ``i18n.say``).

Parameters are data: file names, column names, keys and values from a file stay untrusted
text that whoever shows them escapes. A parameter may itself be a Message (a row's problem
inside "row 7: ..."), named in the same language.

>>> m = Message("row_problem", {"row": 7, "problem": Message("no_text")})
>>> Message.from_json(m.to_json()) == m
True
>>> Message.from_json("place not found in the text")
Message(code='legacy', params={'text': 'place not found in the text'})
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

ParamValue = Union[str, int, float, "Message"]

LEGACY = "legacy"
"""The code of a text stored before codes existed (or not understood): shown verbatim."""


@dataclass(frozen=True)
class Message:
    """A catalogue code (``msg.<code>``) and the values of its placeholders."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        params = {k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params.items()}
        return {"code": self.code, "params": params}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Message:
        params = value.get("params") or {}
        return cls(
            str(value["code"]),
            {k: cls.from_dict(v) if isinstance(v, Mapping) else v for k, v in params.items()},
        )

    @classmethod
    def from_json(cls, text: str | None) -> Message:
        """The stored message; a text that is not one (an old English row) as ``legacy``."""
        try:
            value = json.loads(text or "")
        except ValueError:
            return legacy(text or "")
        if isinstance(value, Mapping) and isinstance(value.get("code"), str):
            return cls.from_dict(value)
        return legacy(text or "")

    def __str__(self) -> str:
        """For developers and logs only; staff see ``i18n.say(message, lang)``."""
        return self.to_json()

    def codes(self) -> set[str]:
        """This code and those of nested messages (the catalogue must name them all)."""
        nested = (v.codes() for v in self.params.values() if isinstance(v, Message))
        return {self.code}.union(*nested)


def msg(code: str, **params: ParamValue) -> Message:
    """A message: ``msg("file_empty")``, ``msg("row_problem", row=7, problem=...)``."""
    return Message(code, params)


def legacy(text: str) -> Message:
    return Message(LEGACY, {"text": text})


def dump_list(messages: Iterable[Message]) -> str:
    """Messages as one JSON text (a batch's notes or problems column); empty list -> ""."""
    items = [m.to_dict() for m in messages]
    return json.dumps(items, ensure_ascii=False) if items else ""


def load_list(text: str | None) -> list[Message]:
    """A stored list of messages; an old newline-separated English text as legacy lines."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, list):
        return [Message.from_dict(v) if isinstance(v, Mapping) else legacy(str(v)) for v in value]
    return [legacy(line) for line in text.splitlines() if line]


class MessageError(ValueError):
    """A refusal staff read: carries the message; str() is for developers."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class MessagePermissionError(PermissionError):
    """A permission refusal staff read (a partner editing another organisation's action)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class MessageLookupError(KeyError):
    """A missing record staff asked for by id (an action or meeting that is not there)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message
