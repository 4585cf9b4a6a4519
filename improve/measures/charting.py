"""A measure's chart: its saved points and settings turned into the engine's inputs, and the
engine's results into what the measure page shows (SVG, a text summary, signals, a table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from improve.analysis.rules import signals
from improve.analysis.spc import AnalysisError, control_chart
from improve.analysis.wording import runs_sentences
from improve.charts.svg import Marker, chart_svg, describe
from improve.charts.table import chart_rows
from improve.models import Collaborative, Measure

# Fewer points than this cannot make a chart worth reading.
MINIMUM_POINTS = 2


@dataclass(frozen=True)
class ChartView:
    svg: Markup
    summary: str
    signals: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    # Per signal (same order): the PDSA cycles that ran before it, from measures.linking.
    signal_cycles: tuple[list[Any], ...] = ()
    # Runs-analysis signals (a long run, too few crossings) belong to a part, not to one point.
    pattern_signals: tuple[str, ...] = ()


def chart_view(
    measure: Measure, collaborative: Collaborative, frame: pd.DataFrame, markers: list[Marker]
) -> ChartView | None:
    """The chart of one team's points (`frame` from queries.series_frame), or None if too few."""
    if len(frame) < MINIMUM_POINTS:
        return None
    chart_type = measure.chart_type.value
    needs_denominator = chart_type in ("p", "u")
    options: dict[str, Any] = {
        "chart": chart_type,
        "breaks": phase_breaks(frame["starts_new_phase"].to_numpy()),
        "exclude": [int(i) + 1 for i in np.flatnonzero(frame["excluded"].to_numpy())],
        "freeze": measure.freeze_points,
        "multiplier": measure.multiplier if chart_type == "u" else 1.0,
        "sigma_method": collaborative.sigma_method.value,
        "screen_outliers": collaborative.screen_outliers,
    }
    values = frame["value"].to_numpy(dtype=float)
    denominators = frame["denominator"].to_numpy(dtype=float) if needs_denominator else None
    try:
        chart = control_chart(values, denominators, **options)
    except AnalysisError:
        # A baseline longer than the data, say: show the chart without the freeze rather than
        # no chart at all.
        options["freeze"] = None
        try:
            chart = control_chart(values, denominators, **options)
        except AnalysisError:
            return None
    lengths = {"shift": collaborative.shift_length, "trend": collaborative.trend_length}
    found = signals(
        chart,
        rules=collaborative.run_chart_rules.value if chart_type == "run" else "mdc",  # type: ignore[arg-type]
        direction=measure.direction.value,  # type: ignore[arg-type]
        shift_length=lengths["shift"],
        trend_length=lengths["trend"],
    )
    dates = [day for day in frame["period_start"]]
    rows = chart_rows(chart, found, dates, lengths=lengths)
    for row, day in zip(rows, dates, strict=True):
        row["period_start"] = day  # the period as a date, to match signals with cycles
    svg = chart_svg(
        chart, found, title=measure.name, dates=dates, target=measure.target_value, markers=markers
    )
    return ChartView(
        # Our own renderer escapes every piece of user text it writes into the SVG
        # (tests/browser/test_stored_xss.py checks the measure page in Chromium).
        svg=Markup(svg),  # nosec B704
        summary=describe(chart, found, dates=dates, target=measure.target_value),
        signals=[row for row in rows if row["signal"]],
        rows=rows,
        pattern_signals=tuple(
            sentence
            for runs in chart.runs()
            if runs.long_run_signal or runs.few_crossings_signal
            for sentence in runs_sentences(runs)
        ),
    )


def phase_breaks(starts_new_phase: np.ndarray) -> list[int]:
    """Where new parts begin, as the engine counts (a part breaks after point N, 1-based), leaving
    out any break that would make a part of fewer than 2 points: such a phase cannot have limits
    of its own yet, so it stays with the one before until it has a second point."""
    breaks: list[int] = []
    size = len(starts_new_phase)
    for index in np.flatnonzero(starts_new_phase):
        after = int(index)  # a phase starting at 0-based point i breaks after 1-based point i
        previous = breaks[-1] if breaks else 0
        if after - previous >= MINIMUM_POINTS and size - after >= MINIMUM_POINTS:
            breaks.append(after)
    return breaks


def cycle_markers(cycles: list[Any]) -> list[Marker]:
    """PDSA cycles of the measure's aim, drawn where they started."""
    return [
        Marker(cycle.starts_on, f"Cycle {cycle.number}: {cycle.title}")
        for cycle in cycles
        if isinstance(cycle.starts_on, date)
    ]
