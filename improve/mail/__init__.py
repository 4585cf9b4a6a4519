"""Email. A message is written to the outbox in the same transaction as the change it tells
about (all or nothing), and the background worker delivers it after the commit, retrying when
the mail server fails. Nothing here talks to a mail server inside a request.

No care data goes in an email: names of people, teams and collaboratives, dates, and links into
the app, where the reader signs in to see the rest."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_mailman import Mail
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from improve.extensions import db
from improve.models import OutboxMessage, User

mail = Mail()

# What each kind of message is, in the admin's outbox. Essential ones ignore the person's choice
# not to get reminder email: without them nobody could sign in.
KIND_LABELS = {
    "invitation": "Invitation",
    "password_reset": "Password link",
    "report_due": "Report due soon",
    "report_late": "Report late",
    "report_reminder": "Reminder from the coordinator",
    "coordinator_digest": "Coordinator's weekly summary",
    "learning_session": "Learning session reminder",
    "added_to_team": "Added to a team",
}
ESSENTIAL_KINDS = frozenset({"invitation", "password_reset"})

_QUEUED = "improve_outbox_queued"


def init_app(app: Flask) -> None:
    mail.init_app(app)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email: the configured BASE_URL and the endpoint's path. Works in
    a request and in the worker alike, and never trusts the request's Host header."""
    adapter = current_app.url_map.bind("improve.invalid", url_scheme="https")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def would_receive(person: User, kind: str) -> bool:
    """Whether a message of this kind goes to this person at all: never to a disabled account,
    and reminders only to those who have not turned them off."""
    return person.is_enabled and (kind in ESSENTIAL_KINDS or person.wants_reminder_email)


def queue_email(
    kind: str,
    to: User,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    reply_to: str = "",
) -> OutboxMessage | None:
    """Write one message to `to` into the outbox (the caller commits; the worker sends it after).

    Nothing is queued (None) for a disabled account, for a reminder to someone who turned
    reminder email off, or when a message with the same `dedupe_key` was queued before.
    `template` names templates/email/<template>.txt and .html, given `user` and `context`."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown kind of email: {kind}")
    if not would_receive(to, kind):
        return None
    if dedupe_key is not None and _already_queued(dedupe_key):
        return None
    values = {
        "user": to,
        "subject": subject,
        "essential": kind in ESSENTIAL_KINDS,
        "account_url": external_url("auth.account"),
        **(context or {}),
    }
    message = OutboxMessage(
        kind=kind,
        to_address=to.email,
        user_id=to.id,
        subject=subject,
        reply_to=reply_to,
        text_body=_render(f"email/{template}.txt", values),
        html_body=_render(f"email/{template}.html", values),
        dedupe_key=dedupe_key,
    )
    try:
        # A savepoint: two runs of the same scheduled job racing each other must not undo the
        # rest of the transaction; the loser simply sends nothing.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    db.session.info[_QUEUED] = True
    return message


def _render(name: str, values: dict[str, Any]) -> str:
    """An email template with only the values given: not Flask's render_template, whose context
    processors read the request (there is none in the worker) and the signed-in person."""
    return current_app.jinja_env.get_template(name).render(**values)


def _already_queued(dedupe_key: str) -> bool:
    query = sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    return db.session.scalar(query) is not None


@event.listens_for(Session, "after_commit")
def _wake_the_worker(session: Session) -> None:
    """Ask the worker to deliver now rather than at its next sweep a minute later."""
    if session.info.pop(_QUEUED, False):
        from improve.worker import wake_for_mail

        wake_for_mail()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_QUEUED, None)
