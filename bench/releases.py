"""How much of the truth the public releases reflect, on the demo data (run: python bench/releases.py).

Not a test: it loads the bundled demo data into a throw-away SQLite store through the real
pipeline (which publishes every past demo month as a release), then compares the released
numbers with the true counts of the same base cells and prints:

* reflected share: a report is reflected when its unit's released value for its month
  (for a quarter: for its quarter) is at least 1; shown for the all-groups view (the
  map's default) and for the report's own group;
* accuracy: of the non-empty month base cells (unit x month x group), the share released
  within +-2 of the truth, per group;
* hot/cold agreement: Gi* (k-ring 1) on the true cell counts and on the released cell
  counts of the same units, for every month and quarter and every group filter: the
  share of truly hot/cold cells (90% confidence) that are hot/cold with the same sign on
  the released numbers, and the share of released significant cells not significant on
  the truth; once at the 90% confidence level of each cell, once with the
  Benjamini-Hochberg FDR bins the public overlay draws (whose data-dependent threshold
  moves with small changes, so agreement there is lower);
* an insider who knows how many reports were added to or removed from a cell between two
  versions could intersect them; with no revisions in the demo, the bench simulates one
  late report in every non-empty month cell and prints how often that narrows a count
  below k to fewer than 3 values (docs/PRIVACY.md discusses it).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clustering.binning import study_area  # noqa: E402
from clustering.gistar import local_gistar  # noqa: E402
from data.categories import GROUPS  # noqa: E402
from data.store.repo import release_source_frame  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from layers import privacy  # noqa: E402
from layers.cellkey import KEY_SPACE  # noqa: E402

TARGETS = {"reflected": 0.95, "within2": 0.95, "same_sign": 0.90, "false_significant": 0.10}


def load(folder: Path):  # type: ignore[no-untyped-def]
    os.environ["HOTSPOTS_SALT_FILE"] = str(folder / "salt.key")
    from sqlalchemy.orm import Session

    from data.store.db import make_engine, upgrade
    from services.demo import load_demo

    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    upgrade(engine)
    t0 = time.perf_counter()
    summary = load_demo(engine)
    print(f"demo loaded and {len(summary['releases'])} monthly releases published in {time.perf_counter() - t0:.0f} s")
    with Session(engine) as session:
        source = release_source_frame(session)
    return engine, source


def truth_and_release(engine, source: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Per base cell: true n, cell key and the released value (0 when not stored)."""
    from services import public

    gz = load_gazetteer()
    base = privacy.base_cells(source, address_counts=public.address_counts(), districts=gz.districts)
    months = public.released_months(engine)
    released = pd.concat([public.public_table(engine, m, None).base for m in months["month"]])
    out = base.merge(released, on=["month", "unit", "kind", "district", "category_group"], how="outer")
    out["n"] = out["n"].fillna(0).astype(int)
    out["value"] = out["value"].fillna(0).astype(int)
    return out.loc[out["month"].isin(set(months["month"]))]


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"


def reflected(cells: pd.DataFrame) -> dict[str, float]:
    """Report-weighted share of reports whose unit's released value is >= 1."""
    cells = cells.assign(quarter=cells["month"].map(quarter_of))
    out = {}
    for label, time_key in (("month", "month"), ("quarter", "quarter")):
        for scope, keys in (("all groups", [time_key, "unit"]), ("own group", [time_key, "unit", "category_group"])):
            value = cells.groupby(keys)["value"].transform("sum")
            out[f"{label}, {scope}"] = float(cells.loc[value >= 1, "n"].sum() / cells["n"].sum())
    return out


def within_two(cells: pd.DataFrame) -> dict[str, float]:
    busy = cells.loc[cells["n"] > 0]
    return {g: float(((grp["value"] - grp["n"]).abs() <= 2).mean()) for g, grp in busy.groupby("category_group")}


def hot_cold(cells: pd.DataFrame, *, fdr: bool) -> tuple[float, float, int, int]:
    """Gi* sign agreement over every month and quarter and every group filter (cells only)."""
    area = study_area(load_gazetteer().boundary_polygon, privacy.PUBLIC_RES)
    index = pd.Index(area, name="cell")
    cells = cells.loc[cells["kind"] == "cell"].assign(quarter=cells["month"].map(quarter_of))
    agree = hot = false = significant = 0
    for time_key in ("month", "quarter"):
        for _period, in_period in cells.groupby(time_key):
            for group in [None, *GROUPS]:
                sel = in_period if group is None else in_period.loc[in_period["category_group"] == group]
                bins = []
                for column in ("n", "value"):
                    counts = sel.groupby("unit")[column].sum().reindex(index, fill_value=0)
                    result = local_gistar(counts, k=1, fdr=fdr)
                    bins.append(
                        result.table.set_index("cell")["bin"].reindex(index).fillna(0).to_numpy() if result.ok else None
                    )
                if bins[0] is None or bins[1] is None:
                    continue
                true_bin, released_bin = bins
                hot += int((true_bin != 0).sum())
                agree += int(((true_bin != 0) & (np.sign(true_bin) == np.sign(released_bin))).sum())
                significant += int((released_bin != 0).sum())
                false += int(((released_bin != 0) & (true_bin == 0)).sum())
    return agree / max(hot, 1), false / max(significant, 1), hot, significant


