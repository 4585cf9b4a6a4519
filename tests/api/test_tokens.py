"""Personal access tokens through the pages (issue 19, point 5), with CSRF checks on as in
production: made with a name and an expiry, the secret shown once, listed by its prefix, revoked
after a confirmation, every change audited, and only a hash kept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from improve import create_app
from improve.api.token_views import today
from improve.extensions import db
from improve.models import ApiToken, AuditAction, AuditEvent
from tests.api.conftest import bearer
from tests.conftest import PASSWORD, IsolatedClient, SharedBytecode, text_of

SECRET = re.compile(r"imp_[A-Za-z0-9_-]{43}")


@pytest.fixture
def csrf_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The app with CSRF checks on, on the database of `app` (which empties it afterwards)."""
    real = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": True,
            "SERVER_NAME": "improve.test",
        }
    )
    real.test_client_class = IsolatedClient
    real.jinja_env.bytecode_cache = SharedBytecode()
    yield real
    with real.app_context():
        db.engine.dispose()


def csrf_of(page) -> str:
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no csrf_token on the page"
    return match.group(1)


@pytest.fixture
def browser(csrf_app: Flask, world):
    """member_a's browser, signed in through the form with its CSRF token."""
    client = csrf_app.test_client()
    page = client.get("/sign-in")
    credentials = {"email": world.member_a.email, "password": PASSWORD}
    assert client.post("/sign-in", data=credentials | {"csrf_token": csrf_of(page)}).status_code
    return client


def make_on_page(browser, name: str = "Power BI board pack", **fields) -> tuple[object, str]:
    """Make a token through the form; the answer and the secret it shows."""
    page = browser.get("/account/api-tokens")
    answer = browser.post(
        "/account/api-tokens", data={"name": name, "csrf_token": csrf_of(page), **fields}
    )
    found = SECRET.findall(answer.get_data(as_text=True))
    return answer, found[0] if found else ""


def tokens() -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def test_the_account_page_leads_to_the_tokens_page(browser):
    page = browser.get("/account")
    assert 'href="/account/api-tokens"' in page.get_data(as_text=True)
    assert "Using the API" in text_of(browser.get("/account/api-tokens"))


def test_a_token_is_shown_once_then_only_its_prefix(browser, world):
    answer, secret = make_on_page(browser)

    assert answer.status_code == 201
    assert secret and "Copy your new token now" in text_of(answer)
    assert f"Bearer {secret}" in text_of(answer)
    listing = browser.get("/account/api-tokens")
    shown = text_of(listing)
    assert secret not in listing.get_data(as_text=True)
    assert f"{secret[:12]}…" in shown and secret[:13] not in shown
    ends = today() + timedelta(days=90)
    assert "Power BI board pack" in shown and "Never" in shown and "Active" in shown
    assert f"{ends:%-d %B %Y}" in shown
    [token] = tokens()
    assert (token.user_id, token.prefix, token.expires_on) == (world.member_a.id, secret[:12], ends)


def test_only_a_hash_of_the_secret_is_kept(browser):
    _, secret = make_on_page(browser)
    [token] = tokens()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                assert not any(secret in str(cell) for cell in row), table.name
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "ApiToken"))
    assert event.action == AuditAction.CREATE and token.secret_hash not in str(event.after)


def test_the_token_made_on_the_page_reads_the_api(browser, client):
    _, secret = make_on_page(browser)
    response = client.get("/api/v1/collaboratives", headers=bearer(secret))
    assert response.status_code == 200
    assert [c["name"] for c in response.get_json()["data"]] == ["Collaborative X"]


