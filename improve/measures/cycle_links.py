"""Reads that tie a measure's signals to PDSA cycles: the cycles before each signal on the
measure page, and the signals since a cycle began on the cycle's Study stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from improve.charts.table import signal_list
from improve.cycles.queries import list_for_aim
from improve.extensions import db
from improve.measures import charting, linking, queries
from improve.measures.analysis import analyse_series
from improve.models import Collaborative, Cycle, Measure, Team
from improve.models.cycle import cycle_measure


def drawn_cycles(measure: Measure, team: Team) -> list[Cycle]:
    """The cycles drawn on a measure's chart: every cycle of its aim, or for a shared measure
    the cycles of this team that collect it."""
    if measure.aim_id is not None:
        return list_for_aim(measure.aim_id)
    return measure_cycles(measure, team)


def measure_cycles(measure: Measure, team: Team) -> list[Cycle]:
    """The cycles a measure's signals may follow: this team's cycles whose data plan names the
    measure (the idea library's rule too)."""
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
    """The measure's chart for this team, with the cycles drawn on it and, per signal, the
    cycles whose data plan names the measure that it follows."""
    collaborative = db.session.get_one(Collaborative, measure.collaborative_id)
    frame = queries.series_frame(measure, team)
    notes = queries.point_notes(measure, team)
    chart = charting.chart_view(measure, collaborative, frame, drawn_cycles(measure, team), notes)
    if chart is None:
        return None
    cycles = [as_info(c) for c in measure_cycles(measure, team)]
    starts = [event.start for event in chart.analysis.events]
    linked = linking.cycles_before(starts, cycles, measure.frequency.value)
    return replace(chart, signal_cycles=tuple(linked))


@dataclass(frozen=True)
class MeasureSignals:
    measure: Measure
    signals: list[dict[str, Any]]


def signals_since_cycle(cycle: Cycle, measures: list[Measure]) -> list[MeasureSignals]:
    """Per measure the cycle collects, the signals in this team's data that follow the cycle
    (linking.follows). One query for every measure's points, whatever their number."""
    team = db.session.get_one(Team, cycle.team_id)
    if not measures:
        return []
    collaborative = db.session.get_one(Collaborative, measures[0].collaborative_id)
    analyses = analyse_series(measures, collaborative, [team.id])
    result = []
    for measure in measures:
        analysis = analyses.get((measure.id, team.id))
        listed = signal_list(analysis) if analysis else []
        found = [
            entry
            for entry in listed
            if linking.follows(cycle.starts_on, entry["period_start"], measure.frequency.value)
        ]
        result.append(MeasureSignals(measure, found))
    return result
