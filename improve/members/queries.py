"""Reads of who belongs to a team or collaborative."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from improve.extensions import db
from improve.members.operations import Scope
from improve.models import Collaborative, Membership, Team, User


def list_members(target: Team | Collaborative) -> list[Membership]:
    """Everyone in the team or collaborative, with their accounts, by name."""
    query = (
        sa.select(Membership)
        .join(Membership.user)
        .where(Scope(target).column_filter)
        .options(sa.orm.contains_eager(Membership.user))
        .order_by(User.display_name)
    )
    return list(db.session.scalars(query))


def get_member_or_404(target: Team | Collaborative, membership_id: int) -> Membership:
    """A membership of this team or collaborative only: another scope's id finds nothing."""
    query = sa.select(Membership).where(Membership.id == membership_id, Scope(target).column_filter)
    membership = db.session.scalar(query)
    if membership is None:
        abort(404)
    return membership
