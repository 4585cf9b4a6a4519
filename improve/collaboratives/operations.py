"""Writes for collaboratives and their teams; views commit once."""

from __future__ import annotations

from typing import Any

from improve.auditing import record_event, snapshot, update_audited
from improve.extensions import db
from improve.members.operations import MEMBERSHIP_FIELDS
from improve.models import (
    DEFAULT_PROGRESS_LABELS,
    AuditAction,
    Collaborative,
    Membership,
    Role,
    Team,
    User,
)

COLLABORATIVE_FIELDS = (
    "name",
    "topic",
    "description",
    "starts_on",
    "ends_on",
    "run_chart_rules",
    "sigma_method",
    "shift_length",
    "trend_length",
    "stall_weeks",
    "suppression_threshold",
    "reporting_cadence",
    "report_due_day",
)
TEAM_FIELDS = ("name", "organisation", "organisation_kind", "service", "collaborative_id")


def create_collaborative(actor: User, details: dict[str, Any]) -> Collaborative:
    """A new collaborative; a coordinator who starts one coordinates it."""
    collaborative = Collaborative(**details)
    db.session.add(collaborative)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        collaborative,
        summary=f"Created collaborative {collaborative.name}",
        after=snapshot(collaborative, COLLABORATIVE_FIELDS),
        collaborative_id=collaborative.id,
    )
    if not actor.is_admin:
        membership = Membership(
            user_id=actor.id, role=Role.COORDINATOR, collaborative_id=collaborative.id
        )
        db.session.add(membership)
        db.session.flush()
        record_event(
            actor.id,
            AuditAction.CREATE,
            membership,
            summary=f"Made {actor.display_name} coordinator of {collaborative.name}",
            after=snapshot(membership, MEMBERSHIP_FIELDS),
            collaborative_id=collaborative.id,
        )
    return collaborative


def update_score_labels(actor: User, collaborative: Collaborative, labels: dict[str, str]) -> None:
    """Put the progress scores in the collaborative's own words; the audit row lists the scores
    whose words changed, before and after."""
    before = dict(collaborative.progress_labels or DEFAULT_PROGRESS_LABELS)
    changed = [score for score, words in labels.items() if before.get(score) != words]
    if not changed:
        return
    collaborative.progress_labels = dict(labels)  # a new value, so the JSON column is saved
    record_event(
        actor.id,
        AuditAction.UPDATE,
        collaborative,
        summary=f"Changed the progress score labels of {collaborative.name}",
        before={f"score {score}": before.get(score, "") for score in changed},
        after={f"score {score}": labels[score] for score in changed},
        collaborative_id=collaborative.id,
    )


def update_collaborative(
    actor: User, collaborative: Collaborative, details: dict[str, Any]
) -> None:
    update_audited(
        actor.id,
        collaborative,
        COLLABORATIVE_FIELDS,
        details,
        summary=f"Changed collaborative {details.get('name', collaborative.name)}",
        collaborative_id=collaborative.id,
    )


def add_team(actor: User, collaborative: Collaborative, details: dict[str, Any]) -> Team:
    team = Team(collaborative_id=collaborative.id, **details)
    db.session.add(team)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        team,
        summary=f"Added team {team.name}",
        after=snapshot(team, TEAM_FIELDS),
        team_id=team.id,
        collaborative_id=collaborative.id,
    )
    return team


def team_name_taken(
    collaborative: Collaborative, name: str, except_team_id: int | None = None
) -> bool:
    query = db.select(Team.id).where(
        Team.collaborative_id == collaborative.id, db.func.lower(Team.name) == name.lower()
    )
    if except_team_id is not None:
        query = query.where(Team.id != except_team_id)
    return db.session.scalar(query.limit(1)) is not None


def collaborative_name_taken(name: str, except_id: int | None = None) -> bool:
    query = db.select(Collaborative.id).where(db.func.lower(Collaborative.name) == name.lower())
    if except_id is not None:
        query = query.where(Collaborative.id != except_id)
    return db.session.scalar(query.limit(1)) is not None
