"""Benchmark of the intake pipeline on a big Telegram export (not part of pytest's timing).

Run from the repository root:
    python3 bench/intake.py                 # 1M distinct messages (~835 MB), four stages, profile on 20 MB
    python3 bench/intake.py --messages 1000000 --stages e2e,rest --no-profile --no-hostile  # issue 25's run
    python3 bench/intake.py --mb 50         # another size
    python3 bench/intake.py --quick         # 5 MB smoke run, no profile
    python3 bench/intake.py --hostile-only  # only the hostile-file rows (issue 16)
    python3 bench/intake.py --messages 1000000 --stages rest --workdir W   # W keeps the export for re-runs
    python3 bench/intake.py --messages 1000000 --stages rest,rest_pool --workdir W   # one process and the pool
    python3 bench/intake.py --mb 20 --stages rest --no-hostile --profile-mb 20 --profile-stub  # where the rest goes

With ``--workdir`` the export is written once and reused by later runs of the same size
(each stage still imports into a fresh store); ``bench/intake_same.py W/store-rest.db
OTHER.db`` then tells whether two versions of the code stored the same thing.

Why it exists: issue 25 asks that a Telegram export of 1M distinct messages goes through
the full pipeline at >= 2,000 messages per CPU-second, in < 450 s wall with the worker
pool (300 s the stretch) and < 1 GB for the import and its workers together, and
without geocoding >= 5,000 messages/s. (Issue 16 asked that an operator can import a
200 MB Telegram Desktop export on one core at >= 1,500 messages/s end to end (geocoding, redaction,
classification, de-duplication, storing), >= 5,000 messages/s for everything except
geocoding, and in < 500 MB of memory.) Those numbers only mean something on a file that
looks like a real export, so this script

1. writes a realistic export of the requested size into a temp dir, streaming (one
   message at a time, flushed in ~1 MB pieces, never the whole JSON in memory). The
   messages are the texts of the demo export ``data/demo/sources/telegram/result.json``
   with its real structure (whole-account layout with ``chats.list``, text as a string
   or as a list of pieces plus ``text_entities``, ``from``/``from_id``, ``date`` and
   ``date_unixtime``, service messages, photos with and without caption, shared
   locations, replies, edits); ids, dates and reply ids are renumbered so that every
   message is new and the chat spans ``SPAN_DAYS`` days. The first copy of each demo
   text is verbatim, every later copy ends with a closing line of its own (``TAILS``),
   so all texts are distinct; the line changes no geocoder answer (tested), so the
   "rest without geocoding" stage can replay the real geocoder's answers (see 3.);
2. measures, each in a fresh child process so that peak RSS (``ru_maxrss``) belongs
   to that stage alone:
   (a) ``services.importer.import_file`` end to end into a fresh SQLite store;
   (b) the same with ``services.importer.geocode`` replaced by a stub. The default stub
       replays the answers the real geocoder gave for the same text (looked up in a dict
       built before timing), so the located / not-located mix, and with it the work of
       the store and of de-duplication, is the same as in (a): (a) - (b) is the cost
       of geocoding alone. ``--stub none`` answers "no place" (everything goes to
       quarantine) and ``--stub point`` one fixed point (everything is located there);
   (b') the same stub with the import's worker pool (``HOTSPOTS_IMPORT_WORKERS``, default
       the cores), as the real import runs: the workers fork inside ``import_file``, after
       the stub is set, so they place with it; its counters are shared with them. Wall
       messages/s is what an operator waits; the CPU counts the workers' too; (b) stays
       the one-process figure;
   (c) parsing only (``data.intake.parse_file``, items consumed, nothing else);
       also for the same messages in the single-chat layout (``result.json`` of one
       chat, which the parser reads through ijson's C ``items`` path);
3. prints target vs measured and the ratio, and a cProfile of the end-to-end import of
   a 20 MB export: the top functions by own time with their module, so that the
   owners of the slow parts know where to look.

4. imports hostile files (issue 16), each in its own child process, and prints for each
   its outcome (imported, failed with the reason, refused), time, peak RSS against the
   1 GB bound (children included) and the accounting identity: a Telegram JSON nested
   250,000 deep (2.5 MB), an XLSX whose one cell is 150 MB, an XLSX of a million
   identical rows, a CSV with a 100 MB cell and a truncated export.
   ``--hostile-only`` runs just these (``--hostile-scale 0.1`` for smaller files).

Model and gazetteer loading happen before the clock starts (one warm-up call each) and
are printed apart: they are paid once per process, not per message.
Message rates count records (``BatchSummary.read``: messages with text or a location);
service messages and photos without caption are skipped by the parser and not counted.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEMO_EXPORT = ROOT / "data" / "demo" / "sources" / "telegram" / "result.json"
KYIV = ZoneInfo("Europe/Kyiv")
TARGETS = {"end_to_end": 2000.0, "no_geocode": 5000.0, "rss_mb": 500.0, "wall_1m_s": 450.0, "tree_mb": 1024.0}
DEFAULT_MESSAGES = 1_000_000  # issue 25: a million distinct messages through the whole pipeline
BYTES_PER_RECORD = 891  # of the generated export (records, service messages, photos, tails): measured at 100,000 (93,661 records at 835)
QUICK_MB = 5.0
QUICK_HOSTILE_SCALE = 0.01
PROFILE_MB = 20.0
PROFILE_TOP = 15
SPAN_DAYS = 3 * 365  # a busy city chat exported after three years
START = datetime(2023, 1, 1, tzinfo=UTC)
FLUSH_CHARS = 1 << 20
# Sentinels put into a template before it is serialised once; each message then only
# replaces them, which is ~20x faster than json.dumps(indent=1) per message.
_ID, _DATE, _UNIX, _EDATE, _EUNIX, _REPLY, _TAIL = (
    f"@@{n}@@" for n in ("ID", "DATE", "UNIX", "EDATE", "EUNIX", "REPLY", "TAIL")
)
# Every copy of a demo text after the first ends with its own closing line, as residents
# write them (a plea, how long it has lasted, a sign-off; Ukrainian and Russian), so that
# the export's texts are distinct: caches keyed by text never see a repeat. The line
# names no place, person or number a redactor looks for, so the geocoder's answer for
# the text is the demo text's answer (the replay stub relies on it; the test checks it).
_PLEAS = (
    "Прошу звернути увагу",
    "Скільки можна терпіти",
    "Дуже просимо розібратися",
    "Просим принять меры",
    "Сколько можно это терпеть",
    "Будь ласка, відреагуйте",
    "Це вже не вперше",
    "Уже не в первый раз",
    "Допоможіть, будь ласка",
    "Люди скаржаться давно",
    "Хто за це відповідає",
    "Куда смотрят службы",
)
_SPANS = tuple(
    [f"вже {n}-й день" for n in range(2, 31)]
    + [f"уже {n} дней" for n in range(2, 31)]
    + [f"вже {n} тижні" for n in (2, 3, 4)]
    + [f"вже {n} місяців" for n in range(5, 13)]
)
_SIGN_OFFS = (
    "Дякую!",
    "Спасибо.",
    "Фото є.",
    "Заздалегідь дякую.",
    "Реагуйте!",
    "!!!",
    "Дякую за увагу.",
    "Ждём ответа.",
)
TAILS = tuple(f"{p}, {s}. {o}" for p in _PLEAS for s in _SPANS for o in _SIGN_OFFS)
TAIL_SET = frozenset(TAILS)
RESULT_MARK = "BENCH-RESULT "


# --- generating the export ---------------------------------------------------------


@dataclass
class _Template:
    """One demo message serialised once, with sentinels where the per-copy values go."""

    text: str
    id: int
    edit_delay: int | None
    reply_to: int | None
    once: bool = False  # the group's creation happens once, not in every copy


@dataclass
class _Chat:
    meta: dict[str, Any]
    templates: list[_Template]
    max_id: int
    share: float = 0.0


@dataclass
class Generated:
    """What was written: sizes and counts, for the report."""

    path: Path
    layout: str
    bytes: int = 0
    entries: int = 0
    seconds: float = 0.0
    reused: bool = False


def _template(message: dict[str, Any], indent: str) -> _Template:
    msg = copy.deepcopy(message)
    edit_delay = None
    if "edited_unixtime" in msg:
        edit_delay = int(msg["edited_unixtime"]) - int(msg["date_unixtime"])
        msg["edited"], msg["edited_unixtime"] = _EDATE, _EUNIX
    reply_to = msg.get("reply_to_message_id")
    if reply_to is not None:
        msg["reply_to_message_id"] = _REPLY
    msg["id"], msg["date"], msg["date_unixtime"] = _ID, _DATE, _UNIX
    if msg.get("type") == "message" and msg.get("text"):  # the distinct closing line of each copy
        msg["text"] = [*msg["text"], _TAIL] if isinstance(msg["text"], list) else msg["text"] + _TAIL
        msg["text_entities"] = [*msg.get("text_entities", []), {"type": "plain", "text": _TAIL}]
    text = json.dumps(msg, ensure_ascii=False, indent=1).replace("\n", "\n" + indent)
    for sentinel in (_ID, _REPLY):  # numbers in the real export, not strings
        text = text.replace(f'"{sentinel}"', sentinel)
    once = message.get("action") == "create_group"
    return _Template(indent + text, int(message["id"]), edit_delay, reply_to, once)


def _demo_chats(indent: str) -> tuple[dict[str, Any], list[_Chat]]:
    """The demo export's head (without chats) and its chats as message templates."""
    with DEMO_EXPORT.open(encoding="utf-8") as handle:  # 4 MB: the only whole JSON we load
        demo = json.load(handle)
    head = {k: v for k, v in demo.items() if k != "chats"}
    chats: list[_Chat] = []
    for chat in demo["chats"]["list"]:
        meta = {k: v for k, v in chat.items() if k != "messages"}
        templates = [_template(m, indent) for m in chat["messages"]]
        chats.append(_Chat(meta, templates, max(t.id for t in templates)))
    total = sum(len(t.text) for c in chats for t in c.templates)
    for chat in chats:
        chat.share = sum(len(t.text) for t in chat.templates) / total
    return head, chats


