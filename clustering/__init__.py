"""Hotspot statistics on H3 cells: pure functions over pandas frames / numpy arrays.

Modules (one per method):

- :mod:`clustering.binning` - study area (every H3 cell of the boundary, empty
  ones included) and counts per cell; outside / too-vague reports counted.
- :mod:`clustering.gistar` - local Getis-Ord Gi* (binary k-ring, self
  included), two-sided p, FDR bins -3..3; "insufficient data" guard.
- :mod:`clustering.fdr` - Benjamini-Hochberg as ArcGIS applies it to bins.
- :mod:`clustering.neighbourhood` - Moran's I scan that chooses k, explained.
- :mod:`clustering.kde` - quartic / Gaussian kernel density, reports per km².
- :mod:`clustering.density_clusters` - DBSCAN / HDBSCAN with outlines.
- :mod:`clustering.mann_kendall` - Mann-Kendall trend on many series at once.
- :mod:`clustering.emerging` - space-time cube and ArcGIS's 17 emerging
  hot spot categories.
- :mod:`clustering.evaluation` - hit rate, PAI, PEI rolled over periods; the
  forecasts' rolling-origin back-test (PEI*, RRI, Brier skill, likelihood).
- :mod:`clustering.forecast` - forecast methods, one a module (naive, long-run,
  KDE, Gi*, prospective hotspotting, grid SEPP, blend; aoristic weights).
- :mod:`clustering.profiles` - hour x weekday, month and district profiles.
- :mod:`clustering.hotspots` - ``run(reports, method, res, boundary, **params)``
  for the CLI and the app.

Cell tables are DataFrames with a ``cell`` column (H3 id, str) and per-method
columns:

- Gi*: ``cell, n, z, p, bin`` (+ ``p_sim`` with permutations); every area cell.
- KDE: ``cell, n, density, rank``.
- emerging: ``cell, category, label, n, n_hot, n_cold, trend_z, trend_p, tau``.
- DBSCAN / HDBSCAN: one row per cluster ``cluster, n, lat, lon, area_m2,
  geometry`` (shapely polygon in lon/lat).

``table.attrs`` holds ``ok``/``reason`` and the binning summary. Import the
submodules directly; :func:`run` is also available here (imported lazily so
that ``import clustering`` does not load scikit-learn).
"""

from __future__ import annotations

from typing import Any

__all__ = ["run"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from .hotspots import run

        return run
    raise AttributeError(name)