def test_a_form_without_its_csrf_token_makes_nothing(browser):
    answer = browser.post("/account/api-tokens", data={"name": "Sneaky"})
    assert answer.status_code == 400
    assert tokens() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name for the token"),
        ({"name": "x" * 101}, "Name must be 100 characters or fewer"),
        ({"expires_on": ["1", "1", "2020"]}, "The expiry date has passed"),
        ({"expires_on": ["31", "2", "2027"]}, "must be a real date"),
        ({"expires_on": "far"}, "must be a real date"),
    ],
)
def test_mistakes_are_named_and_nothing_is_made(browser, fields, message):
    answer, secret = make_on_page(browser, **({"name": "Board"} | fields))
    assert answer.status_code == 422 and not secret
    assert message in text_of(answer)
    assert tokens() == []


def test_the_expiry_date_chosen_is_kept_and_a_year_is_the_longest(browser):
    late = today() + timedelta(days=400)
    answer, _ = make_on_page(browser, expires_on=[str(late.day), str(late.month), str(late.year)])
    assert answer.status_code == 422 and "A token can work for a year at most" in text_of(answer)
    chosen = today() + timedelta(days=10)
    parts = [str(chosen.day), str(chosen.month), str(chosen.year)]
    answer, secret = make_on_page(browser, expires_on=parts)
    assert answer.status_code == 201 and secret
    assert [token.expires_on for token in tokens()] == [chosen]


def test_revoking_asks_first_then_the_token_stops_working(browser, client, world):
    _, secret = make_on_page(browser, name="Old pack")
    [token] = tokens()
    listing = browser.get("/account/api-tokens")
    assert f"/account/api-tokens/revoke?token={token.id}" in listing.get_data(as_text=True)

    question = browser.get(f"/account/api-tokens/revoke?token={token.id}")
    assert question.status_code == 200 and "Revoke ‘Old pack’?" in text_of(question)
    assert tokens()[0].revoked_at is None
    refused = browser.post("/account/api-tokens/revoke", data={"token": str(token.id)})
    assert refused.status_code == 400 and tokens()[0].revoked_at is None  # no CSRF token

    answer = browser.post(
        "/account/api-tokens/revoke", data={"token": str(token.id), "csrf_token": csrf_of(question)}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/account/api-tokens")
    assert "The token ‘Old pack’ is revoked" in text_of(browser.get(answer.headers["Location"]))
    assert tokens()[0].revoked_at is not None
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ApiToken", AuditEvent.action == AuditAction.UPDATE
        )
    ).all()
    assert len(events) == 1 and events[0].actor_id == world.member_a.id
    assert client.get("/api/v1/collaboratives", headers=bearer(secret)).status_code == 401
    assert "Revoked" in text_of(browser.get("/account/api-tokens"))


def test_someone_elses_token_is_not_found(app, world, client_for, make_token):
    make_token(world.member_a)
    [token] = tokens()
    other = client_for(world.member_b)
    assert other.get(f"/account/api-tokens/revoke?token={token.id}").status_code == 404
    assert (
        other.post("/account/api-tokens/revoke", data={"token": str(token.id)}).status_code == 404
    )
    assert tokens()[0].revoked_at is None
    assert "Board pack" not in text_of(other.get("/account/api-tokens"))


@pytest.mark.parametrize("token", ["", "abc", "²", "0", "99999999999"])
def test_a_revoke_without_a_real_token_id_is_refused_plainly(world, client_for, token):
    client = client_for(world.member_a)
    assert client.get(f"/account/api-tokens/revoke?token={token}").status_code in (303, 404)
    assert client.post("/account/api-tokens/revoke", data={"token": token}).status_code in (
        400,
        404,
    )


def test_the_guide_explains_excel_and_power_bi_in_plain_words(world, client_for):
    page = client_for(world.member_a).get("/account/api-tokens/using-the-api")
    words = text_of(page)
    assert page.status_code == 200
    for expected in ("Excel", "Power BI", "Authorization", "Bearer", "per_page=1000"):
        assert expected in words
    assert f"collaboratives/{world.x.id}/data-points" in words
    assert 'href="/api/v1/openapi.json"' in page.get_data(as_text=True)
