"""Accessible, self-contained SVG charts from the analysis engine's results (issue 4, point 5).

Pure: no Flask, no database. No inline styles (the app's CSP forbids them): presentation
attributes only. Colour is never the only cue: each point type has its own shape and each line
its own dash pattern, so the chart reads on a phone and printed in black and white.
Colours from DOMAIN.md section 5 (NHS Making Data Count).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from improve.analysis.rules import PointType, Signals
from improve.analysis.spc import Chart
from improve.analysis.wording import centre_words, runs_sentences

WIDTH = 720
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 56.0, 704.0, 40.0, 248.0
GREY = "#a6a6a6"
BLUE = "#00b0f0"
ORANGE = "#e46c0a"
PURPLE = "#490092"
RED = "#de1b1b"
INK = "#0b0c0c"
MUTED = "#505a5f"
FONT = "Arial, sans-serif"
LIMIT_DASH = "8 4"
TARGET_DASH = "3 3"
PHASE_DASH = "2 4"
POINT_SIZE = 4.5
BADGE_RADIUS, BADGE_GAP = 8.0, 2.0  # a cycle marker's numbered badge, and the space between two

CHART_NAMES = {
    "run": "Run chart",
    "i": "I chart",
    "mr": "Moving range chart",
    "p": "p chart",
    "u": "u chart",
    "c": "c chart",
    "g": "g chart (days between events)",
    "t": "t chart (time between events)",
}

#: Shape, colour and legend wording for each point type.
POINT_STYLES: dict[str, tuple[str, str, str]] = {
    "common_cause": ("circle", GREY, "Common cause"),
    "special_cause_improvement": ("square", BLUE, "Improvement"),
    "special_cause_concern": ("triangle", ORANGE, "Concern"),
    "special_cause_neutral_high": ("diamond", PURPLE, "Special cause (neutral)"),
    "special_cause_neutral_low": ("diamond", PURPLE, "Special cause (neutral)"),
}

PLAIN_TYPES = {
    "common_cause": "common cause",
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause (high)",
    "special_cause_neutral_low": "special cause (low)",
}


@dataclass(frozen=True)
class Marker:
    """A PDSA cycle (or other event) drawn at a date, or at a 1-based point index: a numbered
    badge on the chart (`number`, else its place in the list), `label` as its tooltip, and its
    line in the key beneath the chart."""

    at: date | int
    label: str
    number: int | None = None


def num(value: float) -> str:
    """A coordinate or number rounded to 2 decimals, without trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def label_number(value: float, step: float | None = None) -> str:
    """A number for people: as many decimals as the tick step needs (at most 4)."""
    if step is not None and step > 0:
        # Enough decimals to write the step exactly: a step of 2.5 needs one (7.5, not 8).
        decimals = next((d for d in range(5) if abs(round(step, d) - step) < 1e-9), 4)
        text = f"{value:.{decimals}f}"
    else:
        text = f"{value:.4g}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def shown_number(value: float, step: float | None = None, percent: bool = False) -> str:
    """`label_number`, or for a share of 0 to 1 (`percent`) its percentage: "74%", not 0.737."""
    if percent:
        return label_number(value * 100, step * 100 if step else None) + "%"
    return label_number(value, step)


def period_label(day: date, with_day: bool = False) -> str:
    """A short period label: "Jan 2025" for a month, "3 Aug 2026" for a week (`with_day`)."""
    return day.strftime("%-d %b %Y") if with_day else day.strftime("%b %Y")


def labels_days(dates: Sequence[date]) -> bool:
    """Whether a series' periods are named by their day: weekly ones (Mondays, not all the 1st
    of a month). Named by month, every week of August read "Aug 2026" (issue 17)."""
    return any(day.day != 1 for day in dates)


