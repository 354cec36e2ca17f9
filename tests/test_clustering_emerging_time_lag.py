"""ArcGIS's "Neighborhood Time Step" in the emerging hot spot analysis (``time_lag``).

ArcGIS computes each bin's Gi* over space-time neighbours: the bins within the
neighbourhood distance in the current step *and* the same locations in the N
previous steps (N = 1 by default; sfdep's ``k = 1`` builds the same neighbourhood
but is only comparable: other weights, a permutation p-value, no FDR). Without it, a spot with a few
reports a month flickers in and out of significance and comes out sporadic / no
pattern instead of persistent (tests/test_demo_analysis.py shows it on the demo).
"""

import h3
import numpy as np
import pandas as pd
import pytest

from clustering.emerging import emerging_hotspots
from clustering.gistar import gistar_z, neighbour_matrix

CELLS = sorted(h3.grid_disk(h3.latlng_to_cell(47.566, 31.33, 9), 6))


def _cube(rng: np.random.Generator, steps: int = 12) -> pd.DataFrame:
    return pd.DataFrame(rng.poisson(0.3, (len(CELLS), steps)), index=CELLS, columns=range(steps))


def test_time_lag_zero_is_the_spatial_analysis() -> None:
    cube = _cube(np.random.default_rng(1))
    a, b = emerging_hotspots(cube), emerging_hotspots(cube, time_lag=0)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.z, b.z)


@pytest.mark.parametrize("lag", [1, 2, 5])
def test_step_z_is_gistar_of_the_trailing_window(lag: int) -> None:
    cube = _cube(np.random.default_rng(lag))
    y = cube.to_numpy(float)
    w = neighbour_matrix(CELLS, 1, include_self=True)
    r = emerging_hotspots(cube, time_lag=lag)
    for t in range(y.shape[1]):
        window = y[:, max(0, t - lag) : t + 1].sum(axis=1, keepdims=True)
        np.testing.assert_allclose(r.z.to_numpy()[:, t], np.nan_to_num(gistar_z(w, window)[:, 0]), atol=1e-12)
    # n still counts every report once
    assert r.table["n"].tolist() == y.sum(axis=1).astype(int).tolist()


def test_a_spot_active_every_other_step_is_persistent_with_a_time_step() -> None:
    """Reports at the spot in alternate months: each month alone is hot only half of the
    time (no pattern / sporadic); with the previous month in the neighbourhood, as
    ArcGIS does by default, it is hot in every step after the first: persistent."""
    rng = np.random.default_rng(0)
    cube = _cube(rng, steps=20)
    spot = CELLS[60]
    cube.loc[list(h3.grid_disk(spot, 1)), [t for t in range(20) if t % 2 == 0]] += 4
    spatial = emerging_hotspots(cube).table.set_index("cell").loc[spot]
    lagged = emerging_hotspots(cube, time_lag=1).table.set_index("cell").loc[spot]
    assert spatial["category"] in ("sporadic_hot", "no_pattern")
    assert spatial["n_hot"] <= 12
    assert lagged["n_hot"] >= 18
    assert lagged["category"] == "persistent_hot"


def test_negative_time_lag_is_refused() -> None:
    with pytest.raises(ValueError):
        emerging_hotspots(_cube(np.random.default_rng(0)), time_lag=-1)
