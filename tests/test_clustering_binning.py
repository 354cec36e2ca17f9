"""Binning: study area coverage, exact cell assignment, outside/vague reports counted."""

from collections import Counter

import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from clustering.binning import (
    _area_lattice,
    assign_cells,
    bin_counts,
    cell_positions,
    edge_length_m,
    points_to_cells,
    study_area,
)

BOX = [(31.267, 47.531), (31.390, 47.531), (31.390, 47.601), (31.267, 47.601)]


@pytest.mark.parametrize("res", [7, 8, 9, 10])
def test_study_area_is_every_overlapping_cell(res):
    area = study_area(BOX, res)
    assert area == sorted(area) and len(set(area)) == len(area)
    # Oracle: cells of a generously buffered box, kept when their hexagon touches the box.
    city = box(31.267, 47.531, 31.390, 47.601)
    big = city.buffer(0.05)
    candidates = h3.h3shape_to_cells(h3.geo_to_h3shape(big.__geo_interface__), res)
    touching = {c for c in candidates if Polygon([(lo, la) for la, lo in h3.cell_to_boundary(c)]).intersects(city)}
    assert touching <= set(area)
    extra = set(area) - touching
    # Anything else may only graze the boundary (numerical edge cases), never be far away.
    for c in extra:
        hexagon = Polygon([(lo, la) for la, lo in h3.cell_to_boundary(c)])
        assert hexagon.distance(city) < 1e-6


def test_study_area_accepts_shapely_and_rejects_bad_resolution():
    assert study_area(box(31.267, 47.531, 31.390, 47.601), 8) == study_area(BOX, 8)
    with pytest.raises(ValueError):
        study_area(BOX, 6)


def test_a_study_area_computed_once_per_boundary_is_h3s_own_each_time():
    """study_area keeps each boundary's cells per resolution (issue 19t): every call, first or
    repeated, for the city's outline (with a hole), a box or another box, gives h3's cells of
    that very boundary, in a list the caller may change."""
    from geo.gazetteer import load_gazetteer

    outline = load_gazetteer().boundary_polygon
    holed = box(31.267, 47.531, 31.390, 47.601).difference(box(31.30, 47.55, 31.33, 47.57))
    for boundary in (outline, holed, BOX, box(31.30, 47.55, 31.36, 47.58)):
        shape = boundary if isinstance(boundary, BaseGeometry) else Polygon(boundary)
        for res in (8, 9, 8, 9):
            expected = sorted(h3.h3shape_to_cells_experimental(h3.geo_to_h3shape(shape), res, contain="overlap"))
            got = study_area(boundary, res)
            assert got == expected and len(got) > 10
            got.clear()


def test_points_to_cells_equals_h3_loop_with_duplicates():
    rng = np.random.default_rng(3)
    lat = rng.uniform(47.531, 47.601, 5000)
    lon = rng.uniform(31.267, 31.390, 5000)
    lat[::3] = lat[0]  # many repeated geocoded points
    lon[::3] = lon[0]
    for res in (7, 10):
        got = points_to_cells(lat, lon, res)
        want = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat, lon)]
        assert got.tolist() == want
    assert points_to_cells(np.array([]), np.array([]), 9).size == 0


def test_every_point_inside_the_boundary_lands_in_the_area():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"lat": rng.uniform(47.531, 47.601, 3000), "lon": rng.uniform(31.267, 31.390, 3000)})
    for res in (7, 8, 9, 10):
        counts, s = bin_counts(df, res, study_area(BOX, res))
        assert s.n_in == 3000 and s.n_outside == 0 and int(counts.sum()) == 3000


