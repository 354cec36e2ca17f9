"""The intake pipeline end to end on a small hotline CSV: counts, redaction, idempotency."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.messages import Message, msg
from data.store.repo import quarantine_frame, reports_frame
from data.store.schema import ImportBatch
from i18n import say
from services import importer
from services.importer import import_file
from tests.conftest import ROOT

HOTLINE = ROOT / "tests" / "fixtures" / "pipeline" / "hotline.csv"


@pytest.fixture
def summary(store):  # type: ignore[no-untyped-def]
    return import_file(HOTLINE, store)


def test_every_row_is_accounted_for(summary) -> None:
    s = summary
    assert s.read == 6
    assert s.imported + s.duplicates + s.quarantined + s.already_imported == s.read and s.balanced()
    assert (s.imported, s.duplicates, s.quarantined, s.not_located) == (3, 1, 2, 1)


def test_bad_date_and_unlocated_rows_are_quarantined_with_reasons(store, summary) -> None:
    queue = quarantine_frame(store)
    reasons = [Message.from_json(r) for r in queue["reason"]]
    assert msg("not_located") in reasons
    assert msg("row_problem", row=5, problem=msg("bad_date", value="31.02.2025 10:00")) in reasons
    assert len(queue) == 2


def test_personal_data_is_redacted_but_the_street_is_kept(store, summary) -> None:
    frame = reports_frame(store, include_duplicates=True)
    texts = " ".join(frame["text"])
    for secret in ("+380 67 123 45 67", "olena@example.com", "ВЕ 1234 АК", "Петренко"):
        assert secret not in texts
    assert "звалище сміття" in texts
    assert frame["reporter_hash"].notna().all() and not frame["reporter_hash"].str.contains("user").any()
    urman = frame[frame["street"] == "Іллі Урмана"]
    assert len(urman) == 1 and urman.iloc[0]["category"] == "parking"


def test_duplicate_points_at_the_first_report(store, summary) -> None:
    frame = reports_frame(store, include_duplicates=True).set_index("source_ref")
    dup = frame[frame["duplicate_of"].notna()]
    assert len(dup) == 1
    original = frame[frame["id"] == dup.iloc[0]["duplicate_of"]].iloc[0]
    assert original["category"] == dup.iloc[0]["category"] == "litter"
    assert original["occurred_at"] < dup.iloc[0]["occurred_at"]


def test_reimporting_the_same_file_or_rows_adds_nothing(store, summary, tmp_path) -> None:
    again = import_file(HOTLINE, store)
    assert again.same_file_batch == summary.batch_id and again.read == 0
    renamed = tmp_path / "hotline-copy.csv"
    shutil.copy(HOTLINE, renamed)
    renamed.write_bytes(HOTLINE.read_bytes() + b"\r\n")  # other bytes, same rows
    copy = import_file(renamed, store)
    assert copy.already_imported == copy.read == 6 and copy.imported == 0
    assert len(reports_frame(store, include_duplicates=True)) == 4
    with Session(store) as s:
        assert len(s.scalars(select(ImportBatch)).all()) == 2


def test_cli_imports_into_an_empty_database_file(tmp_path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        "PATH": "/usr/bin:/bin",
        "HOTSPOTS_SALT_FILE": str(tmp_path / "salt.key"),
    }
    out = subprocess.run(
        [sys.executable, "cli.py", "import", str(HOTLINE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert '"imported": 3' in out.stdout
    assert f"{HOTLINE.name}: прочитано 6 = імпортовано 3 + дублікатів 1" in out.stderr  # Ukrainian by default


def test_an_unreadable_file_names_the_file_and_the_problem(store, tmp_path) -> None:
    from data.intake import UnreadableFile

    empty = tmp_path / "export.json"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="export.json.*empty"):
        import_file(empty, store)


def test_a_truncated_export_keeps_what_was_read_and_quarantines_the_rest(store, tmp_path) -> None:
    broken = tmp_path / "result.json"
    broken.write_text('{"name": "Г", "type": "public_supergroup", "id": 7, "messages": [', encoding="utf-8")
    summary = import_file(broken, store)
    assert summary.quarantined == summary.read == 1
    reason = Message.from_json(quarantine_frame(store)["reason"].item())
    assert reason.code == "messages_read_before" and "damaged" in say(reason, "en")


def test_the_collector_gets_every_object_back_after_an_import(store, monkeypatch) -> None:
    """The import hides older objects from full collections only while it runs, also
    when it fails half-way."""
    assert gc.get_freeze_count() == 0
    with monkeypatch.context() as patch:
        patch.setattr(importer, "assign_duplicates", lambda *_: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            import_file(HOTLINE, store)
    assert gc.get_freeze_count() == 0
    assert import_file(HOTLINE, store).read == 6
    assert gc.get_freeze_count() == 0
