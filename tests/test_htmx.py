"""The htmx contract (STYLE.md, Hypermedia): one URL answers with the full page, or with one named
block of it for a partial request; boosted clicks and history restores get the full page; every
response varies on HX-Request."""

from __future__ import annotations

import pytest

from improve.extensions import db
from improve.htmx import is_partial_request
from improve.members.views import ADDED
from improve.models import Membership, Role
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX

PAGE, FRAGMENT, REDIRECT = "page", "fragment", "redirect"
KINDS = {"plain": {}, "htmx": HTMX, "boosted": BOOSTED, "history-restore": HISTORY_RESTORE}


def kind_of(response) -> str:
    body = response.get_data(as_text=True).strip()
    if response.status_code == 303:
        assert body == ""
        return REDIRECT
    if body.startswith("<!DOCTYPE html>") and "<html" in body and body.endswith("</html>"):
        return PAGE
    # A fragment renders exactly one root element, whose id is the block name in kebab-case.
    assert body.startswith('<section id="people-section"'), body[:200]
    assert body.endswith("</section>") and body.count("<section") == 1
    assert "<html" not in body and "<body" not in body
    return FRAGMENT


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("plain", PAGE), ("htmx", FRAGMENT), ("boosted", PAGE), ("history-restore", PAGE)],
)
def test_get_team_page(world, sign_in, kind, expected):
    response = sign_in(world.lead_a).get(f"/teams/{world.team_a.id}", headers=KINDS[kind])
    assert response.status_code == 200
    assert kind_of(response) == expected
    assert "HX-Request" in response.headers["Vary"]
    assert "Member A" in response.get_data(as_text=True)  # both forms show the people


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("plain", REDIRECT), ("htmx", FRAGMENT), ("boosted", REDIRECT), ("history-restore", REDIRECT)],
)
def test_post_add_member(world, sign_in, kind, expected):
    client = sign_in(world.lead_a)
    url = f"/teams/{world.team_a.id}"
    data = {"email": "nobody@example.org", "display_name": "", "role": "team_member"}
    response = client.post(f"{url}/members", data=data, headers=KINDS[kind])

    assert kind_of(response) == expected
    assert "HX-Request" in response.headers["Vary"]
    if expected == REDIRECT:
        assert response.headers["Location"] == url
        # A boosted form follows the redirect with the same headers, and needs the whole page.
        followed = client.get(url, headers=KINDS[kind])
        assert kind_of(followed) == (FRAGMENT if kind == "htmx" else PAGE)
        assert ADDED.format(email="nobody@example.org", role="Team member") in followed.get_data(
            as_text=True
        )
    else:
        assert response.status_code == 200
        assert ADDED.format(email="nobody@example.org", role="Team member") in response.get_data(
            as_text=True
        )
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == world.nobody.id, Membership.team_id == world.team_a.id
        )
    )
    assert membership.role == Role.TEAM_MEMBER


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("plain", PAGE), ("htmx", FRAGMENT), ("boosted", PAGE), ("history-restore", PAGE)],
)
def test_post_add_member_invalid(world, sign_in, kind, expected):
    response = sign_in(world.lead_a).post(
        f"/teams/{world.team_a.id}/members",
        data={"email": "not an email", "role": "team_member"},
        headers=KINDS[kind],
    )
    assert response.status_code == 422
    assert kind_of(response) == expected
    assert "HX-Request" in response.headers["Vary"]
    assert "Enter an email address in the right format" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", KINDS)
def test_error_pages_vary_too(world, sign_in, kind):
    response = sign_in(world.member_a).get(f"/teams/{world.team_b.id}", headers=KINDS[kind])
    assert response.status_code == 404
    assert "HX-Request" in response.headers["Vary"]


def test_a_signed_out_htmx_request_is_sent_to_sign_in_not_swapped(client, world):
    response = client.post(f"/teams/{world.team_a.id}/members", headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        (HTMX, True),
        (BOOSTED, False),
        (HISTORY_RESTORE, False),
        ({"HX-Request": "false"}, False),
        ({"HX-Request": "TRUE"}, True),
        ({"HX-Boosted": "true"}, False),
        ({**HTMX, "HX-Boosted": "false"}, True),
        ({**HTMX, "HX-Target": "people-section"}, True),
    ],
    ids=[
        "none",
        "htmx",
        "boosted",
        "history-restore",
        "htmx-false",
        "htmx-upper-case",
        "boosted-without-htmx",
        "boosted-false",
        "targeted",
    ],
)
def test_is_partial_request(app, headers, partial):
    with app.test_request_context(headers=headers):
        assert is_partial_request() is partial
