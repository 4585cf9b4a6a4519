"""A chart's SVG drawn as a PNG picture, for pasting into reports.

Pure: no Flask, no database. Drawn by resvg at twice the SVG's size (sharp when printed or
zoomed) on white, not transparent. Text uses the server's installed fonts: the chart asks for
Arial, which Linux servers rarely have, and resvg does not follow the system's font
substitutions, so the picture names look-alike fonts in turn (Liberation Sans and Arimo match
Arial's widths; DejaVu Sans is on almost every Linux). With none of them installed the
picture has no words.
"""

from __future__ import annotations

import re

import resvg_py

SCALE = 2
BACKGROUND = "#ffffff"
FONT_FAMILIES = 'Arial, "Liberation Sans", Arimo, "DejaVu Sans", sans-serif'
_VIEWBOX = re.compile(r"<svg\b[^>]*?\sviewBox=\"([^\"]*)\"")


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height of the SVG's drawing area, from the root element's viewBox."""
    found = _VIEWBOX.search(svg)
    if found is None:
        raise ValueError("the SVG has no viewBox")
    parts = found.group(1).replace(",", " ").split()
    if len(parts) != 4:
        raise ValueError("the SVG's viewBox is not four numbers")
    width, height = float(parts[2]), float(parts[3])
    if not (width > 0 and height > 0):
        raise ValueError("the SVG's viewBox has no area")
    return width, height


def png_from_svg(svg: str, scale: int = SCALE) -> bytes:
    """The SVG as PNG bytes, `scale` times its viewBox size, on a white background."""
    width, _height = svg_size(svg)
    return resvg_py.svg_to_bytes(
        svg_string=svg,
        width=round(width * scale),
        background=BACKGROUND,
        style_sheet=f"svg {{ font-family: {FONT_FAMILIES}; }}",
    )
