"""The demo city's synthetic layout, for geo/demo/make_osm.py only.

The real values (name, bounding box, centre, population, metric CRS) come from the demo
city profile (config/cities/voznesensk-demo.toml), as every city constant does. The synthetic
layout (river courses, city outline, microdistricts and their street grids) drives
geo/demo/make_osm.py only: no open street geometry of the city exists, so the demo
extract invents plausible geometry around the real names (see geo/demo/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from data.city_profile import demo_profile

_DEMO = demo_profile()
CITY_NAME = _DEMO.names.uk
CITY_NAME_RU = _DEMO.names.get("ru")
CITY_NAME_EN = _DEMO.names.en
assert _DEMO.bbox is not None and _DEMO.population is not None, "the demo profile states bbox and population"
CITY_BBOX: tuple[float, float, float, float] = _DEMO.bbox  # lon_min, lat_min, lon_max, lat_max
CITY_CENTRE: tuple[float, float] = _DEMO.centre  # lat, lon
CITY_POPULATION: int = _DEMO.population
METRIC_CRS = _DEMO.metric_crs

# --- synthetic layout (lon, lat) -------------------------------------------------
# The Southern Bug runs north to south along the west of the centre; Bolgarka lies on
# its right (west) bank. Courses extend past the bbox so the water leaves the map.
SOUTHERN_BUG_COURSE: tuple[tuple[float, float], ...] = (
    (31.322, 47.615),
    (31.318, 47.600),
    (31.310, 47.588),
    (31.303, 47.576),
    (31.300, 47.566),
    (31.298, 47.555),
    (31.300, 47.543),
    (31.306, 47.530),
    (31.310, 47.515),
)
SOUTHERN_BUG_WIDTH_M = 180.0
# The Mertvovid comes from the north-east and joins the Bug just north of the centre.
MERTVOVID_COURSE: tuple[tuple[float, float], ...] = (
    (31.400, 47.598),
    (31.385, 47.592),
    (31.368, 47.586),
    (31.352, 47.580),
    (31.336, 47.576),
    (31.320, 47.5742),
    (31.3015, 47.5735),
)
MERTVOVID_WIDTH_M = 45.0

# City outline (exterior ring, closed), inside CITY_BBOX.
CITY_OUTLINE: tuple[tuple[float, float], ...] = (
    (31.268, 47.556),
    (31.268, 47.584),
    (31.290, 47.598),
    (31.330, 47.600),
    (31.365, 47.597),
    (31.388, 47.589),
    (31.388, 47.558),
    (31.376, 47.539),
    (31.345, 47.532),
    (31.310, 47.532),
    (31.284, 47.540),
    (31.268, 47.556),
)

# Railway (Odesa line) along the east of the city; the station sits in Pryvokzalnyi.
RAILWAY_COURSE: tuple[tuple[float, float], ...] = (
    (31.396, 47.610),
    (31.381, 47.585),
    (31.372, 47.562),
    (31.366, 47.548),
    (31.356, 47.520),
)


@dataclass(frozen=True)
class Microdistrict:
    """One synthetic microdistrict: land piece + box cut, population and street grid."""

    name: str
    name_ru: str
    population: int
    bank: str  # "west" (right bank of the Bug), "north" or "south" of the Mertvovid
    box: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max cut
    grid_angle_deg: float  # rotation of the street grid
    spacing_m: tuple[float, float]  # distance between streets across / along the grid
    house_step_m: float  # distance between neighbouring houses on one side


# Points that identify each land piece after the rivers cut the city outline.
BANK_ANCHORS = {"west": (31.285, 47.565), "north": (31.340, 47.590), "south": (31.340, 47.550)}

MICRODISTRICTS: tuple[Microdistrict, ...] = (
    Microdistrict("Центр", "Центр", 7200, "south", (31.0, 47.557, 31.345, 48.0), 0.0, (360, 260), 34),
    Microdistrict("Болгарка", "Болгарка", 4300, "west", (31.0, 47.0, 32.0, 48.0), 12.0, (460, 400), 44),
    Microdistrict("Заріччя", "Заречье", 4800, "north", (31.0, 47.0, 31.350, 48.0), -15.0, (480, 360), 42),
    Microdistrict("Східний", "Восточный", 3400, "north", (31.350, 47.0, 32.0, 48.0), 6.0, (500, 380), 46),
    Microdistrict("Молодіжний", "Молодежный", 5600, "south", (31.345, 47.557, 32.0, 48.0), 0.0, (480, 360), 38),
    Microdistrict("Привокзальний", "Привокзальный", 3900, "south", (31.345, 47.0, 32.0, 47.557), 20.0, (480, 360), 44),
    Microdistrict("Південний", "Южный", 3800, "south", (31.0, 47.0, 31.345, 47.557), -8.0, (480, 360), 44),
)
