"""The programme report covers the chosen period only, prints every cell in full and has a
"what was done" column (oracle: the demo action plan file, filtered by hand)."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from auth.users import User
from i18n import t
from layers.privacy import Quarter
from services import council
from services.demo import DEMO_DIR

COUNCIL = User("rada", "council")


def _due_in(quarter: Quarter) -> list[dict]:
    with (DEMO_DIR / "actions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first, last = quarter.start.date(), quarter.end.date()
    return [r for r in rows if first <= date.fromisoformat(r["due_date"]) < last]


def test_xlsx_holds_exactly_the_quarters_actions_with_their_notes(demo_store) -> None:
    engine, quarter = demo_store["engine"], Quarter(2025, 2)
    reports = council.load(engine, role="council")
    book = load_workbook(
        io.BytesIO(council.programme_report_xlsx(engine, reports, user=COUNCIL, period=quarter, today=date(2026, 1, 1)))
    )
    sheet = book[t("council.h_actions")]
    header = [c.value for c in sheet[1]]
    assert t("council.col_public_note") in header
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    expected = _due_in(quarter)
    assert len(expected) >= 3
    assert sorted(r[t("council.col_description")] for r in rows) == sorted(r["description"] for r in expected)
    assert sorted(r[t("council.col_public_note")] or "" for r in rows) == sorted(r["public_note"] for r in expected)
    assert all(t("council.col_" + k) in header for k in ("owner_org", "due_date", "status"))


def test_pdf_prints_long_cells_in_full(demo_store) -> None:
    engine, quarter = demo_store["engine"], Quarter(2025, 2)
    reports = council.load(engine, role="council")
    pdf = PdfReader(
        io.BytesIO(council.programme_report_pdf(engine, reports, user=COUNCIL, period=quarter, today=date(2026, 1, 1)))
    )
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for action in _due_in(quarter):
        for text in (action["description"], action["public_note"]):
            for word in text.split():  # wrapped over lines, but every word is there
                assert word in words, (word, text)
    assert t("council.col_public_note").split()[0] in words


def test_report_carries_progress_milestones_and_measured_effect(demo_store) -> None:
    """Issue 22: per action, the rolled-up progress, its milestones and the WDD (or why not);
    each effect cell is the effect service's own answer for that action."""
    from services.actions import actions_frame, add_milestone, update
    from services.effect import effects

    engine, quarter = demo_store["engine"], Quarter(2024, 3)
    plan = council.actions_in(actions_frame(engine, today=date(2026, 1, 1)), quarter)
    target = int(plan["id"].iloc[0])
    update(engine, target, {"progress": 80}, user=COUNCIL)
    add_milestone(engine, target, title="Етап «1»", on_date=date(2024, 8, 2), text="рейд\nранок", user=COUNCIL)
    tables = council.programme_tables(
        engine, council.load(engine, role="council"), period=quarter, today=date(2026, 1, 1), role="council", lang="en"
    )
    shown = tables["actions"].set_index(t("council.col_id", "en"))
    assert shown.loc[target, t("plan.col_progress_total", "en")] == 80
    assert shown.loc[target, t("plan.col_milestones", "en")] == "2024-08-02 Етап «1»: рейд\nранок"
    found = effects(engine, plan, role="council", today=date(2026, 1, 1)).set_index("id")
    for aid, cell in shown[t("plan.col_effect", "en")].items():
        row = found.loc[aid]
        expected = (
            t("plan.reason." + row["reason"], "en")
            if isinstance(row["reason"], str)
            else t("plan.effect_value", "en", wdd=row["wdd"], se=row["wdd_se"], z=row["wdd_z"])
        )
        assert cell == expected
    partner = council.programme_tables(
        engine, council.load(engine, role="council"), period=quarter, today=date(2026, 1, 1), role="partner", lang="en"
    )["actions"]
    assert set(partner[t("plan.col_effect", "en")]) == {t("plan.effect_restricted", "en")}


def test_effects_read_from_the_ring_cells_equal_those_from_every_report(demo_store) -> None:
    """The effect service reads only the reports in the finished actions' rings; measured
    against every counted report (the row path) each action gets the same answer."""
    import pandas as pd

    from data.records import H3_RESOLUTIONS
    from data.store.aggregates import report_columns
    from services.actions import actions_frame
    from services.effect import effects

    engine, today = demo_store["engine"], date(2026, 1, 1)
    plan = actions_frame(engine, today=today)
    everything = report_columns(engine, ("id", "occurred_at", *(f"h3_r{r}" for r in H3_RESOLUTIONS)))
    read = effects(engine, plan, role="council", today=today)
    assert read["wdd"].notna().sum() >= 1
    pd.testing.assert_frame_equal(read, effects(engine, plan, role="council", today=today, reports=everything))


def test_reports_raised_at_meetings_are_counted_by_the_store(demo_store) -> None:
    engine = demo_store["engine"]
    rows = council.load(engine, role="council")
    assert council.raised_at_meetings(engine, role="council") == rows["meeting_id"].notna().sum() > 0
