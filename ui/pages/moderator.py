"""Moderator: import files, work the quarantine queue, edit reports (one at a time)."""

import streamlit as st
from streamlit_folium import st_folium

from encoders import markdown_text, visible_columns
from i18n import code_label
from services import labels, moderation
from services.clock import now
from services.maps import click_map, read_click
from ui import cache, state
from ui.guard import page_guard

role = page_guard("moderator")
user = state.current_user()
lang = state.lang()
engine = state.engine()
cache.warm_geocoder()  # the queue's place suggestions need it; loading takes a second
st.title(state.tr("nav.moderator"))
# a radio, not tabs: only the chosen part is drawn, so its map opens visible and fitted to the city
section = st.radio(
    state.tr("mod.section"),
    ["upload", "queue", "edit"],
    key="mod-section",
    horizontal=True,
    label_visibility="collapsed",
    format_func=lambda s: state.tr("mod." + s),
)


def done(message: str) -> None:
    """Show `message` after the rerun that drops the resolved entry from the queue."""
    st.session_state["mod-flash"] = message
    st.rerun()


if flash := st.session_state.pop("mod-flash", None):
    st.success(markdown_text(flash))


def map_click(key: str, marker: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """A map fitted to the city; says where a click landed, or why it was refused."""
    click = read_click(
        st_folium(
            click_map(marker, lang=lang),
            key=key,
            height=420,
            use_container_width=True,
            returned_objects=["last_clicked"],
        )
    )
    if click is None:
        return None
    lat = f"{click.lat:.5f}"
    lon = f"{click.lon:.5f}"
    if not click.inside:
        st.warning(state.tr("form.click_outside", lat=lat, lon=lon))
        return None
    st.info(state.tr("form.click_here", lat=lat, lon=lon))
    return click.point


if section == "upload":
    files = st.file_uploader(state.tr("mod.files"), accept_multiple_files=True, type=["json", "csv", "xlsx", "docx"])
    if files and st.button(state.tr("mod.import")):
        batches = []
        for upload in files:
            bar = st.progress(0.0, text=markdown_text(upload.name))
            try:
                summary = moderation.import_upload(
                    engine,
                    upload.name,
                    upload.getvalue(),
                    actor=user.username,
                    role=role,
                    progress=lambda done, total, b=bar: b.progress(1.0 if total else min(0.95, done / 10000)),
                )
            except moderation.UnreadableFile as exc:
                st.error(state.tr("mod.unreadable", file=markdown_text(upload.name)))
                st.text(state.say(exc.problem))
                continue
            bar.progress(1.0)
            if summary.batch_id is None or summary.same_file_batch is not None:
                batches.append({"file_name": upload.name, "same_file": summary.same_file_batch})
            else:  # the accounting as the store holds it with the batch
                batches.append(moderation.batch_accounting(engine, summary.batch_id))
        st.session_state["mod-batches"] = batches
    batches = st.session_state.get("mod-batches", [])
    if batches:
        st.success(state.tr("mod.imported_batches", n=len(batches)))
        for batch in batches:
            if "same_file" in batch:
                st.info(
                    state.tr(
                        "mod.same_file",
                        file_name=markdown_text(batch["file_name"]),
                        batch=markdown_text(batch["same_file"]),
                    )
                )
                continue
            st.text(state.tr("mod.batch_line", **batch))
            if batch["repeats"]:
                st.text(state.tr("mod.accounting", **batch))
            for problem in batch["problems"]:
                st.text(state.say(problem))
            for note in batch["notes"]:
                st.text(f"{batch['file_name']}: {state.say(note)}")

elif section == "queue":
    kinds = [None, *moderation.REASON_KINDS, "other"]
    f1, f2 = st.columns(2)
    kind = f1.selectbox(
        state.tr("mod.filter_reason"),
        kinds,
        format_func=lambda k: state.tr("mod.any") if k is None else state.tr("mod.reason_" + k),
        key="mod-kind",
    )
    age = f2.selectbox(
        state.tr("mod.filter_age"), list(moderation.AGE_OPTIONS), format_func=lambda a: state.tr("mod.age_" + a)
    )
    queued = int(moderation.queue(engine, now=now(), kind=kind, age=age, limit=0).attrs["total"])
    pages = max(1, -(-queued // moderation.QUEUE_PAGE))
    page = int(st.number_input(state.tr("mod.queue_page", n=moderation.QUEUE_PAGE), 1, pages, 1)) if pages > 1 else 1
    offset = (page - 1) * moderation.QUEUE_PAGE
    queue = moderation.queue(engine, now=now(), kind=kind, age=age, offset=offset)
    st.caption(state.tr("mod.queue_size", n=queued))
    if not queue.empty and pages > 1:
        st.caption(state.tr("mod.queue_shown", first=offset + 1, last=offset + len(queue), total=queued))
    if queue.empty:
        st.info(state.tr("mod.queue_empty"))
        st.stop()
    shown = queue.assign(
        kind=queue["kind"].map(lambda k: state.tr("mod.reason_" + k)),
        reason=queue["reason"].map(state.say),  # a grid cell is text, never markup
        source=queue["source"].map(lambda s: code_label("source", s, lang)),
    )
    picked = st.dataframe(
        visible_columns(shown[["id", "source", "kind", "reason", "age_days", "excerpt"]]).rename(
            columns=lambda c: state.tr("mod.col_" + c)
        ),
        hide_index=True,
        width="stretch",
        key="queue-table",
        on_select="rerun",
        selection_mode="multi-row",
    )
    selected = queue.iloc[picked.selection.rows]["id"].tolist() if picked.selection.rows else []
    with st.form("bulk-reject"):
        st.markdown(state.tr("mod.bulk_help", n=len(selected)))
        bulk_reason = st.text_input(state.tr("mod.reject_reason"), key="bulk-reason")
        if st.form_submit_button(state.tr("mod.reject_selected", n=len(selected))):
            if not selected:
                st.warning(state.tr("mod.select_first"))
            else:
                try:
                    n = moderation.reject_many(engine, selected, bulk_reason, actor=user.username, role=role)
                    done(state.tr("mod.rejected_n", n=n))
                except moderation.NoReason:
                    st.error(state.tr("mod.need_reason"))

    st.subheader(state.tr("mod.one_item"))
    excerpts = queue.set_index("id")["excerpt"]
    chosen = st.selectbox(
        state.tr("mod.choose"), queue["id"].tolist(), format_func=lambda i: f"#{i}: {excerpts[i][:80]}"
    )
    st.text(excerpts[chosen])  # the report's own words: plain text, never markup
    reasons = queue.set_index("id")["reason"]
    st.caption(state.tr("mod.chosen_reason", reason=state.say(reasons[chosen], markdown_text)))
    cache.geocoder_ready()
    suggestions = moderation.suggestions(excerpts[chosen])
    if not suggestions:
        st.caption(state.tr("mod.no_suggestions"))
    for n, hint in enumerate(suggestions):
        label = state.tr(
            "mod.place_suggestion",
            place=markdown_text(hint.label),
            level=markdown_text(code_label("level", hint.level, lang)),
        )
        if st.button(label, key=f"hint-{n}"):
            new_id = moderation.place_at_suggestion(engine, int(chosen), hint, actor=user.username, role=role)
            done(state.tr("mod.placed", id=new_id))
    st.caption(state.tr("mod.click_to_place"))
    point = map_click(f"queue-map-{chosen}")
    col1, col2 = st.columns(2)
    if point and col1.button(state.tr("mod.place", lat=f"{point[0]:.5f}", lon=f"{point[1]:.5f}")):
        try:
            new_id = moderation.place_quarantined(
                engine, int(chosen), lat=point[0], lon=point[1], actor=user.username, role=role
            )
        except moderation.MessageError as exc:
            st.error(state.say(exc.message, markdown_text))
        else:
            done(state.tr("mod.placed", id=new_id))
    reason = col2.text_input(state.tr("mod.reject_reason"), key="reason-one")
    if col2.button(state.tr("mod.reject"), key="reject-one"):
        try:
            moderation.reject_quarantined(engine, int(chosen), reason, actor=user.username, role=role)
            done(state.tr("mod.rejected_n", n=1))
        except moderation.NoReason:
            st.error(state.tr("mod.need_reason"))

else:
    report_id = int(st.number_input(state.tr("mod.report_id"), min_value=1, step=1, key="edit-id"))
    report = moderation.report_for_edit(engine, report_id, role=role)
    if report is None:
        st.info(state.tr("mod.no_report"))
        st.stop()
    names = labels.category_names(lang)
    st.markdown(
        state.tr(
            "mod.report_line",
            id=int(report_id),
            category=markdown_text(names.get(report["category"], "?")),
            status=state.tr("status." + report["status"]),
            level=markdown_text(code_label("level", report["level"], lang)),
        )
    )
    st.text(report["text"])  # the report's own words: plain text, never markup
    holder = moderation.lock_holder(engine, report_id)
    editing = st.session_state.get("editing") == report_id
    if holder and holder[0] != user.username:
        st.warning(state.tr("mod.held_by", user=markdown_text(holder[0]), time=f"{holder[1]:%H:%M} UTC"))
        st.stop()
    if not editing:
        if st.button(state.tr("mod.start_editing")):  # the lock is taken here, not by opening the page
            moderation.acquire_lock(engine, report_id, user.username)
            st.session_state["editing"] = report_id
            st.rerun()
        st.stop()
    until = moderation.acquire_lock(engine, report_id, user.username)
    st.caption(state.tr("mod.locked_until", time=f"{until:%H:%M} UTC"))
    if st.button(state.tr("mod.stop_editing")):
        moderation.release_lock(engine, report_id, user.username)
        st.session_state.pop("editing", None)
        st.rerun()
    category = st.selectbox(
        state.tr("filters.category"), list(names), index=list(names).index(report["category"]), format_func=names.get
    )
    if st.button(state.tr("mod.save_category")) and category != report["category"]:
        moderation.set_category(engine, report_id, category, actor=user.username, role=role)
        done(state.tr("mod.saved"))
    st.caption(state.tr("mod.click_to_move"))
    here = (report["lat"], report["lon"]) if report["lat"] is not None else None
    point = map_click(f"edit-map-{report_id}", marker=here)
    if point and st.button(state.tr("mod.move", lat=f"{point[0]:.5f}", lon=f"{point[1]:.5f}")):
        moderation.move(engine, report_id, lat=point[0], lon=point[1], actor=user.username, role=role)
        done(state.tr("mod.moved", id=report_id))
    c1, c2, c3 = st.columns(3)
    original = c1.number_input(
        state.tr("mod.duplicate_of"),
        min_value=0,
        step=1,
        value=int(report["duplicate_of"] or 0),
        key=f"dup-{report_id}",
    )
    if c1.button(state.tr("mod.merge")):
        try:
            moderation.merge(engine, report_id, int(original), actor=user.username, role=role)
        except moderation.MessageError as exc:
            st.error(state.say(exc.message, markdown_text))
        else:
            done(state.tr("mod.merged", id=report_id, original=int(original)))
    if c2.button(state.tr("mod.split")):
        moderation.split(engine, report_id, actor=user.username, role=role)
        done(state.tr("mod.saved"))
    spam = c3.text_input(state.tr("mod.reject_reason"), key=f"spam-{report_id}")
    if c3.button(state.tr("mod.reject"), key="reject-report"):
        try:
            moderation.reject(engine, report_id, spam, actor=user.username, role=role)
        except moderation.NoReason:
            st.error(state.tr("mod.need_reason"))
        else:
            done(state.tr("mod.saved"))
