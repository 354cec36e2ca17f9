"""Staff messages are codes with parameters: every code the code uses is in the catalogue in
both languages, parameters stay data, old English rows are mapped by the migration, and a
moderator reads reasons and notes in their own language."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text

from data.intake.common import DATE_ORDERS
from data.intake.surveys import QUESTIONS
from data.intake.tabular import SIDE_TABLES
from data.messages import LEGACY, Message, dump_list, legacy, load_list, msg
from data.store.db import alembic_config, make_engine
from encoders import markdown_text
from i18n import LANGS, catalogue, say
from services import moderation
from tests.conftest import ROOT, require
from tests.language import foreign_words

# msg("code" ...), Message("code" ...), and codes built from a literal prefix: msg("table_" + what)
_LITERAL = re.compile(r"\b(?:msg|Message)\(\s*\"([a-z0-9_]+)\"(?!\s*\+)")
_PREFIX = re.compile(r"\b(?:msg|Message)\(\s*\"([a-z0-9_]+_)\"\s*\+")


def _code_text() -> str:
    return subprocess.run(
        ["git", "grep", "-hE", r"(msg|Message)\(", "--", "*.py", ":!tests/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_every_code_the_code_uses_has_both_catalogue_entries() -> None:
    source = _code_text()
    codes = set(_LITERAL.findall(source))
    assert len(codes) > 80, "the scan found too few codes"
    families = {
        "table_": SIDE_TABLES,
        "order_": DATE_ORDERS,
        "survey_q_": QUESTIONS,
    }
    prefixes = set(_PREFIX.findall(source))
    assert prefixes == set(families), "a code built from a prefix needs its family listed here"
    codes |= {prefix + member for prefix, members in families.items() for member in members}
    codes |= {code for kinds in moderation.REASON_KINDS.values() for code in kinds}
    missing = sorted(
        f"msg.{code}:{lang}" for code in codes for lang in LANGS if not catalogue().get(f"msg.{code}", {}).get(lang)
    )
    assert missing == []
    unused = sorted(key for key in catalogue() if key.startswith("msg.") and key[4:] not in codes | {LEGACY})
    assert unused == []


def test_each_message_reads_in_its_own_language() -> None:
    """Every msg.* text, filled with neutral values, has no word of the other language."""
    for key, entry in catalogue().items():
        if not key.startswith("msg."):
            continue
        for lang in LANGS:
            filled = re.sub(r"\{\w+\}", "7", entry[lang])
            assert foreign_words(filled, lang) == [], (key, lang)


def test_a_message_round_trips_through_json_and_old_text_is_legacy() -> None:
    nested = msg("row_problem", row=7, problem=msg("bad_date", value="31.02.2024"))
    assert Message.from_json(nested.to_json()) == nested
    assert nested.codes() == {"row_problem", "bad_date"}
    assert Message.from_json("row 7: no text") == legacy("row 7: no text")
    assert Message.from_json('["a list"]') == legacy('["a list"]')
    assert load_list(dump_list([nested, msg("file_empty")])) == [nested, msg("file_empty")]
    assert load_list("") == [] and dump_list([]) == ""
    assert load_list("one\ntwo\n") == [legacy("one"), legacy("two")]


def test_a_message_is_named_in_the_readers_language() -> None:
    reason = msg("row_problem", row=7, problem=msg("bad_date", value="31.02.2024"))
    assert say(reason, "uk") == "рядок 7: дата «31.02.2024» не є датою"
    assert say(reason, "en") == "row 7: date '31.02.2024' is not a date"
    assert say(legacy("an old *row*"), "uk") == "an old *row*"  # shown verbatim


def test_parameters_from_a_file_stay_data() -> None:
    """A file or column name is escaped by the page's encoder; the catalogue text is not."""
    hostile = msg("note_fb_unknown_keys", file="[x](https://evil.example)", keys="<b>k</b> {city}")
    shown = say(hostile, "en", markdown_text)
    assert "[x](" not in shown and "\\[x\\]" in shown and "\\<b\\>" in shown
    assert "{city}" in say(hostile, "en").replace("\\", "")  # a brace in data is not a placeholder
    assert shown.endswith("keys not understood and ignored: \\<b\\>k\\<\\/b\\> \\{city\\}")


