"""Every privacy rule of the public outputs, in one place (docs/PRIVACY.md says the claim).

The public map, its tables, the CSV/GeoJSON downloads and the Open311 feed are all sums
of the released base cells that :func:`perturbed` makes and services/releases.py freezes
into numbered releases; nothing public is computed anywhere else.

Rules
-----
* Units: H3 cells at resolution 8 only and, for the rest, the city's microdistricts.
  Address guard (police.uk's 8-address rule): a cell with fewer than
  :data:`MIN_ADDRESSES` addresses (``address_counts`` from the gazetteer; a real
  extract without addresses counts buildings) is never a unit of its own; its reports
  go to the "rest of the microdistrict" unit, with reports placed only to a district.
  Cells belong to the microdistrict that holds their centre.
* Time: a calendar month (the city's time zone) is the finest unit, published once its
  :data:`PUBLICATION_LAG` (7 days) has ended; a fixed quarter is the sum of its months.
* Categories: one fixed group of data/categories.py, or all groups together (the sum).
* Counted (:func:`released_reports`): placed reports of a known category that are not
  rejected and not duplicates, and that a moderator verified or that came from an
  imported batch; an unmoderated form report is never counted.
* Noise (the Cell Key Method, layers/cellkey.py): only the base table, unit x month x
  group, is perturbed, each cell by its group's table (:data:`PTABLE_SPECS`;
  person-linked groups deviate further) at its cell key (the sum of its records' secret
  keys). Districts, the city, quarters and all groups are sums of perturbed base cells,
  so every total adds up exactly and the same cell has the same noise everywhere.
* No text, no report points, no times: the outputs carry unit ids and released counts.
* Surveys: district results need at least :data:`MIN_SURVEY_N` answers (per wave, and in
  both waves for a change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import h3
import numpy as np
import pandas as pd
from shapely import contains_xy
from shapely.geometry import Polygon

from data.categories import CATEGORIES, GROUPS
from data.city_profile import city_zone, profile
from layers.cellkey import KEY_SPACE, PTable, PTableSpec, cell_key

if TYPE_CHECKING:
    from geo.gazetteer import Address, District

PUBLIC_RES = 8
MIN_ADDRESSES = 8
PUBLICATION_LAG = timedelta(days=7)
MIN_SURVEY_N = 30
COUNTED_STATUSES = frozenset({"new", "verified"})
REST_PREFIX = "rest:"
OUTSIDE_DISTRICTS = ""  # district id of cells whose centre lies in no microdistrict


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
        return datetime(self.year, self.month, 1, tzinfo=city_zone())

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


def latest_publishable_month(now: datetime) -> Month:
    """The newest month that the lag allows at `now` (what the public map opens on)."""
    local = now.astimezone(city_zone())
    month = Month(local.year, local.month)
    while now - month.end < PUBLICATION_LAG:
        month = month.previous()
    return month


# --- units ---------------------------------------------------------------------------


def cell_districts(cells: Iterable[str], districts: Sequence[District]) -> dict[str, str]:
    """Cell -> microdistrict id by the cell's centre, so every cell sits in exactly one
    district and district figures are exact sums of their cells (no cross-district leak)."""
    cells = list(dict.fromkeys(cells))
    out = dict.fromkeys(cells, OUTSIDE_DISTRICTS)
    if not cells or not districts:
        return out
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    free = np.ones(len(cells), dtype=bool)
    for d in districts:
        inside = contains_xy(Polygon(d.polygon), centres[:, 1], centres[:, 0]) & free
        for i in np.flatnonzero(inside):
            out[cells[i]] = str(d.id)
        free &= ~inside
    return out


def address_counts_by_cell(addresses: Iterable[Address], res: int = PUBLIC_RES) -> dict[str, int]:
    """Addresses (or buildings, where an extract has no addresses) per cell, from the gazetteer."""
    counts: dict[str, int] = {}
    for a in addresses:
        cell = h3.latlng_to_cell(float(a.lat), float(a.lon), res)
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def counted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports that enter the restricted (police, council) counts: placed, known category,
    not rejected, not a duplicate. The public counts are stricter (:func:`released_reports`)."""
    duplicate = reports["is_duplicate"].astype(bool) if "is_duplicate" in reports else reports["duplicate_of"].notna()
    keep = reports["status"].isin(COUNTED_STATUSES) & ~duplicate
    keep &= reports["category"].isin(CATEGORIES.keys())
    keep &= (reports["lat"].notna() & reports["lon"].notna()) if "lat" in reports else reports["h3_r8"].notna()
    return reports.loc[keep]