def period_labels(dates: Sequence[date]) -> list[str]:
    """Each period of a series by its name: the month, or for weekly data the week's first day."""
    with_day = labels_days(dates)
    return [period_label(day, with_day) for day in dates]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """4 to 6 round tick values covering low..high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    # Far beyond any measure's range the span itself overflows: draw on a range that does not.
    low, high = max(low, -1e300), min(high, 1e300)
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    ticks: list[float] = []
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = factor * magnitude
        start = math.floor(low / step + 1e-9) * step
        ticks = []
        value = start
        while value < high + step * 0.999:
            ticks.append(round(value, 10))
            value = start + len(ticks) * step
        if len(ticks) <= 6:
            break
    return ticks


def _attrs(**values: str | float) -> str:
    parts = []
    for key, value in values.items():
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f"{name}={quoteattr(text)}")
    return " ".join(parts)


def _shape(kind: str, x: float, y: float, size: float, attrs: str, inner: str = "") -> str:
    """One point's element: circle, square, triangle or diamond centred on (x, y)."""
    if kind == "circle":
        head = f"<circle cx={quoteattr(num(x))} cy={quoteattr(num(y))} r={quoteattr(num(size))}"
        return f"{head} {attrs}>{inner}</circle>"
    if kind == "square":
        s = size * 0.9
        corners = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    elif kind == "triangle":
        s = size * 1.25
        corners = [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)]
    else:
        s = size * 1.3
        corners = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
    points = " ".join(f"{num(a)},{num(b)}" for a, b in corners)
    return f"<polygon points={quoteattr(points)} {attrs}>{inner}</polygon>"


def _finite(values: Iterable[float]) -> list[float]:
    return [float(v) for v in values if math.isfinite(float(v))]


def _step_paths(xs: list[float], ys: Sequence[float], half: float) -> list[str]:
    """A stepped line through (x, y) pairs: flat across each point's slot, broken where y is
    NaN. Returns path data strings."""
    paths: list[str] = []
    current: list[str] = []
    last_y: float | None = None
    for x, y in zip(xs, ys, strict=True):
        if not math.isfinite(y):
            if current:
                paths.append(" ".join(current))
            current, last_y = [], None
            continue
        if last_y is None:
            current = [f"M{num(x - half)} {num(y)}", f"H{num(x + half)}"]
        elif num(y) == num(last_y):
            current[-1] = f"H{num(x + half)}"
        else:
            current += [f"V{num(y)}", f"H{num(x + half)}"]
        last_y = y
    if current:
        paths.append(" ".join(current))
    return paths


def _marker_position(marker: Marker, dates: Sequence[date] | None, n: int) -> int | None:
    """0-based point index for a marker, or None when it falls outside the chart."""
    if isinstance(marker.at, date):
        if not dates:
            return None
        for i, day in enumerate(dates):
            if day >= marker.at:
                return i
        return None
    index = int(marker.at) - 1
    return index if 0 <= index < n else None


def describe(
    chart: Chart,
    found: Signals,
    *,
    dates: Sequence[date] | None = None,
    target: float | None = None,
    percent: bool = False,
    target_line: Sequence[float] | None = None,
) -> str:
    """A short text summary of the chart and its signals, for <desc> and screen readers
    (`target_line`: the target at each point, when it is reached step by step)."""
    n = int(chart.value.size)
    name = CHART_NAMES.get(chart.chart, "Chart")
    sentences = [f"{name} of {n} point{'s' if n != 1 else ''}"]
    if dates and n:
        with_day = labels_days(dates)
        first, last = period_label(dates[0], with_day), period_label(dates[-1], with_day)
        sentences[0] += f" from {first} to {last}"
    sentences[0] += "."
    slices = chart.part_slices()
    if len(slices) > 1:
        sentences.append(f"{len(slices)} phases.")
    if n:
        centre_name = "Median" if centre_words(chart.chart) == "the median" else "Centre line"
        cl, lcl, ucl = float(chart.cl[-1]), float(chart.lcl[-1]), float(chart.ucl[-1])
        if math.isfinite(cl):
            latest = f"{centre_name} {shown_number(cl, percent=percent)}"
            if math.isfinite(lcl) and math.isfinite(ucl):
                latest += (
                    f", limits {shown_number(lcl, percent=percent)}"
                    f" to {shown_number(ucl, percent=percent)}"
                )
            sentences.append(latest + (" (latest phase)." if len(slices) > 1 else "."))
    if target_line is not None and len(set(target_line)) > 1 and n:
        sentences.append(
            f"Target step by step: {shown_number(target_line[0], percent=percent)} at the first"
            f" point and {shown_number(target_line[-1], percent=percent)} at the latest"
            + (
                f", on the way to {shown_number(target, percent=percent)}."
                if target is not None
                else "."
            )
        )
    elif target is not None:
        sentences.append(f"Target {shown_number(target, percent=percent)}.")
    counts: dict[str, int] = {}
    for kind in found.point_type:
        if kind != "common_cause":
            counts[PLAIN_TYPES[kind]] = counts.get(PLAIN_TYPES[kind], 0) + 1
    if counts:
        listed = "; ".join(
            f"{count} point{'s' if count != 1 else ''} {kind}" for kind, count in counts.items()
        )
        sentences.append(f"Signals: {listed}.")
    elif chart.chart != "run":
        sentences.append("No special cause signals on the points.")
    if chart.chart == "run":
        for runs in chart.runs():
            sentences.extend(runs_sentences(runs))
    excluded = int(np.count_nonzero(chart.excluded))
    if excluded:
        sentences.append(f"{excluded} excluded point{'s' if excluded != 1 else ''} shown hollow.")
    return " ".join(sentences)


