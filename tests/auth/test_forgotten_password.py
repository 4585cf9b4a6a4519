""" "Forgotten your password?": a link by email to choose a new one. The answer says nothing about
which addresses have accounts (not even by the time it takes: the worker does the looking up),
the password keeps working until the link is used (a request anyone can make must lock nobody
out), the link lasts an hour and dies once used or when the person signs in, and neither one
inbox nor the outbox can be flooded."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer

from improve import create_app
from improve.auth import jobs
from improve.auth.operations import PASSWORD_LINK_LIFETIME
from improve.extensions import db
from improve.mail.delivery import deliver_due_messages
from improve.models import AuditEvent, OutboxMessage, User, utcnow
from improve.worker import huey
from tests.conftest import PASSWORD, IsolatedClient, SharedBytecode, text_of

ANSWER = (
    "If there is an account for that address, we have sent a link to choose a new password. "
    "It works for 1 hour."
)
LINK = re.compile(r"http://improve\.test(/invitation/[\w.-]+)")
NEW_PASSWORD = "a fresh password for the test"


@pytest.fixture(autouse=True)
def _empty_queue(app) -> Iterator[None]:
    """Jobs queued by other tests in this process are not this test's."""
    huey.flush()
    yield
    huey.flush()


@pytest.fixture
def mailbox(app) -> list:
    """What the worker has delivered (Flask-Mailman's in-memory backend), empty at the start."""
    app.extensions["mailman"].outbox = []
    return app.extensions["mailman"].outbox


def run_jobs() -> int:
    """Run the password-link jobs the requests queued, as the worker does. Other jobs (the wake-up
    to deliver email) are dropped: these tests deliver with deliver_due_messages."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        if task.name.endswith("send_password_link"):
            huey.execute(task)
            ran += 1
    return ran


def ask(client, email: str, address: str = "127.0.0.1", *, run: bool = True):
    """Ask for a link, then let the worker run the job the request queued."""
    response = client.post(
        "/forgotten-password", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )
    if run:
        run_jobs()
    return response


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_rows() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def signs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 303


def emailed_link(mailbox: list) -> str:
    deliver_due_messages()
    [path] = LINK.findall(mailbox[-1].body)
    return path


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

    # Nothing changed yet: a request anyone could make must not lock Sam out. (Signing in would
    # kill the link: see below.)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)

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
    assert app.test_client().get(emailed_link(mailbox)).status_code == 200


# The link's life ----------------------------------------------------------------------------------


def test_the_email_says_the_link_works_for_an_hour(client, make_user, mailbox):
    ask(client, make_user().email)
    deliver_due_messages()
    [email] = mailbox
    assert "It works for 1 hour" in " ".join(email.body.split())
    [(html, _)] = email.alternatives
    assert "It works for 1 hour" in html


@pytest.mark.parametrize(("minutes_over", "status"), [(-1, 200), (1, 404)])
def test_the_link_works_for_an_hour(
    app, client, make_user, mailbox, monkeypatch, minutes_over, status
):
    user = make_user()
    assert timedelta(hours=1) == PASSWORD_LINK_LIFETIME
    issued_at = time.time() - PASSWORD_LINK_LIFETIME.total_seconds() - minutes_over * 60
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued_at)  # itsdangerous stamps with time.time()
        ask(client, user.email)
    assert app.test_client().get(emailed_link(mailbox)).status_code == status


def test_the_link_dies_when_the_person_signs_in_with_their_old_password(
    app, client, make_user, mailbox
):
    """They remembered it after all: a link still sitting in their mailbox must not stay a way
    into the account."""
    user = make_user()
    ask(client, user.email)
    path = emailed_link(mailbox)
    assert app.test_client().get(path).status_code == 200

    assert signs_in(app, user.email, PASSWORD)
    assert app.test_client().get(path).status_code == 404
    refused = app.test_client().post(
        path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert refused.status_code == 404
    assert signs_in(app, user.email, PASSWORD)


def test_the_link_dies_when_an_admin_resets_the_password(app, client, make_user, mailbox):
    user = make_user()
    ask(client, user.email)
    path = emailed_link(mailbox)
    user = db.session.get(User, user.id)
    user.password_hash = None
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_the_link_is_not_an_invitation(app, client, make_user, mailbox):
    """Its own salt: it cannot be read as a seven-day invitation token, nor one as it."""
    user = make_user()
    ask(client, user.email)
    token = emailed_link(mailbox).rsplit("/", 1)[1]
    invitations = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invitation")
    with pytest.raises(BadSignature):
        invitations.loads(token)
    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-link").dumps(
        {"user": user.id, "version": user.session_version}
    )
    assert app.test_client().get(f"/invitation/{forged}").status_code == 404


def test_the_link_page_does_not_send_its_address_as_referer(app, client, make_user, mailbox):
    """The page's own requests (styles, scripts) would otherwise carry the token to the logs."""
    ask(client, make_user().email)
    response = app.test_client().get(emailed_link(mailbox))
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "strict-origin"


