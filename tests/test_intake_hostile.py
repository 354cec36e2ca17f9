"""Hostile and careless files: every record is accounted for, every bound holds and says so.

One test per case of issue 16. The identity ``read = imported + duplicates +
quarantined + already_imported`` is checked on every import through :func:`imported`.
Memory and time bounds are shown by bench/intake.py (the hostile-file row), not here.
"""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import intake
from data.intake.bounds import bounds
from data.intake.common import IntakeOptions
from data.messages import Message
from data.store.db import make_engine, upgrade
from data.store.repo import quarantine_frame, reports_frame
from data.store.schema import ImportBatch
from i18n import say
from services import form, moderation
from services.importer import BatchSummary, import_file
from tests.conftest import ROOT

TEXT = "Сміття біля будинку вул. Соборності 5, просимо прибрати"


def en(value: Message | str) -> str:
    """A problem, note or stored reason (JSON) as an English-reading moderator sees it."""
    return say(value if isinstance(value, Message) else Message.from_json(value), "en")


@pytest.fixture
def db(sqlite_url: str):  # type: ignore[no-untyped-def]
    """One SQLite store: the hostile cases are about the intake, not the backend."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def imported(path: Path, engine, **kwargs) -> BatchSummary:  # type: ignore[no-untyped-def]
    summary = import_file(path, engine, **kwargs)
    assert summary.balanced(), summary.accounting()
    if summary.batch_id is not None and summary.same_file_batch is None:
        stored = moderation.batch_accounting(engine, summary.batch_id)
        assert stored["balanced"] and stored["read"] == summary.read
        assert stored["already_imported"] == summary.already_imported
    return summary


def telegram(messages: list[dict], tmp_path: Path, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"name": "Місто", "type": "public_supergroup", "id": 77, "messages": messages}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def message(msg_id: int, text, unix: int = 1714550400) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": msg_id,
        "type": "message",
        "date": "2024-05-01T11:00:00",
        "date_unixtime": str(unix),
        "from_id": f"user{msg_id}",
        "text": text,
    }


def csv_file(
    tmp_path: Path, rows: list[str], header: str = "Дата;Опис;Адреса", name: str = "r.csv", encoding: str = "utf-8"
) -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


# ------------------------------------------------------------------ repeats inside a file


def test_messages_that_share_an_id_are_duplicates_of_the_first(db, tmp_path) -> None:
    other = "Гучна музика вночі біля школи №7"
    path = telegram([message(1, TEXT), message(1, TEXT), message(2, other), message(2, other + " знову")], tmp_path)
    s = imported(path, db)
    assert (s.read, s.imported + s.quarantined, s.duplicates, s.repeats) == (4, 2, 2, 2)
    assert any(note.code == "note_repeats" and "repeated inside the file" in en(note) for note in s.notes)


def test_three_identical_csv_rows_are_one_report_and_two_duplicates(db, tmp_path) -> None:
    path = csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5"] * 3)
    s = imported(path, db)
    assert (s.read, s.imported, s.duplicates, s.repeats, s.already_imported) == (3, 1, 2, 2, 0)


def test_repeats_across_chunks_of_a_big_xlsx_are_not_already_known(db, tmp_path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Дата", "Опис", "Адреса"])
    for _ in range(2500):  # more than one chunk of the importer
        sheet.append(["01.03.2024", TEXT, "вул. Соборності 5"])
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    s = imported(path, db)
    assert (s.read, s.imported, s.duplicates, s.already_imported) == (2500, 1, 2499, 0)
    with Session(db) as session:
        batch = session.scalars(select(ImportBatch)).one()
        assert (batch.n_read, batch.n_repeats, batch.n_already_known) == (2500, 2499, 0)


def test_a_reimport_counts_records_as_already_imported(db, tmp_path) -> None:
    first = imported(csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5"]), db)
    again = imported(csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5", ""], name="r2.csv"), db)
    assert first.imported == 1 and (again.read, again.already_imported, again.imported) == (1, 1, 0)
    same = import_file(tmp_path / "r.csv", db)
    assert same.same_file_batch == first.batch_id and same.read == 0


# ------------------------------------------------------------------ nested entities, depth


def test_nested_telegram_entities_keep_all_text_and_links(db, tmp_path) -> None:
    link = {"type": "text_link", "text": "вул. Соборності 5", "href": "https://maps.google.com/?q=47.566,31.333"}
    bold = {"type": "bold", "text": ["Сміття біля ", link]}
    italic = {"type": "italic", "text": [bold, " вже тиждень"]}
    only_nested = message(2, "")
    only_nested["text_entities"] = [{"type": "italic", "text": [{"type": "bold", "text": [link]}]}]
    path = telegram([message(1, [italic]), only_nested], tmp_path)
    items = list(intake.parse_file(path).items)
    assert [i.text for i in items] == ["Сміття біля вул. Соборності 5 вже тиждень", "вул. Соборності 5"]
    assert items[0].extra["links"] == [link["href"]]
    s = imported(path, db)
    assert s.read == 2 and s.imported == 2


def test_deeply_nested_json_fails_fast_with_the_depth_bound(tmp_path) -> None:
    depth = 20_000
    nested = '{"type":"bold","text":[' * depth + '"x"' + "]}" * depth
    head = '{"name":"c","type":"public_supergroup","id":1,"messages":['
    before = ",".join(json.dumps(message(i, f"{TEXT} {i}"), ensure_ascii=False) for i in range(1, 2001))
    path = tmp_path / "deep.json"
    path.write_text(
        head + before + ',{"id":9999,"type":"message","date_unixtime":"1714550400","text":[' + nested + "]}]}",
        encoding="utf-8",
    )
    result = intake.parse_file(path)
    items = list(result.items)
    assert items[0].text == f"{TEXT} 1" and len(items) > 1000  # read before the bound
    assert "nested deeper than 64 levels" in en(items[-1].reason) and result.problems
    with pytest.raises(intake.UnreadableFile, match="max_json_depth"):  # deep in the head: refused at once
        (tmp_path / "head.json").write_text(head + '{"id":1,"type":"message","text":[' + nested + "]}]}")
        intake.parse_file(tmp_path / "head.json")
    (tmp_path / "fb.json").write_text('{"group_posts_v2":[' + "[" * 5000 + "]" * 5000 + "]}", encoding="utf-8")
    with pytest.raises(intake.UnreadableFile, match="max_json_depth"):
        intake.parse_file(tmp_path / "fb.json", kind="facebook")


def test_a_truncated_export_keeps_what_was_read_and_fails_the_file(db, tmp_path) -> None:
    path = telegram([message(i, f"{TEXT} {i}") for i in range(1, 4)], tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b'"id": 3') + 4])
    s = imported(path, db)
    assert s.failed and "damaged" in en(s.problems[0])
    assert s.imported + s.duplicates >= 2  # the messages before the damage are kept
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PATH": "/usr/bin:/bin",
        "HOTSPOTS_SALT_FILE": str(tmp_path / "salt.key"),
        "HOTSPOTS_MODE": "demo",
    }
    good = csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5"], name="good.csv")
    out = subprocess.run(
        [sys.executable, "cli.py", "import", "--lang", "en", str(good), str(path), str(ROOT / "data/demo/meta.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 1, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 2 and "damaged" in errors[0] and "not a report file" in errors[1]
    summaries = [json.loads(line) for line in out.stdout.splitlines()]
    assert [s["failed"] for s in summaries] == [False, True]
    assert all(s["balanced"] and s["accounting"].startswith(f"read {s['read']} = ") for s in summaries)


def test_unplaced_reports_do_not_fail_a_file(db, tmp_path) -> None:
    s = imported(csv_file(tmp_path, ["01.03.2024;Гучна музика вночі, неможливо спати;"]), db)
    assert s.not_located == 1 and s.quarantined == 1 and not s.failed


# ------------------------------------------------------------------ bounds


def test_an_xlsx_with_a_huge_cell_is_refused_before_it_is_loaded(tmp_path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Дата", "Опис"])
    workbook.active.append(["01.03.2024", "MARKER"])
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    path = tmp_path / "cell.xlsx"  # openpyxl writes at most 32,767 characters a cell: forge a bigger one
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as forged:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"MARKER", "сміття ".encode() * 100_000)  # 700,000 characters
            forged.writestr(member, data)
    with pytest.raises(intake.UnreadableFile) as info:
        intake.parse_file(path)
    assert re.search("longer than 100000 characters .*max_cell_chars", en(info.value.problem))
    with pytest.raises(intake.UnreadableFile, match="max_cell_chars"):
        list(intake.parse_file(csv_file(tmp_path, ["01.03.2024;" + "x" * 200_000 + ";"], name="c.csv")).items)


def test_total_cells_and_records_per_file_are_bounded(db, tmp_path) -> None:
    workbook = openpyxl.Workbook()
    for row in [["Дата", "Опис"], *[["01.03.2024", f"{TEXT} {i}"] for i in range(50)]]:
        workbook.active.append(row)
    path = tmp_path / "cells.xlsx"
    workbook.save(path)
    result = intake.parse_file(path, limits=bounds(max_cells=80))
    list(result.items)
    assert "max_cells" in en(result.problems[0])
    s = imported(csv_file(tmp_path, [f"01.03.2024;{TEXT} {i};" for i in range(30)]), db, limits=bounds(max_records=10))
    assert s.read == 10 and s.failed and "max_records" in en(s.problems[0])


def test_file_size_bound_refuses_unread(tmp_path) -> None:
    path = csv_file(tmp_path, [f"01.03.2024;{TEXT};"] * 2000)
    with pytest.raises(intake.UnreadableFile, match="max_file_mb"):
        intake.parse_file(path, limits=bounds(max_file_mb=0.01))


def test_long_texts_are_truncated_and_flagged_not_dropped(db, tmp_path) -> None:
    s = imported(csv_file(tmp_path, [f"01.03.2024;{TEXT} {'дуже довго ' * 3000};вул. Соборності 5"]), db)
    assert s.truncated == 1 and s.imported == 1
    text = reports_frame(db, include_duplicates=True)["text"].iloc[0]
    assert "truncated: " in text and len(text) < 20_100


def test_bounds_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HOTSPOTS_INTAKE_MAX_TEXT_CHARS", "500")
    monkeypatch.setenv("HOTSPOTS_INTAKE_FIRST_DATE", "2020-01-01")
    assert bounds().max_text_chars == 500 and bounds().first_date.year == 2020


# ------------------------------------------------------------------ dates and points


def test_dates_outside_the_period_are_quarantined(db, tmp_path) -> None:
    rows = [
        f"01.03.1970;{TEXT};вул. Соборності 5",
        f"01.03.2100;{TEXT} 2;вул. Соборності 5",
        f"01.03.2024;{TEXT} 3;вул. Соборності 5",
        f"03.01.2026;{TEXT} 4;вул. Соборності 5",
    ]
    s = imported(csv_file(tmp_path, rows), db)
    assert (s.read, s.imported, s.quarantined) == (4, 1, 3)  # demo clock: 2026-01-01, so the 3rd of Jan is future
    reasons = " | ".join(map(en, quarantine_frame(db)["reason"]))
    assert "1970-03-01 is outside the accepted period 2015-01-01 to 2026-01-02" in reasons
    assert "2100-03-01" in reasons


@pytest.mark.parametrize("lat, lon", [(0, 0), (91, 500), (50.4501, 30.5234), ("nan", "1")])
def test_points_not_in_the_city_are_quarantined_as_outside(db, tmp_path, lat, lon) -> None:
    path = csv_file(
        tmp_path, [f"01.03.2024;Гучна музика вночі, неможливо спати;{lat};{lon}"], header="Дата;Опис;lat;lon"
    )
    s = imported(path, db)
    assert s.quarantined == 1 and s.imported == 0
    reason = en(quarantine_frame(db)["reason"].iloc[0])
    assert "outside the city" in reason or "not finite" in reason


def test_a_telegram_pin_outside_the_city_goes_to_the_moderator(db, tmp_path) -> None:
    pinned = message(1, "Сміття тут")
    pinned["location_information"] = {"latitude": 50.4501, "longitude": 30.5234}
    s = imported(telegram([pinned], tmp_path), db)
    assert s.quarantined == 1 and "outside the city" in en(quarantine_frame(db)["reason"].iloc[0])


def test_the_form_refuses_nan_and_far_points(db) -> None:
    for lat, lon, key in (
        (math.nan, 31.33, "form.need_place"),
        (math.inf, 31.33, "form.need_place"),
        (0.0, 0.0, "form.outside_city"),
    ):
        with pytest.raises(form.Refused, match=key):
            form.submit(db, description="Сміття біля ринку вже тиждень", category=None, lat=lat, lon=lon, contact=None)


def test_us_dates_and_12_hour_clocks(db, tmp_path) -> None:
    rows = [f"3/14/2024 2:30 PM;{TEXT};вул. Соборності 5", f"03/02/2024 11:05 AM;{TEXT} 2;вул. Соборності 5"]
    s = imported(csv_file(tmp_path, rows, header="Date;Description;Address"), db)
    assert (s.imported, s.quarantined) == (2, 0)
    got = sorted(reports_frame(db, include_duplicates=True)["received_at"])
    assert [(d.month, d.day, d.hour) for d in got] == [(3, 2, 9), (3, 14, 12)]  # Kyiv UTC+2


def test_a_separate_12_hour_time_column(tmp_path) -> None:
    path = csv_file(tmp_path, [f"14/03/2024;9:05 PM;{TEXT}", f"14/03/2024;12:10 am;{TEXT} 2"], header="Дата;Час;Опис")
    evening, night = list(intake.parse_file(path).items)
    assert (evening.received_at.hour, night.received_at.hour) == (19, 22)  # Kyiv UTC+2; 00:10 is the day before


def test_ambiguous_dates_follow_the_option(tmp_path) -> None:
    path = csv_file(tmp_path, [f"03/02/2024;{TEXT};"])
    [day] = list(intake.parse_file(path).items)
    [month] = list(intake.parse_file(path, options=IntakeOptions(date_order="monthfirst")).items)
    assert (day.received_at.month, month.received_at.month) == (2, 3)
    [mapped] = list(
        intake.parse_file(
            path, column_mapping={"columns": {"date": "Дата", "text": "Опис"}, "date_order": "monthfirst"}
        ).items
    )
    assert mapped.received_at.month == 3


def test_projected_xy_is_transformed_with_a_crs_or_quarantined_with_the_reason(db, tmp_path) -> None:
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32636", always_xy=True).transform(31.3330, 47.5660)
    path = csv_file(
        tmp_path, [f"01.03.2024;Гучна музика вночі, неможливо спати;{x:.1f};{y:.1f}"], header="Дата;Опис;X;Y"
    )
    s = imported(path, db)
    assert s.quarantined == 1 and "projected" in en(quarantine_frame(db)["reason"].iloc[0])
    [item] = list(intake.parse_file(path, options=IntakeOptions(crs="EPSG:32636")).items)
    assert item.location == pytest.approx((47.5660, 31.3330), abs=1e-5)


# ------------------------------------------------------------------ encodings, controls


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251", "koi8-u"])
def test_encodings_are_detected(tmp_path, encoding) -> None:
    path = csv_file(tmp_path, [f"01.03.2024;{TEXT} і ї є ґ;вул. Соборності 5"], encoding=encoding)
    [item] = list(intake.parse_file(path).items)
    assert item.text == f"{TEXT} і ї є ґ"


def test_an_unknown_encoding_is_named_as_the_problem(tmp_path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(intake.UnreadableFile) as info:
        list(intake.parse_file(path).items)
    assert "encoding" in en(info.value.problem)
    json16 = tmp_path / "result.json"
    json16.write_bytes('{"messages": []}'.encode("utf-16-le"))
    with pytest.raises(intake.UnreadableFile) as info:
        intake.parse_file(json16)
    assert "UTF-16" in en(info.value.problem)


def test_control_and_bidi_characters_are_kept_visible_never_active(db, tmp_path) -> None:
    s = imported(telegram([message(1, "Сміття \u202eвул. Соборності 5\u202c\x07 тут")], tmp_path), db)
    assert s.imported + s.quarantined == 1
    frame = reports_frame(db, include_duplicates=True)
    text = frame["text"].iloc[0] if len(frame) else quarantine_frame(db)["excerpt"].iloc[0]
    assert "[U+202E]" in text and "\u202e" not in text and "\x07" not in text


# ------------------------------------------------------------------ what is not a report


@pytest.mark.parametrize(
    "name", ["actions.csv", "meetings.csv", "districts.csv", "hotspots.csv", "meta.json", "ground_truth.csv"]
)
def test_the_demo_side_tables_are_not_report_files(name) -> None:
    with pytest.raises(intake.UnreadableFile) as info:
        list(intake.parse_file(ROOT / "data" / "demo" / name).items)
    assert en(info.value.problem).startswith("not a report file")
    assert say(info.value.problem).startswith("не файл звернень")


def test_demo_sources_sit_apart_from_the_side_tables() -> None:
    from services.demo import demo_sources

    sources = demo_sources()
    assert sources and all("sources" in p.relative_to(ROOT / "data" / "demo").parts for p in sources)
    assert intake.detect_kind(ROOT / "tests" / "fixtures" / "intake" / "survey_waves.csv") == "survey"


def test_the_stored_accounting_is_what_the_page_shows(db, tmp_path) -> None:
    data = csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5"] * 2).read_bytes()
    summary = moderation.import_upload(db, "upload.csv", data, actor="mod", role="moderator")
    account = moderation.batch_accounting(db, summary.batch_id)
    assert account["balanced"] and (account["read"], account["imported"], account["repeats"]) == (2, 1, 1)
    from i18n import t

    shown = t("mod.accounting", lang="en", **account)
    assert "read 2 = imported 1 + duplicates 1" in shown


def test_bytes_uploads_parse_like_files() -> None:
    data = io.BytesIO(f"Дата;Опис\n01.03.2024;{TEXT}\n".encode("koi8-u")).getvalue()
    [item] = list(intake.parse_file(data, name="upload.csv").items)
    assert item.text == TEXT


def test_a_pin_that_is_no_point_is_shown_not_dropped(db, tmp_path) -> None:
    pinned = message(1, "Гучна музика вночі, неможливо спати")
    pinned["location_information"] = {"latitude": 91.0, "longitude": 500.0}
    s = imported(telegram([pinned], tmp_path), db)
    assert s.quarantined == 1 and "is not a point" in en(quarantine_frame(db)["reason"].iloc[0])


def test_counts_that_do_not_add_up_stop_the_batch(db, tmp_path, monkeypatch) -> None:
    from services import importer

    settle = importer._settle_counts

    def off_by_one(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        settle(*args, **kwargs)
        args[2].imported += 1  # a bug that counts one report twice

    monkeypatch.setattr(importer, "_settle_counts", off_by_one)
    with pytest.raises(importer.AccountingError, match="do not add up.*a bug"):
        import_file(csv_file(tmp_path, [f"01.03.2024;{TEXT};вул. Соборності 5"]), db)
    with Session(db) as session:
        assert session.scalars(select(ImportBatch)).all() == []  # rolled back whole


def test_one_huge_json_string_is_bounded_while_a_long_text_is_truncated(db, tmp_path) -> None:
    long_text = f"{TEXT} " + "дуже " * 200_000  # 1,000,000+ characters: kept, truncated
    s = imported(telegram([message(1, long_text)], tmp_path), db)
    assert s.truncated == 1 and not s.failed
    huge = telegram([message(1, "x" * (3 << 20))], tmp_path, "huge.json")
    result = intake.parse_file(huge, limits=bounds(max_json_string_mb=2))
    assert "max_json_string_mb" in en(list(result.items)[-1].reason) and result.problems
