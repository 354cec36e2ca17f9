"""Numbered monthly releases (services/releases.py): published once after the lag, frozen,
revised only by newer releases; the public pages, downloads, feed and export read them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from data.categories import CATEGORIES, GROUPS
from data.store.db import make_engine, upgrade
from data.store.ops import purge
from data.store.repo import insert_ignoring_conflicts
from data.store.schema import ImportBatch, ReportRow, month_local
from layers import privacy
from services import form, public
from services.public_export import export_releases
from services.releases import ReleaseRefused, publish

CENTRE = (47.566, 31.33)
SLUGS = sorted(CATEGORIES)


def reports(
    seed: int, n: int, month: privacy.Month, *, prefix: str = "r", status: str = "verified", batch: int | None = None
) -> list[dict[str, Any]]:
    """Report rows around the demo city's centre in ``month`` (concentrated: small and big cells)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        lat, lon = CENTRE[0] + rng.normal(0, 0.005), CENTRE[1] + rng.normal(0, 0.007)
        when = month.start + timedelta(hours=float(rng.uniform(1, 24 * 27)))
        cells = {f"h3_r{r}": h3.latlng_to_cell(lat, lon, r) for r in (7, 8, 9, 10)}
        rows.append(
            dict(
                source="csv",
                source_ref=f"{prefix}{seed}-{i}",
                received_at=when,
                occurred_at=when,
                occurred_at_source="given",
                text="x",
                category=SLUGS[int(rng.integers(len(SLUGS)))],
                category_source="rule",
                lat=lat,
                lon=lon,
                level="address",
                score=0.9,
                status=status,
                batch_id=batch,
                month_local=month_local(when),
            )
            | cells
        )
    return rows


