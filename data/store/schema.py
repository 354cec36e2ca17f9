"""Tables of the store (one declarative model per DESIGN.md record)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.city_profile import city_zone


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def month_local(when: datetime, tz: ZoneInfo | None = None) -> str:
    """The month in the city's time (YYYY-MM; ``tz`` default: the profile's zone) of an aware
    or naive-UTC datetime: the public view's only time. A change of the city's time zone
    re-derives the stored months (data/store/localtime.py)."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    local = aware.astimezone(tz or city_zone())
    return f"{local.year:04d}-{local.month:02d}"  # strftime's "%Y-%m", three times faster (once per stored report)


def _month_local(context: DefaultExecutionContext) -> str | None:
    """:func:`month_local` of a report being inserted without one."""
    when = context.get_current_parameters().get("occurred_at")
    return None if when is None else month_local(when)


def record_received(record: dict[str, Any] | None) -> datetime | None:
    """When a quarantined record's report was received (its ISO ``received_at``; naive = UTC),
    None when it has none or an unreadable one."""
    text = (record or {}).get("received_at") if isinstance(record, dict) else None
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _record_received(context: DefaultExecutionContext) -> datetime | None:
    """:func:`record_received` of a quarantine entry being inserted without the column."""
    return record_received(context.get_current_parameters().get("record"))


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(default=_now)
    finished_at: Mapped[datetime | None]
    n_read: Mapped[int] = mapped_column(default=0)
    n_imported: Mapped[int] = mapped_column(default=0)
    n_duplicates: Mapped[int] = mapped_column(default=0)
    n_quarantined: Mapped[int] = mapped_column(default=0)
    n_not_located: Mapped[int] = mapped_column(default=0)
    n_already_known: Mapped[int] = mapped_column(default=0)  # already imported by an earlier batch
    n_repeats: Mapped[int] = mapped_column(default=0)  # copies inside the file (part of n_duplicates)
    n_truncated: Mapped[int] = mapped_column(default=0)  # texts cut at the length bound
    problems: Mapped[str] = mapped_column(Text, default="")  # why the file was not read to its end
    notes: Mapped[str] = mapped_column(Text, default="")
    imported_by: Mapped[str | None] = mapped_column(String(100))


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_reports_source_ref"),
        Index("ix_reports_occurred_at", "occurred_at"),
        Index("ix_reports_h3_r8", "h3_r8"),
        # h3_r9 first, then what the grouped counts read: they scan the index alone (migration issue25e)
        Index(
            "ix_reports_r9_counts",
            "h3_r9",
            "month_local",
            "status",
            "duplicate_of",
            "lat",
            "lon",
            "uncertainty_m",
            "category",
            "occurred_at",
        ),
        Index("ix_reports_category", "category"),
        # the council's counts per microdistrict, month and category (migration issue19j)
        Index(
            "ix_reports_microdistrict_counts",
            "microdistrict",
            "month_local",
            "category",
            "status",
            "duplicate_of",
            "lat",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    meeting_id: Mapped[str | None] = mapped_column(String(50))
    received_at: Mapped[datetime]
    occurred_at: Mapped[datetime]
    occurred_at_source: Mapped[str] = mapped_column(String(20))
    month_local: Mapped[str | None] = mapped_column(String(7), default=_month_local)  # city time, for the public view
    text: Mapped[str] = mapped_column(Text)
    reporter_hash: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(30))
    category_source: Mapped[str] = mapped_column(String(20))
    location_text: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(20), default="none")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    uncertainty_m: Mapped[float | None] = mapped_column(Float)
    street: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    house: Mapped[str | None] = mapped_column(String(30))
    landmark: Mapped[dict[str, Any] | None]
    district: Mapped[str | None] = mapped_column(String(100))
    # the profile's district polygon holding the point ("" outside all; data/store/microdistricts.py)
    microdistrict: Mapped[str | None] = mapped_column(String(100))
    h3_r7: Mapped[str | None] = mapped_column(String(16))
    h3_r8: Mapped[str | None] = mapped_column(String(16))
    h3_r9: Mapped[str | None] = mapped_column(String(16))
    h3_r10: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default="new")
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    status_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now)
    # the Cell Key Method's secret record key (layers/cellkey.py): drawn once, never changed
    record_key: Mapped[int | None] = mapped_column(BigInteger)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_quarantine_source_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text, default="")  # redacted
    reporter_hash: Mapped[str | None] = mapped_column(String(64))
    record: Mapped[dict[str, Any] | None]  # the redacted record, for a moderator to fix
    created_at: Mapped[datetime] = mapped_column(default=_now)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(default=_record_received)  # the queue's order and age


class ContactRow(Base):
    """Contact details a resident gave in the form: moderator-only, purged after retention."""

    __tablename__ = "reporter_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    contact: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=_now)


