"""The residents' map: released counts per res-8 cell and per microdistrict, and what was done.

It draws only a :class:`layers.privacy.PublicTable` (sums of released, perturbed base
cells: no point, text or time finer than a month) and the public part of the action plan
(status and public note), so no privacy decision is taken here. Every count carries
noise and is shown as approximate ("≈ 12").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium
import h3
import pandas as pd
from shapely.geometry import Polygon

from data.categories import GROUPS
from layers import privacy
from layers.basemap import basemap, cell_geometry, polygon_geometry
from layers.popups import TextPopupPoints
from layers.privacy import PublicTable
from layers.style import (
    GISTAR_COLORS,
    STATUS_COLORS,
    add_geojson,
    break_labels,
    class_breaks,
    color_for,
    legend,
    polygon_style,
)
from layers.text import code_label, district_names_of, plain, tr

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer


def group_label(group: str | None, lang: str) -> str:
    if group is None:
        return tr("all_groups", lang)
    g = GROUPS[group]
    return g.en if lang == "en" else g.uk


def period_caption(table: PublicTable, lang: str) -> str:
    return tr("legend.period", lang, period=f"{table.period.label}, {group_label(table.group, lang)}")


def _tip(count: float, lang: str) -> str:
    """A released count, marked approximate: it carries the Cell Key Method's noise."""
    return tr("release.tip_approx", lang, n=int(count))


def _district_names(gazetteer: Gazetteer, lang: str) -> dict[str, str]:
    names = district_names_of(gazetteer, lang)
    names[privacy.OUTSIDE_DISTRICTS] = tr("other_areas", lang)
    return names


def display_table(table: PublicTable, gazetteer: Gazetteer, *, lang: str = "uk") -> pd.DataFrame:
    """The public table for st.dataframe: microdistrict, place, count as text ("≈ n")."""
    names = _district_names(gazetteer, lang)
    place = [
        tr("tip.rest", lang, district=names.get(d, d)) if kind == "rest" else unit
        for unit, kind, d in zip(table.units["unit"], table.units["kind"], table.units["district"], strict=True)
    ]
    counts = [_tip(c, lang) for c in table.units["count"]]
    return pd.DataFrame(
        {
            tr("col.district", lang): [names.get(d, d) for d in table.units["district"]],
            tr("col.place", lang): place,
            tr("col.count", lang): counts,
        }
    )


def cells_layer(table: PublicTable, *, lang: str = "uk", show: bool = True) -> tuple[folium.FeatureGroup, list]:
    """Res-8 cells: released counts in YlOrRd classes (cells released as 0 are not drawn)."""
    breaks = class_breaks(table.cells["count"].astype(int).tolist(), floor=1)
    feats = []
    for row in table.cells.itertuples(index=False):
        feats.append(
            {
                "type": "Feature",
                "geometry": cell_geometry(row.unit),
                "properties": {
                    "tip": _tip(row.count, lang),
                    "style": polygon_style(color_for(int(row.count), breaks)),
                },
            }
        )
    group = folium.FeatureGroup(name=tr("layer.public_cells", lang), show=show)
    add_geojson(group, feats, name=tr("layer.public_cells", lang))
    return group, breaks


def districts_layer(
    table: PublicTable, gazetteer: Gazetteer, *, lang: str = "uk", show: bool = False
) -> tuple[folium.FeatureGroup, list]:
    """Microdistricts coloured by their total (the sum of their units' released counts)."""
    names = _district_names(gazetteer, lang)
    counts = table.districts.set_index("district")
    breaks = class_breaks(counts["count"].astype(int).tolist(), floor=1)
    feats = []
    for d in gazetteer.districts:
        if d.id not in counts.index:
            continue
        row = counts.loc[d.id]
        fill = color_for(int(row["count"]), breaks)
        feats.append(
            {
                "type": "Feature",
                "geometry": polygon_geometry(d.polygon),
                "properties": {
                    "tip": f"{names[d.id]}: {_tip(row['count'], lang)}",
                    "style": polygon_style(fill, weight=1.5, opacity=0.6),
                },
            }
        )
    group = folium.FeatureGroup(name=tr("layer.public_districts", lang), show=show)
    add_geojson(group, feats, name=tr("layer.public_districts", lang))
    return group, breaks


#: an action's circle (its fill is the status colour)
ACTION_STYLE = {"radius": 7, "color": "#333333", "weight": 1, "fill": True, "fillOpacity": 0.9}


def action_place(action: pd.Series | dict, gazetteer: Gazetteer) -> tuple[float, float] | None:
    """Where an action is drawn: the centre of its res-8 cell (never finer), else its district."""
    cell = action.get("cell")
    if isinstance(cell, str) and h3.is_valid_cell(cell):
        parent = cell if h3.get_resolution(cell) <= privacy.PUBLIC_RES else h3.cell_to_parent(cell, privacy.PUBLIC_RES)
        lat, lon = h3.cell_to_latlng(parent)
        return round(lat, 5), round(lon, 5)
    for d in gazetteer.districts:
        if action.get("district") in (d.id, d.name):
            c = Polygon(d.polygon).representative_point()
            return round(c.y, 5), round(c.x, 5)
    return None


