"""Alembic environment: runs on the connection handed over by data.store.db.upgrade."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from data.store.db import database_url
from data.store.schema import Base

config = context.config
target_metadata = Base.metadata


# Objects that migrations create outside the models (PostGIS column, indexes, views, the
# extension's table): autogenerate must not propose to drop them.
NOT_IN_MODELS = {
    "geom",
    "ix_reports_geom",
    "ix_reports_geog",
    "spatial_ref_sys",
    "public_reports_view",
    "public_cell_counts",
    "public_actions_view",
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    return not (reflected and compare_to is None and name in NOT_IN_MODELS)


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = engine_from_config({"sqlalchemy.url": database_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        run(conn)
        conn.commit()
