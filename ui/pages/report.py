"""Public: report a problem (no login), then look up its status by tracking number."""

import streamlit as st
from streamlit_folium import st_folium

from encoders import markdown_text
from services import form, labels
from services.maps import click_map, read_click
from ui import state

lang = state.lang()
st.title(state.tr("nav.report"))
# a radio, not tabs: it keeps its choice over reruns (Enter in the look-up stays there) and
# only the chosen part is drawn, so the map never opens in a hidden, zero-sized box
mode = st.radio(
    state.tr("form.mode"),
    ["new", "status"],
    key="report-mode",
    horizontal=True,
    label_visibility="collapsed",
    format_func=lambda m: state.tr("form." + m),
)

if mode == "new":
    receipt = st.session_state.pop("form_receipt", None)
    if receipt is not None:
        st.success(state.tr("form.thanks", tracking=markdown_text(receipt)))
    version = st.session_state.setdefault("form_version", 0)  # a new version = an empty form
    names = labels.category_names(lang)
    category = st.selectbox(state.tr("filters.category"), list(names), format_func=names.get, key=f"category-{version}")
    address = st.text_input(state.tr("form.address"), help=state.tr("form.address_help"), key=f"address-{version}")
    point, place, level = form.locate(address) if address.strip() else (None, None, None)
    if address.strip() and point is None:
        st.warning(state.tr("form.not_found"))
    elif point is not None:
        st.info(state.tr("form.found", place=markdown_text(place), level=markdown_text(level)))
    st.caption(state.tr("form.click"))
    click = read_click(
        st_folium(
            click_map(marker=point, lang=lang),
            key=f"report-map-{version}",
            height=380,
            use_container_width=True,
            returned_objects=["last_clicked"],
        )
    )
    if click is not None and not click.inside:
        st.warning(state.tr("form.click_outside", lat=f"{click.lat:.5f}", lon=f"{click.lon:.5f}"))
    elif click is not None:
        point = click.point
        st.info(state.tr("form.click_here", lat=f"{click.lat:.5f}", lon=f"{click.lon:.5f}"))
    text = st.text_area(
        state.tr("form.description"),
        key=f"description-{version}",
        help=state.tr("form.description_help", n=form.MAX_CHARS),
    )
    st.caption(state.tr("form.counter", n=len(text), max=form.MAX_CHARS))
    if len(text) > form.MAX_CHARS:
        st.error(state.tr("form.too_long_now", n=len(text), max=form.MAX_CHARS))
    contact = st.text_input(state.tr("form.contact"), help=state.tr("form.contact_help"), key=f"contact-{version}")
    if st.button(state.tr("form.submit"), type="primary"):
        history = st.session_state.setdefault("form_history", [])
        try:
            done = form.submit(
                state.engine(),
                description=text,
                address=address,
                category=category,
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                contact=contact,
                recent=history,
                client=form.Client(
                    st.context.ip_address,
                    " ".join(st.context.headers.get(h, "") for h in ("User-Agent", "Accept-Language")),
                ),
            )
        except form.Refused as exc:
            st.error(state.tr(str(exc), max=form.MAX_CHARS, n=len(text)))
        else:
            history.append(done.at)
            st.session_state["form_receipt"] = done.tracking
            st.session_state["form_version"] = version + 1
            st.rerun()
else:
    tracking = st.text_input(state.tr("form.tracking"), key="tracking")
    if tracking.strip():
        found = form.status_of(state.engine(), tracking)
        if found is None:
            st.warning(state.tr("form.unknown_tracking"))
        else:
            st.markdown(state.tr("form.status_only", status=state.tr("status." + found["status"])))
            st.caption(state.tr("form.note_label"))
            st.text(found["status_note"] or "—")  # a moderator's note: plain text, never markup
