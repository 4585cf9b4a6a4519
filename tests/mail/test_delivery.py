"""The outbox: every message is recorded, delivered by SMTP as plain text and HTML, retried when
the server fails, given up after the last try, and sent again by an admin."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from improve.extensions import db
from improve.mail import queue_email
from improve.mail.delivery import MAX_ATTEMPTS, STALE_CLAIM, deliver_due_messages, send_again
from improve.models import OutboxMessage, OutboxStatus, utcnow
from tests.mail.conftest import deliver, free_port, html_of, text_of


def _queue_digest(person, **context):
    return queue_email(
        "learning_session",
        person,
        "Learning session on Tuesday",
        "learning_session",
        {
            "phase": _Phase(),
            "collaborative": _Named("Falls collaborative"),
            "calendar_url": "http://improve.test/c/1/calendar",
            **context,
        },
    )


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


class _Phase:
    from datetime import date, time

    title = "Learning session 2"
    starts_on = date(2026, 12, 15)
    ends_on = None
    start_time = time(10, 0)
    end_time = time(15, 30)


def test_a_queued_message_reaches_the_smtp_server_as_text_and_html(inbox, make_user):
    person = make_user(email="ann@example.org", display_name="Ann Lead")
    _queue_digest(person)
    counts = deliver()
    assert counts.sent == 1
    [message] = inbox.to("ann@example.org")
    assert message["Subject"] == "Learning session on Tuesday"
    assert "no-reply@improve.test" in message["From"]
    assert "Tuesday 15 December 2026, 10:00 to 15:30" in text_of(message)
    assert "<strong>Learning session 2</strong>" in html_of(message)
    # The way to stop reminders is in every reminder.
    assert "http://improve.test/account" in text_of(message)
    saved = db.session.scalars(sa.select(OutboxMessage)).one()
    assert saved.status == OutboxStatus.SENT and saved.sent_at is not None
    assert saved.attempts == 1


def test_nothing_is_sent_twice(inbox, make_user):
    person = make_user()
    _queue_digest(person)
    deliver()
    deliver()
    assert len(inbox.messages) == 1


def test_a_reminder_is_not_queued_for_someone_who_turned_reminders_off(inbox, make_user):
    person = make_user(wants_reminder_email=False)
    assert _queue_digest(person) is None
    deliver()
    assert inbox.messages == []


def test_an_invitation_goes_even_to_someone_who_turned_reminders_off(app: Flask, make_user):
    person = make_user(wants_reminder_email=False)
    queued = queue_email(
        "invitation",
        person,
        "You are invited",
        "learning_session",  # any template: the choice is about the kind
        {"phase": _Phase(), "collaborative": _Named("C"), "calendar_url": "x"},
    )
    assert queued is not None


def test_nothing_is_queued_for_a_disabled_account(app: Flask, make_user):
    assert _queue_digest(make_user(is_enabled=False)) is None


def test_a_dedupe_key_queues_a_message_once(app: Flask, make_user):
    person = make_user()
    context = {"phase": _Phase(), "collaborative": _Named("C"), "calendar_url": "x"}
    first = queue_email(
        "learning_session", person, "S", "learning_session", context, dedupe_key="k"
    )
    db.session.commit()
    again = queue_email(
        "learning_session", person, "S", "learning_session", context, dedupe_key="k"
    )
    assert first is not None and again is None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_a_failure_is_retried_later_then_given_up_and_an_admin_can_send_it_again(
    app: Flask, make_user
):
    # Nothing listens on this port: every try fails to connect.
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    from improve.mail import mail

    mail.init_app(app)
    person = make_user()
    _queue_digest(person)
    counts = deliver()
    assert (counts.sent, counts.retrying, counts.failed) == (0, 1, 0)
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > utcnow()
    # Not due again yet: a sweep now leaves it alone.
    assert deliver_due_messages().retrying == 0
    later = utcnow()
    for _ in range(MAX_ATTEMPTS - 1):
        later += timedelta(days=1)
        deliver_due_messages(now=later)
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    send_again(message)
    db.session.commit()
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)
    # Counted afresh: one more failure is retried again, not given up at once.
    assert deliver_due_messages().retrying == 1


def test_a_message_left_sending_by_a_worker_that_died_is_sent_again(inbox, make_user):
    _queue_digest(make_user())
    db.session.commit()
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    message.status = OutboxStatus.SENDING
    message.claimed_at = utcnow() - STALE_CLAIM - timedelta(minutes=1)
    db.session.commit()
    assert deliver_due_messages().sent == 1
    assert len(inbox.messages) == 1


def test_links_in_email_use_the_configured_address_not_the_requests_host(app: Flask, make_user):
    from improve.mail import external_url

    app.config["BASE_URL"] = "https://improve.example.org"
    with app.test_request_context(base_url="http://evil.example.com"):
        assert external_url("auth.sign_in") == "https://improve.example.org/sign-in"


def test_a_password_link_is_not_kept_readable_once_sent(inbox, make_user):
    person = make_user(email="new@example.org")
    context = {"phase": _Phase(), "collaborative": _Named("C"), "calendar_url": "secret-link"}
    queue_email("invitation", person, "You are invited", "learning_session", context)
    deliver()
    assert "secret-link" in text_of(inbox.to("new@example.org")[0])
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert "secret-link" not in message.text_body + message.html_body
    assert message.text_body.startswith("(Removed once sent")


def test_an_unreachable_server_stops_the_batch_after_one_try(app: Flask, make_user):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    from improve.mail import mail

    mail.init_app(app)
    for _ in range(3):
        _queue_digest(make_user())
    counts = deliver()
    assert (counts.sent, counts.retrying) == (0, 1)
    tries = db.session.scalars(sa.select(OutboxMessage.attempts).order_by(OutboxMessage.id))
    assert list(tries) == [1, 0, 0]  # the other two wait for the next sweep, untouched
