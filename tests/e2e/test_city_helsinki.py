"""A real city goes live from its own OSM extract: central Helsinki (real OSM data, ODbL,
"© OpenStreetMap contributors", tests/data/helsinki/SOURCE.md).

As a deployer would: `cli.py city init` (the extract has no complete boundary, so the study
area and the districts come as GeoJSON files), import a small report file with Helsinki
street names, publish the due months, add a police user, then open the public and police
pages of a second app process (CITY_PROFILE only: its own city runs in production) in Chromium. The step times
go to tests/artifacts/helsinki-timings.json.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from i18n import t
from tests.conftest import ROOT
from tests.e2e.conftest import ARTIFACTS, run_app
from tests.e2e.helpers import MAP_FRAME, go, map_ready, open_page, sign_in_as

pytestmark = pytest.mark.e2e

EXTRACT = ROOT / "tests" / "data" / "helsinki" / "Helsinki.osm.pbf"
PASSWORD = "helsinki-police-e2e-1"
WEST, EAST = (
    [[24.934, 60.163], [24.9445, 60.163], [24.9445, 60.1805], [24.934, 60.1805], [24.934, 60.163]],
    [[24.9445, 60.163], [24.955, 60.163], [24.955, 60.1805], [24.9445, 60.1805], [24.9445, 60.163]],
)
AREA = [[24.934, 60.163], [24.955, 60.163], [24.955, 60.1805], [24.934, 60.1805], [24.934, 60.163]]
PLACES = [
    ("Mannerheimintie", "5"),
    ("Annankatu", "10"),
    ("Aleksanterinkatu", "15"),
    ("Bulevardi", "6"),
    ("Yrjönkatu", "8"),
    ("Mikonkatu", "4"),
]
TEXTS = {
    "litter": "Roskia ja jätesäkkejä jalkakäytävällä, {place}",
    "graffiti": "Graffiti seinässä, {place}",
    "parking": "Auto pysäköity nurmikolle, {place}",
    "lighting": "Katuvalo rikki, {place}",
}


def _geojson(path: Path, features: list[tuple[dict, list]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                    for props, ring in features
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def _reports(path: Path, today: date) -> Path:
    """60 reports over the 80 days before `today` (the production clock's), most on four streets."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "text", "address", "category"])
        for i in range(60):
            street, house = PLACES[i % 4] if i < 36 else PLACES[i % len(PLACES)]
            category = list(TEXTS)[i % 4]
            place = f"{street} {house}"
            out.writerow(
                [
                    f"H{i:03d}",
                    (today - timedelta(days=1 + (i * 53) % 80)).isoformat(),
                    TEXTS[category].format(place=place),
                    place,
                    category,
                ]
            )
    return path


def _centre(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The centre of the first Leaflet map on the page (folium names it map_<id> in its frame)."""
    frame = next(f for f in page.frames if f.evaluate("() => typeof L !== 'undefined'"))
    centre = frame.evaluate(
        "() => { for (const k of Object.keys(window)) { const m = window[k];"
        " if (k.startsWith('map_') && m && m.getCenter) { const c = m.getCenter();"
        " return [c.lat, c.lng]; } } return null; }"
    )
    assert centre, "no Leaflet map found"
    return centre[0], centre[1]


def _cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def test_helsinki_from_its_own_extract_in_chromium(page, tmp_path: Path, shot) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "city.toml"
    env = os.environ | {
        "CITY_PROFILE": str(profile),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helsinki.db'}",
        "HOTSPOTS_MODE": "demo",
        "HOTSPOTS_SALT_FILE": str(tmp_path / "salt.key"),
    }
    timings = {
        "city_init_s": _cli(
            env,
            "city",
            "init",
            str(EXTRACT),
            "--name",
            "Helsinki",
            "--tz",
            "Europe/Helsinki",
            "--out",
            str(profile),
            "--study-area",
            str(_geojson(tmp_path / "area.geojson", [({"name": "keskusta"}, AREA)])),
            "--districts",
            str(
                _geojson(
                    tmp_path / "districts.geojson",
                    [({"name": "Länsi", "name:en": "West"}, WEST), ({"name": "Itä", "name:en": "East"}, EAST)],
                )
            ),
        )
    }
    timings["import_60_s"] = _cli(env, "import", str(_reports(tmp_path / "reports.csv", date.today())))
    timings["release_publish_s"] = _cli(env, "release", "publish")
    _cli(env, "users", "add", "police", "--role", "police", "--password", PASSWORD)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "helsinki-timings.json").write_text(json.dumps({k: round(v, 2) for k, v in timings.items()}) + "\n")

    extra = {"CITY_PROFILE": env["CITY_PROFILE"]}  # its own city: production, whatever HOTSPOTS_MODE says
    with run_app(tmp_path, env["DATABASE_URL"], load_demo=False, extra_env=extra, log_name="streamlit-helsinki") as url:
        page.set_viewport_size({"width": 1400, "height": 1600})
        open_page(page, url)
        map_ready(page)
        lat, lon = _centre(page)
        assert 60.16 < lat < 60.18 and 24.93 < lon < 24.96  # the map sits on the profile's city
        frame = page.frame_locator(MAP_FRAME).first
        assert "© OpenStreetMap contributors" in frame.locator(".leaflet-control-attribution").inner_text()
        assert frame.locator("path").count() > 10  # the offline basemap: Helsinki's streets from its gazetteer
        body = page.inner_text("body")
        assert t("app.demo_label") not in body and "Гельсінкі" in body  # names.uk from the extract's name:uk
        shot("helsinki-1-public")

        sign_in_as(page, url, "police", PASSWORD)
        go(page, "nav.police")
        map_ready(page)
        shot("helsinki-2-police")
        page.get_by_test_id("stSelectbox").filter(has_text=t("police.cell")).first.click()  # cells named by streets
        page.get_by_role("option").filter(has_text=re.compile("|".join(street for street, _ in PLACES))).first.wait_for(
            timeout=30_000
        )
        page.keyboard.press("Escape")
        lat, lon = _centre(page)
        assert 60.16 < lat < 60.18 and 24.93 < lon < 24.96
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "Error:" not in log, log[-4000:]  # every section of both pages ran
