"""Page caches shared by every session, keyed by the store's version.

Streamlit's ``st.cache_data`` is one cache per server: a result computed for one user is
handed to any other caller with the same key. So every public function here checks the
caller's role on the server FIRST and passes the role into the cached function, where it
is part of the key: a public session can neither reach a police or council result nor
collide with its key. The store's version (data/store/version.py) is in every key, so any
write (app, CLI, import worker) makes the next call compute afresh; the clock's quarter
hour is in the key of results that depend on "now"; ``TTL`` bounds how long an entry can
outlive a PostgreSQL write caught between its version bump and its commit.

Streamlit leaves parameters whose names start with "_" out of the key, so no cached
function here has one: the role, the version and the clock are all hashed.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from auth import require
from services import actions, council, effect, moderation, patrol, police, public
from services.clock import now
from services.versions import store_version
from ui import map_frame, offload, state, warm_up

TTL = 600  # seconds
CLOCK_STEP = 900  # seconds: results that depend on "now" are recomputed at least this often
ENTRIES = 64


def version() -> int:
    """The store's version now (one tiny query)."""
    return store_version(state.engine())


def clock_key() -> int:
    return int(now().timestamp() // CLOCK_STEP)


def _user_first(func):  # type: ignore[no-untyped-def]
    """A page's own computation goes first: the background warm-up starts no step meanwhile."""

    @functools.wraps(func)
    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        with warm_up.user_first():
            return func(*args, **kwargs)

    return run


def _cached(func):  # type: ignore[no-untyped-def]
    """Tables and statistics: each caller gets its own copy."""
    return st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)(func)


