"""The public privacy rules of layers/privacy.py (Cell Key Method on the base table),
checked on small random data sets against an independent recount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.categories import CATEGORIES, GROUPS
from geo.gazetteer import District
from layers import privacy
from layers.cellkey import cell_key
from layers.privacy import (
    SURVEY_MEASURES,
    Month,
    PrivacyError,
    Quarter,
    base_cells,
    check_period,
    parse_period,
    perturbed,
    ptable_for,
    public_table,
    survey_by_district,
    survey_change,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
CENTRE = h3.latlng_to_cell(47.566, 31.33, 8)
CELLS = sorted(h3.grid_disk(CENTRE, 1))  # 7 neighbouring res-8 cells
SPLIT_LON = h3.cell_to_latlng(CENTRE)[1] + 1e-4  # not through a cell centre
DISTRICTS = [
    District(
        "d-01",
        "West",
        {"name:en": "West"},
        ((31.2, 47.4), (SPLIT_LON, 47.4), (SPLIT_LON, 47.7), (31.2, 47.7)),
        population=4000,
        synthetic=True,
    ),
    District(
        "d-02",
        "East",
        {"name:en": "East"},
        ((SPLIT_LON, 47.4), (31.5, 47.4), (31.5, 47.7), (SPLIT_LON, 47.7)),
        population=4000,
        synthetic=True,
    ),
]
MONTHS = Quarter(2026, 1).months
SLUGS = sorted(CATEGORIES)
COLUMNS = [
    "id",
    "category",
    "occurred_at",
    "status",
    "duplicate_of",
    "lat",
    "lon",
    "level",
    "text",
    "status_note",
    "batch_id",
    "record_key",
    "month",
    "h3_r8",
]
FILTERS = [(p, g) for p in (*MONTHS, Quarter(2026, 1)) for g in (None, *GROUPS)]


def point_in(cell: str, rng: np.random.Generator) -> tuple[float, float]:
    """A random point well inside a cell (a mix of its centre and one vertex)."""
    lat, lon = h3.cell_to_latlng(cell)
    vlat, vlon = h3.cell_to_boundary(cell)[int(rng.integers(6))]
    w = rng.uniform(0.05, 0.6)  # not on the centre: feeds publish cell centres
    return lat + w * (vlat - lat), lon + w * (vlon - lon)


def make_reports(seed: int, n: int) -> pd.DataFrame:
    """Reports in a few cells, concentrated so that both shown and suppressed atoms occur."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        cell = CELLS[min(int(rng.geometric(0.35)) - 1, len(CELLS) - 1)]
        lat, lon = point_in(cell, rng)
        month = MONTHS[int(rng.integers(3))]
        rows.append(
            {
                "id": i,
                "category": SLUGS[min(int(rng.geometric(0.3)) - 1, len(SLUGS) - 1)],
                "occurred_at": month.start + timedelta(hours=float(rng.uniform(0, 24 * 27))),
                "status": rng.choice(["new", "verified", "verified", "rejected"]),
                "duplicate_of": (int(rng.integers(n)) if rng.random() < 0.1 else None),
                "lat": lat,
                "lon": lon,
                "level": rng.choice(["address", "address", "street", "district"]),
                "text": f"secret text number {i} near the school",
                "status_note": rng.choice([None, "Cleaned up by the council"]),
                "month": month.label,
                "h3_r8": h3.latlng_to_cell(lat, lon, 8),
            }
        )
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["duplicate_of"] = df["duplicate_of"].astype("Int64")
    keys = np.random.default_rng(seed + 7)  # its own stream: the reports above stay as they were
    df["batch_id"] = pd.array([None if keys.random() < 0.2 else 1 for _ in range(n)], dtype="Int64")  # None: form
    df["record_key"] = keys.integers(0, 2**32, size=n, dtype=np.int64)
    return df


def make_addresses(seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed + 1)
    return {c: int(rng.choice([0, 3, 8, 40])) for c in CELLS}


def released(df: pd.DataFrame, addr: dict[str, int]) -> pd.DataFrame:
    """All released base cells of the data set (what services.releases stores)."""
    return perturbed(base_cells(df, address_counts=addr, districts=DISTRICTS))


seeds = st.integers(0, 10_000)
sizes = st.integers(0, 160)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recount(df: pd.DataFrame, addr: dict[str, int]) -> dict[tuple[str, str, str], list[int]]:
    """(month, unit, group) -> record keys, counted independently of layers/privacy.py."""
    local = pd.to_datetime(df["occurred_at"], utc=True).dt.tz_convert("Europe/Kyiv")
    out: dict[tuple[str, str, str], list[int]] = {}
    for i, row in df.iterrows():
        moderated = row["status"] == "verified" or (row["status"] == "new" and not pd.isna(row["batch_id"]))
        if not moderated or not pd.isna(row["duplicate_of"]):
            continue
        cell = h3.latlng_to_cell(row["lat"], row["lon"], 8)
        lon = h3.cell_to_latlng(cell)[1]
        district = "d-01" if lon < SPLIT_LON else "d-02"
        unit = f"rest:{district}" if row["level"] == "district" or addr.get(cell, 0) < 8 else cell
        key = (f"{local[i].year}-{local[i].month:02d}", unit, CATEGORIES[row["category"]].group)
        out.setdefault(key, []).append(int(row["record_key"]))
    return out


