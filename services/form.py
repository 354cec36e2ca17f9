"""The public report form: a resident's report enters the moderation queue.

The resident gets a tracking number to look up the status later; contact details go to a
moderator-only table that the retention purge empties. Submissions are spam-checked and
rate-limited on the server, per client address and per device (salted hashes in
``form_submissions``), so a fresh browser session does not reset the limit. A form
report is counted in the public releases only after a moderator verifies it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from data.city_profile import profile
from data.intake.bounds import point_problem
from data.records import RawMessage
from data.store.repo import insert_ignoring_conflicts
from data.store.schema import ContactRow, FormSubmissionRow, ReportRow
from geo import geocode
from services import clock, districts
from services.importer import inside_study_area, salt, to_report

MAX_PER_SESSION = 3
SESSION_WINDOW = timedelta(minutes=10)
MAX_CHARS = 2000  # a description longer than this is refused with its length, never cut
MAX_PER_CLIENT = 3  # per client address or device within CLIENT_WINDOW
CLIENT_WINDOW = timedelta(minutes=10)
MAX_PER_CLIENT_DAY = 10
KEEP_SUBMISSIONS = timedelta(days=1)
MAX_PER_MINUTE = 30
_LINK = re.compile(r"https?://|www\.|t\.me/", re.I)


class Refused(Exception):
    """A submission that is not stored, with a reason the resident can read (message key)."""


@dataclass(frozen=True)
class Receipt:
    tracking: str
    report_id: int
    level: str
    at: datetime


def spam_reason(text: str) -> str | None:
    """Message key of why a text looks like spam, or None."""
    stripped = text.strip()
    if len(stripped) < 10:
        return "form.too_short"
    if len(_LINK.findall(stripped)) >= 2:
        return "form.links"
    letters = [c for c in stripped if c.isalpha()]
    if letters and len(set(c.lower() for c in letters)) < 4:
        return "form.gibberish"
    return None


@dataclass(frozen=True)
class Client:
    """Who sends a form report, as the server sees it: the client address and a device
    signature (the page passes e.g. the user agent and language headers). Only salted
    hashes are stored."""

    address: str | None
    device: str | None


def _hashed(kind: str, value: str | None) -> str:
    return hmac.new(salt(), f"{kind}:{value or 'unknown'}".encode(), hashlib.sha256).hexdigest()


def check_rate(recent_by_session: list[datetime], now: datetime) -> None:
    if sum(1 for t in recent_by_session if now - t < SESSION_WINDOW) >= MAX_PER_SESSION:
        raise Refused("form.rate_limited")


def check_client_rate(session: Session, client: Client, now: datetime) -> tuple[str, str]:
    """Refuse when the address or the device sent too many reports lately (server-side:
    no browser session can reset it); returns the two hashes to record."""
    address, device = _hashed("address", client.address), _hashed("device", client.device)
    session.execute(delete(FormSubmissionRow).where(FormSubmissionRow.at < now - KEEP_SUBMISSIONS))
    same = or_(FormSubmissionRow.client_hash == address, FormSubmissionRow.device_hash == device)
    for window, limit in ((CLIENT_WINDOW, MAX_PER_CLIENT), (KEEP_SUBMISSIONS, MAX_PER_CLIENT_DAY)):
        recent = session.scalar(
            select(func.count()).select_from(FormSubmissionRow).where(same, FormSubmissionRow.at >= now - window)
        )
        if (recent or 0) >= limit:
            raise Refused("form.rate_limited")
    return address, device


def check_description(description: str) -> None:
    """The description itself is required and checked (an address alone is no report)."""
    if not description.strip():
        raise Refused("form.need_description")
    if len(description) > MAX_CHARS:
        raise Refused("form.too_long")
    reason = spam_reason(description)
    if reason:
        raise Refused(reason)


def submit(
    engine: Engine,
    *,
    description: str,
    address: str = "",
    category: str | None,
    lat: float | None,
    lon: float | None,
    contact: str | None,
    recent: Sequence[datetime] = (),
    now: datetime | None = None,
    received_at: datetime | None = None,
    client: Client | None = None,
) -> Receipt:
    """Store one resident report (status new: counted publicly only once verified) and
    return its tracking number.

    `client` is the sender's address and device as the server sees them (rate limit kept
    in the store); `recent` are this browser session's earlier submissions and `now` the
    wall clock (both for the rate limit); `received_at` is the report's time, the product
    clock (services.clock: fixed in demo mode, so a form report lands in the demo's "this week").
    """
    now = now or datetime.now(UTC)
    received_at = received_at or clock.now()
    client = client or Client(None, None)
    check_rate(list(recent), now)
    check_description(description)
    if lat is None or lon is None or point_problem(lat, lon, inside=lambda *_: True):
        raise Refused("form.need_place")  # NaN, infinite or off the Earth: no place given
    if point_problem(lat, lon, inside=inside_study_area):
        raise Refused("form.outside_city")
    with Session(engine) as session:
        last_minute = session.scalar(
            select(func.count())
            .select_from(ReportRow)
            .where(ReportRow.source == "form", ReportRow.created_at >= now - timedelta(minutes=1))
        )
    if (last_minute or 0) >= MAX_PER_MINUTE:
        raise Refused("form.rate_limited")
    tracking = f"{profile().intake.tracking_prefix}-{secrets.token_hex(4).upper()}"
    text = "\n".join(part.strip() for part in (description, address) if part.strip())
    raw = RawMessage(
        source="form",
        source_ref=f"form:{tracking}",
        received_at=received_at,
        text=text,
        location=(lat, lon),
        category_hint=category,
        occurred_at=None,
    )
    report = to_report(raw, secret=salt())
    with Session(engine) as session, session.begin():
        address, device = check_client_rate(session, client, now)
        session.add(FormSubmissionRow(at=now, client_hash=address, device_hash=device))
        row = report.model_dump(exclude={"id"}) | {"microdistrict": districts.of_point(report.lat, report.lon)}
        insert_ignoring_conflicts(session, ReportRow.__table__, [row])
        report_id = session.scalar(select(ReportRow.id).where(ReportRow.source_ref == raw.source_ref))
        if contact and contact.strip():
            session.add(ContactRow(report_id=report_id, contact=contact.strip()))
    return Receipt(tracking, int(report_id), report.level, now)


def status_of(engine: Engine, tracking: str) -> dict[str, str | None] | None:
    """What a resident may see about their own report: status and the public note."""
    ref = f"form:{tracking.strip().upper()}"
    with Session(engine) as session:
        row = session.scalar(select(ReportRow).where(ReportRow.source == "form", ReportRow.source_ref == ref))
        if row is None:
            return None
        return {"status": row.status, "status_note": row.status_note, "category": row.category}


def locate(address: str) -> tuple[tuple[float, float] | None, str | None, str | None]:
    """Where an address points: ((lat, lon), place name, level), or (None, ...) if not found."""
    match = geocode(address)
    if match.level == "none" or match.lat is None:
        return None, None, None
    place = match.street or (match.landmark or {}).get("name") or match.district or ""
    return (match.lat, match.lon), place, match.level
