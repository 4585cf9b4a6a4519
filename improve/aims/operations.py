"""Writes for aims and their assessments, each with its audit row; the view commits."""

from __future__ import annotations

from typing import Any

from improve.auditing import record_event, snapshot, update_audited
from improve.extensions import db
from improve.models import Aim, AimAssessment, AimStatus, AuditAction, Team, User

AIM_FIELDS = (
    "title",
    "what",
    "for_whom",
    "location",
    "unit",
    "baseline_value",
    "target_value",
    "target_date",
)
STATUS_FIELDS = ("status", "stopped_reason")
ASSESSMENT_FIELDS = (
    "assessed_on",
    "where_are_we_now",
    "what_do_we_want_to_achieve",
    "how_will_we_get_there",
    "who_needs_to_act",
    "timescales",
    "learning_points",
    "action_points",
)


def audit_scope(aim: Aim) -> dict[str, int]:
    """The team and collaborative an aim's audit rows belong to."""
    return {"team_id": aim.team_id, "collaborative_id": aim.team.collaborative_id}


def create_aim(actor: User, team: Team, details: dict[str, Any]) -> Aim:
    aim = Aim(team=team, created_by_id=actor.id, status=AimStatus.ACTIVE, **details)
    db.session.add(aim)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        aim,
        summary=f"Set the aim {aim.title}",
        after=snapshot(aim, AIM_FIELDS + STATUS_FIELDS),
        **audit_scope(aim),
    )
    return aim


def update_aim(actor: User, aim: Aim, details: dict[str, Any]) -> bool:
    return update_audited(
        actor.id,
        aim,
        AIM_FIELDS,
        details,
        summary=f"Changed the aim {details.get('title', aim.title)}",
        **audit_scope(aim),
    )


def set_status(actor: User, aim: Aim, status: AimStatus, reason: str) -> bool:
    """Active, achieved, or stopped with a reason; a reason only stays while the aim is stopped."""
    values = {"status": status, "stopped_reason": reason if status == AimStatus.STOPPED else ""}
    return update_audited(
        actor.id,
        aim,
        STATUS_FIELDS,
        values,
        summary=f"Marked the aim {aim.title} as {status.value}",
        **audit_scope(aim),
    )


def add_assessment(actor: User, aim: Aim, details: dict[str, Any]) -> AimAssessment:
    """A new dated entry: earlier ones are kept as they were, so the team sees how things moved."""
    assessment = AimAssessment(aim=aim, created_by_id=actor.id, **details)
    db.session.add(assessment)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        assessment,
        summary=f"Took stock of the aim {aim.title}",
        after=snapshot(assessment, ASSESSMENT_FIELDS),
        **audit_scope(aim),
    )
    return assessment
