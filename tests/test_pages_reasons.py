"""A moderator reads import notes and quarantine reasons in their own language (AppTest):
after importing a file with a bad date, a report without a place and a blank row, the
upload section names the batch's notes and the queue names each reason in Ukrainian, or
in English after the switch, never in the other language."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data.messages import msg
from i18n import LANGS, say, t
from tests.conftest import ROOT
from tests.language import foreign_words

ROWS = (
    "Дата;Опис;Адреса\n"
    "31.02.2024;Сміття біля ринку вже тиждень;вул. Соборності 5\n"
    "01.03.2024;Десь у місті знову темно вночі;\n"
    ";;\n"
)
FILE = "reasons.csv"
BAD_DATE = msg("row_problem", row=2, problem=msg("bad_date", value="31.02.2024"))


@pytest.fixture(scope="module")
def reasons_store(demo_store, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A copy of the demo store with one more batch: the file above."""
    from data.store.db import make_engine, open_store
    from services.importer import import_file
    from services.moderation import batch_accounting

    folder = tmp_path_factory.mktemp("reasons")
    shutil.copy(demo_store["url"].removeprefix("sqlite:///"), folder / "store.db")
    url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(url)
    path = folder / FILE
    path.write_text(ROWS, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTSPOTS_SALT_FILE", str(demo_store["salt"]))
    mp.setenv("DATABASE_URL", url)
    summary = import_file(path, engine)
    assert (summary.quarantined, summary.not_located) == (2, 1)
    st.cache_resource.clear()  # the app's engine is one per process: this module's pages read this copy
    open_store.cache_clear()
    yield {"engine": engine, "batch": batch_accounting(engine, summary.batch_id)}
    st.cache_resource.clear()  # and later pages read their own store again
    open_store.cache_clear()
    mp.undo()
    engine.dispose()


def _moderator_page(store: dict, section: str, lang: str) -> AppTest:
    from auth import sessions

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["session_id"] = sessions.open_session(store["engine"], "moderator")
    at.session_state["lang"] = lang
    at.session_state["mod-section"] = section
    if section == "upload":
        at.session_state["mod-batches"] = [store["batch"]]
    at.switch_page(str(ROOT / "ui" / "pages" / "moderator.py")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_the_batch_notes_are_in_the_readers_language(reasons_store, lang: str) -> None:
    notes = reasons_store["batch"]["notes"]
    assert msg("note_blank_rows", n=1) in notes
    at = _moderator_page(reasons_store, "upload", lang)
    texts = [str(e.value) for e in at.text]
    for note in notes:
        assert f"{FILE}: {say(note, lang)}" in texts
    for text in texts:
        assert foreign_words(text.removeprefix(f"{FILE}: "), lang) == [], text


@pytest.mark.parametrize("lang", LANGS)
def test_the_queue_names_each_reason_in_the_readers_language(reasons_store, lang: str) -> None:
    at = _moderator_page(reasons_store, "queue", lang)
    [table] = at.dataframe
    reasons = list(table.value[t("mod.col_reason", lang)])
    assert say(BAD_DATE, lang) in reasons and say(msg("not_located"), lang) in reasons
    assert [(r, w) for r in set(reasons) if (w := foreign_words(r, lang))] == []
    captions = [str(e.value) for e in at.caption]
    assert any(c.startswith(t("mod.chosen_reason", lang, reason="")) for c in captions)
    assert [c for c in captions if foreign_words(c, lang)] == []
