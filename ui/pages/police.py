"""Police: where and when to patrol: hotspots of recent weeks or the next 7 days, why, when, a
plan, a briefing.

The map and the statistics are computed once per choice of period and categories and shared
through the page caches (ui/cache.py, keyed by role and store version); after a store write,
the whole history's part (trends, forecast, plan) is computed in the server's worker process
while the map is drawn (ui/offload.py); every control below the map reruns only its own
fragment."""

import streamlit as st

from encoders import markdown_text
from i18n import code_label
from services import effect, labels, police
from services.clock import now
from ui import cache, map_frame, state
from ui.guard import guarded_fragment, opened_only, page_guard

# the expanders whose content is computed only while open (session state keys of their state)
AREAS_OPEN = "police-areas-open"
ACCURACY_OPEN = "police-accuracy-open"
EFFECTS_OPEN = "police-effects-open"
# the plan's controls (session state keys): the plan is started before the map is drawn
PLAN_PATROLS, PLAN_SHIFT, PLAN_WINDOW, PLAN_BEAT = "plan-patrols", "plan-shift", "plan-window", "plan-beat"


def plan_settings() -> police.PlanSettings:
    """The plan controls' values (as the page opens them until they were first drawn)."""
    patrols, shift, window_hours, beat_km = police.DEFAULT_PLAN
    start, end = st.session_state.get(PLAN_SHIFT, shift)
    return (
        int(st.session_state.get(PLAN_PATROLS, patrols)),
        (int(start), int(end) % 24),
        int(st.session_state.get(PLAN_WINDOW, window_hours)),
        float(st.session_state.get(PLAN_BEAT, beat_km)),
    )


role = page_guard("police")
user = state.current_user()
lang = state.lang()
engine = state.engine()
st.title(state.tr("police.title"))

c1, c2, c3 = st.columns([1, 2, 2])
period = c1.selectbox(
    state.tr("police_period.label"),
    list(police.PERIODS),
    index=list(police.PERIODS).index(police.DEFAULT_PERIOD),
    format_func=lambda p: (
        state.tr("police_period.next7") if p == police.AHEAD else state.tr("police_period.weeks", n=p)
    ),
)
names = labels.category_names(lang)
categories = c2.multiselect(
    state.tr("filters.category"), list(names), format_func=names.get, placeholder=state.tr("police.all_categories")
)
shown = c3.multiselect(
    state.tr("police.layers"),
    ["gistar", "kde", "emerging", "points"],
    placeholder=state.tr("filters.choose"),
    default=list(police.DEFAULT_LAYERS),
    format_func=lambda v: state.tr("police.layer_" + v),
)
# what the page needs of the whole history is computed in the worker process while the map is drawn
cache.start_history(role, period=period, categories=categories, plan=plan_settings(), lang=lang)
view = cache.police_view(role, period=period, categories=categories, lang=lang, layers=shown)
attrs = view.gistar.attrs
# one slot for the notes above the map, however many a choice shows: the map keeps its place in
# the page, so the browser keeps its frame (an element that moves gets a new iframe, which
# reloads the map and can miss the component's first render, leaving it blank)
notes = st.container()
notes.caption(
    state.tr(
        "map.cells_summary",
        n_cells=len(view.gistar),
        res=police.POLICE_RES,
        n_reports=int(attrs["n_in"]),
        outside=int(attrs["n_outside"]),
        vague=int(attrs["n_too_vague"]),
    )
)
if view.ahead is not None:
    notes.caption(state.tr("police_period.ahead", start=f"{view.ahead[0]:%Y-%m-%d}", end=f"{view.ahead[1]:%Y-%m-%d}"))
if not attrs.get("ok"):
    notes.warning(state.tr("map.insufficient", reason=state.say(attrs["reason"], markdown_text)))
map_frame.draw(view.fmap, key="police-map", height=600)

# below the map: Streamlit sends the map before the rest of the page is computed
top = cache.police_top(role, period=period, categories=categories, lang=lang)
st.subheader(state.tr("police.top"))
st.dataframe(top.rename(columns=lambda c: state.tr("police.col_" + c)), hide_index=True, width="stretch")