def _local(unix: int) -> str:
    """Telegram's ``date``: the exporting PC's local time (Kyiv here), no offset."""
    return datetime.fromtimestamp(unix, KYIV).strftime("%Y-%m-%dT%H:%M:%S")


def _messages(chat: _Chat, budget_bytes: int, gap_s: float, rng: random.Random) -> Iterator[str]:
    """Serialised copies of the chat's templates, cycling, until ``budget_bytes`` are out.

    Copy ``k`` of template ``id`` gets id ``k * max_id + id`` (unique, increasing; a
    reply points into the same copy), and dates advance by random gaps of mean ``gap_s``.
    Copy 0 keeps the demo text; copy ``k`` appends ``_tail(k, id)``, distinct per ``k``.
    """
    written, cycle = 0, 0
    now = START.timestamp()
    while written < budget_bytes:
        base = cycle * chat.max_id
        for tpl in chat.templates:
            if cycle and tpl.once:
                continue
            now += rng.expovariate(1.0 / gap_s)
            unix = int(now)
            text = (
                tpl.text.replace(_ID, str(base + tpl.id), 1)
                .replace(_TAIL, _tail(cycle, tpl.id))
                .replace(_DATE, _local(unix), 1)
                .replace(_UNIX, str(unix), 1)
            )
            if tpl.reply_to is not None:
                text = text.replace(_REPLY, str(base + tpl.reply_to), 1)
            if tpl.edit_delay is not None:
                edited = unix + tpl.edit_delay
                text = text.replace(_EDATE, _local(edited), 1).replace(_EUNIX, str(edited), 1)
            written += len(text.encode("utf-8")) + 2
            yield text
            if written >= budget_bytes:
                return
        cycle += 1


