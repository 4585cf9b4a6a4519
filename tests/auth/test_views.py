"""Signing in and out, changing a password, invitation links, and the sign-in wall."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.models import AuditAction, AuditEvent, User
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PASSWORD, text_of

WRONG_DETAILS = "The email address or password is not right"
NEW_PASSWORD = "a brand new sentence"


@pytest.fixture
def signed_in_client(app):
    """A further browser, signed in as this user."""

    def make(user: User, password: str = PASSWORD) -> FlaskClient:
        browser = app.test_client()
        response = browser.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 303
        return browser

    return make


def is_signed_in(browser: FlaskClient) -> bool:
    response = browser.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def reloaded(user: User) -> User:
    db.session.refresh(user)
    return user


def audit_rows(action: AuditAction | None = None) -> list[AuditEvent]:
    """Audit rows in the order they were written, optionally of one kind."""
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


# Signing in --------------------------------------------------------------------------------------


def test_sign_in_page_shows_the_form(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Sign in to improve" in text_of(response)
    assert 'name="email"' in html
    assert 'name="password"' in html


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        (None, "/"),
        ("/collaboratives/", "/collaboratives/"),
        ("/teams/7?tab=people", "/teams/7?tab=people"),
        ("//evil.example", "/"),
        ("//evil.example/sign-in", "/"),
        ("///evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http:evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),  # browsers drop tabs, which would make this //evil.example
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
    ],
)
def test_sign_in_goes_home_or_to_a_path_on_this_site(client, make_user, next_url, location):
    user = make_user()
    response = client.post(
        "/sign-in",
        query_string={"next": next_url} if next_url else {},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert is_signed_in(client)


def test_signed_in_person_visiting_sign_in_is_sent_on_but_never_off_site(client, make_user):
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})

    assert client.get("/sign-in").headers["Location"] == "/"
    assert client.get("/sign-in?next=/collaboratives/").headers["Location"] == "/collaboratives/"
    assert client.get("/sign-in?next=//evil.example").headers["Location"] == "/"


def test_email_address_is_matched_whatever_its_case_and_spaces(client, make_user):
    user = make_user(email="casey@example.org")
    response = client.post("/sign-in", data={"email": "  Casey@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 303
    assert is_signed_in(client)
    assert "Hello, " + user.display_name in text_of(client.get("/"))


def test_wrong_password_and_unknown_email_look_exactly_the_same(client, make_user):
    make_user(email="known@example.org")
    wrong_password = client.post(
        "/sign-in", data={"email": "known@example.org", "password": "not the password"}
    )
    unknown_email = client.post(
        "/sign-in", data={"email": "other@example.org", "password": PASSWORD}
    )

    assert wrong_password.status_code == unknown_email.status_code == 422
    assert text_of(wrong_password).count(WRONG_DETAILS) >= 1
    # The pages differ only by the email address typed in (and the CSRF token's timestamp).
    first = _page_without(wrong_password, "known@example.org")
    second = _page_without(unknown_email, "other@example.org")
    assert first == second
    assert not is_signed_in(client)


def _page_without(response, email: str) -> str:
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'("X-CSRFToken": |name="csrf_token" value=)"[^"]*"', "TOKEN", html)


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter your email address", "Enter your password"]),
        ({"email": "someone@example.org"}, ["Enter your password"]),
        ({"password": PASSWORD}, ["Enter your email address"]),
        ({"email": "", "password": ""}, ["Enter your email address", "Enter your password"]),
    ],
)
def test_missing_fields_are_named(client, make_user, data, messages):
    make_user(email="someone@example.org")
    response = client.post("/sign-in", data=data)
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    for message in messages:
        assert message in text
    assert WRONG_DETAILS not in text
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a" * 300 + "@example.org", "password": PASSWORD},
        {"email": "someone@example.org", "password": "x" * 1000},
        {"email": "b" * 20_000 + "@example.org", "password": "y" * 20_000},
    ],
    ids=["long email", "long password", "both very long"],
)
def test_over_long_input_is_refused_politely(client, make_user, data):
    make_user(email="someone@example.org")
    response = client.post("/sign-in", data=data)
    assert response.status_code == 422
    assert "There is a problem" in text_of(response)


@pytest.mark.parametrize(
    "email", ["some\x00one@example.org", "\x00", "someone@example.org\x00"], ids=repr
)
def test_nul_byte_in_the_email_is_a_client_error(client, make_user, email):
    make_user(email="someone@example.org")
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert 400 <= response.status_code < 500
    assert not is_signed_in(client)


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user(is_enabled=False)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert WRONG_DETAILS in text_of(response)
    assert not is_signed_in(client)


def test_invited_account_without_a_password_cannot_sign_in(client, make_user):
    user = make_user(password_hash=None)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert WRONG_DETAILS in text_of(response)
    assert not is_signed_in(client)


# Audit -------------------------------------------------------------------------------------------


def test_sign_in_is_audited_and_remembered(client, make_user):
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})

    [row] = audit_rows()
    assert (row.action, row.actor_id, row.entity_type, row.entity_id) == (
        AuditAction.SIGN_IN,
        user.id,
        "User",
        user.id,
    )
    assert reloaded(user).last_signed_in_at is not None


def test_failed_sign_in_to_an_existing_account_is_audited(client, make_user):
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": "not the password"})

    [row] = audit_rows()
    assert (row.action, row.actor_id, row.entity_id) == (AuditAction.SIGN_IN_FAILED, None, user.id)
    assert "not the password" not in repr((row.summary, row.before, row.after))
    assert reloaded(user).last_signed_in_at is None


def test_failed_sign_in_for_an_unknown_email_writes_nothing(client, make_user):
    make_user()
    client.post("/sign-in", data={"email": "stranger@example.org", "password": PASSWORD})
    assert audit_rows() == []


# The sign-in wall --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/collaboratives/",
        "/collaboratives/1",
        "/teams/1",
        "/account/password",
        "/admin/users",
        "/teams/1?tab=people&x=1",
        "/no-such-page",
    ],
)
def test_every_page_sends_a_signed_out_person_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == [path]


def test_after_signing_in_the_person_lands_where_they_were_going(client, make_user):
    user = make_user()
    to_sign_in = client.get("/collaboratives/").headers["Location"]
    response = client.post(to_sign_in, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/collaboratives/"


def test_htmx_fragment_request_when_signed_out_is_told_to_redirect(client):
    """A fragment request must not get the sign-in page swapped into part of a page."""
    response = client.get("/collaboratives/", headers=HTMX)
    assert response.status_code == 401
    assert response.get_data() == b""
    location = urlsplit(response.headers["HX-Redirect"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == ["/collaboratives/"]


@pytest.mark.parametrize("headers", [BOOSTED, HISTORY_RESTORE], ids=["boosted", "restore"])
def test_whole_page_htmx_request_when_signed_out_is_redirected_like_a_browser(client, headers):
    """Boosted links and history restores swap the whole page, so the sign-in page may come back
    as it would without JavaScript."""
    response = client.get("/collaboratives/", headers=headers)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == ["/collaboratives/"]


def test_signed_out_post_is_sent_to_sign_in_and_changes_nothing(client, world):
    response = client.post(
        f"/teams/{world.team_a.id}/members",
        data={"email": "new@example.org", "display_name": "New", "role": "team_member"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None


@pytest.mark.parametrize("path", ["/sign-in", "/health"])
def test_public_pages_answer_without_sign_in(client, path):
    assert client.get(path).status_code == 200


# Signing out -------------------------------------------------------------------------------------


def test_sign_out_by_get_is_refused_and_keeps_the_session(client, make_user, sign_in):
    sign_in(make_user())
    assert client.get("/sign-out").status_code == 405
    assert is_signed_in(client)


def test_sign_out_ends_the_session(client, make_user, sign_in):
    sign_in(make_user())
    response = client.post("/sign-out")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out." in text_of(client.get("/sign-in"))
    assert not is_signed_in(client)


def test_sign_out_ends_every_session_of_that_person(client, make_user, sign_in, signed_in_client):
    """A session cookie lives in the browser, so sign-out must end it on the server too: a copy
    of it (or the same person on another device) is signed out as well."""
    user = make_user()
    other = signed_in_client(user)
    someone_else = signed_in_client(make_user())
    sign_in(user).post("/sign-out")
    assert not is_signed_in(other)
    assert is_signed_in(someone_else)
    [row] = audit_rows(AuditAction.SIGN_OUT)
    assert row.entity_id == user.id


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, make_user, sign_in):
    sign_in(make_user())
    copy = app.test_client()
    copy.set_cookie(
        "session", client.get_cookie("session", domain="improve.test").value, domain="improve.test"
    )
    assert is_signed_in(copy)

    client.post("/sign-out")
    assert not is_signed_in(client)
    assert not is_signed_in(copy)


# Changing your password --------------------------------------------------------------------------


def test_change_password_page_needs_your_current_password(client, make_user, sign_in):
    user = make_user()
    response = sign_in(user).get("/account/password")
    assert response.status_code == 200
    assert "Change your password" in text_of(response)
    assert user.email in text_of(response)
    assert 'name="current_password"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not my password", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not right"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords are not the same"),
        (PASSWORD, "too short", "too short", "Password must be between 10 and 128 characters"),
        (PASSWORD, "z" * 129, "z" * 129, "Password must be between 10 and 128 characters"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "Enter your current password"),
        (PASSWORD, "", "", "Enter a new password"),
        (PASSWORD, NEW_PASSWORD, "", "Type the new password again"),
    ],
)
def test_invalid_password_change_changes_nothing(
    client, make_user, sign_in, signed_in_client, current, new, confirm, message
):
    user = make_user()
    other = signed_in_client(user)
    response = sign_in(user).post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm},
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert reloaded(user).check_password(PASSWORD)
    assert is_signed_in(other)
    assert audit_rows(AuditAction.UPDATE) == []


def test_changing_password_ends_every_other_session(client, make_user, sign_in, signed_in_client):
    user = make_user()
    other = signed_in_client(user)
    this = sign_in(user)

    response = this.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"

    home = this.get("/")
    assert home.status_code == 200
    assert "You are signed out everywhere else" in text_of(home)
    assert is_signed_in(this)
    assert not is_signed_in(other)
    assert other.get("/", headers=HTMX).status_code == 401


def test_after_a_password_change_only_the_new_password_works(
    app, client, make_user, sign_in, signed_in_client
):
    user = make_user()
    sign_in(user).post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    old = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 422
    assert is_signed_in(signed_in_client(user, NEW_PASSWORD))


def test_password_change_is_audited_without_the_password(client, make_user, sign_in):
    user = make_user()
    sign_in(user).post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    [row] = audit_rows(AuditAction.UPDATE)
    assert (row.actor_id, row.entity_type, row.entity_id) == (user.id, "User", user.id)
    assert "password" in row.summary
    recorded = repr((row.summary, row.before, row.after))
    assert NEW_PASSWORD not in recorded
    assert PASSWORD not in recorded


# Invitation links --------------------------------------------------------------------------------


@pytest.fixture
def invited(make_user) -> User:
    return make_user(display_name="Ines Invited", email="ines@example.org", password_hash=None)


def choose_password(browser: FlaskClient, token: str, password: str = NEW_PASSWORD):
    return browser.post(
        f"/invitation/{token}", data={"new_password": password, "confirm_password": password}
    )


def test_invitation_link_greets_the_person(client, invited):
    response = client.get(f"/invitation/{invitation_token(invited)}")
    assert response.status_code == 200
    assert "Hello Ines Invited" in text_of(response)
    assert "ines@example.org" in text_of(response)


def test_invitation_sets_the_password_and_signs_in(client, invited):
    response = choose_password(client, invitation_token(invited))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"

    home = client.get("/")
    assert home.status_code == 200
    assert "Hello, Ines Invited" in text_of(home)
    assert "Your password is saved and you are signed in." in text_of(home)
    assert reloaded(invited).check_password(NEW_PASSWORD)
    assert [row.action for row in audit_rows()] == [AuditAction.UPDATE, AuditAction.SIGN_IN]


def test_invitation_replaces_whoever_was_signed_in(client, make_user, sign_in, invited):
    sign_in(make_user(display_name="Someone Else"))
    choose_password(client, invitation_token(invited))
    assert "Hello, Ines Invited" in text_of(client.get("/"))


def test_invitation_link_works_only_once(app, client, invited):
    token = invitation_token(invited)
    assert choose_password(client, token).status_code == 303

    stranger = app.test_client()
    again = stranger.get(f"/invitation/{token}")
    assert again.status_code == 404
    assert "This link has expired or has already been used" in text_of(again)
    assert choose_password(stranger, token, "someone else's password").status_code == 404
    assert reloaded(invited).check_password(NEW_PASSWORD)


def test_invalid_password_on_invitation_keeps_the_link_alive(client, invited):
    token = invitation_token(invited)
    response = client.post(
        f"/invitation/{token}",
        data={"new_password": NEW_PASSWORD, "confirm_password": "something else"},
    )
    assert response.status_code == 422
    assert "The two passwords are not the same" in text_of(response)
    assert reloaded(invited).password_hash is None
    assert not is_signed_in(client)
    assert client.get(f"/invitation/{token}").status_code == 200


def _tampered(token: str) -> str:
    """Another signature of the same length. (Changing only the last base64 character can leave
    the decoded bytes unchanged, since its low bits are padding.)"""
    payload, _, signature = token.rpartition(".")
    forged = "".join("B" if char == "A" else "A" for char in signature)
    return f"{payload}.{forged}"


@pytest.mark.parametrize(
    "make_token",
    [
        lambda token, app: _tampered(token),
        lambda token, app: token.replace(".", "", 1),
        lambda token, app: "not-a-token",
        lambda token, app: URLSafeTimedSerializer("another key", salt="invitation").dumps(
            {"user": 1, "version": 1}
        ),
        lambda token, app: URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other").dumps(
            {"user": 1, "version": 1}
        ),
        lambda token, app: URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt="invitation"
        ).dumps(["user", 1]),
    ],
    ids=["tampered", "mangled", "garbage", "other key", "other salt", "not a dict"],
)
def test_a_bad_token_is_not_found(app, client, invited, make_token):
    token = make_token(invitation_token(invited), app)
    assert client.get(f"/invitation/{token}").status_code == 404
    assert choose_password(client, token).status_code == 404
    assert reloaded(invited).password_hash is None


def test_a_token_for_a_disabled_account_is_not_found(client, make_user):
    user = make_user(password_hash=None, is_enabled=False)
    assert client.get(f"/invitation/{invitation_token(user)}").status_code == 404


def test_a_token_for_a_deleted_account_is_not_found(client, make_user):
    user = make_user(password_hash=None)
    token = invitation_token(user)
    db.session.delete(user)
    db.session.commit()
    assert client.get(f"/invitation/{token}").status_code == 404


def test_invitation_pages_send_only_the_site_address_as_referer(client, invited):
    """The token is in the page's address: its own requests (styles, scripts, the form's post)
    must not carry it to the logs in their Referer, whether the link works or not."""
    page = client.get(f"/invitation/{invitation_token(invited)}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "strict-origin"
    assert client.get("/invitation/nonsense").headers["Referrer-Policy"] == "strict-origin"
    refused = choose_password(client, invitation_token(invited), "short")
    assert refused.headers["Referrer-Policy"] == "strict-origin"
    assert client.get("/sign-in").headers["Referrer-Policy"] == "same-origin"


def test_the_password_form_works_over_https_with_only_the_site_as_referer(app, invited):
    """Why not "no-referrer": over HTTPS, Flask-WTF refuses a form posted with no Referer, so
    the password could never be saved; the site's address alone is enough."""
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    url = f"https://improve.test/invitation/{invitation_token(invited)}"
    page = browser.get(url).get_data(as_text=True)
    [csrf_token] = re.findall(r'name="csrf_token"[^>]*?value="([^"]+)"', page)
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    data["csrf_token"] = csrf_token
    assert browser.post(url, data=data).status_code == 400  # what "no-referrer" would send
    saved = browser.post(url, data=data, headers={"Referer": "https://improve.test/"})
    assert saved.status_code == 303
    assert reloaded(invited).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("days_old", "status"), [(6, 200), (8, 404)])
def test_invitation_links_last_seven_days(client, invited, monkeypatch, days_old, status):
    issued_at = time.time() - days_old * 86_400
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued_at)  # itsdangerous stamps with time.time()
        token = invitation_token(invited)
    assert client.get(f"/invitation/{token}").status_code == status
