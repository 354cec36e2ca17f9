"""Weighted displacement difference (WDD): did an action lower the counts where it acted?

Wheeler & Ratcliffe (2018), "A simple weighted displacement difference test to evaluate
place based crime interventions", Crime Science 7:11. The change in the treated cells is
compared with the change in control cells (local effect), and the change in a buffer ring
around them with its own control (displacement); counts are taken as Poisson, so each
count's variance is the count itself, divided by the square of its weight. Same formulas
as ``wdd`` in A. Wheeler's crimepy (github.com/apwheele/crimepy, ``crimepy/wdd.py``),
written here so the product needs no extra package. Negative = fewer reports than the
controls predict (the action helped); the buffer's term shows displacement (positive) or
a diffusion of benefits (negative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

__all__ = ["WDD", "wdd"]

Pair = tuple[float, float]  # (before, after) counts


@dataclass(frozen=True)
class WDD:
    local: float
    se_local: float
    displacement: float
    se_displacement: float
    total: float
    se_total: float
    z: float
    low: float  # confidence interval of the total at 1 - alpha
    high: float


def _change(counts: Pair, weights: Pair) -> tuple[float, float]:
    """Weighted after-minus-before change and its Poisson variance."""
    (before, after), (w_before, w_after) = counts, weights
    return after / w_after - before / w_before, after / w_after**2 + before / w_before**2


def wdd(
    treated: Pair,
    control: Pair,
    buffer: Pair = (0, 0),
    buffer_control: Pair = (0, 0),
    *,
    time_weights: Pair = (1, 1),
    area_weights: tuple[float, float, float, float] = (1, 1, 1, 1),
    alpha: float = 0.1,
) -> WDD:
    """The WDD of (before, after) counts. `area_weights` = (control, treated, buffer control,
    buffer), e.g. their numbers of cells, so areas of different size compare per cell;
    `time_weights` = (before, after) lengths, e.g. months."""
    if any(c < 0 for pair in (treated, control, buffer, buffer_control) for c in pair):
        raise ValueError("counts cannot be negative")
    a_control, a_treated, a_buffer_control, a_buffer = area_weights

    def weights(area: float) -> Pair:
        return time_weights[0] * area, time_weights[1] * area

    d_treated, v_treated = _change(treated, weights(a_treated))
    d_control, v_control = _change(control, weights(a_control))
    d_buffer, v_buffer = _change(buffer, weights(a_buffer))
    d_buffer_control, v_buffer_control = _change(buffer_control, weights(a_buffer_control))
    local, var_local = d_treated - d_control, v_treated + v_control
    displacement, var_displacement = d_buffer - d_buffer_control, v_buffer + v_buffer_control
    total, var_total = local + displacement, var_local + var_displacement
    se = math.sqrt(var_total)
    level = float(norm.ppf(1 - alpha / 2))
    return WDD(
        local,
        math.sqrt(var_local),
        displacement,
        math.sqrt(var_displacement),
        total,
        se,
        total / se if se > 0 else float("nan"),
        total - level * se,
        total + level * se,
    )