def _cached_map(func):  # type: ignore[no-untyped-def]
    """Results holding a folium map (which cannot be pickled), or what such a result is made of:
    one shared object, never changed by a page (pages draw a map with ``ui.map_frame.draw``,
    which renders a copy once)."""
    return st.cache_resource(ttl=TTL, max_entries=ENTRIES // 4, show_spinner=False)(func)


# --- police ------------------------------------------------------------------------------


@_user_first
def police_view(
    role: str | None, *, period: int | str, categories: Sequence[str], lang: str, layers: Sequence[str]
) -> police.PoliceView:
    """The police map and what its caption needs (no forecast: :func:`police_top` computes the
    table below the map, so a cold change sends the map without waiting for the forecast)."""
    require(role, "police")
    return _police_view(role, version(), clock_key(), period, tuple(sorted(categories)), lang, tuple(layers))


@_user_first
def police_top(role: str | None, *, period: int | str, categories: Sequence[str], lang: str) -> pd.DataFrame:
    """The period's top places, ranked by the default forecast (shown below the map)."""
    require(role, "police")
    return _police_top(role, version(), clock_key(), period, tuple(sorted(categories)), lang)


@_cached
def _police_top(
    role: str | None, version_key: int, clock: int, period: int | str, categories: tuple[str, ...], lang: str
) -> pd.DataFrame:
    data = _police_data(role, version_key, clock, period, categories)
    forecast = _police_forecast(role, version_key, clock, period == police.AHEAD, categories)
    return police.police_top(data, forecast, role=role, lang=lang)


@_cached_map
def _police_data(
    role: str | None, version_key: int, clock: int, period: int | str, categories: tuple[str, ...]
) -> police.PoliceData:
    """A period's window, Gi* and trends; no forecast (the map does not show it). One shared
    object, never changed (its map view shares its frames already): neither pickled when
    computed nor copied for the top places."""
    window = _period_window(role, version_key, clock, period)
    return police.police_data(
        state.engine(),
        role=role,
        period=period,
        categories=list(categories) or None,
        emerging=_police_trends(role, version_key, categories),
        counted=(window.start, window.end, police.of_categories(window.counts, categories)),
        recent=police.of_categories(window.reports, categories),
        with_forecast=False,
    )


@_cached_map
def _period_window(role: str | None, version_key: int, clock: int, period: int | str) -> police.PeriodWindow:
    """A period's window, its reports and their counts per cell and category: one read serves
    every choice of categories. One shared object, only read (neither pickled nor copied)."""
    return police.read_window(state.engine(), role=role, period=period)


@_cached_map
def _monthly_counts(role: str | None, version_key: int) -> pd.DataFrame:
    """Counts per cell, month and category of the whole history (the trends of every choice of
    categories). One shared frame, only read: pickling its month strings took 5 ms a version."""
    return police.grouped_counts(state.engine(), role=role)[2]


@_cached
def _police_trends(role: str | None, version_key: int, categories: tuple[str, ...]) -> pd.DataFrame:
    if (offloaded := offload.result(_trends_key(role, version_key, categories), max_age=TTL)) is not None:
        return offloaded  # computed by the worker (start_history)
    monthly = police.of_categories(_monthly_counts(role, version_key), categories)
    return police.trends(state.engine(), role=role, monthly=monthly)


def start_history(
    role: str | None, *, period: int | str, categories: Sequence[str], plan: police.PlanSettings, lang: str
) -> None:
    """Called before the map is drawn. On a store version's first run for a choice of categories,
    what the page needs of the whole history is computed in the page's worker process meanwhile
    (ui/offload.py): the trends (the map's emerging layer) first, then the period's forecast
    and the plan for the plan controls' ``plan`` (:func:`police_top` and :func:`patrol_plan`,
    below the map). Later runs of that version find them cached, or compute from what is (a
    forecast from the cached history costs less than the worker's whole job)."""
    require(role, "police")
    version_key, chosen = version(), tuple(sorted(categories))
    if offload.start(_trends_key(role, version_key, chosen), police.history_trends, role=role, categories=chosen):
        ahead = period == police.AHEAD
        offload.start(
            _ranking_key(role, version_key, clock_key(), ahead, chosen),
            police.forecast_and_plan,
            role=role,
            ahead=ahead,
            categories=chosen,
            settings=plan,
            lang=lang,
        )


def _trends_key(role: str | None, version_key: int, categories: tuple[str, ...]) -> tuple[object, ...]:
    return ("police-trends", role, version_key, categories)


def _ranking_key(
    role: str | None, version_key: int, clock: int, ahead: bool, categories: tuple[str, ...]
) -> tuple[object, ...]:
    return ("police-ranking", role, version_key, clock, ahead, categories)


def _offloaded(
    role: str | None, version_key: int, clock: int, ahead: bool, categories: tuple[str, ...]
) -> police.ForecastAndPlan | None:
    """What the worker computed for this forecast's key, if :func:`start_history` started it."""
    return offload.result(_ranking_key(role, version_key, clock, ahead, categories), max_age=TTL)


@_cached
def _police_forecast(
    role: str | None, version_key: int, clock: int, ahead: bool, categories: tuple[str, ...]
) -> pd.DataFrame:
    """Every weeks-back period shares one forecast; "next 7 days" has its own, from the same inputs."""
    if (offloaded := _offloaded(role, version_key, clock, ahead, categories)) is not None:
        return offloaded.forecast
    return police.period_forecast(
        state.engine(),
        role=role,
        ahead=ahead,
        categories=list(categories) or None,
        winners=_forecast_winners(role, version_key),
        inputs=_forecast_inputs(role, version_key, categories),
    )


@_cached_map
def _forecast_inputs(role: str | None, version_key: int, categories: tuple[str, ...]) -> police.ForecastInputs:
    """The forecast's events and grid of the categories' history, for both horizons: one shared
    object, only read (neither pickled nor copied)."""
    require(role, "police")
    return police.forecast_inputs(_police_history(role, version_key, categories))


@_cached
def _forecast_winners(role: str | None, version_key: int) -> dict[str, str]:
    """The stored back-tests' winners, read once per store version for every choice of categories."""
    return police.forecast_winners(state.engine(), role=role)


@_cached_map
def _police_view(
    role: str | None,
    version_key: int,
    clock: int,
    period: int | str,
    categories: tuple[str, ...],
    lang: str,
    layers: tuple[str, ...],
) -> police.PoliceView:
    data = _police_data(role, version_key, clock, period, categories)
    return police.police_map_of(data, role=role, lang=lang, layers=layers)


def police_history(role: str | None, *, categories: Sequence[str]) -> pd.DataFrame:
    """Every counted report of the chosen categories (the patrol plan's history)."""
    require(role, "police")
    return _police_history(role, version(), tuple(sorted(categories)))


@_cached
def _police_history(role: str | None, version_key: int, categories: tuple[str, ...]) -> pd.DataFrame:
    """Every category's history (as far back as a forecast from today reads) read once; a choice
    of categories is picked from it in memory."""
    require(role, "police")
    if categories:
        return police.of_categories(_police_history(role, version_key, ()), categories)
    return police.load(state.engine(), start=police.history_since())


@_user_first
def when_profile(
    role: str | None, *, period: int | str, categories: Sequence[str], cell: str | None, district: str | None
) -> pd.DataFrame:
    require(role, "police")
    return _when_profile(role, version(), clock_key(), period, tuple(sorted(categories)), cell, district)


@_cached
def _when_profile(
    role: str | None,
    version_key: int,
    clock: int,
    period: int | str,
    categories: tuple[str, ...],
    cell: str | None,
    district: str | None,
) -> pd.DataFrame:
    return police.window_profile(
        _period_window(role, version_key, clock, period),
        role=role,
        categories=list(categories) or None,
        cells=[cell] if cell else None,
        district=district,
    )


@_user_first
def patrol_plan(
    role: str | None,
    *,
    period: int | str,
    categories: Sequence[str],
    patrols: int,
    shift: tuple[int, int],
    window_hours: int,
    beat_km: float,
    lang: str,
) -> tuple[patrol.PatrolPlan, pd.DataFrame]:
    """The suggested plan and its table for the page (time order, street names). Every weeks-back
    period shares one forecast, so they share one plan: changing between them solves nothing."""
    require(role, "police")
    return _patrol_plan(
        role,
        version(),
        clock_key(),
        period == police.AHEAD,
        tuple(sorted(categories)),
        patrols,
        shift,
        window_hours,
        beat_km,
        lang,
    )


@_cached
def _patrol_plan(
    role: str | None,
    version_key: int,
    clock: int,
    ahead: bool,
    categories: tuple[str, ...],
    patrols: int,
    shift: tuple[int, int],
    window_hours: int,
    beat_km: float,
    lang: str,
) -> tuple[patrol.PatrolPlan, pd.DataFrame]:
    settings = (patrols, shift, window_hours, beat_km)
    offloaded = _offloaded(role, version_key, clock, ahead, categories)
    if offloaded is not None and (offloaded.settings, offloaded.lang) == (settings, lang):
        return offloaded.plan, offloaded.table
    forecast = _police_forecast(role, version_key, clock, ahead, categories)
    return police.suggested_plan(_police_history(role, version_key, categories), forecast, settings, lang=lang)


@_user_first
def patrol_coverage(
    role: str | None,
    *,
    period: int | str,
    categories: Sequence[str],
    plan_cells: pd.DataFrame,
    shift: tuple[int, int],
    window_hours: int,
    plan: patrol.PatrolPlan,
) -> patrol.PatrolPlan:
    """The officer's (possibly edited) ``plan`` scored against the forecast the plan was made
    from: an unedited plan by what it was solved with, an edited one once per table (not on
    every rerun of the plan's fragment)."""
    require(role, "police")
    cells = _cells_of(plan_cells)
    if cells == _cells_of(plan.table):
        return patrol.own_coverage(plan)
    return _patrol_coverage(
        role,
        version(),
        clock_key(),
        period == police.AHEAD,
        tuple(sorted(categories)),
        cells,
        shift,
        window_hours,
        plan.best,
    )


def _cells_of(plan_cells: pd.DataFrame) -> tuple[tuple[int, str, str], ...]:
    """A plan's (patrol, window, cell) rows as a hashable key."""
    rows = plan_cells[["patrol", "window", "cell"]].itertuples(index=False)
    return tuple((int(p), str(w), str(c)) for p, w, c in rows)


@_cached
def _patrol_coverage(
    role: str | None,
    version_key: int,
    clock: int,
    ahead: bool,
    categories: tuple[str, ...],
    cells: tuple[tuple[int, str, str], ...],
    shift: tuple[int, int],
    window_hours: int,
    best: float | None,
) -> patrol.PatrolPlan:
    return patrol.coverage(
        pd.DataFrame(list(cells), columns=["patrol", "window", "cell"]),
        _police_history(role, version_key, categories),
        now=now(),
        shift=shift,
        window_hours=window_hours,
        best=best,
        forecast=_police_forecast(role, version_key, clock, ahead, categories),
    )


@_user_first
def patrol_areas(role: str | None, *, categories: Sequence[str], areas: int, lang: str) -> pd.DataFrame | None:
    require(role, "police")
    return _patrol_areas(role, version(), clock_key(), tuple(sorted(categories)), areas, lang)


@_cached
def _patrol_areas(
    role: str | None, version_key: int, clock: int, categories: tuple[str, ...], areas: int, lang: str
) -> pd.DataFrame | None:
    return police.patrol_areas(_police_history(role, version_key, categories), areas=areas, lang=lang)


def prediction_accuracy(role: str | None, *, categories: Sequence[str], lang: str) -> pd.DataFrame:
    require(role, "police")
    return _prediction_accuracy(role, version(), tuple(sorted(categories)), lang)


@_cached
def _prediction_accuracy(role: str | None, version_key: int, categories: tuple[str, ...], lang: str) -> pd.DataFrame:
    return police.prediction_accuracy(state.engine(), role=role, categories=list(categories) or None, lang=lang)


# --- effect (police and council) ---------------------------------------------------------


def finished_effects(role: str | None, *, today: date, lang: str = "uk") -> pd.DataFrame:
    """`lang`: the page's language, so the action plan the page read already serves (the table has no text of ours)."""
    if not effect.may_see(role):
        raise PermissionError(f"role {role!r} may not see measured effects")
    return _finished_effects(role, version(), today, lang)


@_cached
def _finished_effects(role: str | None, version_key: int, today: date, lang: str) -> pd.DataFrame:
    plan = _action_plan(role, version_key, today, lang)
    return effect.finished_table(state.engine(), role=role, today=today, plan=plan)


# --- council -----------------------------------------------------------------------------


def council_reports(role: str | None) -> pd.DataFrame:
    require(role, "council")
    return _council_reports(role, version())


@_cached
def _council_reports(role: str | None, version_key: int) -> pd.DataFrame:
    return council.load(state.engine(), role=role)


@_cached
def _council_counts(role: str | None, version_key: int) -> pd.DataFrame:
    """Counts per microdistrict, month and category: every period's review and every trend."""
    return council.counts(state.engine(), role=role)


def raised_at_meetings(role: str | None) -> int:
    """How many counted reports were raised at the dialogue meetings."""
    require(role, "council")
    return _raised_at_meetings(role, version())


@_cached
def _raised_at_meetings(role: str | None, version_key: int) -> int:
    return council.raised_at_meetings(state.engine(), role=role)


def action_plan(role: str | None, *, today: date, lang: str) -> pd.DataFrame:
    require(role, "council")
    return _action_plan(role, version(), today, lang)


@_cached
def _action_plan(role: str | None, version_key: int, today: date, lang: str) -> pd.DataFrame:
    return actions.actions_frame(state.engine(), today=today, lang=lang)


@_user_first
def council_review(role: str | None, *, period: str, today: date, lang: str) -> council.Review:
    require(role, "council")
    return _council_review(role, version(), period, today, lang)


@_cached_map
def _council_review(role: str | None, version_key: int, period: str, today: date, lang: str) -> council.Review:
    return council.review(
        state.engine(),
        _council_counts(role, version_key),
        _action_plan(role, version_key, today, lang),
        role=role,
        chosen=council.period(period),
        lang=lang,
        survey=_newest_wave(role, version_key),
    )


@_user_first
def council_trend(role: str | None, *, district: str | None, lang: str) -> pd.DataFrame:
    require(role, "council")
    return _council_trend(role, version(), district, lang)


@_cached
def _council_trend(role: str | None, version_key: int, district: str | None, lang: str) -> pd.DataFrame:
    return council.trend(_council_counts(role, version_key), district, lang)


def survey_waves(role: str | None) -> list[str]:
    require(role, "council")
    return _surveys(role, version()).waves


@_cached
def _surveys(role: str | None, version_key: int) -> council.Surveys:
    """Each wave's means per microdistrict: the review map, the wave tables and the change share them."""
    return council.surveys_by_wave(state.engine())


def survey_table(role: str | None, *, wave: str, lang: str) -> pd.DataFrame:
    require(role, "council")
    return _survey_table(role, version(), wave, lang)


@_cached
def _survey_table(role: str | None, version_key: int, wave: str, lang: str) -> pd.DataFrame:
    return council.shown_survey(_surveys(role, version_key).means[wave], lang)


def survey_difference(role: str | None, *, before: str, after: str, lang: str) -> pd.DataFrame:
    require(role, "council")
    return _survey_difference(role, version(), before, after, lang)


@_cached
def _survey_difference(role: str | None, version_key: int, before: str, after: str, lang: str) -> pd.DataFrame:
    return council.shown_survey(_survey_change(role, version_key, before, after), lang)


@_cached
def _survey_change(role: str | None, version_key: int, before: str, after: str) -> pd.DataFrame:
    means = _surveys(role, version_key).means
    return council.survey_change(means[before], means[after])


def _newest_wave(role: str | None, version_key: int) -> council.WaveMeans | None:
    """The review map's survey layers: the newest wave's means and their change since the wave before."""
    surveys = _surveys(role, version_key)
    waves = surveys.waves
    if not waves:
        return None
    change = _survey_change(role, version_key, waves[-2], waves[-1]) if len(waves) > 1 else None
    return council.WaveMeans(waves[-1], surveys.means[waves[-1]], change)


# --- background warm-up (police and council) ----------------------------------------------


def warm_police(role: str | None, *, lang: str) -> tuple[object, ...]:
    """After a police page was drawn: every other period (default categories and layers), its
    profile, the default patrol plans and every count of patrol areas, computed in the
    background once per store version (ui/warm_up.py). Returns the job's key."""
    require(role, "police")
    version_key, clock = version(), clock_key()
    key = ("police", role, version_key, clock, lang)
    warm_up.submit(key, lambda: _police_steps(role, version_key, clock, lang))
    return key


def _police_steps(role: str | None, version_key: int, clock: int, lang: str) -> Iterator[Callable[[], object]]:
    for period in police.PERIODS:
        yield lambda p=period: map_frame.frame_of(
            _police_view(role, version_key, clock, p, (), lang, police.DEFAULT_LAYERS).fmap
        )
        yield lambda p=period: _police_top(role, version_key, clock, p, (), lang)
        yield lambda p=period: _when_profile(role, version_key, clock, p, (), None, None)
    default_window = police.DEFAULT_PLAN[2]
    windows = [default_window, *(w for w in police.WINDOW_HOURS if w != default_window)]
    for window_hours in windows:  # the page's default plan first, then its other windows
        for ahead in (False, True):
            yield lambda a=ahead, w=window_hours: _default_plan(role, version_key, clock, a, lang, w)
    for areas in police.AREA_COUNTS:
        yield lambda n=areas: _patrol_areas(role, version_key, clock, (), n, lang)


def _default_plan(role: str | None, version_key: int, clock: int, ahead: bool, lang: str, window_hours: int) -> None:
    """The plan the page shows before any of its controls is touched, or after only its window
    length changed (a new window solves a new plan: ~0.2 s); unedited, it scores itself."""
    patrols, (start, end), _, beat_km = police.DEFAULT_PLAN
    _patrol_plan(role, version_key, clock, ahead, (), patrols, (start, end % 24), window_hours, beat_km, lang)


def warm_council(role: str | None, *, today: date, lang: str) -> tuple[object, ...]:
    """After a council page was drawn: the newest periods' reviews and every district's trend,
    computed in the background once per store version. Returns the job's key."""
    require(role, "council")
    version_key = version()
    key = ("council", role, version_key, today, lang)
    warm_up.submit(key, lambda: _council_steps(role, version_key, today, lang))
    return key


def _council_steps(role: str | None, version_key: int, today: date, lang: str) -> Iterator[Callable[[], object]]:
    for label in council.periods(today)[: council.WARM_PERIODS]:
        yield lambda p=label: map_frame.frame_of(_council_review(role, version_key, p, today, lang).fmap)
    districts = _council_review(role, version_key, council.default_period(today), today, lang).districts
    for district in districts:
        yield lambda d=district: _council_trend(role, version_key, d, lang)


def warm_up_status(key: tuple[object, ...]) -> str | None:
    """How a warm-up stands: None (never asked for), queued, running, done or failed."""
    return warm_up.state_of(key)


# --- moderator ---------------------------------------------------------------------------


def warm_geocoder() -> None:
    """Load the geocoder (its gazetteer index, about a second) once per server, in the background,
    when a moderator first opens the page, so the queue's place suggestions answer at once."""
    _geocoder_warm_up()


def geocoder_ready() -> None:
    """Wait for the warm-up (if still running) rather than load the geocoder a second time."""
    _geocoder_warm_up().join()


@st.cache_resource(show_spinner=False)
def _geocoder_warm_up() -> threading.Thread:
    thread = threading.Thread(target=moderation.suggestions, args=("",), name="geocoder-warm-up", daemon=True)
    thread.start()
    return thread


# --- public (no login: the released tables only) -----------------------------------------


def public_view(*, period: str, group: str | None, lang: str, view: str) -> public.PublicView:
    return _public_view(version(), period, group, lang, view)


@_cached_map
def _public_view(version_key: int, period: str, group: str | None, lang: str, view: str) -> public.PublicView:
    return public.public_view(state.public_reader(), period, group, lang=lang, view=view)


def public_opening_view(*, period: str, group: str | None) -> str:
    return _public_opening_view(version(), period, group)


@_cached
def _public_opening_view(version_key: int, period: str, group: str | None) -> str:
    reader = state.public_reader()
    return public.default_view(public.published_hotspots(public.public_table(reader, period, group)))
