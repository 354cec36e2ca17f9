"""Every privacy rule of the public outputs, in one place (DESIGN.md "Privacy rules").

The public map, the public tables, the CSV/GeoJSON downloads and the Open311
``requests.json`` feed are all built from :func:`public_counts` /
:func:`open311_requests`; nothing public is computed anywhere else, so a rule changed
here changes every public output at once.

Rules
-----
* Units: H3 cells at resolution 8 only (mixing resolutions would let a parent minus its
  children reveal what was suppressed) and the city's microdistricts.
* Time: a single calendar month or a fixed calendar quarter (Europe/Kyiv time), nothing
  finer; the period must have ended at least :data:`PUBLICATION_LAG` (7 days) before
  ``now``.
* Categories: one fixed group of data/categories.py, or all groups together.
* Counted: reports that are not rejected and not duplicates (``duplicate_of`` set:
  the original is counted, the copy never). Reports without a point are not counted.
* Address guard (police.uk's 8-address rule): a cell with fewer than
  :data:`MIN_ADDRESSES` addresses (``address_counts`` from the gazetteer; a real extract
  without addresses counts buildings) is never published on its own; its reports are
  pooled into the "rest of the microdistrict" unit, together with reports geocoded only
  to a district. Cells belong to the microdistrict that holds their centre.
* No text, no report points, no times: the outputs carry unit ids, counts and flags.
  "Fewer than k" means 1..k-1 reports; units with none are simply absent.
* Surveys: district results need at least :data:`MIN_SURVEY_N` answers (per wave, and in
  both waves for a change).

How suppressed counts stay unrecoverable (the method)
-----------------------------------------------------
Suppression is decided on *atoms*: (unit, month, group). An atom with ``n >= k(group)``
is *shown*; an atom with ``1 <= n < k`` is *suppressed* and only ever appears as a "fewer
than k" flag. Every published figure is built from one per-(unit, group) value ``V``:

* for a single month, ``V`` is the atom itself when shown, else nothing;
* for a quarter, let ``Q`` be the unit's true count for the group over the three months
  and ``S`` the sum of its shown monthly atoms (the figures the month views publish), so
  ``R = Q - S`` is what the suppressed months hold. ``V = Q`` when ``Q >= k`` and ``R`` is
  0 or at least k, else ``V = S``. Hence "quarter minus its months" yields 0 or a sum
  of at least k reports spread over at least two suppressed months: never one hidden
  count (a single suppressed month would make ``R < k``);
* "all groups" is, per unit, the sum of the groups' ``V`` (each already at least its own
  group's k): "all groups minus one group" yields only published figures;
* a microdistrict total and the city total are the sums of the unit figures shown in the
  same table: "district minus its cells" yields the shown rest-of-district unit or 0.

So every difference an outsider can form between published tables is 0, a published
figure, or a sum of at least k reports; no count between 1 and k-1 can be recovered.
tests/test_layers_privacy.py checks exactly these identities on random data, and that
month tables do not change at all when a suppressed atom moves within 1..k-1. The price
is that totals undercount: reports in suppressed atoms may be in no total; the ``partial``
flag and the public method text ("How this map is made") say so.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pandas as pd
from shapely import contains_xy
from shapely.geometry import Polygon

from data.categories import CATEGORIES, GROUPS

CITY_TZ = ZoneInfo("Europe/Kyiv")
PUBLIC_RES = 8
MIN_ADDRESSES = 8
PUBLICATION_LAG = timedelta(days=7)
MIN_SURVEY_N = 30
COUNTED_STATUSES = frozenset({"new", "verified"})
REST_PREFIX = "rest:"
OUTSIDE_DISTRICTS = ""  # district id of cells whose centre lies in no microdistrict
GROUP_K = {slug: g.k for slug, g in GROUPS.items()}


class PrivacyError(ValueError):
    """A request the public privacy rules do not allow (wrong period, group, lag...)."""


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month in city time: the finest public time unit."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and isinstance(self.month, int)):
            raise PrivacyError("Month(year, month) takes integers")
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2100:
            raise PrivacyError(f"no such month: {self.year}-{self.month}")

    @property
    def months(self) -> tuple[Month, ...]:
        return (self,)

    @property
    def key(self) -> int:
        return self.year * 100 + self.month

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=CITY_TZ)

    @property
    def end(self) -> datetime:
        """First instant after the month (exclusive end)."""
        nxt = Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)
        return nxt.start

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)


@dataclass(frozen=True, order=True)
class Quarter:
    """A fixed calendar quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec), never a sliding window."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and isinstance(self.quarter, int)):
            raise PrivacyError("Quarter(year, quarter) takes integers")
        if not 1 <= self.quarter <= 4 or not 2000 <= self.year <= 2100:
            raise PrivacyError(f"no such quarter: {self.year}-Q{self.quarter}")

    @property
    def months(self) -> tuple[Month, ...]:
        first = 3 * (self.quarter - 1) + 1
        return tuple(Month(self.year, m) for m in range(first, first + 3))

    @property
    def start(self) -> datetime:
        return self.months[0].start

    @property
    def end(self) -> datetime:
        return self.months[-1].end

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)


