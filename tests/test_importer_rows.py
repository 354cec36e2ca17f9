"""The rows the importer stores for located reports, built without a Report object, are
those of ``Report(**fields)`` (services/import_rows.py), clocks aside."""

from __future__ import annotations

import itertools
from datetime import datetime
from operator import itemgetter
from pathlib import Path

import pytest

from data.city_profile import city_zone
from data.intake import parse_file
from data.records import RawMessage, Report
from data.store.schema import month_local
from services import districts
from services.import_rows import REPORT_COLUMNS, report_fields, report_values
from services.importer import _place_or_problem

DEMO_EXPORT = Path(__file__).resolve().parents[1] / "data" / "demo" / "sources" / "telegram" / "result.json"
CLOCKS = ("created_at", "updated_at")


def _located_fields(n: int) -> list[dict]:
    raws = [r for r in itertools.islice(parse_file(DEMO_EXPORT).items, n) if isinstance(r, RawMessage)]
    answers = [_place_or_problem((r.text, r.venue_text, r.location)) for r in raws]
    fields = report_fields(raws, answers, secret=b"s" * 32)
    return [f for f in fields if isinstance(f, dict) and f["level"] != "none"]


def _via_report(fields: list[dict], batch_id: int) -> list[tuple]:
    """The rows as the importer built them before: from validated Report objects."""
    names = REPORT_COLUMNS[:-3]
    reports = [Report(**f) for f in fields]
    where = districts.of_points([r.lat for r in reports], [r.lon for r in reports])
    zone = city_zone()
    return [
        (*itemgetter(*names)(r.__dict__), batch_id, month_local(r.occurred_at, zone), d)
        for r, d in zip(reports, where, strict=True)
    ]


def _without_clocks(rows: list[tuple]) -> list[tuple]:
    keep = [i for i, name in enumerate(REPORT_COLUMNS) if name not in CLOCKS]
    return [tuple(row[i] for i in keep) for row in rows]


def test_rows_equal_those_of_validated_reports() -> None:
    fields = _located_fields(400)
    assert len(fields) > 100
    fast, slow = report_values(fields, 7), _via_report(fields, 7)
    assert _without_clocks(fast) == _without_clocks(slow)
    for row in fast:  # the clocks are set, aware
        assert all(isinstance(row[REPORT_COLUMNS.index(c)], datetime) for c in CLOCKS)


def test_what_validation_refused_is_still_refused() -> None:
    good = _located_fields(60)[0]
    with pytest.raises(ValueError, match="unknown category"):
        report_values([good | {"category": "no-such-category"}], 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        report_values([good | {"occurred_at": good["occurred_at"].replace(tzinfo=None)}], 1)


def test_rows_bound_in_a_worker_are_what_the_store_engine_binds(tmp_path: Path) -> None:
    """A worker has no engine: it binds the rows with a fresh dialect of the store's name
    (data.store.repo.dialect_named); the driver must get the very same values."""
    from data.store.db import make_engine
    from data.store.repo import bound_tuples, dialect_named
    from data.store.schema import ReportRow

    rows = report_values(_located_fields(200), 3)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect():  # the engine's dialect as an insert finds it, initialised by a connection
        mine = bound_tuples(ReportRow.__table__, REPORT_COLUMNS, engine.dialect, rows)
    fresh = bound_tuples(ReportRow.__table__, REPORT_COLUMNS, dialect_named("sqlite"), rows)
    assert fresh == mine
    assert any(isinstance(v, str) and v[:2] == "20" for v in fresh[0])  # datetimes became the driver's text
    assert not any(isinstance(v, datetime) for row in fresh for v in row)


def test_not_located_rows_made_where_reports_are_placed_equal_the_importers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain report that could not be placed comes from the worker as its quarantine row;
    the store holds what the importing process made of its fields before."""
    from data.store.db import make_engine, upgrade
    from services import import_rows, importer
    from tests.test_import_workers import CHAT, _stored

    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(tmp_path / "salt.key"))
    real = import_rows.with_rows
    made: list[int] = []

    def counted(fields, plain, target):  # type: ignore[no-untyped-def]
        out = real(fields, plain, target)
        made.append(sum(isinstance(f, import_rows.NotLocatedRow) for f in out))
        return out

    def as_before(fields, plain, target):  # type: ignore[no-untyped-def]
        keep = [p and not (isinstance(f, dict) and f["level"] == "none") for f, p in zip(fields, plain, strict=True)]
        return real(fields, keep, target)

    stores = []
    for name, patch in (("workers", counted), ("here", as_before)):
        monkeypatch.setattr(importer, "with_rows", patch)
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        importer.import_file(CHAT, engine, parallel=False)
        stores.append(_stored(engine))
    assert sum(made) > 20
    for a, b in zip(*stores, strict=True):
        assert a.equals(b), "the not-located rows made where reports are placed differ"