def test_bin_counts_matches_counter_and_reports_outside_vague_missing():
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame(
        {
            "lat": rng.uniform(47.50, 47.63, n),  # some fall outside the box
            "lon": rng.uniform(31.24, 31.42, n),
            "uncertainty_m": rng.choice([np.nan, 10.0, 150.0, 500.0, 3000.0], n),
        }
    )
    df.loc[:4, "lat"] = np.nan
    res = 9
    area = study_area(BOX, res)
    counts, s = bin_counts(df, res, area)
    edge = edge_length_m(res)
    located = df["lat"].notna()
    vague = located & (df["uncertainty_m"].fillna(0) > edge)
    precise = df[located & ~vague]
    cells = [h3.latlng_to_cell(a, b, res) for a, b in zip(precise["lat"], precise["lon"])]
    area_set = set(area)
    want = Counter(c for c in cells if c in area_set)
    assert counts.index.tolist() == area and counts.index.name == "cell"
    assert counts[counts > 0].to_dict() == dict(want)
    assert s.n_in == sum(want.values())
    assert s.n_outside == sum(1 for c in cells if c not in area_set) > 0
    assert s.n_too_vague == int(vague.sum()) > 0
    assert s.n_missing == 5
    assert s.n_in + s.n_outside + s.n_too_vague + s.n_missing == n
    assert (counts == 0).sum() > 0  # empty cells are kept


def test_vague_threshold_depends_on_resolution():
    df = pd.DataFrame({"lat": [47.566], "lon": [31.33], "uncertainty_m": [300.0]})
    # 300 m is finer than a res-8 edge (~531 m) but coarser than a res-9 edge (~201 m).
    assert bin_counts(df, 8, study_area(BOX, 8))[1].n_in == 1
    assert bin_counts(df, 9, study_area(BOX, 9))[1].n_too_vague == 1
    pos, _ = assign_cells(df, 9, study_area(BOX, 9))
    assert pos.tolist() == [-2]


def _loop_positions(lat, lon, res, area):
    index = {c: i for i, c in enumerate(area)}
    return np.array([index.get(h3.latlng_to_cell(a, b, res), -1) for a, b in zip(lat, lon)])


@pytest.mark.parametrize("res", [7, 8, 9, 10])
def test_cell_positions_equal_h3_on_random_points(res):
    area = study_area(BOX, res)
    assert _area_lattice(tuple(area)) is not None  # the vectorised path is the one under test
    rng = np.random.default_rng(res)
    lat = rng.uniform(47.50, 47.63, 60_000)  # some outside the area
    lon = rng.uniform(31.24, 31.42, 60_000)
    got = cell_positions(lat, lon, res, area)
    assert (got == _loop_positions(lat, lon, res, area)).all()
    assert (got == -1).any() and (got >= 0).any()


@pytest.mark.parametrize("res", [7, 9, 10])
def test_cell_positions_equal_h3_on_vertices_edges_and_centres(res):
    """Points exactly on (or a hair from) hexagon edges must not be guessed."""
    area = study_area(BOX, res)
    pts = []
    for c in area[:: max(1, len(area) // 300)]:
        ring = h3.cell_to_boundary(c)
        pts += list(ring) + [h3.cell_to_latlng(c)]
        for (a1, o1), (a2, o2) in zip(ring, ring[1:] + ring[:1]):
            for t in (0.5, 0.25, 0.5 + 1e-12, 0.5 - 1e-9):
                pts.append((a1 + t * (a2 - a1), o1 + t * (o2 - o1)))
    lat, lon = np.array(pts).T
    for eps in (0.0, 1e-11, -1e-11):
        got = cell_positions(lat + eps, lon - eps, res, area)
        assert (got == _loop_positions(lat + eps, lon - eps, res, area)).all()


def test_cell_positions_fall_back_where_the_lattice_shortcut_is_unsafe():
    pentagon = h3.get_pentagons(9)[0]
    near = sorted(h3.grid_disk(pentagon, 4))
    assert _area_lattice(tuple(near)) is None
    lat0, lon0 = h3.cell_to_latlng(pentagon)
    rng = np.random.default_rng(0)
    lat = lat0 + rng.normal(0, 0.005, 2000)
    lon = lon0 + rng.normal(0, 0.005, 2000)
    assert (cell_positions(lat, lon, 9, near) == _loop_positions(lat, lon, 9, near)).all()
    with pytest.raises(ValueError):
        cell_positions(lat, lon, 8, near)
