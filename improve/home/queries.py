"""Reads for the home page: what this person belongs to, in one query per kind."""

from __future__ import annotations

import sqlalchemy as sa

from improve.extensions import db
from improve.models import Collaborative, Membership, Role, Team, User


def team_memberships(user: User) -> list[tuple[Team, Role]]:
    """The user's teams with their role in each, collaborative loaded alongside."""
    query = (
        sa.select(Team, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .options(sa.orm.joinedload(Team.collaborative))
        .order_by(Team.name)
    )
    return [(team, role) for team, role in db.session.execute(query)]


def collaborative_memberships(user: User, role: Role) -> list[Collaborative]:
    query = (
        sa.select(Collaborative)
        .join(Membership, Membership.collaborative_id == Collaborative.id)
        .where(Membership.user_id == user.id, Membership.role == role)
        .order_by(Collaborative.name)
    )
    return list(db.session.scalars(query))


def all_collaboratives() -> list[Collaborative]:
    return list(db.session.scalars(sa.select(Collaborative).order_by(Collaborative.name)))


def team_counts(collaborative_ids: list[int]) -> dict[int, int]:
    """How many teams each collaborative has, in one grouped query."""
    if not collaborative_ids:
        return {}
    query = (
        sa.select(Team.collaborative_id, sa.func.count(Team.id))
        .where(Team.collaborative_id.in_(collaborative_ids))
        .group_by(Team.collaborative_id)
    )
    return {collaborative_id: count for collaborative_id, count in db.session.execute(query)}