def insider(cells: pd.DataFrame, seed: int = 5) -> float:
    """Share of non-empty month cells below k that one known late report would narrow to < 3."""
    rng = np.random.default_rng(seed)
    narrowed = total = 0
    for row in cells.loc[(cells["n"] > 0)].itertuples():
        table, k = privacy.ptable_for(row.category_group), GROUPS[row.category_group].k
        if row.n >= k:
            continue
        key2 = (row.key + rng.integers(0, KEY_SPACE) / KEY_SPACE) % 1.0
        later = table.perturb(row.n + 1, key2)
        possible = set(table.possible_counts(row.value)) & {m - 1 for m in table.possible_counts(later)}
        narrowed += len(possible) < 3
        total += 1
    return narrowed / max(total, 1)


def all_units() -> dict[str, str]:
    """Every unit a release can have (cells with enough addresses, rest of each district)."""
    gz = load_gazetteer()
    counts = privacy.address_counts_by_cell(gz.addresses)
    cells = [c for c, n in counts.items() if n >= privacy.MIN_ADDRESSES]
    units = dict(privacy.cell_districts(cells, gz.districts))
    for d in [*(str(d.id) for d in gz.districts), privacy.OUTSIDE_DISTRICTS]:
        units[privacy.REST_PREFIX + d] = d
    return units


def differential_privacy(cells: pd.DataFrame, epsilon: float, seed: int = 11) -> pd.DataFrame:
    """The alternative for docs/PRIVACY.md: discrete Laplace noise (scale 1/epsilon, the
    two-sided geometric) on every base cell, empty ones included, clamped at 0."""
    rng = np.random.default_rng(seed)
    units = all_units()
    grid = pd.MultiIndex.from_product(
        [sorted(cells["month"].unique()), sorted(units), sorted(GROUPS)], names=["month", "unit", "category_group"]
    )
    full = cells.groupby(["month", "unit", "category_group"])["n"].sum().reindex(grid, fill_value=0).reset_index()
    full["kind"] = np.where(full["unit"].str.startswith(privacy.REST_PREFIX), "rest", "cell")
    q = np.exp(-epsilon)
    noise = rng.geometric(1 - q, len(full)) - rng.geometric(1 - q, len(full))
    return full.assign(value=np.maximum(full["n"] + noise, 0))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine, source = load(Path(tmp))
        cells = truth_and_release(engine, source)
        engine.dispose()
    print(
        f"\nreleased months: {cells['month'].nunique()}, base cells with reports: {(cells['n'] > 0).sum()}, "
        f"reports counted: {cells['n'].sum()}, released total: {cells['value'].sum()}"
    )
    print("\nreflected share (a report whose unit's released value for its period is >= 1)")
    for label, share in reflected(cells).items():
        print(f"  {label:<22} {share:7.2%}  {'OK' if share >= TARGETS['reflected'] else 'BELOW 95%'}")
    print("\nnon-empty month base cells released within +-2 of the truth, per group")
    for group, share in within_two(cells).items():
        print(f"  {group:<22} {share:7.2%}  {'OK' if share >= TARGETS['within2'] else 'BELOW 95%'}")
    for fdr, label in ((False, "90% confidence per cell"), (True, "FDR bins of the public overlay")):
        same, false, hot, significant = hot_cold(cells, fdr=fdr)
        print(f"\nGi* hot/cold spots, {label}: every month and quarter, all groups and each group")
        print(
            f"  true hot/cold cells with the same sign on released numbers: {same:7.2%} of {hot}  "
            f"{'OK' if same >= TARGETS['same_sign'] else 'BELOW 90%'}"
        )
        print(
            f"  released significant cells not significant on the truth:    {false:7.2%} of {significant}  "
            f"{'OK' if false <= TARGETS['false_significant'] else 'ABOVE 10%'}"
        )
    for epsilon in (1.0, 1.2):
        dp = differential_privacy(cells, epsilon)
        empty, months = dp.loc[dp["n"] == 0], dp["month"].nunique()
        same, false, _, _ = hot_cold(dp, fdr=False)
        print(f"\nfor comparison, differential privacy (discrete Laplace, epsilon {epsilon} per cell and release):")
        print(
            f"  reflected (month, all groups) {reflected(dp)['month, all groups']:.2%}; within +-2 (worst group) "
            f"{min(within_two(dp).values()):.2%}; phantom reports in empty cells per month "
            f"{empty['value'].sum() / months:.0f} (real: {dp['n'].sum() / months:.0f}); "
            f"Gi* 90% same sign {same:.2%}, false significant {false:.2%}"
        )
    print(
        f"\ninsider knowing one late report per cell: counts below k narrowed to < 3 values in "
        f"{insider(cells):.2%} of non-empty cells (outsiders: 0%, tests/test_release_attack.py)"
    )


if __name__ == "__main__":
    main()
