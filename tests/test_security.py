"""Response headers, cookies, no inline code in pages, and CSRF protection as it really runs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from improve import create_app
from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.models import AuditAction, AuditEvent, Membership, User
from tests.conftest import HTMX, PASSWORD, IsolatedClient, SharedBytecode, text_of


def _for_tests(app: Flask) -> Flask:
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = SharedBytecode()
    return app


# Headers ----------------------------------------------------------------------------------------

CSP_MUST_HAVE = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
]


def _read(response):
    """Read and close, so a streamed static file does not leak its handle."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def responses(client, world, sign_in) -> dict[str, object]:
    """One response of each kind, signed out and signed in."""
    got = {
        "sign-in page, signed out": client.get("/sign-in"),
        "redirect to sign in": client.get("/"),
        "htmx request, signed out": client.get("/", headers=HTMX),
        "static file, signed out": _read(client.get("/static/css/app.css")),
    }
    sign_in(world.admin)
    got |= {
        "home, signed in": client.get("/"),
        "admin page": client.get("/admin/users"),
        "not found, signed in": client.get("/no-such-page"),
        "fragment, signed in": client.post(
            f"/teams/{world.team_a.id}/members", data={"email": "bad"}, headers=HTMX
        ),
        "static file, signed in": _read(client.get("/static/js/app.js")),
    }
    return got


SIGNED_IN_PAGES = ["home, signed in", "admin page", "not found, signed in", "fragment, signed in"]


def header_problems(headers) -> list[str]:
    problems = []
    policy = headers.get("Content-Security-Policy", "")
    directives = [part.strip() for part in policy.split(";")]
    problems += [f"CSP lacks {wanted}" for wanted in CSP_MUST_HAVE if wanted not in directives]
    problems += [
        f"CSP allows {bad}" for bad in ("unsafe-inline", "unsafe-eval", "*") if bad in policy
    ]
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in {"no-referrer", "same-origin", "strict-origin"}:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    if "HX-Request" not in headers.get("Vary", ""):
        problems.append("Vary lacks HX-Request")
    return problems


def test_every_kind_of_response_has_the_security_headers(responses):
    assert len(responses) == 9
    assert {kind: header_problems(r.headers) for kind, r in responses.items()} == {
        kind: [] for kind in responses
    }


def test_the_header_check_finds_missing_headers():
    assert header_problems({}) != []
    weak = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}
    assert "CSP allows unsafe-inline" in header_problems(weak)


def test_signed_in_pages_are_never_stored(responses):
    assert {kind: responses[kind].headers.get("Cache-Control") for kind in SIGNED_IN_PAGES} == {
        kind: "no-store" for kind in SIGNED_IN_PAGES
    }
    assert [responses[kind].status_code for kind in SIGNED_IN_PAGES] == [200, 200, 404, 422]


