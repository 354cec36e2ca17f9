"""Chromium's time to updated content on the real server, against a bare Streamlit page with
an empty folium map of the same size served in the same run (used by bench/pages.py)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.pages import load_average
from data.store.db import make_engine
from i18n import DEFAULT_LANG, t
from services.clock import now
from services.council import WARM_PERIODS, default_period, district_names, periods
from services.labels import category_names
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _wait_healthy
from tests.e2e.helpers import (
    MAP_FRAME,
    go,
    map_layers_changed,
    map_layers_version,
    map_ready,
    open_page,
    sign_in,
    wait_idle,
)
from ui import offload

ROOT = Path(__file__).resolve().parents[1]
ZOOMS = [13, 14, 15, 16, 17, 12]  # the bare page's select box, its first option shown first
BARE = """import sys

sys.path.insert(0, {root!r})
import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import use_local_assets

use_local_assets()  # Leaflet from ./static, as the app loads it (no network here)
st.set_page_config(layout="wide")
zoom = st.selectbox("Zoom", {zooms})
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


def updated(page: Page, runs: ScriptRuns, before: int, layers: str | None) -> float:
    """Wait for the rerun an input started to finish and the map frame to paint after it;
    returns when the server's script finished (perf_counter seconds).

    `layers` is the version of the overlays the frame showed before the input (None for the
    bare page, whose map is a new iframe each time, and for a control that does not redraw
    the map): then the new overlays must be drawn (ui/map_frame.py writes their version to
    the map element, in the same or a new frame) before the paint counts; a change that left
    the map's layers as they were fails here instead of being timed."""
    deadline = time.perf_counter() + 120
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError("the rerun did not finish within two minutes")
        page.wait_for_timeout(5)
    finished = time.perf_counter()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    map_ready(page)
    if layers is not None:
        try:
            map_layers_changed(page, layers)
        except PlaywrightTimeout as error:
            raise AssertionError(f"the map still shows the layers {layers} it showed before the change") from error
    page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").evaluate(PAINTED)
    return finished


def pick(page: Page, runs: ScriptRuns, label: str, option: str, *, redraws: bool = True) -> tuple[float, float]:
    """Seconds from choosing `option` in the select box `label` to the updated page, and to the
    end of the server's rerun (as the page receives it). `redraws`: the change must show new
    map layers (False for a control whose fragment holds no map)."""
    page.wait_for_timeout(1000)  # let the last rerun's layout settle (not timed)
    layers = map_layers_version(page) if redraws else None
    box = page.get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    box.click()
    choice = page.get_by_role("option", name=option, exact=True)
    choice.wait_for(timeout=5000)
    before = runs.finished
    start = time.perf_counter()
    choice.click()
    finished = updated(page, runs, before, layers)
    return time.perf_counter() - start, finished - start


def untimed(page: Page, label: str, option: str) -> None:
    """Choose `option` in the select or multiselect box `label` and wait for the page (not timed)."""
    box = page.get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    map_ready(page)


def median_of(changes: Sequence[Callable[[], tuple[float, float]]]) -> tuple[float, float, list[float]]:
    """Median time to updated content, median rerun end, and every time (one per change)."""
    times = [change() for change in changes]
    return (
        statistics.median(t for t, _ in times),
        statistics.median(r for _, r in times),
        [t for t, _ in times],
    )


Change = Callable[[], tuple[float, float]]
Row = tuple[str, Callable[[], tuple[float, float, list[float]]]]
DONE = "page warm-up done: ('{page}'"  # ui/warm_up.py's log line (its key starts with the page)


class WarmUps:
    """Watches the app server's log for the background warm-up's "done" lines (ui/warm_up.py)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def done(self, page: str) -> int:
        return self.log.read_text(encoding="utf-8", errors="replace").count(DONE.format(page=page))

    def settled(self, page: str, before: int, timeout: float = 600) -> float:
        """Wait until a warm-up of `page` finished after `before` were done; seconds waited."""
        start = time.perf_counter()
        while self.done(page) <= before:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"the {page} warm-up did not finish within {timeout:.0f} s")
            time.sleep(0.2)
        return time.perf_counter() - start

    def idle(self, timeout: float = 600) -> None:
        """Wait until every warm-up that started has finished."""
        start = time.perf_counter()
        while True:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            ended = text.count("page warm-up done:") + text.count("page warm-up failed:")
            if text.count("page warm-up started:") <= ended:
                return
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"a warm-up did not finish within {timeout:.0f} s")
            time.sleep(0.2)


def write_to_store(database_url: str) -> None:
    """A write that changes no data but moves the store's version: every page cache is cold."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE reports SET status = status WHERE id = (SELECT min(id) FROM reports)"))
    engine.dispose()


def cold(database_url: str, warm_ups: WarmUps, change: Change) -> Change:
    """`change` timed right after a store write (no warm-up of the new version has started; the
    previous change's warm-up has finished, so it does not compete with this one)."""

    def timed() -> tuple[float, float]:
        page_settles = 2.0  # the previous change's warm-up starts once its page run has ended
        time.sleep(page_settles)
        warm_ups.idle()
        write_to_store(database_url)
        return change()

    return timed