def add(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with Session(engine) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, rows)


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of the release tables, as the database holds them (JSON as canonical text)."""

    def plain(value: Any) -> Any:
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    with engine.connect() as conn:
        return {
            t: [tuple(plain(v) for v in r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))]
            for t in ("releases", "release_months", "release_cells")
        }


JAN, FEB, MAR = privacy.Month(2025, 1), privacy.Month(2025, 2), privacy.Month(2025, 3)


def after(month: privacy.Month, days: int = 8) -> datetime:
    return month.end + timedelta(days=days)


def test_a_month_inside_its_lag_is_refused_and_publishing_is_idempotent(store: Engine) -> None:
    add(store, reports(1, 60, JAN))
    with pytest.raises(ReleaseRefused, match="lag"):
        publish(store, "2025-01", now=JAN.end + timedelta(days=6))
    with pytest.raises(ReleaseRefused):
        publish(store, "2025-Q1", now=after(MAR))
    first = publish(store, "2025-01", now=after(JAN))
    assert [(r.release, r.month, r.revised) for r in first] == [(1, "2025-01", ())]
    frozen = snapshot(store)
    assert publish(store, "2025-01", now=after(JAN, 30)) == [] and publish(store, now=after(JAN, 20)) == []
    assert snapshot(store) == frozen
    assert first[0].content_sha256 == frozen["releases"][0][-1]


def test_publish_without_a_month_releases_every_due_month_in_order(store: Engine) -> None:
    for seed, month in enumerate((JAN, FEB, MAR)):
        add(store, reports(seed, 40, month))
    done = publish(store, now=after(FEB))
    assert [(r.release, r.month) for r in done] == [(1, "2025-01"), (2, "2025-02")]
    assert public.publishable_periods(store) == ["2025-02", "2025-01"]
    assert [(r.release, r.month) for r in publish(store, now=after(MAR))] == [(3, "2025-03")]
    assert public.publishable_periods(store)[:2] == ["2025-Q1", "2025-03"]
    assert public.default_period(store) == "2025-03"


def test_a_release_never_changes_later_changes_come_as_revisions(store: Engine) -> None:
    add(store, reports(1, 80, JAN))
    publish(store, "2025-01", now=after(JAN))
    frozen = snapshot(store)
    jan_before = public.public_table(store, "2025-01", None)
    # late reports for January, a re-moderation and a re-categorisation, then February's release
    add(store, reports(2, 5, JAN, prefix="late"))
    with Session(store) as s, s.begin():
        ids = s.scalars(select(ReportRow.id).where(ReportRow.source_ref.like("r1-%")).order_by(ReportRow.id)).all()
        s.execute(update(ReportRow).where(ReportRow.id.in_(ids[:3])).values(status="rejected"))
        s.execute(update(ReportRow).where(ReportRow.id == ids[5]).values(category="noise"))
    add(store, reports(3, 50, FEB))
    [feb] = publish(store, "2025-02", now=after(FEB))
    assert feb.revised == ("2025-01",)
    now_rows = snapshot(store)
    for table, rows in frozen.items():
        assert set(rows) <= set(now_rows[table])  # every published row is still there, unchanged
    assert [r for r in now_rows["release_months"] if r[1] == "2025-01"] == [(1, "2025-01", 0), (2, "2025-01", 1)]
    as_published = public.public_table(store, "2025-01", None, as_of=1)
    pd.testing.assert_frame_equal(as_published.units, jan_before.units)
    revised = public.public_table(store, "2025-01", None)
    assert revised.versions[0]["release"] == 2 and revised.versions[0]["revision"] == 1
    for statement in (
        "UPDATE release_cells SET value = value + 1",
        "DELETE FROM release_cells",
        "UPDATE releases SET month = '2024-12'",
        "DELETE FROM release_months",
        "DELETE FROM releases",
    ):
        with pytest.raises(DBAPIError, match="frozen"), store.begin() as conn:
            conn.execute(text(statement))
    assert snapshot(store) == now_rows


def test_the_retention_purge_changes_no_release_and_causes_no_revision(store: Engine) -> None:
    add(store, reports(4, 70, JAN))
    add(store, reports(5, 70, FEB))
    publish(store, now=after(FEB))
    frozen = snapshot(store)
    summary = purge(store, after(FEB) + timedelta(days=800), retention_days=730)
    assert summary.reports_anonymised == 140
    add(store, reports(6, 30, MAR))
    [mar] = publish(store, "2025-03", now=after(MAR) + timedelta(days=800))
    assert mar.revised == ()
    assert {t: set(r) for t, r in frozen.items()} == {t: set(r) & set(frozen[t]) for t, r in snapshot(store).items()}


def test_record_keys_are_drawn_once_and_never_change(store: Engine) -> None:
    add(store, reports(7, 30, JAN))
    publish(store, "2025-01", now=after(JAN))
    with Session(store) as s:
        keys = dict(s.execute(select(ReportRow.id, ReportRow.record_key)).all())
    assert all(k is not None and 0 <= k < 2**32 for k in keys.values()) and len(set(keys.values())) == len(keys)
    add(store, reports(8, 30, FEB))
    publish(store, "2025-02", now=after(FEB))
    with Session(store) as s:
        again = dict(s.execute(select(ReportRow.id, ReportRow.record_key)).all())
    assert {i: again[i] for i in keys} == keys and len(again) == 60


def test_only_verified_or_imported_reports_reach_a_release(store: Engine) -> None:
    with Session(store) as s, s.begin():
        s.add(ImportBatch(id=7, file_name="x.csv", sha256="0" * 64, kind="csv"))
    add(store, reports(9, 40, JAN, prefix="form", status="new"))  # unmoderated form reports
    add(store, reports(10, 40, JAN, prefix="rej", status="rejected", batch=7))
    publish(store, "2025-01", now=after(JAN))
    with store.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM release_cells")).scalar_one() == 0
    add(store, reports(11, 40, FEB, prefix="imp", status="new", batch=7))
    publish(store, "2025-02", now=after(FEB))
    assert abs(public.public_table(store, "2025-02", None).total - 40) <= 20


def test_page_downloads_feed_and_export_serve_the_same_released_numbers(sqlite_url: str, tmp_path: Path) -> None:
    store = make_engine(sqlite_url)
    upgrade(store)
    for seed, month in enumerate((JAN, FEB, MAR), start=20):
        add(store, reports(seed, 90, month))
    publish(store, now=after(FEB))
    add(store, reports(30, 4, JAN, prefix="late"))
    publish(store, now=after(MAR))
    index = export_releases(store, tmp_path / "out")
    assert [r["release"] for r in index["releases"]] == [1, 2, 3]
    assert index["current"]["2025-01"] == "release-0003" and index["current"]["2025-Q1"] == "release-0003"
    meta = json.loads((tmp_path / "out" / "release-0003" / "release.json").read_text(encoding="utf-8"))
    assert meta["months"] == [{"month": "2025-01", "revision": 1}, {"month": "2025-03", "revision": 0}]
    assert meta["method"]["method"] == "cell-key-method" and "ptables" in meta["method"]
    for period in public.publishable_periods(store):
        for group in (None, *GROUPS):
            served = public.public_downloads(store, period, group)
            folder = tmp_path / "out" / index["current"][period] / period
            name = group or "all"
            assert (folder / f"{name}.csv").read_text(encoding="utf-8") == served["csv"]
            assert (folder / f"{name}.geojson").read_text(encoding="utf-8") == served["geojson"]
            assert (folder / f"{name}.requests.json").read_text(encoding="utf-8") == served["requests.json"]
            table = public.public_table(store, period, group)
            assert len(json.loads(served["requests.json"])) == table.total  # feed total = page total
    old = tmp_path / "out" / "release-0001" / "2025-01" / "all.csv"  # as served before the revision
    assert old.read_text(encoding="utf-8") == public.public_downloads(store, "2025-01", None, as_of=2)["csv"]


def test_the_form_rate_limit_is_kept_on_the_server_per_address_and_device(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    t0 = datetime(2025, 5, 1, 12, tzinfo=UTC)
    kw = dict(
        description="Сміття біля школи, ніхто не прибирає",
        category="litter",
        lat=CENTRE[0],
        lon=CENTRE[1],
        contact=None,
    )
    for i in range(3):  # fresh browser sessions (no history) from one address, other devices
        form.submit(engine, **kw, now=t0 + timedelta(minutes=i), client=form.Client("10.0.0.1", f"device {i}"))
    with pytest.raises(form.Refused, match="rate_limited"):
        form.submit(engine, **kw, now=t0 + timedelta(minutes=4), client=form.Client("10.0.0.1", "device 9"))
    for i in range(3):  # one device hopping between addresses
        form.submit(engine, **kw, now=t0 + timedelta(minutes=i), client=form.Client(f"10.0.1.{i}", "phone"))
    with pytest.raises(form.Refused, match="rate_limited"):
        form.submit(engine, **kw, now=t0 + timedelta(minutes=5), client=form.Client("10.0.1.9", "phone"))
    form.submit(engine, **kw, now=t0 + timedelta(minutes=11), client=form.Client("10.0.0.1", "device 1"))
    for i in range(5, 11):  # up to the daily limit per address (10)
        form.submit(engine, **kw, now=t0 + timedelta(minutes=11 * i), client=form.Client("10.0.0.1", f"d{i}"))
    with pytest.raises(form.Refused, match="rate_limited"):
        form.submit(engine, **kw, now=t0 + timedelta(hours=3), client=form.Client("10.0.0.1", "d99"))
    form.submit(engine, **kw, now=t0 + timedelta(days=1, hours=1), client=form.Client("10.0.0.1", "d99"))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT client_hash, device_hash FROM form_submissions")).all()
    assert stored and not any("10.0.0" in h or "device" in d for h, d in stored)  # salted hashes only
    with Session(engine) as s:  # form reports wait for moderation: none is counted publicly yet
        statuses = s.scalars(select(ReportRow.status).where(ReportRow.source == "form")).all()
    assert set(statuses) == {"new"}
