"""A/B of Streamlit's full garbage collection after every script run (``runner.postScriptGC``)
on the real server: the police page's plan-window fragment and period changes, timed in
Chromium from the click to the server's "finished" message and to the updated content,
with the bare page (bench/pages_browser.py) in the same run. The app turns the collection
off (.streamlit/config.toml); this shows what that is worth on this machine.

    python bench/rerun_gc.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright

from bench.pages import load_average
from bench.pages_browser import BARE, ZOOMS, WarmUps, new_page, pick, serve
from data.store.db import make_engine, upgrade
from i18n import t
from services.demo import load_demo
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import MAP_FRAME, go, map_ready, open_page, sign_in


def police_changes(browser, url: str, log: Path) -> dict[str, list[tuple[float, float]]]:  # type: ignore[no-untyped-def]
    """(time to updated content, time to "finished") of 8 window and 8 period changes."""
    page, runs = new_page(browser)
    sign_in(page, url, "police")
    go(page, "nav.police")
    page.locator(MAP_FRAME).first.wait_for(timeout=180_000)
    map_ready(page)
    WarmUps(log).settled("police", 0)
    window, period = t("police.window"), t("police_period.label")
    times = {
        "window (fragment)": [pick(page, runs, window, w) for w in "34123412"],
        "period (page)": [pick(page, runs, period, t("police_period.weeks", n=n)) for n in (4, 12, 8, 26) * 2],
    }
    page.context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of on and off")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/pages.db"
        env = {"DATABASE_URL": url, "HOTSPOTS_SALT_FILE": f"{folder}/salt.key", "HOTSPOTS_MODE": "demo"}
        os.environ |= env
        engine = make_engine(url)
        upgrade(engine)
        load_demo(engine)
        (Path(folder) / "bare_page.py").write_text(BARE.format(root=str(ROOT), zooms=ZOOMS), encoding="utf-8")
        (Path(folder) / "static").symlink_to(ROOT / "static")
        print(f"load average at the start: {load_average()}")
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.rounds):
                for gc in ("true", "false"):
                    run_env = env | {"STREAMLIT_RUNNER_POST_SCRIPT_GC": gc, "STREAMLIT_LOGGER_LEVEL": "info"}
                    with serve(str(Path(folder) / "bare_page.py"), folder, run_env) as bare_url:
                        page, runs = new_page(browser)
                        open_page(page, bare_url)
                        map_ready(page)
                        bare = [pick(page, runs, "Zoom", str(z)) for z in (14, 15, 16, 17)]
                        results.setdefault((gc, "bare page"), []).extend(bare)
                        page.context.close()
                    with serve("app.py", folder, run_env) as app_url:
                        for what, times in police_changes(browser, app_url, Path(folder) / "app.log").items():
                            results.setdefault((gc, what), []).extend(times)
            browser.close()
    print(f"{'postScriptGC':<13} {'change':<18} {'n':>3} {'updated s':>10} {'finished s':>11}  (medians)")
    for (gc, what), times in results.items():
        updated = statistics.median(u for u, _ in times)
        finished = statistics.median(f for _, f in times)
        print(f"{gc:<13} {what:<18} {len(times):3d} {updated:10.2f} {finished:11.2f}")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
