"""The admin's outbox page: what email was sent, to whom, and what failed (never the messages
themselves, which hold password links), with "Send again" for a failed one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from improve.extensions import db
from improve.mail import mail
from improve.mail.delivery import deliver_due_messages
from improve.models import AuditEvent, OutboxMessage, OutboxStatus, utcnow
from improve.reports.views import long_time
from tests.conftest import HTMX, text_of
from tests.mail.conftest import Inbox, free_port
from tests.mail.conftest import text_of as email_text

SECRET = "http://improve.test/invitation/a-secret-token"


@pytest.fixture
def admin(world, client_for):
    return client_for(world.admin)


@pytest.fixture
def make_message(app):
    """A message in the outbox, `minutes_ago` minutes old."""

    def make(minutes_ago: int = 0, **overrides) -> OutboxMessage:
        fields = {
            "kind": "invitation",
            "to_address": "nia@example.org",
            "subject": "You are invited to improve",
            "text_body": f"Choose your password: {SECRET}",
            "html_body": f'<a href="{SECRET}">Choose your password</a>',
            "created_at": utcnow() - timedelta(minutes=minutes_ago),
        }
        message = OutboxMessage(**(fields | overrides))
        db.session.add(message)
        db.session.commit()
        return message

    return make


def rows_of(page: str) -> list[str]:
    """The text of each message's card, newest first."""
    listed = page.split('<div id="outbox-messages">', 1)[1]
    cards = re.split(r'<div class="govuk-summary-card"[^>]*>', listed)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip() for card in cards[1:]]


# The list ----------------------------------------------------------------------------------------


def test_the_accounts_page_links_to_the_outbox(admin):
    assert 'href="/admin/outbox"' in admin.get("/admin/users").get_data(as_text=True)


def test_an_empty_outbox_says_so(admin):
    response = admin.get("/admin/outbox")
    assert response.status_code == 200
    assert "No email has been sent yet." in text_of(response)


def test_messages_are_listed_newest_first_without_their_bodies(admin, make_message):
    make_message(minutes_ago=30, to_address="old@example.org")
    sent_at = utcnow() - timedelta(minutes=1)
    make_message(
        minutes_ago=5,
        kind="password_reset",
        to_address="sam@example.org",
        subject="Choose a new password for improve",
        status=OutboxStatus.SENT,
        attempts=1,
        sent_at=sent_at,
    )
    failed = make_message(
        minutes_ago=2,
        kind="report_late",
        to_address="lead@example.org",
        subject="Your report is late",
        status=OutboxStatus.FAILED,
        attempts=7,
        last_error="SMTPRecipientsRefused: no such mailbox",
    )

    page = admin.get("/admin/outbox").get_data(as_text=True)

    assert SECRET not in page
    assert "a-secret-token" not in page
    assert "Choose your password" not in page
    late, reset, invitation = rows_of(page)
    assert late.startswith("Your report is late")
    # Times on the UK's clock, as every page shows them.
    assert f"Queued {long_time(failed.created_at)}" in late
    for expected in (
        "lead@example.org",
        "Report late",
        "Your report is late",
        "Failed",
        "7",
        "SMTPRecipientsRefused: no such mailbox",
        "Not yet",
        "Send again",
    ):
        assert expected in late
    assert "Password link" in reset and "Sent" in reset
    assert f"Sent {long_time(sent_at)}" in reset
    assert "Send again" not in reset
    assert "old@example.org" in invitation and "Waiting to send" in invitation


def test_times_are_on_the_uk_clock(admin, make_message):
    """23:30 UTC on 10 June is 00:30 on 11 June in the UK (summer time); in winter the same."""
    summer = datetime(2026, 6, 10, 23, 30, tzinfo=UTC)
    winter = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)
    make_message(created_at=summer, status=OutboxStatus.SENT, sent_at=summer)
    make_message(created_at=winter)
    december, june = rows_of(admin.get("/admin/outbox").get_data(as_text=True))
    assert "Queued 11 June 2026 at 00:30 Sent 11 June 2026 at 00:30" in june
    assert "Queued 10 December 2026 at 23:30 Sent Not yet" in december
    assert "Times are UK time." in text_of(admin.get("/admin/outbox"))


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("console", "No mail server is set (IMPROVE_MAIL_SERVER): the worker prints each message"),
        ("smtp", "Email goes to mail.example.org:587"),
    ],
)
def test_the_page_says_how_mail_is_set_up(app, admin, backend, expected):
    app.config.update(MAIL_BACKEND=backend, MAIL_SERVER="mail.example.org", MAIL_PORT=587)
    assert expected in text_of(admin.get("/admin/outbox"))


def test_the_list_can_show_one_status(admin, make_message):
    make_message(to_address="fine@example.org", status=OutboxStatus.SENT)
    make_message(to_address="broken@example.org", status=OutboxStatus.FAILED)

    page = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    [row] = rows_of(page)
    assert "broken@example.org" in row
    assert "Failed (1)" in text_of(admin.get("/admin/outbox"))

    empty = admin.get("/admin/outbox?status=sending")
    assert "No email has the status “Sending”." in text_of(empty)


