"""A funnel plot as an accessible SVG (issue 19, point 3): each team a dot at (its size, its
figure), the pooled average as a line and the 95% and 99.8% limits as curves around it, from
improve.analysis.funnel. One drawing holds every team (800 dots is a small file).

Pure: no Flask, no database. No inline styles. Where a team falls is told by its shape and fill
as well as its colour: a grey circle within the 95% limits; between the limits (worth a look)
a hollow shape, beyond the 99.8% limits (unusual) a filled one; a square when better than the
average, a triangle when worse, a diamond for a measure with no better direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape

from improve.analysis.funnel import Funnel, FunnelPoint
from improve.charts.svg import (
    BLUE,
    FONT,
    GREY,
    INK,
    MUTED,
    ORANGE,
    PURPLE,
    _shape,
    nice_ticks,
    num,
    shown_number,
)

WIDTH = 560
LEFT, RIGHT, TOP, BOTTOM = 64.0, 540.0, 16.0, 288.0
FONT_SIZE = 12
DASH_95 = "7 4"
DASH_998 = "2 3"

#: Shape and colour by better or worse; the band decides the fill.
LOOKS = {
    "better": ("square", BLUE),
    "worse": ("triangle", ORANGE),
    "neither": ("diamond", PURPLE),
}


def _look(point: FunnelPoint) -> tuple[str, str, str]:
    """(shape, fill, stroke) of a team's dot."""
    if point.band == "within":
        return "circle", GREY, GREY
    shape, colour = LOOKS[point.judgement]
    return shape, ("#ffffff" if point.band == "look" else colour), colour


def funnel_svg(
    found: Funnel,
    names: Mapping[int, str],
    *,
    title: str,
    description: str,
    size_words: str,
    value_words: str,
    percent: bool = False,
    id_prefix: str = "funnel",
) -> str:
    """The funnel as an SVG string (deterministic). `size_words` names the x axis (the team's
    size: "People asked"), `value_words` the y axis; `percent` writes shares as percentages."""
    largest = max(point.denominator for point in found.points)
    x_ticks = nice_ticks(0.0, largest)
    values = [point.value for point in found.points] + [found.average]
    for limits in found.curve:
        values += [limits.lower_998, limits.upper_998]
    finite = [value for value in values if math.isfinite(value)]
    y_ticks = nice_ticks(min(finite), max(finite))
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else None

    def x_of(size: float) -> float:
        return LEFT + size / x_ticks[-1] * (RIGHT - LEFT)

    def y_of(value: float) -> float:
        return BOTTOM - (value - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * (BOTTOM - TOP)

    out = ['<g class="y-axis">']
    for tick in y_ticks:
        y = num(y_of(tick))
        out.append(
            f'<line x1="{num(LEFT)}" y1="{y}" x2="{num(RIGHT)}" y2="{y}" stroke="#e5e5e5"/>'
            f'<text x="{num(LEFT - 6)}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(shown_number(tick, y_step, percent))}</text>"
        )
    middle = num((TOP + BOTTOM) / 2)
    out.append(
        f'<text x="14" y="{middle}" text-anchor="middle" transform="rotate(-90 14 {middle})">'
        f"{escape(value_words)}</text></g>"
    )
    x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else None
    out.append(
        f'<g class="x-axis"><line x1="{num(LEFT)}" y1="{num(BOTTOM)}" x2="{num(RIGHT)}"'
        f' y2="{num(BOTTOM)}" stroke="{MUTED}"/>'
        f'<line x1="{num(LEFT)}" y1="{num(TOP)}" x2="{num(LEFT)}" y2="{num(BOTTOM)}"'
        f' stroke="{MUTED}"/>'
    )
    for tick in x_ticks:
        out.append(
            f'<text x="{num(x_of(tick))}" y="{num(BOTTOM + 16)}" text-anchor="middle">'
            f"{escape(shown_number(tick, x_step))}</text>"
        )
    out.append(
        f'<text x="{num((LEFT + RIGHT) / 2)}" y="{num(BOTTOM + 36)}" text-anchor="middle">'
        f"{escape(size_words)}</text></g>"
    )
    out.extend(_lines(found, x_of, y_of))
    out.append('<g class="teams" stroke-width="1.5">')
    for point in found.points:
        shape, fill, stroke = _look(point)
        name = names.get(point.key, str(point.key))
        tip = (
            f"{name}: {shown_number(point.value, percent=percent)} of"
            f" {shown_number(point.denominator)}. {point.words}."
        )
        attrs = f'class="team" data-band="{point.band}" fill="{fill}" stroke="{stroke}"'
        size = 3.5 if point.band == "within" else 5.0
        out.append(
            _shape(
                shape,
                x_of(point.denominator),
                y_of(point.value),
                size,
                attrs,
                f"<title>{escape(tip)}</title>",
            )
        )
    out.append("</g>")
    legend, height = _legend(found)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-funnel__chart"'
        f' viewBox="0 0 {WIDTH} {num(height)}" width="100%" role="img"'
        f' aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family="{FONT}"'
        f' font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{num(height)}" fill="#ffffff"/>',
    ]
    return "\n".join([*head, *out, *legend, "</svg>"])


