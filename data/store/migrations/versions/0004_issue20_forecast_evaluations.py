"""Stored back-tests of the forecast methods, with the store's version of the reports

Revision ID: issue20_forecast_evaluations
Revises: 0003
Create Date: 2026-12-06

``cli.py forecast --evaluate`` (after each import and at demo load) back-tests every
forecast method and keeps the table here; the police page reads the newest row for
its category instead of waiting for a back-test.
"""

import sqlalchemy as sa
from alembic import op

import data.store.schema

revision = "issue20_forecast_evaluations"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", data.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("res", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("winner", sa.String(length=30), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_forecast_evaluations_key", "forecast_evaluations", ["category", "res", "horizon_days"])


def downgrade() -> None:
    op.drop_index("ix_forecast_evaluations_key", table_name="forecast_evaluations")
    op.drop_table("forecast_evaluations")