Period = Month | Quarter


def parse_period(text: str) -> Period:
    """'2026-03' -> Month, '2026-Q1' -> Quarter; anything else (weeks, dates, ranges) is refused."""
    parts = str(text).strip().upper().split("-")
    if len(parts) == 2 and parts[0].isdigit():
        year, rest = int(parts[0]), parts[1]
        if rest.startswith("Q") and rest[1:].isdigit() and len(rest) == 2:
            return Quarter(year, int(rest[1:]))
        if rest.isdigit() and len(rest) == 2:
            return Month(year, int(rest))
    raise PrivacyError(f"public periods are single months (YYYY-MM) or quarters (YYYY-Qn), not {text!r}")


def check_period(period: object, now: datetime) -> Period:
    """The period itself, if it may be published at `now`; raises PrivacyError otherwise."""
    if not isinstance(period, Month | Quarter):
        raise PrivacyError(f"public periods are a Month or a fixed Quarter, not {type(period).__name__}")
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise PrivacyError("now must be a timezone-aware datetime")
    if now - period.end < PUBLICATION_LAG:
        raise PrivacyError(
            f"{period.label} ends {period.end:%Y-%m-%d}: public figures lag at least "
            f"{PUBLICATION_LAG.days} days, so it can be published from {period.end + PUBLICATION_LAG:%Y-%m-%d}"
        )
    return period


def check_group(group: object) -> str | None:
    """None (all groups) or one fixed group slug; single categories and lists are refused."""
    if group is None or (isinstance(group, str) and group in GROUPS):
        return group
    raise PrivacyError(f"public category filters are the fixed groups {sorted(GROUPS)} or None, not {group!r}")


def public_k(group: str | None) -> int:
    """The group's k; for all groups together the smallest k: an all-groups figure is a sum
    of group counts that each passed their own group's k (10 for person-linked groups)."""
    return GROUPS[group].k if group is not None else min(g.k for g in GROUPS.values())


def latest_publishable_month(now: datetime) -> Month:
    """The newest month that the lag allows at `now` (what the public map opens on)."""
    local = now.astimezone(CITY_TZ)
    month = Month(local.year, local.month)
    while now - month.end < PUBLICATION_LAG:
        month = month.previous()
    return month


# --- units ---------------------------------------------------------------------------


