"""Delivering the outbox: run by the background worker, never in a request.

Each message is claimed (queued -> sending) in its own short transaction and sent after that
transaction ends, so a slow mail server never holds a database lock. A failure is retried later,
a little later each time; after the last try the message is marked failed and an admin can send
it again from the outbox page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_mailman import EmailMultiAlternatives

from improve.extensions import db
from improve.mail import mail
from improve.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

# Minutes to wait after each failed try: about a day in all before giving up.
RETRY_AFTER_MINUTES = (1, 5, 15, 60, 240, 720)
MAX_ATTEMPTS = len(RETRY_AFTER_MINUTES) + 1
# A message left "sending" this long belonged to a worker that died: it is sent again.
STALE_CLAIM = timedelta(minutes=10)
BATCH = 200


@dataclass
class Delivered:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due_messages(now: datetime | None = None) -> Delivered:
    """Send every queued message whose time has come; the counts of what happened."""
    now = now or utcnow()
    _requeue_stale_claims(now)
    due = list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.QUEUED)
            .where(OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        )
    )
    db.session.commit()
    counts = Delivered()
    if not due:
        return counts
    connection = mail.get_connection()
    try:
        for message_id in due:
            _deliver_one(message_id, connection, counts, now)
    finally:
        _close_quietly(connection)
    return counts


def _requeue_stale_claims(now: datetime) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING)
        .where(OutboxMessage.claimed_at < now - STALE_CLAIM)
        .values(status=OutboxStatus.QUEUED)
    )
    db.session.commit()


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Mark the message as being sent by this worker, unless another worker got there first."""
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(OutboxMessage, message_id)


def _deliver_one(message_id: int, connection: Any, counts: Delivered, now: datetime) -> None:
    message = _claim(message_id, now)
    if message is None:
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        to=[message.to_address],
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    db.session.commit()  # no transaction stays open while the mail server answers
    try:
        email.send()
    except Exception as error:  # any failure of the server or network: try again later
        log.warning("Email %s to %s failed: %s", message.id, message.to_address, error)
        _record_failure(message, error, counts)
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = utcnow()
        message.attempts += 1
        message.last_error = ""
        counts.sent += 1
    db.session.commit()


def _record_failure(message: OutboxMessage, error: Exception, counts: Delivered) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        counts.failed += 1
        return
    wait = RETRY_AFTER_MINUTES[message.attempts - 1]
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow() + timedelta(minutes=wait)
    counts.retrying += 1


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # nosec B110: closing a broken connection has nothing left to report
        log.debug("Closing the mail connection failed", exc_info=True)


def send_again(message: OutboxMessage) -> None:
    """An admin's "Send again": a failed (or waiting) message goes back in the queue now, with
    its tries counted afresh (the last error stays until a try succeeds)."""
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.info["improve_outbox_queued"] = True