def _tail(cycle: int, template_id: int) -> str:
    """The closing line of copy ``cycle`` of a template: none on the first copy, then one
    of TAILS that differs for every copy of the same template (7919 is prime to their count)."""
    if cycle == 0:
        return ""
    if cycle >= len(TAILS):
        raise ValueError(f"more than {len(TAILS):,} copies of a demo text would repeat a text")
    return "\\n" + TAILS[(cycle * 7919 + template_id) % len(TAILS)]


def untailed(text: str) -> str:
    """The demo text a generated text was made from (its closing line removed, a shared
    venue's name after it kept): what the replay stub looks up."""
    head, sep, last = text.rpartition("\n")
    if sep and last in TAIL_SET:
        return head
    inner, sep2, middle = head.rpartition("\n")
    if sep and sep2 and middle in TAIL_SET:
        return f"{inner}\n{last}"
    return text


def _write_list(out: TextIO, items: Iterator[str], closing_indent: str) -> int:
    """Write a JSON list body from serialised items, flushing in ~1 MB pieces."""
    count, buf, size = 0, [], 0
    for item in items:
        if count:
            buf.append(",\n")
        buf.append(item)
        size += len(item)
        count += 1
        if size >= FLUSH_CHARS:
            out.write("".join(buf))
            buf, size = [], 0
    out.write("".join(buf))
    out.write("\n" + closing_indent + "]")
    return count


def generate_export(path: Path, mb: float, *, layout: str = "account", seed: int = 7) -> Generated:
    """Write a Telegram Desktop export of about ``mb`` megabytes to ``path``, streaming.

    ``layout`` "account" is the demo's whole-account export (every chat under
    ``chats.list``); "chat" is the export of one chat (its messages at the top level),
    made of the same messages (both demo chats' templates, in turn).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    target = int(mb * 1_000_000)
    indent = "     " if layout == "account" else "  "
    head, chats = _demo_chats(indent)
    avg = sum(len(t.text.encode("utf-8")) for c in chats for t in c.templates) / sum(len(c.templates) for c in chats)
    gap_s = SPAN_DAYS * 86400 / max(1.0, target / avg)
    out_info = Generated(path, layout)
    with path.open("w", encoding="utf-8") as out:
        if layout == "account":
            body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # without the closing "\n}"
            out.write(body + ',\n "chats": {\n  "about": "This page lists all chats from this export.",\n  "list": [\n')
            for n, chat in enumerate(chats):
                meta = json.dumps(chat.meta, ensure_ascii=False, indent=1)[:-2].replace("\n", "\n   ")
                out.write(("" if n == 0 else ",\n") + "   " + meta + ',\n    "messages": [\n')
                budget = int(target * chat.share)
                out_info.entries += _write_list(out, _messages(chat, budget, gap_s / chat.share, rng), "    ")
                out.write("\n   }")
            out.write("\n  ]\n }\n}\n")
        else:
            merged = _Chat(chats[0].meta, [t for c in chats for t in c.templates], 0)
            # ids must stay unique when both chats' templates share one chat: offset the second
            offset = chats[0].max_id
            for t in chats[1].templates:
                t.id += offset
                t.reply_to = t.reply_to + offset if t.reply_to is not None else None
            merged.max_id = offset + chats[1].max_id
            meta = json.dumps(chats[0].meta, ensure_ascii=False, indent=1)[:-2]
            out.write(meta + ',\n "messages": [\n')
            out_info.entries += _write_list(out, _messages(merged, target, gap_s, rng), " ")
            out.write("\n}\n")
    out_info.bytes = path.stat().st_size
    out_info.seconds = time.perf_counter() - started
    return out_info


def reused_or_generated(path: Path, mb: float, *, layout: str = "account") -> Generated:
    """The export at ``path`` when an earlier run wrote it with the same size and layout
    (its ``.meta`` file says so: a 1M export takes minutes to write), else a new one."""
    meta = path.with_name(path.name + ".meta")
    wanted = {"mb": round(mb, 6), "layout": layout}
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text(encoding="utf-8"))
        if {k: info.get(k) for k in wanted} == wanted and info.get("bytes") == path.stat().st_size:
            return Generated(path, layout, info["bytes"], info["entries"], 0.0, reused=True)
    meta.unlink(missing_ok=True)
    made = generate_export(path, mb, layout=layout)
    meta.write_text(json.dumps(wanted | {"bytes": made.bytes, "entries": made.entries}), encoding="utf-8")
    return made


# --- the stages (each runs in its own child process) -------------------------------


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _warm_up() -> float:
    """Load the gazetteer index, morphology, redaction lists and the classifier once,
    so that the timed part measures messages, not start-up."""
    started = time.perf_counter()
    from data.text.classify import classify_many
    from data.text.redact import redact
    from geo.geocoder import geocode

    text = "Біля буд. 5 на вул. Миру машини на газоні, Іван Петренко, тел. 0501234567"
    match = geocode(text)
    redact(text, keep_spans=[match.span] if match.span else [])
    classify_many([text])
    return time.perf_counter() - started


def _replay_table() -> dict[tuple[str, Any], Any]:
    """The real geocoder's answer for every (text, location) the demo export holds.

    The generated export repeats the demo's texts verbatim, so this answers every call
    the importer makes; a miss (none expected) falls back to "no place" and is counted.
    """
    from data.intake import parse_file
    from data.records import RawMessage
    from geo.geocoder import geocode

    table: dict[tuple[str, Any], Any] = {}
    for item in parse_file(DEMO_EXPORT).items:
        if isinstance(item, RawMessage):
            text = item.text if not item.venue_text else f"{item.text}\n{item.venue_text}"
            key = (text, item.location)
            if key not in table:
                table[key] = geocode(text, location=item.location)
    return table


class _SharedCounts:
    """The stub's hit counters in shared memory: the import's forked workers, which make
    the calls in the pool stage, add to the same two numbers the parent reads."""

    def __init__(self) -> None:
        import multiprocessing

        self._values = multiprocessing.get_context("fork").Array("q", 3)
        self._parent = os.getpid()

    def add(self, miss: bool) -> None:
        with self._values.get_lock():
            self._values[0] += 1
            self._values[1] += int(miss)
            self._values[2] += int(os.getpid() != self._parent)

    def as_dict(self) -> dict[str, int]:
        return {"calls": self._values[0], "misses": self._values[1], "in_workers": self._values[2]}


class _LocalCounts:
    """The stub's hit counters when every call is made in this process."""

    def __init__(self) -> None:
        self.calls = self.misses = 0

    def add(self, miss: bool) -> None:
        self.calls += 1
        self.misses += int(miss)

    def as_dict(self) -> dict[str, int]:
        return {"calls": self.calls, "misses": self.misses}


