"""Every address under /api/ answers JSON, matched by a route or not: an unknown address 404, a
wrong method 405 with Allow, nobody signed in 401; never the sign-in page or an HTML page. The
OpenAPI document is public: tools read it before they sign in."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer

UNKNOWN = ["/api/v1/nope", "/api/v1/collaboratives/{x}/nope", "/api/v1/collaboratives/{x}/teams/"]
WRONG_METHOD = [("POST", "/api/v1/collaboratives"), ("DELETE", "/api/v1/collaboratives/{x}/teams")]


def assert_json(response, status: int, error: str) -> None:
    assert response.status_code == status
    assert "Location" not in response.headers
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == error


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_address_is_a_json_404_to_a_token(world, client, make_token, path):
    headers = bearer(make_token(world.member_a))
    assert_json(client.get(path.format(x=world.x.id), headers=headers), 404, "not_found")


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_address_is_a_json_404_to_a_signed_in_browser(world, client_for, path):
    response = client_for(world.member_a).get(path.format(x=world.x.id))
    assert_json(response, 404, "not_found")


@pytest.mark.parametrize(("method", "path"), WRONG_METHOD)
def test_a_wrong_method_is_a_json_405_with_allow(world, client, make_token, method, path):
    headers = bearer(make_token(world.member_a))
    response = client.open(path.format(x=world.x.id), method=method, headers=headers)
    assert_json(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"].split(", ")


@pytest.mark.parametrize(("method", "path"), [("GET", p) for p in UNKNOWN] + WRONG_METHOD)
def test_signed_out_anywhere_under_the_api_is_a_json_401(world, client, method, path):
    response = client.open(path.format(x=world.x.id), method=method)
    assert_json(response, 401, "unauthorised")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="improve API"'


def test_a_bad_token_at_an_unknown_address_is_a_json_401(world, client):
    response = client.get("/api/v1/nope", headers=bearer("imp_" + "x" * 43))
    assert_json(response, 401, "unauthorised")


def test_pages_outside_the_api_still_send_signed_out_people_to_sign_in(world, client):
    response = client.get("/no-such-page")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_an_unknown_page_outside_the_api_is_still_an_html_page(world, client_for):
    response = client_for(world.member_a).get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_openapi_document_needs_no_token(world, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["openapi"].startswith("3.")
    assert "X-RateLimit-Limit" not in response.headers  # nobody to count it against


def test_the_openapi_document_with_a_bad_token_says_why(world, client):
    response = client.get("/api/v1/openapi.json", headers=bearer("imp_" + "x" * 43))
    assert_json(response, 401, "unauthorised")
