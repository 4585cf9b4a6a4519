"""Site administration of accounts: hidden from everyone else, and careful with sessions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import url_for
from flask.testing import FlaskClient

from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.mail.delivery import deliver_due_messages
from improve.models import AuditAction, AuditEvent, OutboxMessage, OutboxStatus, User
from tests.conftest import HTMX, PASSWORD, text_of

INVITATION_LINK = re.compile(r"http://improve\.test(/invitation/[\w.-]+)")
NOT_YOURSELF = "You cannot remove your own admin rights or disable yourself"

# Helpers -----------------------------------------------------------------------------------------


@pytest.fixture
def browser_of(app):
    """A separate browser, signed in as this user."""

    def make(user: User) -> FlaskClient:
        browser = app.test_client()
        response = browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303
        return browser

    return make


@pytest.fixture
def admin(world, sign_in) -> FlaskClient:
    return sign_in(world.admin)


def is_signed_in(browser: FlaskClient) -> bool:
    response = browser.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def reloaded(user: User) -> User:
    db.session.refresh(user)
    return user


def account_form(user: User, **changes: str | None) -> dict[str, str]:
    """The edit form as the browser would send it: ticked boxes as "y", unticked left out."""
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "is_admin": "y" if user.is_admin else None,
        "is_enabled": "y" if user.is_enabled else None,
        "version": str(user.version),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def failed_message(to: User) -> OutboxMessage:
    message = OutboxMessage(
        kind="invitation",
        to_address=to.email,
        user_id=to.id,
        subject="You are invited to improve",
        text_body="a body with a secret link",
        status=OutboxStatus.FAILED,
        attempts=7,
    )
    db.session.add(message)
    db.session.commit()
    return message


@pytest.fixture
def mailbox(app) -> list:
    """What the worker has delivered (Flask-Mailman's in-memory backend), empty at the start."""
    app.extensions["mailman"].outbox = []
    return app.extensions["mailman"].outbox


# Only admins ------------------------------------------------------------------------------------

NON_ADMINS = [
    "coordinator_x",
    "coordinator_y",
    "panel_x",
    "lead_a",
    "member_a",
    "expert_a",
    "nobody",
]


def every_admin_request(
    app, user_ids: list[int], message_ids: tuple[int, ...] = (999_999,)
) -> list[tuple[str, str]]:
    """(method, path) for every route of the admin blueprint, once per user id (and outbox
    message id): routes added later are covered without editing this test."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            ids = user_ids if "user_id" in rule.arguments else [None]
            for user_id in ids:
                values = {"user_id": user_id} if user_id is not None else {}
                for message_id in message_ids if "message_id" in rule.arguments else [None]:
                    more = {"message_id": message_id} if message_id is not None else {}
                    requests.append((method, url_for(rule.endpoint, **values, **more)))
    return requests


@pytest.mark.parametrize("who", NON_ADMINS)
def test_admin_pages_do_not_exist_for_anyone_else(app, client, world, sign_in, who):
    person = getattr(world, who)
    sign_in(person)
    failed = failed_message(world.nobody)
    requests = every_admin_request(app, [world.admin.id, person.id, 999_999], (failed.id, 999_999))
    assert len(requests) >= 10
    takeover = {"display_name": "Taken Over", "email": "x@example.org", "is_admin": "y"}

    answers = {
        (method, path): client.open(path, method=method, data=takeover).status_code
        for method, path in requests + [("GET", "/admin/no-such-page")]
    }

    assert set(answers.values()) == {404}, answers
    assert "Page not found" in text_of(client.get("/admin/users"))
    assert not reloaded(person).is_admin
    assert reloaded(world.admin).check_password(PASSWORD)
    assert user_by_email("x@example.org") is None
    assert reloaded(failed).status == OutboxStatus.FAILED


def test_admin_pages_answer_404_to_htmx_requests_from_non_admins(client, world, sign_in):
    sign_in(world.coordinator_x)
    assert client.get("/admin/users", headers=HTMX).status_code == 404


# Listing and creating ---------------------------------------------------------------------------


def test_admin_sees_every_account_and_its_state(admin, make_user):
    make_user(display_name="Ivy Invited", email="ivy@example.org", password_hash=None)
    make_user(display_name="Dan Disabled", email="dan@example.org", is_enabled=False)
    response = admin.get("/admin/users")
    assert response.status_code == 200
    text = text_of(response)
    assert "Ivy Invited ivy@example.org Invited Never" in text
    assert "Dan Disabled dan@example.org Disabled Never" in text
    assert "Ada Admin Admin admin@example.org Active" in text
    for email in ["member_a@example.org", "coordinator_y@example.org", "nobody@example.org"]:
        assert email in text


def test_admin_creates_an_account_and_gets_a_one_time_link(app, admin):
    response = admin.post(
        "/admin/users/new", data={"display_name": " Nia New ", "email": " Nia@Example.ORG "}
    )
    assert response.status_code == 303
    user = user_by_email("nia@example.org")
    assert user is not None
    assert (user.display_name, user.is_admin, user.is_enabled) == ("Nia New", False, True)
    assert user.password_hash is None
    assert response.headers["Location"] == f"/admin/users/{user.id}"

    page = admin.get(response.headers["Location"])
    assert "Account created for Nia New." in text_of(page)
    assert "We have emailed an invitation to nia@example.org." in text_of(page)
    # The link itself is folded away, for when the email does not arrive.
    details = re.search(
        r'<details class="govuk-details">.*?</details>', page.get_data(as_text=True), re.S
    )
    assert details is not None
    assert "If the email does not arrive" in details.group(0)
    assert "Send this link to Nia New yourself" in details.group(0)
    [link] = INVITATION_LINK.findall(details.group(0))
    assert "Hello Nia New" in text_of(app.test_client().get(link))

    # Shown once only: reloading the page does not show the link again.
    assert "/invitation/" not in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_the_new_account_gets_an_invitation_by_email_and_can_sign_in(app, admin, mailbox):
    admin.post("/admin/users/new", data={"display_name": "Nia New", "email": "nia@example.org"})

    assert deliver_due_messages().sent == 1
    [email] = mailbox
    assert email.to == ["nia@example.org"]
    assert email.subject == "You are invited to improve"
    assert "Hello Nia New" in email.body
    assert "Ada Admin has invited you to improve" in email.body
    assert "works once, for 7 days" in email.body
    assert "Did not expect this email?" in email.body
    [link] = INVITATION_LINK.findall(email.body)
    [(html, kind)] = email.alternatives
    assert kind == "text/html"
    assert f"http://improve.test{link}" in html

    invited = app.test_client()
    chosen = invited.post(
        link,
        data={"new_password": "my new long password", "confirm_password": "my new long password"},
    )
    assert chosen.status_code == 303
    again = app.test_client().post(
        "/sign-in", data={"email": "nia@example.org", "password": "my new long password"}
    )
    assert again.status_code == 303


def test_creating_an_account_is_audited(admin, world):
    admin.post("/admin/users/new", data={"display_name": "Nia New", "email": "nia@example.org"})
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.CREATE))
    assert row.actor_id == world.admin.id
    assert row.entity_id == user_by_email("nia@example.org").id
    assert row.after["email"] == "nia@example.org"


def test_admin_can_create_another_admin(admin):
    admin.post(
        "/admin/users/new",
        data={"display_name": "Second Admin", "email": "two@example.org", "is_admin": "y"},
    )
    assert user_by_email("two@example.org").is_admin


def test_new_account_form_is_shown(admin):
    response = admin.get("/admin/users/new")
    assert response.status_code == 200
    assert "Create an account" in text_of(response)


@pytest.mark.parametrize("email", ["member_a@example.org", "MEMBER_A@Example.org "])
def test_duplicate_email_is_refused_and_nothing_written(admin, email):
    before = count_users()
    response = admin.post("/admin/users/new", data={"display_name": "Copy", "email": email})
    assert response.status_code == 422
    assert "Another account already uses this email address" in text_of(response)
    assert count_users() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"display_name": "Nia", "email": "not-an-email"},
            "Enter an email address in the right format",
        ),
        (
            {"display_name": "Nia", "email": "nia@@example.org"},
            "Enter an email address in the right format",
        ),
        ({"display_name": "Nia", "email": ""}, "Enter their email address"),
        (
            {"display_name": "Nia", "email": "n" * 250 + "@example.org"},
            "Email address must be 254 characters or fewer",
        ),
        (
            {"display_name": "Nia", "email": "ni\x00a@example.org"},
            "Email address",
        ),
        ({"display_name": "", "email": "nia@example.org"}, "Enter their full name"),
        ({"display_name": "   ", "email": "nia@example.org"}, "Enter their full name"),
        ({"display_name": "N" * 201, "email": "nia@example.org"}, "characters or fewer"),
        ({"display_name": "Ni\x00a", "email": "nia@example.org"}, "cannot be saved"),
    ],
    ids=[
        "no at",
        "two ats",
        "no email",
        "long email",
        "NUL in email",
        "no name",
        "blank name",
        "long name",
        "NUL in name",
    ],
)
def test_invalid_new_account_is_refused_and_nothing_written(admin, data, message):
    before = count_users()
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert "There is a problem" in text_of(response)
    assert message in text_of(response)
    assert count_users() == before


# Editing ----------------------------------------------------------------------------------------


def test_edit_page_shows_the_account_and_its_roles(admin, world):
    response = admin.get(f"/admin/users/{world.member_a.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Member A" in text
    assert "Team member in Team A" in text
    assert "Reset password" in text


def test_admin_edits_name_email_and_rights(admin, world):
    member = world.member_a
    response = admin.post(
        f"/admin/users/{member.id}",
        data=account_form(member, display_name="Mia Moved", email="Mia@Example.org", is_admin="y"),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{member.id}"
    member = reloaded(member)
    assert (member.display_name, member.email, member.is_admin, member.is_enabled) == (
        "Mia Moved",
        "mia@example.org",
        True,
        True,
    )
    assert "Changes saved." in text_of(admin.get(f"/admin/users/{member.id}"))

    db.session.expire_all()
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))
    assert row.before["display_name"] == "Member A"
    assert row.after["display_name"] == "Mia Moved"


def test_edit_to_an_email_already_in_use_is_refused(admin, world):
    response = admin.post(
        f"/admin/users/{world.member_a.id}",
        data=account_form(world.member_a, email="lead_a@example.org"),
    )
    assert response.status_code == 422
    assert "Another account already uses this email address" in text_of(response)
    assert reloaded(world.member_a).email == "member_a@example.org"


def test_edit_keeping_the_same_email_is_fine(admin, world):
    response = admin.post(
        f"/admin/users/{world.member_a.id}",
        data=account_form(world.member_a, display_name="Member Renamed"),
    )
    assert response.status_code == 303
    assert reloaded(world.member_a).display_name == "Member Renamed"


@pytest.mark.parametrize(
    "changes",
    [{"is_admin": None}, {"is_enabled": None}, {"is_admin": None, "is_enabled": None}],
    ids=["remove own admin", "disable self", "both"],
)
def test_admin_cannot_lock_themselves_out(admin, world, changes):
    response = admin.post(
        f"/admin/users/{world.admin.id}", data=account_form(world.admin, **changes)
    )
    assert response.status_code == 422
    assert NOT_YOURSELF in text_of(response)
    me = reloaded(world.admin)
    assert me.is_admin and me.is_enabled
    assert is_signed_in(admin)


def test_admin_may_rename_themselves(admin, world):
    response = admin.post(
        f"/admin/users/{world.admin.id}", data=account_form(world.admin, display_name="Ada B")
    )
    assert response.status_code == 303
    assert reloaded(world.admin).display_name == "Ada B"


def test_disabling_an_account_signs_it_out_everywhere(admin, world, browser_of):
    member = browser_of(world.member_a)
    assert is_signed_in(member)

    response = admin.post(
        f"/admin/users/{world.member_a.id}", data=account_form(world.member_a, is_enabled=None)
    )
    assert response.status_code == 303
    assert not reloaded(world.member_a).is_enabled
    assert not is_signed_in(member)
    assert member.get("/", headers=HTMX).status_code == 401
    again = member.post("/sign-in", data={"email": "member_a@example.org", "password": PASSWORD})
    assert again.status_code == 422
    assert "Disabled" in text_of(admin.get("/admin/users"))


def test_enabling_an_account_again_lets_the_person_sign_in(admin, make_user, browser_of):
    user = make_user(is_enabled=False)
    response = admin.post(f"/admin/users/{user.id}", data=account_form(user, is_enabled="y"))
    assert response.status_code == 303
    assert is_signed_in(browser_of(user))


def test_editing_an_unknown_account_is_not_found(admin):
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999", data={"display_name": "X"}).status_code == 404


# Resetting a password ---------------------------------------------------------------------------


def test_reset_password_ends_sessions_and_gives_a_new_link(app, admin, world, browser_of):
    member = browser_of(world.member_a)
    old_link = f"/invitation/{invitation_token(world.member_a)}"

    response = admin.post(f"/admin/users/{world.member_a.id}/reset-password")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{world.member_a.id}"

    assert reloaded(world.member_a).password_hash is None
    assert not is_signed_in(member)
    refused = member.post("/sign-in", data={"email": "member_a@example.org", "password": PASSWORD})
    assert refused.status_code == 422

    page = admin.get(response.headers["Location"])
    assert "password no longer works and they have been signed out" in text_of(page)
    assert "We have emailed a link to choose a new password to member_a@example.org." in text_of(
        page
    )
    assert "Send this link to Member A yourself" in text_of(page)
    [link] = INVITATION_LINK.findall(page.get_data(as_text=True))
    assert link != old_link
    assert app.test_client().get(old_link).status_code == 404

    chosen = member.post(
        link,
        data={"new_password": "my new long password", "confirm_password": "my new long password"},
    )
    assert chosen.status_code == 303
    assert is_signed_in(member)


def test_reset_password_emails_the_person_a_link(app, admin, world, mailbox):
    admin.post(f"/admin/users/{world.member_a.id}/reset-password")
    deliver_due_messages()
    [email] = mailbox
    assert email.to == ["member_a@example.org"]
    assert email.subject == "Choose a new password for improve"
    assert "Ada Admin has reset your password" in email.body
    [link] = INVITATION_LINK.findall(email.body)
    assert app.test_client().get(link).status_code == 200


def test_reset_password_of_a_disabled_account_sends_no_email(admin, world, mailbox):
    world.member_a.is_enabled = False
    db.session.commit()
    response = admin.post(f"/admin/users/{world.member_a.id}/reset-password")
    assert "No email was sent to member_a@example.org" in text_of(
        admin.get(response.headers["Location"])
    )
    assert deliver_due_messages().sent == 0
    assert mailbox == []


def test_reset_password_is_audited(admin, world):
    admin.post(f"/admin/users/{world.member_a.id}/reset-password")
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))
    assert (row.actor_id, row.entity_id) == (world.admin.id, world.member_a.id)


def test_reset_password_of_an_unknown_account_is_not_found(admin):
    assert admin.post("/admin/users/999999/reset-password").status_code == 404


def test_reset_password_is_post_only(admin, world):
    assert admin.get(f"/admin/users/{world.member_a.id}/reset-password").status_code == 405
    assert reloaded(world.member_a).check_password(PASSWORD)


def test_admin_cannot_reset_their_own_password_here(admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}/reset-password")
    assert response.status_code == 400
    assert "Change your password" in text_of(response)
    assert reloaded(world.admin).check_password(PASSWORD)
    assert is_signed_in(admin)
