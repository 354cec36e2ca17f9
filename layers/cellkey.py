"""The Cell Key Method (ABS 2006 census; Eurostat, ONS): bounded, consistent noise on counts.

Why: suppressing counts below k leaked (a quarter minus its shown months pinned hidden
months at k-1) and hid half of the reports. Here every count is published, with noise
that an outsider cannot remove:

* each report carries a random, secret *record key*, an integer in [0, 2**32) drawn
  once and never changed (:func:`new_record_key`);
* a base cell (unit x month x category group) has the *cell key* = (sum of its records'
  keys) mod 2**32, read as a fraction in [0, 1); the same records give the same key, so
  the same cell gets the same noise in every table and revision;
* a published *perturbation table* (:class:`PTable`) says, for each true count n, which
  deviations d may be added and with what probability; the cell key picks one (the row's
  cumulative probabilities cut [0, 1) into intervals). Zero stays zero; counts 1..D may
  be released as 0 (so a 0 does not prove that nobody reported); nothing goes below 0;
  no deviation exceeds the maximum D.

Rows are built, not typed in: for n > D the row is a floor ``p_min`` on every deviation
of -D..D plus the maximum-entropy distribution (a discrete Gaussian exp(-l d^2),
symmetric, mean 0) scaled so that the whole row has the stated variance;
for 1 <= n <= D the outcome 0 gets ``p_zero``, every other outcome a floor ``p_min``, and
the rest follows the same weights exponentially tilted so that the row's mean is still 0
(the KL-closest unbiased row), so every released total is an unbiased estimate of its
true total.

>>> t = PTable.build(PTableSpec("demo", max_deviation=2, variance=1.0, p_zero=0.08))
>>> sorted(t.released_values(1)), t.possible_counts(1)
([0, 1, 2, 3], [1, 2, 3])
>>> t.perturb(0, 0.99), t.possible_counts(0)
(0, [0, 1, 2])
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

KEY_SPACE = 1 << 32


def new_record_key() -> int:
    """A fresh secret record key (uniform on [0, 2**32), from the OS's CSPRNG)."""
    return secrets.randbits(32)


def cell_key(record_keys: Iterable[int]) -> float:
    """(sum of the record keys) mod 2**32 as a fraction in [0, 1): exact integer arithmetic."""
    return (sum(int(k) for k in record_keys) % KEY_SPACE) / KEY_SPACE


@dataclass(frozen=True)
class PTableSpec:
    """The published parameters of one perturbation table."""

    name: str
    max_deviation: int  # D: no released count differs from the truth by more
    variance: float  # variance of the deviation for counts above D
    p_zero: float  # probability that a count 1..D is released as 0
    p_min: float = 0.005  # every allowed deviation has at least this probability


@dataclass(frozen=True)
class PTable:
    """Rows n = 0..D+1 of (deviation, probability); the last row serves every larger count."""

    spec: PTableSpec
    rows: tuple[tuple[tuple[int, float], ...], ...]

    @classmethod
    def build(cls, spec: PTableSpec) -> PTable:
        big = spec.max_deviation
        if big < 2 or not 0 < spec.p_zero < 0.5 or spec.variance <= 0 or spec.p_min * (2 * big + 1) >= 0.5:
            raise ValueError(f"unusable perturbation parameters: {spec}")
        d = np.arange(-big, big + 1)
        free = 1 - spec.p_min * d.size  # every deviation first gets the floor p_min
        lam = _lambda_for_variance(big, (spec.variance - spec.p_min * float((d * d).sum())) / free)
        rows: list[tuple[tuple[int, float], ...]] = [((0, 1.0),)]
        for n in range(1, big + 2):
            rows.append(_row(n, big, lam, spec.p_zero, spec.p_min))
        rows[-1] = tuple((dev, spec.p_min + free * p) for dev, p in rows[-1])
        table = cls(spec, tuple(rows))
        low = min(p for row in table.rows for _, p in row)
        if low < spec.p_min:
            raise ValueError(f"{spec.name}: a deviation has probability {low:.4f} < p_min {spec.p_min}")
        return table

    def row(self, n: int) -> tuple[tuple[int, float], ...]:
        if n < 0:
            raise ValueError("counts are never negative")
        return self.rows[min(n, len(self.rows) - 1)]

    def perturb(self, n: int, key: float) -> int:
        """The released value of a true count n whose cell key is ``key`` in [0, 1)."""
        acc = 0.0
        row = self.row(n)
        for d, p in row:
            acc += p
            if key < acc:
                return n + d
        return n + row[-1][0]  # key within rounding of 1.0

    def released_values(self, n: int) -> set[int]:
        """Every value a true count n can be released as."""
        return {n + d for d, _ in self.row(n)}

    def possible_counts(self, released: int) -> list[int]:
        """Every true count that can be released as ``released`` (what an outsider who knows
        this table, but no key, can tell from one released number)."""
        top = released + self.spec.max_deviation
        return [
            n for n in range(max(0, released - self.spec.max_deviation), top + 1) if released in self.released_values(n)
        ]

    def variance(self, n: int) -> float:
        return float(sum(p * d * d for d, p in self.row(n)))

    def mean(self, n: int) -> float:
        return float(sum(p * d for d, p in self.row(n)))

    def frame(self) -> pd.DataFrame:
        """The published table: count (the last row means "this or more"), deviation, probability."""
        rows = [
            {"count": n, "deviation": d, "released": n + d, "probability": round(p, 6)}
            for n, row in enumerate(self.rows)
            for d, p in row
        ]
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, Any]:
        return {"spec": asdict(self.spec), "rows": [[[d, p] for d, p in row] for row in self.rows]}


def _lambda_for_variance(big: int, variance: float) -> float:
    """l with Var = variance for p(d) ~ exp(-l d^2) on -D..D (variance falls as l grows)."""
    d = np.arange(-big, big + 1)

    def var(lam: float) -> float:
        w = np.exp(-lam * d * d)
        return float((w * d * d).sum() / w.sum())

    uniform = var(0.0)
    if not 0 < variance < uniform:
        raise ValueError(f"variance {variance} needs a maximum deviation above {big} (at most {uniform:.2f})")
    return float(brentq(lambda lam: var(lam) - variance, 0.0, 50.0))


def _row(n: int, big: int, lam: float, p_zero: float, floor: float) -> tuple[tuple[int, float], ...]:
    """Row of count n: for n > D the symmetric weights (the caller adds the floor); for n <= D,
    0 gets p_zero, every other outcome the floor, and the rest is tilted to mean 0."""
    if n > big:
        d = np.arange(-big, big + 1)
        w = np.exp(-lam * d * d)
        return tuple(zip(d.tolist(), (w / w.sum()).tolist(), strict=True))
    d = np.arange(-n + 1, big + 1)  # outcomes 1 .. n + D
    base = np.exp(-lam * d * d)
    free = 1 - p_zero - floor * len(d)  # each outcome first gets the floor, the rest is tilted
    target = (n * p_zero - floor * d.sum()) / free  # mean of the tilted part that makes the row's mean 0

    def tilted_mean(theta: float) -> float:
        w = base * np.exp(theta * d)
        return float((w * d).sum() / w.sum()) - target

    theta = brentq(tilted_mean, -20.0, 20.0)
    w = base * np.exp(theta * d)
    probs = floor + free * w / w.sum()
    return ((-n, p_zero), *zip(d.tolist(), probs.tolist(), strict=True))
