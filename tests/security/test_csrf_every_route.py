"""CSRF on every route that changes something (issue 7, point 3), with the protection on as in
production: a valid request without a token is refused with the CSRF page and writes nothing; the
same request with the form's csrf_token field, or with the X-CSRFToken header htmx sends (from
hx-headers on <body>), is accepted and saved."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from improve import create_app
from improve.extensions import csrf, db
from improve.models import AuditEvent
from tests.conftest import PASSWORD, IsolatedClient, SharedBytecode, text_of
from tests.security.route_samples import SAMPLES, Sample, non_get_rules

CSRF_MESSAGE = "This form had been open too long or came from somewhere else, so nothing was saved"


@pytest.fixture
def csrf_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """As tests/test_security.py builds it: CSRF checks on, on the database of `app` (which
    empties it afterwards)."""
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


def form_token(page: Any) -> str:
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no csrf_token field on the page"
    return match.group(1)


def header_token(page: Any) -> str:
    """The token htmx sends on every request, from hx-headers on <body>."""
    match = re.search(r"<body[^>]*hx-headers='([^']+)'", page.get_data(as_text=True))
    assert match, "no hx-headers on <body>"
    return json.loads(match.group(1))["X-CSRFToken"]


def browser_for(app: Flask, sample: Sample) -> tuple[FlaskClient, Any]:
    """A browser signed in as the sample's sender (through the form, with its token), and a page
    it would have open: one with the sign-out form (signed in) or the sign-in form."""
    browser = app.test_client()
    page = browser.get("/sign-in")
    if sample.actor is None:
        return browser, page
    credentials = {"email": sample.actor.email, "password": PASSWORD}
    signed_in = browser.post("/sign-in", data=credentials | {"csrf_token": form_token(page)})
    assert signed_in.status_code == 303
    return browser, browser.get("/")


def database_contents() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused request changed nothing at all."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(repr(value) for value in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def audit_count() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_every_route_that_can_change_something_is_checked(app):
    endpoints = {rule.endpoint for rule, _ in non_get_rules(app)}
    assert sorted(endpoints ^ SAMPLES.keys()) == [], "see tests/security/route_samples.py"


def test_base_html_has_htmx_send_the_token(app, world, client_for):
    page = client_for(world.member_a).get("/")
    assert header_token(page) and form_token(page)


@pytest.mark.parametrize("endpoint", sorted(SAMPLES))
def test_a_missing_token_is_refused_and_either_token_accepted(csrf_app, world, endpoint):
    outcomes, browsers = {}, {}
    for way in ("no token", "form field", "X-CSRFToken header"):
        sample = SAMPLES[endpoint](world)  # fresh records each time
        # One browser per person (signing in costs more than the request under test); samples
        # that sign in or out bring a new person each time, so they get a new browser.
        key = sample.actor.id if sample.actor else None
        if key is None or key not in browsers:
            browsers[key] = browser_for(csrf_app, sample)
        browser, page = browsers[key]
        data, headers = dict(sample.data), {}
        if way == "form field":
            data["csrf_token"] = form_token(page)
        elif way == "X-CSRFToken header":
            headers["X-CSRFToken"] = header_token(page)
        before = database_contents() if way == "no token" else None
        audited = audit_count()

        response = browser.post(sample.url, data=data, headers=headers)

        refused = response.status_code == 400 and CSRF_MESSAGE in text_of(response)
        if way == "no token":
            outcomes[way] = refused and database_contents() == before
        else:
            written = audit_count() - audited == len(sample.audit)
            outcomes[way] = not refused and response.status_code == sample.status and written
    assert outcomes == {"no token": True, "form field": True, "X-CSRFToken header": True}


def test_the_checks_above_notice_a_route_without_csrf(csrf_app, world):
    """Were a route exempt, a request without a token would get through. (Removing a calendar
    phase has no form of its own, so nothing else would stop it: pages with a form check its
    token again.)"""
    sample = SAMPLES["reports.remove_phase"](world)
    view = csrf_app.view_functions["reports.remove_phase"]
    csrf.exempt(view)
    try:
        browser, _ = browser_for(csrf_app, sample)
        assert browser.post(sample.url, data=sample.data).status_code == 303
    finally:
        csrf._exempt_views.discard(f"{view.__module__}.{view.__name__}")