# Saying nothing about accounts --------------------------------------------------------------------


def answer_to(client, email: str) -> tuple[int, str, str]:
    response = ask(client, email)
    followed = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], text_of(followed)


class Statements:
    """Counts the SQL statements run, on every connection of the engine."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def request_work(app, email: str) -> tuple[int, int, int, int]:
    """What a request for a link does before the worker runs: SQL statements, jobs queued, and
    rows in the outbox and the audit trail."""
    statements = Statements()
    sa.event.listen(db.engine, "before_cursor_execute", statements)
    try:
        response = ask(app.test_client(), email, run=False)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statements)
    assert response.status_code == 303
    return statements.count, huey.pending_count(), len(outbox()), len(audit_rows())


def test_the_request_does_the_same_work_whatever_the_address(app, make_user):
    """The time a request takes must not tell which addresses have accounts: the page only
    counts the request and queues a job; the worker looks the address up and writes the email."""
    make_user(email="known@example.org")
    make_user(email="gone@example.org", is_enabled=False)
    work = {}
    for email in ("known@example.org", "nobody@example.org", "gone@example.org"):
        huey.flush()
        work[email] = request_work(app, email)
    assert len(set(work.values())) == 1, work
    statements, queued, emails, rows = work["known@example.org"]
    assert (queued, emails, rows) == (1, 0, 0)

    huey.flush()
    ask(app.test_client(), "known@example.org")
    assert [message.to_address for message in outbox()] == ["known@example.org"]


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


def test_the_job_does_the_work_inside_its_own_context(client, make_user):
    """The job, called as the worker calls it: it finds the account, queues the email, audits."""
    user = make_user()
    jobs.send_password_link.call_local(user.email)
    [message] = outbox()
    assert (message.user_id, message.kind) == (user.id, "password_reset")
    assert [row.entity_id for row in audit_rows()] == [user.id]


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


# Behind a reverse proxy ---------------------------------------------------------------------------


@pytest.fixture
def app_behind(app: Flask, database_url: str, monkeypatch):
    """An app built with IMPROVE_PROXIES set, on the database of `app` (which empties it)."""
    built: list[Flask] = []

    def build(proxies: str) -> Flask:
        monkeypatch.setenv("IMPROVE_PROXIES", proxies)
        made = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "improve.test",
                "BASE_URL": "http://improve.test",
                "SIGN_IN_ATTEMPT_LIMIT": 1,
            }
        )
        made.test_client_class = IsolatedClient
        made.jinja_env.bytecode_cache = SharedBytecode()
        built.append(made)
        return made

    yield build
    for made in built:
        with made.app_context():
            db.engine.dispose()


def ask_through_proxy(app: Flask, forwarded_for: str) -> int:
    response = app.test_client().post(
        "/forgotten-password",
        data={"email": "someone@example.org"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},  # the proxy's own address, every time
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    return response.status_code


def test_behind_a_proxy_each_browser_has_its_own_limit(app_behind):
    behind = app_behind("1")
    assert ask_through_proxy(behind, "203.0.113.1") == 303
    assert ask_through_proxy(behind, "203.0.113.2") == 303  # another person, not held up
    assert ask_through_proxy(behind, "203.0.113.1") == 429
    # A browser cannot choose its address by adding its own header: the proxy's entry counts.
    assert ask_through_proxy(behind, "198.51.100.7, 203.0.113.2") == 429


def test_without_proxies_the_header_is_ignored(app_behind):
    direct = app_behind("0")
    assert ask_through_proxy(direct, "203.0.113.1") == 303
    assert ask_through_proxy(direct, "203.0.113.2") == 429  # the same address sent both