def chart_svg(
    chart: Chart,
    found: Signals,
    *,
    title: str,
    dates: Sequence[date] | None = None,
    target: float | None = None,
    markers: Sequence[Marker] = (),
    description: str | None = None,
    id_prefix: str = "chart",
    signals_only: bool = False,
    percent: bool = False,
    notes: Mapping[date, str] | None = None,
    heading: str | None = None,
    target_line: Sequence[float] | None = None,
) -> str:
    """The chart as an SVG document string (deterministic: same input, same string).

    `chart` and `found` come from `control_chart` and `signals`; `dates` label the points (one
    per point; index numbers without them); `target` draws a dashed red line; `markers` are
    PDSA cycles drawn as labelled ticks along the top; `description` replaces the generated
    <desc> summary; `id_prefix` names its title and description (two charts on one page, as
    the I chart and its moving ranges, each need their own ids); `signals_only` marks only the
    points that are signals (the moving ranges beneath an I chart: the line and the table carry
    every value, and a marker per point would add as much again to the page); `percent`
    writes a share of 0 to 1 as a percentage; `notes` (by period) join their points' tooltips;
    `heading` is written above the plot (where cycle markers go on the main chart);
    `target_line` (one per point) draws a target reached step by step instead of one level.
    """
    n = int(chart.value.size)
    if dates is not None and len(dates) != n:
        raise ValueError("there must be one date per point")
    values = [float(v) for v in chart.value]
    cl = [float(v) for v in chart.cl]
    lcl = [float(v) for v in chart.lcl]
    ucl = [float(v) for v in chart.ucl]
    targets = [float(v) for v in target_line] if target_line is not None else []
    extent = _finite(values + cl + lcl + ucl + targets + ([target] if target is not None else []))
    ticks = nice_ticks(min(extent, default=0.0), max(extent, default=1.0))
    low, high = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else None
    slot = (RIGHT - LEFT) / max(n, 1)
    xs = [LEFT + (i + 0.5) * slot for i in range(n)]

    def y_of(value: float) -> float:
        if not math.isfinite(value):
            return float("nan")
        return BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP)

    desc = (
        description
        if description is not None
        else describe(chart, found, dates=dates, target=target, percent=percent)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family="{FONT}"'
        f' font-size="11" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]

    # Y axis: grid lines and tick labels.
    out.append('<g class="y-axis">')
    for tick in ticks:
        y = num(y_of(tick))
        out.append(
            f'<line x1="{num(LEFT)}" y1="{y}" x2="{num(RIGHT)}" y2="{y}" stroke="#e5e5e5"'
            ' stroke-width="1"/>'
        )
        out.append(
            f'<text x="{num(LEFT - 6)}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(shown_number(tick, step, percent))}</text>"
        )
    out.append(
        f'<line x1="{num(LEFT)}" y1="{num(TOP)}" x2="{num(LEFT)}" y2="{num(BOTTOM)}"'
        f' stroke="{MUTED}" stroke-width="1"/>'
    )
    out.append("</g>")

    # X axis: period labels thinned so they do not overlap.
    out.append('<g class="x-axis">')
    out.append(
        f'<line x1="{num(LEFT)}" y1="{num(BOTTOM)}" x2="{num(RIGHT)}" y2="{num(BOTTOM)}"'
        f' stroke="{MUTED}" stroke-width="1"/>'
    )
    labels = period_labels(dates) if dates else [str(i + 1) for i in range(n)]
    widest = max((len(text) for text in labels), default=1) * 6.5 + 8
    every = max(1, math.ceil(widest / slot)) if n else 1
    for i in range(0, n, every):
        out.append(
            f'<text class="x-label" x="{num(xs[i])}" y="{num(BOTTOM + 16)}"'
            f' text-anchor="middle">{escape(labels[i])}</text>'
        )
    out.append("</g>")

    slices = chart.part_slices()
    centre_name = centre_words(chart.chart).removeprefix("the ").capitalize()

    # Centre line and limits, part by part, stepped where they vary.
    out.append('<g class="lines" fill="none">')
    for _, where in slices:
        part_x = xs[where]
        for kind, series, colour, dash, width in (
            ("limit", lcl, MUTED, LIMIT_DASH, "1.5"),
            ("limit", ucl, MUTED, LIMIT_DASH, "1.5"),
            ("centre", cl, INK, "", "1.5"),
        ):
            ys = [y_of(v) for v in series[where]]
            for path in _step_paths(part_x, ys, slot / 2):
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<path class="{kind}" d="{path}" stroke="{colour}"'
                    f' stroke-width="{width}"{dash_attr}/>'
                )
    if len(set(targets)) > 1 and len(targets) == n:
        # A trajectory: the target at each period, a level line across each period's slot.
        for path in _step_paths(xs, [y_of(v) for v in targets], slot / 2):
            out.append(
                f'<path class="target" d="{path}" stroke="{RED}" stroke-width="2"'
                f' stroke-dasharray="{TARGET_DASH}"/>'
            )
    elif target is not None and math.isfinite(target):
        y = num(y_of(target))
        out.append(
            f'<line class="target" x1="{num(LEFT)}" y1="{y}" x2="{num(RIGHT)}" y2="{y}"'
            f' stroke="{RED}" stroke-width="2" stroke-dasharray="{TARGET_DASH}"/>'
        )
    out.append("</g>")

    # Phase breaks: dotted vertical lines labelled "Phase 2" etc.
    out.append('<g class="phases">')
    for number, where in slices[1:]:
        x = num(LEFT + where.start * slot)
        out.append(
            f'<line class="phase" x1="{x}" y1="{num(TOP)}" x2="{x}" y2="{num(BOTTOM)}"'
            f' stroke="{MUTED}" stroke-width="1" stroke-dasharray="{PHASE_DASH}"/>'
        )
        out.append(
            f'<text class="phase-label" x="{num(LEFT + where.start * slot + 4)}"'
            f' y="{num(TOP + 12)}" fill="{MUTED}">Phase {number}</text>'
        )
    out.append("</g>")

    # The data line, broken at gaps and phase breaks.
    out.append('<g class="data" fill="none">')
    for _, where in slices:
        segment: list[str] = []
        for i in range(where.start, where.stop):
            if math.isfinite(values[i]):
                segment.append(f"{num(xs[i])},{num(y_of(values[i]))}")
                continue
            if len(segment) > 1:
                out.append(_polyline(segment))
            segment = []
        if len(segment) > 1:
            out.append(_polyline(segment))
    out.append("</g>")

    # Points: shape and colour by type; excluded points hollow.
    # The stroke width is the group's (inherited), and only an excluded point says so: a chart
    # of 96 weeks drew these, its index and its shape's name on every point, 8 KB of the page.
    out.append('<g class="points" stroke-width="1.5">')
    for i in range(n):
        if not math.isfinite(values[i]):
            continue
        kind = found.point_type[i]
        if signals_only and kind == "common_cause":
            continue
        shape, colour, _ = POINT_STYLES[kind]
        excluded = bool(chart.excluded[i])
        fill = "#ffffff" if excluded else colour
        tip = f"{labels[i]}: {shown_number(values[i], percent=percent)}"
        if excluded:
            tip += " (excluded)"
        if kind != "common_cause":
            tip += f", {PLAIN_TYPES[kind]}"
        if notes and dates and dates[i] in notes:
            tip += f". {notes[dates[i]]}"
        attrs = _attrs(
            class_="point",
            data_point_type=kind,  # its shape and colour follow from it (POINT_STYLES)
            **({"data_excluded": "true"} if excluded else {}),
            fill=fill,
            stroke=colour,
        )
        out.append(_shape(shape, xs[i], y_of(values[i]), POINT_SIZE, attrs, _title(tip)))
    out.append("</g>")

    # PDSA cycle markers: numbered badges along the top, the key beneath the chart names them
    # (labels overlapped when cycles started close together). A badge that would touch another
    # goes to the second row, else moves right along the row; its tick stays at its period.
    out.append('<g class="markers">')
    rows = (TOP - 11, TOP - 28)
    ends = [-math.inf, -math.inf]
    radius = BADGE_RADIUS
    for place, marker in enumerate(markers, start=1):
        index = _marker_position(marker, dates, n)
        if index is None:
            continue
        badge = str(marker.number or place)
        font_size = 10 if len(badge) <= 2 else 7  # cycle 100 and beyond still fit the badge
        tick = xs[index]
        free = [row for row in range(len(rows)) if tick - radius >= ends[row] + BADGE_GAP]
        row = free[0] if free else min(range(len(rows)), key=lambda r: ends[r])
        centre = max(tick, ends[row] + BADGE_GAP + radius) if not free else tick
        centre = min(max(centre, radius + 1), WIDTH - radius - 1)
        ends[row] = centre + radius
        badge_y = rows[row]
        out.append(f'<g class="marker" data-number="{badge}">{_title(marker.label)}')
        out.append(
            f'<line x1="{num(tick)}" y1="{num(badge_y + radius)}" x2="{num(tick)}" y2="{num(TOP)}"'
            f' stroke="{INK}" stroke-width="1.5"/>'
        )
        if abs(centre - tick) > 0.5:  # moved along: a short line joins it to its tick
            out.append(
                f'<line x1="{num(tick)}" y1="{num(badge_y + radius)}" x2="{num(centre)}"'
                f' y2="{num(badge_y + radius)}" stroke="{INK}" stroke-width="1"/>'
            )
        out.append(
            f'<circle cx="{num(centre)}" cy="{num(badge_y)}" r="{num(radius)}" fill="{INK}"/>'
            f'<text class="marker-label" x="{num(centre)}" y="{num(badge_y + 3.5)}"'
            f' text-anchor="middle" font-size="{font_size}" font-weight="bold" fill="#ffffff">'
            f"{badge}</text>"
        )
        out.append("</g>")
    out.append("</g>")

    if heading:
        out.append(
            f'<text x="{num(LEFT)}" y="{num(TOP - 14)}" font-size="12" font-weight="bold">'
            f"{escape(heading)}</text>"
        )
    out.extend(_legend(chart, found, centre_name, target))
    out.append("</svg>")
    return "\n".join(out)


