"""Import batches keep their whole accounting: in-file repeats, truncations, problems

Revision ID: issue16_batch_accounting
Revises: issue20_forecast_evaluations
Create Date: 2026-12-06

``read = imported + duplicates + quarantined + already_imported`` is stored with every
batch (the last term in ``n_already_known``); the new columns say how many duplicates
were copies inside the file, how many texts were cut at the length bound, and why a
file could not be read to its end (empty when it was).
"""

import sqlalchemy as sa
from alembic import op

revision = "issue16_batch_accounting"
down_revision = "issue27_releases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("n_repeats", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("n_truncated", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("problems", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("problems")
        batch.drop_column("n_truncated")
        batch.drop_column("n_repeats")
