"""Prediction accuracy of hotspot maps: hit rate, PAI and PEI, rolled over time.

A hotspot map is only useful for patrol planning if the cells it flags this
period still hold the reports next period. So each method ranks the cells on
one period and is scored on the next, for every consecutive pair of periods:

- ``gistar``: cells ranked by Gi* z;
- ``kde``: by kernel density at the cell centre;
- ``naive``: by last period's counts (the baseline every method must beat).

The forecast methods of :mod:`clustering.forecast` are back-tested further down
(:func:`backtest`): rolling origins with a horizon in days, PEI*, RRI, Brier
skill and Poisson likelihood, bootstrap intervals against naive
(:func:`summarise`) and the default's rule (:func:`choose_winner`).

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
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import gammaln

from ._project import city_tz
from .binning import cell_positions
from .gistar import MIN_REPORTS, local_gistar
from .kde import density_per_cell

__all__ = [
    "FORECAST_SHARES",
    "METHODS",
    "backtest",
    "brier_skill",
    "choose_winner",
    "fold_scores",
    "pei_star",
    "poisson_loglik",
    "rank_cells",
    "rolling_evaluation",
    "rolling_origins",
    "score_ranking",
    "summarise",
]

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
    tz: str | None = None,
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
    tz : str, optional
        Time zone of the period calendar (default: the city profile's).

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
    local = pd.to_datetime(d["occurred_at"], utc=True).dt.tz_convert(city_tz(tz)).dt.tz_localize(None)
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


# --- Forecast back-test (rolling origin), as open_cp evaluates predictions --------------------------------------
#
# open_cp (``open_cp.evaluation``: ``top_slice``, ``hit_rates``, ``brier_score``,
# ``likelihood``) scores a prediction by flagging the top share of cells and
# counting what the next period brings. Here every method forecasts from the same
# rolling origins (the horizon in days: a police week or four weeks, never a
# calendar month), and is scored on the horizon that follows each origin:
#
# - hit rate ``n / N`` and PAI ``(n / N) / (a / A)`` (Chainey et al. 2008);
# - PEI ``n / n_a`` with ``n_a`` the most any ``a`` cells held (Hunt 2016);
# - PEI* (White, Hunt & Green 2023): PAI over the best PAI that could have
#   caught the same ``n`` reports, i.e. the oracle takes the *smallest* set of
#   cells holding at least ``n`` (:func:`pei_star`);
# - RRI as in Wheeler's ``ptools::pai``: forecast reports over observed ones in
#   the flagged cells (1 = calibrated, > 1 = the forecast promised too much);
# - Brier skill, open_cp's ``brier_score`` skill ``2 sum(p u) / (sum u^2 + sum p^2)``
#   with ``p`` the forecast's and ``u`` the observed shares per cell (1 = perfect);
# - Poisson log-likelihood of the observed counts per reported event, the
#   forecast floored at 1e-9 as open_cp's ``likelihood`` does.

FORECAST_SHARES = (0.01, 0.05, 0.10)
_FOLD_METRICS = ("flagged", "n", "N", "hit_rate", "pai", "pei", "pei_star", "rri")


def flagged_count(n_cells: int, share: float) -> int:
    """Cells flagged for an area share: ``ceil(share * A)``, at least one."""
    return max(1, math.ceil(share * n_cells - 1e-9))


def top_cells(expected: np.ndarray, ids: np.ndarray, a: int) -> np.ndarray:
    """Positions of the ``a`` highest forecasts, ties by cell id (as :func:`rank_cells`)."""
    s = np.where(np.isnan(expected), -np.inf, expected)
    return np.lexsort((ids, -s))[:a]


def pei_star(n: float, test: np.ndarray, a: int) -> float:
    """PEI*: the forecast's PAI over the best PAI of any cell set catching ``n`` reports.

    The best such set is the top ``a*`` cells by observed count, with ``a*`` the
    fewest whose counts reach ``n`` (a prefix of the sorted counts has the
    highest mean of any set its size). So PEI* ``= (n / a) / (n* / a*)`` with
    ``n*`` what those ``a*`` cells hold. 0 when nothing was caught; NaN when
    nothing happened.

    Examples
    --------
    >>> round(pei_star(3.0, np.array([3.0, 1.0, 1.0, 1.0, 0.0]), 3), 4)  # 3 reports in 3 cells; the oracle: 3 in 1
    0.3333
    """
    test = np.asarray(test, dtype=float)
    if test.sum() <= 0:
        return math.nan
    if n <= 0:
        return 0.0
    best = np.cumsum(np.sort(test)[::-1])
    a_star = int(np.searchsorted(best, n - 1e-9)) + 1
    return float((n / a) / (best[a_star - 1] / a_star))


def fold_scores(expected: np.ndarray, test: np.ndarray, ids: np.ndarray, share: float) -> dict[str, float]:
    """Hit rate, PAI, PEI, PEI* and RRI of one forecast at one area share."""
    a = flagged_count(len(test), share)
    top = top_cells(expected, ids, a)
    n = float(test[top].sum())
    big_n = float(test.sum())
    best = float(np.sort(test)[::-1][:a].sum())
    hit = n / big_n if big_n > 0 else math.nan
    promised = float(np.nan_to_num(expected[top]).sum())
    return {
        "flagged": a,
        "n": n,
        "N": big_n,
        "hit_rate": hit,
        "pai": hit / (a / len(test)) if big_n > 0 else math.nan,
        "pei": n / best if best > 0 else math.nan,
        "pei_star": pei_star(n, test, a),
        "rri": promised / n if n > 0 else math.nan,
    }


def brier_skill(expected: np.ndarray, test: np.ndarray) -> float:
    """open_cp's Brier skill of the forecast's shares against the observed shares (1 = perfect)."""
    e, t = np.nan_to_num(np.asarray(expected, float)), np.asarray(test, float)
    if t.sum() <= 0 or e.sum() <= 0:
        return math.nan
    p, u = e / e.sum(), t / t.sum()
    return float(2 * (p * u).sum() / ((u * u).sum() + (p * p).sum()))


def poisson_loglik(expected: np.ndarray, test: np.ndarray, floor: float = 1e-9) -> float:
    """Poisson log-likelihood of the observed counts per observed report (higher is better)."""
    lam = np.maximum(np.nan_to_num(np.asarray(expected, float)), floor)
    y = np.asarray(test, float)
    if y.sum() <= 0:
        return math.nan
    return float((y * np.log(lam) - lam - gammaln(y + 1)).sum() / y.sum())


def rolling_origins(end: float, horizon_days: float, folds: int) -> list[float]:
    """Forecast origins (epoch days), oldest first: the last ``folds`` horizons before ``end``."""
    return [end - horizon_days * k for k in range(folds, 0, -1)]


def backtest(
    events: Any,
    grid: Any,
    *,
    horizon_days: float,
    folds: int,
    end: float | None = None,
    methods: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    shares: Sequence[float] = FORECAST_SHARES,
) -> pd.DataFrame:
    """Score each forecast method on rolling origins.

    Parameters
    ----------
    events : clustering.forecast.Events
    grid : clustering.forecast.Grid
    horizon_days : float
        Days forecast from each origin (7 = a police week, 28 = four weeks).
    folds : int
        Number of origins; the test windows tile the last ``folds`` horizons.
    end : float, optional
        Epoch day where the last test window ends (default: the day after the
        latest report, UTC; pass a local midnight from
        :func:`clustering.forecast.day_start`).
    methods : sequence of str, optional
        Default: every method of :data:`clustering.forecast.METHODS`.
    params : {method: {param: value}}, optional
    shares : sequence of float
        Area shares flagged.

    Returns
    -------
    DataFrame
        One row per fold x method x share: ``fold``, ``origin`` (UTC
        timestamp), ``method``, ``area_share``, ``flagged``, ``n``, ``N``,
        ``hit_rate``, ``pai``, ``pei``, ``pei_star``, ``rri``, ``brier_skill``,
        ``loglik``.
    """
    from .forecast import METHODS as FORECASTS
    from .forecast import forecast
    from .forecast._common import window_counts

    methods = list(methods or FORECASTS)
    params = params or {}
    if end is None:
        end = float(np.floor(events.end.max())) + 1.0 if len(events) else 0.0
    ids = grid.cells.astype(str).to_numpy()
    rows = []
    for fold, origin in enumerate(rolling_origins(end, horizon_days, folds)):
        test = window_counts(events, grid, origin, origin + horizon_days)
        when = pd.Timestamp(origin * 86_400, unit="s", tz="UTC")
        for method in methods:
            expected = forecast(method, events, grid, origin, horizon_days, **params.get(method, {})).to_numpy()
            whole = {"brier_skill": brier_skill(expected, test), "loglik": poisson_loglik(expected, test)}
            for share in shares:
                rows.append(
                    {"fold": fold, "origin": when, "method": method, "area_share": share}
                    | fold_scores(expected, test, ids, share)
                    | whole
                )
    return pd.DataFrame(rows)


def _boot_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    return np.nanmean(values[idx], axis=1)


def summarise(
    scores: pd.DataFrame, *, baseline: str = "naive", n_boot: int = 2000, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """Mean over folds per method and share, with bootstrap intervals against the baseline.

    The folds are resampled with replacement (percentile interval at ``level``);
    the difference in PEI* to the baseline is paired by fold, so a shared hard
    fold does not widen it. ``worst_d_pei_star`` is the worst single fold.

    Returns
    -------
    DataFrame
        ``method``, ``area_share``, ``folds``, the mean of each metric,
        ``pei_star_lo``/``_hi``, ``d_pei_star`` (minus the baseline) with
        ``d_lo``/``d_hi``, and ``worst_d_pei_star``.
    """
    rng = np.random.default_rng(seed)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    metrics = ["hit_rate", "pai", "pei", "pei_star", "rri", "brier_skill", "loglik"]
    base = scores[scores["method"] == baseline].set_index(["area_share", "fold"])["pei_star"]
    rows = []
    for (method, share), g in scores.groupby(["method", "area_share"], sort=False):
        g = g.sort_values("fold")
        row: dict[str, Any] = {"method": method, "area_share": share, "folds": int(g["pei_star"].notna().sum())}
        row |= {m: float(g[m].mean()) for m in metrics}
        pei = g["pei_star"].to_numpy(float)
        lo, hi = np.nanpercentile(_boot_means(pei, n_boot, rng), q) if len(pei) else (math.nan, math.nan)
        row |= {"pei_star_lo": float(lo), "pei_star_hi": float(hi)}
        ref = base.reindex([(share, f) for f in g["fold"]]).to_numpy(float) if len(base) else np.full(len(g), np.nan)
        diff = pei - ref
        if np.isfinite(diff).any():
            d_lo, d_hi = np.nanpercentile(_boot_means(diff, n_boot, rng), q)
            row |= {
                "d_pei_star": float(np.nanmean(diff)),
                "d_lo": float(d_lo),
                "d_hi": float(d_hi),
                "worst_d_pei_star": float(np.nanmin(diff)),
            }
        else:
            row |= dict.fromkeys(("d_pei_star", "d_lo", "d_hi", "worst_d_pei_star"), math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def choose_winner(
    summary: pd.DataFrame, *, shares: Sequence[float] = (0.01, 0.05), baseline: str = "naive", tolerance: float = 0.05
) -> str:
    """The back-test's winner: the highest mean PEI* over ``shares`` among the safe methods.

    A method may replace the baseline only if, at every share, its mean PEI*
    is not below the baseline's and either (1) no fold is worse than the
    baseline's by more than ``tolerance``, or, when no method manages that,
    (2) the bootstrap interval of the difference lies above 0 (sparse data: a
    single report moves one fold's PEI* by more than the tolerance, yet the
    method is reliably better). With no safe method the baseline stays.

    Examples
    --------
    >>> s = pd.DataFrame({"method": ["naive", "naive", "a", "a", "b", "b"], "area_share": [0.01, 0.05] * 3,
    ...                   "pei_star": [0.5, 0.3, 0.9, 0.6, 0.7, 0.4], "d_pei_star": [0, 0, 0.4, 0.3, 0.2, 0.1],
    ...                   "d_lo": [0, 0, 0.1, 0.1, 0.05, 0.05], "worst_d_pei_star": [0, 0, -0.2, 0.0, 0.0, -0.01]})
    >>> choose_winner(s)  # a is better on average but lost a fold by 0.2; b never lost much
    'b'
    >>> choose_winner(s[s["method"] != "b"])  # no method is safe fold by fold: a is reliably better
    'a'
    """
    s = summary[summary["area_share"].isin(list(shares))]
    tiers: list[dict[str, float]] = [{}, {}]
    for method, g in s.groupby("method", sort=True):
        if method == baseline or len(g) < len(shares) or g["pei_star"].isna().any():
            continue
        if not bool((g["d_pei_star"] >= 0).all()):
            continue
        score = float(g["pei_star"].mean())
        if bool((g["worst_d_pei_star"] >= -tolerance).all()):
            tiers[0][method] = score
        elif bool((g["d_lo"] > 0).all()):
            tiers[1][method] = score
    for tier in tiers:
        if tier:
            return max(sorted(tier), key=lambda m: tier[m])
    return baseline