@SETTINGS
@given(seeds, sizes)
def test_base_cells_match_an_independent_recount_and_the_noise_is_bounded(seed: int, n: int) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    truth = recount(df, addr)
    base = base_cells(df, address_counts=addr, districts=DISTRICTS)
    got = {(r.month, r.unit, r.category_group): (r.n, r.key) for r in base.itertuples()}
    assert got == {k: (len(v), cell_key(v)) for k, v in truth.items()}
    out = perturbed(base).set_index(["month", "unit", "category_group"])["value"]
    for (month, unit, group), keys in truth.items():
        value = int(out.get((month, unit, group), 0))
        assert value == ptable_for(group).perturb(len(keys), cell_key(keys))
        assert abs(value - len(keys)) <= ptable_for(group).spec.max_deviation
    assert (out > 0).all()  # cells released as 0 are not rows


@SETTINGS
@given(seeds, sizes)
def test_every_total_is_the_sum_of_its_parts(seed: int, n: int) -> None:
    """Districts, the city, quarters and all groups are sums of the released base cells."""
    rel = released(make_reports(seed, n), make_addresses(seed))
    for period, group in FILTERS:
        t = public_table(rel, period=period, group=group)
        assert t.total == int(t.units["count"].sum()) == int(t.districts["count"].sum())
        for d in t.districts.itertuples():
            assert d.count == t.units.loc[t.units["district"] == d.district, "count"].sum()
        assert t.total == int(t.base["value"].sum())
        assert not ({"lat", "lon", "text", "occurred_at", "id", "n", "key"} & (set(t.units.columns) | set(t.base)))
        parts = (
            [public_table(rel, period=period, group=g) for g in GROUPS]
            if group is None
            else [public_table(rel, period=m, group=group) for m in period.months]
            if isinstance(period, Quarter)
            else []
        )
        if parts:
            summed = pd.concat([p.units for p in parts]).groupby("unit")["count"].sum()
            assert summed.sort_index().to_dict() == t.units.set_index("unit")["count"].sort_index().to_dict()


def test_only_moderated_or_imported_reports_are_counted() -> None:
    df = make_reports(3, 0)
    lat, lon = h3.cell_to_latlng(CENTRE)
    rows = [
        dict(
            id=i,
            category="litter",
            occurred_at=datetime(2026, 2, 3, tzinfo=UTC),
            status="verified",
            duplicate_of=None,
            lat=lat,
            lon=lon,
            level="address",
            text="x",
            status_note=None,
            batch_id=1,
            record_key=i * 7919,
            month="2026-02",
            h3_r8=CENTRE,
        )
        for i in range(12)
    ]
    df = pd.concat([df, pd.DataFrame(rows)], ignore_index=True)
    kw = dict(address_counts={CENTRE: 50}, districts=DISTRICTS)
    assert base_cells(df, **kw)["n"].tolist() == [12]
    df.loc[df["id"] < 4, "status"] = "rejected"
    df.loc[df["id"].between(4, 6), "duplicate_of"] = 11
    df.loc[df["id"].between(7, 8), ["status", "batch_id"]] = ["new", None]  # form reports waiting for moderation
    assert base_cells(df, **kw)["n"].tolist() == [3]
    df.loc[df["id"] == 7, "status"] = "verified"
    assert base_cells(df, **kw)["n"].tolist() == [4]


def test_the_same_records_get_the_same_noise_in_any_order_and_company() -> None:
    df, addr = make_reports(21, 150), make_addresses(21)
    first = released(df, addr).set_index(["month", "unit", "category_group"])["value"]
    shuffled = df.sample(frac=1.0, random_state=3)
    extra = df.loc[df["category"] == "noise"].head(1).assign(id=999, category="animals")
    again = released(pd.concat([shuffled, extra]), addr).set_index(["month", "unit", "category_group"])["value"]
    changed = {k for k in first.index.union(again.index) if first.get(k, 0) != again.get(k, 0)}
    row = extra.iloc[0]
    district = "d-01" if h3.cell_to_latlng(row["h3_r8"])[1] < SPLIT_LON else "d-02"
    unit, _ = privacy.unit_of(row["h3_r8"], row["level"], district, addr)
    assert changed <= {(row["month"], unit, "animals")}  # only the cell that gained a record


