"""A measure's chart: the one analysis of the team's points (improve.measures.analysis) drawn
for the measure page (SVG, a text summary, the signals in words, a table). Nothing here decides
a signal: it only shows the analysis."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from markupsafe import Markup

from improve.analysis.series import MINIMUM_POINTS, SeriesAnalysis
from improve.charts.svg import Marker, chart_svg, describe
from improve.charts.table import analysis_rows, signal_list
from improve.measures.analysis import analyse_measure, moving_ranges_of
from improve.models import Collaborative, Measure

__all__ = ["MINIMUM_POINTS", "ChartView", "chart_view", "cycle_markers", "draw"]


@dataclass(frozen=True)
class ChartView:
    analysis: SeriesAnalysis
    svg: Markup
    summary: str
    # One entry per signal (SignalEvent): its periods, its sentence, its kind.
    signals: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    # Per signal (same order): the PDSA cycles that ran before it, from measures.linking.
    signal_cycles: tuple[list[Any], ...] = ()
    # Beneath an I chart, its moving ranges (the XmR view of Making Data Count).
    moving_ranges: ChartView | None = None


def chart_view(
    measure: Measure, collaborative: Collaborative, frame: pd.DataFrame, markers: list[Marker]
) -> ChartView | None:
    """The chart of one team's points (`frame` from queries.series_frame), or None if too few."""
    analysis = analyse_measure(measure, collaborative, frame)
    if analysis is None:
        return None
    view = draw(analysis, measure.name, markers)
    moving = moving_ranges_of(measure, collaborative, frame)
    if moving is None or analysis.chart_type != "i":
        return view
    beneath = draw(
        moving, f"{measure.name}: moving ranges", [], id_prefix="mr-chart", signals_only=True
    )
    # One table for both charts: each period's moving range beside its value.
    for row, ranged in zip(view.rows, beneath.rows, strict=True):
        row["moving_range"], row["moving_upper"] = ranged["value"], ranged["upper"]
        row["moving_signal"] = ranged["signal"]
    return replace(view, moving_ranges=beneath)


def draw(
    analysis: SeriesAnalysis,
    title: str,
    markers: list[Marker],
    id_prefix: str = "chart",
    signals_only: bool = False,
) -> ChartView:
    """The analysis as the measure page shows it (see chart_svg for the options)."""
    target = analysis.target
    svg = chart_svg(
        analysis.chart,
        analysis.found,
        title=title,
        dates=list(analysis.dates),
        target=target,
        markers=markers,
        id_prefix=id_prefix,
        signals_only=signals_only,
        percent=analysis.definition.fraction,
    )
    return ChartView(
        analysis=analysis,
        # Our own renderer escapes every piece of user text it writes into the SVG
        # (tests/browser/test_stored_xss.py checks the measure page in Chromium).
        svg=Markup(svg),  # nosec B704
        summary=describe(
            analysis.chart,
            analysis.found,
            dates=list(analysis.dates),
            target=target,
            percent=analysis.definition.fraction,
        ),
        signals=signal_list(analysis),
        rows=analysis_rows(analysis),
    )


def cycle_markers(cycles: list[Any]) -> list[Marker]:
    """PDSA cycles of the measure's aim, drawn where they started."""
    return [
        Marker(cycle.starts_on, f"Cycle {cycle.number}: {cycle.title}")
        for cycle in cycles
        if isinstance(cycle.starts_on, date)
    ]
