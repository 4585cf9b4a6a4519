"""Writes for a team's own details; the view commits."""

from __future__ import annotations

from typing import Any

from improve.auditing import record_event, snapshot
from improve.collaboratives.operations import TEAM_FIELDS
from improve.models import AuditAction, Team, User


def update_team(actor: User, team: Team, details: dict[str, Any]) -> None:
    before = snapshot(team, TEAM_FIELDS)
    for name, value in details.items():
        setattr(team, name, value)
    after = snapshot(team, TEAM_FIELDS)
    if before != after:
        record_event(
            actor.id,
            AuditAction.UPDATE,
            team,
            summary=f"Changed team {team.name}",
            before=before,
            after=after,
            team_id=team.id,
            collaborative_id=team.collaborative_id,
        )
