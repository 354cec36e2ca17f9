"""Store settings: the time zone reports.month_local was derived in

Revision ID: issue25_store_settings
Revises: issue22_action_tracking
Create Date: 2026-12-06

No row is written here: with none recorded, the next open of the store re-derives every
report's month in the city's time zone and records it (data/store/localtime.py), so a
later change of the zone is seen and re-derived too.
"""

import sqlalchemy as sa
from alembic import op

revision = "issue25_store_settings"
down_revision = "issue19a_store_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_settings",
        sa.Column("key", sa.String(length=50), primary_key=True),
        sa.Column("value", sa.String(length=200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_settings")
