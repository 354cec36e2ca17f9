"""A running dashboard on a free port and Debian's headless Chromium (never `playwright install`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, require

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="session")
def app_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The running app's folder: its store (e2e.db) and its server log (streamlit.log)."""
    return tmp_path_factory.mktemp("e2e-var")


@pytest.fixture(scope="session")
def app_store(app_var: Path, app_url: str):  # type: ignore[no-untyped-def]
    """The running app's store, for journeys to check what a click saved."""
    from data.store.db import make_engine

    engine = make_engine(f"sqlite:///{app_var / 'e2e.db'}")
    yield engine
    engine.dispose()


@contextmanager
def run_app(
    var: Path,
    database_url: str,
    *,
    load_demo: bool = True,
    extra_env: dict[str, str] | None = None,
    log_name: str = "streamlit",
) -> Iterator[str]:
    """`streamlit run app.py` on a free port over `database_url`; secrets and log in `var`
    (`extra_env`, e.g. another CITY_PROFILE or HOTSPOTS_MODE, overrides the demo's settings)."""
    port = _free_port()
    env = (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "HOTSPOTS_SALT_FILE": str(var / "salt.key"),
            "HOTSPOTS_MODE": "demo",
        }
        | (extra_env or {})
    )
    log = (var / "streamlit.log").open("w")
    # the demo data first (what the app's first run would do), so no journey waits on it
    if load_demo:
        subprocess.run(
            [sys.executable, "cli.py", "demo", "load"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
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
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{log_name}.log").write_bytes((var / "streamlit.log").read_bytes())


@pytest.fixture(scope="session")
def app_url(app_var: Path) -> Iterator[str]:
    """The app on a fresh SQLite store with the demo data. One app serves every journey;
    its log is copied to tests/artifacts/streamlit.log."""
    with run_app(app_var, f"sqlite:///{app_var / 'e2e.db'}") as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def shot(page) -> Iterator:  # type: ignore[no-untyped-def]
    """save(name) writes a full-page screenshot to tests/artifacts/ to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    yield save
