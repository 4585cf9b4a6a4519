"""Issue 17, point 4, as a care worker meets it on a 360 x 740 phone: the demo's Riverside Care
Home records the date of each medication error. The measure page says plainly how many days it
has been since the last one, takes a new date with its form on the first screen (no sideways
scrolling), lists it newest first, and the team's "enter this period's data" page records one
today with a single tap. axe checks both pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import sign_in
from tests.browser.test_team_journey import expect_banner

PHONE = {"width": 360, "height": 740}
MEASURE = "Medication errors"


def test_a_phone_records_an_event_and_sees_the_days_since_the_last(
    make_page: Callable[..., Page],
):
    page = make_page(viewport=PHONE)
    sign_in(page, "member@example.org")
    page.get_by_role("link", name="Riverside Care Home", exact=True).first.click()
    page.get_by_role("link", name=MEASURE, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=MEASURE)).to_be_visible()
    expect(page.locator("#days-since")).to_contain_text("since the last event")
    day = page.get_by_label("Day", exact=True)
    where = day.bounding_box()
    assert where is not None and where["y"] + where["height"] <= PHONE["height"], where
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_accessibility(page, "rare-events-measure-phone")

    page.get_by_label("Note (optional)").fill("Evening round, interrupted")
    page.get_by_role("button", name="Record the event").click()
    today = date.today()
    expect_banner(page, f"Recorded 1 event on {today:%-d %B %Y}.")
    expect(page.locator("#days-since")).to_have_text("The last event was today.")
    first_row = page.locator("table.app-entry-table tbody tr").first
    expect(first_row).to_contain_text(f"{today:%-d %B %Y}")
    expect(first_row).to_contain_text("Evening round, interrupted")


def test_the_team_entry_page_records_one_today_with_one_tap(make_page: Callable[..., Page]):
    page = make_page(viewport=PHONE)
    sign_in(page, "member@example.org")
    page.get_by_role("link", name="Riverside Care Home", exact=True).first.click()
    page.get_by_role("button", name="Enter this period's data for Riverside Care Home").click()
    section = page.locator("section.app-due", has_text=MEASURE)
    expect(section).to_contain_text("Last event:")
    check_accessibility(page, "rare-events-team-entry-phone")
    section.get_by_role("button", name="Record one today").click()
    today = date.today()
    expect_banner(page, f"Recorded 1 event on {today:%-d %B %Y}")
    expect(page.locator("section.app-due", has_text=MEASURE)).to_contain_text(
        f"Last event: {today:%-d %B %Y} (0 days ago)."
    )
