"""The resident form: a description is required and limited, and a form report carries the
product clock (fixed in demo mode), not the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data.store.repo import reports_frame
from services import clock, form

INSIDE = (47.5661, 31.3312)
WALL = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_an_address_alone_is_no_report(store) -> None:
    with pytest.raises(form.Refused, match="form.need_description"):
        form.submit(
            store,
            description="  ",
            address="вул. Соборності, 23",
            category="litter",
            lat=INSIDE[0],
            lon=INSIDE[1],
            contact=None,
            now=WALL,
        )


def test_a_long_description_is_refused_not_cut(store) -> None:
    with pytest.raises(form.Refused, match="form.too_long"):
        form.submit(
            store,
            description="сміття біля під'їзду " * 600,
            category="litter",
            lat=INSIDE[0],
            lon=INSIDE[1],
            contact=None,
            now=WALL,
        )
    text = "Біля під'їзду лежить купа будівельного сміття. " * 40
    assert len(text) <= form.MAX_CHARS
    receipt = form.submit(
        store,
        description=text,
        address="вул. Соборності, 23",
        category="litter",
        lat=INSIDE[0],
        lon=INSIDE[1],
        contact=None,
        now=WALL,
    )
    stored = reports_frame(store, include_duplicates=True, statuses=("new",)).set_index("id").loc[receipt.report_id]
    assert stored["text"].startswith(text.strip()) and stored["text"].endswith("вул. Соборності, 23")


def test_a_form_report_carries_the_demo_clock(store, monkeypatch) -> None:
    monkeypatch.setenv("HOTSPOTS_MODE", "demo")
    receipt = form.submit(
        store,
        description="Зламаний ліхтар біля зупинки, на тротуарі темно",
        category="lighting",
        lat=INSIDE[0],
        lon=INSIDE[1],
        contact=None,
        now=WALL,
    )
    stored = reports_frame(store, include_duplicates=True, statuses=("new",)).set_index("id").loc[receipt.report_id]
    assert stored["occurred_at"].to_pydatetime() == clock.now() != WALL
    assert stored["received_at"].to_pydatetime() == clock.now()
    from services import districts

    assert stored["microdistrict"] == districts.of_point(stored["lat"], stored["lon"]) != ""  # derived at intake
    assert districts.ensure(store) == 0