@guarded_fragment("police")
def when_section() -> None:
    """Hour x weekday profile of one hotspot or microdistrict."""
    st.subheader(state.tr("police.when"))
    w1, w2 = st.columns(2)
    place_of = dict(zip(top["cell"], top["place"], strict=True))
    cell = w1.selectbox(
        state.tr("police.cell"),
        [None, *top["cell"]],
        format_func=lambda c: state.tr("police.all_cells") if c is None else place_of.get(c) or c,
    )
    district = w2.selectbox(
        state.tr("police.district"),
        [None, *sorted(view.reports["district"].dropna().unique())],
        format_func=lambda d: state.tr("police.all_districts") if d is None else labels.district_label(d, lang),
    )
    profile = cache.when_profile(role, period=period, categories=categories, cell=cell, district=district).rename(
        index=lambda d: state.tr("weekday." + d)
    )
    heat = police.when_rows(profile)
    st.vega_lite_chart(  # a Vega-Lite spec of our own: altair re-validated its spec on every rerun
        heat,
        {
            "mark": {"type": "rect"},
            "encoding": {
                "x": {"field": "hour", "type": "ordinal", "title": state.tr("police.hour")},
                "y": {
                    "field": "weekday",
                    "type": "ordinal",
                    "sort": list(profile.index),
                    "title": state.tr("police.weekday"),
                },
                "color": {
                    "field": "n",
                    "type": "quantitative",
                    "scale": {"scheme": "viridis"},
                    "title": state.tr("police.reports"),
                },
                "tooltip": [
                    {"field": "weekday", "type": "nominal", "title": state.tr("table.weekday")},
                    {"field": "hour", "type": "quantitative", "title": state.tr("table.hour")},
                    {"field": "n", "type": "quantitative", "title": state.tr("table.count")},
                ],
            },
        },
        width="stretch",
    )


@guarded_fragment("police")
def plan_section() -> None:
    """The suggested patrol plan, its editable table, its coverage and the briefing PDF."""
    st.subheader(state.tr("police.plan"))
    p1, p2, p3, p4 = st.columns(4)
    patrols_0, shift_0, window_0, beat_0 = police.DEFAULT_PLAN
    p1.number_input(state.tr("police.patrols"), min_value=1, max_value=10, value=patrols_0, key=PLAN_PATROLS)
    p2.slider(state.tr("police.shift"), 0, 24, shift_0, key=PLAN_SHIFT)
    p3.selectbox(
        state.tr("police.window"),
        police.WINDOW_HOURS,
        index=police.WINDOW_HOURS.index(window_0),
        key=PLAN_WINDOW,
    )
    p4.number_input(
        state.tr("police.beat_km"),
        min_value=0.3,
        max_value=10.0,
        value=beat_0,
        step=0.1,
        help=state.tr("police.beat_help"),
        key=PLAN_BEAT,
    )
    patrols, shift_hours, window_hours, beat_km = plan_settings()  # the controls' values, as the worker had them
    plan, plan_rows = cache.patrol_plan(
        role,
        period=period,
        categories=categories,
        patrols=patrols,
        shift=shift_hours,
        window_hours=window_hours,
        beat_km=beat_km,
        lang=lang,
    )
    shown_plan = plan_rows.astype({"window": str})
    edited = st.data_editor(
        shown_plan.rename(columns=lambda c: state.tr("police.col_" + c)),
        hide_index=True,
        width="stretch",
        key="plan-editor",
        disabled=[state.tr("police.col_" + c) for c in shown_plan.columns if c != "cell"],
    )
    edited.columns = list(shown_plan.columns)
    scored = cache.patrol_coverage(
        role,
        period=period,
        categories=categories,
        plan_cells=edited,
        shift=shift_hours,
        window_hours=int(window_hours),
        plan=plan,
    )
    m1, m2 = st.columns(2)
    m1.metric(state.tr("police.share"), f"{scored.share:.0%}", help=state.tr("police.share_help"))
    m2.metric(
        state.tr("police.of_best"),
        f"{scored.of_best:.0%}" if scored.of_best is not None else "–",
        help=state.tr("police.of_best_help"),
    )
    if plan.optimal and scored.covered >= plan.covered - 1e-9:
        st.caption(state.tr("police.of_best_optimal"))
    start, end = view.ahead or (view.start, view.end)
    pdf = (
        police.briefing(
            scored,
            user=user,
            engine=engine,
            lang=lang,
            title=state.tr("police.briefing_title"),
            subtitle=state.tr(
                "police.briefing_subtitle",
                start=f"{start:%Y-%m-%d}",
                end=f"{end:%Y-%m-%d}",
                share=f"{scored.share:.0%}",
            ),
            header=[
                state.tr("police.col_" + c)
                for c in ("window", "patrol", "place", "landmark", "district", "categories", "expected")
            ],
            notes=[
                state.tr(
                    "police.briefing_categories",
                    names=", ".join(names[c] for c in categories) if categories else state.tr("police.all_categories"),
                )
            ],
            period=(start, end),
            categories=categories,
        )
        if st.toggle(state.tr("police.prepare_pdf"))
        else None
    )
    if pdf is not None:
        st.download_button(
            state.tr("police.download_pdf"), pdf, file_name="patrol-briefing.pdf", mime="application/pdf"
        )


