"""A large Telegram export streams: memory stays bounded whatever the file size."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from data.intake import parse_file


def write_export(path: Path, target_bytes: int) -> int:
    """Write a Telegram Desktop-shaped export of about ``target_bytes``; returns messages written.

    Every 10th message is a service message, every 3rd has its text as a list of pieces,
    and every 50th carries a raw control character, so the repair path is exercised too.
    """
    count = size = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            '{\n "name": "Безпечний Вознесенськ",\n "type": "private_supergroup",\n "id": 1766112233,\n "messages": [\n'
        )
        while size < target_bytes:
            count += 1
            text = f"Повідомлення {count}: сміття біля будинку {count % 200} на вул. Київській, машини на газоні"
            message = {
                "id": count,
                "type": "message",
                "date": "2024-03-01T10:00:05",
                "date_unixtime": str(1709280005 + count),
                "from": "Мешканець",
                "from_id": f"user{count % 5000}",
                "text": ["Увага: ", {"type": "bold", "text": text}] if count % 3 == 0 else text,
                "text_entities": [{"type": "plain", "text": "Увага: "}, {"type": "bold", "text": text}]
                if count % 3 == 0
                else [{"type": "plain", "text": text}],
            }
            if count % 10 == 0:
                message = {
                    "id": count,
                    "type": "service",
                    "date": "2024-03-01T10:00:05",
                    "date_unixtime": str(1709280005 + count),
                    "actor": "A",
                    "actor_id": "user1",
                    "action": "pin_message",
                    "text": "",
                    "text_entities": [],
                }
            chunk = ("" if count == 1 else ",\n") + json.dumps(message, ensure_ascii=False, indent=1)
            if count % 50 == 0:
                chunk = chunk.replace("Повідомлення", "Повідомлення\x0b", 1)
            handle.write(chunk)
            size += len(chunk.encode())
        handle.write("\n ]\n}\n")
    return count


def parse_under_tracemalloc(path: Path) -> tuple[int, float, float, dict]:
    tracemalloc.start()
    try:
        started = time.perf_counter()
        result = parse_file(path)
        count = sum(1 for _ in result.items)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return count, elapsed, peak / 1e6, dict(result.stats)


def check(path: Path, written: int, limit_mb: float) -> None:
    count, _, peak_mb, stats = parse_under_tracemalloc(path)
    assert count == stats["read"] == stats["emitted"]
    assert count + stats["skipped_service"] == written
    assert peak_mb < limit_mb, f"peak {peak_mb:.1f} MB"


def test_streaming_memory_is_bounded(tmp_path):
    path = tmp_path / "result.json"
    written = write_export(path, 6_000_000)
    check(path, written, limit_mb=20)  # well below the file's own size


@pytest.mark.slow
def test_streaming_50_mb_export(tmp_path):
    path = tmp_path / "result.json"
    written = write_export(path, 50_000_000)
    assert path.stat().st_size >= 50_000_000
    check(path, written, limit_mb=100)