def test_low_address_cells_are_published_only_inside_their_microdistrict() -> None:
    df = make_reports(5, 150)
    base = base_cells(df, address_counts=dict.fromkeys(CELLS, 0), districts=DISTRICTS)
    assert set(base["kind"]) <= {"rest"}
    assert set(base["unit"]) <= {"rest:d-01", "rest:d-02"}


@pytest.mark.parametrize(
    ("period", "now", "ok"),
    [
        (Month(2026, 3), datetime(2026, 4, 7, 21, 0, tzinfo=UTC), True),  # 1 Apr 00:00 Kyiv = 31 Mar 21:00 UTC
        (Month(2026, 3), datetime(2026, 4, 7, 20, 59, tzinfo=UTC), False),
        (Month(2026, 3), datetime(2026, 3, 20, tzinfo=UTC), False),
        (Quarter(2026, 1), datetime(2026, 4, 2, tzinfo=UTC), False),
        (Quarter(2026, 1), datetime(2026, 4, 9, tzinfo=UTC), True),
        (Month(2027, 1), NOW, False),
    ],
)
def test_publication_lag(period, now, ok) -> None:
    if ok:
        assert check_period(period, now) is period
    else:
        with pytest.raises(PrivacyError, match="lag"):
            check_period(period, now)


@pytest.mark.parametrize("bad", ["2026-03", (2026, 3), datetime(2026, 3, 1, tzinfo=UTC), slice(0, 3), None])
def test_only_month_or_quarter_objects_are_accepted(bad) -> None:
    with pytest.raises(PrivacyError):
        public_table(released(make_reports(1, 5), {}), period=bad, group=None)


@pytest.mark.parametrize("bad", ["noise", "litter", ["cleanliness"], "", "ALL"])
def test_only_fixed_groups_are_accepted(bad) -> None:
    with pytest.raises(PrivacyError):
        public_table(released(make_reports(1, 5), {}), period=Month(2026, 1), group=bad)


def test_naive_now_is_refused() -> None:
    with pytest.raises(PrivacyError, match="timezone"):
        check_period(Month(2026, 1), datetime(2026, 5, 1))


def test_parse_period() -> None:
    assert parse_period("2026-03") == Month(2026, 3)
    assert parse_period("2026-q2") == Quarter(2026, 2)
    for bad in ("2026-W10", "2026-03-05", "2026-13", "2026-Q5", "March", "2026-01..2026-02"):
        with pytest.raises(PrivacyError):
            parse_period(bad)


def test_latest_publishable_month() -> None:
    assert privacy.latest_publishable_month(datetime(2026, 4, 5, tzinfo=UTC)) == Month(2026, 2)
    assert privacy.latest_publishable_month(datetime(2026, 4, 9, tzinfo=UTC)) == Month(2026, 3)


def test_survey_is_suppressed_below_minimum_sample() -> None:
    rows = [{"wave": "2025", "district": "d-01", "awareness": 1, "trust_police": 0.5}] * 30
    rows += [{"wave": "2025", "district": "d-02", "awareness": 0, "trust_police": 1}] * 29
    rows += [{"wave": "2026", "district": "d-01", "answers": {"awareness": 0, "trust_police": 1}}] * 31
    rows += [{"wave": "2026", "district": "d-02", "answers": {"awareness": 1, "trust_police": 1}}] * 40
    df = pd.DataFrame(rows)
    s = survey_by_district(df, "2025").set_index("district")
    assert s.loc["d-01", "awareness"] == 1 and not s.loc["d-01", "suppressed"]
    assert np.isnan(s.loc["d-02", "awareness"]) and s.loc["d-02", "suppressed"]
    ch = survey_change(df, "2025", "2026").set_index("district")
    assert ch.loc["d-01", "awareness"] == -1 and ch.loc["d-01", "trust_police"] == 0.5
    assert np.isnan(ch.loc["d-02", "awareness"])


def test_survey_means_per_district_equal_a_brute_force_mean() -> None:
    """Each district's size and mean answers (missing answers skipped) against plain Python."""
    rng = np.random.default_rng(3)
    answers = [{m: int(rng.integers(1, 6)) for m in SURVEY_MEASURES if rng.random() > 0.2} for _ in range(300)]
    df = pd.DataFrame(
        {"wave": rng.choice(["w1", "w2"], 300), "district": rng.choice(["a", "b", "c", "d"], 300), "answers": answers}
    )
    got = survey_by_district(df, "w1", min_n=1).set_index("district")
    for district, n in got["n"].items():
        rows = [
            a for w, d, a in zip(df["wave"], df["district"], df["answers"], strict=True) if (w, d) == ("w1", district)
        ]
        assert n == len(rows)
        for m in SURVEY_MEASURES:
            values = [a[m] for a in rows if m in a]
            assert got.loc[district, m] == pytest.approx(sum(values) / len(values))
    assert list(got.columns) == ["n", *SURVEY_MEASURES, "suppressed"]
