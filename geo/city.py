"""A city's gazetteer as its profile describes it, and `cli.py city init`: extract -> profile + gazetteer.

Why one module: the profile says where the study area and the districts come from
(data/city_profile.py); building the gazetteer from the profile, not from guesses about the
extract, is what makes `CITY_PROFILE=var/city.toml` reproduce the same city every time.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data.city_profile import CityProfile, read_profile, utm_crs
from geo.areas import (
    CITY_LEVEL,
    DISTRICT_PLACE_KINDS,
    AreaError,
    Districts,
    OsmArea,
    districts_from_geojson,
    districts_from_osm,
    polygon_ring,
    scan_areas,
    study_area_from_geojson,
    study_area_from_osm,
)
from geo.osm import build_gazetteer, write_gazetteer

DEFAULT_NAME_LANGUAGES = ("uk", "ru", "en")
_LANGUAGE_SHARE = 0.25  # a name:xx carried by this share of the streets is one of the city's languages


def _study_area(profile: CityProfile, areas: list[OsmArea]) -> Any:
    if profile.study_area.geojson is not None:
        return study_area_from_geojson(profile.study_area.geojson)
    return study_area_from_osm(areas, profile.study_area.osm_relation).polygon


def _districts(profile: CityProfile, areas: list[OsmArea]) -> Districts:
    chosen = profile.districts
    if chosen.source == "geojson":
        return districts_from_geojson(chosen.geojson, chosen.name_property)  # type: ignore[arg-type]
    if chosen.source == "admin_levels":
        return districts_from_osm(areas, levels=chosen.admin_levels)
    return districts_from_osm(areas, places=chosen.place_kinds)


@dataclass(frozen=True)
class CityGazetteer:
    data: dict[str, Any]
    skipped_districts: list[str]


def build_city_gazetteer(profile: CityProfile) -> CityGazetteer:
    """The gazetteer of the profile's extract with the profile's study area, districts and
    name languages. Raises AreaError (what is missing, what to give) instead of guessing an outline.
    """
    built = _all_languages(profile)
    return CityGazetteer(keep_languages(built.data, profile.name_languages), built.skipped_districts)


def _all_languages(profile: CityProfile, areas: list[OsmArea] | None = None) -> CityGazetteer:
    if profile.osm_extract is None:
        raise AreaError("the city profile names no osm_extract")
    areas = scan_areas(profile.osm_extract) if areas is None else areas
    outline = _study_area(profile, areas)
    districts = _districts(profile, areas)
    data = build_gazetteer(profile.osm_extract, study_area=polygon_ring(outline), districts=districts.items)
    return CityGazetteer(data, districts.skipped)


def _kept(names: dict[str, str], languages: set[str]) -> dict[str, str]:
    return {k: v for k, v in names.items() if ":" not in k or k.split(":", 1)[1] in languages}


def keep_languages(data: dict[str, Any], languages: tuple[str, ...]) -> dict[str, Any]:
    """The gazetteer with only the `xx:lang` name tags of the profile's languages (plain
    `name`, `old_name`, ... stay): what residents write, not every wiki translation."""
    keep = set(languages)
    for kind in ("streets", "landmarks", "districts"):
        for record in data[kind]:
            record["names"] = _kept(record["names"], keep)
    if "city" in data["meta"]:
        data["meta"]["city"] = _kept(data["meta"]["city"], keep)
    return data


def _street_languages(data: dict[str, Any]) -> list[str]:
    """Languages of the `name:xx` tags that at least a quarter of the streets carry."""
    counts = Counter(
        key.split(":", 1)[1] for street in data["streets"] for key in street["names"] if key.startswith("name:")
    )
    need = _LANGUAGE_SHARE * max(1, len(data["streets"]))
    return sorted(lang for lang, n in counts.items() if n >= need)


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def _q(value: Any) -> str:
    """A TOML value (JSON strings, numbers and arrays of them are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


@dataclass
class CityInit:
    """What `city init` wrote and what the deployer should check."""

    profile_path: Path
    gazetteer_path: Path
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _district_choice(
    areas: list[OsmArea], study_area: Any, districts_geojson: Path | None, admin_levels: tuple[int, ...]
) -> tuple[dict[str, Any], list[str]]:
    """The profile's [districts] table: the deployer's choice, else the first OSM source that
    yields complete polygons (places, then the admin levels below the city's)."""
    if districts_geojson is not None:
        return {"source": "geojson", "geojson": districts_geojson}, []
    if admin_levels:
        return {"source": "admin_levels", "admin_levels": list(admin_levels)}, []
    if districts_from_osm(areas, places=DISTRICT_PLACE_KINDS).items:
        return {"source": "places", "place_kinds": list(DISTRICT_PLACE_KINDS)}, []
    levels = Counter(
        int(a.tags["admin_level"])
        for a in areas
        if a.complete
        and a.tags.get("admin_level", "").isdigit()
        and int(a.tags["admin_level"]) > CITY_LEVEL
        and a.name
        and study_area.intersects(a.polygon.representative_point())
    )
    if levels:
        level = max(levels, key=lambda lv: (levels[lv], -lv))
        return {"source": "admin_levels", "admin_levels": [level]}, []
    note = (
        "no district polygons in the extract (no complete place=suburb|quarter|neighbourhood area, no complete "
        "boundary below the city): the city has no districts until you give --districts FILE.geojson "
        "(a polygon per district with a 'name' property) or edit [districts] in the profile"
    )
    return {"source": "places", "place_kinds": list(DISTRICT_PLACE_KINDS)}, [note]


def profile_text(
    *,
    name: str,
    name_uk: str,
    tz: str,
    centre: tuple[float, float],
    bbox: tuple[float, ...],
    extract: str,
    gazetteer: str,
    languages: list[str],
    study_area: dict[str, Any],
    districts: dict[str, Any],
    metric_crs: str,
) -> str:
    """The profile as a TOML file a deployer can read and edit (every field commented)."""
    area_lines = (
        "\n".join(f"{k} = {_q(v)}" for k, v in study_area.items())
        or "# neither osm_relation nor geojson: the complete city boundary found in the extract"
    )
    district_lines = "\n".join(f"{k} = {_q(v)}" for k, v in districts.items())
    return f"""# City profile written by `cli.py city init`; edit it, then rebuild with `cli.py gazetteer build`.
# Every field is documented in docs/CITY_PROFILE.md. Relative paths are read from this file's folder.
# Select it with CITY_PROFILE=<this file> for the app and every CLI command.
demo = false
# IANA zone, given to city init (never guessed)
time_zone = {_q(tz)}
# [lat, lon]: the centroid of the study area
centre = {_q(list(centre))}
# [lon_min, lat_min, lon_max, lat_max] of the study area
bbox = {_q(list(bbox))}
# projected CRS in metres; default: the UTM zone of the centre (shown here)
# metric_crs = {_q(metric_crs)}
osm_extract = {_q(extract)}
gazetteer = {_q(gazetteer)}
# name:xx tags of these languages are kept as aliases
name_languages = {_q(languages)}

[names]
uk = {_q(name_uk)}
en = {_q(name)}
# endings of the city name's inflected forms that the geocoder reads as the city
# case_endings = []

[study_area]
{area_lines}

[districts]
{district_lines}

[intake]
# for date columns whose values do not decide it: "dayfirst" or "monthfirst"
date_order = "dayfirst"
# residents' tracking numbers look like RPT-1A2B3C4D
tracking_prefix = "RPT"
"""


def _validated(text: str, base: Path) -> CityProfile:
    try:
        return CityProfile.model_validate(tomllib.loads(text)).resolve_paths(base.resolve())
    except ValueError as exc:
        raise AreaError(f"the profile would not be valid: {exc}") from exc


def init_city(
    extract: Path,
    *,
    name: str,
    tz: str,
    out: Path,
    name_uk: str | None = None,
    study_area_geojson: Path | None = None,
    boundary_relation: int | None = None,
    districts_geojson: Path | None = None,
    admin_levels: tuple[int, ...] = (),
    gazetteer: Path | None = None,
    force: bool = False,
) -> CityInit:
    """Write a profile for `extract` at `out` and build its gazetteer; nothing is written when
    the study area or a given file cannot be used (AreaError says why)."""
    out = Path(out)
    if out.exists() and not force:
        raise AreaError(f"{out} exists; pass --force to replace it")
    gazetteer = Path(gazetteer) if gazetteer else out.with_name(f"{out.stem}.gazetteer.json")
    base = out.parent
    areas = scan_areas(extract)
    if study_area_geojson is not None:
        outline, study = study_area_from_geojson(study_area_geojson), {"geojson": _rel(study_area_geojson, base)}
    else:
        found = study_area_from_osm(areas, boundary_relation)
        outline, study = found.polygon, {"osm_relation": found.osm_id} if found.kind == "relation" else {}
        if found.kind == "way":
            raise AreaError(
                f"the city outline {found.describe()} is a closed way, which a profile cannot name; "
                "give it as a GeoJSON file (--study-area FILE.geojson)"
            )
    districts, notes = _district_choice(areas, outline, districts_geojson, admin_levels)
    if "geojson" in districts:
        districts["geojson"] = _rel(districts["geojson"], base)
    c = outline.centroid
    fields: dict[str, Any] = {
        "name": name,
        "tz": tz,
        "centre": (round(c.y, 6), round(c.x, 6)),
        "bbox": tuple(round(v, 6) for v in outline.bounds),
        "extract": _rel(Path(extract), base),
        "gazetteer": _rel(gazetteer, base),
        "study_area": study,
        "districts": districts,
        "metric_crs": utm_crs(c.y, c.x),
    }
    built = _all_languages(
        _validated(profile_text(name_uk=name_uk or name, languages=list(DEFAULT_NAME_LANGUAGES), **fields), base), areas
    )
    city_names = built.data["meta"].get("city", {})
    uk = name_uk or city_names.get("name:uk") or name
    if not name_uk:
        notes.append(
            f"names.uk = {uk!r} ({'name:uk of the extract' if city_names.get('name:uk') else 'the --name'}): check it"
        )
    languages = sorted(set(DEFAULT_NAME_LANGUAGES) | set(_street_languages(built.data)))
    text = profile_text(name_uk=uk, languages=languages, **fields)
    keep_languages(built.data, _validated(text, base).name_languages)
    notes += [f"district skipped, {item}" for item in built.skipped_districts]
    if not built.data["districts"] and not any(n.startswith("no district") for n in notes):
        notes.append("the chosen district source gives no districts: give --districts FILE.geojson")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    write_gazetteer(built.data, gazetteer)
    read_profile(out)  # the file on disk reads back as the profile just validated
    counts = {k: len(built.data[k]) for k in ("streets", "addresses", "landmarks", "districts")}
    return CityInit(out, gazetteer, notes, counts)
