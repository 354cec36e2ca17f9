"""Action tracking (progress, milestones, parent, cost, period, reject reason) and closed meetings

Revision ID: issue22_action_tracking
Revises: issue15_sessions
Create Date: 2026-12-06

Modelled on Decidim's accountability results (progress, timeline, parent roll-up) and its
meetings' closing record (minutes, attendees, attending organisations, proposals agreed).
The public views gain an action's progress and parent, the public milestones (month only)
and the public part of closed meetings; proposed and rejected actions stay private.
"""

import sqlalchemy as sa
from alembic import op

revision = "issue22_action_tracking"
down_revision = "issue15_sessions"
branch_labels = None
depends_on = None

PUBLIC_ROLE = "hotspots_public"
NEW_VIEWS = ("public_milestones_view", "public_meetings_view")


def _month(column: str, dialect: str) -> str:
    """The month (YYYY-MM) of a DATE column: SQLite stores dates as ISO text."""
    return f"to_char({column}, 'YYYY-MM')" if dialect == "postgresql" else f"substr({column}, 1, 7)"


def _views(dialect: str) -> list[str]:
    return [
        """CREATE VIEW public_actions_view AS
            SELECT id, cell, district, status, public_note, progress, parent_id, weight, meeting_id
            FROM actions
            WHERE status NOT IN ('proposed', 'rejected')""",
        f"""CREATE VIEW public_milestones_view AS
            SELECT m.id, m.action_id, {_month("m.on_date", dialect)} AS month, m.title, m.text
            FROM action_milestones m JOIN actions a ON a.id = m.action_id
            WHERE a.status NOT IN ('proposed', 'rejected')""",
        f"""CREATE VIEW public_meetings_view AS
            SELECT id, {_month("date", dialect)} AS month, attendees, public_summary,
                   (SELECT COUNT(*) FROM meeting_organisations o WHERE o.meeting_id = meetings.id) AS n_organisations
            FROM meetings
            WHERE closed_at IS NOT NULL""",
    ]


GRANT = f"""
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    GRANT SELECT ON public_actions_view, {", ".join(NEW_VIEWS)} TO {PUBLIC_ROLE};
  END IF;
END $$"""

OLD_ACTIONS_VIEW = """CREATE VIEW public_actions_view AS
            SELECT id, cell, district, status, public_note
            FROM actions
            WHERE status <> 'proposed'"""

ACTION_COLUMNS = (
    "progress INTEGER NOT NULL DEFAULT 0",
    "parent_id INTEGER CONSTRAINT fk_actions_parent_id REFERENCES actions (id)",
    "weight FLOAT",
    "cost FLOAT",
    "starts_on DATE",
    "ends_on DATE",
    "reject_reason TEXT",
)
MEETING_COLUMNS = ("closed_at TIMESTAMP", "closed_by VARCHAR(100)", "minutes TEXT", "public_summary TEXT")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW public_actions_view")
    # plain ALTERs, not batch mode: SQLite would rebuild the tables under the public views
    for column in ACTION_COLUMNS:
        op.execute(f"ALTER TABLE actions ADD COLUMN {column}")
    op.execute("UPDATE actions SET progress = 100 WHERE status = 'done'")  # finished before progress was kept
    stamp = "TIMESTAMP WITH TIME ZONE" if dialect == "postgresql" else "DATETIME"
    for column in MEETING_COLUMNS:
        op.execute(f"ALTER TABLE meetings ADD COLUMN {column.replace('TIMESTAMP', stamp)}")
    op.create_table(
        "action_milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_action_milestones_action_id", "action_milestones", ["action_id"])
    op.create_table(
        "meeting_organisations",
        sa.Column(
            "meeting_id", sa.String(length=50), sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("organisation_id", sa.String(length=50), sa.ForeignKey("organisations.id"), primary_key=True),
    )
    for statement in _views(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(GRANT)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for view in ("public_meetings_view", "public_milestones_view", "public_actions_view"):
        op.execute(f"DROP VIEW {view}")
    op.drop_table("meeting_organisations")
    op.drop_index("ix_action_milestones_action_id", "action_milestones")
    op.drop_table("action_milestones")
    if dialect == "postgresql":
        op.execute("ALTER TABLE actions DROP CONSTRAINT fk_actions_parent_id")
    for column in ACTION_COLUMNS:
        op.execute(f"ALTER TABLE actions DROP COLUMN {column.split()[0]}")
    for column in MEETING_COLUMNS:
        op.execute(f"ALTER TABLE meetings DROP COLUMN {column.split()[0]}")
    op.execute(OLD_ACTIONS_VIEW)
    if dialect == "postgresql":
        op.execute(f"""
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    GRANT SELECT ON public_actions_view TO {PUBLIC_ROLE};
  END IF;
END $$""")
