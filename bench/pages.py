"""Page speed: the server's script time per page and per control, and Chromium's time to
updated content against a bare Streamlit page with an empty folium map.

Server side (``streamlit.testing.v1.AppTest``, the real page scripts in this process):
for each page the first render on a cold cache, the first render of a NEW session on a
warm cache (target < 1.5 s), and each control changed to a value not seen before
(target < 1 s), each after the page's background warm-up (ui/warm_up.py) has finished:
a period change is then a cache hit, a new choice of layers or categories still computes. A control inside an ``st.fragment`` reruns only that fragment, as in the
browser: AppTest itself always reruns the whole script, so this bench asks its script
runner for a fragment-scoped rerun (the same RerunData the server builds for a fragment).

Browser side (``--browser``; Debian's Chromium through Playwright, the real server): the
time from changing a control to the map's updated content, divided by the same time on a
bare page (one select box and an empty folium map of the same size) served in the same
run (target <= 1.5x).

    python bench/pages.py [--browser] [--no-server] [--repeat 3]

The demo store is imported once into a temporary SQLite file (about half a minute).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest outside a server warns on every cached call

import streamlit.testing.v1.local_script_runner as local_runner
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from auth import sessions
from data.store.db import make_engine, upgrade
from data.store.repo import report_count
from i18n import t
from services import police
from services.demo import load_demo
from ui import warm_up

APP = str(ROOT / "app.py")
#: what is measured: name -> (page script, who is signed in); a partner works on the council page
PAGES = {
    "public_map": ("public_map", None),
    "police": ("police", "police"),
    "council": ("council", "council"),
    "partner": ("council", "partner"),
    "moderator": ("moderator", "moderator"),
}
FIRST_TARGET, CONTROL_TARGET, RATIO_TARGET = 1.5, 1.0, 1.5


def open_page(engine, name: str, took: list[float] | None = None) -> AppTest:  # type: ignore[no-untyped-def]
    """A new session on the page; ``took`` gets the seconds of the page's own first run."""
    slug, user = PAGES[name]
    at = AppTest.from_file(APP, default_timeout=600)
    if user:
        at.session_state["session_id"] = sessions.open_session(engine, user)
    if slug != "public_map":
        at.run()  # the app opens on the public map; the signed-in user then opens the page
        at.switch_page(str(ROOT / "ui" / "pages" / f"{slug}.py"))
    (took if took is not None else []).append(timed(at.run))
    assert not at.exception, at.exception
    settled = warm_up.wait()  # the page's background warm-up (untimed): later changes find it done
    assert settled, "the page's warm-up did not finish"
    return at


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): every time here is only as quiet as the machine."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextmanager
def demo_store(folder: str | None = None, name: str = "pages.db") -> Iterator[Engine]:
    """An engine on the demo store in ``folder`` (a temporary one when None; imported on first
    use), with the page's environment pointed at it: the set-up every AppTest bench shares."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = folder or temporary
        os.makedirs(folder, exist_ok=True)
        url = f"sqlite:///{folder}/{name}"
        os.environ |= {"DATABASE_URL": url, "HOTSPOTS_SALT_FILE": f"{folder}/salt.key", "HOTSPOTS_MODE": "demo"}
        engine = make_engine(url)
        upgrade(engine)
        if report_count(engine) == 0:
            load_demo(engine)
        print(f"demo store: {report_count(engine)} reports; load average at the start: {load_average()}")
        try:
            yield engine
        finally:
            engine.dispose()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def by_label(widgets, key: str):  # type: ignore[no-untyped-def]
    return next(w for w in widgets if w.label == t(key))


def fragment_id(at: AppTest, name: str) -> str:
    """The id under which the page registered its fragment function `name`."""
    for fid, wrapped in at._fragment_storage._fragments.items():
        if any(getattr(c.cell_contents, "__name__", None) == name for c in wrapped.__closure__ or ()):
            return fid
    raise LookupError(f"no fragment {name!r} on this page")


@contextmanager
def only_fragment(at: AppTest, name: str) -> Iterator[None]:
    """Make the next run of `at` a fragment-scoped rerun of `name` (what the browser asks for)."""
    fid = fragment_id(at, name)
    plain = local_runner.RerunData
    local_runner.RerunData = lambda **kw: plain(**kw, fragment_id_queue=[fid], is_fragment_scoped_rerun=True)
    try:
        yield
    finally:
        local_runner.RerunData = plain


def opened(at: AppTest, expander: str) -> AppTest:
    """Open one of the police page's expanders that compute only while open (by its state key)."""
    at.session_state[expander] = True
    return at


COUNCIL: list[tuple[str, str | None, Callable[[AppTest], object]]] = [
    ("district (trend)", "trend_chart", lambda at: by_label(at.selectbox, "police.district").select_index(1).run()),
    ("wave", "survey_section", lambda at: by_label(at.selectbox, "council.wave").select_index(0).run()),
    ("period", None, lambda at: by_label(at.selectbox, "public.period").select_index(1).run()),
]

