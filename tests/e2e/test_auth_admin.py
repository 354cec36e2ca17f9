"""Sessions and admin actions as an attacker and an admin see them, in headless Chromium."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page

from i18n import t
from services.admin import PURGE_WORD
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import go, open_page, sign_in, sign_in_as, wait_idle

pytestmark = pytest.mark.e2e


def admin_form(page: Page, heading: str):  # type: ignore[no-untyped-def]
    """The admin form under `heading`."""
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("heading", name=heading, exact=True))


def choose(page: Page, form, label_key: str, option: str) -> None:  # type: ignore[no-untyped-def]
    form.get_by_label(t(label_key)).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_adds_a_user_then_deactivates_it_and_its_open_session_stops(browser, app_url) -> None:
    admin = browser.new_context(viewport={"width": 1600, "height": 1200}).new_page()
    sign_in(admin, app_url, "admin")
    go(admin, "nav.admin")
    name, password = f"e2e-{uuid.uuid4().hex[:8]}", "e2e-password-123"
    add = admin_form(admin, t("accounts.add"))
    add.get_by_label(t("auth.username")).fill(name)
    add.get_by_label(t("auth.password")).fill(password)
    add.get_by_role("button", name=t("accounts.add_button")).click()
    admin.get_by_text(t("accounts.added", user=name)).wait_for(timeout=30_000)

    officer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in_as(officer, app_url, name, password)
    go(officer, "nav.police")
    officer.get_by_role("heading", name=t("police.title")).wait_for(timeout=60_000)
    assert name not in officer.url and "session" not in officer.url

    go(admin, "nav.admin")
    deactivate = admin_form(admin, f"{t('accounts.deactivate')} / {t('accounts.reactivate')}")
    choose(admin, deactivate, "accounts.user", name)
    deactivate.get_by_role("button", name=t("accounts.deactivate"), exact=True).click()
    admin.get_by_text(t("accounts.deactivated", user=name, sessions=1)).wait_for(timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "admin-deactivated.png"), full_page=True)

    go(officer, "nav.login")  # the officer's next click, in the same open page
    officer.get_by_text(t("signin.ended")).wait_for(timeout=30_000)
    assert t("nav.police") not in officer.get_by_test_id("stSidebarNav").inner_text()
    officer.reload()
    wait_idle(officer)
    assert t("nav.police") not in officer.get_by_test_id("stSidebarNav").inner_text()
    officer.screenshot(path=str(ARTIFACTS / "deactivated-user-signed-out.png"), full_page=True)


def test_purge_needs_the_dry_run_and_the_typed_word(page, app_url, shot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    sign_in(page, app_url, "admin")
    go(page, "nav.admin")
    page.get_by_role("tab", name=t("admin.purge")).click()
    wait_idle(page)
    assert page.get_by_role("button", name=t("purge.run")).count() == 0  # no purge before its dry run
    page.get_by_role("button", name=t("purge.dry_run")).click()
    wait_idle(page)
    page.get_by_text(t("purge.would", word=PURGE_WORD)).wait_for(timeout=30_000)
    confirm = page.get_by_label(t("purge.confirm"))
    confirm.fill("purge please")
    page.get_by_role("button", name=t("purge.run")).click()
    wait_idle(page)
    refused = t("accounts.refused", reason=t("msg.purge_type_word", word=PURGE_WORD))  # in the page's language
    page.get_by_text(refused).wait_for(timeout=30_000)
    confirm.fill(PURGE_WORD)
    page.get_by_role("button", name=t("purge.run")).click()
    wait_idle(page)
    page.get_by_text(t("purge.done")).wait_for(timeout=60_000)
    page.get_by_role("tab", name=t("admin.audit")).click()
    wait_idle(page)
    shot("admin-purge-audited")


def test_a_police_session_cannot_reach_admin_actions(page, app_url) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, app_url, "police")
    assert t("nav.admin") not in page.get_by_test_id("stSidebarNav").inner_text()
    open_page(page, f"{app_url}/admin")  # typed straight into the address bar
    assert page.get_by_role("heading", name=t("nav.admin")).count() == 0
    assert page.get_by_role("tab", name=t("admin.purge")).count() == 0
    assert page.get_by_role("button", name=t("purge.dry_run")).count() == 0
    assert t("nav.police") in page.get_by_test_id("stSidebarNav").inner_text()  # still signed in, as police
