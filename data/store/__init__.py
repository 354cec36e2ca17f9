"""The store: SQLAlchemy models, Alembic migrations and the repository functions.

SQLite in ``var/`` by default; ``DATABASE_URL`` switches to PostgreSQL/PostGIS. Every
entry point calls :func:`open_store`, which brings the schema up to date itself.
"""

from data.store.db import DEFAULT_URL, database_url, open_store

__all__ = ["DEFAULT_URL", "database_url", "open_store"]
