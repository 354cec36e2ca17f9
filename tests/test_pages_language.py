"""Every page in each language, rendered by streamlit's AppTest: every table header is a
catalogue text of that language (never a raw column name like `cell_id` or `n_reports`), and
no label, message, option or non-data cell shows the other language (tests/language.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from i18n import LANGS, catalogue, t
from tests.conftest import ROOT
from tests.language import ALLOWED_LATIN, foreign_words

SESSION_KEY = "session_id"  # ui.state.SESSION_KEY (importing ui.state needs a running app)
#: page -> the user it is walked as (None: public)
PAGES = {
    "public_map": None,
    "report": None,
    "rules": None,
    "method": None,
    "police": "police",
    "council": "council",
    "moderator": "moderator",
    "admin": "admin",
}
MODERATOR_SECTIONS = ("upload", "queue", "edit")
#: expanders whose content is made only while open (session state keys): walked open
OPENED = {"police": ("police-areas-open", "police-accuracy-open", "police-effects-open")}
#: columns whose cells are data (people's or files' own words, names without a translation)
DATA_COLUMNS = (
    "council.col_description",
    "council.col_owner_org",
    "council.col_public_note",
    "council.col_place",
    "plan.col_milestones",
    "plan.col_minutes",
    "plan.col_public_summary",
    "plan.col_organisations",
    "plan.col_agreed",
    "police.col_landmark",
    "public.col_note",
    "mod.col_excerpt",
    "table.username",
    "table.organisation",
    "table.owner_org",
    "table.description",
    "table.actor",
    "table.target",
    "table.detail",
    "plan.milestone_title",
    "plan.milestone_text",
)
#: widgets whose choices are data (actions, meetings, organisations, users, places, reports)
DATA_CHOICES = (
    "council.col_id",
    "council.col_owner_org",
    "plan.agreed_owner",
    "plan.organisations",
    "plan.agreed_existing",
    "plan.meeting",
    "admin.organisation",
    "accounts.user",
    "police.cell",
    "mod.choose",
)
TEXT_KINDS = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success")
WIDGET_KINDS = (
    "selectbox",
    "multiselect",
    "radio",
    "number_input",
    "text_input",
    "text_area",
    "toggle",
    "button",
    "slider",
    "date_input",
    "checkbox",
    "metric",
    "expander",
    "tab",
)


@pytest.fixture(scope="module")
def render(demo_store):  # type: ignore[no-untyped-def]
    from auth import sessions

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", demo_store["url"])
    mp.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))

    def start(page: str, lang: str) -> Iterator[AppTest]:
        """The page as `lang` shows it (the moderator page once per section). One run each:
        AppTest formats widget values outside the page, where the language is the default."""
        for section in MODERATOR_SECTIONS if page == "moderator" else (None,):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
            if PAGES[page]:
                at.session_state[SESSION_KEY] = sessions.open_session(demo_store["engine"], PAGES[page])
            at.session_state["lang"] = lang
            if section:
                at.session_state["mod-section"] = section
            for expander in OPENED.get(page, ()):
                at.session_state[expander] = True
            at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py")).run()
            assert not at.exception, [e.value for e in at.exception]
            yield at

    yield start
    mp.undo()


def header_ok(header: object, lang: str) -> bool:
    """A catalogue text of `lang`, or words each of which is one (e.g. "Naive" + " PEI*")."""
    texts = {entry[lang] for entry in catalogue().values()}
    name = str(header)
    return name in texts or all(part in texts or part in ALLOWED_LATIN for part in name.split())


def problems(at: AppTest, lang: str) -> list[str]:
    data_headers = {t(key, lang) for key in DATA_COLUMNS}
    data_choices = {t(key, lang) for key in DATA_CHOICES} | {t("app.language", lang)}
    found = []
    for frame in at.dataframe:
        table: pd.DataFrame = frame.value
        found += [f"raw or untranslated header {c!r}" for c in table.columns if not header_ok(c, lang)]
        for column in table.columns:
            if column in data_headers or table[column].dtype != object:
                continue
            for value in table[column].dropna().unique()[:200]:
                if isinstance(value, str) and (words := foreign_words(value, lang)):
                    found.append(f"cell of {column!r}: {value!r} {words}")
    for kind in TEXT_KINDS:
        for element in at.get(kind):
            if words := foreign_words(str(element.value), lang):
                found.append(f"{kind} {str(element.value)[:80]!r} {words}")
    for kind in WIDGET_KINDS:
        for element in at.get(kind):
            label = str(getattr(element, "label", "") or "")
            shown = [label]
            if label not in data_choices:
                shown += [str(o) for o in getattr(element, "options", [])]
            for text in shown:
                if words := foreign_words(text, lang):
                    found.append(f"{kind} {label!r}: {text[:80]!r} {words}")
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_speaks_one_language_and_names_every_column(render, page: str, lang: str) -> None:
    seen = 0
    for at in render(page, lang):
        assert problems(at, lang) == []
        seen += len(at.dataframe)
    assert seen or page in ("report", "rules", "method"), "no table was checked"


def test_the_checks_catch_a_raw_header_and_the_other_language() -> None:
    assert not header_ok("n_reports", "en") and not header_ok("cell_id", "uk")
    assert header_ok(t("police.col_n", "uk"), "uk") and header_ok(t("police.acc_naive", "en") + " PEI*", "en")
    assert foreign_words("Мікрорайон", "en") and foreign_words("Microdistrict", "uk")
    assert not foreign_words("Комірка H3, PDF", "uk") and not foreign_words("H3 cell 891e43a554bffff", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_police_csv_names_its_columns_and_codes(demo_store, lang: str) -> None:
    import csv
    import io

    from auth.users import User
    from data.categories import CATEGORIES
    from data.categories import label as category_label
    from layers.exports import time_label
    from services import police

    engine = demo_store["engine"]
    reports = police.load(engine).head(50)
    rows = list(
        csv.reader(
            io.StringIO(
                police.export_csv(reports, user=User("p", "police"), engine=engine, lang=lang).removeprefix("\ufeff")
            )
        )
    )  # BOM: for Excel
    zone = time_label("")  # times carry their zone in the header: " (<zone>)"
    assert all(header_ok(h.removesuffix(zone), lang) for h in rows[0]), rows[0]
    category = rows[0].index(t("export.category", lang))
    assert {r[category] for r in rows[1:]} <= {category_label(c, lang) for c in CATEGORIES}