#: per page: (what changes, the fragment it sits in or None for the whole page, how) on an
#: open AppTest; each picks a value not chosen before
CONTROLS: dict[str, list[tuple[str, str | None, Callable[[AppTest], object]]]] = {
    "public_map": [
        ("group", None, lambda at: by_label(at.selectbox, "public.group").set_value("disorder").run()),
        ("view", None, lambda at: at.radio[0].set_value("districts").run()),
        ("period", None, lambda at: by_label(at.selectbox, "public.period").select_index(1).run()),
    ],
    "police": [
        ("period 4 weeks", None, lambda at: by_label(at.selectbox, "police_period.label").set_value(4).run()),
        ("period next 7 days", None, lambda at: by_label(at.selectbox, "police_period.label").set_value("next7").run()),
        ("layers + kde", None, lambda at: by_label(at.multiselect, "police.layers").select("kde").run()),
        (
            "district (profile)",
            "when_section",
            lambda at: by_label(at.selectbox, "police.district").select_index(1).run(),
        ),
        ("patrols 3", "plan_section", lambda at: by_label(at.number_input, "police.patrols").set_value(3).run()),
        ("areas opened", "areas_section", lambda at: opened(at, "police-areas-open").run()),
        ("accuracy opened", "accuracy_section", lambda at: opened(at, "police-accuracy-open").run()),
        ("effects opened", "effects_section", lambda at: opened(at, "police-effects-open").run()),
        ("areas 4", "areas_section", lambda at: by_label(at.number_input, "police.areas_n").set_value(4).run()),
        ("category litter", None, lambda at: by_label(at.multiselect, "filters.category").select("litter").run()),
    ],
    "council": COUNCIL,
    "partner": COUNCIL,
    "moderator": [
        ("section queue", None, lambda at: at.radio(key="mod-section").set_value("queue").run()),
        ("reason filter", None, lambda at: by_label(at.selectbox, "mod.filter_reason").select_index(1).run()),
        ("age filter", None, lambda at: by_label(at.selectbox, "mod.filter_age").select_index(1).run()),
        ("section edit", None, lambda at: at.radio(key="mod-section").set_value("edit").run()),
    ],
}


#: per page: (what changes, how) timed right after a store write, once the warm-up of the
#: version before has finished: every page cache is cold, nothing of the new version is warm
COLD: dict[str, list[tuple[str, Callable[[AppTest], object]]]] = {
    "police": [("period 12 weeks", lambda at: by_label(at.selectbox, "police_period.label").set_value(12).run())],
    "council": [("period", lambda at: by_label(at.selectbox, "public.period").select_index(2).run())],
}


def touch_store(engine) -> None:  # type: ignore[no-untyped-def]
    """A write that changes no data but moves the store's version (as bench/pages_browser.py's)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE reports SET status = status WHERE id = (SELECT min(id) FROM reports)"))


def cold_period_changes(at: AppTest, engine: Engine, changes: int) -> Iterator[Callable[[], None]]:
    """`changes` police period changes, each to another period than the one shown, right after
    a store write, once the previous version's warm-up has finished; yields each change, for
    the caller to time (it fails on a page exception)."""
    periods = [p for p in police.PERIODS if p != police.DEFAULT_PERIOD] + [police.DEFAULT_PERIOD]
    for i in range(changes):
        warm_up.wait()
        touch_store(engine)

        def change(period: int | str = periods[i % len(periods)]) -> None:
            by_label(at.selectbox, "police_period.label").set_value(period).run()
            assert not at.exception, at.exception

        yield change


def server(engine, repeat: int) -> list[tuple[str, str, float, float]]:  # type: ignore[no-untyped-def]
    """Rows (page, what, seconds, target) of the server's script times."""
    rows = []
    for slug in PAGES:
        took: list[float] = []
        for _ in range(1 + repeat):
            open_page(engine, slug, took)
        cold, warm = took[0], min(took[1:])
        rows += [
            (slug, "first render, cold cache", cold, float("nan")),
            (slug, "first render, warm cache", warm, FIRST_TARGET),
        ]
        at = open_page(engine, slug)
        for what, fragment, change in CONTROLS[slug]:
            with only_fragment(at, fragment) if fragment else nullcontext():
                took = timed(lambda c=change, a=at: c(a))
            assert not at.exception, (slug, what, at.exception)
            scope = f"fragment {fragment}" if fragment else "whole page"
            rows.append((slug, f"{what} ({scope})", took, CONTROL_TARGET))
            if fragment:
                at.run()  # a whole run again, so the next control finds every widget
        for what, change in COLD.get(slug, []):
            warm_up.wait()
            touch_store(engine)
            took = timed(lambda c=change, a=at: c(a))
            assert not at.exception, (slug, what, at.exception)
            rows.append((slug, f"{what}, cold: right after a store write", took, CONTROL_TARGET))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--browser", action="store_true", help="also time Chromium against a bare page")
    parser.add_argument("--no-server", action="store_true", help="skip the AppTest script times")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with demo_store() as engine:
        rows = [] if args.no_server else server(engine, args.repeat)
        print("server script times by AppTest (a control in a fragment reruns only that fragment)")
        print(f"{'page':<11} {'what':<48} {'seconds':>8} {'target':>7}  ok")
        for slug, what, took, target in rows:
            ok = "" if math.isnan(target) else ("yes" if took < target else "NO")
            print(f"{slug:<11} {what:<48} {took:8.2f} {target:7.1f}  {ok}")
        print(f"load average after the server times: {load_average()}")
        if args.browser:
            from bench.pages_browser import browser_ratios

            browser_ratios(str(Path(engine.url.database).parent), os.environ["DATABASE_URL"], RATIO_TARGET)


if __name__ == "__main__":
    main()
