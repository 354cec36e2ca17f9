"""Public map (no login): released counts per cell or microdistrict, read from the frozen releases."""

from datetime import date

import streamlit as st

from encoders import visible_columns
from services import city, labels, public
from ui import cache, map_frame, state

lang = state.lang()
st.title(state.tr("app.title"))
st.caption(state.tr("app.subtitle"))
reader = state.public_reader()
periods = public.publishable_periods(reader)
if not periods:
    st.info(state.tr("release.none"))
    st.stop()
latest = public.default_period(reader)
col1, col2, col3 = st.columns([1, 1, 1])
period = col1.selectbox(state.tr("public.period"), periods, index=periods.index(latest))
groups = labels.group_names(lang)
group = col2.selectbox(
    state.tr("public.group"),
    [None, *groups],
    format_func=lambda g: state.tr("public.all_groups") if g is None else groups[g],
)
views = ["hotspots", "cells", "districts"]
opening = cache.public_opening_view(period=period, group=group)
view = col3.radio(
    state.tr("public.view"),
    views,
    horizontal=True,
    index=views.index(opening),
    format_func=lambda v: state.tr("public.view_" + v),
)
result = cache.public_view(period=period, group=group, lang=lang, view=view)
table = result.table
newest = max(table.versions, key=lambda v: v["release"])
published = date.fromisoformat(newest["published_at"][:10])  # a date: no text of anyone's
# one slot for the notes above the map: the map keeps its place in the page, so the browser
# keeps its frame (a moved element gets a new iframe that reloads the map; see the police page)
notes = st.container()
notes.caption(
    state.tr(
        "release.caption",
        release=int(newest["release"]),
        date=f"{published:%Y-%m-%d}",
        revision=state.tr("release.revision", revision=int(newest["revision"])) if newest["revision"] else "",
    )
)
if view == "cells" and opening == "cells":
    notes.info(state.tr("release.opened_on_cells"))
map_frame.draw(result.fmap, key="public-map", height=560)
if view == "hotspots":
    st.caption(state.tr("public.hotspots_note"))
    if result.hotspots is None:
        st.info(state.tr("public.hotspots_insufficient", cells=state.tr("public.view_cells")))
    elif not (result.hotspots["bin"] != 0).any():
        st.info(state.tr("public.no_hotspots", cells=state.tr("public.view_cells")))
st.markdown(state.tr("public.total", total=int(table.total)))
districts = table.districts.assign(count=table.districts["count"].map(lambda n: f"≈ {n}"))
st.subheader(state.tr("public.by_district"))
st.dataframe(
    districts.assign(
        district=districts["district"].map(lambda d: labels.district_names(lang).get(d, state.tr("public.outside")))
    )[["district", "count"]].rename(
        columns={"district": state.tr("public.col_district"), "count": state.tr("public.col_count")}
    ),
    hide_index=True,
    width="stretch",
)
st.subheader(state.tr("public.what_was_done"))
shown = result.actions[
    result.actions["public_note"].notna() | (result.actions["progress"] > 0) | result.actions["milestones"].map(bool)
]
# plain-text cells: notes and milestones are people's words, never rendered as Markdown or HTML
st.dataframe(
    visible_columns(
        shown.assign(
            district=shown["district"].map(lambda d: labels.district_label(d, lang)),
            status=shown["status"].map(lambda s: state.tr("action_status." + s)),
            progress=shown["progress"].round(0).astype(int),
            milestones=shown["milestones"].map(public.milestone_lines),
        )
    )[["district", "status", "progress", "milestones", "public_note"]].rename(
        columns={
            "district": state.tr("public.col_district"),
            "status": state.tr("public.col_status"),
            "progress": state.tr("plan.col_progress"),
            "milestones": state.tr("plan.col_milestones"),
            "public_note": state.tr("public.col_note"),
        }
    ),
    hide_index=True,
    width="stretch",
)
st.subheader(state.tr("plan.public_meetings"))
met = public.public_meetings(state.public_reader())
if met.empty:
    st.info(state.tr("plan.no_public_meetings"))
else:
    st.dataframe(
        met[["month", "attendees", "n_organisations", "public_summary", "agreed"]].rename(
            columns=lambda c: state.tr("plan.col_" + c)
        ),
        hide_index=True,
        width="stretch",
    )
downloads = public.downloads_of(table)
c1, c2, c3 = st.columns(3)
c1.download_button("CSV", downloads["csv"], file_name=f"{city.file_stem()}-{period}.csv", mime="text/csv")
c2.download_button(
    "GeoJSON", downloads["geojson"], file_name=f"{city.file_stem()}-{period}.geojson", mime="application/geo+json"
)
c3.download_button(
    "Open311 requests.json", downloads["requests.json"], file_name="requests.json", mime="application/json"
)