Scale = Callable[[float], float]


def _lines(found: Funnel, x_of: Scale, y_of: Scale) -> list[str]:
    """The average across the plot and the four limits along the curve of sizes."""
    out = ['<g class="limits" fill="none">']
    y = num(y_of(found.average))
    out.append(
        f'<line class="average" x1="{num(LEFT)}" y1="{y}" x2="{num(RIGHT)}" y2="{y}"'
        f' stroke="{INK}" stroke-width="2"/>'
    )
    for name, dash in (
        ("lower_95", DASH_95),
        ("upper_95", DASH_95),
        ("lower_998", DASH_998),
        ("upper_998", DASH_998),
    ):
        points = " ".join(
            f"{num(x_of(limits.size))},{num(y_of(getattr(limits, name)))}" for limits in found.curve
        )
        width = "1.5" if name.endswith("95") else "2"
        out.append(
            f'<polyline class="limit {name}" points="{points}" stroke="{MUTED}"'
            f' stroke-width="{width}" stroke-dasharray="{dash}"/>'
        )
    out.append("</g>")
    return out


LEGEND_ROW = 22
JUDGEMENT_WORDS = {"better": "Better", "worse": "Worse", "neither": "No better side"}
CHARACTER = 6.6  # the width of a character of the legend, near enough


def _legend(found: Funnel) -> tuple[list[str], float]:
    """The lines, then what each kind of dot means, wrapped into rows beneath the plot; and the
    height of the drawing that holds them."""
    items: list[tuple[str, str]] = [  # (sample, label)
        ("line::2", "Average of the teams shown"),
        (f"line:{DASH_95}:1.5", "95% limits"),
        (f"line:{DASH_998}:2", "99.8% limits"),
        (f"dot:circle:{GREY}:{GREY}", "Within the 95% limits"),
        (f"dot:circle:#ffffff:{INK}", "Hollow: worth a look"),
        (f"dot:circle:{INK}:{INK}", "Filled: unusual"),
    ]
    shown = {point.judgement for point in found.points if point.band != "within"}
    for judgement, label in JUDGEMENT_WORDS.items():
        if judgement in shown:
            shape, colour = LOOKS[judgement]
            items.append((f"dot:{shape}:{colour}:{colour}", label))
    out = ['<g class="legend">']
    x, row = LEFT, BOTTOM + 64
    for sample, label in items:
        width = 28 + len(label) * CHARACTER + 18
        if x + width > WIDTH and x > LEFT:
            x, row = LEFT, row + LEGEND_ROW
        what, *rest = sample.split(":")
        if what == "line":
            dash, stroke_width = rest
            colour = INK if not dash else MUTED
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{num(x)}" y1="{num(row - 4)}" x2="{num(x + 22)}" y2="{num(row - 4)}"'
                f' stroke="{colour}" stroke-width="{stroke_width}"{dash_attr}/>'
            )
        else:
            shape, fill, stroke = rest
            attrs = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"'
            out.append(_shape(shape, x + 11, row - 4, 4.5, attrs))
        out.append(f'<text x="{num(x + 28)}" y="{num(row)}">{escape(label)}</text>')
        x += width
    out.append("</g>")
    return out, row + 12
