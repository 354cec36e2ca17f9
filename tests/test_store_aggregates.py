"""The store's GROUP BY counts and columnar reads give exactly the row path's tables.

Runs on SQLite and on PostGIS (the ``store`` fixture). The row path (``reports_frame``,
every column of every report) is the oracle: the counting methods must give the same
Gi* and emerging hot spot tables, binning summaries included, and the point methods the
same KDE table from only the columns they read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from clustering.binning import edge_length_m
from clustering.hotspots import emerging_counts_table, emerging_table, gistar_counts_table, gistar_table, kde_table
from data.records import H3_RESOLUTIONS
from data.store.aggregates import binned_counts, report_columns, rows_frame
from data.store.repo import insert_ignoring_conflicts, reports_frame
from data.store.schema import ReportRow, month_local
from geo.gazetteer import load_gazetteer


def _reports(n: int, seed: int) -> list[dict]:
    """Clustered points in and around the city over 14 months, some vague, rejected or duplicated."""
    rng = np.random.default_rng(seed)
    centres = np.array([[47.566, 31.33], [47.575, 31.30], [47.55, 31.35], [47.60, 31.45]])  # the last outside
    t0 = datetime(2024, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        lat, lon = centres[rng.integers(len(centres))] + rng.normal(0, 0.004, 2)
        when = t0 + timedelta(minutes=int(rng.integers(0, 60 * 24 * 425)))
        cells = {f"h3_r{r}": h3.latlng_to_cell(lat, lon, r) for r in H3_RESOLUTIONS}
        rows.append(
            dict(
                source="csv",
                source_ref=f"r{i}",
                received_at=when,
                occurred_at=when,
                occurred_at_source="given",
                month_local=month_local(when),
                text="t",
                category=["litter", "noise", "graffiti"][i % 3],
                district=["Центр", "Ракове", None, "Центр", "Ракове"][i % 5],
                category_source="rule",
                lat=float(lat),
                lon=float(lon),
                level="street" if i % 11 == 0 else "address",
                score=0.9,
                uncertainty_m=2000.0 if i % 11 == 0 else float(rng.uniform(0, 60)),
                status="rejected" if i % 23 == 0 else "new",
            )
            | cells
        )
    return rows


@pytest.fixture
def filled(store):  # type: ignore[no-untyped-def]
    rows = _reports(1500, seed=7)
    with Session(store) as session, session.begin():
        insert_ignoring_conflicts(session, ReportRow.__table__, rows)
    return store


@pytest.mark.parametrize("res", [8, 9])
def test_grouped_counts_give_the_row_path_tables(filled, res: int) -> None:  # type: ignore[no-untyped-def]
    boundary = load_gazetteer().boundary_polygon
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    rows = reports_frame(filled, start=start, end=end, located_only=True)
    binned = binned_counts(filled, res=res, too_vague_m=edge_length_m(res), start=start, end=end)
    expected = gistar_table(rows, res, boundary)
    got = gistar_counts_table(binned, res, boundary)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    assert got.attrs["n_too_vague"] > 0 and got.attrs["n_outside"] > 0  # the summary is really exercised

    everything = reports_frame(filled, located_only=True)
    monthly = binned_counts(filled, res=res, too_vague_m=edge_length_m(res), by_month=True)
    expected = emerging_table(everything, res, boundary, time_lag=1)
    got = emerging_counts_table(monthly, res, boundary, time_lag=1)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


def test_grouped_counts_equal_a_count_of_the_rows(filled) -> None:  # type: ignore[no-untyped-def]
    rows = reports_frame(filled, located_only=True, categories=["noise", "litter"])
    binned = binned_counts(
        filled, res=9, too_vague_m=edge_length_m(9), by_month=True, by_category=True, categories=["noise", "litter"]
    )
    ok = rows[rows["uncertainty_m"].fillna(0) <= edge_length_m(9)]
    truth = ok.groupby(["h3_r9", "month_local", "category"]).size()
    got = binned[binned["kind"] == "ok"].set_index(["cell", "month", "category"])["n"]
    assert got.sort_index().to_dict() == truth.sort_index().to_dict()
    assert int(binned.loc[binned["kind"] == "vague", "n"].sum()) == len(rows) - len(ok)


def test_columnar_read_gives_the_same_points_and_kde(filled) -> None:  # type: ignore[no-untyped-def]
    boundary = load_gazetteer().boundary_polygon
    start = datetime(2025, 2, 1, tzinfo=UTC)
    rows = reports_frame(filled, start=start, located_only=True)
    columns = report_columns(filled, start=start)
    assert list(columns.columns) == ["lat", "lon", "uncertainty_m", "occurred_at", "category", "h3_r9"]
    pd.testing.assert_frame_equal(columns.reset_index(drop=True), rows[list(columns.columns)].reset_index(drop=True))
    pd.testing.assert_frame_equal(kde_table(columns, 9, boundary), kde_table(rows, 9, boundary))


def test_the_police_view_reads_counts_and_columns_yet_gives_the_row_path_tables(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The police page's service: Gi* and emerging from GROUP BY counts, the forecast and
    patrol history from the columnar read, the window from its columns (the export's from all of
    its columns): all equal
    to the tables and frames the row path (every column of every report) gives."""
    from layers.exports import POLICE_COLUMNS
    from services import police
    from services.forecast import default_forecast

    end = datetime(2025, 6, 1, tzinfo=UTC)
    monkeypatch.setattr(police, "now", lambda: end)
    view = police.police_view(filled, role="police", weeks=12, layers=("gistar", "emerging"))
    boundary = load_gazetteer().boundary_polygon
    history = reports_frame(filled, located_only=True)
    recent = history[(history["occurred_at"] >= view.start) & (history["occurred_at"] < end)]

    expected = gistar_table(recent, police.POLICE_RES, boundary)
    pd.testing.assert_frame_equal(view.gistar, expected)
    assert view.gistar.attrs == expected.attrs and expected.attrs["n_in"] > 100
    expected = emerging_table(history, police.POLICE_RES, boundary, time_lag=1)
    pd.testing.assert_frame_equal(view.emerging, expected)
    assert view.emerging.attrs == expected.attrs
    shown = recent[list(police.WINDOW_COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(view.reports.reset_index(drop=True), shown)
    exported = police.window_reports(filled, view.start, end)  # the CSV export's own read
    pd.testing.assert_frame_equal(exported, recent[POLICE_COLUMNS].reset_index(drop=True))
    oracle = default_forecast(filled, until=end.date(), res=police.POLICE_RES, reports=history)
    pd.testing.assert_frame_equal(view.forecast, oracle)
    loaded = police.load(filled)
    pd.testing.assert_frame_equal(loaded, history[list(police.HISTORY_COLUMNS)].reset_index(drop=True))


@pytest.mark.parametrize("method", ["naive", "long_run", "gistar", "prospective", "blend"])
def test_counting_forecasts_from_grouped_counts_equal_the_row_path(filled, method: str) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from services.forecast import counted_ranking, default_forecast, inputs_from_reports, ranking

    rows = reports_frame(filled, located_only=True, categories=["noise", "litter"])
    until = date(2025, 9, 14)
    expected = ranking(inputs_from_reports(rows, res=9), method, until=until)
    got = counted_ranking(filled, method, until=until, res=9, categories=["noise", "litter"])
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs and got["score"].sum() > 10
    pd.testing.assert_frame_equal(
        default_forecast(filled, until=until, method=method, categories=["noise", "litter"]), expected
    )


@pytest.mark.parametrize("method", ["kde", "sepp"])
def test_point_forecasts_read_only_their_year_yet_equal_the_row_path(filled, method: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The point methods read the year before the cutoff (HISTORY_DAYS), never all history:
    the same table as from every report, and the read really is bounded."""
    from datetime import date

    from data.store import aggregates
    from services import forecast as service

    rows = reports_frame(filled, located_only=True)
    until = date(2025, 12, 20)
    expected = service.ranking(service.inputs_from_reports(rows, res=9), method, until=until)
    read: list[int] = []
    original = aggregates.report_columns

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        frame = original(*args, **kwargs)
        read.append(len(frame))
        return frame

    monkeypatch.setattr(service, "report_columns", spy)
    got = service.default_forecast(filled, until=until, method=method)
    pd.testing.assert_frame_equal(got, expected)
    assert got["score"].sum() > 10 and 0 < read[0] < len(rows)


@pytest.mark.parametrize("tz", ["Europe/Kyiv", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_hour_weekday_profile_from_grouped_counts_equals_the_row_path(filled, tz: str) -> None:  # type: ignore[no-untyped-def]
    """The when-profile counted by the database per local hour of the week equals the row
    path's, in zones with daylight saving (half-hour shifts too) and reports at the very
    seconds around each change of offset."""
    from clustering.profiles import hour_weekday, hour_weekday_counts
    from data.store.aggregates import hour_week_counts
    from data.store.localtime import offset_spans

    start, end = datetime(2024, 11, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    edges = [hi for _, hi, _ in offset_spans(start, end, ZoneInfo(tz))[:-1]]
    assert tz == "Asia/Kolkata" or len(edges) >= 2
    at_edges = [
        dict(row, source_ref=f"edge{i}{d}", occurred_at=edge + timedelta(seconds=d), received_at=edge)
        for i, edge in enumerate(edges)
        for d, row in zip((-1, 0, 1), _reports(3, seed=i), strict=True)
    ]
    at_edges += [  # a hair before an hour: a rounding database would count the next hour
        dict(row, source_ref=f"hair{i}", occurred_at=edge - timedelta(microseconds=1), received_at=edge)
        for i, (edge, row) in enumerate(zip(edges, _reports(len(edges), seed=99), strict=True))
    ]
    with Session(filled) as session, session.begin():
        insert_ignoring_conflicts(session, ReportRow.__table__, at_edges)
    rows = reports_frame(filled, start=start, end=end, located_only=True, categories=["noise", "litter"])
    got = hour_weekday_counts(hour_week_counts(filled, tz=tz, start=start, end=end, categories=["noise", "litter"]))
    pd.testing.assert_frame_equal(got, hour_weekday(rows, tz=tz))
    assert int(got.to_numpy().sum()) == len(rows) > 900

    cells = list(rows["h3_r9"].value_counts().index[:3])
    some = hour_week_counts(filled, tz=tz, start=start, end=end, cells=cells, categories=["noise", "litter"])
    expected = hour_weekday(rows[rows["h3_r9"].isin(cells)], tz=tz)
    pd.testing.assert_frame_equal(hour_weekday_counts(some), expected)


def test_the_police_when_profile_is_the_windows_hours(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page's when-profile (store counts) equals the hours of the window's reports it used to count."""
    from clustering.profiles import hour_weekday
    from services import police

    end = datetime(2025, 6, 1, tzinfo=UTC)
    monkeypatch.setattr(police, "now", lambda: end)
    recent = police.window_reports(filled, end - timedelta(weeks=12), end)
    district = "Ракове"
    cells = list(recent["h3_r9"].value_counts().index[:2])
    for kwargs, subset in (
        ({}, recent),
        ({"cells": cells}, recent[recent["h3_r9"].isin(cells)]),
        ({"district": district}, recent[recent["district"] == district]),
    ):
        got = police.when_profile(filled, role="police", period=12, **kwargs)
        pd.testing.assert_frame_equal(got, hour_weekday(subset))
    assert int(got.to_numpy().sum()) == len(subset)


def test_the_police_page_reads_no_point_outside_its_window(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the blend (the fallback default) the page's forecast is grouped counts: the only
    point reads are of the window it shows."""
    from services import forecast, police

    end = datetime(2025, 6, 1, tzinfo=UTC)
    monkeypatch.setattr(police, "now", lambda: end)
    reads: list[dict] = []

    def spy(engine, columns, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(kwargs)
        return report_columns(engine, columns, **kwargs)

    monkeypatch.setattr(police, "report_columns", spy)
    monkeypatch.setattr(forecast, "report_columns", spy)
    view = police.police_view(filled, role="police", weeks=8, layers=("gistar",))
    assert view.forecast.attrs["method"] == "blend" and view.forecast["score"].sum() > 0
    # the window (no text), then the map's points of its last four weeks
    points = police.points_start(view.start, end)
    assert reads == [
        {"start": view.start, "end": end, "categories": None},
        {"start": points, "end": end, "categories": None},
    ]
    assert view.start < points < end


@pytest.mark.parametrize("categories", [["noise"], ["litter", "graffiti"]])
def test_one_grouped_read_serves_every_choice_of_categories(filled, monkeypatch, categories) -> None:  # type: ignore[no-untyped-def]
    """The page reads each period's counts (and the monthly history) once for all categories and
    picks a choice of categories in memory: the same Gi* and trends as reading that choice."""
    from services import police

    monkeypatch.setattr(police, "now", lambda: datetime(2025, 6, 1, tzinfo=UTC))
    start, end, counts = police.grouped_counts(filled, role="police", period=12)
    picked = police.police_data(
        filled,
        role="police",
        period=12,
        categories=categories,
        counted=(start, end, police.of_categories(counts, categories)),
    )
    read = police.police_data(filled, role="police", period=12, categories=categories)
    pd.testing.assert_frame_equal(picked.gistar, read.gistar)
    assert picked.gistar.attrs == read.gistar.attrs and read.gistar.attrs["n_in"] > 30
    assert (picked.start, picked.end) == (read.start, read.end)
    monthly = police.of_categories(police.grouped_counts(filled, role="police")[2], categories)
    expected = police.trends(filled, role="police", categories=categories)
    got = police.trends(filled, role="police", monthly=monthly)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


def test_the_police_history_reads_only_what_its_analyses_use(filled) -> None:  # type: ignore[no-untyped-def]
    """police.load reads the forecast's event columns, the category and the cell, nothing else;
    the forecast, patrol plan and patrol areas from it equal those from every column of the
    counted reports (the row path)."""
    from services import patrol, police
    from services.forecast import EVENT_COLUMNS, default_forecast

    assert set(police.HISTORY_COLUMNS) == {*EVENT_COLUMNS, "category", "h3_r9"}
    end = datetime(2025, 6, 1, tzinfo=UTC)
    rows = reports_frame(filled, located_only=True)
    counted = rows[rows["status"].ne("rejected") & rows["duplicate_of"].isna()]
    loaded = police.load(filled)
    assert len(loaded) == len(counted)
    for method in ("blend", "kde"):
        pd.testing.assert_frame_equal(
            default_forecast(filled, until=end.date(), res=police.POLICE_RES, reports=loaded, method=method),
            default_forecast(filled, until=end.date(), res=police.POLICE_RES, reports=rows, method=method),
        )
    plan, expected = (patrol.suggest(r, now=end, patrols=2, shift=(18, 2)) for r in (loaded, counted))
    pd.testing.assert_frame_equal(plan.table, expected.table)
    assert (plan.covered, plan.total) == (expected.covered, expected.total) and plan.covered > 0
    areas, expected_areas = (patrol.balanced_areas(r, now=end, areas=3) for r in (loaded, counted))
    assert areas is not None and expected_areas is not None
    pd.testing.assert_frame_equal(areas.areas, expected_areas.areas)


def test_both_horizons_from_one_forecast_inputs_equal_the_history_path(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page computes the forecast's inputs of a history once for both horizons (the weeks
    back and the next 7 days): each method's ranking from them, in either order, equals the
    default forecast from the history itself."""
    from clustering.forecast import METHODS
    from services import police

    monkeypatch.setattr(police, "now", lambda: datetime(2025, 6, 1, 9, tzinfo=UTC))
    history = police.load(filled)
    for method in METHODS:
        inputs = police.forecast_inputs(history)
        for ahead in (True, False, True):
            winners = {"": method}
            got = police.period_forecast(filled, role="police", ahead=ahead, winners=winners, inputs=inputs)
            expected = police.period_forecast(filled, role="police", ahead=ahead, winners=winners, history=history)
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
            assert got.attrs == expected.attrs and got["score"].sum() > 0


def test_a_windows_counts_from_its_rows_are_the_stores_grouped_counts(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page reads a period's window once for every choice of categories and counts its cells
    from those rows (issue 19s): the store's GROUP BY table (reports without an uncertainty or a
    longitude included), and the same Gi*, reports and usable rows as the plain reads."""
    from services import police

    when = datetime(2025, 5, 20, tzinfo=UTC)
    edge = [
        row | {"source_ref": f"edge{i}", "occurred_at": when, "received_at": when}
        for i, row in enumerate(_reports(2, 5))
    ]
    edge[0]["uncertainty_m"], edge[1]["lon"] = None, None
    with Session(filled) as session, session.begin():
        insert_ignoring_conflicts(session, ReportRow.__table__, [r | {"month_local": month_local(when)} for r in edge])
    monkeypatch.setattr(police, "now", lambda: datetime(2025, 6, 1, tzinfo=UTC))
    window = police.read_window(filled, role="police", period=12)
    start, end, read = police.grouped_counts(filled, role="police", period=12)
    assert (window.start, window.end) == (start, end) and set(read["kind"]) == {"ok", "vague", "missing"}
    keys = ["cell", "category", "kind"]
    pd.testing.assert_frame_equal(
        window.counts.sort_values(keys).reset_index(drop=True), read.sort_values(keys).reset_index(drop=True)
    )
    for categories in (None, ["noise"], ["litter", "graffiti"]):
        picked = police.police_data(
            filled,
            role="police",
            period=12,
            categories=categories,
            counted=(start, end, police.of_categories(window.counts, categories)),
            recent=police.of_categories(window.reports, categories),
            with_forecast=False,
        )
        plain = police.police_data(filled, role="police", period=12, categories=categories, with_forecast=False)
        pd.testing.assert_frame_equal(picked.gistar, plain.gistar)
        assert picked.gistar.attrs == plain.gistar.attrs and plain.gistar.attrs["n_in"] > 30
        pd.testing.assert_frame_equal(picked.reports, plain.reports)
        pd.testing.assert_frame_equal(picked.usable, plain.usable)


@pytest.mark.parametrize("period", [26, 4])
def test_the_when_profile_of_the_read_window_is_the_stores_count(filled, monkeypatch, period) -> None:  # type: ignore[no-untyped-def]
    """The page counts the when-profile from the period's window it read already (issue 19t):
    the store's counts per local hour of the week (26 weeks back cross the spring's change of
    offset), for every category or some, a few cells, a microdistrict or none of them."""
    from data.store.localtime import offset_spans
    from services import police

    end = datetime(2025, 6, 1, tzinfo=UTC)
    monkeypatch.setattr(police, "now", lambda: end)
    window = police.read_window(filled, role="police", period=period)
    spans = offset_spans(window.start, window.end, ZoneInfo(police.profile().time_zone))
    assert len(spans) == (2 if period == 26 else 1)
    cells = list(window.reports["h3_r9"].value_counts().index[:3])
    for kwargs in (
        {},
        {"categories": ["noise"]},
        {"cells": cells},
        {"cells": cells[:1], "categories": ["litter", "graffiti"]},
        {"district": "Ракове"},
        {"district": "Центр", "categories": ["noise"]},
    ):
        got = police.window_profile(window, role="police", **kwargs)
        expected = police.when_profile(filled, role="police", period=period, **kwargs)
        pd.testing.assert_frame_equal(got, expected)
        assert int(got.to_numpy().sum()) > 0
    with pytest.raises(PermissionError):
        police.window_profile(window, role="council")


def test_the_pages_history_from_a_year_back_gives_what_the_whole_history_gives(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page reads its history only as far back as a forecast from today reads (issue 19t):
    every method's forecast over both horizons, the patrol plan and the patrol areas from it
    equal those from the whole history."""
    from clustering.forecast import METHODS
    from services import patrol, police

    end = datetime(2026, 1, 1, 9, tzinfo=UTC)
    monkeypatch.setattr(police, "now", lambda: end)
    since = police.history_since()
    recent, whole = police.load(filled, start=since), police.load(filled)
    assert since < end - timedelta(days=365) and 200 < len(whole) - len(recent) < len(recent)
    pd.testing.assert_frame_equal(recent, whole[whole["occurred_at"] >= since].reset_index(drop=True))
    ours, theirs = police.forecast_inputs(recent), police.forecast_inputs(whole)
    for method in METHODS:
        for ahead in (False, True):
            winners = {"": method}
            got = police.period_forecast(filled, role="police", ahead=ahead, winners=winners, inputs=ours)
            expected = police.period_forecast(filled, role="police", ahead=ahead, winners=winners, inputs=theirs)
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
            assert got.attrs == expected.attrs and got["score"].sum() > 0
    forecast = police.period_forecast(filled, role="police", winners={"": "blend"}, inputs=ours)
    plan, expected_plan = (
        patrol.suggest(r, now=end, patrols=2, shift=(18, 2), forecast=forecast) for r in (recent, whole)
    )
    pd.testing.assert_frame_equal(plan.table, expected_plan.table)
    assert (plan.covered, plan.total) == (expected_plan.covered, expected_plan.total)
    areas, expected_areas = (patrol.balanced_areas(r, now=end, areas=3) for r in (recent, whole))
    assert areas is not None and expected_areas is not None
    pd.testing.assert_frame_equal(areas.areas, expected_areas.areas)


_CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.tuples(*[_CELL_VALUES] * width), max_size=6)))
def test_rows_frame_is_the_frame_pandas_builds_from_the_rows(rows) -> None:  # type: ignore[no-untyped-def]
    """The column-wise build gives pandas' own frame of the rows: every value and every inferred type."""
    width = len(rows[0]) if rows else 2
    columns = [f"c{i}" for i in range(width)]
    pd.testing.assert_frame_equal(rows_frame(rows, columns), pd.DataFrame(list(rows), columns=columns))


def test_rows_frame_refuses_repeated_column_names() -> None:
    with pytest.raises(ValueError, match="repeated column names"):
        rows_frame([(1, 2)], ["a", "a"])
