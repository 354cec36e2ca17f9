"""Fixed text sets for the geocoder benches (bench/geocode_equal.py, bench/geocode.py --rate).

Why: a speed-up of the geocoder is only done when every answer stays the same, and a rate
only means something on the texts the import really sees. The sets, each with the
gazetteer it is read against:

- ``intake``: the texts the importer geocodes for bench/intake.py's generated Telegram
  export (demo texts, later copies with a distinct closing line, venues appended as the
  importer does), in export order; distinct, so no memo makes a repeat count;
- ``demo``: every message of data/demo/sources (Telegram, Facebook, hotline, minutes);
- ``eval``: tests/data/geocode_eval.csv, on the demo and on the mini gazetteer;
- ``tests``: every string literal of the geocoder tests, on the demo and mini gazetteers
  (they exercise the odd cases: typos, corners, Latin, homonyms);
- ``helsinki``: the Helsinki eval set and the tests' strings on the gazetteer built from
  the real Helsinki extract (ODbL, tests/data/helsinki), when that extract is present.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.gazetteer import Gazetteer  # noqa: E402

TESTS = ROOT / "tests"
HELSINKI_OSM = TESTS / "data" / "helsinki" / "Helsinki.osm.pbf"
TEST_FILES = ("test_geocoder.py", "test_geocoder_realosm.py", "test_places.py", "test_redact.py")
INTAKE_MB = 8.0  # ~10,000 distinct records of the generated export

Item = tuple[str, tuple[float, float] | None]  # (text, shared location)


def bench_module(name: str) -> ModuleType:
    """Another bench script as a module, loaded from its file: bench/ never goes on
    sys.path, where its scripts (bench/auth.py) would shadow the packages of the same name."""
    key = f"_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up while it executes
        spec.loader.exec_module(module)
    return sys.modules[key]


def _message_text(item) -> str:
    return item.text if not item.venue_text else f"{item.text}\n{item.venue_text}"


def intake_texts(mb: float = INTAKE_MB) -> list[Item]:
    """The (text, location) pairs the importer geocodes for bench/intake.py's export of
    ``mb`` megabytes, in order; each pair once."""
    generate_export = bench_module("intake").generate_export

    from data.intake import parse_file
    from data.records import RawMessage

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        generate_export(path, mb)
        items = [(_message_text(i), i.location) for i in parse_file(path).items if isinstance(i, RawMessage)]
    return list(dict.fromkeys(items))


def demo_texts() -> list[Item]:
    """Every message of data/demo/sources as the importer geocodes it."""
    from data.intake import parse_file
    from data.records import RawMessage

    out: list[Item] = []
    sources = ROOT / "data" / "demo" / "sources"
    for path in sorted(p for p in sources.rglob("*") if p.is_file() and "surveys" not in p.parts):
        out.extend((_message_text(i), i.location) for i in parse_file(path).items if isinstance(i, RawMessage))
    return list(dict.fromkeys(out))


def eval_texts(name: str = "geocode_eval.csv") -> list[Item]:
    with open(TESTS / "data" / name, encoding="utf-8", newline="") as fh:
        return list(dict.fromkeys((row["text"], None) for row in csv.DictReader(fh)))


def test_strings() -> list[Item]:
    """String literals of the geocoder tests that read like messages (letters, a space)."""
    out: list[str] = []
    for name in TEST_FILES:
        tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if " " in text and any(ch.isalpha() for ch in text) and len(text) < 400:
                    out.append(text)
    return [(t, None) for t in dict.fromkeys(out)]


@cache
def mini_gazetteer() -> Gazetteer:
    return Gazetteer.from_dict(json.loads((TESTS / "data" / "mini_gazetteer.json").read_text(encoding="utf-8")))


@cache
def helsinki_gazetteer() -> Gazetteer | None:
    if not HELSINKI_OSM.exists():
        return None
    from geo.osm import build_gazetteer

    return Gazetteer.from_dict(build_gazetteer(HELSINKI_OSM))


def text_sets(*, helsinki: bool = True, intake_mb: float = INTAKE_MB) -> Iterator[tuple[str, Gazetteer, list[Item]]]:
    """(set name, gazetteer, items) for every set in the module docstring."""
    from geo.gazetteer import load_gazetteer

    demo = load_gazetteer()
    strings = test_strings()
    yield "intake", demo, intake_texts(intake_mb)
    yield "demo", demo, demo_texts()
    yield "eval", demo, eval_texts()
    yield "tests", demo, strings
    yield "eval@mini", mini_gazetteer(), eval_texts()
    yield "tests@mini", mini_gazetteer(), strings
    hel = helsinki_gazetteer() if helsinki else None
    if hel is not None:
        yield "helsinki", hel, eval_texts("geocode_eval_helsinki.csv") + strings