def cell_districts(cells: Iterable[str], districts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Cell -> microdistrict id by the cell's centre, so every cell sits in exactly one
    district and district figures are exact sums of their cells (no cross-district leak)."""
    cells = list(dict.fromkeys(cells))
    out = dict.fromkeys(cells, OUTSIDE_DISTRICTS)
    if not cells or not districts:
        return out
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    free = np.ones(len(cells), dtype=bool)
    for d in districts:
        inside = contains_xy(Polygon(d["polygon"]), centres[:, 1], centres[:, 0]) & free
        for i in np.flatnonzero(inside):
            out[cells[i]] = str(d["id"])
        free &= ~inside
    return out


def address_counts_by_cell(addresses: Iterable[Mapping[str, Any]], res: int = PUBLIC_RES) -> dict[str, int]:
    """Addresses (or buildings, where an extract has no addresses) per cell, from the gazetteer."""
    counts: dict[str, int] = {}
    for a in addresses:
        cell = h3.latlng_to_cell(float(a["lat"]), float(a["lon"]), res)
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def counted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports that may enter any count: placed, known category, not rejected, not a duplicate.

    Takes full reports (lat, lon, occurred_at, duplicate_of) or rows of the database's
    ``public_reports_view`` (h3_r8, month in city time, is_duplicate: no point, no time).
    """
    duplicate = reports["is_duplicate"].astype(bool) if "is_duplicate" in reports else reports["duplicate_of"].notna()
    keep = reports["status"].isin(COUNTED_STATUSES) & ~duplicate
    keep &= reports["category"].isin(CATEGORIES.keys())
    keep &= (reports["lat"].notna() & reports["lon"].notna()) if "lat" in reports else reports["h3_r8"].notna()
    return reports.loc[keep]


@dataclass(frozen=True)
class _Atom:
    """Where one counted report lands; kept internal, only aggregates leave this module."""

    unit: str
    kind: str  # cell | rest
    district: str
    month: int  # yyyymm in city time
    group: str


def _atoms(
    reports: pd.DataFrame,
    months: Sequence[Month],
    address_counts: Mapping[str, int],
    districts: Sequence[Mapping[str, Any]],
) -> list[tuple[Any, _Atom, str | None]]:
    """(report id, atom, public status note) for each counted report in the months."""
    df = counted_reports(reports)
    if "month" in df:  # the public view: months already in city time
        keys = [m.key for m in months]
        slot = np.array([keys.index(int(v.replace("-", ""))) if int(v.replace("-", "")) in keys else -1
                         for v in df["month"].astype(str)], dtype=np.int64)
    else:
        bounds = [m.start for m in months] + [months[-1].end]
        edges = pd.DatetimeIndex(bounds).tz_convert("UTC").as_unit("ns").asi8
        when = pd.DatetimeIndex(pd.to_datetime(df["occurred_at"], utc=True)).as_unit("ns").asi8
        slot = np.searchsorted(edges, when, side="right") - 1
    inside = (slot >= 0) & (slot < len(months))
    df, slot = df.loc[inside], slot[inside]
    if "lat" in df:
        lats, lons = df["lat"].to_numpy(dtype=float), df["lon"].to_numpy(dtype=float)
        cells = [h3.latlng_to_cell(a, b, PUBLIC_RES) for a, b in zip(lats, lons, strict=True)]
    else:
        cells = df["h3_r8"].astype(str).tolist()
    district_of = cell_districts(cells, districts)
    vague = df["level"].eq("district").to_numpy() if "level" in df else np.zeros(len(df), dtype=bool)
    ids = df["id"].tolist() if "id" in df else list(range(len(df)))
    notes = df["status_note"].tolist() if "status_note" in df else [None] * len(df)
    out = []
    for rid, cell, is_vague, s, cat, note in zip(ids, cells, vague, slot, df["category"], notes, strict=True):
        district = district_of[cell]
        pooled = bool(is_vague) or address_counts.get(cell, 0) < MIN_ADDRESSES
        unit, kind = (REST_PREFIX + district, "rest") if pooled else (cell, "cell")
        atom = _Atom(unit, kind, district, months[s].key, CATEGORIES[cat].group)
        out.append((rid, atom, note if isinstance(note, str) and note.strip() else None))
    return out


def _unit_months(atoms: Iterable[_Atom], group: str | None) -> dict[tuple[str, int], tuple[int, bool]]:
    """(unit, month) -> (shown value, anything held back) for the selected group(s).

    A group's count enters only when it reaches that group's k; for all groups the value
    is the sum of the shown group counts.
    """
    sizes = Counter((a.unit, a.month, a.group) for a in atoms if group is None or a.group == group)
    um: dict[tuple[str, int], tuple[int, bool]] = {}
    for (unit, month, grp), n in sizes.items():
        value, held = um.get((unit, month), (0, False))
        big = n >= GROUP_K[grp]
        um[(unit, month)] = (value + (n if big else 0), held or not big)
    k = public_k(group)
    return {key: ((0, True) if 0 < v < k else (v, h)) for key, (v, h) in um.items()}


def _unit_values(atoms: Iterable[_Atom], group: str | None) -> dict[str, tuple[int, bool]]:
    """unit -> (published value, anything held back) over the atoms' months (see the method).

    Per (unit, group): Q = all reports, S = the shown monthly atoms; the value is Q when
    Q >= k and Q - S is 0 or at least k (never one suppressed month), else S.
    """
    per: dict[tuple[str, str], list[int]] = {}
    for a in atoms:
        if group is None or a.group == group:
            per.setdefault((a.unit, a.group), []).append(a.month)
    out: dict[str, tuple[int, bool]] = {}
    for (unit, grp), months in per.items():
        k = GROUP_K[grp]
        total = len(months)
        shown = sum(n for n in Counter(months).values() if n >= k)
        rest = total - shown
        value = total if total >= k and (rest == 0 or rest >= k) else shown
        old_value, old_held = out.get(unit, (0, False))
        out[unit] = (old_value + value, old_held or value < total)
    return out


@dataclass(frozen=True)
class PublicTable:
    """A publishable table for one period and group: nothing in it is below k.

    units: unit (H3 res-8 cell or ``rest:<district id>``), kind (cell | rest), district,
      count (Int64; NA = "fewer than k"), fewer_than_k, partial (count shown, but some
      monthly/group counts below k were left out of it).
    districts: district, count (sum of the unit counts shown), fewer_than_k, partial.
    total: the sum of the unit counts shown.
    """

    period: Period
    group: str | None
    k: int
    res: int
    units: pd.DataFrame
    districts: pd.DataFrame
    total: int

    @property
    def cells(self) -> pd.DataFrame:
        return self.units.loc[self.units["kind"] == "cell"]


def _flagged_frame(rows: dict[tuple[str, ...], tuple[int, bool]], keys: list[str]) -> pd.DataFrame:
    """Rows of (shown sum, anything held) as count / fewer_than_k / partial columns."""
    frame = pd.DataFrame(
        [(*key, value, held) for key, (value, held) in sorted(rows.items())], columns=[*keys, "count", "held"]
    )
    frame["fewer_than_k"] = frame["count"] == 0
    frame["partial"] = frame["held"].astype(bool) & ~frame["fewer_than_k"]
    frame["count"] = frame["count"].astype("Int64").mask(frame["fewer_than_k"])
    return frame.drop(columns="held")


def public_counts(
    reports_df: pd.DataFrame,
    *,
    period: Period,
    group: str | None,
    now: datetime,
    res: int = PUBLIC_RES,
    address_counts: Mapping[str, int],
    districts: Sequence[Mapping[str, Any]] = (),
) -> PublicTable:
    """The public aggregation (see the module docstring for every rule and the method).

    `reports_df` has the Report fields (at least id, category, occurred_at, status,
    duplicate_of, lat, lon, level); `districts` are gazetteer districts (id, polygon).
    """
    check_period(period, now)
    group = check_group(group)
    if res != PUBLIC_RES:
        raise PrivacyError(f"public cells use H3 resolution {PUBLIC_RES} only (two sizes would overlap)")
    atoms = [a for _, a, _ in _atoms(reports_df, period.months, address_counts, districts)]
    where = {a.unit: (a.district, a.kind) for a in atoms}
    units: dict[tuple[str, ...], tuple[int, bool]] = {
        (*where[unit], unit): value for unit, value in _unit_values(atoms, group).items()
    }
    dists: dict[tuple[str, ...], tuple[int, bool]] = {}
    for (district, _, _), (value, held) in units.items():
        old = dists.get((district,), (0, False))
        dists[(district,)] = (old[0] + value, old[1] or held)
    unit_frame = _flagged_frame(units, ["district", "kind", "unit"])[
        ["unit", "kind", "district", "count", "fewer_than_k", "partial"]
    ]
    return PublicTable(
        period,
        group,
        public_k(group),
        res,
        unit_frame,
        _flagged_frame(dists, ["district"]),
        sum(v for v, _ in units.values()),
    )


def open311_requests(
    reports_df: pd.DataFrame,
    *,
    period: Period,
    group: str | None,
    now: datetime,
    address_counts: Mapping[str, int],
    districts: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Open311 GeoReport v2-shaped public requests, only from cells whose count is shown.

    lat/long are the res-8 cell centre, requested_datetime the first day of the month,
    description the public "what was done" note only; a request is ``closed`` once that
    note exists. Ids are a hash rank inside the (cell, month, group) atom, so neither the
    database id nor the arrival order (a time finer than the month) leaks. Rest-of-district
    units have no cell centre and are left out.
    """
    check_period(period, now)
    group = check_group(group)
    found = [
        (rid, a, note)
        for rid, a, note in _atoms(reports_df, period.months, address_counts, districts)
        if a.kind == "cell" and (group is None or a.group == group)
    ]
    sizes = Counter((a.unit, a.month, a.group) for _, a, _ in found)
    big = [(rid, a, note) for rid, a, note in found if sizes[(a.unit, a.month, a.group)] >= GROUP_K[a.group]]
    shown = {key for key, (value, _) in _unit_months([a for _, a, _ in big], group).items() if value > 0}
    by_atom: dict[tuple[str, int, str], list[tuple[str, str | None]]] = {}
    for rid, a, note in big:
        if (a.unit, a.month) in shown:
            digest = hashlib.sha256(f"{a.unit}|{a.month}|{a.group}|{rid}".encode()).hexdigest()
            by_atom.setdefault((a.unit, a.month, a.group), []).append((digest, note))
    out: list[dict[str, Any]] = []
    for (cell, month, grp), items in sorted(by_atom.items()):
        lat, lon = h3.cell_to_latlng(cell)
        start = Month(month // 100, month % 100).start
        for rank, (_, note) in enumerate(sorted(items), 1):
            out.append(
                {
                    "service_request_id": f"{start:%Y%m}-{cell}-{grp}-{rank:03d}",
                    "status": "closed" if note else "open",
                    "service_code": grp,
                    "service_name": grp,
                    "description": note or "",
                    "requested_datetime": start.isoformat(),
                    "lat": round(lat, 5),
                    "long": round(lon, 5),
                }
            )
    return out


# --- surveys -------------------------------------------------------------------------

SURVEY_MEASURES = ("awareness", "trust_police", "trust_council", "trust_community")


def survey_by_district(responses: pd.DataFrame, wave: str, *, min_n: int = MIN_SURVEY_N) -> pd.DataFrame:
    """Mean answers per district for one wave; districts with n < min_n get NaN and `suppressed`.

    `responses` has wave, district and the SURVEY_MEASURES as numbers (or an `answers`
    dict column holding them). Small samples are withheld because a mean of a handful of
    neighbours' answers identifies them and is statistically meaningless.
    """
    df = responses.loc[responses["wave"] == wave]
    if "answers" in df:
        flat = pd.DataFrame([a if isinstance(a, Mapping) else {} for a in df["answers"]], index=df.index)
        df = df.drop(columns="answers")
        for m in SURVEY_MEASURES:
            if m in flat:
                df[m] = df[m].fillna(flat[m]) if m in df else flat[m]
    measures = [m for m in SURVEY_MEASURES if m in df]
    out = df.groupby("district").agg(n=("wave", "size"), **{m: (m, "mean") for m in measures}).reset_index()
    out["suppressed"] = out["n"] < min_n
    out.loc[out["suppressed"], measures] = np.nan
    return out


def survey_change(responses: pd.DataFrame, before: str, after: str, *, min_n: int = MIN_SURVEY_N) -> pd.DataFrame:
    """Change of each measure between two waves; shown only where both waves reach min_n."""
    a = survey_by_district(responses, before, min_n=min_n).set_index("district")
    b = survey_by_district(responses, after, min_n=min_n).set_index("district")
    measures = [m for m in SURVEY_MEASURES if m in a and m in b]
    joined = a.add_suffix("_before").join(b.add_suffix("_after"), how="outer")
    out = pd.DataFrame(index=joined.index)
    out["n_before"] = joined["n_before"].fillna(0).astype(int)
    out["n_after"] = joined["n_after"].fillna(0).astype(int)
    out["suppressed"] = (out["n_before"] < min_n) | (out["n_after"] < min_n)
    for m in measures:
        out[m] = (joined[f"{m}_after"] - joined[f"{m}_before"]).where(~out["suppressed"])
    return out.reset_index()
