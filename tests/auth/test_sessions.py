"""How long a session lives, and what ends it: every event that ends a person's sessions also ends
a copy of their cookie, and a session too old or idle too long is refused. Cookie flags are in
tests/test_security.py."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from improve.models import User
from tests.conftest import PASSWORD, text_of

NEW_PASSWORD = "a brand new sentence"
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def is_signed_in(browser: FlaskClient) -> bool:
    response = browser.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_of(app, browser: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie, as a thief or a stale tab would."""
    copy = app.test_client()
    cookie = browser.get_cookie("session", domain="improve.test")
    copy.set_cookie("session", cookie.value, domain="improve.test")
    return copy


def change_own_password(browser: FlaskClient, user: User, admin: FlaskClient) -> None:
    response = browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303


def admin_disables(browser: FlaskClient, user: User, admin: FlaskClient) -> None:
    # "enabled" left unticked
    form = {"display_name": user.display_name, "email": user.email, "version": str(user.version)}
    assert admin.post(f"/admin/users/{user.id}", data=form).status_code == 303


def admin_resets_password(browser: FlaskClient, user: User, admin: FlaskClient) -> None:
    assert admin.post(f"/admin/users/{user.id}/reset-password").status_code == 303


@pytest.mark.parametrize("end", [change_own_password, admin_disables, admin_resets_password])
def test_a_copied_session_cookie_stops_working_when_sessions_end(app, make_user, client_for, end):
    user = make_user()
    admin = client_for(make_user(is_admin=True))
    browser = client_for(user)
    copy = copy_of(app, browser)
    assert is_signed_in(copy)

    end(browser, user, admin)

    assert not is_signed_in(copy)
    assert is_signed_in(admin)


# Lifetime and idle time --------------------------------------------------------------------------


def age(browser: FlaskClient, signed_in: timedelta, last_used: timedelta) -> None:
    """Make the session look as if it began, and was last used, this long ago. The cookie is
    signed with the app's key, exactly as an old one would have been."""
    now = time.time()
    with browser.session_transaction() as session:
        session["signed_in_at"] = int(now - signed_in.total_seconds())
        session["seen_at"] = int(now - last_used.total_seconds())


def test_a_session_ends_eight_hours_after_signing_in_however_busy(app, client_for, make_user):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == 8 * HOUR
    browser = client_for(make_user())
    age(browser, signed_in=8 * HOUR + MINUTE, last_used=MINUTE)

    response = browser.get("/teams/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    page = browser.get(response.headers["Location"])
    assert "You were signed out 8 hours after signing in. Sign in again to carry on." in (
        text_of(page)
    )
    assert not is_signed_in(browser)


def test_a_session_younger_than_eight_hours_still_works(client_for, make_user):
    browser = client_for(make_user())
    age(browser, signed_in=8 * HOUR - MINUTE, last_used=MINUTE)
    assert is_signed_in(browser)


def test_an_hour_without_use_ends_the_session(app, client_for, make_user):
    assert app.config["SESSION_IDLE_TIMEOUT"] == HOUR
    browser = client_for(make_user())
    age(browser, signed_in=2 * HOUR, last_used=HOUR + MINUTE)

    assert not is_signed_in(browser)
    assert "You were signed out after an hour without using improve" in text_of(
        browser.get("/sign-in")
    )


def test_using_the_app_keeps_the_session_alive(client_for, make_user):
    browser = client_for(make_user())
    age(browser, signed_in=2 * HOUR, last_used=HOUR - MINUTE)
    assert is_signed_in(browser)  # this request counts as use...
    with browser.session_transaction() as session:
        assert session["seen_at"] >= time.time() - 5  # ...so the idle clock starts again


def test_an_expired_session_cannot_be_revived_by_a_copy(app, client_for, make_user):
    browser = client_for(make_user())
    age(browser, signed_in=9 * HOUR, last_used=MINUTE)
    copy = copy_of(app, browser)
    assert not is_signed_in(browser)
    assert not is_signed_in(copy)


def test_the_idle_limit_can_be_turned_off(app, client_for, make_user):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(0)
    browser = client_for(make_user())
    age(browser, signed_in=7 * HOUR, last_used=7 * HOUR)
    assert is_signed_in(browser)


def test_a_session_without_its_clocks_is_refused(client_for, make_user):
    """Sessions made before sessions had clocks, or by anything but the sign-in page."""
    browser = client_for(make_user())
    with browser.session_transaction() as session:
        del session["signed_in_at"]
    assert not is_signed_in(browser)
    assert "Your session has ended" in text_of(browser.get("/sign-in"))


def test_no_remember_me_the_session_ends_with_the_browser(client, make_user):
    """No "remember me" is offered: no long-lived cookie, and the session cookie has no expiry
    date, so closing the browser ends it."""
    user = make_user()
    assert "remember" not in client.get("/sign-in").get_data(as_text=True).lower()
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["session"]
    flags = [part.strip().split("=")[0].lower() for part in cookies[0].split(";")]
    assert "expires" not in flags
    assert "max-age" not in flags


def test_signing_in_again_starts_the_clock_again(client_for, make_user):
    user = make_user()
    browser = client_for(user)
    age(browser, signed_in=9 * HOUR, last_used=MINUTE)
    assert not is_signed_in(browser)
    again = browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert again.status_code == 303
    assert is_signed_in(browser)
