"""Property-based tests: broken JSON, CSV and XLSX never raise anything but
UnreadableFile, and never lose a record silently (every record read is emitted once)."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.intake import UnreadableFile, parse_file
from data.intake.jsonrepair import RepairingReader

# INTAKE_EXAMPLES=2000 for a long hunt; the defaults keep the normal suite quick.
EXAMPLES = int(os.environ.get("INTAKE_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
XLSX_SETTINGS = settings(max_examples=max(25, EXAMPLES // 10), deadline=None)


def outcome(content: bytes, **kwargs):
    """(items, result) or None when the file is unreadable; anything else propagates."""
    try:
        result = parse_file(content, **kwargs)
        items = list(result.items)
        surveys = len(result.surveys)
    except UnreadableFile as exc:
        assert str(exc).startswith(kwargs.get("name", "<uploaded bytes>") + ": ")
        return None
    stats = result.stats
    assert stats["read"] == stats["emitted"] + stats["quarantined"]
    assert len(items) + surveys == stats["read"]
    return items, result


# ---------------------------------------------------------------- Telegram

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
pieces = st.lists(
    st.one_of(texts, st.fixed_dictionaries({"type": st.sampled_from(["bold", "link", "mention"]), "text": texts})),
    max_size=4,
)
messages = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**6),
        "type": st.sampled_from(["message", "message", "service"]),
        "date_unixtime": st.integers(1_600_000_000, 1_800_000_000).map(str),
        "from_id": st.just("user1"),
        "text": st.one_of(texts, pieces),
    },
    optional={
        "photo": st.just("(File not included.)"),
        "reply_to_message_id": st.integers(1, 100),
        "location_information": st.fixed_dictionaries(
            {"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)}
        ),
    },
)
exports = st.lists(messages, max_size=12).map(
    lambda ms: {"name": "chat", "type": "private_group", "id": 77, "messages": ms}
)


@SETTINGS
@given(exports)
def test_valid_telegram_exports_account_for_every_message(export):
    result = outcome(json.dumps(export, ensure_ascii=False).encode(), kind="telegram", name="r.json")
    assert result is not None
    items, parsed = result
    skipped = sum(v for k, v in parsed.stats.items() if k.startswith("skipped_"))
    assert parsed.stats["read"] + skipped == len(export["messages"])


@SETTINGS
@given(exports, st.data())
def test_broken_telegram_exports(export, data):
    raw = bytearray(json.dumps(export, ensure_ascii=False, indent=1).encode())
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["cut", "insert", "delete"]))
        if action == "cut":
            del raw[position:]
        elif action == "insert":
            raw[position:position] = data.draw(st.binary(min_size=1, max_size=4))
        else:
            del raw[position : position + data.draw(st.integers(1, 8))]
    outcome(bytes(raw), kind="telegram", name="r.json")


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_any_kind(content):
    outcome(content, name="upload.bin")
    outcome(content, kind="telegram", name="r.json")
    outcome(content, kind="facebook", name="f.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(json_values, st.sampled_from(["telegram", "facebook"]))
def test_arbitrary_json_structures(value, kind):
    outcome(json.dumps(value).encode(), kind=kind, name="x.json")


@SETTINGS
@given(json_values, st.integers(1, 64))
def test_repair_keeps_valid_json_byte_for_byte(value, chunk):
    for raw in (json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode()):
        assert RepairingReader(io.BytesIO(raw), chunk_size=chunk).read() == raw


@SETTINGS
@given(
    st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), max_codepoint=0x500)), max_size=6),
    st.integers(1, 64),
    st.booleans(),
)
def test_repair_restores_raw_control_characters(strings, chunk, hex_style):
    """What Telegram Desktop writes (raw control bytes or \\xNN) reads back as the text."""
    raw = json.dumps(strings, ensure_ascii=False)
    for code in range(0x20):
        escaped = json.dumps(chr(code))[1:-1]
        raw = raw.replace(escaped, f"\\x{code:02X}" if hex_style and code not in (9, 10, 13) else chr(code))
    repaired = RepairingReader(io.BytesIO(raw.encode()), chunk_size=chunk).read()
    assert json.loads(repaired) == strings


# ---------------------------------------------------------------- CSV

plain = st.text(st.sampled_from("абвгдеєжзиіїйклмнопрстуфхцчшщьюя 0123456789.-"), max_size=25)
cells = st.one_of(plain, st.sampled_from(["", " ", "01.03.2024", "2024-03-05 10:00", "31.02.2024", "45352"]))


def csv_bytes(rows, delimiter, encoding):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([["Дата", "Текст", "Адреса"], *rows])
    return out.getvalue().encode(encoding)


@SETTINGS
@given(
    st.lists(st.lists(cells, min_size=0, max_size=4), max_size=25),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
def test_csv_every_non_blank_row_is_accounted_for(rows, delimiter, encoding):
    result = outcome(csv_bytes(rows, delimiter, encoding), name="t.csv")
    assert result is not None
    _, parsed = result
    assert parsed.stats["read"] == sum(1 for row in rows if any(c.strip() for c in row))


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=20), max_size=5), max_size=15), st.data())
def test_broken_csv(rows, data):
    raw = bytearray(csv_bytes(rows, ";", "utf-8"))
    position = data.draw(st.integers(0, len(raw)))
    raw[position:position] = data.draw(st.binary(max_size=6))
    outcome(bytes(raw), name="t.csv")
    outcome(bytes(raw), kind="survey", name="t.csv")


# ---------------------------------------------------------------- XLSX

xlsx_cells = st.one_of(
    st.none(),
    plain,
    st.integers(-10, 90000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.datetimes(datetime(1990, 1, 1), datetime(2030, 1, 1)),
)


def xlsx_bytes(rows, title_rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["Звіт"])
    sheet.append(["Дата", "Опис", "Lat", "Lon"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@XLSX_SETTINGS
@given(st.lists(st.lists(xlsx_cells, max_size=4), max_size=12), st.integers(0, 3))
def test_xlsx_every_non_blank_row_is_accounted_for(rows, title_rows):
    result = outcome(xlsx_bytes(rows, title_rows), name="t.xlsx")
    assert result is not None
    _, parsed = result
    assert parsed.stats["read"] == sum(1 for row in rows if any(v is not None and str(v).strip() for v in row))


@XLSX_SETTINGS
@given(st.lists(st.lists(xlsx_cells, max_size=4), max_size=6), st.data())
def test_broken_xlsx(rows, data):
    raw = bytearray(xlsx_bytes(rows, 1))
    # positions are drawn as fractions: the file's length varies with its save time
    spot = st.floats(0, 1, exclude_max=True).map(lambda f: 4 + int(f * (len(raw) - 4)))
    if data.draw(st.booleans()):
        del raw[data.draw(spot) :]
    else:
        for _ in range(data.draw(st.integers(1, 20))):
            raw[data.draw(spot)] = data.draw(st.integers(0, 255))
    outcome(bytes(raw), name="t.xlsx")
    outcome(bytes(raw), kind="minutes", name="t.xlsx")


DOCX = (Path(__file__).parent / "fixtures" / "intake" / "minutes_meeting7.docx").read_bytes()


@XLSX_SETTINGS
@given(st.lists(st.tuples(st.integers(4, len(DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=20), st.booleans())
def test_broken_docx(flips, truncate):
    raw = bytearray(DOCX)
    if truncate:
        del raw[flips[0][0] :]
    else:
        for position, value in flips:
            raw[position] = value
    outcome(bytes(raw), name="m.docx")


# bytes that make or break JSON strings: quotes, backslashes and what they escape,
# control bytes, hex digits, structure, and a multi-byte letter
_JSONISH = st.lists(
    st.sampled_from(
        [b'"', b"\\", b"\\\\", b'\\"', b"\\n", b"\\u00e9", b"\\u12", b"\\x0B", b"\\q", b"\n", b"\t", b"\x01", b"\x1f"]
        + [b"a", b"0", b"F", b"u", b"x", b" ", b"{", b"}", b"[", b"]", b",", b":", "ї".encode()]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=4000, deadline=None)
@given(_JSONISH, st.booleans())
def test_clean_chunk_check_agrees_with_the_scan(data: bytes, in_string: bool) -> None:
    """A chunk the vectorised check passes is one the regex scan leaves byte for byte,
    ending in the same string state; a chunk it rejects goes to the scan anyway."""
    fast = RepairingReader(io.BytesIO(b""))
    fast._in_string = in_string
    scan = RepairingReader(io.BytesIO(b""))
    scan._in_string = in_string
    assert fast._repair(data) == scan._scanned(data)
    assert fast._in_string == scan._in_string
