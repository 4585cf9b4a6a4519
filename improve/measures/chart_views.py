"""Downloading a measure's chart as a file: SVG (scales without blurring) or PNG (a picture)."""

from __future__ import annotations

import re

from flask import Response, abort

from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.charts.png import png_from_svg
from improve.charts.svg import CHART_NAMES, download_svg, labels_days, period_label
from improve.http_caching import conditional, content_tag
from improve.measures import bp
from improve.measures.charting import ChartView
from improve.measures.views import _chart, data_team, measure_or_404


def safe_filename(name: str) -> str:
    """The measure's name as a file name: letters, digits, - and _ only."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    return cleaned[:80] or "chart"


def _chart_or_404(measure_id: int) -> tuple[str, str]:
    """The file name (without extension) and the chart as on the measure page (a shared measure
    takes `?team=`) as a file; not found when the person may not see it or there is no chart."""
    measure = measure_or_404(measure_id)
    team, _teams = data_team(measure)
    chart = _chart(measure, team)
    if chart is None or team is None:
        abort(404)
    return safe_filename(measure.name), chart_file(measure.name, team.name, chart)


def chart_file(measure_name: str, team_name: str, chart: ChartView) -> str:
    """The downloaded picture: the chart (an I chart with its moving ranges beneath) under a
    heading that says whose data it is, which periods and which chart, so it reads on its own
    in a report."""
    analysis = chart.analysis
    kind = CHART_NAMES.get(analysis.chart_type, "Chart")
    if chart.moving_ranges is not None:
        kind += " with its moving ranges beneath"
    first, last = analysis.dates[0], analysis.dates[-1]
    with_day = labels_days(analysis.dates)
    periods = f"{period_label(first, with_day)} to {period_label(last, with_day)}"
    drawn = [str(chart.svg)] + ([str(chart.moving_ranges.svg)] if chart.moving_ranges else [])
    key = [entry.words for entry in chart.key] + [f"{day}: {text}" for day, text in chart.notes]
    variation, assurance = analysis.variation, analysis.assurance
    return download_svg(
        drawn,
        measure_name,
        f"{team_name} · {periods} · {kind}",
        key,
        variation=(variation, VARIATION_WORDS[variation][0]) if variation else None,
        assurance=(assurance, ASSURANCE_WORDS[assurance][0]) if assurance else None,
    )


def _attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/measures/<id:measure_id>/chart.svg")
def chart_svg(measure_id: int):
    """The chart as an SVG file."""
    filename, svg = _chart_or_404(measure_id)
    name = f"{filename}.svg"
    return conditional(content_tag(name, svg), lambda: _attachment(svg, "image/svg+xml", name))


@bp.get("/measures/<id:measure_id>/chart.png")
def chart_png(measure_id: int):
    """The same chart drawn as a PNG picture, twice the SVG's size, on white."""
    filename, svg = _chart_or_404(measure_id)
    name = f"{filename}.png"
    # Tagged by the SVG it is drawn from: drawing the PNG is the slow part, done only on a miss.
    return conditional(
        content_tag(name, svg), lambda: _attachment(png_from_svg(svg), "image/png", name)
    )
