"""The collaborative as a whole in a real browser, with the demo data: the coordinator finds the
teams that need a call and opens one; the panel member reads, filters and prints the summary; a
team member writes a report and browses the idea library. axe-core runs on every page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in

COLLABORATIVE = "Living Well at Home collaborative"


def open_collaborative(page: Page) -> None:
    page.get_by_role("link", name=COLLABORATIVE, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=COLLABORATIVE)).to_be_visible()


def test_coordinator_finds_who_needs_a_call(make_page: Callable[..., Page]) -> None:
    page = make_page()
    sign_in(page, "coordinator@example.org")
    open_collaborative(page)
    check_accessibility(page, "collaborative-coordinator")

    page.get_by_role("link", name="Coordinator's view: which teams need a call this week").click()
    expect(page.get_by_role("heading", level=1, name="Coordinator's view")).to_be_visible()
    check_accessibility(page, "coordinator-dashboard")

    # Drill down into a team without leaving the page (htmx), then the same URL loads whole.
    page.get_by_role("table").get_by_role("link").first.click()
    detail = page.locator("#team-detail")
    expect(detail).to_be_visible()
    assert "/coordinator/teams/" in page.url
    check_accessibility(page, "coordinator-team")
    page.reload()
    expect(page.locator("#team-detail")).to_be_visible()

    page.goto(page.url.split("/coordinator")[0] + "/calendar")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page, "calendar")


def test_panel_member_reads_filters_and_prints(make_page: Callable[..., Page]) -> None:
    page = make_page()
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary: what the teams have achieved").click()
    expect(page.get_by_role("heading", level=1, name="Strategic panel summary")).to_be_visible()
    check_accessibility(page, "panel-dashboard")

    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.locator("header, nav")).to_have_count(0)
    check_accessibility(page, "panel-print")
    page.go_back()

    page.get_by_role(
        "link", name="Panel reviews: record a meeting, see what has happened since"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page, "panel-reviews")


def test_team_member_opens_reports_and_the_idea_library_on_a_phone(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(viewport=PHONE)
    sign_in(page, "member@example.org")
    page.get_by_role("link", name="Riverside Care Home", exact=True).first.click()
    page.get_by_role("link", name="Reports: write this month's report").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    check_accessibility(page, "team-reports")

    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    check_accessibility(page, "team-report")

    # Back to the team page as a person would: through the home page (two history steps back
    # race with htmx's history restore).
    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Riverside Care Home", exact=True).first.click()
    page.get_by_role("link", name="Ideas other teams have tried").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    check_accessibility(page, "idea-library")
