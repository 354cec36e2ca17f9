"""Lattice coordinates from H3 index bits agree with H3's own neighbours."""

import h3
import numpy as np
import pytest

from clustering.h3_lattice import cell_ints, lattice_ij, one_hexagon_base_cell

HEX_STEPS = {(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)}


@pytest.mark.parametrize("res", range(2, 16))
def test_lattice_neighbours_are_h3_neighbours(res):
    rng = np.random.default_rng(res)
    checked = 0
    for _ in range(2000):
        if checked == 5:
            break
        centre = h3.latlng_to_cell(rng.uniform(-80, 80), rng.uniform(-180, 180), res)
        cells = sorted(h3.grid_disk(centre, 1 if res < 4 else 3))
        ints = cell_ints(cells)
        if not one_hexagon_base_cell(ints):
            continue
        ij = [tuple(v) for v in lattice_ij(ints).tolist()]
        assert len(set(ij)) == len(cells)  # one cell per lattice point
        at = dict(zip(ij, cells))
        for (i, j), c in zip(ij, cells):
            lattice = {at[(i + di, j + dj)] for di, dj in HEX_STEPS if (i + di, j + dj) in at}
            assert lattice == set(h3.grid_ring(c, 1)) & set(cells)
        checked += 1
    assert checked == 5, "too few areas inside one hexagonal base cell"


def test_cell_ints_match_python_int():
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 2))
    assert cell_ints(cells).tolist() == [int(c, 16) for c in cells]
    with pytest.raises(ValueError, match="non-hexadecimal"):
        cell_ints(["8928308280fffzz"])


def test_base_cell_guard():
    pentagon = h3.get_pentagons(6)[0]
    assert not one_hexagon_base_cell(cell_ints(sorted(h3.grid_disk(pentagon, 1))))
    mixed = [h3.latlng_to_cell(47.5, 31.3, 9), h3.latlng_to_cell(-33.9, 151.2, 9)]
    assert not one_hexagon_base_cell(cell_ints(mixed))
    assert not one_hexagon_base_cell(cell_ints([h3.latlng_to_cell(47.5, 31.3, 9), h3.latlng_to_cell(47.5, 31.3, 8)]))
