"""Sign-in throttling: after too many wrong passwords an account is locked for a few minutes,
the same way whether or not it exists. Against real gunicorn: tests/reliability/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.auth.operations import account_key
from improve.extensions import db
from improve.models import AuditAction, AuditEvent, SignInAttempt, User, utcnow
from tests.conftest import PASSWORD, text_of

WRONG = "not the password at all"
LOCKED = "This account is locked for a few minutes because of too many wrong passwords."
WRONG_DETAILS = "The email address or password is not right"


@pytest.fixture
def limit(app) -> int:
    """A small limit keeps most tests short; one test below holds the default of 10 in 5 minutes."""
    app.config["SIGN_IN_ATTEMPT_LIMIT"] = 3
    return 3


def attempt(client, email: str, password: str = WRONG):
    return client.post("/sign-in", data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def lock_rows(user: User) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.entity_id == user.id, AuditEvent.summary.like("Sign-in locked%")
            )
        )
    )


def test_the_eleventh_wrong_password_in_five_minutes_is_refused(app, client, make_user):
    assert app.config["SIGN_IN_ATTEMPT_LIMIT"] == 10
    assert app.config["SIGN_IN_WINDOW"] == timedelta(minutes=5)
    user = make_user()
    for _ in range(10):
        response = attempt(client, user.email)
        assert response.status_code == 422
        assert WRONG_DETAILS in text_of(response)

    locked = attempt(client, user.email)
    assert locked.status_code == 429
    assert LOCKED in text_of(locked)
    assert "Try again in 5 minutes" in text_of(locked)
    assert 290 <= int(locked.headers["Retry-After"]) <= 300


def test_the_right_password_is_refused_while_locked_and_never_checked(
    client, make_user, limit, monkeypatch
):
    user = make_user()
    checked = []
    monkeypatch.setattr(
        "improve.auth.operations.check_password_hash", lambda *args: checked.append(args)
    )
    for _ in range(limit):
        attempt(client, user.email)
    assert len(checked) == limit

    response = attempt(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in text_of(response)
    assert len(checked) == limit
    assert not is_signed_in(client)


def test_the_lock_holds_for_every_browser_not_just_the_one_that_guessed(app, make_user, limit):
    user = make_user()
    for _ in range(limit):
        attempt(app.test_client(), user.email)
    assert attempt(app.test_client(), user.email, PASSWORD).status_code == 429


def test_a_lock_on_one_account_leaves_others_alone(client, make_user, limit):
    locked_out, other = make_user(), make_user()
    for _ in range(limit + 1):
        attempt(client, locked_out.email)
    assert attempt(client, other.email, PASSWORD).status_code == 303


def test_right_passwords_do_not_count_towards_the_lock(app, make_user, limit):
    user = make_user()
    for _ in range(limit + 2):
        browser = app.test_client()
        assert attempt(browser, user.email, PASSWORD).status_code == 303
    assert attempt(app.test_client(), user.email).status_code == 422


def add_attempts(email: str, count: int, minutes_ago: float) -> None:
    at = utcnow() - timedelta(minutes=minutes_ago)
    key = account_key(email)
    db.session.add_all(SignInAttempt(account_key=key, attempted_at=at) for _ in range(count))
    db.session.commit()


def test_wrong_passwords_older_than_the_window_no_longer_count(client, make_user, limit):
    user = make_user()
    add_attempts(user.email, limit, minutes_ago=5.1)
    assert attempt(client, user.email, PASSWORD).status_code == 303


def test_the_lock_lifts_as_the_oldest_wrong_password_leaves_the_window(make_user, client, limit):
    user = make_user()
    add_attempts(user.email, 1, minutes_ago=4.5)
    add_attempts(user.email, limit - 1, minutes_ago=1)

    response = attempt(client, user.email, PASSWORD)

    assert response.status_code == 429
    # The oldest attempt stops counting in about 30 seconds: the page says a minute.
    assert 25 <= int(response.headers["Retry-After"]) <= 31
    assert "Try again in 1 minute." in text_of(response)


def test_old_attempts_are_pruned(client, make_user):
    add_attempts("someone@example.org", 20, minutes_ago=6)
    add_attempts("someone@example.org", 2, minutes_ago=1)
    attempt(client, "anyone@example.org")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 3


def test_the_stored_attempts_do_not_hold_the_address_typed(client):
    attempt(client, "private.person@example.org")
    [stored] = db.session.scalars(sa.select(SignInAttempt.account_key))
    assert "private" not in stored
    assert re.fullmatch("[0-9a-f]{64}", stored)


def test_unknown_addresses_are_locked_the_same_way_and_the_pages_match(client, make_user, limit):
    """Otherwise the lock message would tell an attacker which addresses have accounts."""
    make_user(email="known@example.org")
    pages = {}
    for email in ("known@example.org", "unknown@example.org"):
        statuses = [attempt(client, email).status_code for _ in range(limit + 1)]
        assert statuses == [422] * limit + [429]
        pages[email] = attempt(client, email)
    known, unknown = pages["known@example.org"], pages["unknown@example.org"]
    assert known.status_code == unknown.status_code == 429
    assert known.headers["Retry-After"] == unknown.headers["Retry-After"]
    assert _page_without(known, "known@example.org") == _page_without(
        unknown, "unknown@example.org"
    )


def _page_without(response, email: str) -> str:
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'("X-CSRFToken": |name="csrf_token" value=)"[^"]*"', "TOKEN", html)


def test_the_lock_is_audited_once_however_long_the_attacker_goes_on(client, make_user, limit):
    user = make_user()
    for _ in range(limit + 5):
        attempt(client, user.email)
    [row] = lock_rows(user)
    assert row.action == AuditAction.SIGN_IN_FAILED
    assert row.entity_type == "User"
    assert row.summary == "Sign-in locked: 3 wrong passwords within 5 minutes"
    failures = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.summary == "Wrong password")
    ).all()
    assert len(failures) == limit  # the refused attempts were not password checks


def test_a_lock_that_starts_with_refusals_is_audited_too(client, make_user, limit):
    """Simultaneous attempts may take the last places before any of them reaches the limit, so a
    refusal writes the lock row when none has been written in the window."""
    user = make_user()
    add_attempts(user.email, limit, minutes_ago=1)
    assert attempt(client, user.email).status_code == 429
    assert len(lock_rows(user)) == 1


def test_fewer_wrong_passwords_than_the_limit_are_not_a_lock(client, make_user, limit):
    user = make_user()
    for _ in range(limit - 1):
        attempt(client, user.email)
    assert lock_rows(user) == []
    assert attempt(client, user.email, PASSWORD).status_code == 303