def released_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports that may enter a public release: those of :func:`counted_reports` that passed
    moderation (verified) or came from an imported batch. A form report waits for a
    moderator, so fake reports from fresh sessions can never publish a cell."""
    counted = counted_reports(reports)
    moderated = counted["status"].eq("verified") | (counted["status"].eq("new") & counted["batch_id"].notna())
    return counted.loc[moderated]


# --- the Cell Key Method on the base table -------------------------------------------

METHOD_NAME = "cell-key-method"
# The published tables come from the city profile ([privacy] general / person_linked),
# read once per process: every release of a deployment is made with the same tables.
PTABLE_SPECS = {
    person: PTableSpec(name, table.max_deviation, table.variance, table.p_zero)
    for person, name, table in (
        (False, "general", profile().privacy.general),
        (True, "person_linked", profile().privacy.person_linked),
    )
}
PTABLES = {person: PTable.build(spec) for person, spec in PTABLE_SPECS.items()}
BASE_COLUMNS = ["month", "unit", "kind", "district", "category_group", "value"]


def ptable_for(group: str) -> PTable:
    """The perturbation table of a category group (person-linked groups deviate further)."""
    return PTABLES[GROUPS[group].person_linked]


def method_parameters() -> dict[str, Any]:
    """Everything a release is made with, stored in the release and published with it."""
    return {
        "method": METHOD_NAME,
        "h3_resolution": PUBLIC_RES,
        "min_addresses": MIN_ADDRESSES,
        "publication_lag_days": PUBLICATION_LAG.days,
        "key_space": KEY_SPACE,
        "groups": {slug: {"ptable": ptable_for(slug).spec.name, "k": g.k} for slug, g in GROUPS.items()},
        "ptables": {t.spec.name: t.as_dict() for t in PTABLES.values()},
    }


def unit_of(cell: str, level: str | None, district: str, address_counts: Mapping[str, int]) -> tuple[str, str]:
    """(unit, kind): the res-8 cell, or the rest of its microdistrict when the report is only
    placed to a district or the cell has fewer than MIN_ADDRESSES addresses."""
    if level == "district" or address_counts.get(cell, 0) < MIN_ADDRESSES:
        return REST_PREFIX + district, "rest"
    return cell, "cell"


def base_cells(
    reports: pd.DataFrame, *, address_counts: Mapping[str, int], districts: Sequence[District]
) -> pd.DataFrame:
    """True counts and cell keys of the base table (month x unit x group); never published.

    ``reports`` has month (YYYY-MM, city time), h3_r8, level, category, status, batch_id,
    duplicate_of and record_key. Columns: month, unit, kind, district, category_group, n,
    key (the cell key in [0, 1)).
    """
    df = released_reports(reports)
    columns = ["month", "unit", "kind", "district", "category_group", "n", "key"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    if df["record_key"].isna().any():
        raise ValueError("every released report needs its record key (services.releases assigns them)")
    cells = df["h3_r8"].astype(str).tolist()
    district_of = cell_districts(cells, districts)
    units = [unit_of(c, lv, district_of[c], address_counts) for c, lv in zip(cells, df["level"], strict=True)]
    frame = pd.DataFrame(
        {
            "month": df["month"].astype(str).to_numpy(),
            "unit": [u for u, _ in units],
            "kind": [k for _, k in units],
            "district": [district_of[c] for c in cells],
            "category_group": df["category"].map(lambda c: CATEGORIES[c].group).to_numpy(),
            "record_key": df["record_key"].astype("int64").to_numpy(),
        }
    )
    grouped = frame.groupby(["month", "unit", "kind", "district", "category_group"], sort=True)
    out = grouped["record_key"].agg(n="size", key=lambda keys: cell_key(keys)).reset_index()
    return out[columns]


def perturbed(base: pd.DataFrame) -> pd.DataFrame:
    """The released base cells: each count perturbed by its group's table at its cell key;
    cells released as 0 are left out (a 0 and an absent row say the same)."""
    values = [
        ptable_for(g).perturb(int(n), float(k))
        for g, n, k in zip(base["category_group"], base["n"], base["key"], strict=True)
    ]
    out = base.assign(value=pd.Series(values, index=base.index, dtype="int64"))[BASE_COLUMNS]
    return out.loc[out["value"] > 0].reset_index(drop=True)


@dataclass(frozen=True)
class PublicTable:
    """One public table (period x group) summed from released base cells only.

    units: unit (H3 res-8 cell or ``rest:<district id>``), kind, district, count; every
      count carries noise (approximate).
    districts: district, count (the sum of its units).
    total: the sum of the unit counts (= the sum of the district counts).
    base: the released base cells the table sums (month, unit, kind, district,
      category_group, value): the Open311 feed is drawn from them.
    versions: per month of the period, the release and revision it comes from.
    """

    period: Period
    group: str | None
    res: int
    units: pd.DataFrame
    districts: pd.DataFrame
    total: int
    base: pd.DataFrame
    versions: tuple[dict[str, Any], ...] = ()

    @property
    def cells(self) -> pd.DataFrame:
        return self.units.loc[self.units["kind"] == "cell"]

    @property
    def max_deviation(self) -> int:
        """The largest deviation of one base cell of this table from its true count."""
        groups = [self.group] if self.group is not None else list(GROUPS)
        return max(ptable_for(g).spec.max_deviation for g in groups)


def public_table(
    released: pd.DataFrame, *, period: Period, group: str | None, versions: Sequence[Mapping[str, Any]] = ()
) -> PublicTable:
    """Sum released base cells (one version per month, as services.releases picks them) over
    the period's months and the group(s): every figure is a sum of released numbers."""
    group = check_group(group)
    if not isinstance(period, Month | Quarter):
        raise PrivacyError(f"public periods are a Month or a fixed Quarter, not {type(period).__name__}")
    labels = {m.label for m in period.months}
    base = released.loc[released["month"].isin(labels)]
    if group is not None:
        base = base.loc[base["category_group"] == group]
    base = base[BASE_COLUMNS].sort_values(["month", "unit", "category_group"]).reset_index(drop=True)
    units = (
        base.groupby(["unit", "kind", "district"], sort=True)["value"]
        .sum()
        .reset_index()
        .rename(columns={"value": "count"})
    )
    units["count"] = units["count"].astype("int64")
    districts = units.groupby("district", sort=True)["count"].sum().reset_index()
    return PublicTable(
        period,
        group,
        PUBLIC_RES,
        units[["unit", "kind", "district", "count"]],
        districts,
        int(units["count"].sum()),
        base,
        tuple(dict(v) for v in versions),
    )


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
    groups = df.groupby("district")  # plain mean and size: a named aggregation costs ten times more
    out = groups[measures].mean()
    out.insert(0, "n", groups.size())
    out = out.reset_index()
    out["suppressed"] = out["n"] < min_n
    out.loc[out["suppressed"], measures] = np.nan
    return out


