"""Moderator edits: locks, roles, originals kept in the audit log, placing quarantined reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.messages import Message, msg
from data.store.repo import insert_ignoring_conflicts, reports_frame
from data.store.schema import QuarantineRow, ReportRow
from services import moderation

NOT_LOCATED = msg("not_located").to_json()
WHEN = datetime(2025, 3, 1, 21, 30, tzinfo=UTC)


def _seed(store) -> list[int]:
    rows = [
        dict(
            source="csv",
            source_ref=f"r{i}",
            received_at=WHEN,
            occurred_at=WHEN,
            occurred_at_source="given",
            text="сміття біля ринку",
            category="litter",
            category_source="model",
            lat=47.56,
            lon=31.33,
            level="street",
            score=0.9,
            status="new",
        )
        for i in range(2)
    ]
    with Session(store) as s, s.begin():
        insert_ignoring_conflicts(s, ReportRow.__table__, rows)
        return list(s.scalars(select(ReportRow.id).order_by(ReportRow.id)))


def test_category_change_keeps_the_original(store) -> None:
    first, _ = _seed(store)
    moderation.set_category(store, first, "graffiti", actor="mod1", role="moderator")
    frame = reports_frame(store).set_index("id")
    assert frame.loc[first, "category"] == "graffiti" and frame.loc[first, "category_source"] == "moderator"
    trail = moderation.audit_trail(store, f"report:{first}")
    assert trail[-1]["detail"]["original"] == {"category": "litter", "category_source": "model"}


def test_only_moderators_edit(store) -> None:
    first, _ = _seed(store)
    with pytest.raises(PermissionError):
        moderation.reject(store, first, "spam", actor="p", role="police")


def test_a_second_moderator_waits_for_the_lock(store) -> None:
    first, _ = _seed(store)
    moderation.acquire_lock(store, first, "mod1", now=WHEN)
    with pytest.raises(moderation.Locked, match="mod1"):
        moderation.acquire_lock(store, first, "mod2", now=WHEN + timedelta(minutes=5))
    moderation.acquire_lock(store, first, "mod2", now=WHEN + timedelta(minutes=11))  # expired


def test_merge_and_split(store) -> None:
    first, second = _seed(store)
    moderation.merge(store, second, first, actor="mod1", role="moderator")
    assert list(reports_frame(store)["id"]) == [first]
    moderation.split(store, second, actor="mod1", role="admin")
    assert list(reports_frame(store)["id"]) == [first, second]


def test_place_a_quarantined_report_by_map_click(store) -> None:
    record = dict(
        source="telegram",
        source_ref="tg:1:2",
        received_at=WHEN.isoformat(),
        occurred_at=WHEN.isoformat(),
        occurred_at_source="message_time",
        text="знову сміття у дворі",
        category="litter",
        category_source="rule",
        level="none",
        score=0.0,
    )
    with Session(store) as s, s.begin():
        s.add(QuarantineRow(source="telegram", source_ref="tg:1:2", reason=NOT_LOCATED, record=record))
    qid = 1
    report_id = moderation.place_quarantined(store, qid, lat=47.5661, lon=31.3312, actor="mod1", role="moderator")
    placed = reports_frame(store).set_index("id").loc[report_id]
    assert placed["level"] == "address" and placed["h3_r9"] and placed["lat"] == pytest.approx(47.5661)
    with pytest.raises(moderation.MessageError) as info:
        moderation.place_quarantined(store, qid, lat=47.566, lon=31.33, actor="mod1", role="moderator")
    assert info.value.message.code == "place_already_resolved" and info.value.message.params["id"] == qid


def test_suggestions_are_the_geocoders_reading_of_the_text(store) -> None:
    from geo import geocode

    text = "на вул. Соборності, 23 знову сміття"
    match = geocode(text)
    hints = moderation.suggestions(text)
    assert [(h.lat, h.lon) for h in hints] == [(match.lat, match.lon)] and "Соборності" in hints[0].label
    assert moderation.suggestions("знову сміття, жах") == []  # no place read: nothing unrelated offered
    record = dict(
        source="telegram",
        source_ref="tg:1:3",
        received_at=WHEN.isoformat(),
        occurred_at=WHEN.isoformat(),
        occurred_at_source="message_time",
        text=text,
        category="litter",
        category_source="rule",
        level="none",
        score=0.0,
    )
    with Session(store) as s, s.begin():
        s.add(QuarantineRow(source="telegram", source_ref="tg:1:3", reason=NOT_LOCATED, record=record))
        qid = s.scalar(select(QuarantineRow.id).where(QuarantineRow.source_ref == "tg:1:3"))
    report_id = moderation.place_at_suggestion(store, qid, hints[0], actor="mod1", role="moderator")
    placed = reports_frame(store).set_index("id").loc[report_id]
    assert placed["level"] == match.level and placed["lat"] == pytest.approx(match.lat)


def test_move_a_placed_report_keeps_the_old_place_in_the_audit(store) -> None:
    first, _ = _seed(store)
    moderation.move(store, first, lat=47.5661, lon=31.3312, actor="mod1", role="moderator")
    moved = reports_frame(store).set_index("id").loc[first]
    assert (moved["lat"], moved["level"]) == (pytest.approx(47.5661), "address") and moved["h3_r9"]
    original = moderation.audit_trail(store, f"report:{first}")[-1]["detail"]["original"]
    assert (original["lat"], original["level"]) == (47.56, "street")
    with pytest.raises(moderation.OutsideCity):
        moderation.move(store, first, lat=50.45, lon=30.52, actor="mod1", role="moderator")


def test_reject_needs_a_reason_and_works_in_bulk(store) -> None:
    first, _ = _seed(store)
    with pytest.raises(moderation.NoReason):
        moderation.reject(store, first, "  ", actor="mod1", role="moderator")
    with Session(store) as s, s.begin():
        for i in range(3):
            s.add(
                QuarantineRow(
                    source="telegram",
                    source_ref=f"tg:9:{i}",
                    reason=NOT_LOCATED,
                    record={"received_at": (WHEN - timedelta(days=100 * i)).isoformat()},
                )
            )
    queue = moderation.queue(store, now=WHEN, kind="not_located")
    assert len(queue) == 3 and set(queue["kind"]) == {"not_located"}
    assert list(queue["reason"]) == [Message("not_located")] * 3  # the reason as its code, named by the page
    assert len(moderation.queue(store, now=WHEN, age="30")) == 1
    assert len(moderation.queue(store, now=WHEN, age="older90")) == 2
    assert moderation.queue(store, now=WHEN, kind="unreadable").empty
    with pytest.raises(moderation.NoReason):
        moderation.reject_many(store, queue["id"].tolist(), "", actor="mod1", role="moderator")
    assert len(moderation.queue(store, now=WHEN)) == 3  # nothing rejected without a reason
    moderation.reject_many(store, queue["id"].tolist()[:2], "spam", actor="mod1", role="moderator")
    assert len(moderation.queue(store, now=WHEN)) == 1


def test_reading_a_report_takes_no_lock(store) -> None:
    first, _ = _seed(store)
    assert moderation.report_for_edit(store, first, role="moderator")["text"] == "сміття біля ринку"
    assert moderation.lock_holder(store, first) is None
    moderation.acquire_lock(store, first, "mod1")
    assert moderation.lock_holder(store, first)[0] == "mod1"


def _stored(store, report_id: int, *columns: str) -> tuple:  # type: ignore[no-untyped-def]
    with Session(store) as s:
        return tuple(
            s.execute(select(*(getattr(ReportRow, c) for c in columns)).where(ReportRow.id == report_id)).one()
        )


def test_an_edited_time_moves_the_reports_city_month(store) -> None:
    """21:30 UTC on 1 March is March in Kyiv; 21:59 UTC on 28 February is still February there."""
    first, _ = _seed(store)
    assert _stored(store, first, "month_local") == ("2025-03",)
    earlier = datetime(2025, 2, 28, 21, 59, tzinfo=UTC)
    moderation._edit(store, first, "mod1", "moderator", {"occurred_at": earlier})
    assert _stored(store, first, "occurred_at", "month_local") == (earlier, "2025-02")
    original = moderation.audit_trail(store, f"report:{first}")[-1]["detail"]["original"]
    assert (original["month_local"], original["occurred_at"]) == ("2025-03", WHEN.isoformat())


def test_a_moved_report_takes_the_microdistrict_of_its_new_point(store) -> None:
    import numpy as np

    from geo.gazetteer import load_gazetteer
    from layers.council import district_ids
    from services import districts

    first, _ = _seed(store)
    districts.ensure(store)
    gz = load_gazetteer()
    (before,) = _stored(store, first, "microdistrict")
    target = next(d for d in gz.districts if d.id != before)
    point = target.shape.representative_point()
    moderation.move(store, first, lat=point.y, lon=point.x, actor="mod1", role="moderator")
    lat, lon, where, r9 = _stored(store, first, "lat", "lon", "microdistrict", "h3_r9")
    assert where == target.id == district_ids(np.array([lat]), np.array([lon]), gz)[0]
    assert districts.ensure(store) == 0  # nothing left for the catch-up to derive
