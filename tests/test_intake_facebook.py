"""Facebook "Download your information" JSON: mojibake repaired, places read, unknown
structures refused loudly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.intake import UnreadableFile, parse_file
from data.intake.facebook import fix_mojibake, parse_facebook
from data.messages import msg
from data.records import Quarantined, RawMessage
from i18n import say

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def consume(result):
    items = list(result.items)
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == len(items)
    return items


def test_fix_mojibake_recursive_and_tolerant():
    broken = "Сміття біля ринку".encode().decode("latin-1")
    assert broken.startswith("Ð¡")
    assert fix_mojibake({"a": [broken, 1, None], broken: broken}) == {
        "a": ["Сміття біля ринку", 1, None],
        "Сміття біля ринку": "Сміття біля ринку",
    }
    assert fix_mojibake("Сміття вже виправлене") == "Сміття вже виправлене"  # above U+00FF: left alone
    assert fix_mojibake("café ÿ") == "café ÿ"  # latin-1 that is not UTF-8: left alone


def test_own_posts_with_place_and_mojibake():
    result = parse_file(FIXTURES / "facebook_your_posts_1.json")
    assert result.kind == "facebook"
    items = consume(result)
    posts = [i for i in items if isinstance(i, RawMessage)]
    first = posts[0]
    assert first.text == "У парку Шевченка знову розбиті лавки і сміття біля фонтану"
    assert first.location == (47.5661, 31.3352)
    assert first.venue_text == "Парк Шевченка, вул. Шевченка, Вознесенськ"
    assert first.received_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert first.source_ref.startswith("fb:1709294400:") and len(first.source_ref) == len("fb:1709294400:") + 10
    assert first.author_id is None
    assert posts[1].text == "Машини стоять на газоні біля ліцею №1 🚗"  # 4-byte UTF-8 survives
    assert posts[1].extra["links"] == ["https://maps.app.goo.gl/abc"]
    assert posts[2].text == "Already plain ASCII: broken street light on Kyivska"
    assert result.stats["skipped_media"] == 1
    assert result.notes == [msg("note_fb_media", n=1)]
    reasons = [i.reason for i in items if isinstance(i, Quarantined)]
    assert reasons == [
        msg("fb_entry_bad_timestamp", n=5, value="not-a-time"),
        msg("fb_entry_no_text", n=6, list="(list)"),
    ]
    assert say(reasons[1], "en") == "entry 6 of '(list)' has no text"


def test_source_ref_is_stable_across_parses():
    once = [i.source_ref for i in consume(parse_facebook(FIXTURES / "facebook_your_posts_1.json"))]
    again = [i.source_ref for i in consume(parse_facebook(FIXTURES / "facebook_your_posts_1.json"))]
    assert once == again and len(set(once)) == len(once)


def test_comments_take_the_comment_timestamp_and_keep_no_author():
    items = consume(parse_file(FIXTURES / "facebook_comments.json"))
    assert [i.text for i in items] == ["Вночі на Вокзальній гучна музика до 3 ранку", "Зграя собак біля школи №7"]
    assert items[1].received_at == datetime.fromtimestamp(1709812801, UTC)
    assert items[0].extra["group"] == "Вознесенськ — наш дім"
    assert "Петренко" not in json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False)


def test_group_posts():
    [post] = consume(parse_file(FIXTURES / "facebook_group_posts.json"))
    assert post.text.startswith("Хто палить листя у дворі на Соборності 20?")
    assert post.venue_text == "Вознесенськ" and post.location is None


@pytest.mark.parametrize(
    "document, key",
    [
        ({"profile_v2": {"name": "x"}}, msg("fb_unknown_keys", keys="'profile_v2'")),
        ({"comments_v2": {"not": "a list"}}, msg("fb_key_not_list", key="comments_v2", kind="dict")),
        ("just a string", msg("fb_not_list", kind="str")),
    ],
)
def test_unknown_structures_fail_loudly(document, key):
    with pytest.raises(UnreadableFile) as info:
        parse_facebook(json.dumps(document).encode(), name="weird.json")
    assert info.value.name == "weird.json" and info.value.problem == key


def test_unknown_keys_inside_entries_are_noted():
    document = [{"timestamp": 1709294400, "data": [{"post": "Сміття"}], "reactions_v9": []}]
    result = parse_facebook(json.dumps(document).encode(), name="posts.json")
    consume(result)
    assert result.notes == [msg("note_fb_unknown_keys", file="posts.json", keys="reactions_v9")]