def _polyline(points: list[str]) -> str:
    return f'<polyline points="{" ".join(points)}" stroke="{GREY}" stroke-width="1.5"/>'


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _legend(chart: Chart, found: Signals, centre_name: str, target: float | None) -> list[str]:
    """The legend as SVG text with a sample of each shape and line, wrapped into rows."""
    items: list[tuple[str, str]] = []  # (sample markup with {x} {y}, label)
    seen: list[PointType] = ["common_cause"]
    for kind in found.point_type:
        if kind not in seen:
            seen.append(kind)
    labelled: set[str] = set()
    order = list(POINT_STYLES)
    long_run = found.fired.get("long_run")
    for kind in sorted(seen, key=order.index):
        shape, colour, wording = POINT_STYLES[kind]
        if wording in labelled:
            continue
        labelled.add(wording)
        if long_run is not None and any(
            flag and point == kind for flag, point in zip(long_run, found.point_type, strict=True)
        ):
            wording += " (a long run)"
        items.append((f"point:{shape}:{colour}:{colour}", wording))
    if bool(np.any(chart.excluded)):
        items.append((f"point:circle:#ffffff:{GREY}", "Excluded"))
    items.append((f"line:{INK}:", centre_name))
    if chart.chart != "run":
        items.append((f"line:{MUTED}:{LIMIT_DASH}", "Limits"))
    if target is not None:
        items.append((f"line:{RED}:{TARGET_DASH}", "Target"))
    if found.few_crossings_parts:
        items.append(("text:", "Signal: the line crosses the median too few times"))
    out = ['<g class="legend">']
    x, y = LEFT, BOTTOM + 44.0
    for sample, label in items:
        width = 24 + len(label) * 6 + 16
        if x + width > RIGHT and x > LEFT:
            x, y = LEFT, y + 18
        what, *rest = sample.split(":")
        if what == "text":
            width -= 24
            out.append(f'<text x="{num(x)}" y="{num(y)}">{escape(label)}</text>')
            x += width
            continue
        if what == "point":
            shape, fill, stroke = rest
            attrs = _attrs(fill=fill, stroke=stroke, stroke_width="1.5")
            out.append(_shape(shape, x + 8, y - 4, POINT_SIZE, attrs))
        else:
            colour, dash = rest
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{num(x)}" y1="{num(y - 4)}" x2="{num(x + 18)}" y2="{num(y - 4)}"'
                f' stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        out.append(f'<text x="{num(x + 24)}" y="{num(y)}">{escape(label)}</text>')
        x += width
    out.append("</g>")
    return out


