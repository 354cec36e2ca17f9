"""The printable patrol briefing: a PDF with an offline static map, the cells, times, categories.

The map is drawn with matplotlib from the gazetteer (no tiles, no network); the text uses
DejaVu Sans, which matplotlib ships, so Cyrillic prints on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h3
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from fpdf import FPDF  # noqa: E402
from fpdf.fonts import FontFace  # noqa: E402

from geo.gazetteer import Gazetteer  # noqa: E402

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
Ring = Sequence[Sequence[float]]  # [[lon, lat], ...]


@dataclass
class Basemap:
    """Plain geometry for a static map (lon, lat pairs)."""

    streets: list[Ring] = field(default_factory=list)
    water: list[Ring] = field(default_factory=list)
    boundary: Ring = field(default_factory=list)


def basemap_from_gazetteer(gazetteer: Gazetteer) -> Basemap:
    lines = [list(line) for street in gazetteer.streets for line in street.lines]
    return Basemap(streets=lines, water=[list(w.polygon) for w in gazetteer.water], boundary=list(gazetteer.boundary))


def static_map_png(basemap: Basemap, cells: Sequence[str], labels: Sequence[str], *, title: str = "") -> bytes:
    """A PNG of the city with the given H3 cells outlined in red and labelled."""
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=150)
    for ring in basemap.water:
        xs, ys = zip(*ring, strict=True)
        ax.fill(xs, ys, color="#a6cee3", linewidth=0)
    for line in basemap.streets:
        xs, ys = zip(*line, strict=True)
        ax.plot(xs, ys, color="#9e9e9e", linewidth=0.5)
    if basemap.boundary:
        xs, ys = zip(*basemap.boundary, strict=True)
        ax.plot(xs, ys, color="#424242", linewidth=1.0, linestyle="--")
    for cell, label in zip(cells, labels, strict=True):
        ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
        xs, ys = zip(*(ring + ring[:1]), strict=True)
        ax.fill(xs, ys, color="#d7301f", alpha=0.35, linewidth=1.2, edgecolor="#b30000")
        lat, lon = h3.cell_to_latlng(cell)
        ax.text(lon, lat, label, ha="center", va="center", fontsize=8, weight="bold", color="#000000")
    ax.set_aspect(1 / 0.674)  # 1 / cos(47.57°): metres look square
    ax.set_axis_off()
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


def report_pdf(*, title: str, subtitle: str, sections: Sequence[Section], image_png: bytes | None = None,
               notes: Sequence[str] = ()) -> bytes:
    """An A4 report: title, optional map image, then each section's table (Cyrillic-safe)."""
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
        pdf.image(io.BytesIO(image_png), w=180)
    for section in sections:
        widths = list(section.widths) or [180 / max(1, len(section.header))] * len(section.header)
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        if section.heading:
            pdf.multi_cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        # fpdf2's table wraps long text inside its cell: every word is printed, none cut off
        with pdf.table(col_widths=widths[: len(section.header)], width=sum(widths[: len(section.header)]),
                       align="LEFT", line_height=4.5, headings_style=FontFace(emphasis="BOLD"),
                       first_row_as_headings=True, repeat_headings=1) as table:
            for row in [section.header, *section.rows]:
                cells = table.row()
                for text in list(row)[: len(section.header)]:
                    cells.cell("" if text is None else str(text))
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    for note in notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def briefing_pdf(*, title: str, subtitle: str, rows: Sequence[Sequence[str]], header: Sequence[str],
                 map_png: bytes, notes: Sequence[str] = ()) -> bytes:
    """The patrol briefing: title, the static map, then the table of cells and times."""
    table = Section("", header, rows, widths=[14, 28, 42, 22, 74][: len(header)])
    return report_pdf(title=title, subtitle=subtitle, sections=[table], image_png=map_png, notes=notes)
