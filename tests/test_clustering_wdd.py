"""WDD against hand-computed cases and a Poisson simulation of its standard error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clustering.wdd import wdd


def test_unweighted_case_by_hand() -> None:
    # local = (10-30) - (90-100) = -10, var 10+30+90+100 = 230; buffer = 25-20 = 5, var 45
    result = wdd(treated=(30, 10), control=(100, 90), buffer=(20, 25))
    assert (result.local, result.displacement, result.total) == (-10, 5, -5)
    assert result.se_local == pytest.approx(math.sqrt(230))
    assert result.se_total == pytest.approx(math.sqrt(275))
    assert result.z == pytest.approx(-5 / math.sqrt(275))
    assert result.high - result.total == pytest.approx(1.6448536 * math.sqrt(275), rel=1e-6)


def test_area_weighted_case_by_hand() -> None:
    # control 4 cells, treated 1, buffer control 4, buffer 2:
    # local = (10-30) - (80/4 - 100/4) = -15, var 10+30 + 80/16+100/16 = 51.25
    # buffer = (12/2 - 20/2) - (80/4 - 100/4) = 1, var 12/4+20/4 + 80/16+100/16 = 19.25
    result = wdd(
        treated=(30, 10), control=(100, 80), buffer=(20, 12), buffer_control=(100, 80), area_weights=(4, 1, 4, 2)
    )
    assert (result.local, result.displacement, result.total) == pytest.approx((-15, 1, -14))
    assert (result.se_local**2, result.se_displacement**2, result.se_total**2) == pytest.approx((51.25, 19.25, 70.5))


def test_the_standard_error_matches_poisson_draws() -> None:
    rng = np.random.default_rng(22)
    means = {"treated": (30, 10), "control": (100, 90), "buffer": (20, 25)}
    draws = {k: rng.poisson(v, size=(20_000, 2)) for k, v in means.items()}
    totals = (np.diff(draws["treated"]) - np.diff(draws["control"]) + np.diff(draws["buffer"])).ravel()
    assert totals.std() == pytest.approx(wdd(**means).se_total, rel=0.03)
    with pytest.raises(ValueError):
        wdd(treated=(-1, 0), control=(1, 1))
