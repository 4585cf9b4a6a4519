"""Journeys through the app in a real browser, each page checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from improve.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, check_accessibility

COLLABORATIVE = "Living Well at Home collaborative"
TEAM = "Riverside Care Home"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


WIDEST_ELEMENTS = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 &&
      e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' in ' + e.parentElement.tagName + '.' +
      e.parentElement.className + ' ' + getComputedStyle(e.parentElement).overflowX)"""


def assert_no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: {widths[0]}px > {widths[1]}px; too wide: "
        f"{page.evaluate(WIDEST_ELEMENTS)}"
    )


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator: Locator, limit: int = 40) -> None:
    """Press Tab until the locator has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {locator}")


def test_team_member_reaches_their_team_on_a_phone(make_page: Callable[..., Page]) -> None:
    page = make_page(viewport=PHONE)
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in to improve")).to_be_visible()
    assert_no_sideways_scroll(page)
    check_accessibility(page, "phone-sign-in")

    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    assert_no_sideways_scroll(page)
    check_accessibility(page, "phone-home")

    page.get_by_role("link", name=TEAM).click()
    expect(page.get_by_role("heading", level=1, name=TEAM)).to_be_visible()
    people = page.get_by_role("table", name="People and their roles")
    expect(people.get_by_role("row")).to_have_count(4)  # header and three people
    expect(people).to_contain_text("Mo Member")
    assert_no_sideways_scroll(page)
    check_accessibility(page, "phone-team")


def test_wrong_password_shows_the_error_summary(page: Page) -> None:
    sign_in(page, "member@example.org", "not the password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("The email address or password is not right")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page, "sign-in-error")


def test_coordinator_adds_a_team_and_a_person_without_leaving_the_page(page: Page) -> None:
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name=COLLABORATIVE, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=COLLABORATIVE)).to_be_visible()
    check_accessibility(page, "collaborative")
    address = page.url
    # htmx swaps one section; a whole new page would lose this mark.
    page.locator("h1").evaluate("heading => heading.dataset.probe = 'kept'")

    section = page.locator("#teams-section")
    section.get_by_text("Add a team").click()
    expect(section.locator("details")).to_have_attribute("open", "")
    section.get_by_label("Team name").fill("Oakwood Home Care")
    section.get_by_label("Organisation", exact=True).fill("Oakwood Care Services")
    section.get_by_label("Kind of organisation").select_option(label="Home care")
    with page.expect_response(re.compile(r"/teams$")) as answer:
        section.get_by_role("button", name="Add team").click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    teams = section.get_by_role("table", name=f"Teams in {COLLABORATIVE}")
    expect(teams.get_by_role("link", name="Oakwood Home Care")).to_be_visible()
    expect(section.get_by_role("alert")).to_contain_text("Team ‘Oakwood Home Care’ added.")
    assert page.url == address
    expect(page.locator("h1")).to_have_attribute("data-probe", "kept")
    check_accessibility(page, "collaborative-team-added")

    people = page.locator("#people-section")
    people.get_by_text("Add a person").click()
    people.get_by_label("Email address").fill("new.panel@example.org")
    people.get_by_label("Full name").fill("Nadia New")
    people.get_by_label("Strategic panel member").check()
    people.get_by_role("button", name="Add person").click()
    # A coordinator is not told whether the address had an account (issue 16): the same words
    # either way, and a new account's invitation goes by email to the address itself.
    expect(people.get_by_role("alert")).to_contain_text(
        "We have added new.panel@example.org as Strategic panel member"
    )
    expect(people.get_by_role("region", name="Invitation")).to_have_count(0)
    expect(people.get_by_role("table")).to_contain_text("new.panel@example.org")
    assert page.url == address
    expect(page.locator("h1")).to_have_attribute("data-probe", "kept")
    check_accessibility(page, "collaborative-person-invited")

    section.get_by_text("Add a team").click()
    with page.expect_response(re.compile(r"/teams$")) as answer:
        section.get_by_role("button", name="Add team").click()
    assert answer.value.status == 422
    summary = section.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the team's name")
    expect(summary).to_contain_text("Enter the organisation")
    assert page.url == address
    expect(page.locator("h1")).to_have_attribute("data-probe", "kept")
    check_accessibility(page, "collaborative-team-errors")


def test_adding_a_team_works_without_javascript(make_page: Callable[..., Page]) -> None:
    page = make_page(java_script_enabled=False)
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name=COLLABORATIVE, exact=True).click()
    address = page.url

    section = page.locator("#teams-section")
    section.get_by_text("Add a team").click()
    section.get_by_label("Team name").fill("Hillside Day Service")
    section.get_by_label("Organisation", exact=True).fill("Hillside Trust")
    with page.expect_navigation():
        section.get_by_role("button", name="Add team").click()
    assert page.url == address
    expect(section.get_by_role("link", name="Hillside Day Service")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Team ‘Hillside Day Service’ added.")


def test_keyboard_only_sign_in_and_team_page(page: Page) -> None:
    page.goto("/sign-in")
    skip_link = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, f"skip link not visible: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type("lead@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Lena Lead")).to_be_visible()

    tab_to(page, page.get_by_role("link", name=TEAM))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=TEAM)).to_be_visible()


def test_panel_member_sees_a_team_without_controls_to_change_it(page: Page) -> None:
    sign_in(page, "panel@example.org")
    page.get_by_role("link", name=COLLABORATIVE, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=COLLABORATIVE)).to_be_visible()
    expect(page.get_by_text("Add a team")).to_have_count(0)
    page.get_by_role("link", name=TEAM).click()
    expect(page.get_by_role("heading", level=1, name=TEAM)).to_be_visible()
    expect(page.get_by_role("table", name="People and their roles")).to_be_visible()
    expect(page.get_by_text("Add a person")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Change team details"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Remove"))).to_have_count(0)
    check_accessibility(page, "team-read-only")


def test_signing_out_ends_access(page: Page) -> None:
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    response = page.goto("/")
    assert response and response.headers.get("cache-control") == "no-store"

    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.get_by_role("heading", name="Sign in to improve")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("You have signed out.")
    check_accessibility(page, "signed-out")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    expect(page.get_by_text("Mo Member")).to_have_count(0)
