"""Council and partners: microdistrict review, the joint action plan, surveys, meetings, report.

The review map, the statistics and the plan come from the page caches (ui/cache.py, keyed
by role and store version); the district chart and the survey wave rerun only their own
fragments."""

from datetime import date

import streamlit as st

from encoders import markdown_text, visible_columns
from i18n import code_label
from services import actions, council, effect, labels, meetings
from services.clock import now
from ui import cache, map_frame, state
from ui.guard import guarded_fragment, page_guard


def pd_missing(value: object) -> bool:
    return value is None or value != value  # NaN/NaT are not equal to themselves


def text_of(value: object) -> str:
    """A frame cell as a text field's value: '' for a missing one (never the word "nan")."""
    return "" if pd_missing(value) else str(value)


role = page_guard("council")
user = state.current_user()
lang = state.lang()
engine = state.engine()
today = now().date()
st.title(state.tr("council.title"))
periods = council.periods(today)
label = st.selectbox(state.tr("public.period"), periods, index=periods.index(council.default_period(today)))
period = council.period(label)
review, plan_tab, survey_tab, meetings_tab, report_tab = st.tabs(
    [
        state.tr("council.review"),
        state.tr("council.plan"),
        state.tr("council.surveys"),
        state.tr("council.meetings"),
        state.tr("council.report"),
    ]
)
plan = cache.action_plan(role, today=today, lang=lang)
district_shown = labels.district_labeller(lang)  # every plan row and district option
described = dict(zip(plan["id"], plan["description"], strict=True))  # select boxes: one look-up per option
orgs = actions.organisation_names(engine, lang)


@guarded_fragment("council")
def trend_chart(districts: dict[str | None, str]) -> None:
    """Reports per month and category of one microdistrict (or the city)."""
    district = st.selectbox(state.tr("police.district"), list(districts), format_func=lambda d: districts[d])
    trend = cache.council_trend(role, district=district, lang=lang)
    st.vega_lite_chart(  # a Vega-Lite spec of our own, as the police page's (no altair validation per rerun)
        trend,
        {
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "month", "type": "ordinal", "title": state.tr("council.month")},
                "y": {"field": "n", "type": "quantitative", "title": state.tr("police.reports")},
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "title": state.tr("filters.category"),
                    "scale": {"scheme": "tableau20"},  # 11 categories: ten colours repeated one
                },
                "tooltip": [
                    {"field": "month", "type": "nominal", "title": state.tr("table.month")},
                    {"field": "category", "type": "nominal", "title": state.tr("table.category")},
                    {"field": "n", "type": "quantitative", "title": state.tr("table.count")},
                ],
            },
        },
        width="stretch",
    )


@guarded_fragment("council")
def survey_section() -> None:
    """One survey wave by microdistrict, and the change between the first and the last wave."""
    waves = cache.survey_waves(role)
    if not waves:
        st.info(state.tr("council.no_surveys"))
        return
    wave = st.selectbox(state.tr("council.wave"), waves, index=len(waves) - 1)
    st.dataframe(cache.survey_table(role, wave=wave, lang=lang), hide_index=True, width="stretch")
    st.caption(state.tr("council.survey_note"))
    if len(waves) > 1:
        change = state.tr("council.change", before=markdown_text(waves[0]), after=markdown_text(waves[-1]))
        st.markdown(f"**{change}**")
        st.dataframe(
            cache.survey_difference(role, before=waves[0], after=waves[-1], lang=lang), hide_index=True, width="stretch"
        )


with review:
    shown_review = cache.council_review(role, period=label, today=today, lang=lang)
    map_frame.draw(shown_review.fmap, key="council-map", height=520)
    st.dataframe(shown_review.table, hide_index=True, width="stretch")
    trend_chart(shown_review.districts)