def _install_stub(kind: str, *, shared: bool = False) -> _SharedCounts | _LocalCounts:
    """Replace ``services.importer.geocode`` by a near-free stub; returns its hit counters
    (``shared``: counted across the import's forked workers too, which inherit the stub).
    The answers are shared, not copied (the importer only reads them): the stub's own
    cost is no part of the pipeline's."""
    import services.importer as importer
    from geo.gazetteer import Gazetteer
    from geo.geocoder import Match

    counts = _SharedCounts() if shared else _LocalCounts()
    table = _replay_table() if kind == "replay" else {}
    fixed = Match(lat=47.566, lon=31.33, level="street", score=0.5, uncertainty_m=300.0, street="stub")

    def stub(text: str, *, location: tuple[float, float] | None = None, gazetteer: Gazetteer | None = None) -> Match:
        if kind == "point":
            counts.add(False)
            return fixed
        found = table.get((untailed(text), location)) if kind == "replay" else None
        counts.add(kind == "replay" and found is None)
        if found is not None:
            return found
        if location is not None:  # what geocode does with a shared location
            return Match(lat=location[0], lon=location[1], level="address", score=1.0, uncertainty_m=25.0)
        return Match()

    importer.geocode = stub  # type: ignore[assignment]
    return counts


def _module_of(filename: str) -> str:
    """A profile entry's file as a dotted module (repo code) or a short library path."""
    if filename.startswith("~") or filename.startswith("<"):
        return "(builtin)"
    path = Path(filename)
    try:
        rel = path.resolve().relative_to(ROOT)
        return ".".join(rel.with_suffix("").parts)
    except ValueError:
        parts = path.parts
        for marker in ("site-packages", "dist-packages"):
            if marker in parts:
                return ".".join(Path(*parts[parts.index(marker) + 1 :]).with_suffix("").parts)
        return "stdlib:" + path.stem


def _top_functions(profile: cProfile.Profile, n: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profile)
    rows = []
    entries = stats.stats.items()  # type: ignore[attr-defined]
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in entries:
        rows.append(
            {
                "module": _module_of(filename),
                "function": func if filename.startswith("~") else f"{func}:{line}",
                "calls": calls,
                "tottime": tottime,
                "cumtime": cumtime,
            }
        )
    rows.sort(key=lambda r: r["tottime"], reverse=True)
    return rows[:n]


