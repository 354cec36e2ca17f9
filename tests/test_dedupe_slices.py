"""The batch-wide de-duplication, slice by slice and with the pool, gives the marks of
marking every report at once.

Why: services/import_dedupe.py recomputes the marks in slices of DEDUPE_SLICE, each with
the window before it as context; with a pool, the workers find the slices' accepted
pairs ahead while the importing process settles the marks in order. The oracle is
:func:`mark_duplicates` of all the reports in one call (the definition: "importing every
file at once"). The reports are dense, with chains of near-copies across every slice
boundary, so a context carried wrongly from one slice to the next changes marks.
Runs on SQLite and on PostGIS (the ``store`` fixture).
"""

from __future__ import annotations

import multiprocessing
import random
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.store.repo import claim_batch, insert_ignoring_conflicts
from data.store.schema import ReportRow
from data.text.dedupe import EARTH_RADIUS_M, mark_duplicates
from services import import_dedupe
from services.import_dedupe import assign_duplicates

LAT, LON = 47.566, 31.33
T0 = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 45  # four slices
WORDS = "сміття біля баків знову не вивозять тиждень смердить двору машини газоні стоять".split()


def _reports(seed: int, n: int) -> list[dict]:
    """Near-alike texts at a few spots, a report every couple of hours for 45 days: each
    report repeats some within 48 h, so marks hang on the marks before them."""
    rng = random.Random(seed)
    base = " ".join(WORDS[:8])
    rows = []
    for k in range(n):
        when = T0 + timedelta(minutes=rng.uniform(0, 60 * 24 * DAYS))
        words = base.split()
        for _ in range(rng.randint(0, 6)):  # a few edits keep texts around the threshold
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        north, east = rng.choice([(0.0, 0.0), (20.0, 0.0), (120.0, 40.0), (300.0, 0.0), (0.0, 300.0)])
        rows.append(
            dict(
                source="csv",
                source_ref=f"r{k}",
                received_at=when,
                occurred_at=when,
                occurred_at_source="given",
                text=" ".join(words),
                category=rng.choice(["litter", "litter", "noise"]),
                category_source="rule",
                lat=LAT + north * 180 / (EARTH_RADIUS_M * 3.141592653589793),
                lon=LON + east * 180 / (EARTH_RADIUS_M * 3.141592653589793) / 0.674,
                level="address",
                score=0.9,
                uncertainty_m=rng.choice([None, 10.0, 200.0]),
                status="new",
            )
        )
    return rows


def _stored(store) -> int:  # type: ignore[no-untyped-def]
    with Session(store) as session, session.begin():
        batch = claim_batch(session, file_name="f.csv", sha256="0" * 64, kind="csv", imported_by="test")
        assert batch is not None
        insert_ignoring_conflicts(session, ReportRow.__table__, [r | {"batch_id": batch.id} for r in _reports(25, 700)])
        return batch.id


def _marks(session: Session) -> dict[str, str | None]:
    rows = session.execute(select(ReportRow.id, ReportRow.source_ref, ReportRow.duplicate_of)).all()
    ref = {i: r for i, r, _ in rows}
    return {r: (ref[d] if d is not None else None) for _, r, d in rows}


def _all_at_once(session: Session) -> dict[str, str | None]:
    rows = session.execute(select(*import_dedupe.DEDUPE_COLUMNS, ReportRow.source_ref.label("ref"))).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[*import_dedupe._KEYS, "ref"], dtype=object)
    marks = mark_duplicates(frame.drop(columns="ref"))
    ref = dict(zip(frame["id"], frame["ref"], strict=True))
    return {r: (ref[d] if d is not None else None) for r, d in zip(frame["ref"], marks, strict=True)}


@pytest.mark.parametrize("workers", [1, 2])
def test_slices_give_the_marks_of_every_report_at_once(store, workers: int) -> None:  # type: ignore[no-untyped-def]
    batch = _stored(store)
    with Session(store) as session:
        expected = _all_at_once(session)
        assert 300 < sum(m is not None for m in expected.values()) < 600  # both outcomes, across the slices
        # spawned, as tests/test_import_workers.py: an earlier test may have left threads (no fork then)
        with multiprocessing.get_context("spawn").Pool(workers) if workers > 1 else nullcontext() as pool:
            marked = assign_duplicates(session, batch, pool)
            assert _marks(session) == expected
            assert marked == sum(m is not None for m in expected.values())
            # a second pass over marks already right (and some wrong) changes only the wrong ones
            session.execute(
                update(ReportRow).where(ReportRow.source_ref.in_(["r3", "r4", "r5"])).values(duplicate_of=None)
            )
            assign_duplicates(session, batch, pool)
            assert _marks(session) == expected
        session.rollback()
