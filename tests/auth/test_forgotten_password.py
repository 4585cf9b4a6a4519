""" "Forgotten your password?": a link by email to choose a new one. The answer says nothing about
which addresses have accounts, the password keeps working until the link is used (a request
anyone can make must lock nobody out), and neither one inbox nor the outbox can be flooded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.auth.operations import INVITATION_DAYS
from improve.extensions import db
from improve.mail.delivery import deliver_due_messages
from improve.models import AuditEvent, OutboxMessage, User, utcnow
from tests.conftest import PASSWORD, text_of

ANSWER = (
    "If there is an account for that address, we have sent a link to choose a new password. "
    f"It works for {INVITATION_DAYS} days."
)
LINK = re.compile(r"http://improve\.test(/invitation/[\w.-]+)")
NEW_PASSWORD = "a fresh password for the test"


@pytest.fixture
def mailbox(app) -> list:
    """What the worker has delivered (Flask-Mailman's in-memory backend), empty at the start."""
    app.extensions["mailman"].outbox = []
    return app.extensions["mailman"].outbox


def ask(client, email: str, address: str = "127.0.0.1"):
    return client.post(
        "/forgotten-password", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_rows() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def signs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 303


# The way in ---------------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_form(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgotten-password"' in page


def test_the_form_is_open_to_everyone(client):
    response = client.get("/forgotten-password")
    assert response.status_code == 200
    assert "Forgotten your password?" in text_of(response)
    assert 'name="email"' in response.get_data(as_text=True)


# The whole journey --------------------------------------------------------------------------------


def test_the_email_link_lets_the_person_choose_a_new_password(app, client, make_user, mailbox):
    user = make_user(email="sam@example.org", display_name="Sam Patel")

    response = ask(client, "Sam@Example.org ")  # typed as people do
    assert response.status_code == 303
    assert response.headers["Location"] == "/forgotten-password/sent"
    assert ANSWER in text_of(client.get(response.headers["Location"]))

    # Nothing changed yet: a request anyone could make must not lock Sam out.
    assert signs_in(app, user.email, PASSWORD)

    assert deliver_due_messages().sent == 1
    [email] = mailbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "Choose a new password for improve"
    assert "Hello Sam Patel" in email.body
    [path] = LINK.findall(email.body)
    [(html, _)] = email.alternatives
    assert f"http://improve.test{path}" in html

    browser = app.test_client()
    assert "Choose your password" in text_of(browser.get(path))
    saved = browser.post(
        path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert saved.status_code == 303
    assert browser.get("/").status_code == 200  # signed in

    assert signs_in(app, user.email, NEW_PASSWORD)
    assert not signs_in(app, user.email, PASSWORD)
    # The link works once.
    assert app.test_client().get(path).status_code == 404


def test_the_link_dies_when_the_password_is_changed_another_way(app, client, make_user, mailbox):
    user = make_user()
    ask(client, user.email)
    deliver_due_messages()
    [path] = LINK.findall(mailbox[0].body)

    browser = app.test_client()
    browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    changed = browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303

    assert app.test_client().get(path).status_code == 404


def test_an_invited_person_who_lost_the_invitation_can_ask_again(app, client, make_user, mailbox):
    user = make_user(password_hash=None)
    ask(client, user.email)
    deliver_due_messages()
    [path] = LINK.findall(mailbox[0].body)
    assert app.test_client().get(path).status_code == 200


# Saying nothing about accounts --------------------------------------------------------------------


def answer_to(client, email: str) -> tuple[int, str, str]:
    response = ask(client, email)
    followed = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], text_of(followed)


@pytest.mark.parametrize("kind", ["unknown", "disabled"])
def test_an_address_without_a_usable_account_gets_the_same_answer_and_no_email(
    app, make_user, kind
):
    known = make_user(email="known@example.org")
    if kind == "disabled":
        make_user(email="gone@example.org", is_enabled=False)
    other = "nobody@example.org" if kind == "unknown" else "gone@example.org"

    for_known = answer_to(app.test_client(), known.email)
    before = (len(outbox()), len(audit_rows()))
    for_other = answer_to(app.test_client(), other)

    assert for_other == for_known
    assert ANSWER in for_other[2]
    assert (len(outbox()), len(audit_rows())) == before


# Limits -------------------------------------------------------------------------------------------


def test_at_most_one_email_per_account_every_fifteen_minutes(client, make_user, monkeypatch):
    user = make_user()
    for _ in range(3):
        response = ask(client, user.email)
        assert response.status_code == 303  # the same answer each time
    assert len(outbox()) == 1

    # Fifteen minutes on, another may go.
    later = utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr("improve.auth.operations.utcnow", lambda: later)
    ask(client, user.email)
    assert [m.user_id for m in outbox()] == [user.id, user.id]


def test_a_password_link_from_an_admin_counts_too(client, make_user):
    """Just after an admin reset someone's password (and emailed them), the form sends nothing
    more: the admin's link is the one to use."""
    user = make_user()
    db.session.add(
        OutboxMessage(
            kind="password_reset",
            to_address=user.email,
            user_id=user.id,
            subject="Choose a new password for improve",
            text_body="",
        )
    )
    db.session.commit()
    ask(client, user.email)
    assert len(outbox()) == 1


def test_too_many_requests_from_one_network_are_refused(app, make_user):
    app.config["SIGN_IN_ATTEMPT_LIMIT"] = 3
    people = [make_user() for _ in range(5)]
    client = app.test_client()
    for person in people[:3]:
        assert ask(client, person.email, "10.0.0.1").status_code == 303

    refused = ask(client, people[3].email, "10.0.0.1")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "too many requests for password links from your network" in text_of(refused)
    assert len(outbox()) == 3

    # Another network is not held up.
    assert ask(client, people[4].email, "10.0.0.2").status_code == 303
    assert len(outbox()) == 4


def test_the_network_limit_is_not_the_sign_in_limit_of_an_address(app, make_user):
    """Typing an address into the sign-in form never uses up the network's password links."""
    app.config["SIGN_IN_ATTEMPT_LIMIT"] = 2
    user = make_user()
    client = app.test_client()
    for _ in range(3):
        client.post("/sign-in", data={"email": user.email, "password": "wrong password here"})
    assert ask(client, user.email).status_code == 303
    assert len(outbox()) == 1


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("not an address", "Enter an email address in the right format"),
        ("a" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
        ("sam\x00@example.org", "Enter an email address in the right format"),
    ],
)
def test_a_wrong_address_is_explained(client, email, message):
    response = ask(client, email)
    assert response.status_code == 422
    assert message in text_of(response)
    assert outbox() == []


# The trail ----------------------------------------------------------------------------------------


def test_the_request_is_audited_without_the_link(client, make_user):
    user = make_user()
    ask(client, user.email)
    [row] = audit_rows()
    [message] = outbox()
    [path] = LINK.findall(message.text_body)
    token = path.rsplit("/", 1)[1]
    assert (row.entity_type, row.entity_id, row.actor_id) == ("User", user.id, user.id)
    assert "link to choose a new password" in row.summary
    assert token not in f"{row.summary} {row.before} {row.after}"


def test_no_care_data_and_no_password_in_the_email(client, make_user):
    user = make_user()
    ask(client, user.email)
    [message] = outbox()
    assert PASSWORD not in message.text_body + message.html_body
    assert message.kind == "password_reset"
    assert db.session.get(User, user.id).password_hash is not None
