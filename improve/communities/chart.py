"""Participation as an accessible SVG: one row of bars per stakeholder group over the months (or
meetings), the groups on one shared scale so they can be compared, and "Everyone" on top on its
own scale, each row labelled with its latest number.

Pure: no Flask, no database. As improve.charts draws its charts: no inline styles (presentation
attributes only), role="img" with a title and description, and the page gives the same numbers
in words and in a table. Colour carries nothing a label does not: each group has its own named
row, and every bar has a tooltip with its group, column and number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from improve.charts.svg import FONT, INK, MUTED, num

WIDTH = 720
LABEL_RIGHT, PLOT_LEFT, PLOT_RIGHT = 250.0, 262.0, 660.0
TOP, ROW, BAR = 28.0, 40.0, 28.0
FONT_SIZE = 13
BLUE = "#1d70b8"  # GOV.UK link blue: 4.5:1 and more on white


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: Sequence[int]


def _bars(
    row: ChartRow, columns: Sequence[str], base: float, highest: int, colour: str
) -> list[str]:
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(columns)
    width = max(1.0, slot * 0.7)
    out = []
    for index, (value, column) in enumerate(zip(row.values, columns, strict=True)):
        height = value / highest * BAR if highest else 0.0
        x = PLOT_LEFT + index * slot + (slot - width) / 2
        tip = f"{row.label}, {column}: {value}"
        if value:
            out.append(
                f'<rect x="{num(x)}" y="{num(base - height)}" width="{num(width)}"'
                f' height="{num(height)}" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
    return out


def participation_svg(
    everyone: ChartRow,
    groups: Sequence[ChartRow],
    columns: Sequence[str],
    *,
    title: str,
    description: str,
    id_prefix: str,
) -> str:
    """The chart as an SVG string (deterministic): `columns` name the months or meetings, each
    row holds one value per column."""
    rows = [everyone, *groups]
    bottom = TOP + ROW * len(rows) + 6
    height = bottom + 34
    highest = max([0, *(value for row in groups for value in row.values)])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-participation__chart"'
        f' viewBox="0 0 {WIDTH} {num(height)}" width="100%" role="img"'
        f' aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family="{FONT}"'
        f' font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{num(height)}" fill="#ffffff"/>',
        f'<text x="{num(PLOT_RIGHT + 8)}" y="16" fill="{MUTED}">Latest</text>',
    ]
    for index, row in enumerate(rows):
        base = TOP + ROW * (index + 1)
        own = index == 0
        scale = max([0, *row.values]) if own else highest
        label = f"{row.label} (own scale)" if own and groups else row.label
        weight = ' font-weight="bold"' if own else ""
        out.append(
            f'<text x="{num(LABEL_RIGHT)}" y="{num(base - 8)}" text-anchor="end"{weight}>'
            f"{escape(label)}</text>"
        )
        out.append(
            f'<line x1="{num(PLOT_LEFT)}" y1="{num(base)}" x2="{num(PLOT_RIGHT)}" y2="{num(base)}"'
            f' stroke="{MUTED}"/>'
        )
        out.extend(_bars(row, columns, base, scale, INK if own else BLUE))
        latest = row.values[-1] if row.values else 0
        out.append(f'<text x="{num(PLOT_RIGHT + 8)}" y="{num(base - 8)}">{latest}</text>')
    out.extend(_axis(columns, bottom))
    out.append("</svg>")
    return "\n".join(out)


def _axis(columns: Sequence[str], bottom: float) -> list[str]:
    """The first and last columns named under the rows (and the middle one, with room)."""
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(columns)

    def centre(index: int) -> float:
        return PLOT_LEFT + (index + 0.5) * slot

    y = num(bottom + 18)
    shown = [(0, "start", PLOT_LEFT)]
    if len(columns) > 1:
        shown.append((len(columns) - 1, "end", PLOT_RIGHT))
    if len(columns) > 4:
        middle = len(columns) // 2
        shown.append((middle, "middle", centre(middle)))
    return [
        f'<text x="{num(x)}" y="{y}" text-anchor="{anchor}" fill="{MUTED}">'
        f"{escape(columns[index])}</text>"
        for index, anchor, x in shown
    ]
