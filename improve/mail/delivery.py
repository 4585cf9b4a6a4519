"""Delivering the outbox: run by the background worker, never in a request.

Each message is claimed (queued -> sending) in its own short transaction and sent after that
transaction ends, so a slow mail server never holds a database lock. A failure is retried later,
a little later each time; after the last try the message is marked failed and an admin can send
it again from the outbox page."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_mailman import EmailMultiAlternatives

from improve.extensions import db
from improve.mail import ESSENTIAL_KINDS, mail
from improve.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

# Errors that mean the server itself could not be reached or dropped us (as opposed to refusing
# one message): the rest of the batch is left for the next sweep instead of timing out in turn.
UNREACHABLE = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)
SENT_LINK_REMOVED = "(Removed once sent: it held a link to choose a password.)"

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
            if not _deliver_one(message_id, connection, counts):
                break  # the server is unreachable: the rest wait for the next sweep
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


def _claim(message_id: int) -> OutboxMessage | None:
    """Mark the message as being sent by this worker, unless another worker got there first.
    Stamped with the moment of the claim, not of the batch: a long batch must not look stale to
    another worker while its last messages are still being sent."""
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=utcnow())
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(OutboxMessage, message_id)


def _deliver_one(message_id: int, connection: Any, counts: Delivered) -> bool:
    """Send one message; False when the server could not be reached at all."""
    message = _claim(message_id)
    if message is None:
        return True
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        to=[message.to_address],
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    identity = f"{message.id} to {message.to_address}"
    db.session.commit()  # no transaction stays open while the mail server answers
    try:
        email.send()
    except Exception as error:  # any failure of the server or network: try again later
        log.warning("Email %s failed: %s", identity, error)
        _record_failure(message, error, counts)
        db.session.commit()
        return not isinstance(error, UNREACHABLE)
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.attempts += 1
    message.last_error = ""
    if message.kind in ESSENTIAL_KINDS:
        # Its link lets whoever reads it choose the person's password: once it is on its way,
        # nobody with the database or a backup should be able to read it here.
        message.text_body = message.html_body = SENT_LINK_REMOVED
    counts.sent += 1
    db.session.commit()
    return True


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
