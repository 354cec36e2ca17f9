"""The briefing PDF has pages, Cyrillic text and the map image."""

from __future__ import annotations

import io

import h3
from pypdf import PdfReader

from services.briefing import Basemap, briefing_pdf, static_map_png


def test_briefing_pdf_has_cyrillic_text_and_the_map() -> None:
    cell = h3.latlng_to_cell(47.566, 31.33, 9)
    basemap = Basemap(
        streets=[[(31.32, 47.56), (31.34, 47.57)]],
        water=[[(31.30, 47.55), (31.31, 47.55), (31.31, 47.58), (31.30, 47.58)]],
        boundary=[(31.29, 47.55), (31.36, 47.55), (31.36, 47.58)],
    )
    png = static_map_png(basemap, [cell], ["1"], title="Вознесенськ")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = briefing_pdf(
        title="Інструктаж патрулів",
        subtitle="Тиждень 2025-06-30",
        header=["№", "Час", "Комірка"],
        rows=[["1", "22:00-00:00", cell]],
        map_png=png,
        notes=["Шум уночі, розпиття"],
    )
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1
    assert "Інструктаж патрулів" in text and "Шум уночі" in text and cell in text
    assert any(page.images for page in reader.pages)


def test_the_briefing_names_streets_and_categories_on_one_page_without_h3_ids(demo_store) -> None:
    import re

    from auth.users import User
    from data.categories import CATEGORIES
    from geo.gazetteer import load_gazetteer
    from i18n import t
    from services import patrol, police
    from services.clock import now

    engine = demo_store["engine"]
    plan = patrol.suggest(police.load(engine), now=now(), patrols=3, shift=(18, 2))
    header = [
        t("police.col_" + c) for c in ("window", "patrol", "place", "landmark", "district", "categories", "expected")
    ]
    pdf = police.briefing(
        plan, user=User("officer", "police"), engine=engine, title="Інструктаж", subtitle="s", header=header
    )
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) == 1
    assert not re.search(r"\b8[0-9a-f]{14}\b", text)  # no H3 id anywhere an officer reads
    streets = {s.full_name for s in load_gazetteer().streets}
    assert sum(1 for name in streets if name in text) >= 3
    assert any(c.uk in text for c in CATEGORIES.values())
    assert not any(re.search(rf"\b{slug}\b", text) for slug in CATEGORIES)  # no English category codes
    squeezed = re.sub(r"\s", "", text)
    assert all(re.sub(r"\s", "", word) in squeezed for word in header)
