"""The city profile model and loader (data/city_profile.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from data import city_profile
from data.city_profile import CityProfile, read_profile, utm_crs

MINIMAL = 'time_zone = "Europe/Helsinki"\ncentre = [60.17, 24.94]\n[names]\nuk = "Гельсінкі"\nen = "Helsinki"\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_profile_is_valid_and_points_at_existing_files():
    p = city_profile.demo_profile()
    assert p.demo and p.names.en == "Voznesensk"
    assert p.gazetteer is not None and p.gazetteer.is_file()
    assert p.osm_extract is not None and p.osm_extract.is_file()
    assert p.metric_crs == utm_crs(*p.centre)  # the stated CRS is the default one


def test_city_profile_env_selects_another_file(tmp_path, monkeypatch):
    path = _write(tmp_path, MINIMAL + 'other = { sv = "Helsingfors" }\n')
    monkeypatch.setenv("CITY_PROFILE", str(path))
    p = city_profile.profile()
    assert (p.names.uk, p.names.get("sv"), p.time_zone, p.demo) == (
        "Гельсінкі",
        "Helsingfors",
        "Europe/Helsinki",
        False,
    )
    monkeypatch.delenv("CITY_PROFILE")
    assert city_profile.profile().demo


def test_no_silent_time_zone(tmp_path):
    with pytest.raises(ValueError, match="time_zone"):
        read_profile(_write(tmp_path, MINIMAL.replace('time_zone = "Europe/Helsinki"\n', "")))
    with pytest.raises(ValueError, match="IANA"):
        read_profile(_write(tmp_path, MINIMAL.replace("Europe/Helsinki", "Europe/Atlantis")))


@pytest.mark.parametrize(
    "extra, field",
    [
        ("populaton = 5\n", "populaton"),  # a typo is an error, never ignored
        ('metric_crs = "EPSG:4326"\n', "metres"),
        ("bbox = [25, 60, 24, 61]\n", "bbox"),
        ('[intake]\ntracking_prefix = "vz-"\n', "tracking_prefix"),
        ('[districts]\nsource = "geojson"\n', "geojson"),
        ('[study_area]\nosm_relation = 34914\ngeojson = "a.geojson"\n', "not both"),
        ("[retention]\nreport_days = 30\ncontact_days = 90\n", "contact_days"),
    ],
)
def test_invalid_fields_are_refused_with_their_name(tmp_path, extra, field):
    text = MINIMAL.replace("[names]", extra + "[names]") if not extra.startswith("[") else MINIMAL + extra
    with pytest.raises(ValueError, match=field):
        read_profile(_write(tmp_path, text))


def test_relative_paths_are_read_from_the_profile_folder(tmp_path):
    p = read_profile(
        _write(
            tmp_path,
            'gazetteer = "g/gaz.json"\n' + MINIMAL + '[districts]\nsource = "geojson"\ngeojson = "d.geojson"\n',
        )
    )
    assert p.gazetteer == (tmp_path / "g" / "gaz.json").resolve()
    assert p.districts.geojson == (tmp_path / "d.geojson").resolve()


@pytest.mark.parametrize(
    "lat, lon",
    [(60.17, 24.94), (41.88, -87.63), (-33.87, 151.21), (47.566, 31.33), (51.5, -0.12), (-22.9, -43.2), (35.7, 139.7)],
)
def test_default_metric_crs_is_the_utm_zone_of_the_centre(lat, lon):
    # oracle: the UTM zone formula (6-degree zones from 180 W; 326xx north, 327xx south)
    zone = math.floor((lon + 180) / 6) + 1
    expected = f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"
    p = CityProfile.model_validate({"names": {"uk": "x", "en": "x"}, "time_zone": "UTC", "centre": [lat, lon]})
    assert p.metric_crs == expected


def test_the_centre_must_be_on_earth():
    with pytest.raises(ValidationError):
        CityProfile.model_validate({"names": {"uk": "x", "en": "x"}, "time_zone": "UTC", "centre": [91, 0]})


CHICAGO = (
    'time_zone = "America/Chicago"\ncentre = [41.88, -87.63]\n[names]\nuk = "Чикаго"\nen = "Chicago"\n'
    '[intake]\ntracking_prefix = "CHI"\n'
)


def test_another_profile_changes_every_reader(tmp_path, monkeypatch):
    """Metres, clocks, titles, download names and tracking numbers follow CITY_PROFILE."""
    from pyproj import Geod

    from clustering._project import to_metres
    from geo import projection
    from i18n import t
    from layers.privacy import Month, latest_publishable_month
    from services import city
    from services.forecast import city_settings

    monkeypatch.setenv("CITY_PROFILE", str(_write(tmp_path, CHICAGO)))
    assert city_settings() == ("EPSG:32616", "America/Chicago")
    # metres are true metres there (UTM 36N inflated them 1.30x): oracle, the geodesic on WGS84
    lat, lon = [41.88, 41.90], [-87.63, -87.60]
    xy = to_metres(lat, lon)
    geodesic = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])[2]
    assert math.dist(xy[0], xy[1]) == pytest.approx(geodesic, rel=2e-3)
    x, y = projection.to_metres(lat, lon)
    assert math.dist((x[0], y[0]), (x[1], y[1])) == pytest.approx(geodesic, rel=2e-3)
    # 2026-03-01 03:00 UTC is still February in Chicago (UTC-6), March in UTC
    from datetime import UTC, datetime

    assert Month(2026, 3).start == datetime(2026, 3, 1, 6, tzinfo=UTC)
    assert latest_publishable_month(datetime(2026, 3, 8, 3, tzinfo=UTC)) == Month(2026, 1)
    assert t("app.title", "en") == "Safety map: Chicago" and city.file_stem() == "chicago"


def test_the_form_tracking_number_carries_the_profile_prefix(tmp_path, monkeypatch, store):
    from datetime import UTC, datetime

    from services import form

    demo = city_profile.demo_profile()
    text = city_profile.DEMO_PROFILE.read_text(encoding="utf-8")
    text = text.replace('tracking_prefix = "VZ"', 'tracking_prefix = "TST"')
    text = text.replace('"../../geo/demo/', f'"{city_profile.DEMO_PROFILE.parent}/../../geo/demo/')
    monkeypatch.setenv("CITY_PROFILE", str(_write(tmp_path, text)))
    receipt = form.submit(
        store,
        description="Зламаний ліхтар біля зупинки, темно",
        category="lighting",
        lat=demo.centre[0],
        lon=demo.centre[1],
        contact=None,
        now=datetime(2026, 1, 5, tzinfo=UTC),
    )
    assert receipt.tracking.startswith("TST-") and len(receipt.tracking) == 12


def test_distance_methods_measure_true_metres_in_the_given_crs():
    """A 140 m pair in Chicago: one DBSCAN cluster at eps 150 m in Chicago's UTM zone (the
    geodesic oracle agrees), two noise points in the demo city's UTM 36N (1.30x too long)."""
    import pandas as pd
    from pyproj import Geod

    from clustering.density_clusters import dbscan_clusters

    lat0, lon0 = 41.88, -87.63
    lon1, lat1, _ = Geod(ellps="WGS84").fwd(lon0, lat0, 90.0, 140.0)
    pair = pd.DataFrame({"lat": [lat0, lat1], "lon": [lon0, lon1]})
    chicago = utm_crs(lat0, lon0)
    assert dbscan_clusters(pair, eps_m=150.0, min_samples=2, crs=chicago).n_noise == 0
    assert dbscan_clusters(pair, eps_m=150.0, min_samples=2, crs=city_profile.demo_profile().metric_crs).n_noise == 2