def test_reason_kinds_come_from_codes() -> None:
    assert moderation.reason_kind(msg("not_located")) == "not_located"
    assert moderation.reason_kind(msg("point_outside_area", lat="1", lon="2")) == "not_located"
    assert moderation.reason_kind(msg("could_not_process", detail="x")) == "unreadable"
    assert moderation.reason_kind(legacy("place not found in the text")) == "other"  # old text: the migration maps it
    assert moderation.reason_kind(msg("row_problem", row=1, problem=msg("no_text"))) == "other"


OLD_REASONS = {
    "place not found in the text: set it on the map or choose a street": Message("not_located"),
    "row 7: date '31.02.2024' is not a date": msg("row_problem", row=7, problem=msg("bad_date", value="31.02.2024")),
    "row 8: no text": msg("row_problem", row=8, problem=msg("no_text")),
    "message 12: no date": msg("tg_message_problem", id="12", problem=msg("no_date")),
    "could not process: boom": msg("could_not_process", detail="boom"),
    "outside the city: the point 50.45010, 30.52340 is outside the study area": msg(
        "point_outside_area", lat="50.45010", lon="30.52340"
    ),
    "something nobody foresaw": legacy("something nobody foresaw"),
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A store with no schema yet (the migrations run step by step in the test)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    from tests.store_backends import scratch_database

    require(bool(os.environ.get("TEST_DATABASE_URL")), "TEST_DATABASE_URL is not set (see .ci/postgres.sh)")
    with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:
        yield url


def test_the_migration_maps_old_english_rows_to_codes(empty_url: str) -> None:
    engine = make_engine(empty_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "issue25_store_settings")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO import_batches (id, file_name, sha256, kind, started_at, n_read, n_imported, "
                "n_duplicates, n_quarantined, n_not_located, n_already_known, n_repeats, n_truncated, "
                "problems, notes) VALUES (1, 'a.csv', 'x', 'csv', CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, 0, 0, 0, "
                ":problems, :notes)"
            ),
            {
                "problems": "a.csv: CSV damaged near line 3; the rest of the file was not read",
                "notes": "read as cp1251, columns separated by ';'\n2 blank rows skipped\n",
            },
        )
        for n, reason in enumerate(OLD_REASONS):
            conn.execute(
                text(
                    "INSERT INTO quarantine (batch_id, source, source_ref, reason, excerpt, created_at) "
                    "VALUES (1, 'csv', :ref, :reason, '', CURRENT_TIMESTAMP)"
                ),
                {"ref": f"csv:{n}", "reason": reason},
            )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        reasons = [Message.from_json(r) for (r,) in conn.execute(text("SELECT reason FROM quarantine ORDER BY id"))]
        notes, problems = conn.execute(text("SELECT notes, problems FROM import_batches")).one()
    assert reasons == list(OLD_REASONS.values())
    assert load_list(notes) == [
        msg("note_csv_read_as", encoding="cp1251", delimiter="';'"),
        msg("note_blank_rows", n=2),
    ]
    assert load_list(problems) == [legacy("a.csv: CSV damaged near line 3; the rest of the file was not read")]
    for reason in reasons:  # every mapped row can be named in both languages
        assert say(reason, "uk") and say(reason, "en")
    engine.dispose()


def test_a_refusal_reads_in_the_page_language_and_stays_data() -> None:
    """An action-plan refusal carries its code; the page names it in the chosen language and
    escapes what the staff member typed (ui.state.refusal)."""
    from data.messages import MessageError, MessageLookupError, MessagePermissionError, msg
    from i18n import say
    from services.actions import ActionInput

    with pytest.raises(MessageError) as refused:
        ActionInput(description="x", owner="**bold**", cell="8928308280fffff").validate()
    assert refused.value.message == msg("action_owner_unknown", owner="**bold**")
    assert say(refused.value.message, "uk", markdown_text) == "невідомий виконавець «\\*\\*bold\\*\\*»"
    assert isinstance(MessagePermissionError(msg("action_partner_fields")), PermissionError)
    assert isinstance(MessageLookupError(msg("action_unknown", id=3)), KeyError)
