"""Shared fixtures: a fresh store per test, and the rule that CI never skips."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, message: str) -> None:
    """Skip locally with a clear message; in CI (CI=true) a missing service is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {message}")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolated_secrets(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the operator's var/ folder (salt, database)."""
    var = tmp_path_factory.getbasetemp() / "var"
    var.mkdir(exist_ok=True)
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(var / "salt.key"))
    monkeypatch.setenv("HOTSPOTS_MODE", "demo")


@pytest.fixture(autouse=True)
def _warm_up_only_when_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' background warm-up (ui/warm_up.py) would outlive its test (its store, its
    patches) and load the machine: outside tests marked ``warm_up`` a job is only queued."""
    if request.node.get_closest_marker("warm_up") is None:
        import queue
        from collections import OrderedDict

        from ui import warm_up

        monkeypatch.setattr(warm_up, "_ensure_worker", lambda: None)
        monkeypatch.setattr(warm_up, "_JOBS", queue.Queue())
        monkeypatch.setattr(warm_up, "_STATUS", OrderedDict())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL/PostGIS database migrated once per session; store tests get copies of it."""
    from tests.store_backends import migrated_template

    require(bool(os.environ.get("TEST_DATABASE_URL")), "TEST_DATABASE_URL is not set (see .ci/postgres.sh)")
    with migrated_template(os.environ["TEST_DATABASE_URL"]) as name:
        yield name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """Every test that uses the store runs on SQLite and on a fresh PostgreSQL/PostGIS database."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    from tests.store_backends import scratch_database

    template = request.getfixturevalue("postgres_template")
    with scratch_database(os.environ["TEST_DATABASE_URL"], template=template) as url:
        yield url


@pytest.fixture
def store(store_url: str):  # type: ignore[no-untyped-def]
    from data.store.db import make_engine, upgrade

    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled demo data imported once through the real pipeline (about half a minute)."""
    from data.store.db import make_engine, upgrade
    from services.demo import load_demo

    folder = tmp_path_factory.mktemp("demo-store")
    url = f"sqlite:///{folder / 'demo.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTSPOTS_SALT_FILE", str(folder / "salt.key"))
    engine = make_engine(url)
    upgrade(engine)
    summary = load_demo(engine)
    mp.undo()
    yield {"url": url, "engine": engine, "summary": summary, "salt": folder / "salt.key"}
    engine.dispose()
