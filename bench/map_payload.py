"""What the police map sends to the browser on each period change: the map component's
arguments as Streamlit serialises them (``json.dumps``, ASCII: six bytes per Cyrillic
letter), per period, and how much of it is the report points' layer.

A period change sends the period's overlays (``ui/map_frame.py``); the browser receives,
parses and runs them on every change, so their size is paid on each one.

    python bench/map_payload.py [--store DIR] [--lang uk]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from bench.pages import demo_store
from services import police
from ui import map_frame


def wire_bytes(frame: map_frame.Frame) -> int:
    """The component arguments ``map_frame.draw`` passes, as Streamlit's JSON carries them."""
    args = {"script": frame.script, "header": frame.header, "html": frame.html, "id": frame.map_id}
    return len(json.dumps(args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="a folder to keep the demo store in (imported on first use)")
    parser.add_argument("--lang", default="uk")
    args = parser.parse_args()
    with demo_store(args.store, "payload.db") as engine:
        print(f"{'period':>7} {'overlays (chars)':>17} {'non-ASCII':>10} {'on the wire':>12} {'points layer':>13}")
        for period in police.PERIODS:
            data = police.police_data(engine, role="police", period=period, with_forecast=False)  # as the page
            view = police.police_map_of(data, role="police", lang=args.lang, layers=police.DEFAULT_LAYERS)
            frame = map_frame.frame_of(view.fmap)
            start = frame.overlays.index("markerClusterGroup")  # the points' group (fails without it)
            points = frame.overlays[start : frame.overlays.index("window.feature_group.push", start)]
            print(
                f"{period!s:>7} {len(frame.overlays):>17,} {sum(ord(c) > 127 for c in frame.overlays):>10,}"
                f" {wire_bytes(frame):>12,} {len(json.dumps(points)):>13,}"
            )


if __name__ == "__main__":
    main()
