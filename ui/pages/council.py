"""Council and partners: microdistrict review, the joint action plan, surveys, meetings, report."""

from datetime import date

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from data.categories import label as category_label
from encoders import markdown_text, visible_columns
from geo.gazetteer import load_gazetteer
from layers.council import council_map, district_stats
from layers.privacy import parse_period, survey_by_district, survey_change
from services import actions, council, public
from services.clock import now
from ui import state
from ui.guard import page_guard

role = page_guard("council")
user = state.current_user()
lang = state.lang()
engine = state.engine()
gz = load_gazetteer()
st.title(state.tr("council.title"))
reports = council.load(engine, role=role)
periods = public.lag_periods()
period = parse_period(st.selectbox(state.tr("public.period"), periods))
review, plan_tab, survey_tab, meetings_tab, report_tab = st.tabs(
    [state.tr("council.review"), state.tr("council.plan"), state.tr("council.surveys"), state.tr("council.meetings"),
     state.tr("council.report")])
surveys = council.surveys_frame(engine)
waves = sorted(surveys["wave"].dropna().unique())
plan = actions.actions_frame(engine, today=now().date())
meetings = council.meetings_frame(engine)

with review:
    fmap = council_map(gz, role=role, period=period, lang=lang, reports=reports, actions=plan,
                       survey=surveys if waves else None, wave=waves[-1] if waves else None,
                       previous_wave=waves[-2] if len(waves) > 1 else None, meetings=None)
    st_folium(fmap, key="council-map", height=520, use_container_width=True, returned_objects=[])
    stats = district_stats(reports, gz, period=period, role=role)
    st.dataframe(stats[["name", "population", "n", "per_1000", "n_prev", "change"]].rename(
        columns=lambda c: state.tr("council.col_" + c)), hide_index=True, width="stretch")
    district = st.selectbox(state.tr("police.district"), [None, *stats["district"]],
                            format_func=lambda d: state.tr("council.whole_city") if d is None else
                            stats.set_index("district").loc[d, "name"])
    trend = council.month_by_category(reports, district).reset_index().melt(id_vars="month", var_name="category",
                                                                           value_name="n")
    trend["category"] = trend["category"].map(lambda c: category_label(c, lang))
    st.altair_chart(alt.Chart(trend).mark_line(point=True).encode(
        x=alt.X("month:O", title=state.tr("council.month")), y=alt.Y("n:Q", title=state.tr("police.reports")),
        color=alt.Color("category:N", title=state.tr("filters.category"), scale=alt.Scale(scheme="tableau10")),
        tooltip=["month", "category", "n"]), width="stretch")

with plan_tab:
    shown = plan.assign(status=plan["status"].map(lambda s: state.tr("action_status." + s)))
    st.dataframe(visible_columns(shown[["id", "district", "owner", "owner_org", "description", "due_date", "status",
                                        "overdue", "public_note"]]).rename(
        columns=lambda c: state.tr("council.col_" + c)), hide_index=True, width="stretch")
    if plan["overdue"].any():
        st.warning(state.tr("council.overdue", n=int(plan["overdue"].sum())))
    editable = plan if role != "partner" else plan[plan["owner_org"] == user.organisation]
    if len(editable):
        with st.form("edit-action"):
            st.markdown(f"**{state.tr('council.edit')}**")
            chosen = st.selectbox(state.tr("council.col_id"), editable["id"].tolist())
            status = st.selectbox(state.tr("council.col_status"), list(actions.STATUSES),
                                  format_func=lambda s: state.tr("action_status." + s))
            note = st.text_area(state.tr("council.col_public_note"))
            if st.form_submit_button(state.tr("council.save")):
                try:
                    actions.update(engine, int(chosen), {"status": status, "public_note": note or None}, user=user)
                    st.success(state.tr("council.saved"))
                except (PermissionError, ValueError) as exc:
                    st.error(markdown_text(exc))
    if role in ("council", "admin"):
        with st.form("new-action"):
            st.markdown(f"**{state.tr('council.new')}**")
            description = st.text_area(state.tr("council.col_description"))
            owner = st.selectbox(state.tr("council.col_owner"), list(actions.OWNERS),
                                 format_func=lambda o: state.tr("owner." + o))
            owner_org = st.text_input(state.tr("council.col_owner_org"))
            where = st.selectbox(state.tr("council.col_district"), [d.name for d in gz.districts])
            cell = st.text_input(state.tr("council.cell"))
            due = st.date_input(state.tr("council.col_due_date"), value=date(now().year, now().month, 1))
            if st.form_submit_button(state.tr("council.create")):
                try:
                    new_id = actions.create(engine, actions.ActionInput(
                        description=description, owner=owner, owner_org=owner_org or None, district=where,
                        cell=cell.strip() or None, due_date=due), user=user)
                    st.success(state.tr("council.created", id=int(new_id)))
                except ValueError as exc:
                    st.error(markdown_text(exc))

with survey_tab:
    if not waves:
        st.info(state.tr("council.no_surveys"))
    else:
        wave = st.selectbox(state.tr("council.wave"), waves, index=len(waves) - 1)
        st.dataframe(survey_by_district(surveys, wave), hide_index=True, width="stretch")
        st.caption(state.tr("council.survey_note"))
        if len(waves) > 1:
            change = state.tr("council.change", before=markdown_text(waves[0]), after=markdown_text(waves[-1]))
            st.markdown(f"**{change}**")
            st.dataframe(survey_change(surveys, waves[0], waves[-1]), hide_index=True, width="stretch")

with meetings_tab:
    st.dataframe(visible_columns(meetings).rename(columns=lambda c: state.tr("council.col_" + c) if c in (
        "id", "date", "place", "attendees") else c), hide_index=True, width="stretch")
    raised = reports[reports["meeting_id"].notna()]
    st.markdown(state.tr("council.raised", n=len(raised)))
    agreed = plan[plan["meeting_id"].notna()][["meeting_id", "status", "owner_org", "description"]]
    st.dataframe(visible_columns(agreed), hide_index=True, width="stretch")

with report_tab:
    st.caption(state.tr("council.report_help"))
    headings = {key: state.tr("council.h_" + key) for key in ("districts", "categories", "actions", "meetings")}
    if st.toggle(state.tr("council.prepare")):
        st.download_button("XLSX", council.programme_report_xlsx(engine, reports, user=user, period=period,
                                                                 today=now().date(), lang=lang),
                           file_name=f"programme-report-{period.label}.xlsx")
        st.download_button("PDF", council.programme_report_pdf(
            engine, reports, user=user, period=period, today=now().date(), lang=lang,
            title=state.tr("council.report_title"), subtitle=state.tr("council.report_subtitle", period=period.label),
            headings=headings), file_name=f"programme-report-{period.label}.pdf", mime="application/pdf")