HEADING_HEIGHT = 78  # title, subtitle, and the Making Data Count icons
_ROOT = re.compile(
    r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 (\d+) (\d+)" width="100%"'
)


KEY_LINE = 16  # the height of a line of the key beneath a downloaded chart
KEY_CHARS = 118  # the longest line of the key, in characters, before it wraps


#: The Making Data Count assurance icon: a letter in a coloured circle (as templates/_macros/mdc).
ASSURANCE_MARKS = {"pass": ("P", BLUE), "fail": ("F", ORANGE), "inconsistent": ("?", MUTED)}


def _icons(variation: tuple[str, str] | None, assurance: tuple[str, str] | None) -> list[str]:
    """The two Making Data Count icons with their words, on the heading's third line."""
    out, x, y = [], LEFT + 6, 66.0
    for icon in (variation, assurance):
        if icon is None:
            continue
        kind, words = icon
        if kind in POINT_STYLES:
            shape, colour, _ = POINT_STYLES[kind]
            out.append(_shape(shape, x, y - 4, 6, f'fill="{colour}"'))
        elif kind in ASSURANCE_MARKS:
            letter, colour = ASSURANCE_MARKS[kind]
            out.append(
                f'<circle cx="{num(x)}" cy="{num(y - 4)}" r="7" fill="{colour}"/>'
                f'<text x="{num(x)}" y="{num(y)}" text-anchor="middle" font-size="10"'
                f' font-weight="bold" fill="#ffffff">{letter}</text>'
            )
        else:
            continue
        out.append(f'<text x="{num(x + 12)}" y="{num(y)}" font-size="12">{escape(words)}</text>')
        x += 12 + len(words) * 6.5 + 30  # the next icon after these words (an estimate)
    return out


