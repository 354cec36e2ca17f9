"""Benchmark of clustering/ against the reference tools (not part of pytest).

Run from the repository root:  python3 bench/hotspots.py [--quick]

Prints, side by side:
1. Gi* + FDR bins, ours vs libpysal ``Graph.build_h3`` + esda ``G_Local`` +
   statsmodels BH, on the city box at res 9 and 10 and on 100,000 cells:
   same numbers (max |dz|, bins equal) and the speed ratio, with our
   neighbour matrix built from scratch ("cold") and cached ("warm").
2. Binning 10k / 100k / 1M reports vs a Python loop over h3.latlng_to_cell,
   for random points and for geocoded-like points (repeated address points),
   both exact shortcuts (lattice map, dedupe); then 1M reports binned and
   analysed (Gi* at res 9).
3. Emerging hot spots on 10,000 cells x 104 weeks vs a pymannkendall loop.
4. Peak memory (tracemalloc) of the big steps and the process's max RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clustering.binning import bin_counts, cell_positions, points_to_cells, study_area  # noqa: E402
from clustering.emerging import emerging_hotspots  # noqa: E402
from clustering.gistar import _neighbour_matrix_cached, local_gistar  # noqa: E402
from clustering.mann_kendall import mann_kendall  # noqa: E402

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]
CENTRE = (47.566, 31.33)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (garbage collector paused, as timeit does), and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        out = None
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, out


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def synthetic_counts(cells: list[str], res: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    y = rng.poisson(0.3, len(cells))
    pos = {c: i for i, c in enumerate(cells)}
    hot = [pos[c] for c in h3.grid_disk(h3.latlng_to_cell(*CENTRE, res), 3) if c in pos]
    y[hot] += rng.poisson(4, len(hot))
    return pd.Series(y, index=cells)


def reference_gistar(y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    import esda
    from libpysal.graph import Graph
    from statsmodels.stats.multitest import multipletests

    g = Graph.build_h3(list(y.index), order=1, weight="binary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gl = esda.G_Local(y.to_numpy(dtype=float), g, transform="B", star=True, permutations=0)
    p = 2 * gl.p_norm
    level = np.zeros(len(p), dtype=int)
    for lv, alpha in enumerate((0.10, 0.05, 0.01), start=1):
        level[multipletests(p, alpha=alpha, method="fdr_bh")[0]] = lv
    return gl.Zs, np.sign(gl.Zs) * level


def bench_gistar(quick: bool) -> None:
    print("\n== 1. Gi* + FDR bins: ours vs libpysal Graph.build_h3 + esda G_Local + statsmodels BH (k=1)")
    print(
        f"{'area':<22}{'cells':>8}{'max|dz|':>10}{'bins eq':>9}{'ours cold s':>13}{'ours warm s':>13}"
        f"{'ref s':>9}{'x cold':>8}{'x warm':>8}"
    )
    areas = [("city box res 9", study_area(BOX, 9), 9), ("city box res 10", study_area(BOX, 10), 10)]
    if not quick:
        disk = sorted(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 10), 183))[:100_000]
        areas.append(("100k cells res 10", disk, 10))
    reference_gistar(synthetic_counts(areas[0][1], 9))  # imports / first calls
    local_gistar(synthetic_counts(areas[0][1], 9))
    for name, cells, res in areas:
        y = synthetic_counts(cells, res)

        def cold() -> Any:
            _neighbour_matrix_cached.cache_clear()
            return local_gistar(y)

        small = len(cells) < 20_000  # millisecond timings: best of many runs, the machine may be busy
        t_cold, ours = timed(cold, 15 if small else 3)
        t_warm, ours = timed(lambda: local_gistar(y), 30 if small else 5)
        t_ref, (z_ref, bin_ref) = timed(lambda: reference_gistar(y), 10 if small else 1)
        dz = float(np.max(np.abs(ours.table["z"].to_numpy() - z_ref)))
        same = bool((ours.table["bin"].to_numpy() == bin_ref).all())
        print(
            f"{name:<22}{len(cells):>8}{dz:>10.1e}{str(same):>9}{t_cold:>13.4f}{t_warm:>13.4f}"
            f"{t_ref:>9.3f}{t_ref / t_cold:>8.1f}{t_ref / t_warm:>8.1f}"
        )


def bench_binning(quick: bool) -> None:
    print("\n== 2. Binning (res 9, city box): ours vs a Python loop over h3.latlng_to_cell (+ dict lookup)")
    print(
        "   lattice = cell_positions (vectorised lattice map, used by bin_counts);"
        " dedupe = points_to_cells (one H3 call per distinct point)"
    )
    print(
        f"{'reports':>9}  {'points':<10}{'lattice s':>10}{'dedupe s':>10}{'loop s':>9}"
        f"{'x lattice':>10}{'x dedupe':>9}{'equal':>7}"
    )
    area = study_area(BOX, 9)
    index = {c: i for i, c in enumerate(area)}
    rng = np.random.default_rng(0)
    address_lat = rng.uniform(47.531, 47.601, 3000)
    address_lon = rng.uniform(31.267, 31.390, 3000)
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    for n in sizes:
        for kind in ("random", "geocoded"):
            if kind == "random":
                lat, lon = rng.uniform(47.531, 47.601, n), rng.uniform(31.267, 31.390, n)
            else:  # reports geocoded to 3,000 address / landmark points
                pick = rng.integers(0, 3000, n)
                lat, lon = address_lat[pick], address_lon[pick]
            t_lat, pos = timed(lambda: cell_positions(lat, lon, 9, area), 3)
            t_ded, got = timed(lambda: points_to_cells(lat, lon, 9), 3)
            lat_l, lon_l = lat.tolist(), lon.tolist()
            t_loop, want = timed(lambda: [h3.latlng_to_cell(a, b, 9) for a, b in zip(lat_l, lon_l)], 3)
            same = got.tolist() == want and pos.tolist() == [index.get(c, -1) for c in want]
            print(
                f"{n:>9}  {kind:<10}{t_lat:>10.3f}{t_ded:>10.3f}{t_loop:>9.3f}"
                f"{t_loop / t_lat:>10.2f}{t_loop / t_ded:>9.2f}{str(same):>7}"
            )
    n = 100_000 if quick else 1_000_000
    df = pd.DataFrame(
        {
            "lat": rng.uniform(47.531, 47.601, n),
            "lon": rng.uniform(31.267, 31.390, n),
            "uncertainty_m": rng.choice([10.0, 50.0, 500.0], n),
        }
    )
    hot = rng.random(n) < 0.1
    df.loc[hot, "lat"] = CENTRE[0] + rng.normal(0, 0.002, hot.sum())
    df.loc[hot, "lon"] = CENTRE[1] + rng.normal(0, 0.003, hot.sum())

    def pipeline() -> Any:
        area = study_area(BOX, 9)
        counts, summary = bin_counts(df, 9, area)
        return local_gistar(counts), summary

    t, (res, summary) = timed(pipeline, 1)
    print(
        f"{n} reports binned + Gi* analysed (res 9, {len(res.table)} cells): {t:.3f} s "
        f"(in {summary.n_in}, too vague {summary.n_too_vague}, outside {summary.n_outside}; "
        f"hot cells at 99%: {(res.table['bin'] == 3).sum()})"
    )
    print(f"  peak traced memory of that pipeline: {peak_mib(pipeline):.0f} MiB")


def bench_emerging(quick: bool) -> None:
    print("\n== 3. Emerging hot spots, 10,000 cells x 104 weeks (res 10)")
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 10), 58))[:10_000]
    rng = np.random.default_rng(0)
    cube = pd.DataFrame(rng.poisson(0.3, (len(cells), 104)), index=cells)
    trend = np.linspace(0, 3, 104)
    grow = [cells.index(c) for c in h3.grid_disk(cells[5000], 2)]
    cube.iloc[grow] += rng.poisson(trend, (len(grow), 104))
    emerging_hotspots(cube.iloc[:500])
    _neighbour_matrix_cached.cache_clear()
    t_total, r = timed(lambda: emerging_hotspots(cube), 3)
    z = r.z.to_numpy()
    t_mk, ours = timed(lambda: mann_kendall(z), 3)
    import pymannkendall as mk

    m = 2_000 if quick else len(cells)
    t_loop, ref = timed(lambda: [mk.original_test(row) for row in z[:m]], 1)
    dz = max(abs(o.z - ours["z"][i]) for i, o in enumerate(ref))
    print(f"ours, whole analysis (cube Gi* + FDR per week + MK + 17 categories): {t_total:.3f} s")
    print(
        f"ours, Mann-Kendall only: {t_mk:.3f} s; pymannkendall loop over {m} cells: {t_loop:.2f} s "
        f"(x{t_loop / t_mk * len(cells) / m:.0f} per cell, max |dz| {dz:.1e})"
    )
    print("  categories:", dict(r.table["category"].value_counts()))
    print(f"  peak traced memory: {peak_mib(lambda: emerging_hotspots(cube)):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100k-cell and 1M-report runs")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, h3 {h3.__version__}, numpy {np.__version__}, pandas {pd.__version__}")
    bench_gistar(args.quick)
    bench_binning(args.quick)
    bench_emerging(args.quick)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
