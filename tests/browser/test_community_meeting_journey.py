"""A community of practice in a real browser, with the demo accounts: the coordinator starts one,
adds members of several groups (one without an account), records a first meeting with who came
(members and two guests) and an action, then a second meeting where the open action is carried
over and is marked done; the participation page shows its chart, words and tables. axe-core runs
on every page, and a meeting's page is checked on a 360 px phone."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in

TODAY = date.today()
STARTED = TODAY - timedelta(days=60)
FIRST = TODAY - timedelta(days=30)
SECOND = TODAY - timedelta(days=2)
DUE = TODAY - timedelta(days=10)  # after the first meeting, before today: overdue


def fill_date(page: Page, field: str, day: date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def add_member(page: Page, shown: str, group: str, *, email: str = "", name: str = "") -> None:
    """Add a member (htmx swaps the list and a blank form in), and wait for them in the list."""
    if email:
        page.get_by_label("Email address (if they have an account)").fill(email)
    if name:
        page.get_by_label("Name (if they have no account)").fill(name)
    page.get_by_label(group, exact=True).check()
    fill_date(page, "joined_on", STARTED)
    page.get_by_role("button", name="Add the member").click()
    expect(page.locator("#current-members")).to_contain_text(shown)


def add_meeting(page: Page, day: date, title: str) -> None:
    page.get_by_role("navigation", name="Pages of this community of practice").get_by_role(
        "link", name="Meetings"
    ).click()
    page.get_by_role("link", name="Add a meeting").click()
    expect(page.get_by_role("heading", level=1, name="Add a meeting")).to_be_visible()
    fill_date(page, "held_on", day)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Agenda (optional)").fill("Welcome\nWhat we learned")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def test_a_facilitator_runs_two_meetings_and_carries_an_action(
    make_page: Callable[..., Page],
) -> None:
    name = f"Moving on well {secrets.token_hex(3)}"
    page = make_page()
    sign_in(page, "coordinator@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Communities").click()
    expect(page.get_by_role("heading", level=1, name="Communities of practice")).to_be_visible()
    check_accessibility(page, "communities-index")

    # Start one: a mistake first, then the form filled in.
    page.get_by_role("link", name="Start a community of practice").click()
    page.get_by_role("button", name="Start the community of practice").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_accessibility(page, "community-new-error")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Theme").fill("Moving from children's to adults' services")
    fill_date(page, "started_on", STARTED)
    page.get_by_label("Manager", exact=True).check()
    page.get_by_role("button", name="Start the community of practice").click()
    expect(page.get_by_role("heading", level=1, name="Members")).to_be_visible()

    # Members of several groups, one without an account.
    add_member(page, "Evie Expert", "Person who draws on care", email="expert@example.org")
    add_member(page, "Lena Lead", "Frontline practitioner", email="lead@example.org")
    add_member(page, "Sam Walk-in", "Carer", name="Sam Walk-in")
    expect(page.locator("#current-members")).to_contain_text("No account")
    expect(page.locator("#member-counts")).to_contain_text("All members")
    check_accessibility(page, "community-members")

    # Meeting 1: who came (members and two guests), and an action.
    add_meeting(page, FIRST, "First meeting")
    first_url = page.url
    check_accessibility(page, "community-meeting-new")
    page.get_by_role("link", name="Record who came").click()
    page.get_by_label("Evie Expert (Person who draws on care)").check()
    page.get_by_label("Sam Walk-in (Carer)").check()
    page.get_by_label("Chidi Coordinator (Manager)").check()
    page.locator("#guests_carer").fill("2")
    check_accessibility(page, "community-attendance")
    page.get_by_role("button", name="Save who came").click()
    expect(page.locator("#attendance-words")).to_have_text("5 people came: 3 members and 2 guests.")
    expect(page.locator("#attendance-by-group")).to_contain_text("Carer")

    page.get_by_label("What is the action?").fill("Ask the council for the transition protocol")
    page.get_by_label("Who owns it?").fill("Sam Walk-in")
    fill_date(page, "due_on", DUE)
    page.get_by_role("button", name="Add the action").click()
    actions = page.locator("#meeting-actions")
    expect(actions).to_contain_text("Action added: Ask the council for the transition protocol")
    expect(actions).to_contain_text("Not started")
    check_accessibility(page, "community-meeting-1")

    # Meeting 2: the open action is carried over, overdue, and marked done there.
    add_meeting(page, SECOND, "Second meeting")
    carried = page.locator("#carried-over")
    expect(carried).to_contain_text("Ask the council for the transition protocol")
    expect(carried).to_contain_text(f"Agreed at the meeting of {FIRST:%-d %B %Y}")
    expect(carried).to_contain_text("Overdue")
    check_accessibility(page, "community-meeting-2")
    carried.get_by_role("link", name="Update").click()
    expect(page.get_by_role("heading", level=1, name="Update an action")).to_be_visible()
    check_accessibility(page, "community-action-edit")
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("What has happened so far? (optional)").fill("Protocol received")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_role("heading", level=1, name="Second meeting")).to_be_visible()
    expect(page.locator("#carried-over")).to_contain_text("None: every action")

    # The overview, the resources and participation over time.
    nav = page.get_by_role("navigation", name="Pages of this community of practice")
    nav.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    check_accessibility(page, "community-overview")
    nav.get_by_role("link", name="Resources").click()
    page.get_by_label("Title").fill("SCIE guide to co-production")
    page.get_by_label("Link (optional)").fill("https://www.scie.org.uk/co-production")
    page.get_by_label("Research", exact=True).check()
    page.get_by_role("button", name="Share it").click()
    expect(page.locator("#community-resources")).to_contain_text("www.scie.org.uk")
    check_accessibility(page, "community-resources")
    nav.get_by_role("link", name="Participation").click()
    expect(page.locator("svg.app-participation__chart")).to_have_count(2)
    expect(page.locator("#attendance-summary")).to_contain_text("2 meetings held")
    expect(page.locator("#attendance-table")).to_contain_text(f"{FIRST.day} {FIRST:%b %Y}")
    expect(page.locator("#membership-table")).to_be_visible()
    check_accessibility(page, "community-participation")

    # A meeting's page on a phone.
    phone = make_page(viewport=PHONE)
    sign_in(phone, "coordinator@example.org")
    expect(phone.get_by_role("heading", level=1, name="Hello, Chidi Coordinator")).to_be_visible()
    phone.goto(first_url)
    expect(phone.get_by_role("heading", level=1, name="First meeting")).to_be_visible()
    assert_no_sideways_scroll(phone)
    # Every column of who came by group fits the screen: none is cut off inside its scroller.
    table = phone.locator("#attendance-by-group").bounding_box()
    wrapper = phone.locator("#who-came .app-table-wrapper").bounding_box()
    assert table and wrapper and table["width"] <= wrapper["width"] + 1, (table, wrapper)
    check_accessibility(phone, "phone-community-meeting")
