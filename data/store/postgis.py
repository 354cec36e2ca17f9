"""Spatial queries of the store: in PostGIS on PostgreSQL, in Python on SQLite, one signature.

On PostgreSQL the work happens next to the data: ``reports.geom`` (kept in sync with
lat/lon by a trigger, migration 0002) is GiST-indexed, so a polygon, a bounding box or a
radius touches only the candidate rows, and ST_DWithin on geography measures metres on the
spheroid. SQLite has no spatial index: a lat/lon bounding box narrows the rows in SQL and
shapely / pyproj decide exactly, the same answer at a smaller scale (tests check both
backends agree). Polygons are in lon/lat (x = lon, y = lat, EPSG:4326), as GeoJSON is.

Every function takes an Engine, a Connection or a Session, so the importer can look for
duplicates inside its own transaction, where its uncommitted rows are visible.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import shapely
from psycopg import sql
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Connection, Engine, and_, func, literal_column, select
from sqlalchemy.orm import Session

from data.store.repo import report_filters
from data.store.schema import ReportRow

PUBLISHED = ("new", "verified")
PUBLIC_ROLE = "hotspots_public"
MAP_COLUMNS = ("id", "lat", "lon", "category", "occurred_at", "status", "h3_r9")
METRES_PER_DEGREE = 110_574.0  # the shortest degree on WGS84 (latitude, at the equator): the prefilter never cuts short
_GEOD = Geod(ellps="WGS84")
_GEOM = literal_column("reports.geom")
_GEOG = literal_column("reports.geom::geography")

Bind = Engine | Connection | Session


@dataclass(frozen=True)
class Neighbour:
    """A stored report near a point: how far (metres, on the WGS84 spheroid) and when."""

    id: int
    distance_m: float
    occurred_at: datetime


@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    """The caller's connection when it has one (its transaction, its uncommitted rows)."""
    if isinstance(bind, Session):
        yield bind.connection()
    elif isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def _filters(
    start: datetime | None,
    end: datetime | None,
    categories: Sequence[str] | None,
    statuses: Sequence[str],
    include_duplicates: bool,
) -> list[ColumnElement[bool]]:
    """The same report filter as repo.reports_frame: published, not a duplicate, placed."""
    return report_filters(start, end, categories, statuses, include_duplicates, located_only=True)