with plan_tab:
    shown = plan.assign(
        status=plan["status"].map(lambda s: state.tr("action_status." + s)),
        owner=plan["owner"].map(lambda o: code_label("owner", o, lang)),
        district=plan["district"].map(district_shown),
    )
    st.dataframe(
        visible_columns(  # only the shown columns' text cells go through the encoder
            shown[
                [
                    "id",
                    "district",
                    "owner",
                    "owner_org",
                    "description",
                    "due_date",
                    "status",
                    "progress",
                    "progress_total",
                    "parent_id",
                    "overdue",
                    "public_note",
                ]
            ]
        ).rename(columns=lambda c: council.header(c, lang)),
        hide_index=True,
        width="stretch",
    )
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
        chosen = st.selectbox(
            state.tr("council.col_id"),
            editable["id"].tolist(),
            format_func=lambda i: f"№{i}: {described[i]}",
        )
        current = editable.set_index("id").loc[chosen]
        with st.form(f"edit-action-{chosen}"):  # one form per action: its fields open pre-filled
            status = st.selectbox(
                state.tr("council.col_status"),
                list(actions.STATUSES),
                index=list(actions.STATUSES).index(current["status"]),
                format_func=lambda s: state.tr("action_status." + s),
            )
            note = st.text_area(state.tr("council.col_public_note"), value=text_of(current["public_note"]))
            progress = st.number_input(
                state.tr("plan.col_progress"), min_value=0, max_value=100, step=5, value=int(current["progress"])
            )
            wanted = {"status": status, "public_note": note.strip(), "progress": int(progress)}
            if full:
                wanted["reject_reason"] = st.text_input(
                    state.tr("plan.col_reject_reason"), value=text_of(current["reject_reason"])
                ).strip()
                wanted["cost"] = st.number_input(
                    state.tr("plan.col_cost"),
                    min_value=0.0,
                    step=100.0,
                    value=None if pd_missing(current["cost"]) else float(current["cost"]),
                )
                for key in ("starts_on", "ends_on"):
                    wanted[key] = st.date_input(
                        state.tr("plan.col_" + key), value=None if pd_missing(current[key]) else current[key]
                    )
                parents = [None, *[i for i in plan["id"].tolist() if i != chosen]]
                wanted["parent_id"] = st.selectbox(
                    state.tr("plan.col_parent_id"),
                    parents,
                    index=parents.index(int(current["parent_id"])) if not pd_missing(current["parent_id"]) else 0,
                    format_func=lambda i: "—" if i is None else f"№{i}",
                )
                wanted["description"] = st.text_area(
                    state.tr("council.col_description"), value=current["description"]
                ).strip()
                wanted["due_date"] = st.date_input(state.tr("council.col_due_date"), value=current["due_date"])
                wanted["owner_org_id"] = st.selectbox(
                    state.tr("council.col_owner_org"),
                    [None, *orgs],
                    index=[None, *orgs].index(current["owner_org_id"]) if current["owner_org_id"] in orgs else 0,
                    format_func=lambda o: "—" if o is None else orgs[o],
                )
            if st.form_submit_button(state.tr("council.save")):
                changed = actions.changes(current, wanted)
                if not changed:
                    st.info(state.tr("council.unchanged"))
                else:
                    try:
                        actions.update(engine, int(chosen), changed, user=user)
                        st.success(
                            state.tr(
                                "council.saved_fields",
                                fields=markdown_text(
                                    ", ".join(
                                        council.header(k if k == "parent_id" else k.removesuffix("_id"), lang)
                                        for k in changed
                                    )
                                ),
                            )
                        )
                    except (PermissionError, ValueError) as exc:
                        st.error(state.refusal(exc))
        st.markdown(f"**{state.tr('plan.milestones')}**")
        stones = actions.milestones_frame(engine, [int(chosen)])
        if stones.empty:
            st.caption(state.tr("plan.no_milestones"))
        else:
            st.dataframe(
                visible_columns(stones)[["on_date", "title", "text"]].rename(
                    columns={
                        "on_date": state.tr("plan.milestone_date"),
                        "title": state.tr("plan.milestone_title"),
                        "text": state.tr("plan.milestone_text"),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        with st.form(f"milestone-{chosen}", clear_on_submit=True):
            title = st.text_input(state.tr("plan.milestone_title"))
            on_date = st.date_input(state.tr("plan.milestone_date"), value=today)
            text = st.text_area(state.tr("plan.milestone_text"))
            if st.form_submit_button(state.tr("plan.add_milestone")):
                try:
                    actions.add_milestone(engine, int(chosen), title=title, on_date=on_date, text=text, user=user)
                    st.success(state.tr("plan.milestone_added"))
                except (PermissionError, ValueError) as exc:
                    st.error(state.refusal(exc))
    if full:
        with st.form("new-action"):
            st.markdown(f"**{state.tr('council.new')}**")
            description = st.text_area(state.tr("council.col_description"))
            owner = st.selectbox(
                state.tr("council.col_owner"), list(actions.OWNERS), format_func=lambda o: state.tr("owner." + o)
            )
            owner_org = st.selectbox(
                state.tr("council.col_owner_org"), [None, *orgs], format_func=lambda o: "—" if o is None else orgs[o]
            )
            where = st.selectbox(
                state.tr("council.col_district"),
                council.district_names(),
                format_func=district_shown,
            )
            cell = st.text_input(state.tr("council.cell"))
            due = st.date_input(state.tr("council.col_due_date"), value=date(today.year, today.month, 1))
            if st.form_submit_button(state.tr("council.create")):
                try:
                    new_id = actions.create(
                        engine,
                        actions.ActionInput(
                            description=description,
                            owner=owner,
                            owner_org_id=owner_org,
                            district=where,
                            cell=cell.strip() or None,
                            due_date=due,
                        ),
                        user=user,
                    )
                    st.success(state.tr("council.created", id=int(new_id)))
                except ValueError as exc:
                    st.error(state.refusal(exc))

    if effect.may_see(role):
        st.markdown(f"**{state.tr('plan.effect')}**")
        st.caption(state.tr("plan.effect_help", months=effect.MONTHS))
        found = cache.finished_effects(role, today=today, lang=lang)
        if found.empty:
            st.info(state.tr("plan.no_effects"))
        else:
            found = found.assign(
                reason=found["reason"].map(lambda r: state.tr("plan.reason." + r) if isinstance(r, str) else "")
            )
            st.dataframe(
                found[["id", "description", "wdd", "wdd_se", "wdd_z", "wdd_local", "wdd_buffer", "reason"]].rename(
                    columns=lambda c: council.header(c, lang)
                ),
                hide_index=True,
                width="stretch",
            )

with survey_tab:
    survey_section()

with meetings_tab:
    listed = meetings.meetings_frame(engine, orgs)
    st.dataframe(
        visible_columns(listed).rename(columns=lambda c: council.header(c, lang)), hide_index=True, width="stretch"
    )
    open_ids = listed.loc[~listed["closed"], "id"].tolist()
    if actions.may_create(user) and not open_ids:
        st.info(state.tr("plan.all_closed"))
    elif actions.may_create(user):
        with st.form("close-meeting"):
            st.markdown(f"**{state.tr('plan.close')}**")
            where_held = dict(zip(listed["id"], listed["date"].astype(str) + " " + listed["place"], strict=True))
            meeting_id = st.selectbox(state.tr("plan.meeting"), open_ids, format_func=lambda m: where_held[m])
            minutes = st.text_area(state.tr("plan.minutes"))
            summary = st.text_area(state.tr("plan.public_summary"))
            attendees = st.number_input(state.tr("plan.attendees"), min_value=0, step=1, value=0)
            attending = st.multiselect(
                state.tr("plan.organisations"),
                list(orgs),
                format_func=lambda o: orgs[o],
                placeholder=state.tr("filters.choose"),
            )
            agreed_text = st.text_area(state.tr("plan.agreed_new"))
            agreed_where = st.selectbox(
                state.tr("plan.agreed_district"),
                council.district_names(),
                format_func=district_shown,
            )
            agreed_org = st.selectbox(
                state.tr("plan.agreed_owner"), [None, *orgs], format_func=lambda o: "—" if o is None else orgs[o]
            )
            agreed_ids = st.multiselect(
                state.tr("plan.agreed_existing"),
                plan["id"].tolist(),
                placeholder=state.tr("filters.choose"),
                format_func=lambda i: f"№{i}: {described[i]}",
            )
            if st.form_submit_button(state.tr("plan.close")):
                kind = actions.organisation_kind(engine, agreed_org)
                new = [
                    actions.ActionInput(
                        description=line.strip(), owner=kind, district=agreed_where, owner_org_id=agreed_org
                    )
                    for line in agreed_text.splitlines()
                    if line.strip()
                ]
                try:
                    ids = meetings.close(
                        engine,
                        meeting_id,
                        meetings.Closure(
                            minutes=minutes,
                            attendees=int(attendees),
                            organisation_ids=attending,
                            public_summary=summary,
                            agreed=new,
                            agreed_ids=[int(i) for i in agreed_ids],
                        ),
                        user=user,
                    )
                    st.success(
                        state.tr(
                            "plan.closed_ok",
                            id=markdown_text(meeting_id),
                            ids=markdown_text(", ".join(f"№{i}" for i in ids)),
                        )
                    )
                except (PermissionError, ValueError, KeyError) as exc:
                    st.error(state.refusal(exc))
    st.markdown(state.tr("council.raised", n=int(cache.raised_at_meetings(role))))
    agreed = plan[plan["meeting_id"].notna()][["meeting_id", "status", "owner_org", "description"]]
    agreed = agreed.assign(status=agreed["status"].map(lambda s: state.tr("action_status." + s)))
    st.dataframe(
        visible_columns(agreed).rename(columns=lambda c: state.tr("table." + c)), hide_index=True, width="stretch"
    )

with report_tab:
    st.caption(state.tr("council.report_help"))
    if st.toggle(state.tr("council.prepare")):
        reports = cache.council_reports(role)  # the whole history's columns: only for the report
        st.download_button(
            "XLSX",
            council.programme_report_xlsx(engine, reports, user=user, period=period, today=today, lang=lang),
            file_name=f"programme-report-{period.label}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        st.download_button(
            "PDF",
            council.programme_report_pdf(engine, reports, user=user, period=period, today=today, lang=lang),
            file_name=f"programme-report-{period.label}.pdf",
            mime="application/pdf",
        )
cache.warm_council(role, today=today, lang=lang)  # the other periods and districts, in the background
