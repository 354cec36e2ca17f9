"""Frozen public releases; the views of unprotected counts are dropped

Revision ID: issue27_releases
Revises: issue20_forecast_evaluations
Create Date: 2026-12-06

The public pages, downloads and the Open311 feed now read numbered monthly releases
(docs/PRIVACY.md) instead of counting reports: ``releases``, ``release_months`` and
``release_cells`` hold the perturbed base cells, and triggers on both backends refuse
any UPDATE or DELETE of them, so a published release can never change (not by a bug, a
purge or a psql session). ``reports.record_key`` is the Cell Key Method's secret record
key. ``form_submissions`` keeps salted hashes of form senders for the server-side rate
limit.

``public_reports_view`` and ``public_cell_counts`` exposed true counts per month, group
and cell to the public role: both are dropped, and ``hotspots_public`` may read the
release tables and ``public_actions_view`` only.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import data.store.schema

revision = "issue27_releases"
down_revision = "issue20_forecast_evaluations"  # chained after the head on main
branch_labels = None
depends_on = None

PUBLIC_ROLE = "hotspots_public"
FROZEN = ("releases", "release_months", "release_cells")

GRANT = f"""
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    GRANT SELECT ON releases, release_months, release_cells, public_actions_view TO {PUBLIC_ROLE};
  END IF;
END $$"""

PG_FREEZE = """CREATE FUNCTION release_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published releases are frozen: % on % refused', TG_OP, TG_TABLE_NAME;
END $$"""


def _freeze(dialect: str) -> list[str]:
    out = [PG_FREEZE] if dialect == "postgresql" else []
    for table in FROZEN:
        if dialect == "postgresql":
            out.append(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION release_frozen()"
            )
        else:
            for op_name in ("UPDATE", "DELETE"):
                out.append(
                    f"CREATE TRIGGER {table}_frozen_{op_name.lower()} BEFORE {op_name} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'published releases are frozen'); END"
                )
    return out


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW public_cell_counts")
    op.execute("DROP VIEW public_reports_view")
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("record_key", sa.BigInteger(), nullable=True))
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("published_at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month"),
    )
    op.create_table(
        "release_months",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"]),
        sa.PrimaryKeyConstraint("release_id", "month"),
        sa.UniqueConstraint("month", "revision", name="uq_release_months_revision"),
    )
    op.create_table(
        "release_cells",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("unit", sa.String(length=120), nullable=False),
        sa.Column("category_group", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"]),
        sa.PrimaryKeyConstraint("release_id", "month", "unit", "category_group"),
    )
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_form_submissions_at", "form_submissions", ["at"], unique=False)
    for statement in _freeze(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(GRANT)


def downgrade() -> None:
    """Back to 0003: the release tables go (with the releases in them) and the views return."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in FROZEN:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        op.execute("DROP FUNCTION release_frozen()")
    op.drop_index("ix_form_submissions_at", table_name="form_submissions")
    op.drop_table("form_submissions")
    op.drop_table("release_cells")
    op.drop_table("release_months")
    op.drop_table("releases")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("record_key")
    spec = importlib.util.spec_from_file_location(
        "m0003", Path(__file__).with_name("0003_public_view_for_the_public_pages.py")
    )
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)  # type: ignore[union-attr]
    op.execute("DROP VIEW public_actions_view")
    for statement in previous._views():
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(previous.GRANT)
