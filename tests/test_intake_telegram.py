"""Telegram Desktop exports: text rebuilt from pieces, dates, forwards, replies, places,
service messages and photos counted, the exporter's invalid escapes repaired."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.intake import UnreadableFile, parse_file, telegram
from data.intake.common import point_from_links
from data.intake.jsonrepair import RepairingReader
from data.intake.telegram import parse_telegram
from data.messages import msg
from data.records import Quarantined, RawMessage
from i18n import say

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def consume(result):
    items = list(result.items)
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == len(items)
    return items


def by_ref(items):
    return {item.source_ref: item for item in items}


def test_single_chat_export():
    result = parse_file(FIXTURES / "telegram_chat.json")
    assert result.kind == "telegram"
    items = by_ref(consume(result))
    assert set(items) == {f"tg:1766112233:{i}" for i in (2, 3, 5, 6, 7, 8, 10, 11, 12)}
    assert all(isinstance(item, RawMessage) and item.source == "telegram" for item in items.values())
    plain = items["tg:1766112233:2"]
    assert plain.text == "Біля школи №5 на вул. Київській знову купа сміття"
    assert plain.received_at == datetime(2024, 3, 1, 10, 0, 5, tzinfo=UTC)  # date_unixtime, not local `date`
    assert plain.author_id == "user1001"
    assert "Олена" not in json.dumps(plain.model_dump(mode="json"), ensure_ascii=False)  # never a name


def test_text_as_list_is_rebuilt_from_entities():
    items = by_ref(consume(parse_telegram(FIXTURES / "telegram_chat.json")))
    message = items["tg:1766112233:3"]
    assert message.text == (
        "Дивіться вул. Соборності 12 — машини на газоні, @vozn_police https://maps.google.com/?q=47.56,31.33 і фото тут"
    )
    assert message.extra["links"] == ["https://maps.google.com/?q=47.56,31.33", "https://example.org/p/1"]
    assert message.location == (47.56, 31.33) and message.extra["location_from_link"] is True


@pytest.mark.parametrize(
    "link, point",
    [
        ("https://maps.google.com/?q=47.5661,31.3352", (47.5661, 31.3352)),
        ("https://www.google.com/maps/search/?api=1&query=47.5661%2C31.3352", (47.5661, 31.3352)),
        ("https://www.google.com/maps/@47.5661,31.3352,17z", (47.5661, 31.3352)),
        ("https://www.openstreetmap.org/?mlat=47.5661&mlon=31.3352#map=17/47.5661/31.3352", (47.5661, 31.3352)),
        ("https://www.openstreetmap.org/#map=17/47.5661/31.3352", (47.5661, 31.3352)),
        ("https://maps.app.goo.gl/abc", None),
        ("https://maps.google.com/?q=147.5,31.3", None),
    ],
)
def test_point_from_map_links(link, point):
    assert point_from_links(["https://example.org", link]) == point


def test_text_list_without_entities_older_exports():
    chat = {
        "id": 1,
        "type": "personal_chat",
        "messages": [
            {
                "id": 5,
                "type": "message",
                "date_unixtime": "1709280005",
                "from_id": "user7",
                "text": ["Сміття біля ", {"type": "bold", "text": "ринку"}, "!"],
            },
        ],
    }
    [message] = consume(parse_telegram(json.dumps(chat).encode()))
    assert message.text == "Сміття біля ринку!"


def test_service_photos_stickers_are_counted_not_records():
    result = parse_telegram(FIXTURES / "telegram_chat.json")
    consume(result)
    assert result.stats["skipped_service"] == 1
    assert result.stats["skipped_photo"] == 1 and result.stats["photo_captions"] == 1
    assert result.stats["skipped_media"] == 1
    assert msg("note_tg_photos_captions", n=2, captions=1) in result.notes
    assert msg("note_tg_service", n=1) in result.notes
    assert "2 photos not imported (1 with a caption, imported as text)" in [say(n, "en") for n in result.notes]


def test_photo_caption_forward_reply_edit_location():
    items = by_ref(consume(parse_telegram(FIXTURES / "telegram_chat.json")))
    assert items["tg:1766112233:5"].text == "Зламаний ліхтар у парку"
    assert items["tg:1766112233:5"].extra["photo"] is True
    forward = items["tg:1766112233:6"]
    assert forward.extra["forwarded"] is True and forward.extra["forwarded_from_id"] == "user2002"
    assert "Іван" not in json.dumps(forward.extra, ensure_ascii=False)
    assert items["tg:1766112233:7"].extra["reply_to"] == "tg:1766112233:6"
    assert items["tg:1766112233:7"].author_id == "user1003"
    assert items["tg:1766112233:12"].extra["edited_at"] == "2024-03-02T09:00:00+00:00"
    venue = items["tg:1766112233:8"]
    assert venue.location == (47.5712, 31.3301)
    assert venue.venue_text == "Центральний ринок, вул. Київська, 1"
    assert venue.text == ""


def test_old_export_without_unixtime_is_read_as_kyiv_time():
    items = by_ref(consume(parse_telegram(FIXTURES / "telegram_chat.json")))
    old = items["tg:1766112233:11"]
    assert old.received_at == datetime(2023, 7, 15, 20, 30, tzinfo=UTC)  # 23:30 EEST
    assert old.extra["date_assumed_kyiv"] is True


def test_control_characters_and_hex_escapes_are_repaired():
    raw = (FIXTURES / "telegram_chat.json").read_bytes()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)  # the fixture really is invalid JSON
    items = by_ref(consume(parse_telegram(FIXTURES / "telegram_chat.json")))
    assert items["tg:1766112233:10"].text == "Яма на дорозі\x0bвул. Центральна\nбіля \x0bаптеки"


def test_whole_account_export():
    result = parse_file(FIXTURES / "telegram_account.json")
    items = by_ref(consume(result))
    assert set(items) == {"tg:4001:2", "tg:4002:2", "tg:4002:3", "tg:5001:7"}
    assert items["tg:4002:3"].extra["chat_type"] == "personal_chat"
    assert items["tg:5001:7"].text == "Пси на стадіоні"
    assert result.stats["skipped_service"] == 1


def test_message_without_date_is_quarantined():
    chat = {"id": 9, "messages": [{"id": 1, "type": "message", "date": "вчора", "from_id": "user1", "text": "Сміття"}]}
    [item] = consume(parse_telegram(json.dumps(chat).encode()))
    assert isinstance(item, Quarantined)
    assert item.reason == msg("tg_message_problem", id="1", problem=msg("bad_date", value="вчора"))
    assert say(item.reason, "en") == "message 1: date 'вчора' is not a date"
    assert item.source_ref == "tg:9:1"


def test_truncated_export_keeps_what_was_read():
    text = (FIXTURES / "telegram_account.json").read_text(encoding="utf-8")
    cut = text[: text.index("Ще й палять")].encode()
    items = consume(parse_telegram(cut, name="cut.json"))
    assert [i.source_ref for i in items[:-1]] == ["tg:4001:2", "tg:4002:2"]
    assert isinstance(items[-1], Quarantined) and items[-1].reason.code == "messages_read_before"
    assert items[-1].reason.params["problem"].params["problem"].code == "damaged_near"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "file_empty"),
        (b"not json at all", "telegram_unreadable"),
        (b'{"name": "x", "id": 1}', "telegram_no_messages"),
    ],
)
def test_unreadable(content, problem):
    with pytest.raises(UnreadableFile) as info:
        consume(parse_file(content, kind="telegram" if content else None, name="result.json"))
    assert info.value.name == "result.json" and info.value.problem.code == problem


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 17, 1 << 20])
def test_repair_is_independent_of_chunk_boundaries(chunk):
    raw = (FIXTURES / "telegram_chat.json").read_bytes()
    repaired = RepairingReader(io.BytesIO(raw), chunk_size=chunk).read()
    whole = RepairingReader(io.BytesIO(raw), chunk_size=len(raw) + 1).read()
    assert repaired == whole
    assert json.loads(repaired)["messages"][9]["text"].startswith("Яма на дорозі\x0b")


def test_repair_leaves_valid_json_untouched():
    valid = json.dumps({"a": ['x\\"y\\\\', "q\n\t\u0001", {"b": 'Вознесенськ \\ "'}]}, ensure_ascii=False).encode()
    assert RepairingReader(io.BytesIO(valid), chunk_size=3).read() == valid


def test_account_export_with_a_long_contact_list_is_detected():
    export = json.loads((FIXTURES / "telegram_account.json").read_text(encoding="utf-8"))
    contacts = [
        {"first_name": f"C{i}", "phone_number": "+380000000", "date": "2024-01-01T00:00:00"} for i in range(2000)
    ]
    export = {
        "about": export["about"],
        "personal_information": export["personal_information"],
        "contacts": {"about": "", "list": contacts},
        "chats": export["chats"],
    }
    content = json.dumps(export).encode()
    assert len(content) > 65536
    result = parse_file(content, name="result.json")
    assert result.kind == "telegram"
    assert len(consume(result)) == 3


def test_unreadable_is_raised_by_parse_file_itself(tmp_path):
    with pytest.raises(UnreadableFile) as info:
        parse_file(tmp_path / "missing.json")
    assert info.value.name == "missing.json" and info.value.problem.code == "file_cannot_open"
    with pytest.raises(UnreadableFile) as info:
        parse_file(b'{"name": "x", "id": 1}', kind="telegram", name="r.json")  # no next(items) needed
    assert info.value.problem == msg("telegram_no_messages")


def _walked_text(message: dict[str, Any]) -> tuple[str, list[str]]:
    """The oracle: _rebuild_text's general walk alone (no flat pass for plain pieces)."""
    pieces = message.get("text_entities")
    if not isinstance(pieces, list) or not pieces and message.get("text"):
        raw = message.get("text", "")
        pieces = raw if isinstance(raw, list) else [raw]
    return telegram._walked_pieces(pieces)


_PIECE_TYPES = st.sampled_from(["plain", "bold", "link", "text_link", "mention", None])
_PIECE = st.recursive(
    st.text(max_size=5) | st.integers() | st.none(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.fixed_dictionaries(
            {"type": _PIECE_TYPES, "text": inner},
            optional={"href": st.text(max_size=5) | st.integers()},
        )
    ),
    max_leaves=8,
)


@settings(max_examples=1500, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "text_entities": st.lists(_PIECE, max_size=4) | _PIECE,
            "text": st.lists(_PIECE, max_size=4) | st.text(max_size=5),
        },
    )
)
def test_rebuilt_text_equals_the_general_walk(message: dict[str, Any]) -> None:
    """The flat pass over plain pieces gives what the general walk gives, links included."""
    assert telegram._rebuild_text(message) == _walked_text(message)
