"""Reads for the aim page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from improve.analysis.series import SeriesAnalysis
from improve.extensions import db
from improve.measures.analysis import analyse_series
from improve.models import Aim, AimAssessment, Measure, Team
from improve.models.measure import aim_measure


def list_assessments(aim: Aim) -> list[AimAssessment]:
    """The aim's assessments, newest first (by the date the team gave, then by when entered)."""
    query = (
        sa.select(AimAssessment)
        .where(AimAssessment.aim_id == aim.id)
        .order_by(AimAssessment.assessed_on.desc(), AimAssessment.id.desc())
    )
    return list(db.session.scalars(query))


def list_measures(aim: Aim) -> list[Measure]:
    """Measures that tell whether this aim's changes are improvements: its own, and shared
    measures of the collaborative that it reports against. Archived ones are left out."""
    shared = sa.select(aim_measure.c.measure_id).where(aim_measure.c.aim_id == aim.id)
    query = (
        sa.select(Measure)
        .where(
            sa.or_(Measure.aim_id == aim.id, Measure.id.in_(shared)),
            Measure.is_archived.is_(False),
        )
        .order_by(Measure.measure_type, Measure.name)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class MeasureSummary:
    """One row of a summary table: a measure, the team whose data it shows, and the one analysis
    of that series (None with fewer than 2 points)."""

    measure: Measure
    team_id: int
    analysis: SeriesAnalysis | None


def measure_summaries(measures: Sequence[Measure], team: Team) -> list[MeasureSummary]:
    """Each measure's analysis for the team, in the order given: one call to `analyse_series`,
    so one query for every point however many measures there are (the aim and team pages)."""
    analyses = analyse_series(measures, team.collaborative, [team.id])
    return [
        MeasureSummary(measure, team.id, analyses.get((measure.id, team.id)))
        for measure in measures
    ]