def police_changes(page: Page, runs: ScriptRuns, database_url: str, warm_ups: WarmUps) -> tuple[list[Row], list[Row]]:
    """(settled rows, cold rows): each control changed to options not chosen before; settled
    ones after the warm-up finished, cold ones right after a store write."""
    period, category = t("police_period.label"), t("filters.category")
    names = category_names(DEFAULT_LANG)

    def to(option: int | str) -> Change:
        label = t("police_period.next7") if option == "next7" else t("police_period.weeks", n=option)
        return lambda: pick(page, runs, period, label)

    def ahead_with(categories: str) -> tuple[float, float]:
        """ "next 7 days" for a choice of categories not seen before (set first, untimed): never warmed."""
        untimed(page, period, t("police_period.weeks", n=8))
        untimed(page, category, names[categories])
        return pick(page, runs, period, t("police_period.next7"))

    settled = [
        ("period (page)", lambda: median_of([to(4), to(12), to("next7")])),
        (  # before the row that chooses categories: the warm-up covers the default choice's windows
            "window h (fragment)",
            lambda: median_of([lambda w=w: pick(page, runs, t("police.window"), w, redraws=False) for w in "341"]),
        ),
        ("next 7 days, new category", lambda: median_of([lambda c=c: ahead_with(c) for c in ("litter", "noise")])),
    ]
    # five changes, each right after a store write (so each is cold, though 26 comes twice)
    colds = [("period (page)", lambda: median_of([cold(database_url, warm_ups, to(n)) for n in (26, 8, 4, 12, 26)]))]
    return settled, colds


def council_changes(page: Page, runs: ScriptRuns, database_url: str, warm_ups: WarmUps) -> tuple[list[Row], list[Row]]:
    districts = district_names()[:3]
    today = now().date()
    labels = [label for label in periods(today)[:WARM_PERIODS] if label != default_period(today)]
    period = t("public.period")

    def district(d: str) -> Change:
        return lambda: pick(page, runs, t("police.district"), d, redraws=False)

    def to(label: str) -> Change:
        return lambda: pick(page, runs, period, label)

    settled = [
        ("district (fragment)", lambda: median_of([district(d) for d in districts])),
        ("period (page)", lambda: median_of([to(label) for label in labels[:3]])),
    ]
    colds = [("period (page)", lambda: median_of([cold(database_url, warm_ups, to(label)) for label in labels[3:8]]))]
    return settled, colds


class Bare:
    """The bare page in a tab of its own, timed at the start, between the pages and at the end:
    the ratios' denominator is the median of every sample, so a drift of the machine's pace
    over the run weighs on both sides."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.page, self.runs = new_page(browser)
        open_page(self.page, url)
        map_ready(self.page)
        self.zoom = ZOOMS[0]
        self.times: list[float] = []
        self.reruns: list[float] = []

    def sample(self, changes: int = 3) -> None:
        """`changes` zoom changes, each to another zoom than the one shown (a new map frame)."""
        for _ in range(changes):
            self.zoom = ZOOMS[(ZOOMS.index(self.zoom) + 1) % len(ZOOMS)]
            took, rerun = pick(self.page, self.runs, "Zoom", str(self.zoom))
            self.times.append(took)
            self.reruns.append(rerun)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def browser_ratios(folder: str, database_url: str, target: float) -> None:
    """Print per page and control the median time to updated content (each change to an option
    other than the one shown) and its ratio to the bare page's, with the machine's load."""
    env = {
        "DATABASE_URL": database_url,
        "HOTSPOTS_SALT_FILE": f"{folder}/salt.key",
        "HOTSPOTS_MODE": "demo",
        "STREAMLIT_LOGGER_LEVEL": "info",  # the warm-up's "done" line
    }
    bare_script = Path(folder) / "bare_page.py"
    bare_script.write_text(BARE.format(root=str(ROOT), zooms=ZOOMS), encoding="utf-8")
    (Path(folder) / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script
    print(f"\nload average (1, 5, 15 min) at the start of the browser run: {load_average()}")
    print(f"the app's worker process (ui/offload.py): {os.environ.get(offload.SETTING, 'auto')}")
    measured: list[tuple[str, str, str, float, float, list[float]]] = []
    with (
        sync_playwright() as pw,
        serve(str(bare_script), folder, env) as bare_url,
        serve("app.py", folder, env) as app_url,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare = Bare(browser, bare_url)
        bare.sample()
        warm_ups = WarmUps(Path(folder) / "app.log")
        pages = [("police", "police", police_changes), ("council", "council", council_changes)]
        for slug, user, changes in pages:
            page, runs = new_page(browser)  # a new browser context: a new sign-in
            before = warm_ups.done(slug)
            sign_in(page, app_url, user)
            go(page, f"nav.{slug}")
            page.locator(MAP_FRAME).first.wait_for(timeout=180_000)
            map_ready(page)
            waited = warm_ups.settled(slug, before)
            print(f"{slug:<9} (warm-up done {waited:.1f} s after the page was drawn)")
            settled, colds = changes(page, runs, database_url, warm_ups)
            for state, rows in (("settled", settled), ("cold", colds)):
                for what, measure in rows:
                    measured.append((slug, state, what, *measure()))
            page.context.close()
            bare.sample()
        browser.close()
    print(
        f"Chromium, median time to updated content; bare page (select box + empty folium map, 600 px), "
        f"{len(bare.times)} changes at the start, between the pages and at the end: {bare.median:.2f} s "
        f"(rerun done {statistics.median(bare.reruns):.2f} s; {', '.join(f'{v:.2f}' for v in bare.times)})"
    )
    print(
        f"{'page':<9} {'state':<8} {'control':<27} {'seconds':>7} {'ratio':>6} {'target':>6}  ok  {'rerun done':>10}  each"
    )
    for slug, state, what, took, rerun, each in measured:
        ratio = took / bare.median
        print(
            f"{slug:<9} {state:<8} {what:<27} {took:7.2f} {ratio:6.2f} {target:6.1f}"
            f"  {'yes' if ratio <= target else 'NO ':<3} {rerun:9.2f}s  {', '.join(f'{v:.2f}' for v in each)}"
        )
    print(f"load average at the end: {load_average()}")
