"""Writes for panel reviews and evaluations, each with its audit row; the view commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from improve.auditing import create_audited, update_audited
from improve.models import Collaborative, Evaluation, PanelReview, Team, User
from improve.panel.review_forms import EVALUATION_FIELDS, REVIEW_TEXT_FIELDS

REVIEW_FIELDS = ("reviewed_on", *REVIEW_TEXT_FIELDS)


def record_review(
    actor: User, collaborative: Collaborative, details: dict[str, Any]
) -> PanelReview:
    """A new dated review; earlier ones stay as they were, for comparison."""
    review = PanelReview(collaborative_id=collaborative.id, recorded_by_id=actor.id, **details)
    day: date = review.reviewed_on
    create_audited(
        actor.id,
        review,
        REVIEW_FIELDS,
        summary=f"Recorded the panel review of {day.day} {day:%B %Y}",
        collaborative_id=collaborative.id,
    )
    return review


def _whose(team: Team | None) -> str:
    return f"team {team.name}" if team is not None else "the whole collaborative"


def save_evaluation(
    actor: User,
    collaborative: Collaborative,
    team: Team | None,
    evaluation: Evaluation | None,
    answers: dict[str, str],
) -> tuple[Evaluation, bool]:
    """Create the (collaborative, team) evaluation or update it; whether anything changed."""
    team_id = team.id if team else None
    if evaluation is None:
        evaluation = Evaluation(
            collaborative_id=collaborative.id, team_id=team_id, recorded_by_id=actor.id, **answers
        )
        create_audited(
            actor.id,
            evaluation,
            EVALUATION_FIELDS,
            summary=f"Answered the evaluation questions for {_whose(team)}",
            team_id=team_id,
            collaborative_id=collaborative.id,
        )
        return evaluation, True
    changed = update_audited(
        actor.id,
        evaluation,
        EVALUATION_FIELDS,
        answers,
        summary=f"Changed the evaluation answers for {_whose(team)}",
        team_id=team_id,
        collaborative_id=collaborative.id,
    )
    if changed:
        evaluation.recorded_by_id = actor.id
    return evaluation, changed
