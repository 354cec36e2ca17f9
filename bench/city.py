"""How long a city takes to go from its OSM extract to a profile and gazetteer (`city init`).

Times, in this process (no interpreter start), each step on the real extract of central
Helsinki (tests/data/helsinki, ODbL) or any extract given: scanning its boundary objects,
the plain gazetteer build, and the whole `init_city` with a GeoJSON study area (the
Helsinki extract has no complete boundary). Prints the median of --repeat runs and the
throughput in extract megabytes per second.

    python bench/city.py [--extract city.osm.pbf] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.areas import scan_areas  # noqa: E402
from geo.city import init_city  # noqa: E402
from geo.osm import build_gazetteer  # noqa: E402


def _median_s(step, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, default=ROOT / "tests" / "data" / "helsinki" / "Helsinki.osm.pbf")
    parser.add_argument("--tz", default="Europe/Helsinki")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    megabytes = args.extract.stat().st_size / 1e6
    plain = build_gazetteer(args.extract)
    lons, lats = zip(*(p for s in plain["streets"] for line in s["lines"] for p in line), strict=True)
    outline = [
        [min(lons), min(lats)],
        [max(lons), min(lats)],
        [max(lons), max(lats)],
        [min(lons), max(lats)],
        [min(lons), min(lats)],
    ]
    with tempfile.TemporaryDirectory() as folder:
        area = Path(folder) / "area.geojson"
        area.write_text(
            json.dumps(
                {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [outline]}}
            ),
            encoding="utf-8",
        )
        rows = {
            "scan boundaries": _median_s(lambda: scan_areas(args.extract), args.repeat),
            "gazetteer build": _median_s(lambda: build_gazetteer(args.extract), args.repeat),
            "city init": _median_s(
                lambda: init_city(
                    args.extract,
                    name="City",
                    tz=args.tz,
                    out=Path(folder) / "c.toml",
                    study_area_geojson=area,
                    force=True,
                ),
                args.repeat,
            ),
        }
    print(
        f"{args.extract.name}: {megabytes:.2f} MB, {len(plain['streets'])} streets, "
        f"{len(plain['addresses'])} addresses, {len(plain['landmarks'])} landmarks"
    )
    for step, seconds in rows.items():
        print(f"{step:16s} {seconds:7.2f} s  {megabytes / seconds:7.2f} MB/s")


if __name__ == "__main__":
    main()
