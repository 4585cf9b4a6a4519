"""Writes for a team's own details; the view commits."""

from __future__ import annotations

from typing import Any

from improve.auditing import update_audited
from improve.collaboratives.operations import TEAM_FIELDS
from improve.models import Team, User


def update_team(actor: User, team: Team, details: dict[str, Any]) -> None:
    update_audited(
        actor.id,
        team,
        TEAM_FIELDS,
        details,
        summary=f"Changed team {details.get('name', team.name)}",
        team_id=team.id,
        collaborative_id=team.collaborative_id,
    )
