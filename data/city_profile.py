"""The city profile: every constant that makes the product one city's and not another's.

One TOML file per city (``config/cities/*.toml``), validated by pydantic. The demo city is
one profile among others (``config/cities/voznesensk-demo.toml``); ``CITY_PROFILE=path``
selects another for the app and every CLI command. Code reads city constants only from
here, never from literals, so a deployment changes one file, not the code.

Why pydantic: a deployer edits this file by hand; a typo must stop the start with the
field's name and the reason, not surface later as a wrong map. Relative paths in the file
are read relative to the file itself, so a profile and its extract can move together.
Field-by-field documentation: docs/CITY_PROFILE.md (the model's field descriptions are the
same text).

This module sits in the lowest layer (data/): every package may read it; it reads no
package of this project.

>>> p = CityProfile.model_validate({"names": {"uk": "Місто", "en": "Town"},
...     "time_zone": "America/Chicago", "centre": [41.88, -87.63]})
>>> p.metric_crs, p.tz.key, p.intake.tracking_prefix
('EPSG:32616', 'America/Chicago', 'RPT')
>>> CityProfile.model_validate({"names": {"uk": "Місто", "en": "Town"}, "centre": [0, 0]})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for CityProfile
time_zone
  Field required ...
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROFILE_ENV = "CITY_PROFILE"
CITIES_DIR = Path(__file__).resolve().parent.parent / "config" / "cities"
DEMO_PROFILE = CITIES_DIR / "voznesensk-demo.toml"

LatLon = tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CityNames(_Strict):
    """The city's own name in each interface language, plus other spellings residents use."""

    uk: str = Field(min_length=1, description="Ukrainian name (page titles, downloads).")
    en: str = Field(min_length=1, description="English name.")
    other: dict[str, str] = Field(
        default_factory=dict, description='Other languages\' names by ISO code, e.g. {ru = "..."}.'
    )
    case_endings: tuple[str, ...] = Field(
        default=(),
        description='Endings of inflected forms of the city\'s name ("у Києві": "єві") '
        "that the geocoder reads as the city, not as a street named after it. Empty: no "
        "inflected form is taken for the city.",
    )

    def get(self, lang: str) -> str:
        """The name in ``lang`` ("uk", "en" or an ``other`` code), English when unknown."""
        return {"uk": self.uk, "en": self.en}.get(lang) or self.other.get(lang) or self.en


class StudyArea(_Strict):
    """Where reports may lie. Neither field: the city boundary found in the OSM extract."""

    osm_relation: int | None = Field(
        default=None, gt=0, description="Id of the OSM boundary relation that outlines the city."
    )
    geojson: Path | None = Field(default=None, description="A GeoJSON file with the study-area polygon(s).")

    @model_validator(mode="after")
    def _one_source(self) -> StudyArea:
        if self.osm_relation is not None and self.geojson is not None:
            raise ValueError("give osm_relation or geojson, not both")
        return self


class Districts(_Strict):
    """Where district (microdistrict) polygons come from."""

    source: Literal["places", "admin_levels", "geojson"] = Field(
        default="places",
        description="places: place=suburb|quarter|neighbourhood polygons of the "
        "extract; admin_levels: boundary=administrative at the given levels; geojson: a file.",
    )
    place_kinds: tuple[str, ...] = Field(
        default=("suburb", "quarter", "neighbourhood"), description="place=* values read when source = places."
    )
    admin_levels: tuple[int, ...] = Field(
        default=(), description="admin_level values read when source = admin_levels, e.g. [9, 10]."
    )
    geojson: Path | None = Field(default=None, description="GeoJSON file when source = geojson.")
    name_property: str = Field(default="name", description="Feature property holding the district's name.")

    @model_validator(mode="after")
    def _source_has_input(self) -> Districts:
        if self.source == "geojson" and self.geojson is None:
            raise ValueError("source = geojson needs geojson = path")
        if self.source == "admin_levels" and not self.admin_levels:
            raise ValueError("source = admin_levels needs admin_levels = [..]")
        return self


class PerturbationTable(_Strict):
    """Published parameters of one Cell Key Method table (layers/cellkey.py)."""

    max_deviation: int = Field(ge=2, description="No released count differs from the truth by more.")
    variance: float = Field(gt=0, description="Variance of the deviation for counts above max_deviation.")
    p_zero: float = Field(gt=0, lt=0.5, description="Probability that a count 1..max_deviation is released as 0.")


class Privacy(_Strict):
    """The public map's protection of counts (docs/PRIVACY.md)."""

    k: int = Field(default=5, ge=1, description="Minimum count published for a group's cell / district.")
    k_person_linked: int = Field(default=10, ge=1, description="The same for person-linked groups (noise, drinking).")
    general: PerturbationTable = PerturbationTable(max_deviation=2, variance=0.5, p_zero=0.05)
    person_linked: PerturbationTable = PerturbationTable(max_deviation=3, variance=1.0, p_zero=0.05)


