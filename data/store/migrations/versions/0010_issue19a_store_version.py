"""The store's version: a number that grows with every write to the data pages are built from

Revision ID: issue19a_store_version
Revises: issue22_action_tracking
Create Date: 2026-12-06

Pages cache their statistics and map layers per store version (issue 19), so the version
must change on every insert, update or delete, whoever writes (the app, the CLI, an import
worker, plain SQL, PostgreSQL's COPY). Database triggers do that on both backends:

- SQLite has one writer at a time: a one-row table ``store_version`` counted up by row
  triggers inside the writing transaction (readers see the new number with the data).
- PostgreSQL: statement triggers draw from the sequence ``store_version_seq``. A sequence
  takes no row lock, so concurrent writers never wait on (or deadlock over) the version.
  The number moves when a statement runs, before its transaction commits; a reader in that
  short window may cache the old data under the new number, which is why the page caches
  also carry a time limit (ui/cache.py).

Sessions, sign-in counters, the audit log, edit locks, users and form rate limits are not
watched: they change on every visit and feed no cached result.
"""

from alembic import op

revision = "issue19a_store_version"
down_revision = "issue22_action_tracking"
branch_labels = None
depends_on = None

#: the tables whose writes change what a page computes
WATCHED = (
    "reports",
    "import_batches",
    "quarantine",
    "reporter_contacts",
    "meetings",
    "meeting_organisations",
    "survey_responses",
    "organisations",
    "actions",
    "action_milestones",
    "releases",
    "release_months",
    "release_cells",
    "forecast_evaluations",
)
PG_BUMP = """CREATE FUNCTION store_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('store_version_seq');
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE store_version_seq")
        op.execute(PG_BUMP)
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_store_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION store_version_bump()"
            )
        return
    op.execute("CREATE TABLE store_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)")
    op.execute("INSERT INTO store_version (id, n) VALUES (1, 0)")
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_store_version_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE store_version SET n = n + 1 WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_store_version ON {table}")
        op.execute("DROP FUNCTION store_version_bump()")
        op.execute("DROP SEQUENCE store_version_seq")
        return
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_store_version_{event}")
    op.execute("DROP TABLE store_version")