def survey_change(responses: pd.DataFrame, before: str, after: str, *, min_n: int = MIN_SURVEY_N) -> pd.DataFrame:
    """Change of each measure between two waves; shown only where both waves reach min_n."""
    return survey_change_of(
        survey_by_district(responses, before, min_n=min_n),
        survey_by_district(responses, after, min_n=min_n),
        min_n=min_n,
    )


def survey_change_of(before: pd.DataFrame, after: pd.DataFrame, *, min_n: int = MIN_SURVEY_N) -> pd.DataFrame:
    """:func:`survey_change` from the two waves' :func:`survey_by_district` tables (a page that
    shows both waves' means computes each once)."""
    a, b = before.set_index("district"), after.set_index("district")
    measures = [m for m in SURVEY_MEASURES if m in a and m in b]
    joined = a.add_suffix("_before").join(b.add_suffix("_after"), how="outer")
    out = pd.DataFrame(index=joined.index)
    out["n_before"] = joined["n_before"].fillna(0).astype(int)
    out["n_after"] = joined["n_after"].fillna(0).astype(int)
    out["suppressed"] = (out["n_before"] < min_n) | (out["n_after"] < min_n)
    for m in measures:
        out[m] = (joined[f"{m}_after"] - joined[f"{m}_before"]).where(~out["suppressed"])
    return out.reset_index()
