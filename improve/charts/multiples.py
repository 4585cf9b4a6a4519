"""Small multiples: one small chart per team of a shared measure, every one on the same scale
(same lowest and highest value, same months), so teams can be compared at a glance (issue 19,
point 3). Each draws the team's points, its centre line and control limits from the one analysis
of its series; what a caller leaves out (a point hidden as a small number, the lines worked out
from it) comes in as NaN and is simply not drawn.

Pure: no Flask, no database. No inline styles: presentation attributes only. Point types keep
their shapes (POINT_STYLES), so colour is never the only cue.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

import numpy as np

from improve.charts.svg import (
    FONT,
    GREY,
    INK,
    LIMIT_DASH,
    MUTED,
    POINT_STYLES,
    nice_ticks,
    num,
    period_label,
    shown_number,
)

WIDTH, HEIGHT = 260, 160
LEFT, RIGHT, TOP, BOTTOM = 44.0, 252.0, 10.0, 128.0
FONT_SIZE = 12  # at a third of an A4 page (about 59 mm) this prints at about 7.5 pt


@dataclass(frozen=True)
class SharedScale:
    """The one scale every team's small chart uses: values from `low` to `high` (its ticks),
    periods from `first` to `last`; `percent` writes a share of 0 to 1 as a percentage."""

    ticks: tuple[float, ...]
    first: date
    last: date
    percent: bool = False
    with_day: bool = False  # weekly data: periods named by their first day

    @property
    def low(self) -> float:
        return self.ticks[0]

    @property
    def high(self) -> float:
        return self.ticks[-1]

    @property
    def step(self) -> float | None:
        return self.ticks[1] - self.ticks[0] if len(self.ticks) > 1 else None

    def label(self, value: float) -> str:
        return shown_number(value, self.step, self.percent)

    def x(self, day: date) -> float:
        span = self.last.toordinal() - self.first.toordinal()
        if span <= 0:
            return (LEFT + RIGHT) / 2
        return LEFT + (day.toordinal() - self.first.toordinal()) / span * (RIGHT - LEFT)

    def y(self, value: float) -> float:
        return BOTTOM - (value - self.low) / (self.high - self.low) * (BOTTOM - TOP)


def shared_scale(
    values: Iterable[float],
    days: Iterable[date],
    *,
    percent: bool = False,
    with_day: bool = False,
) -> SharedScale | None:
    """The scale that holds every value given (points and lines drawn, on every team's chart) and
    every period: round ticks around them. None without a period."""
    periods = sorted(set(days))
    if not periods:
        return None
    finite = [float(v) for v in values if math.isfinite(float(v))]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if high == low:
        # One value throughout (every point shown is 0, say): a scale above it, not around it.
        high = low + (abs(low) or 1.0)
    ticks = tuple(nice_ticks(low, high))
    return SharedScale(ticks, periods[0], periods[-1], percent, with_day)


def _runs(xs: Sequence[str], ys: Sequence[float], parts: Sequence[int]) -> list[str]:
    """The "x,y x,y" runs of a line (x already written out): broken where a value is missing
    and where a phase ends."""
    runs: list[str] = []
    current: list[str] = []
    last_part: int | None = None
    for x, y, part in zip(xs, ys, parts, strict=True):
        finite = y == y  # NaN is the only value not equal to itself
        if not finite or part != last_part:
            if len(current) > 1:
                runs.append(" ".join(current))
            current = []
        if finite:
            current.append(f"{x},{y:.1f}")
        last_part = part
    if len(current) > 1:
        runs.append(" ".join(current))
    return runs


def small_multiple_svg(
    scale: SharedScale,
    *,
    dates: Sequence[date],
    values: Sequence[float],
    centre: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    parts: Sequence[int],
    point_types: Sequence[str],
    excluded: Sequence[bool],
    title: str,
    description: str,
    id_prefix: str,
) -> str:
    """One team's small chart as an SVG string (deterministic). One entry per point in each
    sequence; NaN values and lines are not drawn. A page of 800 teams' charts draws 16,000
    points: coordinates are worked out as arrays and written to one decimal place."""
    xs = [f"{scale.x(day):.1f}" for day in dates]
    span = (BOTTOM - TOP) / (scale.high - scale.low)

    def ys(series: Sequence[float]) -> list[float]:
        heights: list[float] = (
            BOTTOM - (np.asarray(series, dtype=np.float64) - scale.low) * span
        ).tolist()
        return heights

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-multiple__chart"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img"'
        f' aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family="{FONT}"'
        f' font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        *_frame(scale),
        '<g class="lines" fill="none">',
    ]
    for kind, series, colour, dash in (
        ("limit", lower, MUTED, LIMIT_DASH),
        ("limit", upper, MUTED, LIMIT_DASH),
        ("centre", centre, INK, ""),
    ):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(xs, ys(series), parts):
            out.append(
                f'<polyline class="{kind}" points="{run}" stroke="{colour}"'
                f' stroke-width="1.5"{dash_attr}/>'
            )
    heights = ys(values)
    for run in _runs(xs, heights, parts):
        out.append(f'<polyline class="data" points="{run}" stroke="{GREY}" stroke-width="1.5"/>')
    # Most points are common cause: they take the group's grey; the others say what they are.
    out.append(f'</g><g class="points" fill="{GREY}" stroke="{GREY}" stroke-width="1.5">')
    for x, y, kind, left_out in zip(xs, heights, point_types, excluded, strict=True):
        if y != y:  # NaN: not drawn
            continue
        shape, colour, _ = POINT_STYLES.get(kind, POINT_STYLES["common_cause"])
        attrs = 'class="point"'
        if kind != "common_cause":
            attrs += f' data-point-type="{kind}" stroke="{colour}"'
        if kind != "common_cause" or left_out:
            attrs += f' fill="{"#ffffff" if left_out else colour}"'  # hollow: left out
        size = 3.0 if kind == "common_cause" else 4.0
        out.append(_mark(shape, float(x), y, size, attrs))
    out.append("</g></svg>")
    return "\n".join(out)


def _mark(shape: str, x: float, y: float, size: float, attrs: str) -> str:
    """A point's shape centred on (x, y), as improve.charts.svg draws them (circle, square,
    triangle, diamond), written to one decimal place: the charts draw thousands."""
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:g}" {attrs}/>'
    if shape == "square":
        side = size * 0.9
        return (
            f'<rect x="{x - side:.1f}" y="{y - side:.1f}" width="{2 * side:.1f}"'
            f' height="{2 * side:.1f}" {attrs}/>'
        )
    if shape == "triangle":
        reach = size * 1.25
        corners = [(x, y - reach), (x + reach, y + reach * 0.8), (x - reach, y + reach * 0.8)]
    else:
        reach = size * 1.3
        corners = [(x, y - reach), (x + reach, y), (x, y + reach), (x - reach, y)]
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in corners)
    return f'<polygon points="{points}" {attrs}/>'


@functools.lru_cache(maxsize=64)
def _frame(scale: SharedScale) -> tuple[str, ...]:
    """The background, the value axis with its grid and the period axis: the same on every
    team's chart of a measure, so written once for them all."""
    out = [f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    out.append('<g class="y-axis">')
    for tick in scale.ticks:
        level = num(scale.y(tick))
        out.append(
            f'<line x1="{num(LEFT)}" y1="{level}" x2="{num(RIGHT)}" y2="{level}" stroke="#e5e5e5"/>'
            f'<text x="{num(LEFT - 4)}" y="{level}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(scale.label(tick))}</text>"
        )
    out.append(
        f'<line x1="{num(LEFT)}" y1="{num(TOP)}" x2="{num(LEFT)}" y2="{num(BOTTOM)}"'
        f' stroke="{MUTED}"/></g>'
    )
    first, last = (period_label(day, scale.with_day) for day in (scale.first, scale.last))
    out.append(
        f'<g class="x-axis"><line x1="{num(LEFT)}" y1="{num(BOTTOM)}" x2="{num(RIGHT)}"'
        f' y2="{num(BOTTOM)}" stroke="{MUTED}"/>'
        f'<text x="{num(LEFT)}" y="{num(BOTTOM + 18)}">{escape(first)}</text>'
        f'<text x="{num(RIGHT)}" y="{num(BOTTOM + 18)}" text-anchor="end">{escape(last)}</text>'
        "</g>"
    )
    return tuple(out)
