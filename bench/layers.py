"""Build time and HTML size of each audience's map (run: python bench/layers.py).

Not a test: it prints one line per case, for 10k and 100k synthetic reports spread over
the demo city, and for the demo data set's true report points (data/demo/ground_truth.csv,
the public map of which must stay under 2 MB). The police map is drawn from clustering's
real Gi*, KDE, DBSCAN and emerging tables (computed outside the timing).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clustering.hotspots import run  # noqa: E402
from clustering.kde import density_grid  # noqa: E402
from data.categories import SLUGS  # noqa: E402
from data.city_profile import city_zone  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from layers import council, exports, police, privacy  # noqa: E402
from layers.privacy import Month, Quarter  # noqa: E402
from layers.public import public_map  # noqa: E402

PUBLIC_LIMIT = 2_000_000  # bytes


def synthetic_reports(n: int, gazetteer, seed: int = 1) -> pd.DataFrame:
    """Reports around a few centres inside the city, over 2025 (uniform noise elsewhere)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = gazetteer.boundary_polygon.bounds
    centres = np.column_stack([rng.uniform(miny, maxy, 12), rng.uniform(minx, maxx, 12)])
    pick = rng.integers(0, 12, n)
    lat = centres[pick, 0] + rng.normal(0, 0.003, n)
    lon = centres[pick, 1] + rng.normal(0, 0.004, n)
    noise = rng.random(n) < 0.3
    lat[noise], lon[noise] = rng.uniform(miny, maxy, noise.sum()), rng.uniform(minx, maxx, noise.sum())
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "category": rng.choice(SLUGS, n),
            "occurred_at": [start + timedelta(minutes=int(m)) for m in rng.integers(0, 365 * 24 * 60, n)],
            "status": rng.choice(["new", "verified", "rejected"], n, p=[0.4, 0.55, 0.05]),
            "duplicate_of": pd.array([None] * n, dtype="Int64"),
            "lat": lat,
            "lon": lon,
            "level": rng.choice(["address", "street", "landmark", "district"], n, p=[0.5, 0.3, 0.15, 0.05]),
            "uncertainty_m": rng.choice([15.0, 120.0, 60.0, 800.0], n),
            "text": "redacted text",
            "status_note": None,
        }
    )


def released_table(df: pd.DataFrame, period, addr: dict, gazetteer) -> privacy.PublicTable:
    """The public table of ``period`` as a release would hold it (fresh record keys, all groups)."""
    rng = np.random.default_rng(7)
    local = pd.to_datetime(df["occurred_at"], utc=True).dt.tz_convert(city_zone())
    placed = df.assign(
        month=local.dt.strftime("%Y-%m"),
        batch_id=1,
        record_key=rng.integers(0, 2**32, len(df), dtype=np.int64),
        h3_r8=[h3.latlng_to_cell(a, b, 8) for a, b in zip(df["lat"], df["lon"], strict=True)],
    )
    base = privacy.perturbed(privacy.base_cells(placed, address_counts=addr, districts=gazetteer.districts))
    return privacy.public_table(base, period=period, group=None)


def timed(label: str, fn) -> tuple[object, int | None]:
    """Run `fn`; for a map or a string output, render it (inside the timing) and report its size."""
    t0 = time.perf_counter()
    out = fn()
    text = out.get_root().render() if hasattr(out, "get_root") else out if isinstance(out, str) else None
    size = len(text.encode()) if text is not None else None
    extra = f"  {size / 1e6:.2f} MB" if size is not None else ""
    print(f"{label:<52} {time.perf_counter() - t0:6.2f} s{extra}")
    return out, size


def bench(n: int, gazetteer, addr: dict) -> None:
    df = synthetic_reports(n, gazetteer)
    table, _ = timed(
        f"{n:>7} released table Q4 all groups", lambda: released_table(df, Quarter(2025, 4), addr, gazetteer)
    )
    timed(f"{n:>7} public map (Q4, all groups)", lambda: public_map(table, gazetteer))
    points = {str(d.id): (47.5, 31.3) for d in gazetteer.districts} | {privacy.OUTSIDE_DISTRICTS: (47.5, 31.3)}
    timed(f"{n:>7} requests.json (Q4, all groups)", lambda: exports.requests_json(table, points))
    boundary = gazetteer.boundary_polygon
    gistar, density = run(df, "gistar", 9, boundary), density_grid(df[df["level"] != "district"])
    clusters, emerging = run(df, "dbscan", 9, boundary), run(df, "emerging", 9, boundary)
    window = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC))
    timed(
        f"{n:>7} police map (all layers, Dec points capped)",
        lambda: police.police_map(
            gazetteer,
            role="police",
            period_label="2025",
            gistar=gistar,
            density=density,
            clusters=clusters,
            emerging=emerging,
            reports=df,
            points_window=window,
        ),
    )
    timed(
        f"{n:>7} council map (districts, cells, Dec vs Nov)",
        lambda: council.council_map(gazetteer, role="council", period=Month(2025, 12), reports=df),
    )


def demo_public(gazetteer, addr: dict) -> None:
    """The public map of the demo data set (true points of the planted reports)."""
    gt = pd.read_csv(ROOT / "data" / "demo" / "ground_truth.csv")
    gt = gt[(gt["is_report"] == 1) & gt["lat"].notna()]
    df = pd.DataFrame(
        {
            "id": np.arange(len(gt)),
            "category": gt["category"].to_numpy(),
            "occurred_at": pd.to_datetime(gt["occurred_at"], utc=True).to_numpy(),
            "status": "verified",
            "duplicate_of": pd.array([1 if d else None for d in gt["is_duplicate_of"].notna()], dtype="Int64"),
            "lat": gt["lat"].to_numpy(),
            "lon": gt["lon"].to_numpy(),
            "level": "address",
            "text": "",
            "status_note": None,
        }
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    actions = pd.read_csv(ROOT / "data" / "demo" / "actions.csv")
    for period in (privacy.latest_publishable_month(now), Quarter(2025, 3)):
        table = released_table(df, period, addr, gazetteer)
        _, size = timed(
            f"demo public map {period.label} ({len(df)} reports)",
            lambda t=table: public_map(t, gazetteer, actions=actions),
        )
        print(f"{'':<52} {'OK' if size < PUBLIC_LIMIT else 'TOO BIG'} (< {PUBLIC_LIMIT / 1e6:.0f} MB)")


def main() -> None:
    gazetteer = load_gazetteer()
    addr = privacy.address_counts_by_cell(gazetteer.addresses)
    demo_public(gazetteer, addr)
    for n in (10_000, 100_000):
        bench(n, gazetteer, addr)


if __name__ == "__main__":
    main()
