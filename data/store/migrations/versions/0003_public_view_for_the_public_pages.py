"""The public view carries what the public pages need, and no point, time or text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The public pages now read ``public_reports_view`` instead of ``reports`` (on PostgreSQL
through the ``hotspots_public`` role when ``PUBLIC_DATABASE_URL`` is set), so the view
gains what the privacy rules of layers/privacy.py need: the report id (it never leaves
the server), the category, the geocoding level (district-level answers are pooled), the
duplicate flag and the public "what was done" note, and the month in city time from a
new column ``reports.month_local`` (SQLite has no time zones; the store fills it on
insert). Still no text, no point, no time finer than a month, no reporter.
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from data.city_profile import city_zone

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PUBLIC_ROLE = "hotspots_public"
CATEGORY_GROUPS = {  # frozen copy (see 0002); tests/test_store_postgres.py checks it
    "litter": "cleanliness",
    "greenery": "cleanliness",
    "parking": "traffic",
    "graffiti": "infrastructure",
    "vandalism": "infrastructure",
    "lighting": "infrastructure",
    "unsafe_yard": "infrastructure",
    "noise": "disorder",
    "drinking": "disorder",
    "animals": "animals",
    "other": "other",
}


def _views() -> list[str]:
    groups = " ".join(f"WHEN '{slug}' THEN '{group}'" for slug, group in CATEGORY_GROUPS.items())
    return [
        f"""CREATE VIEW public_reports_view AS
            SELECT id, month_local AS month, category,
                   CASE category {groups} ELSE 'other' END AS category_group,
                   h3_r8, level, status,
                   CASE WHEN duplicate_of IS NULL THEN 0 ELSE 1 END AS is_duplicate,
                   status_note
            FROM reports
            WHERE h3_r8 IS NOT NULL AND status IN ('new', 'verified')""",
        """CREATE VIEW public_actions_view AS
            SELECT id, cell, district, status, public_note
            FROM actions
            WHERE status <> 'proposed'""",
        """CREATE VIEW public_cell_counts AS
            SELECT month, category_group, h3_r8, COUNT(*) AS n
            FROM public_reports_view
            WHERE is_duplicate = 0
            GROUP BY month, category_group, h3_r8""",
    ]


GRANT = f"""
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    GRANT SELECT ON public_reports_view, public_cell_counts, public_actions_view TO {PUBLIC_ROLE};
  END IF;
END $$"""


def _backfill() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, occurred_at FROM reports")).all()
    updates = []
    for rid, when in rows:
        if isinstance(when, str):
            from datetime import datetime

            when = datetime.fromisoformat(when)
        if when is not None:
            aware = when if when.tzinfo else when.replace(tzinfo=UTC)
            updates.append({"id": rid, "m": aware.astimezone(city_zone()).strftime("%Y-%m")})
    if updates:
        bind.execute(sa.text("UPDATE reports SET month_local = :m WHERE id = :id"), updates)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW public_cell_counts")
    op.execute("DROP VIEW public_reports_view")
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("month_local", sa.String(length=7), nullable=True))
    _backfill()
    for statement in _views():
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(GRANT)


def downgrade() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("m0002", Path(__file__).with_name("0002_postgis_public_views.py"))
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)  # type: ignore[union-attr]
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW public_actions_view")
    op.execute("DROP VIEW public_cell_counts")
    op.execute("DROP VIEW public_reports_view")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("month_local")
    for statement in previous._views(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(previous.ROLE_UP)