def actions_layer(
    actions: pd.DataFrame, gazetteer: Gazetteer, *, lang: str = "uk", public: bool = True
) -> folium.FeatureGroup:
    """Action-plan items as status-coloured circles; the public sees status and public note only.

    One browser-made element per status colour (layers.popups.TextPopupPoints), not a folium
    marker and popup binding per action: each folium element is a Jinja template rendered (and
    re-read) on every new map, which for a hundred actions was most of the council map's cost."""
    group = folium.FeatureGroup(name=tr("layer.actions", lang), show=True)
    by_colour: dict[str, TextPopupPoints] = {}  # notes, owners and descriptions are typed by people: text only
    for a in actions.to_dict("records"):
        where = action_place(a, gazetteer)
        if where is None:
            continue
        status = plain(a.get("status")) or "open"
        rows = [(tr("popup.status", lang), code_label("action_status", status, lang))]
        if note := plain(a.get("public_note")):
            rows.append((tr("popup.note", lang), note))
        progress = a.get("progress")
        if progress is not None and not pd.isna(progress):
            rows.append((tr("popup.progress", lang), f"{int(round(float(progress)))}%"))
        for month, title, text in a.get("milestones") or ():  # (YYYY-MM, title, text), oldest first
            rows.append((plain(month), plain(title) + (f": {plain(text)}" if plain(text) else "")))
        if not public:
            rows += [
                (
                    tr("popup.owner", lang),
                    plain(a.get("owner_org")) or code_label("owner", plain(a.get("owner")), lang),
                ),
                (tr("popup.due", lang), plain(a.get("due_date"))),
                ("", plain(a.get("description"))),
            ]
        colour = STATUS_COLORS.get(status, "#999999")
        if colour not in by_colour:
            by_colour[colour] = TextPopupPoints(group, max_width=320, style=ACTION_STYLE | {"fillColor": colour})
        by_colour[colour].add(*where, rows)
    for points in by_colour.values():
        points.add_to(group)
    return group


def hotspots_layer(hotspots: pd.DataFrame, *, lang: str = "uk", show: bool = True) -> folium.FeatureGroup:
    """Res-8 cells coloured by hot/cold class (bins -3..3, RdBu); `hotspots` holds cell and
    bin computed from the released counts only, so the classes reveal nothing more."""
    feats = [
        {
            "type": "Feature",
            "geometry": cell_geometry(r.cell),
            "properties": {
                "tip": tr(f"gistar.{int(r.bin)}", lang),
                "style": polygon_style(GISTAR_COLORS[int(r.bin)], weight=0.5, opacity=0.75),
            },
        }
        for r in hotspots.itertuples(index=False)
    ]
    group = folium.FeatureGroup(name=tr("layer.public_hotspots", lang), show=show)
    add_geojson(group, feats, name=tr("layer.public_hotspots", lang))
    return group


def public_map(
    table: PublicTable,
    gazetteer: Gazetteer,
    *,
    lang: str = "uk",
    actions: pd.DataFrame | None = None,
    view: str = "cells",
    hotspots: pd.DataFrame | None = None,
) -> folium.Map:
    """The residents' map for one publishable table; `view` ("hotspots" | "cells" |
    "districts") is shown first. `hotspots` (cell, bin) come from the published counts."""
    if view not in ("hotspots", "cells", "districts"):
        raise ValueError(f"view must be 'hotspots', 'cells' or 'districts', not {view!r}")
    if view == "hotspots" and hotspots is None:
        view = "cells"
    m = basemap(gazetteer, lang=lang)
    if hotspots is not None:
        hotspots_layer(hotspots, lang=lang, show=view == "hotspots").add_to(m)
    cells, cell_breaks = cells_layer(table, lang=lang, show=view == "cells")
    dists, dist_breaks = districts_layer(table, gazetteer, lang=lang, show=view == "districts")
    cells.add_to(m)
    dists.add_to(m)
    if actions is not None and len(actions):
        actions_layer(actions, gazetteer, lang=lang).add_to(m)
    if view == "hotspots":
        items = [(GISTAR_COLORS[b], tr(f"gistar.{b}", lang)) for b in (3, 2, 1, 0, -1, -2, -3)]
        legend(
            tr("layer.public_hotspots", lang), items, unit=tr("legend.z", lang), period=period_caption(table, lang)
        ).add_to(m)
    else:
        breaks = cell_breaks if view == "cells" else dist_breaks
        items = [(color_for(b, breaks), label) for b, label in zip(breaks, break_labels(breaks, 1), strict=True)]
        title = tr("layer.public_cells" if view == "cells" else "layer.public_districts", lang)
        legend(title, items, unit=tr("release.legend_reports", lang), period=period_caption(table, lang)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def method_markdown(table: PublicTable | None = None, *, lang: str = "uk") -> str:
    """The public "How this map is made" text, with the parameters the releases really use."""
    tables = "\n".join(
        tr(
            "release.ptable",
            lang,
            name=tr(f"release.ptable_{spec.name}", lang),
            groups=", ".join(
                group_label(g, lang) for g, s in GROUPS.items() if privacy.ptable_for(g).spec.name == spec.name
            ),
            d=spec.max_deviation,
            var=f"{spec.variance:g}",
            zero=f"{spec.p_zero:.0%}",
        )
        for spec in privacy.PTABLE_SPECS.values()
    )
    period = tr("method.period", lang, period=table.period.label) if table is not None else ""
    body = tr(
        "method.body",
        lang,
        res=privacy.PUBLIC_RES,
        area=f"{h3.average_hexagon_area(privacy.PUBLIC_RES, 'km^2'):.2f}",
        edge=int(round(h3.average_hexagon_edge_length(privacy.PUBLIC_RES, "m"), -1)),
        min_addr=privacy.MIN_ADDRESSES,
        period=period,
        lag=privacy.PUBLICATION_LAG.days,
        tables=tables,
    )
    return f"### {tr('method.title', lang)}\n\n{body}\n"
