from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from improve.extensions import db
from improve.models import Membership, User


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.display_name)))


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def memberships_of(user: User) -> list[Membership]:
    query = (
        sa.select(Membership)
        .where(Membership.user_id == user.id)
        .options(sa.orm.joinedload(Membership.team), sa.orm.joinedload(Membership.collaborative))
        .order_by(Membership.id)
    )
    return list(db.session.scalars(query))


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query.limit(1)) is not None
