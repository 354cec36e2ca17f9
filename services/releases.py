"""Numbered monthly public releases: published once, frozen, revised only by newer releases.

Why releases: counting live reports on every page view let a month change silently when
late or re-moderated reports arrived, so two downloads of one month were a differencing
channel. Here a month is published once its 7-day lag has ended (``cli.py release
publish``), stored with the method's parameters, and never changed (the store's triggers
refuse it). When a later run finds that the released numbers of an earlier month would
now differ (late, re-moderated, re-categorised reports), the next release carries that
month again as a revision, made with the same Cell Key Method and the same record keys.
The public pages, downloads and the Open311 feed read only these tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.store.repo import (
    assign_record_keys,
    insert_release,
    release_cells_frame,
    release_months_frame,
    release_source_frame,
)
from data.store.schema import AuditRow, ReleaseRow
from geo.gazetteer import load_gazetteer
from layers import privacy
from layers.cellkey import new_record_key
from services.clock import now as clock_now


class ReleaseRefused(ValueError):
    """A month that may not be published (yet): its lag has not ended."""


@dataclass(frozen=True)
class ReleaseSummary:
    """What one publish run wrote: the release number, its month and the revised months."""

    release: int
    month: str
    revised: tuple[str, ...]
    cells: int
    content_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _address_counts() -> dict[str, int]:
    return privacy.address_counts_by_cell(load_gazetteer().addresses)


def released_base(source: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Month -> its released base cells (unit, kind, district, category_group, value), from
    the reports as they are now."""
    base = privacy.perturbed(
        privacy.base_cells(source, address_counts=_address_counts(), districts=load_gazetteer().districts)
    )
    return {month: rows.reset_index(drop=True) for month, rows in base.groupby("month", sort=True)}


def latest_versions(months: pd.DataFrame, *, as_of: int | None = None) -> pd.DataFrame:
    """Per month, the newest (release_id, revision) at or before release ``as_of``."""
    if as_of is not None:
        months = months.loc[months["release_id"] <= as_of]
    if months.empty:
        return months
    return months.sort_values(["month", "release_id"]).groupby("month", sort=True).tail(1).reset_index(drop=True)


def _rows(frame: pd.DataFrame) -> set[tuple[Any, ...]]:
    cols = ["unit", "kind", "district", "category_group", "value"]
    return {tuple(r) for r in frame[cols].itertuples(index=False, name=None)} if len(frame) else set()


def _digest(cells: list[dict[str, Any]], method: dict[str, Any]) -> str:
    canonical = json.dumps({"cells": cells, "method": method}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _publish_month(engine: Engine, month: privacy.Month, when: datetime, actor: str) -> ReleaseSummary | None:
    """One release for ``month`` with every revision due; None when it exists already."""
    with Session(engine) as session, session.begin():
        if session.scalar(select(ReleaseRow.id).where(ReleaseRow.month == month.label)) is not None:
            return None
        assign_record_keys(session, new_record_key)
        current = released_base(release_source_frame(session))
        published = latest_versions(release_months_frame(session))
        old = release_cells_frame(session, zip(published["release_id"], published["month"], strict=True))
        revised = []
        for version in published.itertuples(index=False):
            now_rows = current.get(version.month, pd.DataFrame(columns=privacy.BASE_COLUMNS))
            if _rows(now_rows) != _rows(old.loc[old["month"] == version.month]):
                revised.append((version.month, int(version.revision) + 1))
        number = int(session.scalar(select(func.coalesce(func.max(ReleaseRow.id), 0))) or 0) + 1
        months = [(month.label, 0), *revised]
        cells = [
            {
                "release_id": number,
                "month": label,
                "unit": r.unit,
                "kind": r.kind,
                "district": r.district,
                "category_group": r.category_group,
                "value": int(r.value),
            }
            for label, _ in months
            for r in current.get(label, pd.DataFrame(columns=privacy.BASE_COLUMNS)).itertuples(index=False)
        ]
        method = privacy.method_parameters()
        digest = _digest(cells, method)
        insert_release(
            session,
            {"id": number, "month": month.label, "published_at": when, "method": method, "content_sha256": digest},
            [{"release_id": number, "month": label, "revision": rev} for label, rev in months],
            cells,
        )
        session.add(
            AuditRow(
                at=when,
                actor=actor,
                action="release",
                target=f"release {number}",
                detail={"month": month.label, "revised": [m for m, _ in revised]},
            )
        )
    return ReleaseSummary(number, month.label, tuple(m for m, _ in revised), len(cells), digest)


def due_months(engine: Engine, when: datetime) -> list[privacy.Month]:
    """Months with released reports whose lag has ended and that have no release yet, oldest first."""
    with Session(engine) as session:
        source = release_source_frame(session)
        done = set(session.scalars(select(ReleaseRow.month)))
    labels = sorted(set(privacy.released_reports(source)["month"].astype(str))) if len(source) else []
    if not labels:
        return []
    latest = privacy.latest_publishable_month(when)
    month, out = privacy.parse_period(labels[0]), []
    while month <= latest:
        if month.label not in done:
            out.append(month)
        month = privacy.Month(month.year + month.month // 12, month.month % 12 + 1)
    return out


def publish(
    engine: Engine, month: str | None = None, *, now: datetime | None = None, actor: str = "system"
) -> list[ReleaseSummary]:
    """Publish ``month`` (YYYY-MM), or every due month, each as its own numbered release.

    Idempotent: a month already released is not released again (its later changes go
    into the next month's release as revisions). Raises ReleaseRefused for a month whose
    publication lag has not ended.
    """
    when = now or clock_now()
    if month is not None:
        period = privacy.parse_period(month)
        if not isinstance(period, privacy.Month):
            raise ReleaseRefused(f"releases are monthly, not {month!r}")
        try:
            privacy.check_period(period, when)
        except privacy.PrivacyError as exc:
            raise ReleaseRefused(str(exc)) from exc
        targets = [period]
    else:
        targets = due_months(engine, when)
    out = []
    for target in targets:
        try:
            summary = _publish_month(engine, target, when, actor)
        except IntegrityError:  # a parallel run published it first: nothing left to do
            summary = None
        if summary is not None:
            out.append(summary)
    return out
