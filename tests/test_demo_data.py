"""The bundled demo data (DEMO DATA — synthetic): reproducible, realistic where it matters,
and readable by the real intake parsers.

Why these checks: every benchmark (geocoding, classification, redaction, hotspots) scores
against data/demo/ground_truth.csv, so the committed files must be exactly what the seeded
generator writes, the planted patterns must be there, and each source must import.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.demo.city import GAZETTEER_JSON, City
from geo.demo.make_reports import generate_all

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SOURCES = DEMO / "sources"
GENERATED_SUFFIXES = {".csv", ".json", ".toml", ".xlsx", ".docx"}


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(DEMO / "ground_truth.csv", keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def reports(truth: pd.DataFrame) -> pd.DataFrame:
    r = truth[truth.is_report == "1"].copy()
    r["occurred"] = pd.to_datetime(r.occurred_at, utc=True).dt.tz_convert("Europe/Kyiv")
    r["received"] = pd.to_datetime(r.received_at, utc=True)
    return r


def test_committed_output_equals_a_fresh_run(tmp_path: Path) -> None:
    meta = json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))
    city = City.load(GAZETTEER_JSON)
    assert meta["gazetteer_sha256"] == city.sha256, (
        "geo/demo/gazetteer.json changed since the demo data was generated: "
        "run `python -m geo.demo.make_reports` and commit data/demo/"
    )
    generate_all(city, tmp_path, seed=meta["seed"])
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file() and p.suffix in GENERATED_SUFFIXES)
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (DEMO / rel).read_bytes(), (
            f"{rel} differs from a fresh run (generator, parsers or gazetteer changed?): "
            "run `python -m geo.demo.make_reports` and commit data/demo/"
        )


def test_labelled_synthetic() -> None:
    meta = json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "synthetic" in meta["label"]
    assert meta["now"] == "2026-01-01"
    assert "DEMO DATA — synthetic" in (DEMO / "README.md").read_text(encoding="utf-8")
    assert "demo = true" in (DEMO / "users.toml").read_text(encoding="utf-8")
    assert "DEMO" in (SOURCES / "telegram" / "result.json").read_text(encoding="utf-8")[:2000]


def test_counts(reports: pd.DataFrame) -> None:
    n = len(reports)
    assert 9_500 <= n <= 10_500
    assert 0.065 <= (reports.is_duplicate_of != "").mean() <= 0.095
    assert 0.035 <= (reports.locatable == "0").mean() <= 0.065
    assert 0.12 <= (reports.pii_kinds != "").mean() <= 0.18
    assert (reports.has_location == "1").sum() > 100
    assert set(reports.source) == {"telegram", "facebook", "csv", "meeting"}


def test_duplicates_point_at_an_earlier_report_of_the_same_event(reports: pd.DataFrame) -> None:
    by_ref = reports.set_index("source_ref")
    dups = reports[reports.is_duplicate_of != ""]
    originals = by_ref.loc[dups.is_duplicate_of]
    assert (originals.event_id.to_numpy() == dups.event_id.to_numpy()).all()
    lag = dups.received.to_numpy() - originals.received.to_numpy()
    assert (lag > np.timedelta64(0, "s")).all() and (lag <= np.timedelta64(7, "h")).all()


def test_true_points_inside_the_city_and_not_in_water(reports: pd.DataFrame) -> None:
    from geo.gazetteer import load_gazetteer

    gz = load_gazetteer()
    lon, lat = reports.lon.astype(float).to_numpy(), reports.lat.astype(float).to_numpy()
    assert shapely.contains_xy(gz.boundary_polygon, lon, lat).all()
    assert not shapely.intersects_xy(gz.water_polygon, lon, lat).any()


def test_time_profiles(reports: pd.DataFrame) -> None:
    hour, month = reports.occurred.dt.hour, reports.occurred.dt.month
    noise = reports.category == "noise"
    assert ((hour >= 22) | (hour < 6))[noise].mean() > 0.6
    lighting = reports.category == "lighting"
    assert month[lighting].isin([10, 11, 12, 1, 2]).mean() > 0.6
    parking = reports.category == "parking"
    assert (reports.occurred.dt.day_of_week < 5)[parking].mean() > 0.8
    assert reports.occurred.min() >= pd.Timestamp("2024-01-01", tz="Europe/Kyiv")
    assert reports.received.max() < pd.Timestamp("2026-01-01", tz="Europe/Kyiv")


def test_planted_hotspots(reports: pd.DataFrame) -> None:
    hs = pd.read_csv(DEMO / "hotspots.csv", keep_default_na=False)
    assert set(hs.kind) == {"persistent", "emerging", "fading"}
    assert 6 <= (hs.kind == "persistent").sum() <= 8
    month = reports.occurred.dt.strftime("%Y-%m")
    emerging = month[reports.hotspot_id == hs.loc[hs.kind == "emerging", "hotspot_id"].item()]
    # The emerging spot grows (about twice as busy in the last half-year as in the first,
    # measured 160 -> 316), the fading one shrinks (251 -> 152), both present throughout.
    assert (emerging >= "2025-07").sum() > 1.5 * (emerging < "2024-07").sum() > 0
    fading = month[reports.hotspot_id == hs.loc[hs.kind == "fading", "hotspot_id"].item()]
    assert (fading < "2024-07").sum() > 1.4 * (fading >= "2025-07").sum() > 0
    for row in hs.itertuples():
        mine = reports[reports.hotspot_id == row.hotspot_id]
        dy = (mine.lat.astype(float) - row.lat) * 111_320
        dx = (mine.lon.astype(float) - row.lon) * 111_320 * np.cos(np.radians(row.lat))
        assert np.median(np.hypot(dx, dy)) < 150, row.hotspot_id


def test_sources_parse_with_the_intake_parsers(truth: pd.DataFrame) -> None:
    pytest.importorskip("data.intake", reason="data/intake parsers are not in this checkout")
    from data.intake.facebook import parse_facebook
    from data.intake.minutes import parse_minutes
    from data.intake.surveys import parse_survey
    from data.intake.tabular import parse_table
    from data.intake.telegram import parse_telegram

    refs: list[str] = []
    for result in [
        parse_telegram(SOURCES / "telegram" / "result.json"),
        parse_table(SOURCES / "hotline" / "hotline_2024-2025.csv"),
        *(parse_facebook(p) for p in sorted((SOURCES / "facebook").rglob("*.json"))),
        *(parse_minutes(p) for p in sorted((SOURCES / "minutes").iterdir())),
    ]:
        items = list(result.items)
        assert result.stats["quarantined"] == 0, result.name
        refs += [item.source_ref for item in items]
    assert len(refs) == len(set(refs)) == len(truth)
    assert set(refs) == set(truth.source_ref)
    survey = parse_survey(SOURCES / "surveys" / "survey_waves_1-2.csv")
    assert list(survey.items) == []
    assert len(survey.surveys) == 1200
    assert {s.wave for s in survey.surveys} == {"1", "2"}
    meetings = pd.read_csv(DEMO / "meetings.csv")
    assert len(meetings) == 10 and meetings.problems.sum() == (truth.source == "meeting").sum()


def test_facebook_has_the_exporters_mojibake() -> None:
    raw = next((SOURCES / "facebook").rglob("group_posts_and_comments.json")).read_text(encoding="ascii")
    assert "\\u00d0" in raw  # Cyrillic as UTF-8 bytes escaped one by one, as Facebook writes it


def test_side_tables_match_the_gazetteer() -> None:
    city = City.load(GAZETTEER_JSON)
    districts = pd.read_csv(DEMO / "districts.csv")
    assert dict(zip(districts.district, districts.population, strict=True)) == {
        d.name: d.population for d in city.districts
    }
    actions = pd.read_csv(DEMO / "actions.csv", keep_default_na=False)
    assert 18 <= len(actions) <= 24
    assert set(actions.owner) == {"police", "council", "community"}
    assert set(actions.status) == {"open", "in_progress", "done"}
    assert (actions[actions.status == "done"].public_note != "").all()
