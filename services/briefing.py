"""The printable patrol briefing: a PDF with an offline static map, the cells, times, categories.

The map is drawn with matplotlib from the gazetteer (no tiles, no network); the text uses
DejaVu Sans, which matplotlib ships, so Cyrillic prints on any machine.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h3
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from fpdf import FPDF  # noqa: E402
from fpdf.fonts import FontFace  # noqa: E402
from shapely.geometry import LineString  # noqa: E402
from shapely.geometry import box as shapely_box  # noqa: E402

from geo.gazetteer import Gazetteer  # noqa: E402

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
Ring = Sequence[Sequence[float]]  # [[lon, lat], ...]
BRIEFING_WIDTHS = [21, 13, 42, 28, 26, 34, 16]  # time, patrol, place, landmark, district, categories, expected (mm)


@dataclass
class Basemap:
    """Plain geometry for a static map (lon, lat pairs); named streets can be labelled."""

    streets: list[Ring] = field(default_factory=list)
    water: list[Ring] = field(default_factory=list)
    boundary: Ring = field(default_factory=list)
    street_names: list[tuple[str, Ring]] = field(default_factory=list)  # (name, line) per street line


def basemap_from_gazetteer(gazetteer: Gazetteer, *, lang: str = "uk") -> Basemap:
    lines = [list(line) for street in gazetteer.streets for line in street.lines]
    named = [
        (street.names.get(f"name:{lang}") or street.full_name, list(line))
        for street in gazetteer.streets
        for line in street.lines
        if len(line) >= 2
    ]
    return Basemap(
        streets=lines,
        water=[list(w.polygon) for w in gazetteer.water],
        boundary=list(gazetteer.boundary),
        street_names=named,
    )


def _extent(basemap: Basemap, cells: Sequence[str], margin_m: float) -> tuple[float, float, float, float]:
    """lon/lat box around the plan's cells (with a margin), or the whole city without cells."""
    if cells:
        points = [(lon, lat) for cell in cells for lat, lon in h3.cell_to_boundary(cell)]
    else:
        points = [tuple(p) for p in basemap.boundary] or [tuple(p) for line in basemap.streets for p in line]
    lons, lats = zip(*points, strict=True)
    mid_lat = (min(lats) + max(lats)) / 2
    dlat = margin_m / 111_195.0
    dlon = dlat / max(0.05, math.cos(math.radians(mid_lat)))
    return min(lons) - dlon, max(lons) + dlon, min(lats) - dlat, max(lats) + dlat


def _label_streets(
    ax: plt.Axes, basemap: Basemap, box: tuple[float, float, float, float], aspect: float, limit: int = 40
) -> None:
    """Write each street's name once, along its longest stretch inside the map, largest first."""
    west, east, south, north = box
    frame = shapely_box(west, south, east, north)
    best: dict[str, tuple[float, LineString]] = {}
    for name, ring in basemap.street_names:
        inside = LineString(ring).intersection(frame)
        for part in getattr(inside, "geoms", [inside]):
            if isinstance(part, LineString) and not part.is_empty:
                length = part.length
                if length > best.get(name, (0.0, None))[0]:
                    best[name] = (length, part)
    placed: list[tuple[float, float]] = []
    min_gap = 0.06 * max(north - south, (east - west) / aspect)
    for name, (length, part) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]:
        if length < 0.12 * (east - west):
            continue
        middle = part.interpolate(0.5, normalized=True)
        if any(abs(middle.x - x) / aspect < min_gap and abs(middle.y - y) < min_gap for x, y in placed):
            continue
        ahead = part.interpolate(min(1.0, 0.5 + 0.05), normalized=True)
        back = part.interpolate(max(0.0, 0.5 - 0.05), normalized=True)
        angle = math.degrees(math.atan2((ahead.y - back.y) * aspect, ahead.x - back.x))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        ax.text(
            middle.x,
            middle.y,
            name,
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=5.5,
            color="#37474f",
            clip_on=True,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "alpha": 0.7, "linewidth": 0},
        )
        placed.append((middle.x, middle.y))


