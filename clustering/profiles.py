"""When and where: hour x weekday and month profiles, district rates.

Patrol planning needs *when* (hour by weekday, in the city's local time (its
profile's time zone), whatever the UTC storage) and the council needs *which district*, as a rate per
1,000 residents so that big districts do not look worse just for being big.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-06-01T20:30Z"])})
>>> hw = hour_weekday(d, tz="Etc/GMT-3")  # UTC+3 (POSIX signs are inverted)
>>> hw.shape, int(hw.loc["Mon", 23])
((7, 24), 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ._project import city_tz

__all__ = ["WEEKDAYS", "district_rates", "hour_weekday", "hour_weekday_counts", "month_counts"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _local(df: pd.DataFrame, tz: str | None) -> pd.Series:
    t = pd.to_datetime(df["occurred_at"], utc=True).dropna()
    return t.dt.tz_convert(city_tz(tz))


def hour_weekday(df: pd.DataFrame, tz: str | None = None) -> pd.DataFrame:
    """7 x 24 report counts: rows Mon..Sun, columns hours 0..23, local time.

    Parameters
    ----------
    df : DataFrame
        ``occurred_at``, tz-aware (UTC); rows without a time are skipped.
    tz : str, optional
        Time zone shown (default: the city profile's; daylight saving handled).

    Returns
    -------
    DataFrame of int64, every cell present (zeros included).
    """
    t = _local(df, tz)
    counts = np.zeros((7, 24), dtype=np.int64)
    np.add.at(counts, (t.dt.day_of_week.to_numpy(), t.dt.hour.to_numpy()), 1)
    return pd.DataFrame(counts, index=pd.Index(WEEKDAYS, name="weekday"), columns=pd.RangeIndex(24, name="hour"))


def hour_weekday_counts(hour_of_week: pd.Series) -> pd.DataFrame:
    """:func:`hour_weekday` from counts per local hour of the week (0 = Monday 00:00 ... 167),
    as the store counts them.

    >>> hw = hour_weekday_counts(pd.Series({23: 2, 167: 1}))
    >>> int(hw.loc["Mon", 23]), int(hw.loc["Sun", 23]), int(hw.to_numpy().sum())
    (2, 1, 3)
    """
    counts = hour_of_week.reindex(range(7 * 24), fill_value=0).to_numpy(dtype=np.int64).reshape(7, 24)
    return pd.DataFrame(counts, index=pd.Index(WEEKDAYS, name="weekday"), columns=pd.RangeIndex(24, name="hour"))


def month_counts(
    df: pd.DataFrame, tz: str | None = None, start: str | None = None, end: str | None = None
) -> pd.Series:
    """Reports per calendar month (local time), every month in the range present.

    Examples
    --------
    >>> d = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-01-31T23:30Z", "2026-03-02T10:00Z"])})
    >>> month_counts(d).to_dict()
    {Period('2026-02', 'M'): 1, Period('2026-03', 'M'): 1}
    """
    months = _local(df, tz).dt.tz_localize(None).dt.to_period("M")
    if months.empty and (start is None or end is None):
        return pd.Series(dtype=np.int64, name="n")
    lo = pd.Period(start, "M") if start is not None else months.min()
    hi = pd.Period(end, "M") if end is not None else months.max()
    idx = pd.period_range(lo, hi, freq="M", name="month")
    return months.value_counts().reindex(idx, fill_value=0).astype(np.int64).rename("n")


def district_rates(
    df: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    name_col: str = "name",
    population_col: str = "population",
) -> pd.DataFrame:
    """Reports and reports per 1,000 residents per district.

    The district of a report is its ``district`` column when present and not
    null; otherwise the polygon of ``districts`` that contains its point.

    Parameters
    ----------
    df : DataFrame
        Reports with ``district`` and/or ``lat``, ``lon``.
    districts : (Geo)DataFrame
        ``name_col``, ``population_col`` and a ``geometry`` column of shapely
        polygons in lon/lat.

    Returns
    -------
    DataFrame
        ``district``, ``n``, ``population``, ``rate_per_1000``; every district
        listed (zeros included) plus a row ``None`` for reports that could not
        be placed (no district given, no point, or outside every polygon, or a
        given district that is not in ``districts``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> dist = pd.DataFrame({"name": ["A", "B"], "population": [1000, 2000],
    ...                      "geometry": [box(31.0, 47.0, 31.5, 47.5), box(31.5, 47.0, 32.0, 47.5)]})
    >>> rep = pd.DataFrame({"lat": [47.2, 47.2, 47.2], "lon": [31.2, 31.7, 31.7], "district": [None, None, "A"]})
    >>> district_rates(rep, dist)[["district", "n", "rate_per_1000"]].values.tolist()
    [['A', 2, 2.0], ['B', 1, 0.5]]
    """
    names = districts[name_col].astype(str).to_numpy()
    assigned = np.full(len(df), None, dtype=object)
    if "district" in df.columns:
        given = df["district"].notna().to_numpy()
        assigned[given] = df["district"].to_numpy(dtype=object)[given]
    todo = assigned == None  # noqa: E711 - element-wise on an object array
    if "lat" in df.columns:
        todo &= df["lat"].notna().to_numpy() & df["lon"].notna().to_numpy()
    else:
        todo[:] = False
    if todo.any():
        lat = df["lat"].to_numpy(float)[todo]
        lon = df["lon"].to_numpy(float)[todo]
        found = np.full(lat.size, None, dtype=object)
        for name, geom in zip(names, districts["geometry"]):
            hit = shapely.contains_xy(geom, lon, lat) & (found == None)  # noqa: E711 - object array
            found[hit] = name
        assigned[todo] = found
    counts = pd.Series(assigned, dtype=object).value_counts(dropna=False)
    out = pd.DataFrame({"district": names, "population": districts[population_col].to_numpy()})
    out["n"] = [int(counts.get(n, 0)) for n in names]
    out["rate_per_1000"] = np.where(out["population"] > 0, out["n"] / out["population"] * 1000.0, np.nan)
    known = set(names)
    unplaced = int(sum(1 for a in assigned if a not in known))
    if unplaced:
        out.loc[len(out)] = {"district": None, "population": np.nan, "n": unplaced, "rate_per_1000": np.nan}
    return out[["district", "n", "population", "rate_per_1000"]]
