"""Organisations become records with ids; users and actions reference the id

Revision ID: issue18_organisations
Revises: issue20_forecast_evaluations
Create Date: 2026-12-06

Before, users.organisation and actions.owner_org were free-text names and a partner's
right to edit an action was a string comparison ("ГО «Чисте місто»" never equalled
"Громадська організація «Чисте місто»"). Each distinct name already stored becomes one
organisation (kind from the action owner or the user's role); the name columns go.
"""

import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "issue18_organisations"
down_revision = "issue27_releases"
branch_labels = None
depends_on = None

ROLE_KIND = {"police": "police", "council": "council", "moderator": "council", "admin": "council"}
_QUOTES = re.compile(r"[«»“”„\"'’`]")


def _normalise(name: str) -> str:  # frozen copy of data.organisations.normalise
    return " ".join(_QUOTES.sub(" ", name).split()).casefold()


def _id(name: str) -> str:  # frozen copy of data.organisations.new_id
    return "org-" + hashlib.sha1(_normalise(name).encode("utf-8")).hexdigest()[:10]


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("name_uk", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # plain ALTERs, not batch mode: SQLite would rebuild the tables under the public views
    for table, column in (("actions", "owner_org_id"), ("users", "organisation_id")):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(50) "
            f"CONSTRAINT fk_{table}_{column} REFERENCES organisations (id)"
        )
    op.add_column("actions", sa.Column("partners", sa.Text(), nullable=True))
    bind = op.get_bind()
    found: dict[str, tuple[str, str]] = {}
    named = [("actions", "owner_org", "owner_org_id", "owner"), ("users", "organisation", "organisation_id", "role")]
    for table, column, _, kind_column in named:
        for value, kind in bind.execute(sa.text(f"SELECT {column}, {kind_column} FROM {table}")):
            if value and value.strip():
                found.setdefault(
                    _id(value),
                    (" ".join(value.split()), kind if table == "actions" else ROLE_KIND.get(kind, "community")),
                )
    for org_id, (name, kind) in found.items():
        bind.execute(
            sa.text("INSERT INTO organisations (id, name_uk, kind) VALUES (:i, :n, :k)"),
            {"i": org_id, "n": name, "k": kind},
        )
    for table, column, target, _ in named:
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        updates = [{"i": rid, "o": _id(value)} for rid, value in rows if value and value.strip()]
        if updates:
            bind.execute(sa.text(f"UPDATE {table} SET {target} = :o WHERE id = :i"), updates)
    op.execute("UPDATE actions SET partners = owner_org WHERE owner = 'community'")
    op.execute("ALTER TABLE actions DROP COLUMN owner_org")
    op.execute("ALTER TABLE users DROP COLUMN organisation")


def downgrade() -> None:
    op.add_column("actions", sa.Column("owner_org", sa.String(length=200), nullable=True))
    op.add_column("users", sa.Column("organisation", sa.String(length=200), nullable=True))
    op.execute("UPDATE actions SET owner_org = (SELECT name_uk FROM organisations o WHERE o.id = owner_org_id)")
    op.execute("UPDATE users SET organisation = (SELECT name_uk FROM organisations o WHERE o.id = organisation_id)")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_actions_owner_org_id", "actions", type_="foreignkey")
        op.drop_constraint("fk_users_organisation_id", "users", type_="foreignkey")
    op.execute("ALTER TABLE actions DROP COLUMN owner_org_id")
    op.execute("ALTER TABLE actions DROP COLUMN partners")
    op.execute("ALTER TABLE users DROP COLUMN organisation_id")
    op.drop_table("organisations")