def static_map_png(
    basemap: Basemap,
    cells: Sequence[str],
    labels: Sequence[str],
    *,
    title: str = "",
    margin_m: float = 350.0,
    size: tuple[float, float] = (7.5, 5.0),
) -> bytes:
    """A PNG of the plan's part of the city: streets with their names, the cells outlined in red
    and numbered. The aspect comes from the map's own latitude, so metres look square anywhere."""
    west, east, south, north = _extent(basemap, cells, margin_m)
    aspect = 1 / math.cos(math.radians((south + north) / 2))
    fig, ax = plt.subplots(figsize=size, dpi=150)
    for ring in basemap.water:
        xs, ys = zip(*ring, strict=True)
        ax.fill(xs, ys, color="#a6cee3", linewidth=0)
    for line in basemap.streets:
        xs, ys = zip(*line, strict=True)
        ax.plot(xs, ys, color="#9e9e9e", linewidth=0.6)
    if basemap.boundary:
        xs, ys = zip(*basemap.boundary, strict=True)
        ax.plot(xs, ys, color="#424242", linewidth=1.0, linestyle="--")
    for cell in cells:
        ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
        xs, ys = zip(*(ring + ring[:1]), strict=True)
        ax.fill(xs, ys, color="#d7301f", alpha=0.30, linewidth=1.2, edgecolor="#b30000")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect)
    _label_streets(ax, basemap, (west, east, south, north), aspect)
    for cell, label in zip(cells, labels, strict=True):
        lat, lon = h3.cell_to_latlng(cell)
        ax.text(
            lon,
            lat,
            label,
            ha="center",
            va="center",
            fontsize=9,
            weight="bold",
            color="#000000",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": "#ffeb3b", "linewidth": 0.5},
        )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    ax.text(0.99, 0.01, "© OpenStreetMap contributors", transform=ax.transAxes, ha="right", va="bottom", fontsize=6)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


@dataclass
class Section:
    """One table of a PDF report: a heading, column names, rows and column widths (mm)."""

    heading: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] = ()
    font_size: float = 8


def report_pdf(
    *,
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    image_png: bytes | None = None,
    notes: Sequence[str] = (),
    image_height: float | None = None,
) -> bytes:
    """An A4 report: title, optional map image, then each section's table (Cyrillic-safe).

    Cells wrap (fpdf2's table layout): nothing is truncated and header words never overlap.
    """
    return bytes(
        _layout(
            title=title,
            subtitle=subtitle,
            sections=sections,
            image_png=image_png,
            notes=notes,
            image_height=image_height,
        ).output()
    )


def _layout(
    *,
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    image_png: bytes | None,
    notes: Sequence[str],
    image_height: float | None,
) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    if image_png is not None:
        if image_height:
            pdf.image(io.BytesIO(image_png), h=image_height, x="C")
        else:
            pdf.image(io.BytesIO(image_png), w=180)
    for section in sections:
        widths = list(section.widths) or [180 / max(1, len(section.header))] * len(section.header)
        pdf.ln(3)
        if section.heading:
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", section.font_size)
        # fpdf2's table wraps long text inside its cell: every word is printed, none cut off
        with pdf.table(
            col_widths=widths[: len(section.header)],
            width=sum(widths[: len(section.header)]),
            align="LEFT",
            text_align="LEFT",
            line_height=section.font_size * 0.55,
            headings_style=FontFace(emphasis="BOLD"),
            first_row_as_headings=True,
            repeat_headings=1,
            padding=1,
        ) as table:
            for row in [section.header, *section.rows]:
                cells = table.row()
                for text in list(row)[: len(section.header)]:
                    cells.cell("" if text is None else str(text))
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    for note in notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    return pdf


def briefing_pdf(
    *,
    title: str,
    subtitle: str,
    rows: Sequence[Sequence[str]],
    header: Sequence[str],
    map_png: bytes,
    notes: Sequence[str] = (),
) -> bytes:
    """The patrol briefing on one page: title, the static map, then the plan in time order."""
    table = Section("", header, rows, widths=BRIEFING_WIDTHS[: len(header)], font_size=7.5)
    for height in (115, 95, 75, 55):  # the largest map that keeps the briefing on one page
        pdf = _layout(
            title=title, subtitle=subtitle, sections=[table], image_png=map_png, notes=notes, image_height=height
        )
        if pdf.pages_count == 1:
            break
    return bytes(pdf.output())
