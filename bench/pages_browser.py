"""Chromium's time to updated content on the real server, against a bare Streamlit page with
an empty folium map of the same size served in the same run (used by bench/pages.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from i18n import t
from services.council import district_names
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _wait_healthy
from tests.e2e.helpers import MAP_FRAME, go, map_ready, open_page, sign_in

ROOT = Path(__file__).resolve().parents[1]
BARE = """import sys

sys.path.insert(0, {root!r})
import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import use_local_assets

use_local_assets()  # Leaflet from ./static, as the app loads it (no network here)
st.set_page_config(layout="wide")
zoom = st.selectbox("Zoom", [13, 14, 15, 16, 17, 12])
st_folium(folium.Map(location=(47.566, 31.33), zoom_start=zoom, tiles=None), key="bare", height=600,
          use_container_width=True, returned_objects=[])
"""


@contextmanager
def serve(script: str, folder: str, env: dict[str, str]) -> Iterator[str]:
    """`streamlit run script` on a free port (log in folder), as the e2e tests run the app."""
    port = _free_port()
    log = open(f"{folder}/{Path(script).stem}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=os.environ | env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


class ScriptRuns:
    """Counts the server's "script finished" messages a page receives over its websocket (a
    whole run or a fragment's), so a control's rerun is timed to its last delta, however fast
    it is, instead of by watching for a stale marker that a quick rerun may never show."""

    def __init__(self, page: Page) -> None:
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in FINISHED:
            self.finished += 1


FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
PAINTED = "el => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def new_page(browser: Browser) -> tuple[Page, ScriptRuns]:
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    return page, ScriptRuns(page)


def updated(page: Page, runs: ScriptRuns, before: int) -> float:
    """Wait for the rerun an input started to finish and the map frame to paint after it;
    returns when the server's script finished (perf_counter seconds)."""
    deadline = time.perf_counter() + 120
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError("the rerun did not finish within two minutes")
        page.wait_for_timeout(5)
    finished = time.perf_counter()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    map_ready(page)
    page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").evaluate(PAINTED)
    return finished


def pick(page: Page, runs: ScriptRuns, label: str, option: str) -> tuple[float, float]:
    """Seconds from choosing `option` in the select box `label` to the updated page, and to the
    server's end of the rerun."""
    page.wait_for_timeout(1000)  # let the last rerun's layout settle (not timed)
    box = page.get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    box.click()
    choice = page.get_by_role("option", name=option, exact=True)
    choice.wait_for(timeout=5000)
    before = runs.finished
    start = time.perf_counter()
    choice.click()
    finished = updated(page, runs, before)
    return time.perf_counter() - start, finished - start


def browser_ratios(folder: str, database_url: str, target: float) -> None:
    """Print per page and control the time to updated content and its ratio to the bare page."""
    env = {"DATABASE_URL": database_url, "HOTSPOTS_SALT_FILE": f"{folder}/salt.key", "HOTSPOTS_MODE": "demo"}
    bare_script = Path(folder) / "bare_page.py"
    bare_script.write_text(BARE.format(root=str(ROOT)), encoding="utf-8")
    (Path(folder) / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script
    with (
        sync_playwright() as pw,
        serve(str(bare_script), folder, env) as bare_url,
        serve("app.py", folder, env) as app_url,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page, runs = new_page(browser)
        open_page(page, bare_url)
        map_ready(page)
        bare = min(pick(page, runs, "Zoom", str(z))[0] for z in (14, 15, 16))
        print(f"\nChromium, time to updated content; bare page (select box + empty folium map, 600 px): {bare:.2f} s")
        print(f"{'page':<11} {'control':<30} {'seconds':>8} {'ratio':>6} {'target':>6}  ok  (server's rerun ended at)")
        district = district_names()[0]
        changes: list[tuple[str, str, str, Callable[[Page, ScriptRuns], tuple[float, float]]]] = [
            (
                "police",
                "police",
                "period 4 weeks (page)",
                lambda p, r: pick(p, r, t("police_period.label"), t("police_period.weeks", n=4)),
            ),
            (
                "police",
                "police",
                "period next 7 days (page)",
                lambda p, r: pick(p, r, t("police_period.label"), t("police_period.next7")),
            ),
            ("police", "police", "window 3 h (fragment)", lambda p, r: pick(p, r, t("police.window"), "3")),
            ("council", "council", "district (fragment)", lambda p, r: pick(p, r, t("police.district"), district)),
        ]
        signed: str | None = None
        for slug, user, what, change in changes:
            if user != signed:
                page.context.close()
                page, runs = new_page(browser)  # a new browser: a new sign-in
                sign_in(page, app_url, user)
                signed = user
                go(page, f"nav.{slug}")
                page.locator(MAP_FRAME).first.wait_for(timeout=180_000)
                map_ready(page)
            took, rerun = change(page, runs)
            ratio = took / bare
            print(
                f"{slug:<11} {what:<30} {took:8.2f} {ratio:6.2f} {target:6.1f}  {'yes' if ratio <= target else 'NO ':<3} {rerun:5.2f} s"
            )
        browser.close()