def _degree_box(lat: float, radius_m: float) -> tuple[float, float]:
    """Half-sizes in degrees of a box that surely contains the circle (for the SQLite prefilter)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    return dlat, dlon


def reports_in_polygon(
    bind: Bind,
    polygon: BaseGeometry,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    statuses: Sequence[str] = PUBLISHED,
    include_duplicates: bool = False,
) -> list[int]:
    """Ids of the reports strictly inside ``polygon`` (a microdistrict, a drawn area), ascending."""
    conds = _filters(start, end, categories, statuses, include_duplicates)
    with _connection(bind) as conn:
        if conn.dialect.name == "postgresql":
            area = func.ST_GeomFromText(polygon.wkt, 4326)
            query = select(ReportRow.id).where(and_(*conds, func.ST_Contains(area, _GEOM))).order_by(ReportRow.id)
            return list(conn.scalars(query))
        west, south, east, north = polygon.bounds
        box = [ReportRow.lat.between(south, north), ReportRow.lon.between(west, east)]
        rows = conn.execute(select(ReportRow.id, ReportRow.lat, ReportRow.lon).where(and_(*conds, *box))).all()
    if not rows:
        return []
    ids, lats, lons = (np.asarray(col) for col in zip(*rows, strict=True))
    inside = shapely.contains_xy(polygon, lons.astype(float), lats.astype(float))
    return sorted(int(i) for i in ids[inside])


def reports_near(
    bind: Bind,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    around: datetime,
    hours: float,
    categories: Sequence[str] | None = None,
    statuses: Sequence[str] = PUBLISHED,
    include_duplicates: bool = False,
) -> list[Neighbour]:
    """Reports within ``radius_m`` metres of the point and ``hours`` of ``around``, nearest first.

    The candidate set of duplicate detection: the same place, close in time.
    """
    window = timedelta(hours=hours)
    conds = _filters(around - window, None, categories, statuses, include_duplicates)
    conds.append(ReportRow.occurred_at <= around + window)
    with _connection(bind) as conn:
        if conn.dialect.name == "postgresql":
            point = func.geography(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326))
            distance = func.ST_Distance(_GEOG, point)
            query = (
                select(ReportRow.id, distance.label("distance_m"), ReportRow.occurred_at)
                .where(and_(*conds, func.ST_DWithin(_GEOG, point, radius_m)))
                .order_by(distance, ReportRow.id)
            )
            return [Neighbour(int(i), float(d), t) for i, d, t in conn.execute(query)]
        dlat, dlon = _degree_box(lat, radius_m)
        box = [ReportRow.lat.between(lat - dlat, lat + dlat), ReportRow.lon.between(lon - dlon, lon + dlon)]
        rows = conn.execute(
            select(ReportRow.id, ReportRow.lat, ReportRow.lon, ReportRow.occurred_at).where(and_(*conds, *box))
        ).all()
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["id", "lat", "lon", "occurred_at"])
    n = len(frame)
    _, _, dist = _GEOD.inv(np.full(n, lon), np.full(n, lat), frame["lon"].to_numpy(), frame["lat"].to_numpy())
    frame["distance_m"] = dist
    frame = frame[frame["distance_m"] <= radius_m].sort_values(["distance_m", "id"])
    return [Neighbour(int(r.id), float(r.distance_m), r.occurred_at) for r in frame.itertuples()]


def reports_in_bbox(
    bind: Bind,
    *,
    south: float,
    west: float,
    north: float,
    east: float,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    statuses: Sequence[str] = PUBLISHED,
    include_duplicates: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """The points the map's current view shows (borders included), newest first, at most ``limit``."""
    conds = _filters(start, end, categories, statuses, include_duplicates)
    # the exact test on both backends; on PostgreSQL && adds the GiST index, whose float4
    # boxes are rounded outwards (alone it would let in points a few centimetres outside)
    conds += [ReportRow.lat.between(south, north), ReportRow.lon.between(west, east)]
    with _connection(bind) as conn:
        if conn.dialect.name == "postgresql":
            conds.append(_GEOM.op("&&")(func.ST_MakeEnvelope(west, south, east, north, 4326)))
        columns = [getattr(ReportRow, c) for c in MAP_COLUMNS]
        query = select(*columns).where(and_(*conds)).order_by(ReportRow.occurred_at.desc(), ReportRow.id.desc())
        rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    frame = pd.DataFrame(rows, columns=list(MAP_COLUMNS))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def cell_counts(
    bind: Bind,
    *,
    resolution: int = 9,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    statuses: Sequence[str] = PUBLISHED,
) -> dict[str, int]:
    """Reports per H3 cell (the hotspot map's input), counted by the database, not in pandas."""
    if resolution not in (7, 8, 9, 10):
        raise ValueError(f"the store keeps H3 cells at resolutions 7-10, not {resolution}")
    cell = getattr(ReportRow, f"h3_r{resolution}")
    conds = _filters(start, end, categories, statuses, include_duplicates=False)
    query = select(cell, func.count()).where(and_(*conds, cell.is_not(None))).group_by(cell)
    with _connection(bind) as conn:
        return {str(c): int(n) for c, n in conn.execute(query)}


def enable_public_login(engine: Engine, password: str) -> None:
    """Let the public pages connect as ``hotspots_public`` (PostgreSQL only).

    The migration creates the role NOLOGIN, so no password ever sits in a migration; the
    operator turns the login on with a secret from the environment (docs/OPERATIONS.md).
    """
    if engine.dialect.name != "postgresql":
        raise ValueError("database roles exist only on PostgreSQL; SQLite relies on layers/ alone")
    statement = sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(PUBLIC_ROLE), sql.Literal(password))
    with engine.begin() as conn:
        # ALTER ROLE takes no bind parameters: psycopg quotes the literal for the server.
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute(statement)
