"""Every page in each language in Chromium, as a person walks it: the English walk shows no
Ukrainian, the Ukrainian walk no English, outside data (tests/language.py, docs/LANGUAGE.md).

Read is what a person sees as text: the page (sidebar and main part), the maps' frames and
every popup and tooltip of the police map, opened.
Exempt in the page: residents' own text (st.text), code spans, the language switch, the
chosen value of a select box whose choices are data (an action, a meeting, a report) and
Streamlit's own words that it offers no way to translate (the file drop zone's "Upload" and
"200MB per file", the hidden "Skip to main content" link).
Tables are grids drawn on a canvas; their headers and cells are checked in
tests/test_pages_language.py. Screenshots: tests/artifacts/lang-<lang>-<page>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from i18n import t
from tests.e2e.helpers import MAP_FRAME, open_page, poke_maps, sign_in, wait_idle
from tests.language import foreign_words

pytestmark = pytest.mark.e2e

PUBLIC = ("public_map", "report", "rules", "method")
STAFF = ("police", "council", "moderator", "admin")
TITLES = {
    "public_map": "app.title",
    "report": "nav.report",
    "rules": "rules.title",
    "method": "method.title",
    "police": "police.title",
    "council": "council.title",
    "moderator": "nav.moderator",
    "admin": "nav.admin",
}
MAPS = ("public_map", "police", "council")
DATA_CHOICES = (
    "council.col_id",
    "plan.meeting",
    "plan.agreed_owner",
    "mod.choose",
    "police.cell",
    "accounts.user",
    "admin.organisation",
    "council.col_owner_org",
)

#: Streamlit's own link for screen readers, hidden until focused, and a component frame's
#: <noscript> text, read when a frame is caught before it loads (never shown with JavaScript on)
FRAMEWORK_TEXT = ("Skip to main content", "You need to enable JavaScript to run this app.")
#: the page's visible text without the exempt parts (see the module's docstring)
VISIBLE_TEXT = """(dataLabels) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const exempt = [...app.querySelectorAll('[data-testid="stText"], code, [data-testid="stIconMaterial"],'
                                          + ' [data-testid="stToolbar"], [data-testid="stStatusWidget"],'
                                          + ' [data-testid="stFileUploaderDropzone"]')];
  app.querySelectorAll('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').forEach(box => {
    const label = (box.querySelector('label') || {}).innerText || '';
    if (dataLabels.includes(label.trim())) exempt.push(...box.querySelectorAll('label ~ div'));
  });
  // placeholders shown: empty text fields, multiselects with nothing chosen (a select box always has a value)
  const shown = [...app.querySelectorAll('[data-testid="stMultiSelect"] input[placeholder]')]
      .filter(e => !e.closest('[data-testid="stMultiSelect"]').querySelector('[data-baseweb="tag"]'))
      .concat([...app.querySelectorAll('[data-testid="stTextInput"] input[placeholder],'
                                       + ' [data-testid="stTextArea"] textarea[placeholder]')].filter(e => !e.value));
  let text = app.innerText + '\\n' + shown.map(e => e.placeholder).join('\\n');
  for (const e of exempt) { const part = e.innerText; if (part) text = text.split(part).join('\\n'); }
  return text;
}"""


def switch_language(page: Page, lang: str) -> None:
    """Choose the language in the sidebar, as a person would."""
    if lang == "uk":
        return
    page.get_by_role("combobox", name=t("app.language", "uk")).click()
    page.get_by_role("option", name="English").click()
    wait_idle(page)


def visit(page: Page, slug: str, lang: str) -> None:
    """Open a page from the menu and wait for its title, its maps and the end of its run."""
    page.get_by_test_id("stSidebarNav").get_by_text(t(f"nav.{slug}", lang), exact=True).click()
    page.locator("h1, h3").filter(has_text=t(TITLES[slug], lang)).first.wait_for(timeout=180_000)
    wait_idle(page)
    if slug in MAPS:
        page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").wait_for(timeout=120_000)
        page.frame_locator(MAP_FRAME).first.locator(".leaflet-control-scale").wait_for(timeout=60_000)
    wait_idle(page)


def foreign_on_page(page: Page, lang: str) -> list[str]:
    labels = [t(key, lang) for key in DATA_CHOICES]
    texts = [page.evaluate(VISIBLE_TEXT, labels)]
    texts += [
        frame.locator("body").inner_text()
        for frame in page.frames
        if frame != page.main_frame and frame.url.startswith(("about:srcdoc", "http"))
    ]
    return [
        line
        for text in texts
        for line in text.splitlines()
        if line.strip() not in FRAMEWORK_TEXT and foreign_words(line, lang)
    ]


def foreign_in_popups(page: Page, lang: str) -> list[str]:
    """Lines of the police map's popups and tooltips, every one opened, in the other language;
    a report's own text (its popup's last row, which may span lines) is data."""
    data = f"{t('popup.text', lang)}:"
    return sorted(
        {line for text in poke_maps(page) for line in text.split(data)[0].splitlines() if foreign_words(line, lang)}
    )


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_every_page_shows_one_language(page, app_url, shot, lang) -> None:
    page.set_viewport_size({"width": 1400, "height": 1200})
    found: dict[str, list[str]] = {}
    open_page(page, app_url)
    switch_language(page, lang)
    for slug in PUBLIC:
        visit(page, slug, lang)
        found[slug] = foreign_on_page(page, lang)
        shot(f"lang-{lang}-{slug}")
    sign_in(page, app_url, "admin")  # the admin sees every staff page; a new session starts in Ukrainian
    switch_language(page, lang)
    for slug in STAFF:
        visit(page, slug, lang)
        found[slug] = foreign_on_page(page, lang)
        shot(f"lang-{lang}-{slug}")
        if slug == "police":  # the popups and tooltips name codes and layers too
            found["police-popups"] = foreign_in_popups(page, lang)
        if slug == "moderator":  # the quarantine queue: reasons and sources by name
            page.get_by_text(t("mod.queue", lang), exact=True).click()
            page.get_by_text(t("mod.filter_reason", lang), exact=True).wait_for(timeout=60_000)
            wait_idle(page)
            found["moderator-queue"] = foreign_on_page(page, lang)
            shot(f"lang-{lang}-moderator-queue")
    assert {slug: lines for slug, lines in found.items() if lines} == {}
    assert re.search(t("nav.police", lang), page.get_by_test_id("stSidebarNav").inner_text())
