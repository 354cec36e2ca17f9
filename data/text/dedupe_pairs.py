"""The neighbour pairs that de-duplication must judge, found in a few numpy passes.

Why: a dense import (a million reports in three years) gives every report dozens of
neighbours in its 3 x 3 block of 150 m grid cells; walking them one by one in Python,
with a haversine each, cost as much as the text comparisons themselves. Here the
candidates of every report (same category, block of cells, time window, earlier in
order) are found by sorting and binary search, their distances computed at once, and
only the pairs within the distance kept, so the Python loop of
:func:`data.text.dedupe.mark_duplicates` visits only pairs it must judge.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# numpy's sin/arcsin may differ from the math module's in the last bits: a distance
# this close to a threshold is recomputed by the caller with the math module.
DISTANCE_TOLERANCE_M = 1e-6


class NearPairs(NamedTuple):
    """Candidates per query, compressed: those of query ``k`` are
    ``earlier[start[k]:start[k + 1]]`` (ascending), at ``distance[...]`` metres."""

    start: np.ndarray
    earlier: np.ndarray
    distance: np.ndarray


def haversine_m(
    phi1: np.ndarray, phi2: np.ndarray, cos1: np.ndarray, cos2: np.ndarray, dlon_rad: np.ndarray, radius: float
) -> np.ndarray:
    """Great-circle distance, the formula of :func:`data.text.dedupe.distance_m`."""
    a = np.sin((phi2 - phi1) / 2) ** 2 + cos1 * cos2 * np.sin(dlon_rad / 2) ** 2
    return 2 * radius * np.arcsin(np.sqrt(a))


def near_pairs(
    queries: np.ndarray,
    category: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    when: np.ndarray,
    max_gap: int,
    phi: np.ndarray,
    cos_phi: np.ndarray,
    lon: np.ndarray,
    max_distance_m: float,
    radius: float,
) -> NearPairs:
    """For each position in ``queries`` (ascending), the earlier positions ``j`` with the
    same category, a grid cell at most one step away in x and y, ``when[q] - when[j] <=
    max_gap`` and a distance of at most ``max_distance_m`` (plus DISTANCE_TOLERANCE_M).

    Positions index the other arrays, which are in processing order (``when``
    non-decreasing); ``category`` holds integer codes.
    """
    m = len(when)
    x = cx - (cx.min() if m else 0) + 1  # a margin of one cell on each side: a step never wraps
    y = cy - (cy.min() if m else 0) + 1
    width_y = int(y.max()) + 2 if m else 2
    width_x = int(x.max()) + 2 if m else 2
    base = (category.astype(np.int64) * width_x + x) * width_y + y
    buckets, bucket = np.unique(base, return_inverse=True)
    key = bucket.astype(np.int64) * m + np.arange(m, dtype=np.int64)  # (cell, position)
    by_key = np.argsort(key)
    sorted_key = key[by_key]
    first_in_window = np.searchsorted(when, when[queries] - max_gap, side="left")
    owners, lows, counts = [], [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            neighbour = base[queries] + dx * width_y + dy
            found = np.minimum(np.searchsorted(buckets, neighbour), len(buckets) - 1)
            exists = buckets[found] == neighbour
            cell = found.astype(np.int64) * m
            low = np.searchsorted(sorted_key, cell + first_in_window, side="left")
            high = np.searchsorted(sorted_key, cell + queries, side="left")  # strictly earlier
            owners.append(np.arange(len(queries)))
            lows.append(low)
            counts.append(np.where(exists, np.maximum(high - low, 0), 0))
    owner, low, count = np.concatenate(owners), np.concatenate(lows), np.concatenate(counts)
    total = int(count.sum())
    pair_owner = np.repeat(owner, count)
    offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    earlier = by_key[np.repeat(low, count) + offsets]
    query = queries[pair_owner]
    distance = haversine_m(
        phi[query], phi[earlier], cos_phi[query], cos_phi[earlier], np.radians(lon[earlier] - lon[query]), radius
    )
    near = distance <= max_distance_m + DISTANCE_TOLERANCE_M
    pair_owner, earlier, distance = pair_owner[near], earlier[near], distance[near]
    ranked = np.argsort(pair_owner * max(m, 1) + earlier, kind="stable")  # lexsort's order, one key: 2.5x sooner
    start = np.searchsorted(pair_owner[ranked], np.arange(len(queries) + 1), side="left")
    return NearPairs(start, earlier[ranked], distance[ranked])
