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
    book = load_workbook(io.BytesIO(council.programme_report_xlsx(engine, reports, user=COUNCIL, period=quarter,
                                                                  today=date(2026, 1, 1))))
    sheet = book["actions"]
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
    pdf = PdfReader(io.BytesIO(council.programme_report_pdf(engine, reports, user=COUNCIL, period=quarter,
                                                           today=date(2026, 1, 1))))
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for action in _due_in(quarter):
        for text in (action["description"], action["public_note"]):
            for word in text.split():  # wrapped over lines, but every word is there
                assert word in words, (word, text)
    assert t("council.col_public_note").split()[0] in words