class MeetingRow(Base):
    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    attendees: Mapped[int | None]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    closed_at: Mapped[datetime | None]  # a closed meeting has its record (Decidim's meeting closure)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    minutes: Mapped[str | None] = mapped_column(Text)  # staff only
    public_summary: Mapped[str | None] = mapped_column(Text)  # the public part


class MeetingOrganisationRow(Base):
    """An organisation that attended a closed meeting."""

    __tablename__ = "meeting_organisations"
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)


class SurveyResponseRow(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("source_ref", name="uq_survey_source_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(200))
    wave: Mapped[str] = mapped_column(String(50))
    district: Mapped[str | None] = mapped_column(String(100))
    answers: Mapped[dict[str, Any]]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class OrganisationRow(Base):
    """A body of the dialogue platform; users and actions point at its id, never at a name,
    so two spellings of one name ("ГО «…»" and "Громадська організація «…»") are one owner."""

    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(50), primary_key=True)  # a stable slug, e.g. "org-council"
    name_uk: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # police | council | community | business


class ActionRow(Base):
    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(20))  # police | council | community
    owner_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    partners: Mapped[str | None] = mapped_column(Text)  # everyone named as a partner, as written
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | in_progress | done
    public_note: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"))  # the meeting that agreed it
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0-100; a parent's is rolled up from its children
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    weight: Mapped[float | None] = mapped_column(Float)  # share in the parent's roll-up (None = 1)
    cost: Mapped[float | None] = mapped_column(Float)
    starts_on: Mapped[date | None] = mapped_column(Date)  # execution period, where known
    ends_on: Mapped[date | None] = mapped_column(Date)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now)


class MilestoneRow(Base):
    """A dated step of an action (Decidim's timeline entry)."""

    __tablename__ = "action_milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    on_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=_now)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=_now)


class SessionRow(Base):
    """A signed-in browser: only the SHA-256 of its opaque id is stored, so a copy of
    the database opens no session."""

    __tablename__ = "sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginFailureRow(Base):
    """Failed sign-ins per key ("user:<name>" for any typed name, known or not, and
    "ip:<address>"), counted atomically in the store."""

    __tablename__ = "login_failures"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None]


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=_now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))  # login | login_failed | export | edit | import | purge
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None]  # for edits: the original values are kept here


class EditLockRow(Base):
    """One moderator edits a report at a time; the lock expires on its own."""

    __tablename__ = "edit_locks"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class ReleaseRow(Base):
    """A numbered, frozen monthly public release (docs/PRIVACY.md): never updated or deleted
    (database triggers refuse it); later changes go into a newer release as revisions."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the release number
    month: Mapped[str] = mapped_column(String(7), unique=True)  # the month it first publishes (YYYY-MM)
    published_at: Mapped[datetime]
    method: Mapped[dict[str, Any]]  # method name and parameters, the perturbation tables
    content_sha256: Mapped[str] = mapped_column(String(64))


class ReleaseMonthRow(Base):
    """Which months a release holds: its own month (revision 0) and revised earlier months."""

    __tablename__ = "release_months"
    __table_args__ = (UniqueConstraint("month", "revision", name="uq_release_months_revision"),)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)


class ReleaseCellRow(Base):
    """One released base cell (unit x month x category group) with its perturbed value;
    cells released as 0 are not stored (a 0 cannot be told from an absent row)."""

    __tablename__ = "release_cells"
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit: Mapped[str] = mapped_column(String(120), primary_key=True)
    category_group: Mapped[str] = mapped_column(String(30), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # cell | rest
    district: Mapped[str] = mapped_column(String(100))
    value: Mapped[int] = mapped_column(Integer)


class FormSubmissionRow(Base):
    """Salted hashes of who sent a form report and when: the server-side rate limit."""

    __tablename__ = "form_submissions"
    __table_args__ = (Index("ix_form_submissions_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    client_hash: Mapped[str] = mapped_column(String(64))
    device_hash: Mapped[str] = mapped_column(String(64))


class ForecastEvaluationRow(Base):
    """A stored back-test of the forecast methods (``cli.py forecast --evaluate``).

    ``data_version`` is the store's version of the reports it was computed on, so
    a page can tell a current result from one the reports have since outgrown.
    """

    __tablename__ = "forecast_evaluations"
    __table_args__ = (Index("ix_forecast_evaluations_key", "category", "res", "horizon_days"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    data_version: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(30), default="")  # "" = every category
    res: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    winner: Mapped[str] = mapped_column(String(30))
    result: Mapped[dict[str, Any]]


class StoreSettingRow(Base):
    """Facts about the stored data itself, e.g. the time zone ``reports.month_local`` was derived in."""

    __tablename__ = "store_settings"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
