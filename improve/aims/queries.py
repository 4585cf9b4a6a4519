"""Reads for the aim page."""

from __future__ import annotations

import sqlalchemy as sa

from improve.extensions import db
from improve.models import Aim, AimAssessment, Measure
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
