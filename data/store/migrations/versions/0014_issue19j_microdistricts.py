"""Each report's microdistrict as a column, back-filled, with an index for the council's counts

Revision ID: issue19j_microdistricts
Revises: issue25e_reads_at_scale
Create Date: 2026-12-07

The council page split every report of the history into microdistricts by
point-in-polygon on each new store version. The microdistrict is a property of the point,
like its H3 cells: stored once (data/store/microdistricts.py), the database groups by it.
The back-fill uses the districts of the city profile's gazetteer file when it exists and
records their fingerprint; without the file (a profile whose gazetteer is not built yet)
the first ``ensure_microdistricts`` derives them.
"""

import json
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from alembic import op

from data.city_profile import profile
from data.store.microdistricts import CHUNK, SETTING, district_of, fingerprint

revision = "issue19j_microdistricts"
down_revision = "issue25e_reads_at_scale"
branch_labels = None
depends_on = None

INDEX = ["microdistrict", "month_local", "category", "status", "duplicate_of", "lat"]


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of the table on SQLite would drop its triggers (0010)
    op.add_column("reports", sa.Column("microdistrict", sa.String(100), nullable=True))
    op.create_index("ix_reports_microdistrict_counts", "reports", INDEX)
    path = profile().gazetteer
    if path is None or not Path(path).is_file():
        return
    districts = [
        (d["id"], [tuple(p) for p in d["polygon"]]) for d in json.loads(Path(path).read_text("utf-8"))["districts"]
    ]
    bind = op.get_bind()
    reports = sa.table(
        "reports", sa.column("id", sa.Integer), sa.column("lat"), sa.column("lon"), sa.column("microdistrict")
    )
    rows = bind.execute(
        sa.select(reports.c.id, reports.c.lat, reports.c.lon).where(
            reports.c.lat.is_not(None), reports.c.lon.is_not(None)
        )
    ).all()
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        ids = district_of(np.array([r[1] for r in part]), np.array([r[2] for r in part]), districts)
        bind.execute(
            reports.update().where(reports.c.id == sa.bindparam("rid")).values(microdistrict=sa.bindparam("value")),
            [{"rid": r[0], "value": v} for r, v in zip(part, ids, strict=True)],
        )
    settings = sa.table("store_settings", sa.column("key", sa.String), sa.column("value", sa.String))
    bind.execute(settings.delete().where(settings.c.key == SETTING))
    bind.execute(settings.insert().values(key=SETTING, value=fingerprint(districts)))


def downgrade() -> None:
    op.drop_index("ix_reports_microdistrict_counts", table_name="reports")
    op.execute("ALTER TABLE reports DROP COLUMN microdistrict")  # native on SQLite >= 3.35 too
    op.execute(f"DELETE FROM store_settings WHERE key = '{SETTING}'")
