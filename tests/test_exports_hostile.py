"""CSV and XLSX downloads: no text cell is a live formula, numbers stay numbers, the files
open as UTF-8 (BOM), and times are city time with the zone in the column name."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_layers_privacy import make_addresses, make_reports, released

from auth.users import User
from data.city_profile import city_zone
from encoders import FORMULA_START, visible_controls
from i18n import t
from layers.exports import council_csv, police_csv, public_csv, xlsx_bytes
from layers.privacy import Quarter, public_table

FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "＝1+1",
    "=cmd|' /C calc'!A0",
]
SHOWN = ["'" + visible_controls(f) for f in FORMULAS]  # OWASP's apostrophe; a CR shown as ‹U+000D›


def is_live_formula(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_START)


def police_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(len(FORMULAS)),
            "category": "litter",
            "occurred_at": [datetime(2026, 7, 1, 21, 30, tzinfo=UTC)] * len(FORMULAS),
            "received_at": [datetime(2026, 1, 1, 22, 0, tzinfo=UTC)] * len(FORMULAS),
            "status": "new",
            "text": FORMULAS,
            "location_text": ["вул. Соборності, 23"] * len(FORMULAS),
            "uncertainty_m": -5.5,
            "lat": 47.56,
            "lon": 31.33,
        }
    )


def read_csv(text: str) -> pd.DataFrame:
    raw = text.encode("utf-8")  # what st.download_button sends
    assert raw.startswith(codecs.BOM_UTF8)
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8", keep_default_na=False)


def test_police_csv_neutralises_formulas_keeps_numbers_and_gives_city_time() -> None:
    out = read_csv(police_csv(police_frame(), role="police"))
    zone = city_zone().key
    assert out.columns[0] == "id"  # the BOM is not part of the first name
    assert not any(is_live_formula(v) for v in out["text"])
    assert out["text"].tolist() == SHOWN
    assert out["location_text"].iloc[0] == "вул. Соборності, 23"  # opens as UTF-8
    assert out["uncertainty_m"].dtype.kind == "f" and out["uncertainty_m"].iloc[0] == -5.5  # numbers stay
    assert out[f"occurred_at ({zone})"].iloc[0] == "2026-07-02 00:30:00"  # summer: UTC+3
    assert out[f"received_at ({zone})"].iloc[0] == "2026-01-02 00:00:00"  # winter: UTC+2
    assert "occurred_at" not in out.columns


def test_police_csv_text_keeps_the_whole_value_after_the_apostrophe() -> None:
    text = police_csv(police_frame(), role="admin")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["text"] for r in rows] == SHOWN


def test_council_csv_neutralises_names_and_descriptions() -> None:
    frame = pd.DataFrame({"owner_org": FORMULAS, "description": FORMULAS[::-1], "n": range(len(FORMULAS))})
    out = read_csv(council_csv(frame, role="council"))
    assert not any(is_live_formula(v) for col in ("owner_org", "description") for v in out[col])
    assert out["n"].tolist() == list(range(len(FORMULAS)))


def test_public_csv_opens_as_utf8() -> None:
    t = public_table(released(make_reports(3, 120), make_addresses(3)), period=Quarter(2026, 1), group=None)
    out = read_csv(public_csv(t))
    assert out.columns[0] == "period" and len(out) == len(t.units)


def test_xlsx_holds_no_formula_and_keeps_numbers_dates_and_cyrillic() -> None:
    frame = pd.DataFrame(
        {
            "description": FORMULAS,
            "owner_org": ["ГО «Світанок»"] * len(FORMULAS),
            "n": range(len(FORMULAS)),
            "share": 0.25,
            "due_date": date(2026, 3, 1),
            "at": datetime(2026, 7, 1, 21, 30, tzinfo=UTC),
        }
    )
    book = load_workbook(io.BytesIO(xlsx_bytes({"actions": frame})))
    sheet = book["actions"]
    header = [c.value for c in sheet[1]]
    assert header == ["description", "owner_org", "n", "share", "due_date", f"at ({city_zone().key})"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(is_live_formula(c.value) for c in cells)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == SHOWN
    assert rows[0][1] == "ГО «Світанок»" and rows[0][2] == 0 and rows[0][3] == 0.25
    assert rows[0][4].date() == date(2026, 3, 1) and rows[0][5] == datetime(2026, 7, 2, 0, 30)


def test_programme_report_xlsx_neutralises_actions(sqlite_url, monkeypatch) -> None:
    from data.store.db import make_engine, upgrade
    from services import council

    engine = make_engine(sqlite_url)
    upgrade(engine)
    hostile = pd.DataFrame(
        {
            "id": [1],
            "owner_org": ['=HYPERLINK("http://evil.example")'],
            "description": ["+cmd|' /C calc'!A0"],
            "public_note": ["@SUM(1)"],
        }
    )
    monkeypatch.setattr(council, "programme_tables", lambda *a, **k: {"actions": hostile})
    data = council.programme_report_xlsx(
        engine, pd.DataFrame(), user=User("c", "council"), period=Quarter(2026, 1), today=date(2026, 4, 1)
    )
    sheet = load_workbook(io.BytesIO(data))[t("council.h_actions")]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" or is_live_formula(c.value) for c in cells)
    engine.dispose()


@pytest.mark.parametrize("value", ["\x00bad", "ok\x1b[2J", "\u202eevil"])
def test_xlsx_accepts_control_characters_shown_visibly(value) -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes({"t": pd.DataFrame({"text": [value]})})))
    shown = book["t"]["A2"].value
    assert "U+" in shown and not any(ch in shown for ch in "\x00\x1b\u202e")
