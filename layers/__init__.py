"""Analysis results turned into folium layers, tables and downloads, per audience.

Every public privacy rule lives in :mod:`layers.privacy`; the public map and every public
download are drawn from its :class:`~layers.privacy.PublicTable` only. Restricted maps
and exports check the caller's role themselves (:mod:`layers.access`).

- :mod:`layers.privacy` - ``base_cells`` / ``perturbed`` (the released base table),
  ``public_table`` (sums of released cells), ``Month`` / ``Quarter`` / ``parse_period`` /
  ``latest_publishable_month``, ``address_counts_by_cell``, ``survey_by_district`` / ``survey_change``.
- :mod:`layers.cellkey` - the Cell Key Method: record keys, cell keys, perturbation tables.
- :mod:`layers.public` - ``public_map``, ``method_markdown`` ("How this map is made").
- :mod:`layers.police` - ``police_map`` and its layers (police, admin).
- :mod:`layers.council` - ``council_map``, ``district_stats`` and its layers (council, partner, admin).
- :mod:`layers.exports` - ``public_csv``, ``public_geojson``, ``requests_json`` (Open311), ``police_csv``,
  ``council_csv``, ``xlsx_bytes`` (every CSV/XLSX cell through ``encoders.spreadsheet_cell``).
- :mod:`layers.basemap` - the offline basemap from the gazetteer (OSM tiles optional).
- :mod:`layers.style` - colour-blind-safe palettes, legends; :mod:`layers.text` - uk/en strings.
- :mod:`layers.popups` - popups and tooltips that show untrusted text as text (textContent).
"""

from layers.assets import use_local_assets

use_local_assets()
