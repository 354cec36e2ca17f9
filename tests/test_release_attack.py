"""An attacker on everything the public side ever published, revisions included.

The attacker knows the method and its parameters (the perturbation tables are published)
but no record key. It reads, for every release, every period (months and quarters) and
every group filter, every number the public side serves: unit counts of the page table,
the CSV and the GeoJSON, district totals, the city total and the Open311 feed. Each
number is a linear equation over the released base values y (one per version of a base
cell: month x unit x group as a given release carries it):

    sum of y over the base cells the number covers = the number.

Interval propagation over this system (to a fixpoint) gives every y's feasible range;
the test first checks that the system is consistent (every total equals the sum of its
parts) and that it pins every y exactly, so the ranges are exact, not an outer bound.
Then the only link between y and the true count n is the perturbation table, and the
attacker's set of possible true counts is possible_counts(y). The test demands that it
holds the truth and at least 3 values for every count below k. The negative controls
show that the same attacker recovers the hidden months of the old "fewer than k"
publication and breaks a table with too small a deviation.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data.categories import GROUPS
from data.store.db import make_engine, upgrade
from data.store.repo import release_source_frame
from data.store.schema import ImportBatch, ReportRow
from geo.gazetteer import load_gazetteer
from layers import privacy
from layers.cellkey import PTable, PTableSpec
from services import public
from services.releases import publish
from tests.test_releases import JAN, after, reports
from tests.test_releases import add as add_rows

FEB, MAR, APR = privacy.Month(2025, 2), privacy.Month(2025, 3), privacy.Month(2025, 4)
BIG = 10**6

Var = tuple[int, str, str, str]  # (release id of the version, month, unit, group)


def propagate(equations: list[tuple[list[int], int]], lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval propagation of sum(y[vars]) = value over integer y in [lo, hi], to a fixpoint."""
    rows = np.repeat(np.arange(len(equations)), [len(v) for v, _ in equations])
    cols = np.fromiter((c for v, _ in equations for c in v), dtype=np.int64, count=rows.size)
    value = np.array([x for _, x in equations], dtype=np.int64)
    lo, hi = lo.astype(np.int64).copy(), hi.astype(np.int64).copy()
    while True:
        sum_lo = np.bincount(rows, lo[cols], minlength=len(equations)).astype(np.int64)
        sum_hi = np.bincount(rows, hi[cols], minlength=len(equations)).astype(np.int64)
        new_lo, new_hi = lo.copy(), hi.copy()
        np.maximum.at(new_lo, cols, value[rows] - (sum_hi[rows] - hi[cols]))
        np.minimum.at(new_hi, cols, value[rows] - (sum_lo[rows] - lo[cols]))
        if (new_lo > new_hi).any():
            raise AssertionError("the published numbers contradict each other (a total is not the sum of its parts)")
        if (new_lo == lo).all() and (new_hi == hi).all():
            return lo, hi
        lo, hi = new_lo, new_hi


class Publication:
    """Every published number as an equation over released base values (Var)."""

    def __init__(self, units: dict[str, str]) -> None:
        self.units = units  # every unit the attacker can name (from the public gazetteer) -> district
        self.index: dict[Var, int] = {}
        self.equations: list[tuple[list[int], int]] = []

    def var(self, key: Var) -> int:
        return self.index.setdefault(key, len(self.index))

    def add(self, keys: Iterable[Var], value: int) -> None:
        self.equations.append(([self.var(k) for k in keys], int(value)))

    def read_table(self, table: privacy.PublicTable, files: dict[str, str]) -> None:
        version = {v["month"]: v["release"] for v in table.versions}
        groups = [table.group] if table.group else list(GROUPS)

        def cover(units: Iterable[str]) -> list[Var]:
            return [(version[m.label], m.label, u, g) for u in units for m in table.period.months for g in groups]

        csv = pd.read_csv(io.StringIO(files["csv"]), dtype={"unit": str, "district": str}, keep_default_na=False)
        geo = {f["properties"]["unit"]: f["properties"]["count"] for f in json.loads(files["geojson"])["features"]}
        page = dict(zip(table.units["unit"], table.units["count"], strict=True))
        for unit in self.units:  # absent from a table = released as 0
            for source in (dict(zip(csv["unit"], csv["count"], strict=True)), geo, page):
                self.add(cover([unit]), source.get(unit, 0))
        for district, count in zip(table.districts["district"], table.districts["count"], strict=True):
            self.add(cover(u for u, d in self.units.items() if d == district), count)
        self.add(cover(self.units), table.total)
        feed: dict[Var, int] = defaultdict(int)
        for request in json.loads(files["requests.json"]):
            month = request["requested_datetime"][:7]
            unit = request["service_request_id"].split("-", 1)[1].rsplit("-", 2)[0]
            feed[(version[month], month, unit, request["service_code"])] += 1
        for key in cover(self.units):
            self.add([key], feed.get(key, 0))
        self.add(cover(self.units), sum(feed.values()))


