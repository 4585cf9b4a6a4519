"""Who may read the API: a bearer token that is known, not revoked, not expired, of an account
that can sign in, or the browser's session; nothing else. Tokens only read, and each may make
a limited number of requests a minute, counted in the database every worker shares."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.api import operations
from improve.api.token_views import today
from improve.extensions import db
from improve.models import ApiToken, SignInAttempt, utcnow
from tests.api.conftest import bearer

LIST = "/api/v1/collaboratives"


def assert_refused(response, words: str, challenge: str = 'error="invalid_token"') -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="improve API"')
    assert challenge in response.headers["WWW-Authenticate"]
    body = response.get_json()
    assert body["error"] == "unauthorised" and words in body["message"]
    assert response.headers["Cache-Control"] == "no-store"


def the_token() -> ApiToken:
    db.session.expire_all()
    return db.session.scalars(sa.select(ApiToken)).one()


def test_a_known_token_reads_as_its_owner(world, client, make_token):
    response = client.get(LIST, headers=bearer(make_token(world.member_c)))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert [c["name"] for c in response.get_json()["data"]] == ["Collaborative Y"]


def test_no_token_and_no_session_is_a_401_not_the_sign_in_page(world, client):
    response = client.get(LIST)
    assert response.status_code == 401 and "Location" not in response.headers
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="improve API"'
    assert "Authorization: Bearer" in response.get_json()["message"]


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer a b", "Basic dXNlcjpwdw==", ""])
def test_a_header_that_is_no_bearer_token_is_refused(world, client, header):
    response = client.get(LIST, headers={"Authorization": header})
    assert_refused(response, "Authorization: Bearer <token>", 'error="invalid_request"')


def test_an_unknown_token_is_refused(world, client, make_token):
    secret = make_token(world.member_a)
    for wrong in (secret[:-1], secret + "x", "imp_" + "A" * 43, "x" * 199):
        assert_refused(client.get(LIST, headers=bearer(wrong)), "This token is not known")


def test_a_revoked_token_is_refused(world, client, make_token):
    secret = make_token(world.member_a)
    operations.revoke_token(world.member_a, the_token())
    db.session.commit()
    assert_refused(client.get(LIST, headers=bearer(secret)), "This token was revoked on")


def test_a_token_works_to_the_end_of_its_day_then_is_refused(world, client, make_token):
    secret = make_token(world.member_a, expires_on=today())
    assert client.get(LIST, headers=bearer(secret)).status_code == 200
    the_token().expires_on = today() - timedelta(days=1)
    db.session.commit()
    assert_refused(client.get(LIST, headers=bearer(secret)), "This token expired on")


def test_the_token_of_a_disabled_account_is_refused(world, client, make_token):
    secret = make_token(world.member_a)
    world.member_a.is_enabled = False
    db.session.commit()
    assert_refused(client.get(LIST, headers=bearer(secret)), "can no longer sign in")


def test_a_signed_in_browser_reads_the_api_too(world, client_for):
    response = client_for(world.member_a).get(LIST)
    assert response.status_code == 200
    assert [c["name"] for c in response.get_json()["data"]] == ["Collaborative X"]


def test_a_token_sent_with_a_session_decides_who_reads(world, client_for, make_token):
    """A revoked token is never read as the session's person, and a good one reads as its own
    owner, whoever the browser is signed in as."""
    browser = client_for(world.member_a)
    other = make_token(world.member_c)
    assert [c["name"] for c in browser.get(LIST, headers=bearer(other)).get_json()["data"]] == [
        "Collaborative Y"
    ]
    operations.revoke_token(world.member_c, the_token())
    db.session.commit()
    assert_refused(browser.get(LIST, headers=bearer(other)), "revoked")


def test_a_token_only_reads(world, client, make_token):
    """It opens no page and posts no form: it is not a session."""
    headers = bearer(make_token(world.member_a))
    assert client.get("/", headers=headers).status_code == 302  # to the sign-in page
    made = client.post("/account/api-tokens", data={"name": "More"}, headers=headers)
    assert made.status_code == 302 and "/sign-in" in made.headers["Location"]
    # No API address takes anything but GET: a post is refused as JSON (tests/api/test_addresses).
    assert client.post(LIST, headers=headers).status_code == 405
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


def test_last_used_is_noted_at_most_once_a_minute(world, client, make_token):
    secret = make_token(world.member_a)
    assert the_token().last_used_at is None
    client.get(LIST, headers=bearer(secret))
    first = the_token().last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=10)
    client.get(LIST, headers=bearer(secret))
    assert the_token().last_used_at == first
    the_token().last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get(LIST, headers=bearer(secret))
    assert the_token().last_used_at > first


# The rate limit -----------------------------------------------------------------------------------


@pytest.fixture
def limit_of_three(app):
    app.config["API_REQUESTS_PER_MINUTE"] = 3  # the app fixture puts its settings back


def test_too_many_requests_a_minute_are_refused_with_retry_after(
    world, client, make_token, limit_of_three
):
    secret = make_token(world.member_a)
    answers = [client.get(LIST, headers=bearer(secret)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[-1]
    assert refused.mimetype == "application/json"
    assert refused.get_json()["error"] == "too_many_requests"
    assert "More than 3 requests in a minute" in refused.get_json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another token of someone else is counted on its own.
    other = make_token(world.member_b)
    assert client.get(LIST, headers=bearer(other)).status_code == 200


def test_a_refused_request_does_not_count_and_the_minute_moves_on(
    world, client, make_token, limit_of_three
):
    secret = make_token(world.member_a)
    for _ in range(3):
        client.get(LIST, headers=bearer(secret))
    for _ in range(3):
        assert client.get(LIST, headers=bearer(secret)).status_code == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 3
    # A minute later the earlier requests no longer count.
    db.session.execute(
        sa.update(SignInAttempt).values(attempted_at=utcnow() - timedelta(seconds=61))
    )
    db.session.commit()
    assert client.get(LIST, headers=bearer(secret)).status_code == 200


def test_a_signed_in_browser_is_limited_too(world, client_for, limit_of_three):
    browser = client_for(world.member_a)
    assert [browser.get(LIST).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_api_requests_never_count_against_signing_in(world, client, make_token, limit_of_three):
    """The two share a table; their keys never meet, and pruning one never prunes the other."""
    from improve.auth.operations import account_key

    secret = make_token(world.member_a)
    for _ in range(3):
        client.get(LIST, headers=bearer(secret))
    keys = set(db.session.scalars(sa.select(SignInAttempt.account_key)))
    assert len(keys) == 1 and account_key(world.member_a.email) not in keys


def test_a_proxys_own_sign_in_header_leaves_the_session_to_decide(world, client_for):
    """An intranet proxy may add its own Basic Authorization to every request."""
    browser = client_for(world.member_a)
    assert browser.get(LIST, headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code == 200
