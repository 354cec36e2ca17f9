"""Issue 16: after an import through the moderation page, the batch's accounting is shown."""

from __future__ import annotations

import re

from i18n import t
from tests.e2e.helpers import go, open_page, sign_in, wait_idle

ROWS = "Дата;Опис;Адреса\n" + "01.03.2024;Сміття біля ринку вже тиждень, ніхто не прибирає;вул. Соборності 5\n" * 3


def test_moderator_sees_the_accounting_of_an_import(page, app_url, shot, tmp_path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, f"{app_url}/login")  # the first page of the session waits for the demo import
    page.get_by_label(t("auth.username")).wait_for(timeout=600_000)
    sign_in(page, app_url, "moderator")
    go(page, "nav.moderator")
    upload = tmp_path / "three-same-rows.csv"
    upload.write_text(ROWS, encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(str(upload))
    wait_idle(page)
    page.get_by_role("button", name=t("mod.import")).click()
    wait_idle(page)
    shown = t(
        "mod.accounting",
        file_name="three-same-rows.csv",
        batch_id="BATCH",
        read=3,
        imported=1,
        duplicates=2,
        repeats=2,
        quarantined=0,
        not_located=0,
        already_imported=0,
    )
    pattern = re.escape(shown).replace("BATCH", r"\d+")
    page.get_by_text(re.compile(pattern)).wait_for(timeout=120_000)
    shot("moderator-import-accounting")
