"""Blank meeting-minutes templates, the files the meeting facilitators fill in.

Shipping the template (rather than accepting any spreadsheet) is what makes minutes
importable without a moderator's mapping: the labels and columns written here are the
ones :mod:`data.intake.minutes` reads. Regenerate with ``python -m data.intake.templates``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from data.categories import CATEGORIES
from data.city_profile import profile

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
XLSX_TEMPLATE = TEMPLATE_DIR / "meeting_minutes_template.xlsx"
DOCX_TEMPLATE = TEMPLATE_DIR / "meeting_minutes_template.docx"
FIXED_TIME = datetime(2024, 1, 1)  # document properties: a rebuild does not change them

MEETING_ROWS = (
    ("Номер зустрічі / Meeting ID", "наприклад: 3 / e.g. 3"),
    ("Дата / Date", "ДД.ММ.РРРР / DD.MM.YYYY"),
    ("Місце / Place", "адреса або назва закладу / address or venue"),
    ("Кількість учасників / Attendees", "число / a number"),
)
PROBLEM_COLUMNS = (
    ("№", 6),
    ("Місце / Place", 32),
    ("Проблема / Problem", 60),
    ("Категорія / Category", 30),
    ("Запропоноване рішення / Proposed solution", 45),
    ("Партнери / Partners", 35),
)
TEMPLATE_ROWS = 50


def write_minutes_template(path: Path = XLSX_TEMPLATE) -> Path:
    """Write the blank XLSX minutes template; returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    meeting = workbook.active
    meeting.title = "meeting"
    meeting.append(["Поле / Field", "Значення / Value", "Підказка / Hint"])
    for label, hint in MEETING_ROWS:
        meeting.append([label, None, hint])
    meeting["B3"].number_format = "DD.MM.YYYY"
    for column, width in zip("ABC", (34, 30, 42), strict=True):
        meeting.column_dimensions[column].width = width
    for cell in meeting[1]:
        cell.font = Font(bold=True)

    problems = workbook.create_sheet("problems")
    problems.append([title for title, _ in PROBLEM_COLUMNS])
    for index, (_, width) in enumerate(PROBLEM_COLUMNS):
        problems.column_dimensions[chr(ord("A") + index)].width = width
    for cell in problems[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    problems.freeze_panes = "A2"

    categories = workbook.create_sheet("categories")
    categories.append(["Категорія / Category", "slug"])
    for slug, category in CATEGORIES.items():
        categories.append([category.uk, slug])
    categories.column_dimensions["A"].width = 42
    # A list validation longer than 255 characters must point at cells, not inline text.
    validation = DataValidation(
        type="list", formula1=f"=categories!$A$2:$A${len(CATEGORIES) + 1}", allow_blank=True, showErrorMessage=False
    )
    problems.add_data_validation(validation)
    validation.add(f"D2:D{TEMPLATE_ROWS + 1}")

    workbook.properties.creator = f"{profile().names.en} safety map"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_minutes_docx_template(path: Path = DOCX_TEMPLATE) -> Path:
    """Write the blank DOCX minutes template (label lines, then the problems table)."""
    import docx

    document = docx.Document()
    document.add_heading("Протокол зустрічі № ___ / Meeting minutes", level=1)
    for label, _ in MEETING_ROWS:
        document.add_paragraph(f"{label}: ")
    table = document.add_table(rows=1 + 5, cols=len(PROBLEM_COLUMNS))
    table.style = "Table Grid"
    for cell, (title, _) in zip(table.rows[0].cells, PROBLEM_COLUMNS, strict=True):
        cell.text = title
    document.add_paragraph("Категорії / Categories: " + "; ".join(category.uk for category in CATEGORIES.values()))
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(write_minutes_template())
    print(write_minutes_docx_template())
