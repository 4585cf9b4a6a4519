"""Reads that tie a measure's signals to PDSA cycles: the cycles before each signal on the
measure page, and the signals since a cycle began on the cycle's Study stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from improve.cycles.queries import list_for_aim
from improve.extensions import db
from improve.measures import charting, linking, queries
from improve.models import Collaborative, Cycle, Measure, Team
from improve.models.cycle import cycle_measure


def measure_cycles(measure: Measure, team: Team) -> list[Cycle]:
    """The cycles a measure's signals may follow: for an aim's measure, every cycle of that aim;
    for a shared measure, the cycles of this team that collect it (linked in their Plan)."""
    if measure.aim_id is not None:
        return list_for_aim(measure.aim_id)
    query = (
        sa.select(Cycle)
        .join(cycle_measure, cycle_measure.c.cycle_id == Cycle.id)
        .where(cycle_measure.c.measure_id == measure.id, Cycle.team_id == team.id)
        .order_by(Cycle.starts_on, Cycle.id)
    )
    return list(db.session.scalars(query))


def as_info(cycle: Cycle) -> linking.CycleInfo:
    return (cycle.id, cycle.number, cycle.title, cycle.starts_on, cycle.ends_on)


def chart_with_cycles(measure: Measure, team: Team) -> charting.ChartView | None:
    """The measure's chart for this team, with the cycles drawn on it and listed per signal."""
    cycles = measure_cycles(measure, team)
    collaborative = db.session.get_one(Collaborative, measure.collaborative_id)
    frame = queries.series_frame(measure, team)
    chart = charting.chart_view(measure, collaborative, frame, charting.cycle_markers(cycles))
    if chart is None:
        return None
    periods = [row["period_start"] for row in chart.signals]
    linked = linking.cycles_before(periods, [as_info(c) for c in cycles], measure.frequency.value)
    return replace(chart, signal_cycles=tuple(linked))


@dataclass(frozen=True)
class MeasureSignals:
    measure: Measure
    signals: list[dict[str, Any]]


def signals_since_cycle(cycle: Cycle, measures: list[Measure]) -> list[MeasureSignals]:
    """Per measure the cycle collects, the signals in this team's data from the period the cycle
    began. One query for every measure's points, whatever their number."""
    team = db.session.get_one(Team, cycle.team_id)
    frames = queries.series_frames(measures, team)
    result = []
    for measure in measures:
        collaborative = db.session.get_one(Collaborative, measure.collaborative_id)
        chart = charting.chart_view(measure, collaborative, frames[measure.id], [])
        rows = chart.signals if chart else []
        found = linking.signals_since(rows, cycle.starts_on, measure.frequency.value)
        result.append(MeasureSignals(measure, found))
    return result
