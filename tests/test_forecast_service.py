"""The police's default forecast on the demo store: stored back-test, every cell, no future, no ~0 top place."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from data.store.repo import reports_frame
from data.store.schema import ReportRow
from services import forecast as fc


@pytest.fixture(scope="module")
def engine(demo_store):  # type: ignore[no-untyped-def]
    return demo_store["engine"]


def test_demo_load_stores_a_back_test_whose_winner_is_not_below_naive(demo_store, engine) -> None:
    assert [row["category"] for row in demo_store["summary"]["forecast"]] == [None]
    stored = fc.latest_evaluation(engine)
    assert stored is not None and stored.current and stored.until == "2026-01-01"
    assert stored.winner == demo_store["summary"]["forecast"][0]["winner"]
    vs = fc.score_against_naive(stored).set_index("area_share")
    assert list(vs.index) == [0.01, 0.05]
    assert (vs["pei_star"] >= vs["naive"]).all()
    assert fc.default_method(engine) == stored.winner
    # a category without its own back-test falls back to the one of every category
    assert fc.default_method(engine, categories=["noise"]) == stored.winner


def test_default_forecast_ranks_every_cell(engine) -> None:
    table = fc.default_forecast(engine, until=date(2025, 12, 1))
    area = fc.inputs(engine).grid.cells
    assert list(table.columns) == ["cell", "score", "rank"] and len(table) == len(area)
    assert set(table["cell"]) == set(area) and table["rank"].tolist() == list(range(1, len(area) + 1))
    assert (np.diff(table["score"].to_numpy()) <= 1e-12).all()
    assert table.attrs["method"] == fc.default_method(engine)


def test_naive_ranking_counts_only_the_days_before_until(engine) -> None:
    """Oracle: the store's own h3_r9 column, counted by hand over [until - 28 days, until) in Kyiv time."""
    until = date(2025, 9, 15)
    table = fc.default_forecast(engine, until=until, method="naive").set_index("cell")
    rep = reports_frame(engine, located_only=True)
    usable = fc.prepare(rep, fc.RES, fc.load_gazetteer().boundary_polygon)[2]
    local = usable["occurred_at"].dt.tz_convert("Europe/Kyiv").dt.date
    window = usable[(local >= until - timedelta(days=28)) & (local < until)]
    counts = window.groupby("h3_r9").size()
    assert table["score"].sum() == pytest.approx(len(window))
    assert (table.loc[counts.index, "score"] == counts).all()


def test_top_places_never_show_a_zero_forecast(engine, demo_store) -> None:
    from services.police import top_cells

    table = fc.default_forecast(engine, until=date(2026, 1, 1))
    rep = reports_frame(engine, located_only=True)
    top = top_cells(table, pd.DataFrame(columns=["cell", "category"]), rep.tail(500), n=10)
    assert len(top) == 10 and top["rank"].tolist() == list(range(1, 11))
    assert (top["forecast"] > 0.01 * table["score"].max()).all()
    assert top["cell"].tolist() == table["cell"].head(10).tolist()
    # a forecast with few non-zero cells lists only those
    sparse = table.assign(score=0.0)
    sparse.loc[sparse.index[:3], "score"] = [5.0, 1.0, 0.001]
    assert fc.top_places(sparse)["cell"].tolist() == table["cell"].head(2).tolist()


def test_police_page_reads_the_stored_back_test(engine) -> None:
    from services.police import prediction_accuracy

    table = prediction_accuracy(engine, role="police", lang="en")
    assert table.attrs["stored"] and table.attrs["current"] and len(table) == 2
    assert {"PEI*", "Naive PEI*", "PAI", "95% interval"} <= set(table.columns)


def test_cli_writes_every_cell_and_uses_the_stored_winner(demo_store, tmp_path, monkeypatch) -> None:
    from cli import app

    monkeypatch.setenv("DATABASE_URL", demo_store["url"])
    monkeypatch.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    out = tmp_path / "ranking.csv"
    result = CliRunner().invoke(
        app, ["forecast", "--until", "2026-01-01", "--days", "28", "--res", "9", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["cell", "score", "rank", "place", "landmark", "district"]
    assert len(table) == len(fc.inputs(demo_store["engine"]).grid)
    assert table["place"].fillna("").str.contains("вулиця").mean() > 0.9  # places in words beside the H3 id
    assert "stored back-test" in result.output
    bad = CliRunner().invoke(app, ["forecast", "--until", "2026-01-01", "--method", "magic", "--out", str(out)])
    assert bad.exit_code == 2


def test_data_version_changes_with_every_report(store) -> None:
    before = fc.data_version(store)
    when = datetime(2025, 5, 1, 12, tzinfo=UTC)
    with Session(store) as session, session.begin():
        session.add(
            ReportRow(
                source="form",
                source_ref="t-1",
                received_at=when,
                occurred_at=when,
                occurred_at_source="given",
                text="x",
                category="litter",
                category_source="rule",
                lat=47.566,
                lon=31.33,
            )
        )
    assert fc.data_version(store) != before


def test_a_past_day_picks_its_method_from_a_back_test_before_it_and_keeps_it(engine) -> None:
    method, why = fc.choose_default(engine, until=date(2025, 10, 1))
    assert why.startswith("back-test of the 12 x 28 days before 2025-10-01") and method in fc.METHODS
    again, why = fc.choose_default(engine, until=date(2025, 10, 15))
    assert (again, why) == (method, "stored back-test to 2025-10-01")
    # a day before it may not use it: a new back-test
    assert fc.choose_default(engine, until=date(2025, 9, 30))[1].startswith("back-test of")
    # the page still shows the back-test on the whole history
    assert fc.latest_evaluation(engine).until == "2026-01-01"


def test_an_import_stores_a_back_test_with_the_store_version(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from data.store.db import make_engine

    root = Path(__file__).resolve().parents[1]
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "HOTSPOTS_SALT_FILE": str(tmp_path / "salt.key")}
    out = subprocess.run(
        [sys.executable, "cli.py", "import", str(root / "tests" / "fixtures" / "pipeline" / "hotline.csv")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "forecast back-test" in out.stderr
    engine = make_engine(url)
    stored = fc.latest_evaluation(engine)
    assert stored is not None and stored.current


def test_stored_winners_pick_as_the_latest_evaluation_of_each_key(store) -> None:
    # several keys, versions and reach: the one-read winners agree with latest_evaluation per key
    from data.store.schema import ForecastEvaluationRow

    current = fc.data_version(store)
    rows = [
        ("", current, "2025-06-01", "naive"),
        ("", "old", "2026-01-01", "kde"),  # reaches further, but not on the current reports
        ("", current, "2025-09-01", "blend"),
        ("noise", current, "2025-09-01", "prospective"),
        ("noise", current, "2025-09-01", "long_run"),  # a tie: the newest wins
        ("litter", "old", "2025-01-01", "sepp"),
    ]
    with Session(store) as session, session.begin():
        for key, version, until, winner in rows:
            session.add(
                ForecastEvaluationRow(
                    data_version=version,
                    category=key,
                    res=fc.RES,
                    horizon_days=fc.HORIZON_DAYS,
                    winner=winner,
                    result={"until": until, "summary": []},
                )
            )
    winners = fc.stored_winners(store)
    assert winners == {"": "blend", "noise": "long_run", "litter": "sepp"}
    for categories in (None, ["noise"], ["litter"], ["graffiti"], ["litter", "noise"]):
        assert fc.winner_of(winners, categories) == fc.default_method(store, categories=categories)
    assert fc.winner_of({}, ["noise"]) == fc.FALLBACK_METHOD == fc.default_method(store, horizon_days=3)
