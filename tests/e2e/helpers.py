"""Small helpers for driving the Streamlit app in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page

from i18n import t

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DEMO_PASSWORDS = {
    "police": "demo-police-2025",
    "council": "demo-council-2025",
    "partner": "demo-partner-2025",
    "moderator": "demo-moderator-2025",
    "admin": "demo-admin-2025",
}


def wait_idle(page: Page, timeout_ms: int = 120_000) -> None:
    """Wait until Streamlit has finished the current run: no status widget and no stale
    elements left from the previous run (a rerun starts a moment after an input)."""
    page.get_by_test_id("stApp").wait_for(timeout=timeout_ms)
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=timeout_ms,
    )


def open_page(page: Page, url: str) -> None:
    page.goto(url, timeout=180_000)
    wait_idle(page, 180_000)


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign in with a demo account through the login page's form (it posts to /auth/login,
    which sets the HttpOnly session cookie; nothing goes into the URL)."""
    sign_in_as(page, base, username, DEMO_PASSWORDS[username])


def sign_in_as(page: Page, base: str, username: str, password: str) -> None:
    open_page(page, f"{base}/login")
    name = page.get_by_label(t("auth.username"))
    name.wait_for(timeout=180_000)  # the first page of a fresh server imports the demo data first
    name.fill(username)
    page.get_by_label(t("auth.password")).fill(password)
    page.get_by_role("button", name=t("auth.sign_in")).click()
    page.get_by_role("button", name=t("auth.sign_out")).wait_for(timeout=60_000)
    wait_idle(page)


def go(page: Page, title_key: str) -> None:
    """Follow a menu link, as a person would."""
    page.get_by_test_id("stSidebarNav").get_by_text(t(title_key), exact=True).click()
    wait_idle(page)


def map_ready(page: Page) -> None:
    page.locator(MAP_FRAME).first.wait_for(timeout=120_000)
    page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").wait_for(timeout=60_000)


def map_layers_version(page: Page) -> str | None:
    """The version of the overlays the map frame drew last (ui/map_frame.py writes it to the
    map element's data-layers), or None for a map without swapped layers."""
    frame = page.frame_locator(MAP_FRAME).first
    return frame.locator(".leaflet-container").first.get_attribute("data-layers", timeout=60_000)


def map_layers_changed(page: Page, before: str | None, timeout_ms: int = 30_000) -> None:
    """Wait until the map frame drew overlays other than `before` (in place or in a new frame);
    fails if the layers did not change within the timeout."""
    selector = ".leaflet-container[data-layers]"
    if before is not None:
        selector += f':not([data-layers="{before}"])'
    page.frame_locator(MAP_FRAME).first.locator(selector).first.wait_for(timeout=timeout_ms)


# Open every popup and tooltip of the map (st_folium keeps the Leaflet map in window.map),
# markers inside clusters included, as a click or hover would; returns their texts.
OPEN_ALL = """() => {
    const map = window.map, seen = [];
    if (!map) { return seen; }
    const layers = [];
    const walk = layer => { layers.push(layer); if (layer.getLayers) { layer.getLayers().forEach(walk); } };
    map.eachLayer(walk);
    for (const layer of layers) {
        const bounds = !layer.getLatLng && layer.getBounds && layer.getBounds();
        const where = layer.getLatLng ? layer.getLatLng() : bounds && bounds.isValid() ? bounds.getCenter() : null;
        if (!where) { continue; }
        const popup = layer.getPopup && layer.getPopup();
        if (popup) {
            map.openPopup(popup, where);
            seen.push(popup.getElement().innerText);
            map.closePopup(popup);
        }
        const tooltip = layer.getTooltip && layer.getTooltip();
        if (tooltip) {
            map.openTooltip(tooltip, where);
            seen.push(tooltip.getElement().innerText);
            map.closeTooltip(tooltip);
        }
    }
    return seen;
}"""


def poke_maps(page: Page) -> list[str]:
    """Hover and click everything on every map; returns the popup/tooltip texts seen."""
    seen = []
    for i in range(page.locator(MAP_FRAME).count()):
        frame = page.frame_locator(MAP_FRAME).nth(i)
        frame.locator(".leaflet-container").wait_for(timeout=60_000)
        seen += frame.locator("body").evaluate(f"(body) => ({OPEN_ALL})()")
    return seen
