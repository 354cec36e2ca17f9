"""The page's worker process (ui/offload.py): what it computes is what the page computes itself,
it never hands a result to another role's key, and the page computes whenever it cannot help."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = (2, (18, 0), 2, 1.5)  # the plan as the page opens it (services.police.DEFAULT_PLAN)


@pytest.fixture
def worker(demo_store, monkeypatch):  # type: ignore[no-untyped-def]
    """The worker started on the demo store (it reads the environment it starts with), stopped after."""
    import streamlit as st

    from ui import offload

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv(offload.SETTING, "on")
    st.cache_data.clear()
    st.cache_resource.clear()
    offload.stop()
    assert offload.ready(), "the worker did not start within two minutes"
    assert offload.start(("ready",), _nothing) and offload.result(("ready",), max_age=60) == "nothing"
    yield offload
    offload.stop()
    st.cache_data.clear()
    st.cache_resource.clear()


def _nothing(engine) -> str:  # type: ignore[no-untyped-def]
    return "nothing"


def _sleeps(engine, seconds: float) -> float:  # type: ignore[no-untyped-def]
    time.sleep(seconds)
    return seconds


def _fails(engine) -> None:  # type: ignore[no-untyped-def]
    raise ValueError("a job that fails")


def _wait_running(offload, key) -> None:  # type: ignore[no-untyped-def]
    """Wait until the job was handed to the worker (a job still queued is cancelled by result())."""
    deadline = time.monotonic() + 60
    future = offload._JOBS[key][1]
    while not future.running() and not future.done():
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.parametrize("ahead", [False, True])
def test_the_worker_computes_the_forecast_and_plan_the_page_computes(worker, demo_store, ahead) -> None:
    from services import police

    engine = demo_store["engine"]
    asked = {"role": "police", "ahead": ahead, "categories": ("litter",), "settings": SETTINGS, "lang": "en"}
    assert worker.start(("ranking", ahead), police.forecast_and_plan, **asked)
    assert not worker.start(("ranking", ahead), police.forecast_and_plan, **asked)  # once per key
    _wait_running(worker, ("ranking", ahead))
    theirs = worker.result(("ranking", ahead), max_age=60)
    ours = police.forecast_and_plan(engine, **asked)
    pd.testing.assert_frame_equal(theirs.forecast, ours.forecast)
    pd.testing.assert_frame_equal(theirs.table, ours.table)
    assert theirs.plan.covered == ours.plan.covered and len(theirs.table) > 0
    assert (theirs.settings, theirs.lang) == (SETTINGS, "en")


def test_the_worker_computes_the_trends_the_page_computes(worker, demo_store) -> None:
    from services import police

    engine = demo_store["engine"]
    for chosen in [(), ("litter", "noise")]:
        assert worker.start(("trends", chosen), police.history_trends, role="police", categories=chosen)
        _wait_running(worker, ("trends", chosen))
        theirs = worker.result(("trends", chosen), max_age=60)
        monthly = police.of_categories(police.grouped_counts(engine, role="police")[2], chosen)
        pd.testing.assert_frame_equal(theirs, police.trends(engine, role="police", monthly=monthly))
        assert len(theirs) > 0


def test_without_a_result_to_wait_for_the_caller_computes(worker, caplog) -> None:
    assert worker.result(("never started",), max_age=60) is None
    assert worker.start(("fails",), _fails)
    _wait_running(worker, ("fails",))
    assert worker.result(("fails",), max_age=60) is None  # logged; the page computes
    assert "page worker job failed" in caplog.text


def test_a_job_behind_two_others_is_cancelled_and_a_slow_or_old_one_left_to_the_page(worker) -> None:
    assert worker.start(("slow",), _sleeps, seconds=3.0)
    _wait_running(worker, ("slow",))
    for queued in ("second", "third", "fourth"):
        assert worker.start((queued,), _sleeps, seconds=0.0)
    assert worker.result(("fourth",), max_age=60) is None  # waits behind two jobs: the page computes
    assert worker._JOBS[("fourth",)][1].cancelled()
    assert worker.result(("slow",), max_age=60, timeout=0.2) is None  # too slow: the page computes
    assert worker.result(("slow",), max_age=60) is None  # at once, the next time it is asked
    assert worker.result(("second",), max_age=60) == 0.0
    assert worker.result(("second",), max_age=0) is None  # older than the caller's cache lifetime
    assert not worker.start(("second",), _sleeps, seconds=0.0)  # a key is started once


def test_a_key_asked_for_while_the_worker_starts_is_left_to_the_page(demo_store, monkeypatch) -> None:
    from ui import offload

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv(offload.SETTING, "on")
    offload.stop()
    try:
        assert not offload.start(("early",), _nothing)  # the worker is only starting
        assert offload.ready()
        assert not offload.start(("early",), _nothing) and offload.result(("early",), max_age=60) is None
        assert offload.start(("later",), _nothing)
    finally:
        offload.stop()


def test_the_worker_runs_only_where_asked(monkeypatch) -> None:
    from ui import offload

    monkeypatch.delenv(offload.SETTING, raising=False)
    assert not offload.enabled()  # no Streamlit server here (as in AppTest and the CLI)
    monkeypatch.setenv(offload.SETTING, "off")
    assert not offload.enabled() and not offload.start(("any",), _nothing)
    monkeypatch.setenv(offload.SETTING, "on")
    assert offload.enabled()


@pytest.mark.parametrize("outsider", [None, "moderator", "partner", "council"])
def test_history_jobs_are_started_only_for_the_police_and_reach_only_their_keys(worker, monkeypatch, outsider) -> None:
    from services import police
    from ui import cache

    with pytest.raises(PermissionError):
        cache.start_history(outsider, period=8, categories=[], plan=SETTINGS, lang="uk")
    cache.start_history("police", period=8, categories=[], plan=SETTINGS, lang="uk")
    key = cache._ranking_key("police", cache.version(), cache.clock_key(), False, ())
    _wait_running(worker, key)
    assert cache._trends_key("police", cache.version(), ()) in worker._JOBS
    assert cache._offloaded("police", cache.version(), cache.clock_key(), False, ()) is not None
    assert cache._offloaded(outsider, cache.version(), cache.clock_key(), False, ()) is None
    computed = []
    monkeypatch.setattr(police, "period_forecast", lambda *a, **k: computed.append(k["role"]) or pd.DataFrame())
    assert len(cache._police_forecast("police", cache.version(), cache.clock_key(), False, ())) > 0
    monkeypatch.setattr(police, "trends", lambda *a, **k: computed.append(k["role"]) or pd.DataFrame())
    assert len(cache._police_trends("police", cache.version(), ())) > 0
    assert computed == []  # the worker's forecast and trends, not computed here
    with pytest.raises(PermissionError):  # another role's key: computed for it, which the services refuse
        cache._police_forecast(outsider, cache.version(), cache.clock_key(), False, ())


def test_the_page_shows_the_same_table_and_plan_with_the_worker(worker, demo_store, monkeypatch) -> None:
    """The police page in AppTest: its top places and plan, once from the worker and once computed
    by the page itself, are the same tables."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from auth import sessions
    from ui import offload

    def page_tables() -> list[pd.DataFrame]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["session_id"] = sessions.open_session(demo_store["engine"], "police")
        at.run()
        at.switch_page(str(ROOT / "ui" / "pages" / "police.py")).run()
        assert not at.exception, at.exception
        return [frame.value for frame in at.dataframe]

    from services import police

    started, start = [], offload.start
    monkeypatch.setattr(offload, "start", lambda *a, **k: started.append(a[0]) or start(*a, **k))
    here, forecast, trends, plan = [], police.period_forecast, police.trends, police.suggested_plan
    monkeypatch.setattr(police, "period_forecast", lambda *a, **k: here.append("forecast") or forecast(*a, **k))
    monkeypatch.setattr(police, "trends", lambda *a, **k: here.append("trends") or trends(*a, **k))
    monkeypatch.setattr(police, "suggested_plan", lambda *a, **k: here.append("plan") or plan(*a, **k))
    with_worker = page_tables()
    assert {key[0] for key in started} == {"police-trends", "police-ranking"}
    assert here == []  # the worker's trends, forecast and plan
    st.cache_data.clear()
    st.cache_resource.clear()
    offload.stop()  # its jobs forgotten too
    monkeypatch.setenv(offload.SETTING, "off")
    by_the_page = page_tables()
    assert sorted(here) == ["forecast", "plan", "trends"]  # computed by the page itself
    assert len(with_worker) == len(by_the_page) >= 2
    for theirs, ours in zip(with_worker, by_the_page, strict=True):
        pd.testing.assert_frame_equal(theirs, ours)


def test_the_worker_ends_with_the_server_that_started_it(tmp_path) -> None:
    """A server stopped by a signal does not stop its pool: the worker watches for it."""
    import os
    import signal
    import subprocess
    import sys

    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from ui import offload; assert offload.ready(); "
            "print(*offload._POOL[0]._processes, flush=True); import time; time.sleep(600)",
        ],
        cwd=ROOT,
        env=os.environ | {"HOTSPOTS_PAGE_WORKER": "on"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker = int(server.stdout.readline())
        os.kill(worker, 0)  # alive
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the worker outlived its server")
