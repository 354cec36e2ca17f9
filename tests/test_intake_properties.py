"""Property tests: hostile structures, not only well-formed ones, and the identity always holds.

Hypothesis builds Telegram exports with random nesting of text entities, repeated
message ids, odd types, dates out of the period and points off the map, cuts them at
random bytes, and CSV tables with repeated rows in every supported encoding. Whatever
comes in, an import either refuses the file with UnreadableFile or stores a batch where
``read = imported + duplicates + quarantined + already_imported`` (one store per test,
so later examples also meet records that are already imported).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import intake
from data.store.db import make_engine, upgrade
from services.importer import import_file
from services.moderation import batch_accounting

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
WORDS = st.sampled_from(
    [
        "Сміття",
        "біля",
        "вул. Соборності 5",
        "школи №7",
        "\u202e",
        "\x00",
        "ринку",
        " ",
        "\n",
        "парк",
        "🙂",
        "музика вночі",
    ]
)
ENTITY_TYPES = st.sampled_from(["bold", "italic", "link", "text_link", "plain", "mention", None])

pieces = st.recursive(
    WORDS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.fixed_dictionaries(
            {"type": ENTITY_TYPES, "text": st.one_of(inner, st.lists(inner, max_size=3))},
            optional={"href": st.sampled_from(["https://maps.google.com/?q=47.566,31.333", "x", ""])},
        ),
    ),
    max_leaves=30,
)
points = st.one_of(st.none(), st.sampled_from([(47.566, 31.333), (0.0, 0.0), (91.0, 500.0), (50.45, 30.52)]))
messages = st.fixed_dictionaries(
    {
        "id": st.integers(1, 6),
        "type": st.sampled_from(["message", "message", "message", "service", "weird"]),
        "date_unixtime": st.sampled_from(["1714550400", "1714636800", "0", "4102444800", "x"]),
        "text": st.one_of(pieces, st.lists(pieces, max_size=4)),
    },
    optional={
        "text_entities": st.lists(pieces, max_size=4),
        "from_id": st.sampled_from(["user1", "user2"]),
        "location_information": points.map(lambda p: {"latitude": p[0], "longitude": p[1]} if p else {}),
    },
)


def _store(folder: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    return engine


def _check(path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    try:
        summary = import_file(path, engine)
    except intake.UnreadableFile:
        return  # refused as a whole: nothing stored, the CLI fails the file
    assert summary.balanced(), summary.accounting()
    if summary.same_file_batch is None:
        stored = batch_accounting(engine, summary.batch_id)
        assert stored["balanced"] and stored["read"] == summary.read


def test_telegram_exports_of_any_shape_keep_the_identity() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = _store(folder)

        @SETTINGS
        @given(st.lists(messages, max_size=12), st.one_of(st.none(), st.floats(0.3, 1.0)))
        def check(items: list[dict], cut: float | None) -> None:
            data = json.dumps(
                {"name": "c", "type": "public_supergroup", "id": 5, "messages": items}, ensure_ascii=False
            ).encode()
            if cut is not None:  # a truncated or damaged export
                data = data[: int(len(data) * cut)]
            path = folder / "result.json"
            path.write_bytes(data)
            _check(path, engine)

        check()
        engine.dispose()


rows = st.tuples(
    st.sampled_from(["01.03.2024", "3/14/2024 2:30 PM", "14/03/2024", "1970-01-01", "2100-05-05", "", "x"]),
    st.sampled_from(["Сміття біля ринку", "Гучна музика вночі \u202e", "", "Собаки біля школи №7", "а" * 300]),
    st.sampled_from(["вул. Соборності 5", "", "парк"]),
    st.sampled_from(["", "47.566;31.333", "0;0", "nan;1", "5268000;375000"]),
)


def test_tables_with_repeats_in_any_encoding_keep_the_identity() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = _store(folder)

        @SETTINGS
        @given(
            st.lists(rows, max_size=15),
            st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1251", "koi8-u"]),
            st.integers(1, 3),
        )
        def check(table: list[tuple[str, str, str, str]], encoding: str, copies: int) -> None:
            lines = ["Дата;Опис;Адреса;lat;lon"]
            for date, text, address, point in table:
                lines += [f"{date};{text};{address};{point or ';'}"] * copies
            path = folder / "table.csv"
            path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
            _check(path, engine)

        check()
        engine.dispose()


TOO_DEEP = 64 - 4  # the export's own levels: document, messages, message, text


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 3000), st.sampled_from(["[", '{"a":']))
def test_any_nesting_depth_is_parsed_or_refused_by_the_bound(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    inner = opener * depth + "1" + closer * depth
    data = (
        '{"name":"c","type":"public_supergroup","id":1,"messages":[{"id":1,"type":"message",'
        '"date_unixtime":"1714550400","text":[' + inner + ',"Сміття"]}]}'
    ).encode()
    try:
        result = intake.parse_file(data, name="result.json")
        items = list(result.items)
    except intake.UnreadableFile as exc:
        assert depth > TOO_DEEP and "max_json_depth" in str(exc)
        return
    assert result.stats["read"] == result.stats["emitted"] + result.stats["quarantined"] == len(items)
    assert bool(result.problems) == (depth > TOO_DEEP)
