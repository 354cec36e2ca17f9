"""The intake benchmark runs, and its numbers add up (never its speed: CI machines vary).

Why: a benchmark that silently breaks (a renamed importer function, a parser that
rejects the generated export) would report nonsense rates; this smoke run on a 1 MB
export checks that every stage completes and that the importer's counting contract
``read == imported + duplicates + quarantined + already_imported`` holds for the generated
file, with and without the real geocoder.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_intake", ROOT / "bench" / "intake.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_generated_export_is_a_valid_telegram_export(tmp_path: Path) -> None:
    """The streamed writer yields valid JSON with the demo's structure and unique ids."""
    bench = _bench()
    for layout in ("account", "chat"):
        path = tmp_path / f"{layout}.json"
        generated = bench.generate_export(path, 0.5, layout=layout)
        data = json.loads(path.read_text(encoding="utf-8"))
        chats = data["chats"]["list"] if layout == "account" else [data]
        messages = [m for chat in chats for m in chat["messages"]]
        assert len(messages) == generated.entries > 500
        for chat in chats:
            ids = [m["id"] for m in chat["messages"]]
            assert len(set(ids)) == len(ids) and ids == sorted(ids)
            times = [int(m["date_unixtime"]) for m in chat["messages"]]
            assert times == sorted(times)
        assert {m["type"] for m in messages} == {"message", "service"}
        assert any(isinstance(m["text"], list) for m in messages)
        assert any("photo" in m for m in messages) and any("from_id" in m for m in messages)


def test_generated_texts_are_distinct_and_keep_the_demo_texts_answers(tmp_path: Path) -> None:
    """Copies of a demo text differ (each its own closing line) and the geocoder places
    them where it places the demo text, so the replay stub's answers are the real ones."""
    from data.intake import parse_file
    from data.records import RawMessage
    from geo.geocoder import geocode

    bench = _bench()
    assert len({bench._tail(k, 17) for k in range(1, 400)}) == 399
    demo = [i for i in parse_file(bench.DEMO_EXPORT).items if isinstance(i, RawMessage)]
    for n, raw in enumerate(demo[::40]):  # ~150 texts, each with another closing line
        tailed = raw.text + bench._tail(1 + n, n).replace("\\n", "\n")
        assert bench.untailed(tailed) == raw.text != tailed
        assert bench.untailed(f"{tailed}\nvenue") == f"{raw.text}\nvenue"
        plain, with_tail = geocode(raw.text, location=raw.location), geocode(tailed, location=raw.location)
        assert (with_tail.lat, with_tail.lon, with_tail.level, with_tail.span) == (
            plain.lat,
            plain.lon,
            plain.level,
            plain.span,
        ), tailed


@pytest.mark.slow  # ~30 s: three child processes each load the models
def test_quick_run_completes_and_counts_add_up(capsys) -> None:  # type: ignore[no-untyped-def]
    bench = _bench()
    result = bench.run(["--quick", "--mb", "1"])
    assert len(result.hostile) == 5 and all(st["rss_peak_mb"] < 1024 for _, st in result.hostile)
    assert set(result.stages) >= {"e2e", "rest", "rest_pool", "parse"}
    for key in ("e2e", "rest", "rest_pool"):
        summary = result.stages[key]["summary"]
        assert summary["read"] > 500
        assert summary["read"] == (
            summary["imported"] + summary["duplicates"] + summary["quarantined"] + summary["already_imported"]
        )
        assert summary["already_imported"] == 0  # a fresh store
    # the replay stub answers every call from the real geocoder's table
    assert result.stages["rest"]["stub_calls"]["misses"] == 0
    # same messages, same answers: the stubbed run stores exactly what the real one does
    e2e, rest = result.stages["e2e"]["summary"], result.stages["rest"]["summary"]
    assert (e2e["imported"], e2e["not_located"]) == (rest["imported"], rest["not_located"])
    assert result.stages["parse"]["read"] == e2e["read"]
    # the pool's row: the stub reached the forked workers (every call counted, none missed), same store counts
    pool = result.stages["rest_pool"]
    calls = result.stages["rest"]["stub_calls"]
    assert pool["stub_calls"]["calls"] == calls["calls"] and pool["stub_calls"]["misses"] == 0
    assert pool["workers"] < 2 or pool["stub_calls"]["in_workers"] > 0
    assert pool["summary"] == result.stages["rest"]["summary"]
    assert "end to end" in capsys.readouterr().out


def test_an_export_is_reused_only_for_the_same_size(tmp_path: Path) -> None:
    """--workdir reuse: the 1M export is written once; another size writes a new one."""
    bench = _bench()
    path = tmp_path / "result.json"
    first = bench.reused_or_generated(path, 0.2)
    again = bench.reused_or_generated(path, 0.2)
    assert not first.reused and again.reused and (again.bytes, again.entries) == (first.bytes, first.entries)
    other = bench.reused_or_generated(path, 0.3)
    assert not other.reused and other.bytes > first.bytes
    (tmp_path / "store-rest.db").write_bytes(b"an earlier run's store")
    assert not bench.fresh_store(tmp_path, "rest").exists()  # a re-run imports into an empty store


def test_intake_same_tells_equal_stores_from_different_ones(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """bench/intake_same.py ignores ids and clocks, and finds any other difference."""
    import sqlite3

    spec = importlib.util.spec_from_file_location("intake_same", ROOT / "bench" / "intake_same.py")
    assert spec and spec.loader
    same = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(same)
    stores = []
    for name, shift, text in (("a", 0, "x"), ("b", 100, "x"), ("c", 0, "y")):
        path = tmp_path / f"{name}.db"
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE reports (id, source, source_ref, text, duplicate_of, created_at)")
        con.execute("CREATE TABLE quarantine (id, source, source_ref, record, created_at)")
        con.execute("CREATE TABLE import_batches (id, n_read, started_at)")
        con.execute("INSERT INTO reports VALUES (?, 'tg', '1', 'first', NULL, ?)", (1 + shift, f"t{shift}"))
        con.execute("INSERT INTO reports VALUES (?, 'tg', '2', ?, ?, 'now')", (2 + shift, text, 1 + shift))
        con.execute("INSERT INTO quarantine VALUES (?, 'tg', '3', ?, 'now')", (shift, f'{{"created_at": "{shift}"}}'))
        con.execute("INSERT INTO import_batches VALUES (?, 2, ?)", (shift, f"s{shift}"))
        con.commit()
        con.close()
        stores.append(str(path))
    assert same.main([stores[0], stores[1]]) == 0  # other ids, times and duplicate ids: the same store
    assert same.main([stores[0], stores[2]]) == 1  # one text differs
    assert "DIFFERENT" in capsys.readouterr().out
