"""A larger collaborative in the browser: 25 teams from `flask scale-data`, so the panel's team
charts come in pages. The pages and their pagination pass axe-core and work by keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from improve import create_app, scale_data
from improve.extensions import db
from tests.browser import test_journeys as journeys
from tests.browser.conftest import DESKTOP, check_accessibility, serve_in_thread

TEAMS = 25  # one more than a page of team charts


@pytest.fixture(scope="module")
def scale_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('scale-db') / 'improve.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        scale_data.generate(TEAMS / scale_data.TEAMS_AT_SCALE_1, date.today())
        db.session.commit()
    with serve_in_thread(app, "scale-server") as base_url:
        yield base_url


@pytest.fixture
def scale_page(browser: Browser, scale_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=scale_server, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def sign_in(page: Page, email: str) -> None:
    """As every browser test signs in, then waiting for the answer before going elsewhere."""
    journeys.sign_in(page, email, scale_data.PASSWORD)
    page.wait_for_url(lambda url: "/sign-in" not in url)


def test_the_panel_pages_its_team_charts(scale_page: Page) -> None:
    page = scale_page
    sign_in(page, scale_data.PANEL)
    page.goto("/collaboratives/1/panel")
    charts = page.locator("#sparklines h3")
    expect(charts).to_have_count(24)
    expect(page.locator("#sparks-page")).to_have_text(re.compile("Teams 1 to 24 of 25"))
    check_accessibility(page, "panel-25-teams")

    # By keyboard: the next page of charts, then back.
    page.get_by_role("link", name="Next page of team charts").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sparks-page")).to_have_text(re.compile("Teams 25 to 25 of 25"))
    expect(charts).to_have_count(1)
    expect(charts.first).to_have_text("Team 025")
    check_accessibility(page, "panel-25-teams-page-2")
    page.get_by_role("link", name="Previous page of team charts").click()
    expect(charts).to_have_count(24)


@pytest.mark.parametrize(
    ("email", "path", "name"),
    [
        (scale_data.COORDINATOR, "/collaboratives/1/coordinator", "coordinator-25-teams"),
        ("scale-lead-001@example.org", "/teams/1", "team-page-scale"),
        ("scale-lead-001@example.org", "/measures/5", "weekly-measure-96-weeks"),
    ],
)
def test_larger_pages_pass_axe(scale_page: Page, email: str, path: str, name: str) -> None:
    sign_in(scale_page, email)
    scale_page.goto(path)
    assert scale_page.url.endswith(path)
    expect(scale_page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(scale_page, name)
