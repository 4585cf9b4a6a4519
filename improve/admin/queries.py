from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort

from improve.extensions import db
from improve.models import Membership, OutboxMessage, OutboxStatus, User


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


OUTBOX_PAGE = 50


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox, newest first: what was sent to whom, never the bodies (they hold
    password links)."""

    rows: list[sa.Row[Any]]
    page: int
    pages: int
    total: int
    counts: dict[OutboxStatus, int]


def list_outbox(status: OutboxStatus | None, page: int) -> OutboxPage:
    """Messages with this status (all without one), OUTBOX_PAGE at a time, and how many there
    are of each status; a page past the last is empty."""
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    columns = (
        OutboxMessage.id,
        OutboxMessage.created_at,
        OutboxMessage.to_address,
        OutboxMessage.kind,
        OutboxMessage.subject,
        OutboxMessage.status,
        OutboxMessage.attempts,
        OutboxMessage.last_error,
        OutboxMessage.sent_at,
    )
    query = sa.select(*columns).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = list(db.session.execute(query.limit(OUTBOX_PAGE).offset((page - 1) * OUTBOX_PAGE)))
    pages = max(1, math.ceil(total / OUTBOX_PAGE))
    return OutboxPage(rows, page, pages, total, counts)


def get_message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message
