"""Council and partners: microdistrict review, the joint action plan, surveys, meetings, report."""

from datetime import date

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from encoders import markdown_text, visible_columns
from services import actions, council
from services.clock import now
from ui import state
from ui.guard import page_guard

role = page_guard("council")
user = state.current_user()
lang = state.lang()
engine = state.engine()
today = now().date()
st.title(state.tr("council.title"))
reports = council.load(engine, role=role)
periods = council.periods(today)
label = st.selectbox(state.tr("public.period"), periods, index=periods.index(council.default_period(today)))
period = council.period(label)
review, plan_tab, survey_tab, meetings_tab, report_tab = st.tabs(
    [state.tr("council.review"), state.tr("council.plan"), state.tr("council.surveys"), state.tr("council.meetings"),
     state.tr("council.report")])
plan = actions.actions_frame(engine, today=today, lang=lang)
orgs = actions.organisation_names(engine, lang)

with review:
    shown_review = council.review(engine, reports, plan, role=role, chosen=period, lang=lang)
    st_folium(shown_review.fmap, key="council-map", height=520, use_container_width=True, returned_objects=[])
    st.dataframe(shown_review.table, hide_index=True, width="stretch")
    district = st.selectbox(state.tr("police.district"), list(shown_review.districts),
                            format_func=lambda d: shown_review.districts[d])
    trend = council.trend(reports, district, lang)
    st.altair_chart(alt.Chart(trend).mark_line(point=True).encode(
        x=alt.X("month:O", title=state.tr("council.month")), y=alt.Y("n:Q", title=state.tr("police.reports")),
        color=alt.Color("category:N", title=state.tr("filters.category"), scale=alt.Scale(scheme="tableau10")),
        tooltip=["month", "category", "n"]), width="stretch")

with plan_tab:
    shown = plan.assign(status=plan["status"].map(lambda s: state.tr("action_status." + s)))
    columns = ["id", "district", "owner", "owner_org", "description", "due_date", "status", "overdue", "public_note"]
    st.dataframe(visible_columns(shown)[columns].rename(columns=lambda c: state.tr("council.col_" + c)),
                 hide_index=True, width="stretch")
    if plan["overdue"].any():
        st.warning(state.tr("council.overdue", n=int(plan["overdue"].sum())))
    editable = actions.editable(plan, user)
    full = actions.may_create(user)  # council and admins; partners update their own actions only
    if not full:
        own = orgs.get(user.organisation_id, "—")
        if editable.empty:
            st.info(state.tr("council.partner_none", org=markdown_text(own)))
        else:
            st.info(state.tr("council.partner_only", org=markdown_text(own), n=len(plan) - len(editable)))
    if len(editable):
        st.markdown(f"**{state.tr('council.edit')}**")
        chosen = st.selectbox(state.tr("council.col_id"), editable["id"].tolist(),
                              format_func=lambda i: f"№{i}: {editable.set_index('id').loc[i, 'description']}")
        current = editable.set_index("id").loc[chosen]
        with st.form(f"edit-action-{chosen}"):  # one form per action: its fields open pre-filled
            status = st.selectbox(state.tr("council.col_status"), list(actions.STATUSES),
                                  index=list(actions.STATUSES).index(current["status"]),
                                  format_func=lambda s: state.tr("action_status." + s))
            note = st.text_area(state.tr("council.col_public_note"), value=current["public_note"] or "")
            wanted = {"status": status, "public_note": note.strip()}
            if full:
                wanted["description"] = st.text_area(state.tr("council.col_description"),
                                                     value=current["description"]).strip()
                wanted["due_date"] = st.date_input(state.tr("council.col_due_date"), value=current["due_date"])
                wanted["owner_org_id"] = st.selectbox(
                    state.tr("council.col_owner_org"), [None, *orgs],
                    index=[None, *orgs].index(current["owner_org_id"]) if current["owner_org_id"] in orgs else 0,
                    format_func=lambda o: "—" if o is None else orgs[o])
            if st.form_submit_button(state.tr("council.save")):
                changed = actions.changes(current, wanted)
                if not changed:
                    st.info(state.tr("council.unchanged"))
                else:
                    try:
                        actions.update(engine, int(chosen), changed, user=user)
                        fields = ", ".join(state.tr("council.col_" + k.removesuffix("_id")) for k in changed)
                        st.success(state.tr("council.saved_fields", fields=markdown_text(fields)))
                    except (PermissionError, ValueError) as exc:
                        st.error(markdown_text(exc))
    if full:
        with st.form("new-action"):
            st.markdown(f"**{state.tr('council.new')}**")
            description = st.text_area(state.tr("council.col_description"))
            owner = st.selectbox(state.tr("council.col_owner"), list(actions.OWNERS),
                                 format_func=lambda o: state.tr("owner." + o))
            owner_org = st.selectbox(state.tr("council.col_owner_org"), [None, *orgs],
                                     format_func=lambda o: "—" if o is None else orgs[o])
            where = st.selectbox(state.tr("council.col_district"), council.district_names())
            cell = st.text_input(state.tr("council.cell"))
            due = st.date_input(state.tr("council.col_due_date"), value=date(today.year, today.month, 1))
            if st.form_submit_button(state.tr("council.create")):
                try:
                    new_id = actions.create(engine, actions.ActionInput(
                        description=description, owner=owner, owner_org_id=owner_org, district=where,
                        cell=cell.strip() or None, due_date=due), user=user)
                    st.success(state.tr("council.created", id=int(new_id)))
                except ValueError as exc:
                    st.error(markdown_text(exc))

with survey_tab:
    surveys, waves = council.survey_waves(engine)
    if not waves:
        st.info(state.tr("council.no_surveys"))
    else:
        wave = st.selectbox(state.tr("council.wave"), waves, index=len(waves) - 1)
        st.dataframe(council.survey_table(surveys, wave), hide_index=True, width="stretch")
        st.caption(state.tr("council.survey_note"))
        if len(waves) > 1:
            change = state.tr("council.change", before=markdown_text(waves[0]), after=markdown_text(waves[-1]))
            st.markdown(f"**{change}**")
            st.dataframe(council.survey_difference(surveys, waves[0], waves[-1]), hide_index=True, width="stretch")

with meetings_tab:
    meetings = council.meetings_frame(engine)
    st.dataframe(visible_columns(meetings).rename(columns=lambda c: state.tr("council.col_" + c) if c in (
        "id", "date", "place", "attendees") else c), hide_index=True, width="stretch")
    raised = reports[reports["meeting_id"].notna()]
    st.markdown(state.tr("council.raised", n=len(raised)))
    agreed = plan[plan["meeting_id"].notna()][["meeting_id", "status", "owner_org", "description"]]
    st.dataframe(visible_columns(agreed), hide_index=True, width="stretch")

with report_tab:
    st.caption(state.tr("council.report_help"))
    if st.toggle(state.tr("council.prepare")):
        st.download_button("XLSX", council.programme_report_xlsx(engine, reports, user=user, period=period,
                                                                 today=today, lang=lang),
                           file_name=f"programme-report-{period.label}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.download_button("PDF", council.programme_report_pdf(engine, reports, user=user, period=period,
                                                               today=today, lang=lang),
                           file_name=f"programme-report-{period.label}.pdf", mime="application/pdf")
