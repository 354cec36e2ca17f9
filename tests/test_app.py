"""The dashboard in streamlit's AppTest: every role sees its pages, and only those."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from auth import PAGES, allowed_pages, sessions
from data.store.schema import SessionRow
from i18n import t
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGE_FILE = {slug: str(ROOT / "ui" / "pages" / f"{slug}.py") for slug in PAGES}
SESSION_KEY = "session_id"  # ui.state.SESSION_KEY (importing ui.state needs a running app)
USERS = {"police": "police", "council": "council", "partner": "partner", "moderator": "moderator", "admin": "admin"}


@pytest.fixture
def app(demo_store, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))

    def start(username: str | None = None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=180)
        if username:
            at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], username)
        at.run()
        if page:
            at.switch_page(PAGE_FILE[page]).run()
        return at

    return start


def map_script(at: AppTest) -> str:
    """Every script the map frame runs: the base map's, then its overlays' (ui/map_frame.py
    sends them in the html argument, HTML-escaped in a textarea)."""
    maps = at.get("component_instance")
    assert maps, "no map was rendered"
    args = json.loads(maps[0].proto.json_args)
    return args["script"] + "\n" + html.unescape(args["html"])


def test_public_page_renders_the_city_with_hotspots_legend_attribution_and_demo_label(app) -> None:
    at = app()
    assert not at.exception
    script = map_script(at)
    assert "© OpenStreetMap contributors" in script or "\\u00a9 OpenStreetMap contributors" in script
    assert "DEMO DATA" in script
    if at.radio[0].value == "hotspots":  # legend of the hot/cold classes of the released numbers
        assert t("layer.public_hotspots") in script and t("gistar.3") in script
    else:
        assert t("layer.public_cells") in script and t("release.legend_reports") in script
    assert script.count('"type": "Polygon"') >= 20  # hexagons


def test_public_map_opens_on_the_latest_release_and_says_why_when_no_cluster_is_significant(app, demo_store) -> None:
    """The default view is never a blank map: hot/cold spots of the latest release when
    there are any, else the counts with a note why."""
    from services import public

    at = app()
    latest = public.default_period(demo_store["engine"])
    by_label = {box.label: box for box in at.selectbox}
    assert by_label[t("public.period")].value == latest
    hotspots = public.published_hotspots(public.public_table(demo_store["engine"], latest, None))
    infos = [i.value for i in at.info]
    if public.default_view(hotspots) == "hotspots":
        assert at.radio[0].value == "hotspots" and t("release.opened_on_cells") not in infos
    else:
        assert at.radio[0].value == "cells" and t("release.opened_on_cells") in infos
    for group in (None, "disorder", "traffic"):
        next(box for box in at.selectbox if box.label == t("public.group")).set_value(group).run()
        assert not at.exception
        hotspots = public.published_hotspots(public.public_table(demo_store["engine"], latest, group))
        assert at.radio[0].value == public.default_view(hotspots)
    assert any(
        t("release.caption", release=public.latest_release(demo_store["engine"]), date="2026-01-01", revision="")
        == c.value
        for c in at.caption
    )


def test_public_map_script_carries_no_report_coordinates_or_text(app, demo_store) -> None:
    """No point of a report placed at an address or a landmark. Street, crossing and
    district answers sit on the street network or the district itself, which the basemap
    draws for everyone (the demo's main crossing lies exactly on the city centre)."""
    from data.store.repo import reports_frame

    script = map_script(app())
    reports = reports_frame(demo_store["engine"], include_duplicates=True, located_only=True)
    reports = reports[reports["level"].isin(["address", "landmark"])]
    shown = {(round(float(a), 5), round(float(b), 5)) for a, b in re.findall(r"(-?\d+\.\d+),\s*(-?\d+\.\d+)", script)}
    shown |= {(b, a) for a, b in shown}
    points = {(round(lat, 5), round(lon, 5)) for lat, lon in zip(reports["lat"], reports["lon"], strict=True)}
    assert len(shown) > 1000 and not points & shown
    long_texts = [text for text in reports["text"] if len(text) > 30]
    assert not [text for text in long_texts if text[:30] in script]


@pytest.mark.parametrize("role", [None, *USERS])
def test_navigation_registers_exactly_the_pages_of_the_role(app, role) -> None:
    at = app(USERS.get(role) if role else None)
    for page in PAGES:
        if page in allowed_pages(role):
            at.switch_page(PAGE_FILE[page]).run()
            assert not at.exception, (role, page, at.exception)
            assert not any(e.value == t("auth.forbidden") for e in at.error), (role, page)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(PAGE_FILE[page])


@pytest.mark.parametrize(
    ("username", "page"),
    [
        (None, "police"),
        ("council", "police"),
        (None, "council"),
        ("police", "council"),
        ("partner", "moderator"),
        ("moderator", "admin"),
        ("police", "admin"),
    ],
)
def test_a_restricted_page_run_directly_still_refuses_on_the_server(demo_store, monkeypatch, username, page) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    at = AppTest.from_file(PAGE_FILE[page], default_timeout=180)
    if username:
        at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], username)
    at.run()
    assert [e.value for e in at.error] == [t("auth.forbidden")]
    assert not at.get("component_instance") and not at.dataframe


