"""PostGIS point column, public views and the read-only public role

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

On PostgreSQL: the postgis extension; ``reports.geom geometry(Point, 4326)`` filled from
lat/lon by a trigger, so every writer (the ORM, raw SQL, COPY, a moderator's psql session)
keeps it in sync and no application code has to remember it; a GiST index on the geometry
(polygons, bounding boxes) and one on its geography cast (ST_DWithin in metres for
duplicate detection); the NOLOGIN role ``hotspots_public`` allowed to read the public
views and nothing else.

On both backends: ``public_reports_view`` (month, category group, H3 r8 cell, status of
each published report; no text, no point, no reporter) and ``public_cell_counts`` (the
same, counted per month, group and cell). SQLite has no roles: there the views are a
convenience and the privacy rules in layers/ are the only barrier.

The category -> public group mapping is frozen here on purpose (a migration must not
change when code changes); tests/test_store_postgres.py checks it against
data/categories.py, so a taxonomy change fails the tests until a migration recreates the
view. A later migration that rebuilds ``reports`` on SQLite (batch mode) must drop and
recreate these views around the rebuild.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PUBLIC_ROLE = "hotspots_public"
CATEGORY_GROUPS = {
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
MONTH_SQL = {
    "postgresql": "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', occurred_at)",
}


def _views(dialect: str) -> list[str]:
    """Only published reports (new or verified, not a duplicate, placed on a cell) are public."""
    groups = " ".join(f"WHEN '{slug}' THEN '{group}'" for slug, group in CATEGORY_GROUPS.items())
    return [
        f"""CREATE VIEW public_reports_view AS
            SELECT {MONTH_SQL[dialect]} AS month,
                   CASE category {groups} ELSE 'other' END AS category_group,
                   h3_r8,
                   status
            FROM reports
            WHERE status IN ('new', 'verified') AND duplicate_of IS NULL AND h3_r8 IS NOT NULL""",
        """CREATE VIEW public_cell_counts AS
            SELECT month, category_group, h3_r8, COUNT(*) AS n
            FROM public_reports_view
            GROUP BY month, category_group, h3_r8""",
    ]


POSTGIS_UP = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "ALTER TABLE reports ADD COLUMN geom geometry(Point, 4326)",
    # FROM CURRENT pins the search_path that finds PostGIS now, whatever the caller's is later.
    """CREATE FUNCTION reports_sync_geom() RETURNS trigger LANGUAGE plpgsql
       SET search_path FROM CURRENT AS $$
       BEGIN
         IF NEW.lat IS NULL OR NEW.lon IS NULL THEN
           NEW.geom := NULL;
         ELSE
           NEW.geom := ST_SetSRID(ST_MakePoint(NEW.lon, NEW.lat), 4326);
         END IF;
         RETURN NEW;
       END $$""",
    # geom is listed too, so a direct write to it is overruled by lat/lon, the source of truth.
    """CREATE TRIGGER reports_sync_geom BEFORE INSERT OR UPDATE OF lat, lon, geom ON reports
       FOR EACH ROW EXECUTE FUNCTION reports_sync_geom()""",
    "UPDATE reports SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326) WHERE lat IS NOT NULL AND lon IS NOT NULL",
    "CREATE INDEX ix_reports_geom ON reports USING gist (geom)",
    "CREATE INDEX ix_reports_geog ON reports USING gist ((geom::geography))",
]

# Roles belong to the cluster, not the database: create it once, tolerate a parallel
# creator, and leave it to a DBA (with a notice) when the migrating user may not create roles.
ROLE_UP = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
      BEGIN
        CREATE ROLE {PUBLIC_ROLE} NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
    ELSE
      RAISE NOTICE 'role {PUBLIC_ROLE} not created: % may not create roles (see docs/OPERATIONS.md)', current_user;
    END IF;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    GRANT SELECT ON public_reports_view, public_cell_counts TO {PUBLIC_ROLE};
  END IF;
END $$"""

ROLE_DOWN = f"""
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{PUBLIC_ROLE}') THEN
    REVOKE ALL ON public_reports_view, public_cell_counts FROM {PUBLIC_ROLE};
  END IF;
END $$"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in POSTGIS_UP:
            op.execute(statement)
    for statement in _views(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(ROLE_UP)


def downgrade() -> None:
    """The role and the extension stay: other databases of the cluster may use them."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(ROLE_DOWN)
    op.execute("DROP VIEW public_cell_counts")
    op.execute("DROP VIEW public_reports_view")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER reports_sync_geom ON reports")
        op.execute("DROP FUNCTION reports_sync_geom()")
        op.execute("DROP INDEX ix_reports_geog")
        op.execute("DROP INDEX ix_reports_geom")
        op.execute("ALTER TABLE reports DROP COLUMN geom")
