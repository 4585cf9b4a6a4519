"""Writes for panel reviews, the actions agreed at them, and evaluations, each with its audit
row; the view commits."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from improve.auditing import create_audited, quoted, record_event, snapshot, update_audited
from improve.extensions import db
from improve.models import (
    ActionStatus,
    AuditAction,
    Collaborative,
    Evaluation,
    PanelAction,
    PanelReview,
    Team,
    User,
)
from improve.panel.review_forms import EVALUATION_FIELDS, REVIEW_TEXT_FIELDS

REVIEW_FIELDS = ("reviewed_on", "is_held", *REVIEW_TEXT_FIELDS)
# A deleted review's row keeps the free-text actions of the reviews written before actions had
# owners, so nothing it said is lost from the history.
REVIEW_DELETE_FIELDS = (*REVIEW_FIELDS, "actions")
ACTION_FIELDS = ("description", "owner", "due_on", "status", "progress_note")
# Adding and deleting rows name the review too, so its history can list its actions' changes.
ACTION_RECORD_FIELDS = ("review_id", *ACTION_FIELDS)


def day_words(day: date) -> str:
    """ "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


# Reviews ---------------------------------------------------------------------------------------


def record_review(
    actor: User, collaborative: Collaborative, details: dict[str, Any]
) -> PanelReview:
    """A new dated review; earlier ones stay as they were, for comparison."""
    review = PanelReview(collaborative_id=collaborative.id, recorded_by_id=actor.id, **details)
    create_audited(
        actor.id,
        review,
        REVIEW_FIELDS,
        summary=f"Recorded the panel review of {day_words(review.reviewed_on)}",
        collaborative_id=collaborative.id,
    )
    return review


def update_review(actor: User, review: PanelReview, details: dict[str, Any]) -> bool:
    """Change a review's date, state or texts; whether anything changed."""
    return update_audited(
        actor.id,
        review,
        REVIEW_FIELDS,
        details,
        summary=f"Changed the panel review of {day_words(review.reviewed_on)}",
        collaborative_id=review.collaborative_id,
    )


def mark_held(actor: User, review: PanelReview) -> bool:
    """The meeting has happened: from now on "since the review" counts run from its date."""
    return update_audited(
        actor.id,
        review,
        ("is_held",),
        {"is_held": True},
        summary=f"Marked the panel meeting of {day_words(review.reviewed_on)} as held",
        collaborative_id=review.collaborative_id,
    )


def delete_review(actor: User, review: PanelReview) -> int:
    """Delete a review and the actions agreed at it (each with its own audit row); how many
    actions went with it."""
    actions = list(
        db.session.scalars(sa.select(PanelAction).where(PanelAction.review_id == review.id))
    )
    for action in actions:
        _delete_action(actor, action, f"with the panel review of {day_words(review.reviewed_on)}")
    record_event(
        actor.id,
        AuditAction.DELETE,
        review,
        summary=f"Deleted the panel review of {day_words(review.reviewed_on)}",
        before=snapshot(review, REVIEW_DELETE_FIELDS),
        collaborative_id=review.collaborative_id,
    )
    db.session.delete(review)
    db.session.flush()
    return len(actions)


# Actions ---------------------------------------------------------------------------------------


def add_action(actor: User, review: PanelReview, details: dict[str, Any]) -> PanelAction:
    """An action agreed at this review; it starts as not started."""
    action = PanelAction(
        collaborative_id=review.collaborative_id,
        review_id=review.id,
        status=ActionStatus.OPEN,
        recorded_by_id=actor.id,
        **details,
    )
    create_audited(
        actor.id,
        action,
        ACTION_RECORD_FIELDS,
        summary=(
            f"Added the action {quoted(action.description)} at the panel review of "
            f"{day_words(review.reviewed_on)}"
        ),
        collaborative_id=review.collaborative_id,
    )
    return action


def update_action(actor: User, action: PanelAction, details: dict[str, Any]) -> bool:
    """Change an action's status, progress note, owner, due date or wording."""
    return update_audited(
        actor.id,
        action,
        ACTION_FIELDS,
        details,
        summary=f"Changed the action {quoted(action.description)}",
        collaborative_id=action.collaborative_id,
    )


def delete_action(actor: User, action: PanelAction) -> None:
    _delete_action(actor, action)


def _delete_action(actor: User, action: PanelAction, why: str = "") -> None:
    record_event(
        actor.id,
        AuditAction.DELETE,
        action,
        summary=f"Deleted the action {quoted(action.description)}{' ' + why if why else ''}",
        before=snapshot(action, ACTION_RECORD_FIELDS),
        collaborative_id=action.collaborative_id,
    )
    db.session.delete(action)
    db.session.flush()


# Evaluations -----------------------------------------------------------------------------------


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
