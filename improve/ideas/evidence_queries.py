"""Reads for the evidence behind change ideas: one idea's evidence, the evidence of a whole
collaborative's ideas (the library), and the adopted changes with their evidence (the panel's
pack). Each is one query, whatever the number of teams; the sums are improve.analysis.evidence.
(The aim page's diagram reads its own ideas' evidence in improve.drivers.queries.)"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from improve.analysis import evidence as sums
from improve.extensions import db
from improve.models import ChangeIdea, Cycle, Decision, IdeaEvidence, Ramp, Team


def list_evidence(idea: ChangeIdea, team_id: int) -> list[IdeaEvidence]:
    """The idea's evidence, oldest first."""
    query = (
        sa.select(IdeaEvidence)
        .where(IdeaEvidence.change_idea_id == idea.id, IdeaEvidence.team_id == team_id)
        .order_by(IdeaEvidence.created_at, IdeaEvidence.id)
    )
    return list(db.session.scalars(query))


def collaborative_evidence(collaborative_id: int) -> list[tuple[int, str]]:
    """(idea id, kind) for every piece of evidence behind the collaborative's teams' ideas."""
    query = (
        sa.select(IdeaEvidence.change_idea_id, IdeaEvidence.kind)
        .join(Team, Team.id == IdeaEvidence.team_id)
        .where(Team.collaborative_id == collaborative_id)
    )
    return [(idea_id, kind.value) for idea_id, kind in db.session.execute(query)]


def adopted_rows(
    collaborative_id: int, team_id: int | None, start: date | None, end: date | None
) -> list[tuple[int, int, str, str | None]]:
    """(idea id, team id, title, kind or None) for each change idea with a test of change
    decided "adopt" that ran in the period (as the panel counts cycles: ending on or after
    `start`, starting on or before `end`), once per piece of evidence behind it."""
    query: Any = (
        sa.select(ChangeIdea.id, Cycle.team_id, ChangeIdea.title, IdeaEvidence.kind)
        .select_from(Cycle)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .outerjoin(
            IdeaEvidence,
            sa.and_(
                IdeaEvidence.change_idea_id == ChangeIdea.id,
                IdeaEvidence.team_id == Cycle.team_id,
            ),
        )
        .join(Team, Team.id == Cycle.team_id)
        .where(Cycle.decision == Decision.ADOPT, Team.collaborative_id == collaborative_id)
        .distinct()
    )
    if team_id is not None:
        query = query.where(Cycle.team_id == team_id)
    if start is not None:
        query = query.where(Cycle.ends_on >= start)
    if end is not None:
        query = query.where(Cycle.starts_on <= end)
    return [
        (idea_id, team, title, None if kind is None else kind.value)
        for idea_id, team, title, kind in db.session.execute(query)
    ]


def adopted_evidence(
    collaborative_id: int, team_id: int | None, start: date | None, end: date | None
) -> sums.AdoptedEvidence:
    """What the changes adopted in the period rest on (improve.analysis.evidence)."""
    return sums.adopted_evidence(adopted_rows(collaborative_id, team_id, start, end))
