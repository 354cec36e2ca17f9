"""The public privacy rules of layers/privacy.py, checked on small random data sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.categories import CATEGORIES, GROUPS
from layers import privacy
from layers.privacy import (
    Month,
    PrivacyError,
    Quarter,
    check_period,
    open311_requests,
    parse_period,
    public_counts,
    survey_by_district,
    survey_change,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
CENTRE = h3.latlng_to_cell(47.566, 31.33, 8)
CELLS = sorted(h3.grid_disk(CENTRE, 1))  # 7 neighbouring res-8 cells
SPLIT_LON = h3.cell_to_latlng(CENTRE)[1] + 1e-4  # not through a cell centre
DISTRICTS = [
    {"id": "d-01", "name": "West", "polygon": [[31.2, 47.4], [SPLIT_LON, 47.4], [SPLIT_LON, 47.7], [31.2, 47.7]]},
    {"id": "d-02", "name": "East", "polygon": [[SPLIT_LON, 47.4], [31.5, 47.4], [31.5, 47.7], [SPLIT_LON, 47.7]]},
]
MONTHS = Quarter(2026, 1).months
SLUGS = sorted(CATEGORIES)
COLUMNS = ["id", "category", "occurred_at", "status", "duplicate_of", "lat", "lon", "level", "text", "status_note"]
FILTERS = [(p, g) for p in (*MONTHS, Quarter(2026, 1)) for g in (None, *GROUPS)]
MONTH_FILTERS = [(p, g) for p in MONTHS for g in (None, *GROUPS)]


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
            }
        )
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["duplicate_of"] = df["duplicate_of"].astype("Int64")
    return df


def make_addresses(seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed + 1)
    return {c: int(rng.choice([0, 3, 8, 40])) for c in CELLS}


def release(df: pd.DataFrame, addr: dict[str, int], filters: list = FILTERS) -> dict:
    """Every public table and feed the app may show together (default: all of Q1)."""
    out = {}
    for period, group in filters:
        t = public_counts(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
        req = open311_requests(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
        out[(period, group)] = (t.units, t.districts, t.total, [(r["lat"], r["long"], r["service_code"]) for r in req])
    return out


def assert_same_release(a: dict, b: dict) -> None:
    for key in a:
        pd.testing.assert_frame_equal(a[key][0], b[key][0])
        pd.testing.assert_frame_equal(a[key][1], b[key][1])
        assert a[key][2] == b[key][2]
        assert sorted(a[key][3]) == sorted(b[key][3])


def shown_by_unit(t: privacy.PublicTable) -> dict[str, int]:
    shown = t.units.dropna(subset=["count"])
    return dict(zip(shown["unit"], shown["count"].astype(int)))


seeds = st.integers(0, 10_000)
sizes = st.integers(0, 160)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(SETTINGS, max_examples=15)  # for the invariance test, the core guarantee


@SETTINGS
@given(seeds, sizes)
def test_shown_counts_are_at_least_k_and_totals_are_sums_of_shown(seed: int, n: int) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    for period, group in FILTERS:
        t = public_counts(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
        shown = t.units["count"].dropna()
        assert (shown >= t.k).all()
        assert t.units["fewer_than_k"].equals(t.units["count"].isna())
        assert t.total == int(shown.sum())
        for _, d in t.districts.iterrows():
            in_d = t.units.loc[t.units["district"] == d["district"], "count"].dropna()
            assert (0 if pd.isna(d["count"]) else d["count"]) == int(in_d.sum())
        assert t.total == int(t.districts["count"].dropna().sum())
        assert not ({"lat", "lon", "text", "occurred_at", "id"} & set(t.units.columns))


@SETTINGS
@given(seeds, sizes)
def test_single_month_and_group_match_an_independent_recount(seed: int, n: int) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    counted = df[df["status"].ne("rejected") & df["duplicate_of"].isna()]
    local = pd.to_datetime(counted["occurred_at"], utc=True).dt.tz_convert("Europe/Kyiv")
    for month in MONTHS:
        for group, spec in GROUPS.items():
            t = public_counts(df, period=month, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
            sel = counted[
                counted["category"].map(lambda c: CATEGORIES[c].group).eq(group)
                & local.dt.year.eq(month.year)
                & local.dt.month.eq(month.month)
                & counted["level"].ne("district")
            ]
            truth = pd.Series([h3.latlng_to_cell(a, b, 8) for a, b in zip(sel["lat"], sel["lon"])]).value_counts()
            cells = t.cells.set_index("unit")
            for cell, true_n in truth.items():
                if addr[cell] < privacy.MIN_ADDRESSES:
                    assert cell not in cells.index  # pooled into its microdistrict
                elif true_n >= spec.k:
                    assert cells.loc[cell, "count"] == true_n
                else:
                    assert bool(cells.loc[cell, "fewer_than_k"])


@THOROUGH
@given(seeds, sizes, st.data())
def test_month_tables_do_not_depend_on_any_suppressed_count(seed: int, n: int, data) -> None:
    """Changing any suppressed atom within 1..k-1 must not change any month figure.

    If nothing a month view publishes depends on a suppressed value, no subtraction across
    month tables (district minus cells, all minus one group) can recover it.
    """
    df, addr = make_reports(seed, n), make_addresses(seed)
    atoms: dict[tuple, list] = {}
    for rid, a, _ in privacy._atoms(df, MONTHS, addr, DISTRICTS):
        atoms.setdefault((a.unit, a.month, a.group), []).append(rid)
    suppressed = [(key, ids) for key, ids in sorted(atoms.items()) if len(ids) < GROUPS[key[2]].k]
    if not suppressed:
        return
    (unit, month, group), ids = data.draw(st.sampled_from(suppressed))
    k = GROUPS[group].k
    target = data.draw(st.integers(1, k - 1).filter(lambda v: v != len(ids)) if k > 2 else st.just(len(ids)))
    changed = df.set_index("id")
    if target < len(ids):
        changed = changed.drop(index=ids[: len(ids) - target])
    else:
        extra = changed.loc[[ids[0]] * (target - len(ids))].copy()
        extra.index = range(10_000, 10_000 + len(extra))
        changed = pd.concat([changed, extra])
    assert_same_release(release(df, addr, MONTH_FILTERS),
                        release(changed.reset_index(names="id"), addr, MONTH_FILTERS))


@THOROUGH
@given(seeds, sizes)
def test_quarter_minus_its_months_is_zero_or_at_least_k(seed: int, n: int) -> None:
    """Per unit and group the quarter differs from its shown months by 0 or by at least k
    reports (spread over two or more suppressed months), never by one hidden count; the
    all-groups figures are exactly the sums of the group figures."""
    df, addr = make_reports(seed, n), make_addresses(seed)
    kw = dict(now=NOW, address_counts=addr, districts=DISTRICTS)
    for group, spec in GROUPS.items():
        q = shown_by_unit(public_counts(df, period=Quarter(2026, 1), group=group, **kw))
        months: dict[str, int] = {}
        for m in MONTHS:
            for unit, c in shown_by_unit(public_counts(df, period=m, group=group, **kw)).items():
                months[unit] = months.get(unit, 0) + c
        for unit in set(q) | set(months):
            rest = q.get(unit, 0) - months.get(unit, 0)
            assert rest == 0 or rest >= spec.k, (group, unit, rest)
    for period in (*MONTHS, Quarter(2026, 1)):
        by_group = [shown_by_unit(public_counts(df, period=period, group=g, **kw)) for g in GROUPS]
        summed = {u: sum(g.get(u, 0) for g in by_group) for u in set().union(*by_group)}
        assert shown_by_unit(public_counts(df, period=period, group=None, **kw)) == {
            u: c for u, c in summed.items() if c}


def test_one_suppressed_month_keeps_the_quarter_at_the_sum_of_the_shown_months() -> None:
    """Months 5, 2: publishing 7 would reveal the 2, so the quarter shows 5; months 5, 3, 2:
    the suppressed months hold 5 >= k over two months, so the quarter may show 10."""
    lat, lon = h3.cell_to_latlng(CENTRE)

    def reports(per_month: list[int]) -> pd.DataFrame:
        times = [MONTHS[m].start + timedelta(days=3, hours=i) for m, n in enumerate(per_month) for i in range(n)]
        return pd.DataFrame({"id": range(len(times)), "category": "litter", "occurred_at": times, "status": "new",
                             "duplicate_of": None, "lat": lat, "lon": lon, "level": "address", "text": "",
                             "status_note": None}, columns=COLUMNS)

    kw = dict(now=NOW, address_counts={c: 40 for c in CELLS}, districts=DISTRICTS, group="cleanliness",
              period=Quarter(2026, 1))
    assert shown_by_unit(public_counts(reports([5, 2, 0]), **kw)) == {CENTRE: 5}
    assert shown_by_unit(public_counts(reports([5, 2, 2]), **kw)) == {CENTRE: 5}
    assert shown_by_unit(public_counts(reports([5, 3, 2]), **kw)) == {CENTRE: 10}
    assert shown_by_unit(public_counts(reports([2, 2, 2]), **kw)) == {CENTRE: 6}
    assert shown_by_unit(public_counts(reports([4, 0, 0]), **kw)) == {}


def test_duplicates_and_rejected_reports_are_not_counted() -> None:
    base = make_reports(3, 0)
    rows = []
    for i in range(12):
        lat, lon = point_in(CENTRE, np.random.default_rng(i))
        rows.append(
            dict(id=i, category="litter", occurred_at=datetime(2026, 2, 3, tzinfo=UTC), status="verified",
                 duplicate_of=None, lat=lat, lon=lon, level="address", text="x", status_note=None)
        )
    df = pd.concat([base, pd.DataFrame(rows)], ignore_index=True)
    addr = {CENTRE: 50}
    kw = dict(period=Month(2026, 2), group="cleanliness", now=NOW, address_counts=addr, districts=DISTRICTS)
    assert public_counts(df, **kw).total == 12
    df.loc[df["id"] < 4, "status"] = "rejected"
    df.loc[df["id"].between(4, 6), "duplicate_of"] = 11
    assert public_counts(df, **kw).total == 5
    df.loc[df["id"] == 7, "status"] = "rejected"
    assert public_counts(df, **kw).total == 0
    assert public_counts(df, **kw).units["fewer_than_k"].all()


def test_low_address_cells_are_published_only_inside_their_microdistrict() -> None:
    df = make_reports(5, 150)
    addr = dict.fromkeys(CELLS, 0)
    t = public_counts(df, period=Quarter(2026, 1), group=None, now=NOW, address_counts=addr, districts=DISTRICTS)
    assert set(t.units["kind"]) <= {"rest"}
    assert set(t.units["unit"]) <= {"rest:d-01", "rest:d-02"}


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


@pytest.mark.parametrize(
    "bad",
    ["2026-03", (2026, 3), datetime(2026, 3, 1, tzinfo=UTC), slice(0, 3), None],
)
def test_only_month_or_quarter_objects_are_accepted(bad) -> None:
    with pytest.raises(PrivacyError):
        public_counts(make_reports(1, 5), period=bad, group=None, now=NOW, address_counts={})


@pytest.mark.parametrize("bad", ["noise", "litter", ["cleanliness"], "", "ALL"])
def test_only_fixed_groups_are_accepted(bad) -> None:
    with pytest.raises(PrivacyError):
        public_counts(make_reports(1, 5), period=Month(2026, 1), group=bad, now=NOW, address_counts={})


def test_other_resolutions_and_naive_now_are_refused() -> None:
    with pytest.raises(PrivacyError, match="resolution"):
        public_counts(make_reports(1, 5), period=Month(2026, 1), group=None, now=NOW, res=9, address_counts={})
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


@SETTINGS
@given(seeds, sizes)
def test_open311_feed_has_only_shown_cells_cell_centres_and_month_dates(seed: int, n: int) -> None:
    df, addr = make_reports(seed, n), make_addresses(seed)
    points = {(round(a, 5), round(b, 5)) for a, b in zip(df["lat"], df["lon"])}
    for period, group in FILTERS:
        t = public_counts(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
        req = open311_requests(df, period=period, group=group, now=NOW, address_counts=addr, districts=DISTRICTS)
        shown = t.cells.dropna(subset=["count"]).set_index("unit")["count"]
        per_cell = pd.Series([h3.latlng_to_cell(r["lat"], r["long"], 8) for r in req], dtype=object).value_counts()
        for cell, c in per_cell.items():  # requests come from shown months only
            assert cell in shown.index
            assert c == shown[cell] if isinstance(period, Month) else shown[cell] - c in (0, *range(t.k, 10_000))
        for r in req:
            assert (r["lat"], r["long"]) not in points
            assert r["description"] in ("", "Cleaned up by the council")
            assert r["requested_datetime"][8:19] == "01T00:00:00"
            assert set(r) == {"service_request_id", "status", "service_code", "service_name", "description",
                              "requested_datetime", "lat", "long"}


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