@opened_only("police", "police.areas", AREAS_OPEN)
def areas_section() -> None:
    """Workload-balanced patrol areas for a chosen number of areas."""
    st.caption(state.tr("police.areas_help"))
    counts = police.AREA_COUNTS
    n_areas = st.number_input(
        state.tr("police.areas_n"), min_value=counts[0], max_value=counts[-1], value=police.DEFAULT_AREAS
    )
    areas = cache.patrol_areas(role, categories=categories, areas=int(n_areas), lang=lang)
    if areas is None:
        st.info(state.tr("police.areas_none"))
    else:
        st.dataframe(areas.rename(columns=lambda c: state.tr("police.area_" + c)), hide_index=True, width="stretch")


@guarded_fragment("police")
def csv_section() -> None:
    """The window's reports in full detail, made (and audited) only when asked for."""
    if st.toggle(state.tr("police.prepare_csv")):
        st.download_button(
            "CSV",
            police.window_csv(engine, view.start, view.end, user=user, categories=categories, lang=lang),
            file_name="police-reports.csv",
            mime="text/csv",
        )


@opened_only("police", "police.accuracy", ACCURACY_OPEN)
def accuracy_section() -> None:
    """How well the stored forecasts came true."""
    accuracy = cache.prediction_accuracy(role, categories=categories, lang=lang)
    if not accuracy.attrs["stored"]:
        st.info(state.tr("police.accuracy_none"))
        return
    method = code_label("forecast_method", accuracy.attrs["method"], lang)
    st.caption(
        state.tr("police.accuracy_help", method=markdown_text(method), until=markdown_text(accuracy.attrs["until"]))
    )
    if not accuracy.attrs["current"]:
        st.warning(state.tr("police.accuracy_stale"))
    st.dataframe(accuracy, hide_index=True)


@opened_only("police", "plan.effect", EFFECTS_OPEN)
def effects_section() -> None:
    """The measured effects of finished actions."""
    st.caption(state.tr("plan.effect_help", months=effect.MONTHS))
    found = cache.finished_effects(role, today=now().date())
    if found.empty:
        st.info(state.tr("plan.no_effects"))
        return
    found = found.assign(
        reason=found["reason"].map(lambda r: state.tr("plan.reason." + r) if isinstance(r, str) else "")
    )
    st.dataframe(
        found[["id", "description", "cell", "wdd", "wdd_se", "wdd_z", "wdd_local", "wdd_buffer", "reason"]].rename(
            columns=lambda c: effect.header(c, lang)
        ),
        hide_index=True,
        width="stretch",
    )


when_section()
plan_section()
areas_section()
accuracy_section()
effects_section()
csv_section()
cache.warm_police(role, lang=lang)  # the other periods, in the background, after this page is drawn