def run_stage(stage: str, file: Path, workdir: Path, stub: str = "replay") -> dict[str, Any]:
    """One measurement in this process; the parent reads the returned dict as JSON."""
    os.environ["HOTSPOTS_SALT_FILE"] = str(workdir / "salt.key")  # never the operator's var/
    baseline = _peak_rss_mb()
    # parsing needs no models: without the warm-up its RSS is the parser's own
    warm = _warm_up() if stage != "parse" else 0.0
    out: dict[str, Any] = {"stage": stage, "warm_up_s": warm, "rss_warm_mb": _peak_rss_mb()}
    if stage == "parse":
        from data.intake import parse_file
        from data.records import RawMessage

        started, cpu = time.perf_counter(), time.process_time()
        parsed = parse_file(file)
        raws = sum(1 for item in parsed.items if isinstance(item, RawMessage))
        out["seconds"] = time.perf_counter() - started
        out["cpu_seconds"] = time.process_time() - cpu
        out["read"] = parsed.stats["read"]
        out["raw_messages"] = raws
        out["stats"] = dict(parsed.stats)
    else:
        from data.store.db import open_store
        from services.import_workers import available_workers
        from services.importer import import_file

        counts: _SharedCounts | _LocalCounts = _LocalCounts()
        if stage == "rest":  # one process: no pickling to workers, the CPU of the steps themselves
            os.environ["HOTSPOTS_IMPORT_WORKERS"] = "1"
            out["stub"] = stub
            counts = _install_stub(stub) if stub != "real" else counts
        if stage == "rest_pool":  # as the real import: the worker pool places and redacts; they fork
            out["stub"] = stub  # inside import_file, after the stub is set, so they call it too
            counts = _install_stub(stub, shared=True) if stub != "real" else counts
        if stage == "profile":  # serial: a profile of the parent alone would show it waiting for workers
            os.environ["HOTSPOTS_IMPORT_WORKERS"] = "1"
            if stub != "real":
                out["stub"] = stub
                counts = _install_stub(stub)
        engine = open_store(f"sqlite:///{fresh_store(workdir, stage)}")
        profile = cProfile.Profile() if stage == "profile" else None
        started, cpu, own = time.perf_counter(), _cpu_with_workers(), _own_cpu()
        seen = {"read": 0, "seconds": 0.0, "cpu_seconds": 0.0, "own_cpu_seconds": 0.0}

        def progress(done: int, total: int | None) -> None:
            if total is None:  # after each chunk: where the time goes before the batch-wide steps
                seen.update(
                    read=done,
                    seconds=time.perf_counter() - started,
                    cpu_seconds=_cpu_with_workers() - cpu,
                    own_cpu_seconds=_own_cpu() - own,
                )

        if profile:
            profile.enable()
        try:
            summary = import_file(file, engine, progress=progress)
        except Exception as exc:  # noqa: BLE001 - a failed import is a finding, not a crash of the bench
            summary = None
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            out["error"] = f"{type(exc).__name__}: {first[:300]}"
        if profile:
            profile.disable()
        out["seconds"] = time.perf_counter() - started
        out["cpu_seconds"] = _cpu_with_workers() - cpu  # the pool has ended: its workers' CPU is counted
        out["own_cpu_seconds"] = _own_cpu() - own  # the importing process alone: the pool's serial share
        out["workers"] = available_workers()
        out["chunks"] = dict(seen)  # per-chunk work (parse .. insert) up to the last chunk
        out["batch_steps_seconds"] = out["seconds"] - seen["seconds"]  # dedupe, side records, commit
        out["batch_steps_cpu_seconds"] = out["cpu_seconds"] - seen["cpu_seconds"]
        if summary is not None:
            out["read"] = summary.read
            out["summary"] = summary.as_dict()
        else:  # rate over the chunks that were done before the failure
            out["read"] = seen["read"]
            out["seconds"], out["cpu_seconds"] = seen["seconds"], seen["cpu_seconds"]
        if stage in {"rest", "rest_pool"} or (stage == "profile" and stub != "real"):
            out["stub_calls"] = counts.as_dict()
        if profile:
            out["top"] = _top_functions(profile, PROFILE_TOP)
        engine.dispose()
    out["rate"] = out["read"] / out["seconds"] if out["seconds"] else 0.0
    out["cpu_rate"] = out["read"] / out["cpu_seconds"] if out["cpu_seconds"] else 0.0
    out["rss_start_mb"] = baseline
    out["rss_peak_mb"] = _peak_rss_mb()
    return out


def fresh_store(workdir: Path, stage: str) -> Path:
    """The stage's SQLite file, removed first: a re-run in the same --workdir would
    otherwise find the export already imported and measure nothing."""
    path = workdir / f"store-{stage}.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _own_cpu() -> float:
    """CPU seconds of this process alone (not its worker processes)."""
    t = os.times()
    return t.user + t.system


def _cpu_with_workers() -> float:
    """CPU seconds of this process and of its ended children (the import's worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _child(stage: str, file: Path, workdir: Path, stub: str) -> dict[str, Any]:
    """Run a stage in a fresh interpreter: its ru_maxrss is that stage's alone. Meanwhile the
    memory of its whole process tree (the import and its worker processes) is sampled as
    PSS, which counts each shared page once, so ``tree_peak_mb`` is the import's real peak."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        stage,
        "--file",
        str(file),
        "--workdir",
        str(workdir),
        "--stub",
        stub,
    ]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_pss_mb(proc.pid))
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :]) | {"tree_peak_mb": peak}
    raise RuntimeError(f"stage {stage} failed (exit {proc.returncode}):\n{stderr[-4000:]}")


