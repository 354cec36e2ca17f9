"""Keep each report's microdistrict (``reports.microdistrict``) in the city profile's districts.

The council counts reports per microdistrict, month and category. Splitting every report
of the history by point-in-polygon on each new store version cost the council page most of
its time; the microdistrict is a property of the point, like its H3 cells, so the store
keeps it and the database groups by it (:func:`district_month_counts`).

A report's value is the id of the first district (in the profile's order) whose polygon
contains its point, ``""`` when it lies outside all of them, NULL when it has no point or
was stored by a path that did not derive it. The polygons come from the gazetteer (a
higher layer), so its callers pass them in. The store records a fingerprint of the
districts it derived with (``store_settings.microdistricts``); :func:`ensure_microdistricts`
re-derives every located report when the districts change, and otherwise only fills the
reports still without one (an indexed look-up that finds none on a current store), as
data/store/localtime.py does for ``month_local`` when the time zone changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from shapely import contains_xy
from shapely.geometry import Polygon
from sqlalchemy import Engine, and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from data.store.repo import report_filters
from data.store.schema import ReportRow, StoreSettingRow

SETTING = "microdistricts"
#: the value of a located report outside every district
OUTSIDE = ""
#: (district id, polygon ring as (lon, lat) pairs), in the profile's order
Districts = Sequence[tuple[str, Sequence[tuple[float, float]]]]
#: reports read and written at a time when deriving
CHUNK = 50_000


def district_of(lat: np.ndarray, lon: np.ndarray, districts: Districts) -> np.ndarray:
    """The microdistrict id of each point (:data:`OUTSIDE` outside all; the first district
    in order wins where polygons overlap): the rule the council's row path applied."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    out = np.full(len(x), OUTSIDE, dtype=object)
    for district_id, ring in districts:
        inside = contains_xy(Polygon(ring), x, y)
        out[inside & (out == OUTSIDE)] = district_id
    return out


def fingerprint(districts: Districts) -> str:
    """What the stored values were derived from: the ids, their order and their polygons."""
    data = json.dumps([[d, [list(map(float, p)) for p in ring]] for d, ring in districts])
    return hashlib.sha256(data.encode()).hexdigest()


def ensure_microdistricts(engine: Engine, districts: Districts) -> int:
    """Derive ``microdistrict`` where it is missing, or for every located report when the
    districts changed since the last derivation; returns how many reports were written."""
    wanted = fingerprint(districts)
    with Session(engine) as session:
        stored = session.scalar(select(StoreSettingRow.value).where(StoreSettingRow.key == SETTING))
        if stored == wanted:
            missing = session.scalar(select(ReportRow.id).where(_underived()).limit(1))
            if missing is None:
                return 0
    try:
        return _derive(engine, districts, wanted, everything=stored != wanted)
    except IntegrityError:  # another process recorded the same districts first: it derived them
        return 0


def _derive(engine: Engine, districts: Districts, wanted: str, *, everything: bool) -> int:
    """One transaction: the values (only those that change are written), then the fingerprint."""
    written = 0
    with Session(engine) as session, session.begin():
        located = and_(ReportRow.lat.is_not(None), ReportRow.lon.is_not(None))
        query = select(ReportRow.id, ReportRow.lat, ReportRow.lon, ReportRow.microdistrict).where(
            located if everything else _underived()
        )
        rows = session.execute(query).all()
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            ids = district_of(np.array([r[1] for r in part]), np.array([r[2] for r in part]), districts)
            changed = [{"rid": r[0], "value": v} for r, v in zip(part, ids, strict=True) if r[3] != v]
            if changed:
                session.execute(
                    update(ReportRow.__table__)
                    .where(ReportRow.__table__.c.id == bindparam("rid"))
                    .values(microdistrict=bindparam("value")),
                    changed,
                )
            written += len(changed)
        setting = session.get(StoreSettingRow, SETTING)
        if setting is None:
            session.add(StoreSettingRow(key=SETTING, value=wanted))
        elif setting.value != wanted:
            setting.value = wanted
    return written


def _underived() -> ColumnElement[bool]:
    """Located reports without a microdistrict (stored by a path that did not derive it)."""
    return and_(ReportRow.microdistrict.is_(None), ReportRow.lat.is_not(None), ReportRow.lon.is_not(None))


def district_month_counts(engine: Engine, statuses: Sequence[str] = ("new", "verified")) -> pd.DataFrame:
    """Counted, located reports (not rejected, not duplicates) per ``district`` (id or
    :data:`OUTSIDE`), ``month`` (city time) and ``category``, with ``n``: the database counts."""
    keys = [
        ReportRow.microdistrict.label("district"),
        ReportRow.month_local.label("month"),
        ReportRow.category.label("category"),
    ]
    conds = report_filters(None, None, None, statuses, include_duplicates=False, located_only=True)
    query = select(*keys, func.count().label("n")).where(and_(*conds)).group_by(*keys)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["district", "month", "category", "n"])
    return frame.astype({"n": "int64"})
