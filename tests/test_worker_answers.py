"""A message's answers from the import workers' per-message steps stay exactly those recorded
before their speed-ups (issue 25): on every demo source message (~9,900 real-shaped texts),
the geocoder's whole answer, the redacted text with its counts and the category decision;
on the small odd-case sets, the geocoder's answer.

The geocoder digests are bench/geocode_answers.json's entries (bench/geocode_equal.py
names each changed text); the redaction and classification digests below were recorded on
base cfa0ae3 with this module's functions. An intended change of an answer records new
digests (and says why in its commit)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from data.text.classify import classify_many
from data.text.redact import place_index, redact
from geo.gazetteer import load_gazetteer
from geo.geocoding import geocode

ROOT = Path(__file__).resolve().parents[1]
REDACTION_SHA256 = "e1de76481e9a669b7719f2c9178a8fc59d8f4f3a0d5d53209456488fdcf201e5"
CLASSIFICATION_SHA256 = "1c447b896eaa4bf57c5aecde65780dec92b07bc45bca41fb60f97d8eae8c4afa"


def _bench(name: str):  # noqa: ANN202 (a bench script as a module)
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_answers() -> dict[str, list[str]]:
    """Each demo message's answers as canonical JSON lines, composed as the importer does:
    geocode the text (a venue appended), redact it outside the matched place, classify the
    redacted text."""
    texts = _bench("geocode_texts").demo_texts()
    gazetteer = load_gazetteer()
    places = place_index(gazetteer.place_names())
    geocoded, redacted, cleans = [], [], []
    for text, location in texts:
        match = geocode(text, location=location, gazetteer=gazetteer)
        geocoded.append(json.dumps(match.to_dict(), ensure_ascii=False, sort_keys=True))
        clean = redact(text, keep_spans=[match.span] if match.span else [], places=places)
        redacted.append(json.dumps([clean.text, clean.counts_by_type], ensure_ascii=False, sort_keys=True))
        cleans.append(clean.text)
    classified = [json.dumps([c.category, c.source, c.confidence]) for c in classify_many(cleans)]
    return {"geocode": geocoded, "redact": redacted, "classify": classified}


@pytest.fixture(scope="module")
def answers() -> dict[str, list[str]]:
    return demo_answers()


def _digest(lines: list[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _recorded_geocode(name: str = "demo") -> str:
    return json.loads((ROOT / "bench" / "geocode_answers.json").read_text(encoding="utf-8"))[name]["sha256"]


@pytest.mark.parametrize(
    ("step", "recorded"),
    [
        ("geocode", _recorded_geocode),
        ("redact", lambda: REDACTION_SHA256),
        ("classify", lambda: CLASSIFICATION_SHA256),
    ],
)
def test_demo_answers_equal_the_recorded_ones(
    answers: dict[str, list[str]], step: str, recorded: Callable[[], str]
) -> None:
    assert len(answers[step]) > 9000
    assert _digest(answers[step]) == recorded()


@pytest.mark.parametrize("name", ["eval", "tests", "eval@mini", "tests@mini"])
def test_odd_case_answers_equal_the_recorded_ones(name: str) -> None:
    """bench/geocode_equal.py's small sets (the eval set, the geocoder tests' strings: typos,
    corners, homonyms, landmark kinds) on the demo and mini gazetteers."""
    sets = _bench("geocode_texts")
    texts = sets.eval_texts() if name.startswith("eval") else sets.test_strings()
    gazetteer = sets.mini_gazetteer() if name.endswith("@mini") else load_gazetteer()
    lines = [
        json.dumps(geocode(text, location=location, gazetteer=gazetteer).to_dict(), ensure_ascii=False, sort_keys=True)
        for text, location in texts
    ]
    assert _digest(lines) == _recorded_geocode(name)


def test_a_worker_rebuilds_each_message_as_model_construct_does() -> None:
    """services.importer._raw_of (defaults given, no default factory run) makes the very
    object the plain model_construct made: same fields in the same order, same set fields."""
    from data.intake import parse_file
    from data.records import RawMessage
    from services.importer import _SENT, _raw_of, _sent

    chat = ROOT / "data" / "demo" / "sources" / "telegram" / "result.json"
    items = [i for i in parse_file(chat).items if isinstance(i, RawMessage)]
    assert any(i.location for i in items) and any(i.venue_text for i in items)
    for item in items:
        sent = _sent(item)
        old = RawMessage.model_construct(**dict(zip(_SENT, sent, strict=True)))
        for new in (_raw_of(sent), _raw_of((*sent, True))):  # with rows, a flag follows the fields
            assert list(new.__dict__.items()) == list(old.__dict__.items())
            assert new.model_fields_set == old.model_fields_set
            assert (new.__pydantic_extra__, new.__pydantic_private__) == (
                old.__pydantic_extra__,
                old.__pydantic_private__,
            )
