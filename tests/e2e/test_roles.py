"""Each audience does its main job in headless Chromium; screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest

from i18n import t
from tests.e2e.helpers import go, map_layers_changed, map_ready, sign_in, wait_idle

pytestmark = pytest.mark.e2e

ROLE_PAGES = {
    "police": ["nav.police"],
    "council": ["nav.council"],
    "partner": ["nav.council"],
    "moderator": ["nav.moderator"],
    "admin": ["nav.police", "nav.council", "nav.moderator", "nav.admin"],
}
#: pages whose map frame draws its layers after the page (ui/map_frame.py marks them drawn)
LAYERED_MAPS = ("nav.police", "nav.council")


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_role_signs_in_and_opens_its_pages(page, app_url, shot, role) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, app_url, role)
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    for key in ("nav.police", "nav.council", "nav.moderator", "nav.admin"):
        assert (t(key) in nav) == (key in ROLE_PAGES[role]), (role, key)
    for key in ROLE_PAGES[role]:
        go(page, key)
        assert t("auth.forbidden") not in page.content()
        if key in LAYERED_MAPS:  # the screenshot shows the drawn map, not its grey frame
            map_ready(page)
            map_layers_changed(page, None)
        shot(f"{role}-{key.split('.')[1]}")
    page.reload()  # the sign-in survives a refresh
    wait_idle(page)
    assert t(ROLE_PAGES[role][0]) in page.get_by_test_id("stSidebarNav").inner_text()
