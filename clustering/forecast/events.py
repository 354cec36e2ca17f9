"""Reports as a forecast sees them: points in metres, times in days, cells of one study area.

Why a separate shape: every forecast method needs the same three things (where in
metres, when, which study-area cell), and the metric CRS and the time zone belong
to the city, so they are arguments here and nowhere a constant (DESIGN.md,
"Additions": the city profile feeds them).

Times are float days since 1970-01-01 UTC. A report whose time is only known as a
range carries ``start < end`` and is spread over the range by
:mod:`clustering.forecast.aoristic`; an exact report has ``start == end``.

Examples
--------
>>> import h3
>>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 1))
>>> grid = Grid.from_cells(cells, 9, "EPSG:32635")
>>> rep = pd.DataFrame({"lat": [47.566], "lon": [31.33],
...                     "occurred_at": pd.to_datetime(["2025-01-02T10:00Z"])})
>>> ev = prepare_events(rep, grid)
>>> int(ev.cell[0]) == cells.index(h3.latlng_to_cell(47.566, 31.33, 9)), round(float(ev.start[0]), 3)
(True, 20090.417)
>>> day_start("2025-01-03", "Etc/GMT-2")  # local midnight, 22:00 UTC the day before
20090.916666666668
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import h3
import numpy as np
import pandas as pd
from pyproj import Transformer

from ..binning import cell_positions

__all__ = ["Events", "Grid", "day_start", "prepare_events", "project", "to_days"]

_EPOCH = pd.Timestamp(0, tz="UTC")


@lru_cache(maxsize=8)
def _to_metric(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def project(lat: np.ndarray, lon: np.ndarray, crs: str) -> np.ndarray:
    """(n, 2) x, y in the metric ``crs`` (metres)."""
    x, y = _to_metric(crs).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def to_days(when: pd.Series | pd.DatetimeIndex | pd.Timestamp) -> np.ndarray:
    """Tz-aware times to float days since the Unix epoch (UTC)."""
    t = pd.to_datetime(when, utc=True)
    days = (t - _EPOCH) / pd.Timedelta(days=1)  # whatever the unit (pandas 3 infers us)
    return np.atleast_1d(np.asarray(days, dtype=float))


def day_start(day: str | pd.Timestamp, tz: str) -> float:
    """The first instant of a local calendar day in ``tz``, in epoch days."""
    local = pd.Timestamp(day).normalize()
    if local.tzinfo is None:
        local = local.tz_localize(tz)
    else:
        local = local.tz_convert(tz).normalize()
    return float(to_days(local)[0])


@dataclass(frozen=True)
class Grid:
    """The study area: H3 cells, their centres in the metric CRS, the cell area.

    Attributes
    ----------
    cells : Index of str
    xy : ndarray, shape (n, 2)
        Cell centres in metres.
    res : int
    crs : str
        Metric CRS of ``xy`` (e.g. the city's UTM zone).
    spacing_m : float
        Distance between neighbouring cell centres (sqrt(3) x edge length).
    """

    cells: pd.Index
    xy: np.ndarray
    res: int
    crs: str
    spacing_m: float

    @classmethod
    def from_cells(cls, cells: Sequence[str], res: int, crs: str) -> Grid:
        cells = pd.Index(list(cells), name="cell")
        centres = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
        xy = project(centres[:, 0], centres[:, 1], crs)
        spacing = float(np.sqrt(3.0) * h3.average_hexagon_edge_length(res, unit="m"))
        return cls(cells, xy, res, crs, spacing)

    def __len__(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class Events:
    """Reports inside the study area, in the arrays the methods use.

    Attributes
    ----------
    xy : ndarray, shape (n, 2)
        Metres in the grid's CRS.
    cell : ndarray of int
        Position of each report's cell in ``Grid.cells``.
    start, end : ndarray of float
        Epoch days; ``end > start`` for a time range (aoristic), else equal.
    n_outside : int
        Reports left out because their point is outside the study area.
    """

    xy: np.ndarray
    cell: np.ndarray
    start: np.ndarray
    end: np.ndarray
    n_outside: int = 0

    def __len__(self) -> int:
        return len(self.cell)

    def subset(self, mask: np.ndarray) -> Events:
        return Events(self.xy[mask], self.cell[mask], self.start[mask], self.end[mask], self.n_outside)


def prepare_events(reports: pd.DataFrame, grid: Grid) -> Events:
    """Project and bin located reports; ``occurred_to`` (optional) ends a time range.

    Parameters
    ----------
    reports : DataFrame
        ``lat``, ``lon``, ``occurred_at`` (tz-aware), optional ``occurred_to``.
    grid : Grid

    Returns
    -------
    Events
        Reports in the area, ordered by start time; ``n_outside`` counts the rest.
    """
    ok = reports["lat"].notna() & reports["lon"].notna() & reports["occurred_at"].notna()
    d = reports.loc[ok]
    lat, lon = d["lat"].to_numpy(float), d["lon"].to_numpy(float)
    pos = cell_positions(lat, lon, grid.res, grid.cells)
    start = to_days(d["occurred_at"])
    end = start.copy()
    if "occurred_to" in d.columns:
        to = d["occurred_to"]
        has = to.notna().to_numpy()
        end[has] = to_days(to[has])
        end = np.maximum(end, start)
    inside = pos >= 0
    xy = project(lat[inside], lon[inside], grid.crs)
    order = np.argsort(start[inside], kind="stable")
    return Events(
        xy[order], pos[inside][order], start[inside][order], end[inside][order], n_outside=int((~inside).sum())
    )