def attacker_sets(pub: Publication, table_of: dict[str, PTable]) -> dict[Var, list[int]]:
    """For each released base value: the true counts the attacker cannot rule out."""
    lo, hi = propagate(pub.equations, np.zeros(len(pub.index)), np.full(len(pub.index), BIG))
    assert (lo == hi).all(), "every released base value is pinned, so the sets below are exact"
    return {key: table_of[key[3]].possible_counts(int(lo[i])) for key, i in pub.index.items()}


def public_units() -> dict[str, str]:
    """Units an outsider can list: res-8 cells with enough addresses, and rest-of-district units."""
    gz = load_gazetteer()
    counts = privacy.address_counts_by_cell(gz.addresses)
    cells = [c for c, n in counts.items() if n >= privacy.MIN_ADDRESSES]
    district_of = privacy.cell_districts(cells, gz.districts)
    units = {c: district_of[c] for c in cells}
    for d in [*(str(d.id) for d in gz.districts), privacy.OUTSIDE_DISTRICTS]:
        units[privacy.REST_PREFIX + d] = d
    return units


def true_counts(engine: Engine, release: int, months: list[str]) -> dict[Var, int]:
    with Session(engine) as session:
        base = privacy.base_cells(
            release_source_frame(session), address_counts=public.address_counts(), districts=load_gazetteer().districts
        )
    base = base.loc[base["month"].isin(months)]
    return {(release, r.month, r.unit, r.category_group): int(r.n) for r in base.itertuples()}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict[Var, int]]:
    """Four monthly releases with late reports, re-moderation and re-categorisation between them."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("attack")
    mp.setenv("HOTSPOTS_SALT_FILE", str(folder / "salt.key"))
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    truth: dict[Var, int] = {}

    def release(now_month: privacy.Month) -> None:
        for summary in publish(engine, now=after(now_month)):
            truth.update(true_counts(engine, summary.release, [summary.month, *summary.revised]))

    with Session(engine) as s, s.begin():
        s.add(ImportBatch(id=1, file_name="x.csv", sha256="1" * 64, kind="csv"))
    add_rows(engine, reports(40, 130, JAN) + reports(41, 110, FEB, status="new", batch=1))
    add_rows(engine, reports(42, 15, FEB, prefix="form", status="new"))  # never counted unmoderated
    release(FEB)
    add_rows(engine, reports(43, 6, JAN, prefix="late") + reports(44, 120, MAR))
    with Session(engine) as s, s.begin():
        ids = s.scalars(select(ReportRow.id).order_by(ReportRow.id)).all()
        s.execute(update(ReportRow).where(ReportRow.id.in_(ids[130:134])).values(status="rejected"))
        s.execute(update(ReportRow).where(ReportRow.id.in_(ids[:3])).values(category="drinking"))
        s.execute(update(ReportRow).where(ReportRow.id.in_(ids[250:253])).values(status="verified"))  # form ok
    release(MAR)
    add_rows(engine, reports(45, 3, FEB, prefix="late2") + reports(46, 100, APR))
    release(APR)
    mp.undo()
    return engine, truth


def test_no_released_number_narrows_a_count_below_k_to_fewer_than_three_values(history) -> None:
    engine, truth = history
    pub = Publication(public_units())
    releases = public.latest_release(engine)
    assert releases == 4
    for as_of in range(1, releases + 1):
        for period in public.publishable_periods(engine, as_of=as_of):
            for group in public.all_groups():
                table = public.public_table(engine, period, group, as_of=as_of)
                pub.read_table(table, public.downloads_of(table))
    revised = {(r, m) for r, m, _, _ in pub.index} - {(r, m) for r, m, _, _ in truth}
    assert not revised, "every version the public saw was recorded with its truth"
    assert {m for _, m, _, _ in pub.index} == {"2025-01", "2025-02", "2025-03", "2025-04"}
    assert len({(r, m) for r, m, _, _ in pub.index}) > 4  # revisions were published and attacked
    sets = attacker_sets(pub, {g: privacy.ptable_for(g) for g in GROUPS})
    checked = 0
    for key, possible in sets.items():
        n = truth.get(key, 0)
        assert n in possible, key  # the attacker's model is sound
        if n < GROUPS[key[3]].k:
            assert len(possible) >= 3, (key, n, possible)
            checked += 1
    small = sum(1 for k, n in truth.items() if 0 < n < GROUPS[k[3]].k)
    print(
        f"{len(pub.equations)} equations over {len(pub.index)} released values; {checked} counts below k "
        f"checked, {small} of them non-zero; {len({(r, m) for r, m, _, _ in pub.index})} month versions"
    )
    assert checked > 1000 and small > 100


def test_every_published_total_is_the_sum_of_its_parts(history) -> None:
    """Without assuming it: the propagation above raises on any inconsistent number; here the
    identities are checked directly for the newest release."""
    engine, _ = history
    for period in public.publishable_periods(engine):
        by_group = {g: public.public_table(engine, period, g) for g in public.all_groups()}
        whole = by_group[None]
        assert whole.total == sum(t.total for g, t in by_group.items() if g is not None)
        assert whole.total == whole.districts["count"].sum() == whole.units["count"].sum()
        if "Q" in period:
            months = [public.public_table(engine, m.label, None) for m in privacy.parse_period(period).months]
            assert whole.total == sum(m.total for m in months)


def test_the_attacker_recovers_what_the_old_fewer_than_k_tables_hid() -> None:
    """Negative control: a quarter of 13 with one shown month of 5 and two months flagged
    "fewer than 5" pins both hidden months at 4, as the issue found on the old tables."""
    equations = [([0], 5), ([0, 1, 2], 13)]
    lo, hi = propagate(equations, np.array([0, 1, 1]), np.array([BIG, 4, 4]))
    assert lo.tolist() == hi.tolist() == [5, 4, 4]  # no noise: each value is the count itself


def test_the_attacker_breaks_a_table_with_too_small_a_deviation() -> None:
    """Negative control: with deviations of at most 1 a released 1 leaves only {1, 2}."""
    weak = PTable(
        PTableSpec("weak", 1, 0.5, 0.1),
        (((0, 1.0),), ((-1, 0.1), (0, 0.8), (1, 0.1)), ((-1, 0.25), (0, 0.5), (1, 0.25))),
    )
    pub = Publication({"u": "d"})
    pub.add([(1, "2025-01", "u", "x")], 1)
    assert attacker_sets(pub, {"x": weak}) == {(1, "2025-01", "u", "x"): [1, 2]}
    assert len(attacker_sets(pub, {"x": privacy.ptable_for("cleanliness")})[(1, "2025-01", "u", "x")]) >= 3


def test_the_published_table_covers_a_zero_by_small_counts_too() -> None:
    """A released 0 does not prove that nobody reported (counts up to D can be released as 0)."""
    for person_linked, spec in privacy.PTABLE_SPECS.items():
        assert privacy.PTABLES[person_linked].possible_counts(0) == list(range(spec.max_deviation + 1))