def download_svg(
    charts: Sequence[str],
    title: str,
    subtitle: str,
    key: Sequence[str] = (),
    variation: tuple[str, str] | None = None,
    assurance: tuple[str, str] | None = None,
) -> str:
    """A chart file as it is downloaded: a heading (`title` in bold, `subtitle` beneath: whose
    data, which periods, which chart) above the charts given, stacked (an I chart with its moving
    ranges beneath), and the `key` beneath them (what the cycles' numbered badges stand for,
    the notes on points), so the picture says what it is when pasted into a report. The
    Making Data Count icons (`variation`, `assurance`: kind and words) sit in the heading."""
    parts, top = [], HEADING_HEIGHT
    for svg in charts:
        found = _ROOT.match(svg)
        if found is None:
            raise ValueError("not a chart drawn by chart_svg")
        width, height = int(found.group(1)), int(found.group(2))
        placed = f'<svg x="0" y="{top}" width="{width}" height="{height}"'
        parts.append(f'{placed} viewBox="0 0 {width} {height}"' + svg[found.end() :])
        top += height
    if key:
        parts.append('<g class="key" font-size="11">')
        for entry in key:
            for number, line in enumerate(textwrap.wrap(entry, KEY_CHARS)):
                top += KEY_LINE
                indent = LEFT + (14 if number else 0)  # a wrapped entry's lines after its first
                parts.append(f'<text x="{num(indent)}" y="{top}">{escape(line)}</text>')
        parts.append("</g>")
        top += KEY_LINE // 2
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {top}" width="{WIDTH}"'
            f' height="{top}" role="img" aria-labelledby="download-title"'
            f' font-family="{FONT}" fill="{INK}">',
            f'<title id="download-title">{escape(title)}: {escape(subtitle)}</title>',
            f'<rect x="0" y="0" width="{WIDTH}" height="{top}" fill="#ffffff"/>',
            f'<text x="{num(LEFT)}" y="24" font-size="16" font-weight="bold">'
            f"{escape(title)}</text>",
            f'<text x="{num(LEFT)}" y="44" font-size="12">{escape(subtitle)}</text>',
            *_icons(variation, assurance),
            *parts,
            "</svg>",
        ]
    )
