"""Hostile texts from every source, opened on every page in Chromium: no script of theirs
runs (no global is set), no request leaves for an outside host (all requests are
intercepted), no server template runs (no server path shows up), and the texts are
shown as the text they are. The moderator's pages are included."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route

from i18n import t
from tests.e2e.conftest import run_app
from tests.e2e.helpers import MAP_FRAME, go, map_ready, open_page, poke_maps, sign_in, wait_idle
from tests.e2e.hostile import Fed, feed, hostile_csv, payloads

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class HostileApp:
    url: str
    fed: Fed
    var: Path
    outside: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, demo_store: dict) -> Iterator[HostileApp]:
    """A copy of the demo store with the hostile sources fed in, served by its own app."""
    from data.store.db import make_engine

    var = tmp_path_factory.mktemp("hostile-var")
    with (
        sqlite3.connect(demo_store["url"].removeprefix("sqlite:///")) as src,
        sqlite3.connect(var / "hostile.db") as dst,
    ):
        src.backup(dst)
    (var / "salt.key").write_bytes(Path(demo_store["salt"]).read_bytes())
    url = f"sqlite:///{var / 'hostile.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTSPOTS_SALT_FILE", str(var / "salt.key"))
    engine = make_engine(url)
    fed = feed(engine, var / "sources")
    engine.dispose()
    mp.undo()
    with run_app(var, url, load_demo=False) as app:
        yield HostileApp(app, fed, var)


@pytest.fixture
def guarded(page: Page, hostile_app: HostileApp) -> Iterator[HostileApp]:
    """Every request of the browser context is checked; outside hosts are recorded and refused."""
    outside: list[str] = []

    def check(route: Route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", check)
    page.set_viewport_size({"width": 1400, "height": 1400})
    app = HostileApp(hostile_app.url, hostile_app.fed, hostile_app.var, outside)
    yield app
    assert_nothing_ran(page, app)


def assert_nothing_ran(page: Page, app: HostileApp) -> None:
    page.wait_for_timeout(500)
    for frame in page.frames:
        assert frame.evaluate("() => window.__pwned === undefined"), (frame.url, frame.evaluate("() => window.__pwned"))
        assert str(app.var) not in frame.content(), f"a server template ran in {frame.url}"
    assert app.outside == [], app.outside


def choose(page: Page, label: str) -> None:
    """Pick a part of a page: a radio option (the report and moderator pages use radios)."""
    page.get_by_text(label, exact=True).first.click()
    wait_idle(page)


def wait_text(page: Page, text: str, timeout_ms: int = 60_000) -> None:
    """Wait until the page holds `text` as text nodes (markup would have become elements).

    textContent, not innerText: Streamlit may show another tab after a rerun."""
    page.wait_for_function("text => document.body.textContent.includes(text)", arg=text, timeout=timeout_ms)


def test_public_map_and_report_status_show_hostile_notes_as_text(page, guarded) -> None:
    open_page(page, guarded.url)
    map_ready(page)
    page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    seen = " ".join(poke_maps(page))
    assert payloads("public")[1] in seen  # the action's public note, shown as typed
    open_page(page, f"{guarded.url}/report")
    map_ready(page)
    wait_idle(page)
    choose(page, t("form.status"))
    page.get_by_label(t("form.tracking")).wait_for(state="visible", timeout=30_000)
    page.get_by_label(t("form.tracking")).fill(guarded.fed.tracking)
    page.get_by_label(t("form.tracking")).press("Enter")
    wait_idle(page)
    wait_text(page, payloads("note")[3])  # the moderator's note, as text
    wait_text(page, payloads("note")[1])


def test_police_map_shows_hostile_reports_as_text(page, guarded) -> None:
    sign_in(page, guarded.url, "police")
    go(page, "nav.police")
    map_ready(page)
    seen = " ".join(poke_maps(page))
    shown = [p for tag in ("tg", "fb", "csv", "xlsx", "minutes") for p in payloads(tag) if p in seen]
    assert shown, "no hostile report popup was opened on the police map"


def test_council_pages_show_hostile_actions_and_meetings_as_text(page, guarded) -> None:
    sign_in(page, guarded.url, "council")
    go(page, "nav.council")
    map_ready(page)
    seen = " ".join(poke_maps(page))
    assert payloads("action")[1] in seen  # the action's description, as typed
    for tab in ("council.plan", "council.meetings", "council.surveys"):
        page.get_by_role("tab", name=t(tab)).click()
        wait_idle(page)


def test_moderator_sees_hostile_uploads_queue_and_reports_as_text(page, guarded) -> None:
    sign_in(page, guarded.url, "moderator")
    go(page, "nav.moderator")
    name = "![x](http:__evil.example_f.png) <img src=x onerror=top.__pwned=1>.csv"
    page.locator("input[type=file]").set_input_files(
        [{"name": name, "mimeType": "text/csv", "buffer": hostile_csv(datetime(2025, 11, 1, tzinfo=UTC), "upload")}]
    )
    wait_idle(page)
    page.get_by_role("button", name=t("mod.import")).click()
    wait_idle(page)
    wait_text(page, name, 120_000)  # the file name, as text
    choose(page, t("mod.queue"))
    map_ready(page)
    wait_text(page, payloads("queue")[3])  # the excerpt, as text
    wait_text(page, payloads("queue")[1])
    poke_maps(page)
    choose(page, t("mod.edit"))
    report_id = page.get_by_label(t("mod.report_id"))
    pixel = [rid for rid, text in guarded.fed.reports.items() if "pixel.png" in text][:2]
    script = [rid for rid, text in guarded.fed.reports.items() if "<img" in text or "${" in text][:2]
    assert pixel and script
    for rid in pixel + script:
        report_id.fill(str(rid))
        report_id.press("Enter")
        wait_idle(page)
        wait_text(page, guarded.fed.reports[rid])  # the report text, as text


def test_admin_audit_log_with_hostile_details(page, guarded) -> None:
    sign_in(page, guarded.url, "admin")  # the admin's other pages are the ones tested above
    go(page, "nav.admin")
    page.get_by_role("tab", name=t("admin.audit")).click()
    wait_idle(page)
