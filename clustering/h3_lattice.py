"""H3 cells as coordinates of one hexagonal lattice, computed in numpy.

Why: neighbour graphs over a study area are a join on lattice coordinates,
and asking H3 for each cell's coordinates one call at a time is the slowest
part of building them. Inside one hexagonal base cell an H3 index *is* a path
down the aperture-7 hierarchy: start at the base cell, and at each resolution
scale the IJK coordinates (``_downAp7`` on class III resolutions, the rotated
``_downAp7r`` on class II) and step to the child digit's unit vector. That is
the recursion of H3's ``_h3ToFaceIjkWithInitializedFijk`` without the face
bookkeeping, written here in 2-D axial form ``(i - k, j - k)``, so cells of one
base cell get exact lattice coordinates whose neighbours differ by
``(+-1, 0), (0, +-1), +-(1, 1)``, the same offsets as ``h3.cell_to_local_ij``.
Across base cells or around pentagons this does not hold: callers check
:func:`one_hexagon_base_cell` and use H3 itself otherwise.

Examples
--------
>>> import h3
>>> centre = h3.latlng_to_cell(47.566, 31.33, 9)
>>> ints = cell_ints([centre] + list(h3.grid_ring(centre, 1)))
>>> ij = lattice_ij(ints)
>>> sorted(map(tuple, (ij[1:] - ij[0]).tolist()))
[(-1, -1), (-1, 0), (0, -1), (0, 1), (1, 0), (1, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import h3
import numpy as np

try:  # the compiled int API behind h3.api.basic_int: no string round trips
    from h3._cy import cell_to_local_ij as _cell_to_local_ij
    from h3._cy import grid_disk as _grid_disk_int
    from h3._cy import local_ij_to_cell as _local_ij_to_cell
except ImportError:  # pragma: no cover - layout of a future h3-py
    from h3.api.basic_int import cell_to_local_ij as _cell_to_local_ij
    from h3.api.basic_int import grid_disk as _grid_disk_int
    from h3.api.basic_int import local_ij_to_cell as _local_ij_to_cell

__all__ = ["cell_ints", "h3_local_ij", "h3_local_ij_agrees", "lattice_ij", "one_hexagon_base_cell"]

_PENTAGON_BASE_CELLS = np.array(sorted(h3.get_base_cell_number(c) for c in h3.get_pentagons(0)))
#: Unit vectors of digits 0..6 in axial (i - k, j - k) form.
_DIGIT_STEP = np.array([(0, 0), (-1, -1), (0, 1), (-1, 0), (1, 0), (0, -1), (1, 1)], dtype=np.int64)
_HEX = np.full(256, -1, dtype=np.int64)
_HEX[np.frombuffer(b"0123456789", dtype=np.uint8)] = np.arange(10)
_HEX[np.frombuffer(b"abcdef", dtype=np.uint8)] = np.arange(10, 16)
_HEX[np.frombuffer(b"ABCDEF", dtype=np.uint8)] = np.arange(10, 16)


def cell_ints(cells: Sequence[str]) -> np.ndarray:
    """H3 cell strings to their 64-bit integers (uint64), in one numpy pass.

    >>> int(cell_ints(["8928308280fffff"])[0]) == int("8928308280fffff", 16)
    True
    """
    if len(cells) == 0:
        return np.zeros(0, dtype=np.uint64)
    joined = "".join(cells).encode("ascii")
    if len(joined) != 15 * len(cells):  # not all canonical 15-digit strings
        return np.array([int(c, 16) for c in cells], dtype=np.uint64)
    nibbles = _HEX[np.frombuffer(joined, dtype=np.uint8)].reshape(-1, 15)
    if (nibbles < 0).any():
        raise ValueError("not an H3 cell: non-hexadecimal characters")
    shifts = np.arange(56, -4, -4, dtype=np.uint64)
    return np.bitwise_or.reduce(nibbles.astype(np.uint64) << shifts, axis=1)


def one_hexagon_base_cell(ints: np.ndarray) -> bool:
    """True when all cells share one resolution and one base cell, and it is not a pentagon."""
    ints = np.asarray(ints, dtype=np.uint64)
    if ints.size == 0:
        return False
    base = (ints >> np.uint64(45)) & np.uint64(0x7F)
    res = (ints >> np.uint64(52)) & np.uint64(0xF)
    return bool((base == base[0]).all() and (res == res[0]).all() and int(base[0]) not in _PENTAGON_BASE_CELLS)


@lru_cache(maxsize=16)
def _digit_contributions(res: int) -> np.ndarray:
    """(res, 7, 2): where digit d at resolution r moves a cell, in resolution-``res`` coordinates.

    The recursion is linear, so a cell's coordinates are the sum of its
    digits' steps, each scaled by the aperture matrices of the finer levels.
    """
    down_ap7 = np.array([[2, 1], [-1, 3]], dtype=np.int64)  # class III, _downAp7 in axial form
    down_ap7r = np.array([[3, -1], [1, 2]], dtype=np.int64)  # class II, _downAp7r
    out = np.zeros((res, 7, 2), dtype=np.int64)
    scale = np.eye(2, dtype=np.int64)
    for r in range(res, 0, -1):
        out[r - 1] = _DIGIT_STEP @ scale.T
        scale = scale @ (down_ap7 if r % 2 else down_ap7r)
    return out


def lattice_ij(ints: np.ndarray) -> np.ndarray:
    """Axial lattice coordinates (n, 2) of cells of one hexagonal base cell and one resolution.

    Only meaningful when :func:`one_hexagon_base_cell` holds for ``ints``.
    """
    ints = np.asarray(ints, dtype=np.uint64).view(np.int64)  # bit 63 of a cell is always 0
    res = int((ints[0] >> 52) & 0xF) if ints.size else 0
    if res == 0:
        return np.zeros((ints.size, 2), dtype=np.int64)
    levels = np.arange(1, res + 1, dtype=np.int64)
    flat = ((ints[:, None] >> (3 * (15 - levels))) & 7) + 7 * (levels - 1)  # (n, res) into (res * 7)
    table = _digit_contributions(res).reshape(-1, 2)
    return np.column_stack([table[:, 0][flat].sum(axis=1), table[:, 1][flat].sum(axis=1)])


def h3_local_ij(ints: Sequence[int]) -> np.ndarray:
    """H3's own local IJ coordinates (n, 2) of every cell, anchored at the first one.

    The general path (any base cells), one H3 call per cell; raises
    ``h3.H3BaseException`` where H3 cannot relate two cells.
    """
    plain = [int(c) for c in ints]
    ij = np.array(list(map(_cell_to_local_ij, repeat(plain[0], len(plain)), plain)), dtype=np.int64)
    return ij.reshape(-1, 2)


def h3_local_ij_agrees(ints: Sequence[int], ij: np.ndarray, k: int, offsets: np.ndarray) -> bool:
    """Spot-check on 32 cells that ``ij + offsets`` is each cell's ``grid_disk(k)``.

    Local IJ can be distorted across icosahedron faces without H3 raising.
    """
    plain = [int(c) for c in ints]
    sample = np.random.default_rng(0).choice(len(plain), size=min(32, len(plain)), replace=False)
    steps = offsets.tolist()
    for i in sample.tolist():
        ci, cj = int(ij[i, 0]), int(ij[i, 1])
        around = {_local_ij_to_cell(plain[0], ci + di, cj + dj) for di, dj in steps}
        if around != set(_grid_disk_int(plain[i], k)):
            return False
    return True
