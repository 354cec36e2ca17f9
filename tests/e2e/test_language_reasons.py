"""Issue 19e in Chromium: a moderator who imports a file that cannot be read and a file with
a bad date, a report without a place and a blank row reads the problem, the notes and the
quarantine reason in the chosen language, never in the other one.
Screenshots: tests/artifacts/lang-<lang>-reasons.png and lang-<lang>-reasons-queue.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from data.messages import msg
from i18n import say, t
from tests.e2e.helpers import open_page, sign_in, wait_idle
from tests.language import foreign_words

pytestmark = pytest.mark.e2e

MARK = {"uk": 101, "en": 202}  # each language imports its own file (the same file is imported once)


def _rows(lang: str) -> str:
    return (
        "Дата;Опис;Адреса\n"
        f"31.02.2024;Смітник переповнений біля ринку номер {MARK[lang]};вул. Соборності 5\n"
        f"01.03.2024;Десь у місті знову темно вночі номер {MARK[lang]};\n"
        ";;\n"
    )


def _texts(page: Page) -> list[str]:
    """What the page shows as plain text (st.text): here the import's problems and notes."""
    return [e.inner_text() for e in page.get_by_test_id("stText").all()]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_the_moderator_reads_problems_notes_and_reasons_in_one_language(page, app_url, shot, tmp_path, lang) -> None:
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, f"{app_url}/login")
    page.get_by_label(t("auth.username")).wait_for(timeout=600_000)  # the first page waits for the demo
    sign_in(page, app_url, "moderator")
    if lang == "en":
        page.get_by_role("combobox", name=t("app.language", "uk")).click()
        page.get_by_role("option", name="English").click()
        wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.moderator", lang), exact=True).click()
    wait_idle(page)
    odd, good = tmp_path / f"odd-{lang}.csv", tmp_path / f"reasons-{lang}.csv"
    odd.write_text("a;b\n1;2\n", encoding="utf-8")
    good.write_text(_rows(lang), encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files([str(odd), str(good)])
    wait_idle(page)
    page.get_by_role("button", name=t("mod.import", lang)).click()
    wait_idle(page)
    unreadable = say(msg("no_header", rows=30), lang)
    page.get_by_test_id("stText").filter(has_text=unreadable).first.wait_for(timeout=120_000)
    blank = f"{good.name}: {say(msg('note_blank_rows', n=1), lang)}"
    page.get_by_test_id("stText").filter(has_text=blank).first.wait_for(timeout=120_000)
    shot(f"lang-{lang}-reasons")
    texts = _texts(page)
    assert unreadable in texts and blank in texts
    staff_texts = [text.removeprefix(f"{good.name}: ") for text in texts]
    assert [(text, words) for text in staff_texts if (words := foreign_words(text, lang))] == []

    page.get_by_text(t("mod.queue", lang), exact=True).click()
    page.get_by_text(t("mod.filter_reason", lang), exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("combobox", name=t("mod.choose", lang)).click()
    page.keyboard.type(f"ринку номер {MARK[lang]}")
    page.keyboard.press("Enter")
    wait_idle(page)
    bad_date = msg("row_problem", row=2, problem=msg("bad_date", value="31.02.2024"))
    caption = t("mod.chosen_reason", lang, reason=say(bad_date, lang))
    page.get_by_text(caption, exact=True).wait_for(timeout=60_000)
    shot(f"lang-{lang}-reasons-queue")
    assert foreign_words(caption, lang) == []
