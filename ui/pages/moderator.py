"""Moderator: import files, work the quarantine queue, edit reports (one at a time)."""

from pathlib import Path
from tempfile import TemporaryDirectory

import streamlit as st
from streamlit_folium import st_folium

from data import intake
from data.categories import CATEGORIES
from data.importer import import_file
from data.store.repo import quarantine_frame, reports_frame
from encoders import markdown_text, visible_columns
from services import moderation
from services.maps import click_map, clicked_point
from ui import state
from ui.guard import page_guard

role = page_guard("moderator")
user = state.current_user()
lang = state.lang()
engine = state.engine()
st.title(state.tr("nav.moderator"))
upload_tab, queue_tab, edit_tab = st.tabs([state.tr("mod.upload"), state.tr("mod.queue"), state.tr("mod.edit")])

with upload_tab:
    files = st.file_uploader(state.tr("mod.files"), accept_multiple_files=True,
                             type=["json", "csv", "xlsx", "docx"])
    if files and st.button(state.tr("mod.import")):
        for upload in files:
            bar = st.progress(0.0, text=markdown_text(upload.name))
            with TemporaryDirectory() as tmp:
                path = Path(tmp) / upload.name
                path.write_bytes(upload.getvalue())
                try:
                    summary = import_file(path, engine, actor=user.username,
                                          progress=lambda done, total, b=bar: b.progress(
                                              1.0 if total else min(0.95, done / 10000)))
                except intake.UnreadableFile as exc:
                    st.error(markdown_text(exc))
                    continue
            bar.progress(1.0)
            st.success(state.tr("mod.summary", **{k: markdown_text(summary.as_dict()[k]) for k in (
                "file_name", "read", "imported", "duplicates", "quarantined", "not_located", "already_known")}))
            for note in summary.notes:
                st.caption(markdown_text(note))

with queue_tab:
    queue = quarantine_frame(engine)
    st.caption(state.tr("mod.queue_size", n=len(queue)))
    if not queue.empty:
        st.dataframe(visible_columns(queue[["id", "source", "reason", "excerpt"]]), hide_index=True, width="stretch")
        chosen = st.selectbox(state.tr("mod.choose"), queue["id"].tolist())
        item = queue.set_index("id").loc[chosen]
        st.markdown("> " + markdown_text(item["excerpt"]))
        st.caption(state.tr("mod.click_to_place"))
        clicked = clicked_point(st_folium(click_map(), key="mod-map", height=420, use_container_width=True,
                                          returned_objects=["last_clicked"]))
        col1, col2 = st.columns(2)
        if clicked and col1.button(state.tr("mod.place", lat=f"{clicked[0]:.5f}", lon=f"{clicked[1]:.5f}")):
            try:
                new_id = moderation.place_quarantined(engine, int(chosen), lat=clicked[0], lon=clicked[1],
                                                      actor=user.username, role=role)
                st.success(state.tr("mod.placed", id=int(new_id)))
            except ValueError as exc:
                st.error(markdown_text(exc))
        street = col1.selectbox(state.tr("mod.suggested"), moderation.suggest_streets(item["excerpt"]))
        if street and col1.button(state.tr("mod.place_street", street=markdown_text(street))):
            try:
                new_id = moderation.place_on_street(engine, int(chosen), street, actor=user.username, role=role)
                st.success(state.tr("mod.placed", id=int(new_id)))
            except ValueError as exc:
                st.error(markdown_text(exc))
        reason = col2.text_input(state.tr("mod.reject_reason"))
        if col2.button(state.tr("mod.reject")) and reason:
            moderation.reject_quarantined(engine, int(chosen), reason, actor=user.username, role=role)
            st.rerun()

with edit_tab:
    report_id = st.number_input(state.tr("mod.report_id"), min_value=1, step=1)
    frame = reports_frame(engine, include_duplicates=True, statuses=("new", "verified", "rejected"))
    match = frame[frame["id"] == report_id]
    if match.empty:
        st.info(state.tr("mod.no_report"))
    else:
        report = match.iloc[0]
        try:
            until = moderation.acquire_lock(engine, int(report_id), user.username)
            st.caption(state.tr("mod.locked_until", time=f"{until:%H:%M} UTC"))
        except moderation.Locked as exc:
            st.warning(markdown_text(exc))
            st.stop()
        st.markdown(f"**{markdown_text(report['category'])}** · {markdown_text(report['status'])} · "
                    f"{markdown_text(report['level'])}\n\n> {markdown_text(report['text'])}")
        new_category = st.selectbox(state.tr("filters.category"), list(CATEGORIES),
                                    index=list(CATEGORIES).index(report["category"]),
                                    format_func=lambda s: CATEGORIES[s].en if lang == "en" else CATEGORIES[s].uk)
        if st.button(state.tr("mod.save_category")) and new_category != report["category"]:
            moderation.set_category(engine, int(report_id), new_category, actor=user.username, role=role)
            st.rerun()
        original = st.number_input(state.tr("mod.duplicate_of"), min_value=0, step=1,
                                   value=int(report["duplicate_of"]) if report["duplicate_of"] == report[
                                       "duplicate_of"] and report["duplicate_of"] is not None else 0)
        c1, c2, c3 = st.columns(3)
        if c1.button(state.tr("mod.merge")) and original:
            moderation.merge(engine, int(report_id), int(original), actor=user.username, role=role)
            st.rerun()
        if c2.button(state.tr("mod.split")):
            moderation.split(engine, int(report_id), actor=user.username, role=role)
            st.rerun()
        spam = c3.text_input(state.tr("mod.reject_reason"), key="spam-reason")
        if c3.button(state.tr("mod.reject"), key="reject-report") and spam:
            moderation.reject(engine, int(report_id), spam, actor=user.username, role=role)
            st.rerun()
