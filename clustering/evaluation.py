"""Prediction accuracy of hotspot maps: hit rate, PAI and PEI, rolled over time.

A hotspot map is only useful for patrol planning if the cells it flags this
period still hold the reports next period. So each method ranks the cells on
one period and is scored on the next, for every consecutive pair of periods:

- ``gistar``: cells ranked by Gi* z;
- ``kde``: by kernel density at the cell centre;
- ``naive``: by last period's counts (the baseline every method must beat).

Ties are broken by cell id so the ranking is reproducible. For the top
``a`` of ``A`` equal-area cells (``a = ceil(share * A)``, at least one):

- hit rate ``n / N`` (share of next period's reports caught);
- PAI ``(n / N) / (a / A)`` (Chainey et al. 2008);
- PEI ``n / n*`` with ``n*`` the reports in the best possible ``a`` cells in
  hindsight (Hunt 2016; equal cells reduce PAI/PAI* to this).

Examples
--------
>>> import pandas as pd
>>> scores = pd.Series([3.0, 2.0, 1.0, 0.0], index=["a", "b", "c", "d"])
>>> test = pd.Series([1, 0, 3, 0], index=["a", "b", "c", "d"])
>>> r = score_ranking(scores, test, 0.25)
>>> r["hit_rate"], r["pai"], r["pei"]
(0.25, 1.0, 0.3333333333333333)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .binning import cell_positions
from .gistar import MIN_REPORTS, local_gistar
from .kde import density_per_cell

__all__ = ["METHODS", "rank_cells", "rolling_evaluation", "score_ranking"]

METHODS = ("gistar", "kde", "naive")
_SCORES = ("flagged", "n", "N", "hit_rate", "pai", "pei")


def rank_cells(scores: pd.Series) -> pd.Index:
    """Cells ordered by descending score, ties by ascending cell id, NaN last.

    Examples
    --------
    >>> list(rank_cells(pd.Series([1.0, 2.0, 2.0], index=["c", "b", "a"])))
    ['a', 'b', 'c']
    """
    s = scores.to_numpy(dtype=float)
    s = np.where(np.isnan(s), -np.inf, s)
    ids = scores.index.astype(str).to_numpy()
    return scores.index[np.lexsort((ids, -s))]


def score_ranking(scores: pd.Series, test_counts: pd.Series, area_share: float) -> dict[str, float]:
    """Hit rate, PAI and PEI of flagging the top ``area_share`` of cells.

    Parameters
    ----------
    scores : Series
        Ranking score per cell (higher = hotter), over the study area.
    test_counts : Series
        Reports per cell in the test period, same cells.
    area_share : float
        Share of the area flagged, e.g. 0.01 or 0.05.

    Returns
    -------
    dict
        ``flagged`` (cells), ``n``, ``N``, ``hit_rate``, ``pai``, ``pei``
        (NaN when the test period has no reports).
    """
    total_cells = len(scores)
    a = max(1, math.ceil(area_share * total_cells - 1e-9))
    flagged = rank_cells(scores)[:a]
    test = test_counts.reindex(scores.index, fill_value=0)
    n = float(test.loc[flagged].sum())
    big_n = float(test.sum())
    best = float(np.sort(test.to_numpy(dtype=float))[::-1][:a].sum())
    hit = n / big_n if big_n > 0 else math.nan
    return {
        "flagged": a,
        "n": n,
        "N": big_n,
        "hit_rate": hit,
        "pai": hit / (a / total_cells) if big_n > 0 else math.nan,
        "pei": n / best if best > 0 else math.nan,
    }


def rolling_evaluation(
    reports: pd.DataFrame,
    area_cells: Sequence[str],
    res: int,
    *,
    freq: Literal["M", "W"] = "M",
    methods: Sequence[str] = METHODS,
    area_shares: Sequence[float] = (0.01, 0.05),
    k: int = 1,
    bandwidth: float | None = None,
    min_reports: int = MIN_REPORTS,
    tz: str = "Europe/Kyiv",
) -> pd.DataFrame:
    """Score each method on every (train period, next period) pair.

    Parameters
    ----------
    reports : DataFrame
        ``lat``, ``lon``, ``occurred_at`` (tz-aware UTC), precise reports only.
    area_cells : sequence of str
        Study area at ``res``.
    res : int
    freq : {"M", "W"}
        Period length (local calendar in ``tz``).
    methods : sequence of {"gistar", "kde", "naive"}
    area_shares : sequence of float
    k : int
        Gi* ring order.
    bandwidth : float, optional
        KDE bandwidth in metres (default: spatial Silverman per train period).
    min_reports : int
        Train periods with fewer reports are not scored for Gi* (its guard)
        and KDE (too few points for a surface); naive is always scored.
    tz : str

    Returns
    -------
    DataFrame
        ``train``, ``test`` (periods), ``method``, ``area_share``, ``flagged``,
        ``n``, ``N``, ``hit_rate``, ``pai``, ``pei``; NaN where not scored.
    """
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown methods {sorted(unknown)}")
    cells = pd.Index(list(area_cells), name="cell")
    d = reports.dropna(subset=["lat", "lon", "occurred_at"])
    local = pd.to_datetime(d["occurred_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    period = local.dt.to_period(freq).to_numpy()
    pos = cell_positions(d["lat"].to_numpy(float), d["lon"].to_numpy(float), res, cells)
    inside = pos >= 0
    d, period, pos = d.loc[inside], period[inside], pos[inside]
    if len(d) == 0:
        return pd.DataFrame(columns=["train", "test", "method", "area_share", *_SCORES])
    periods = pd.period_range(min(period), max(period), freq=freq)
    rows = []
    for train, test in zip(periods[:-1], periods[1:]):
        in_train = period == train
        train_counts = pd.Series(np.bincount(pos[in_train], minlength=len(cells)), index=cells)
        test_counts = pd.Series(np.bincount(pos[period == test], minlength=len(cells)), index=cells)
        enough = int(in_train.sum()) >= min_reports
        for method in methods:
            scores: pd.Series | None
            if method == "naive":
                scores = train_counts.astype(float)
            elif method == "gistar":
                g = local_gistar(train_counts, k, min_reports=min_reports)
                scores = g.table.set_index("cell")["z"] if g.ok else None
            else:
                scores = density_per_cell(d.loc[in_train], cells, bandwidth=bandwidth) if enough else None
            for share in area_shares:
                base = {"train": train, "test": test, "method": method, "area_share": share}
                if scores is None:
                    rows.append(base | dict.fromkeys(_SCORES, math.nan))
                else:
                    rows.append(base | score_ranking(scores, test_counts, share))
    return pd.DataFrame(rows)