def _session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    flags = [part.strip().lower() for part in _session_cookie(response).split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain HTTP on a laptop, unless told otherwise


def test_session_cookie_is_secure_when_configured(app, database_url, make_user, monkeypatch):
    monkeypatch.setenv("IMPROVE_SECURE_COOKIES", "1")
    https = _for_tests(
        create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "improve.test",
            }
        )
    )
    user = make_user()
    try:
        response = https.test_client().post(
            "/sign-in", data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 303
        assert "secure" in [part.strip().lower() for part in _session_cookie(response).split(";")]
    finally:
        with https.app_context():
            db.engine.dispose()


# No inline code ---------------------------------------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """Everything in a page that the Content-Security-Policy would block, or that loads code from
    another site (the app must work offline)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=...> needs eval")
            if name in {"href", "src", "action", "formaction"} and value:
                if value.strip().lower().startswith("javascript:"):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if tag in {"script", "link", "img", "iframe"} and urlsplit(value).netloc:
                    self.problems.append(f"<{tag} {name}={value!r}> from another site")

    handle_startendtag = handle_starttag


def inline_code(response) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(response.get_data(as_text=True))
    finder.close()
    return finder.problems


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def crawl(browser: FlaskClient, start: str, limit: int = 80) -> Iterator[tuple[str, object]]:
    """Every page reachable by links from `start` on this site, each visited once."""
    seen, queue = {start}, [start]
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = browser.get(path)
        yield path, response
        if response.mimetype != "text/html":
            continue
        collector = LinkCollector()
        collector.feed(response.get_data(as_text=True))
        for href in collector.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
                continue
            if parts.path not in seen:
                seen.add(parts.path)
                queue.append(parts.path)


def test_no_inline_code_on_any_page_an_admin_can_reach(client, world, sign_in):
    sign_in(world.admin)
    pages = dict(crawl(client, "/"))
    assert len(pages) >= 10  # home, collaboratives, teams, accounts, their forms ...
    assert {path: response.status_code for path, response in pages.items()} == {
        path: 200 for path in pages
    }
    assert {
        path: inline_code(response)
        for path, response in pages.items()
        if response.mimetype == "text/html"  # not the CSV and XLSX downloads
    } == {path: [] for path, response in pages.items() if response.mimetype == "text/html"}


def test_no_inline_code_on_pages_for_other_roles(client, world, sign_in):
    problems = {}
    for person in (world.coordinator_x, world.lead_a, world.expert_a, world.nobody):
        sign_in(person)
        for path, response in crawl(client, "/", limit=30):
            if response.mimetype == "text/html":  # not the CSV and XLSX downloads
                problems[(person.email, path)] = inline_code(response)
        client.post("/sign-out")
    assert problems == {key: [] for key in problems}


def test_no_inline_code_on_signed_out_forms_errors_and_flashes(client, world, sign_in, make_user):
    invited = make_user(password_hash=None)
    pages = {
        "sign in": client.get("/sign-in"),
        "sign in, invalid": client.post("/sign-in", data={"email": "x"}),
        "invitation": client.get(f"/invitation/{invitation_token(invited)}"),
        "invitation, invalid": client.post(
            f"/invitation/{invitation_token(invited)}", data={"new_password": "x"}
        ),
        "bad invitation": client.get("/invitation/nonsense"),
    }
    sign_in(world.admin)
    created = client.post(
        "/admin/users/new", data={"display_name": "New One", "email": "new@example.org"}
    )
    pages |= {
        "flash with invitation link": client.get(created.headers["Location"]),
        "admin form, invalid": client.post("/admin/users/new", data={"email": "x"}),
        "password form, invalid": client.post("/account/password", data={}),
        "fragment, invalid": client.post(
            f"/teams/{world.team_a.id}/members", data={"email": "x"}, headers=HTMX
        ),
        "method not allowed": client.get("/sign-out"),
        "not found": client.get("/no-such-page"),
    }
    assert "/invitation/" in pages["flash with invitation link"].get_data(as_text=True)
    assert {name: inline_code(response) for name, response in pages.items()} == {
        name: [] for name in pages
    }


def test_the_inline_code_finder_finds_inline_code():
    class Page:
        def __init__(self, html: str) -> None:
            self.html = html

        def get_data(self, as_text: bool) -> str:
            return self.html

    assert inline_code(Page('<script src="/static/x.js"></script><a href="/">x</a>')) == []
    for html in [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<div style="color: red">',
        "<style>p {}</style>",
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
        '<script src="https://cdn.example/htmx.js"></script>',
    ]:
        assert inline_code(Page(html)) != [], html


# CSRF, with the protection switched on as in production -------------------------------------

CSRF_MESSAGE = "This form had been open too long or came from somewhere else, so nothing was saved"


@pytest.fixture
def csrf_app(app, database_url) -> Iterator[Flask]:
    """The app as it runs for real, CSRF checks on, on the same database as `app` (which empties
    it afterwards)."""
    real = _for_tests(
        create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "WTF_CSRF_ENABLED": True,
                "SERVER_NAME": "improve.test",
            }
        )
    )
    yield real
    with real.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(csrf_app) -> FlaskClient:
    return csrf_app.test_client()


def form_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no csrf_token field on the page"
    return match.group(1)


def header_token(response) -> str:
    """The token htmx sends, from hx-headers on <body>."""
    match = re.search(r"<body[^>]*hx-headers='([^']+)'", response.get_data(as_text=True))
    assert match, "no hx-headers on <body>"
    return json.loads(match.group(1))["X-CSRFToken"]


def signed_in(browser: FlaskClient, user: User) -> FlaskClient:
    token = form_token(browser.get("/sign-in"))
    response = browser.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    return browser


