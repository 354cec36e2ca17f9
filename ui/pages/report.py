"""Public: report a problem (no login), then look up its status by tracking number."""

import streamlit as st
from streamlit_folium import st_folium

from data.categories import CATEGORIES
from encoders import markdown_text
from geo import geocode
from services import form
from services.maps import click_map, clicked_point
from ui import state

lang = state.lang()
st.title(state.tr("nav.report"))
report_tab, status_tab = st.tabs([state.tr("form.new"), state.tr("form.status")])

with report_tab:
    category = st.selectbox(state.tr("filters.category"), list(CATEGORIES),
                            format_func=lambda s: CATEGORIES[s].en if lang == "en" else CATEGORIES[s].uk)
    address = st.text_input(state.tr("form.address"), help=state.tr("form.address_help"))
    match = geocode(address) if address.strip() else None
    point = (match.lat, match.lon) if match is not None and match.level != "none" else None
    if address.strip() and point is None:
        st.warning(state.tr("form.not_found"))
    elif match is not None and point is not None:
        st.info(state.tr("form.found", place=markdown_text(match.street or (match.landmark or {}).get("name")
                                                          or match.district or ""),
                         level=markdown_text(match.level)))
    st.caption(state.tr("form.click"))
    clicked = clicked_point(st_folium(click_map(marker=point), key="report-map", height=380, use_container_width=True,
                                      returned_objects=["last_clicked"]))
    if clicked:
        point = clicked
    text = st.text_area(state.tr("form.description"), max_chars=2000)
    contact = st.text_input(state.tr("form.contact"), help=state.tr("form.contact_help"))
    if st.button(state.tr("form.submit"), type="primary"):
        history = st.session_state.setdefault("form_history", [])
        try:
            receipt = form.submit(state.engine(), text=f"{text}\n{address}".strip(), category=category,
                                  lat=point[0] if point else None, lon=point[1] if point else None,
                                  contact=contact, recent=history,
                                  client=form.Client(st.context.ip_address, " ".join(
                                      st.context.headers.get(h, "") for h in ("User-Agent", "Accept-Language"))))
        except form.Refused as exc:
            st.error(state.tr(str(exc)))
        else:
            history.append(receipt.at)
            st.success(state.tr("form.thanks", tracking=markdown_text(receipt.tracking)))

with status_tab:
    tracking = st.text_input(state.tr("form.tracking"))
    if tracking:
        found = form.status_of(state.engine(), tracking)
        if found is None:
            st.warning(state.tr("form.unknown_tracking"))
        else:
            st.markdown(state.tr("form.status_line", status=state.tr("status." + found["status"]),
                                 note=markdown_text(found["status_note"] or "—")))