class Retention(_Strict):
    """How long the store keeps what residents gave (data/store/ops.py purge)."""

    report_days: int = Field(default=730, ge=1, description="Reports stay whole this many days.")
    contact_days: int = Field(default=90, ge=1, description="Form contact details are deleted after this.")

    @model_validator(mode="after")
    def _contacts_first(self) -> Retention:
        if self.contact_days > self.report_days:
            raise ValueError("contact_days must not exceed report_days")
        return self


class Intake(_Strict):
    """City-dependent intake bounds and defaults (the size bounds stay in data/intake/bounds.py)."""

    first_date: date = Field(default=date(2015, 1, 1), description="Oldest date a record may carry.")
    date_order: Literal["dayfirst", "monthfirst"] = Field(
        default="dayfirst", description="Order for date columns whose values do not decide it."
    )
    tracking_prefix: str = Field(
        default="RPT",
        pattern=r"^[A-Z]{1,6}$",
        description='Prefix of the tracking numbers residents get ("RPT-1A2B3C4D").',
    )


class CityProfile(_Strict):
    """One city's profile; see the module docstring and docs/CITY_PROFILE.md."""

    demo: bool = Field(default=False, description="True only for the bundled synthetic demo city.")
    names: CityNames
    time_zone: str = Field(description="IANA zone (Area/City) of the city's clocks. Required: no default.")
    centre: LatLon = Field(description="Map centre [lat, lon]; also picks the default metric CRS.")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="[lon_min, lat_min, lon_max, lat_max] of the city, when known."
    )
    population: int | None = Field(default=None, ge=0, description="Residents (rates per 1,000).")
    metric_crs_override: str | None = Field(
        default=None,
        alias="metric_crs",
        description="Projected CRS in metres; default: the UTM zone of the centre (pyproj).",
    )
    osm_extract: Path | None = Field(default=None, description="The city's OSM extract (.osm / .osm.pbf).")
    gazetteer: Path | None = Field(default=None, description="The gazetteer JSON built from the extract.")
    name_languages: tuple[str, ...] = Field(
        default=("uk", "ru", "en"), description="Languages whose name:xx tags the gazetteer keeps."
    )
    study_area: StudyArea = StudyArea()
    districts: Districts = Districts()
    intake: Intake = Intake()
    privacy: Privacy = Privacy()
    retention: Retention = Retention()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (Area/City)") from None
        return value

    @field_validator("bbox")
    @classmethod
    def _ordered_box(cls, box: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
        if box is not None and not (box[0] < box[2] and box[1] < box[3]):
            raise ValueError("bbox is [lon_min, lat_min, lon_max, lat_max] with min < max")
        return box

    @field_validator("metric_crs_override")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        if value is not None:
            from pyproj import CRS

            crs = CRS.from_user_input(value)
            if not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
                raise ValueError(f"{value} is not a projected CRS in metres")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def metric_crs(self) -> str:
        """The given metric CRS, else the UTM zone of the centre."""
        return self.metric_crs_override or utm_crs(*self.centre)

    def resolve_paths(self, base: Path) -> CityProfile:
        """A copy whose relative paths are read from ``base`` (the profile's folder)."""

        def fix(p: Path | None) -> Path | None:
            return None if p is None else (p if p.is_absolute() else (base / p).resolve())

        return self.model_copy(
            update={
                "osm_extract": fix(self.osm_extract),
                "gazetteer": fix(self.gazetteer),
                "study_area": self.study_area.model_copy(update={"geojson": fix(self.study_area.geojson)}),
                "districts": self.districts.model_copy(update={"geojson": fix(self.districts.geojson)}),
            }
        )


def utm_crs(lat: float, lon: float) -> str:
    """'EPSG:326NN' / 'EPSG:327NN': the UTM zone that holds (lat, lon), found by pyproj.

    >>> utm_crs(60.17, 24.94), utm_crs(-33.87, 151.21)
    ('EPSG:32635', 'EPSG:32756')
    """
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:
        raise ValueError(f"no UTM zone for {lat}, {lon}")
    # pyproj may list the neighbouring zone too when the point is on a border: take the
    # zone whose central meridian is nearest.
    best = min(infos, key=lambda i: abs(((int(i.code) % 100) * 6 - 183) - lon))
    return f"{best.auth_name}:{best.code}"


def read_profile(path: str | os.PathLike[str]) -> CityProfile:
    """Read and validate one profile file; relative paths are taken from its folder."""
    file = Path(path).resolve()
    with file.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        return CityProfile.model_validate(raw).resolve_paths(file.parent)
    except ValueError as exc:
        raise ValueError(f"city profile {file}: {exc}") from exc


def profile_path() -> Path:
    """The profile in force: ``CITY_PROFILE`` when set, else the demo city's."""
    given = os.environ.get(PROFILE_ENV, "").strip()
    return Path(given).resolve() if given else DEMO_PROFILE


@cache
def _cached(path: Path) -> CityProfile:
    return read_profile(path)


def profile() -> CityProfile:
    """The city profile in force (read once per path; see profile_path)."""
    return _cached(profile_path())


def demo_profile() -> CityProfile:
    """The bundled demo city's profile, whatever CITY_PROFILE says (demo generators read it)."""
    return _cached(DEMO_PROFILE)


def city_zone() -> ZoneInfo:
    """The city's time zone (the profile in force): local days, months and clocks."""
    return profile().tz