def is_signed_in(browser: FlaskClient) -> bool:
    return browser.get("/").status_code == 200


@pytest.mark.parametrize("opened_the_form_first", [False, True])
def test_sign_in_without_a_token_is_refused(browser, make_user, opened_the_form_first):
    user = make_user()
    if opened_the_form_first:
        browser.get("/sign-in")
    response = browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in text_of(response)
    assert not is_signed_in(browser)
    db.session.expire_all()
    assert db.session.scalars(sa.select(AuditEvent)).all() == []


def test_sign_in_with_the_form_token_works(browser, make_user):
    user = make_user()
    token = form_token(browser.get("/sign-in"))
    response = browser.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert is_signed_in(browser)


def test_a_token_from_another_browser_is_refused(csrf_app, browser, make_user):
    user = make_user()
    someone_elses = form_token(csrf_app.test_client().get("/sign-in"))
    browser.get("/sign-in")
    response = browser.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": someone_elses}
    )
    assert response.status_code == 400
    assert not is_signed_in(browser)


@pytest.mark.parametrize("token", ["", "nonsense", "a.b.c"])
def test_a_made_up_token_is_refused(browser, make_user, token):
    user = make_user()
    browser.get("/sign-in")
    response = browser.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


def test_sign_out_without_a_token_is_refused(browser, make_user):
    signed_in(browser, make_user())
    response = browser.post("/sign-out")
    assert response.status_code == 400
    assert CSRF_MESSAGE in text_of(response)
    assert is_signed_in(browser)


@pytest.mark.parametrize("how", ["htmx header", "form field"])
def test_sign_out_with_a_token_works(browser, make_user, how):
    page = signed_in(browser, make_user()).get("/")
    if how == "htmx header":
        response = browser.post("/sign-out", headers={"X-CSRFToken": header_token(page), **HTMX})
    else:
        response = browser.post("/sign-out", data={"csrf_token": form_token(page)})
    assert response.status_code == 303
    assert not is_signed_in(browser)


def _people_in(team_id: int) -> int:
    db.session.expire_all()
    query = sa.select(sa.func.count(Membership.id)).where(Membership.team_id == team_id)
    return db.session.scalar(query)


ADD_PERSON = {"email": "newbie@example.org", "display_name": "New Bie", "role": "team_member"}


def test_adding_a_team_member_without_a_token_is_refused(browser, world):
    signed_in(browser, world.lead_a)
    before = _people_in(world.team_a.id)
    response = browser.post(f"/teams/{world.team_a.id}/members", data=ADD_PERSON, headers=HTMX)
    assert response.status_code == 400
    assert _people_in(world.team_a.id) == before
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "newbie@example.org")) is None


def test_adding_a_team_member_with_the_htmx_header_works(browser, world):
    page = signed_in(browser, world.lead_a).get(f"/teams/{world.team_a.id}")
    before = _people_in(world.team_a.id)
    response = browser.post(
        f"/teams/{world.team_a.id}/members",
        data=ADD_PERSON,
        headers={"X-CSRFToken": header_token(page), **HTMX},
    )
    assert response.status_code == 200
    assert "New Bie" in text_of(response)
    assert _people_in(world.team_a.id) == before + 1


def test_adding_a_team_member_with_the_form_token_works(browser, world):
    page = signed_in(browser, world.lead_a).get(f"/teams/{world.team_a.id}")
    response = browser.post(
        f"/teams/{world.team_a.id}/members", data={**ADD_PERSON, "csrf_token": form_token(page)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "newbie@example.org"))


def test_invitation_without_a_token_is_refused_and_the_link_still_works(browser, make_user):
    user = make_user(password_hash=None)
    link = f"/invitation/{invitation_token(user)}"
    browser.get(link)
    response = browser.post(
        link,
        data={"new_password": "a long new password", "confirm_password": "a long new password"},
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.password_hash is None
    assert browser.get(link).status_code == 200


def test_admin_password_reset_without_a_token_is_refused(browser, world):
    signed_in(browser, world.admin)
    response = browser.post(f"/admin/users/{world.member_a.id}/reset-password")
    assert response.status_code == 400
    db.session.refresh(world.member_a)
    assert world.member_a.check_password(PASSWORD)
    db.session.expire_all()
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert AuditAction.UPDATE not in actions
