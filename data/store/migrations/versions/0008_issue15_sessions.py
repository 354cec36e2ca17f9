"""Server-side sessions and login failure counters

Revision ID: issue15_sessions
Revises: issue16_batch_accounting
Create Date: 2026-12-06

Sessions move from signed tokens in the page URL to a table of opaque ids (stored as
their SHA-256) that sign-out, deactivation and password changes revoke. Failed sign-ins
are counted per typed name and per client address in ``login_failures`` (unknown names
are throttled like real ones), so the per-user columns of ``users`` go.
"""

import sqlalchemy as sa
from alembic import op

import data.store.schema

revision = "issue15_sessions"
down_revision = "issue16_batch_accounting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", data.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", data.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    # plain ALTERs (SQLite >= 3.35 and PostgreSQL), not batch mode: a rebuilt users table
    # would carry organisation_id inside a table-level foreign key that SQLite then cannot drop
    op.execute("ALTER TABLE users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE users DROP COLUMN last_failed_at")


def downgrade() -> None:
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("last_failed_at", data.store.schema.UTCDateTime(timezone=True), nullable=True))
    op.drop_table("login_failures")
    op.drop_index("ix_sessions_username", table_name="sessions")
    op.drop_table("sessions")