def test_a_forged_or_revoked_session_is_anonymous(app, demo_store) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], "police")[:-3] + "abc"
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_FILE["police"])
    at = app("police", "police")
    assert not at.error and t("police.title") in [h.value for h in at.title]
    sessions.revoke(demo_store["engine"], at.session_state[SESSION_KEY])
    at.run()  # the next click of the open page: the police page is gone, the session forgotten
    assert SESSION_KEY not in at.session_state and t("police.title") not in [h.value for h in at.title]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_FILE["police"])


def _fragment_rerun(at: AppTest, name: str) -> AppTest:
    """Rerun only the page's fragment `name`, as the browser asks when a control inside it changes."""
    from streamlit.testing.v1 import local_script_runner

    fid = next(
        fid
        for fid, wrapped in at._fragment_storage._fragments.items()
        if any(getattr(c.cell_contents, "__name__", None) == name for c in wrapped.__closure__ or ())
    )
    plain = local_script_runner.RerunData
    local_script_runner.RerunData = lambda **kw: plain(**kw, fragment_id_queue=[fid], is_fragment_scoped_rerun=True)
    try:
        return at.run()
    finally:
        local_script_runner.RerunData = plain


@pytest.mark.parametrize("end", ["revoked", "expired"])
def test_a_fragment_rerun_refuses_a_session_that_ended_since_the_page_was_drawn(app, demo_store, end) -> None:
    """A control inside a fragment reruns only the fragment: it checks the session itself."""
    at = app("police", "police")
    assert _fragment_rerun(at, "plan_section").data_editor and not at.error  # a live session: the plan
    session_id = at.session_state[SESSION_KEY]
    if end == "revoked":
        sessions.revoke(demo_store["engine"], session_id)
    else:
        with demo_store["engine"].begin() as conn:
            conn.execute(
                update(SessionRow)
                .where(SessionRow.id_hash == sessions._digest(session_id))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    _fragment_rerun(at, "plan_section")
    assert [e.value for e in at.error] == [t("auth.forbidden")] and not at.data_editor


def test_the_session_is_checked_once_per_run_and_again_in_every_run(app, demo_store, monkeypatch) -> None:
    """The menu, the page's guard and each of its fragments share one check per run (a whole
    run, or a fragment's own rerun); the next run checks again, so an ended session ends there."""
    checked: list[str | None] = []
    resolve = sessions.resolve
    monkeypatch.setattr(
        sessions, "resolve", lambda engine, sid, **kw: checked.append(sid) or resolve(engine, sid, **kw)
    )
    at = app("police", "police")
    session_id = at.session_state[SESSION_KEY]
    checked.clear()
    at.run()
    assert checked == [session_id] and t("police.title") in [h.value for h in at.title]
    _fragment_rerun(at, "plan_section")
    assert checked == [session_id] * 2 and at.data_editor
    sessions.revoke(demo_store["engine"], session_id)
    at.run()
    assert checked == [session_id] * 3 + [None]  # refused, then the cookie (none in AppTest) is tried
    assert t("police.title") not in [h.value for h in at.title]


def test_exports_refuse_a_role_without_the_right(demo_store) -> None:
    from datetime import date

    from auth.users import User
    from layers.exports import council_csv, police_csv
    from layers.privacy import Quarter
    from services import council, patrol, police
    from services.clock import now

    engine = demo_store["engine"]
    reports = police.load(engine)
    plan = patrol.suggest(reports, now=now(), patrols=1)
    for role in ("council", "partner", "moderator", None):
        with pytest.raises(PermissionError):
            police.briefing(plan, user=User("x", role), engine=engine, title="t", subtitle="s", header=["a"])
        with pytest.raises(PermissionError):
            police_csv(reports, role=role)
    for role in ("police", "moderator", None):
        with pytest.raises(PermissionError):
            council.programme_report_xlsx(
                engine, reports, user=User("x", role), period=Quarter(2025, 3), today=date(2026, 1, 1)
            )
        with pytest.raises(PermissionError):
            council_csv(reports, role=role)


def test_no_session_id_in_any_url_or_element_of_a_signed_in_page(app) -> None:
    role = "admin"  # sees every page
    at = app(USERS[role])
    session_id = at.session_state[SESSION_KEY]
    for page in allowed_pages(role):
        at.switch_page(PAGE_FILE[page]).run()
        assert set(at.query_params) <= {"lang"}, (page, dict(at.query_params))
        shown = "".join(rendered(at.main)) + "".join(rendered(at.sidebar))
        assert len(shown) > 200 and session_id not in shown and session_id[:16] not in shown, page


def rendered(node) -> list[str]:  # type: ignore[no-untyped-def]
    """Every element's message sent to the browser, the whole tree below `node`."""
    out = [str(node.proto)] if getattr(node, "proto", None) is not None else []
    for child in getattr(node, "children", {}).values():
        out += rendered(child)
    return out


def test_the_login_page_posts_to_the_server_route_and_shows_its_errors(app) -> None:
    at = app()
    at.switch_page(str(ROOT / "ui" / "pages" / "login.py")).run()
    form = at.get("html")[0].proto.body
    assert 'action="/auth/login"' in form and 'method="post"' in form and 'type="password"' in form
    at.query_params["error"] = "wrong"
    at.switch_page(str(ROOT / "ui" / "pages" / "login.py")).run()
    assert [e.value for e in at.error] == [t("auth.wrong")]
