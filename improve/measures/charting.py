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
from improve.charts.svg import Marker, chart_svg, describe, labels_days, period_label
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
    # The key beneath the chart: the cycles its numbered badges stand for, and what the team
    # wrote about its points (period label, sentence).
    key: tuple[CycleKey, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


DECISION_WORDS = {
    "adopt": "Decided to adopt the change",
    "adapt": "Decided to adapt it and test again",
    "abandon": "Decided to abandon it",
}


@dataclass(frozen=True)
class CycleKey:
    """One cycle in the chart's key: its badge's number (1, 2, 3 in the order the cycles began:
    cycle numbers restart on each idea's ramp, so two could both be "cycle 1"), its own cycle
    number, what it tested, when, and what was decided."""

    number: int
    cycle_number: int
    cycle_id: int
    title: str
    starts_on: date
    ends_on: date | None
    decision: str  # "adopt", "adapt", "abandon", or "" while it runs

    @property
    def outcome(self) -> str:
        return DECISION_WORDS.get(self.decision, "Still under way")

    @property
    def words(self) -> str:
        """ "2. Calls at night (cycle 3), 4 May 2026 to 31 May 2026. Decided to adopt the
        change." """
        when = f"{self.starts_on:%-d %b %Y}"
        if self.ends_on:
            when += f" to {self.ends_on:%-d %b %Y}"
        return f"{self.number}. {self.title} (cycle {self.cycle_number}), {when}. {self.outcome}."


def drawn_in_order(cycles: list[Any], dates: tuple[date, ...]) -> list[Any]:
    """The cycles a chart of these periods draws (any that began by its last period), in the
    order they began: the badges' numbers."""
    last = dates[-1] if dates else None
    drawn = [
        c
        for c in cycles
        if isinstance(c.starts_on, date) and last is not None and c.starts_on <= last
    ]
    return sorted(drawn, key=lambda c: (c.starts_on, c.id))


def cycle_key(cycles: list[Any]) -> tuple[CycleKey, ...]:
    """The key to the badges of these cycles (from `drawn_in_order`)."""
    return tuple(
        CycleKey(
            place,
            c.number,
            c.id,
            c.title,
            c.starts_on,
            c.ends_on,
            c.decision.value if c.decision else "",
        )
        for place, c in enumerate(cycles, start=1)
    )


def chart_view(
    measure: Measure,
    collaborative: Collaborative,
    frame: pd.DataFrame,
    cycles: list[Any],
    notes: dict[date, str] | None = None,
) -> ChartView | None:
    """The chart of one team's points (`frame` from queries.series_frame) with these cycles'
    numbered badges and a key to them and to the `notes` on its points; None if too few."""
    analysis = analyse_measure(measure, collaborative, frame)
    if analysis is None:
        return None
    notes = notes or {}
    drawn = drawn_in_order(cycles, analysis.dates)
    view = draw(analysis, measure.name, cycle_markers(drawn), notes=notes)
    with_day, charted = labels_days(analysis.dates), set(analysis.dates)
    view = replace(
        view,
        key=cycle_key(drawn),
        notes=tuple(
            (period_label(day, with_day), text)
            for day, text in sorted(notes.items())
            if day in charted
        ),
    )
    moving = moving_ranges_of(measure, collaborative, frame)
    if moving is None or analysis.chart_type != "i":
        return view
    beneath = draw(
        moving,
        f"{measure.name}: moving ranges",
        [],
        id_prefix="mr-chart",
        signals_only=True,
        heading="Moving ranges: how much each point changed from the one before",
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
    notes: dict[date, str] | None = None,
    heading: str | None = None,
) -> ChartView:
    """The analysis as the measure page shows it (see chart_svg for the options)."""
    target = analysis.target
    svg = chart_svg(
        analysis.chart,
        analysis.found,
        title=title,
        dates=list(analysis.dates),
        target=target,
        target_line=analysis.target_line,
        markers=markers,
        id_prefix=id_prefix,
        signals_only=signals_only,
        percent=analysis.definition.fraction,
        notes=notes,
        heading=heading,
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
            target_line=analysis.target_line,
        ),
        signals=signal_list(analysis),
        rows=analysis_rows(analysis),
    )


def cycle_markers(cycles: list[Any]) -> list[Marker]:
    """PDSA cycles (from `drawn_in_order`) drawn where they started, numbered 1, 2, 3 as in
    the key."""
    return [
        Marker(cycle.starts_on, f"{place}. {cycle.title} (cycle {cycle.number})", number=place)
        for place, cycle in enumerate(cycles, start=1)
    ]
