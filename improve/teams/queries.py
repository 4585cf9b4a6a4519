"""Reads for the team page."""

from __future__ import annotations

import sqlalchemy as sa

from improve.extensions import db
from improve.models import Aim, Team


def list_aims(team: Team) -> list[Aim]:
    query = sa.select(Aim).where(Aim.team_id == team.id).order_by(Aim.status, Aim.target_date)
    return list(db.session.scalars(query))