@pytest.mark.parametrize("status", ["nonsense", "FAILED", "failed\x00"])
def test_an_unknown_status_is_explained(admin, status):
    response = admin.get("/admin/outbox", query_string={"status": status})
    assert response.status_code == 400
    assert "There is no email status called that" in text_of(response)


def test_fifty_messages_a_page(admin, make_message):
    for minutes in range(51):
        make_message(minutes_ago=minutes, to_address=f"person{minutes}@example.org")

    first = admin.get("/admin/outbox").get_data(as_text=True)
    assert len(rows_of(first)) == 50
    assert "person0@example.org" in rows_of(first)[0]
    assert 'href="/admin/outbox?page=2"' in first

    second = admin.get("/admin/outbox?page=2").get_data(as_text=True)
    [only] = rows_of(second)
    assert "To person50@example.org" in only
    assert 'href="/admin/outbox?page=1"' in second


@pytest.mark.parametrize("page", ["0", "-1", "3", "abc", "²", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_not_found(admin, make_message, page):
    make_message()
    assert admin.get("/admin/outbox", query_string={"page": page}).status_code == 404


def test_htmx_and_plain_requests_get_the_same_page(admin, make_message):
    make_message()
    assert rows_of(admin.get("/admin/outbox", headers=HTMX).get_data(as_text=True))


# Send again --------------------------------------------------------------------------------------


def test_send_again_puts_a_failed_message_back_in_the_queue(admin, world, make_message):
    message = make_message(status=OutboxStatus.FAILED, attempts=7, last_error="timed out")
    message.next_attempt_at = utcnow() + timedelta(days=1)
    db.session.commit()

    response = admin.post(f"/admin/outbox/{message.id}/send-again")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/outbox"
    db.session.expire_all()
    assert message.status == OutboxStatus.QUEUED
    assert message.next_attempt_at <= utcnow()
    assert "The email to nia@example.org will be tried again" in text_of(
        admin.get(response.headers["Location"])
    )
    [row] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "OutboxMessage")
    )
    assert (row.actor_id, row.entity_id) == (world.admin.id, message.id)
    assert (row.before, row.after) == ({"status": "failed"}, {"status": "queued"})
    assert SECRET not in row.summary


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.QUEUED, OutboxStatus.SENDING])
def test_only_a_failed_message_is_sent_again(admin, make_message, status):
    message = make_message(status=status)
    response = admin.post(f"/admin/outbox/{message.id}/send-again")
    assert response.status_code == 303
    assert "That email was not sent again" in text_of(admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert message.status == status
    outbox_rows = sa.select(AuditEvent.id).where(AuditEvent.entity_type == "OutboxMessage")
    assert db.session.scalars(outbox_rows).all() == []


def test_send_again_of_an_unknown_message_is_not_found(admin):
    assert admin.post("/admin/outbox/999999/send-again").status_code == 404


def test_send_again_is_post_only(admin, make_message):
    message = make_message(status=OutboxStatus.FAILED)
    assert admin.get(f"/admin/outbox/{message.id}/send-again").status_code == 405


@pytest.mark.parametrize("who", ["coordinator_x", "lead_a", "member_a", "nobody"])
def test_the_outbox_does_not_exist_for_anyone_else(world, client_for, make_message, who):
    message = make_message(status=OutboxStatus.FAILED)
    client = client_for(getattr(world, who))
    assert client.get("/admin/outbox").status_code == 404
    assert client.post(f"/admin/outbox/{message.id}/send-again").status_code == 404
    db.session.expire_all()
    assert message.status == OutboxStatus.FAILED


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# Through a real mail server -----------------------------------------------------------------------


@pytest.fixture
def smtp_inbox(app) -> Iterator[Inbox]:
    """An SMTP server on loopback, and the app sending through it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_DEFAULT_SENDER="improve <no-reply@improve.test>",
    )
    mail.init_app(app)  # Flask-Mailman reads its settings once
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(MAIL_BACKEND="locmem")
        mail.init_app(app)


def test_an_invitation_that_failed_arrives_after_send_again(app, admin, smtp_inbox):
    """The server is down, the invitation fails for good; the admin sends it again once the
    server is back, and the person follows the link in the email and signs in."""
    admin.post("/admin/users/new", data={"display_name": "Nia New", "email": "nia@example.org"})
    message = db.session.scalar(sa.select(OutboxMessage))
    message.status, message.attempts = OutboxStatus.FAILED, 7
    db.session.commit()
    assert deliver_due_messages().sent == 0

    admin.post(f"/admin/outbox/{message.id}/send-again")
    assert deliver_due_messages().sent == 1

    [email] = smtp_inbox.to("nia@example.org")
    assert email["Subject"] == "You are invited to improve"
    [link] = re.findall(r"http://improve\.test(/invitation/[\w.-]+)", email_text(email))
    person = app.test_client()
    password = "my new long password"
    chosen = person.post(link, data={"new_password": password, "confirm_password": password})
    assert chosen.status_code == 303
    signed_in = app.test_client().post(
        "/sign-in", data={"email": "nia@example.org", "password": password}
    )
    assert signed_in.status_code == 303
    page = admin.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "nia@example.org" in rows_of(page)[0]