def _tree_pss_mb(pid: int) -> float:
    """PSS of a process and its children (Linux /proc; 0 where it cannot be read)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


# --- hostile files: every bound holds, whatever the file -----------------------------

HOSTILE_RSS_MB = 1024.0  # the bound: an import stays under 1 GB, workers included


def _hostile_files(folder: Path, scale: float) -> list[tuple[str, Path]]:
    """Files built to hurt: the cases of issue 16 that once cost gigabytes or minutes.

    ``scale`` 1.0 is the issue's sizes (a 2.5 MB deeply nested export, a 150 MB cell,
    a million identical rows); --quick uses a small fraction.
    """
    import zipfile

    import openpyxl

    files: list[tuple[str, Path]] = []
    depth = int(250_000 * scale) + 100
    deep = folder / "deep.json"  # ~10 bytes a level: 2.5 MB at scale 1
    with deep.open("w", encoding="utf-8") as out:
        out.write(
            '{"name":"c","type":"public_supergroup","id":1,"messages":[{"id":1,"type":"message",'
            '"date_unixtime":"1714550400","text":['
        )
        out.write('{"text":[' * depth + '"x"' + "]}" * depth)
        out.write("]}]}")
    files.append((f"Telegram JSON nested {depth:,} deep", deep))

    plain, cell = folder / "plain.xlsx", folder / "cell.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Дата", "Опис"])
    book.active.append(["01.03.2024", "MARKER"])
    book.save(plain)
    size = int(150 * (1 << 20) * scale) + 1000
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(cell, "w", zipfile.ZIP_DEFLATED) as forged:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"MARKER", b"x" * size)
            forged.writestr(member, data)
    files.append((f"XLSX with one {size / (1 << 20):,.0f} MB cell", cell))

    rows = int(1_000_000 * scale) + 100
    same = folder / "same-rows.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Дата", "Опис", "Адреса"])
    for _ in range(rows):
        sheet.append(["01.03.2024", "Сміття біля ринку вже тиждень", "вул. Соборності 5"])
    book.save(same)
    files.append((f"XLSX of {rows:,} identical rows", same))

    wide = folder / "long-line.csv"  # one CSV cell far over the bound
    with wide.open("w", encoding="utf-8") as out:
        out.write("Дата;Опис\n01.03.2024;")
        for _ in range(int(200 * scale) + 1):
            out.write("я" * (1 << 19))
        out.write("\n")
    files.append((f"CSV with a {wide.stat().st_size / 1e6:,.0f} MB cell", wide))

    cut = folder / "truncated.json"
    generate_export(cut, max(1.0, 50 * scale), layout="chat")
    with cut.open("r+b") as handle:
        handle.truncate(cut.stat().st_size * 2 // 3)
    files.append((f"truncated Telegram export ({cut.stat().st_size / 1e6:,.0f} MB)", cut))
    return files


def run_hostile(file: Path, workdir: Path) -> dict[str, Any]:
    """Import one hostile file in this (child) process: outcome, time, peak memory."""
    os.environ["HOTSPOTS_SALT_FILE"] = str(workdir / "salt.key")
    from data import intake
    from data.store.db import open_store
    from services.importer import import_file

    engine = open_store(f"sqlite:///{fresh_store(workdir, file.stem)}")
    started = time.perf_counter()
    out: dict[str, Any] = {}
    try:
        summary = import_file(file, engine)
        out["outcome"] = f"failed: {summary.problems[0]}" if summary.problems else "imported"
        out["summary"] = summary.as_dict()
    except intake.UnreadableFile as exc:
        out["outcome"] = f"refused: {exc.problem}"
    out["seconds"] = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["rss_peak_mb"] = max(_peak_rss_mb(), children)
    engine.dispose()
    return out


def _print_hostile(rows: list[tuple[str, dict[str, Any]]]) -> None:
    print(f"\nhostile files (bound: peak RSS < {HOSTILE_RSS_MB:,.0f} MB per import, its workers included)")
    print(f"{'file':44s} {'wall s':>7s} {'peak RSS MB':>11s} {'RSS ratio':>9s} {'identity':>8s}  outcome")
    for title, st in rows:
        s = st.get("summary")
        identity = "-" if s is None else ("ok" if _counts_ok(s) else "MISMATCH")
        print(
            f"{title:44s} {st['seconds']:7.1f} {st['rss_peak_mb']:11.0f} "
            f"{st['rss_peak_mb'] / HOSTILE_RSS_MB:9.2f} {identity:>8s}  {st['outcome'][:110]}"
        )
        if s is not None:
            print(
                f"{'':44s} read {s['read']:,} = imported {s['imported']:,} + duplicates {s['duplicates']:,} + "
                f"quarantined {s['quarantined']:,} + already imported {s['already_imported']:,}"
            )
    print(
        "RSS ratio = peak / 1,024 MB (< 1 meets it); 'refused' and 'failed' are the bounds working: the CLI "
        "exits non-zero for such a file, with the reason"
    )


def _hostile_stage(workdir: Path, scale: float) -> list[tuple[str, dict[str, Any]]]:
    folder = workdir / "hostile"
    folder.mkdir(exist_ok=True)
    rows = []
    for title, path in _hostile_files(folder, scale):
        rows.append((title, _child("hostile", path, workdir, "replay")))
        print(f"  hostile: {title}: {rows[-1][1]['outcome'][:80]}", flush=True)
        path.unlink()
    return rows


# --- the report ----------------------------------------------------------------------


@dataclass
class BenchResult:
    """Everything one run measured (the test checks the counts in it)."""

    generated: Generated
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    generated_chat: Generated | None = None
    hostile: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _counts_ok(summary: dict[str, Any]) -> bool:
    s = summary
    return s["read"] == s["imported"] + s["duplicates"] + s["quarantined"] + s["already_imported"]


def _print_report(res: BenchResult) -> None:
    g = res.generated
    print(
        f"\nexport: {g.path.name}, {g.layout} layout, {g.bytes / 1e6:.1f} MB, {g.entries:,} entries "
        f"(written in {g.seconds:.1f} s, {g.bytes / 1e6 / max(g.seconds, 1e-9):.0f} MB/s)"
    )
    print(
        f"CPU: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end "
        "(other processes on the machine slow every number here)"
    )
    rows = [
        ("(a) end to end, import_file", "e2e", TARGETS["end_to_end"]),
        ("(b) rest without geocoding", "rest", TARGETS["no_geocode"]),
        ("(b') the same, worker pool", "rest_pool", TARGETS["no_geocode"]),
        ("(c) parse only", "parse", None),
        ("(c') parse only, single-chat layout", "parse_chat", None),
    ]
    print(
        f"\n{'stage':36s} {'records':>9s} {'wall s':>7s} {'msg/s':>7s} {'CPU s':>7s} {'msg/CPU-s':>9s} "
        f"{'target':>7s} {'ratio':>11s} {'peak RSS MB':>11s} {'RSS ratio':>9s} {'warm-up s':>9s} "
        f"{'workers':>7s} {'tree PSS MB':>11s}"
    )
    for title, key, target in rows:
        st = res.stages.get(key)
        if st is None:
            continue
        ratio = f"{st['rate'] / target:5.2f}/{st['cpu_rate'] / target:<5.2f}" if target else f"{'-':>11s}"
        target_s = f"{target:7,.0f}" if target else f"{'-':>7s}"
        rss_ratio = st["rss_peak_mb"] / TARGETS["rss_mb"]
        print(
            f"{title:36s} {st['read']:9,d} {st['seconds']:7.1f} {st['rate']:7,.0f} {st['cpu_seconds']:7.1f} "
            f"{st['cpu_rate']:9,.0f} {target_s} {ratio} {st['rss_peak_mb']:11.0f} {rss_ratio:9.2f} "
            f"{st['warm_up_s']:9.1f} {st.get('workers', 1):7d} {st.get('tree_peak_mb', 0):11.0f}"
        )
        if "error" in st:
            print(f"    FAILED after {st['read']:,} records (rates above: the chunks done before it): {st['error']}")
        elif "chunks" in st and key == "rest_pool":
            own, chunks_own = st["own_cpu_seconds"], st["chunks"]["own_cpu_seconds"]
            floor = max(own, st["cpu_seconds"] / max(1, st["workers"]))
            print(
                f"    of which the per-chunk steps {st['chunks']['seconds']:.1f} s wall, then the batch-wide steps "
                f"{st['batch_steps_seconds']:.1f} s wall; the importing process's own CPU {own:.1f} s (per-chunk "
                f"{chunks_own:.1f} s, batch-wide {own - chunks_own:.1f} s), its workers' {st['cpu_seconds'] - own:.1f} s: "
                f"on {st['workers']} free cores the wall cannot go below {floor:.1f} s ({st['read'] / floor:,.0f} "
                f"msg/s; wall msg/s above is what this run's load allowed); stub calls {st['stub_calls']['calls']:,} "
                f"({st['stub_calls']['in_workers']:,} in the workers), misses {st['stub_calls']['misses']:,}"
            )
        elif "chunks" in st:
            print(
                f"    of which the per-chunk steps {st['chunks']['seconds']:.1f} s wall / "
                f"{st['chunks']['cpu_seconds']:.1f} s CPU, then the batch-wide steps (dedupe, side records, "
                f"commit) {st['batch_steps_seconds']:.1f} s wall / {st.get('batch_steps_cpu_seconds', 0):.1f} s CPU"
            )
    print(
        "ratio = measured / target, wall/CPU (>= 1 meets it). msg/CPU-s is the rate per CPU-second (the import's "
        "own CPU time and its worker processes'), which a shared machine does not distort; wall msg/s is what the "
        "operator waits, with the worker pool (HOTSPOTS_IMPORT_WORKERS, default: the cores)."
    )
    print(
        "tree PSS MB = the peak memory of the import and its workers together (PSS, sampled every 0.2 s; "
        "target < 1,024 MB)."
    )
    first = res.stages.get("e2e") or next(iter(res.stages.values()))
    print(
        f"RSS ratio = peak / {TARGETS['rss_mb']:.0f} MB (<= 1 meets it); the peak includes the interpreter and, "
        f"except for parsing, the models and gazetteer: {first['rss_start_mb']:.0f} MB at the "
        f"child's start, {first['rss_warm_mb']:.0f} MB after the warm-up, before the first message"
    )
    e2e, rest = res.stages.get("e2e"), res.stages.get("rest")
    if e2e and e2e["rate"] and e2e["cpu_rate"]:
        wall_1m = DEFAULT_MESSAGES / e2e["rate"]
        cpu_1m = DEFAULT_MESSAGES / e2e["cpu_rate"]
        workers = max(1, int(e2e.get("workers", 1)))
        print(
            f"1,000,000 records end to end: {wall_1m:,.0f} s wall at this run's wall rate (target < "
            f"{TARGETS['wall_1m_s']:.0f} s, stretch 300 s: ratio {TARGETS['wall_1m_s'] / wall_1m:.2f}"
            f"{'' if e2e['read'] >= DEFAULT_MESSAGES else ', extrapolated from ' + format(e2e['read'], ',') + ' records'}); "
            f"{cpu_1m:,.0f} CPU-s, i.e. {cpu_1m / workers:,.0f} s on {workers} free cores; "
            f"tree PSS peak {e2e.get('tree_peak_mb', 0):,.0f} MB (target < {TARGETS['tree_mb']:,.0f} MB)"
        )
    if e2e and rest and e2e["cpu_rate"] and rest["cpu_rate"]:
        per_msg = 1 / e2e["cpu_rate"] - 1 / rest["cpu_rate"]
        print(
            f"geocoding share: {per_msg * 1e3:.3f} CPU ms per record "
            f"({per_msg * e2e['cpu_rate']:.0%} of the end-to-end CPU time); stub '{rest.get('stub')}', "
            f"calls {rest['stub_calls']['calls']:,}, misses {rest['stub_calls']['misses']:,}"
        )
    for key in ("e2e", "rest", "rest_pool"):
        st = res.stages.get(key)
        if st and "summary" in st:
            s = st["summary"]
            print(
                f"  {key:5s} read {s['read']:,} = imported {s['imported']:,} + duplicates {s['duplicates']:,} + "
                f"quarantined {s['quarantined']:,} (not located {s['not_located']:,}) + already imported "
                f"{s['already_imported']:,}: {'ok' if _counts_ok(s) else 'MISMATCH'}"
            )
    if res.profile:
        p = res.profile
        print(
            f"\ncProfile of import_file on a {p['mb']:.0f} MB export ({p['read']:,} records, {p['seconds']:.1f} s "
            f"wall, {p['cpu_seconds']:.1f} s CPU under the profiler, serial, geocoder: {p['stub']}): "
            f"top {PROFILE_TOP} by own time" + (f" (FAILED: {p['error']})" if "error" in p else "")
        )
        print(f"{'tottime s':>9s} {'cumtime s':>9s} {'calls':>10s}  module : function")
        for row in p["top"]:
            print(
                f"{row['tottime']:9.2f} {row['cumtime']:9.2f} {row['calls']:10,d}  {row['module']} : {row['function']}"
            )


def run(argv: Sequence[str] | None = None) -> BenchResult:
    """Generate, measure, print; returns the numbers (the test calls this)."""
    args = _parser().parse_args(argv)
    messages = args.messages if args.messages is not None else (None if args.mb or args.quick else DEFAULT_MESSAGES)
    mb = messages * BYTES_PER_RECORD / 1e6 if messages else (args.mb if args.mb is not None else QUICK_MB)
    profile_mb = (
        0.0
        if args.no_profile
        else (args.profile_mb if args.profile_mb is not None else (0.0 if args.quick else PROFILE_MB))
    )
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-intake-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.hostile_only:
            res = BenchResult(Generated(workdir / "-", "none"))
            res.hostile = _hostile_stage(workdir, args.hostile_scale)
            _print_hostile(res.hostile)
            return res
        export = workdir / "result.json"
        res = BenchResult(reused_or_generated(export, mb))
        verb = "reused" if res.generated.reused else "wrote"
        print(f"{verb} {export} ({res.generated.bytes / 1e6:.1f} MB) in {res.generated.seconds:.1f} s", flush=True)
        for stage in args.stages.split(","):
            res.stages[stage] = _child(stage, export, workdir, args.stub)
            st = res.stages[stage]
            print(f"  {stage}: {st['read']:,} records in {st['seconds']:.1f} s", flush=True)
        if not args.quick and "parse" in args.stages:
            chat_export = workdir / "result-chat.json"
            res.generated_chat = generate_export(chat_export, mb, layout="chat")
            res.stages["parse_chat"] = _child("parse", chat_export, workdir, args.stub)
            chat_export.unlink()
        if profile_mb:
            small = workdir / "result-profile.json"
            reused_or_generated(small, profile_mb)
            stub = args.stub if args.profile_stub else "real"
            res.profile = _child("profile", small, workdir, stub) | {"mb": profile_mb, "stub": stub}
        if not args.no_hostile:
            res.hostile = _hostile_stage(workdir, args.hostile_scale if not args.quick else QUICK_HOSTILE_SCALE)
        _print_report(res)
        if res.hostile:
            _print_hostile(res.hostile)
        return res
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--messages",
        type=int,
        default=None,
        help=f"records in the export (default {DEFAULT_MESSAGES:,}; about {BYTES_PER_RECORD} bytes each)",
    )
    ap.add_argument(
        "--mb", type=float, default=None, help=f"export size in MB instead of --messages ({QUICK_MB:.0f} with --quick)"
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: small export, no profile, no single-chat parse")
    ap.add_argument(
        "--stub",
        choices=("replay", "none", "point", "real"),
        default="replay",
        help="geocoder stub of stage (b): replay the real answers (default), no place, a fixed point; "
        "real: no stub (the real geocoder, serial)",
    )
    ap.add_argument(
        "--profile-mb", type=float, default=None, help=f"size of the profiled export (default {PROFILE_MB:.0f})"
    )
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument(
        "--profile-stub",
        action="store_true",
        help="profile with the geocoder stub of --stub (everything except geocoding) instead of the real one",
    )
    ap.add_argument(
        "--stages",
        default="e2e,rest,rest_pool,parse",
        help="comma-separated stages to measure (default e2e,rest,rest_pool,parse; a 1M run: e2e,rest,rest_pool)",
    )
    ap.add_argument("--no-hostile", action="store_true", help="skip the hostile-file rows")
    ap.add_argument("--hostile-only", action="store_true", help="only the hostile-file rows")
    ap.add_argument(
        "--hostile-scale",
        type=float,
        default=1.0,
        help="size of the hostile files, 1.0 = the issue's (a 150 MB cell, a million rows)",
    )
    ap.add_argument("--workdir", help="where the export and stores go (default: a temp dir, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument(
        "--stage", choices=("e2e", "rest", "rest_pool", "parse", "profile", "hostile"), help=argparse.SUPPRESS
    )
    ap.add_argument("--file", help=argparse.SUPPRESS)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.stage:  # a child process: one stage, result as one JSON line
        if args.stage == "hostile":
            result = run_hostile(Path(args.file), Path(args.workdir))
        else:
            result = run_stage(args.stage, Path(args.file), Path(args.workdir), args.stub)
        print(RESULT_MARK + json.dumps(result, default=str), flush=True)
        return 0
    res = run(argv)
    bad = [
        k
        for k, st in [*res.stages.items(), *res.hostile]
        if "error" in st
        or ("summary" in st and not _counts_ok(st["summary"]))
        or st.get("rss_peak_mb", 0) > HOSTILE_RSS_MB
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
