"""Issue 17, point 1, as a care worker meets it: on a 360 x 740 phone the current week's box of a
96-week measure is on the first screen, nothing scrolls sideways, each row's boxes stack; on a
desktop the keyboard reaches it in two Tab presses (the skip links); the team's "enter this
period's data" page takes every measure's number one after another with Enter. The demo's North
Locality team has a weekly measure with about 99 weeks of data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import sign_in
from tests.browser.test_team_journey import expect_banner

PHONE = {"width": 360, "height": 740}
WEEKLY = "Days from first contact to assessment"


def this_week() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday())


def open_weekly_measure(page: Page) -> None:
    sign_in(page, "northmember@example.org")
    page.get_by_role("link", name="North Locality Social Work", exact=True).first.click()
    page.get_by_role("link", name=WEEKLY, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=WEEKLY)).to_be_visible()


def test_on_a_phone_this_weeks_box_is_on_the_first_screen(make_page: Callable[..., Page]):
    page = make_page(viewport=PHONE)
    open_weekly_measure(page)
    week = this_week()
    box = page.get_by_label(f"Value for Week of {week:%-d %B %Y}", exact=True)
    expect(box).to_be_visible()
    where = box.bounding_box()
    assert where is not None and where["y"] + where["height"] <= PHONE["height"], where
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The row's boxes stack: the note is below the value, not beside it.
    note = page.get_by_label(f"Note for Week of {week:%-d %B %Y}", exact=True).bounding_box()
    assert note is not None and note["y"] > where["y"] + where["height"]
    # The chart keeps a readable size and scrolls inside its own box (it was 120 px tall).
    chart = page.locator("#measure-chart .app-chart-scroll svg").first.bounding_box()
    assert chart is not None and chart["width"] >= 500 and chart["height"] >= 200, chart
    size = len(page.request.get(page.url).body())
    assert size < 100_000, f"the measure page is {size} bytes of HTML"
    check_accessibility(page, "entry-first-phone-measure")


def test_on_a_desktop_two_tabs_reach_this_weeks_box_and_enter_saves(
    make_page: Callable[..., Page],
):
    page = make_page()
    open_weekly_measure(page)
    page.goto(page.url)  # a fresh load, as when the page is opened from a bookmark
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Enter this period's value")
    page.keyboard.press("Enter")
    week = this_week()
    box = page.get_by_label(f"Value for Week of {week:%-d %B %Y}", exact=True)
    expect(box).to_be_focused()
    page.keyboard.type("24")
    page.keyboard.press("Enter")
    expect_banner(page, f"Saved {week:%-d %B %Y}.")
    page.reload()
    expect(page.get_by_label(f"Value for Week of {week:%-d %B %Y}", exact=True)).to_have_value("24")


def test_a_team_enters_every_measure_in_turn_on_a_phone(make_page: Callable[..., Page]):
    page = make_page(viewport=PHONE)
    sign_in(page, "homecarestaff@example.org")
    page.get_by_role("link", name="enter this period's numbers").first.click()
    expect(page.get_by_role("heading", level=1, name="Enter this period's data")).to_be_visible()
    check_accessibility(page, "entry-first-team-entry")
    boxes = page.get_by_role("textbox", name="Value for")
    first = boxes.first
    where = first.bounding_box()
    assert where is not None and where["y"] + where["height"] <= PHONE["height"], where
    due = boxes.count()
    assert due >= 2, "the demo team has measures due"
    for number in range(due):
        due_box = page.get_by_role("textbox", name="Value for")
        section = page.locator("section.app-due").filter(has=due_box).first
        box = section.get_by_role("textbox", name="Value for")
        if number:
            expect(box).to_be_focused()  # Enter saved the last one and moved on
        last = re.search(r"Last saved: ([\d.]+)(?: out of ([\d.]+))?", section.inner_text())
        box.fill(last.group(1) if last else "10")
        if last and last.group(2):
            section.get_by_role("textbox", name="Out of").fill(last.group(2))
        typed_in = box.element_handle()
        box.press("Enter")
        # The page that answers replaces this one (htmx swaps the body): wait for it.
        page.wait_for_function("element => !element.isConnected", arg=typed_in)
        expect(page.get_by_role("alert").filter(has_text="Saved ")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter this period's data")
    expect(page.get_by_role("heading", name="All up to date")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
