"""Reads for collaborative pages, each a fixed number of queries whatever the number of teams."""

from __future__ import annotations

import sqlalchemy as sa

from improve.extensions import db
from improve.models import Collaborative, Membership, Team, User
from improve.permissions import visible_collaborative_ids


def list_collaboratives(user: User) -> list[Collaborative]:
    query = (
        sa.select(Collaborative)
        .where(Collaborative.id.in_(visible_collaborative_ids(user)))
        .order_by(Collaborative.starts_on.desc(), Collaborative.name)
    )
    return list(db.session.scalars(query))


def list_teams(collaborative: Collaborative) -> list[Team]:
    query = sa.select(Team).where(Team.collaborative_id == collaborative.id).order_by(Team.name)
    return list(db.session.scalars(query))


def member_counts(collaborative: Collaborative) -> dict[int, int]:
    """People per team, in one grouped query."""
    query = (
        sa.select(Membership.team_id, sa.func.count(Membership.id))
        .join(Team, Team.id == Membership.team_id)
        .where(Team.collaborative_id == collaborative.id)
        .group_by(Membership.team_id)
    )
    return {team_id: count for team_id, count in db.session.execute(query)}
