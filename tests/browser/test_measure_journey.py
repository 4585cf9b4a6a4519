"""A team member's measure in a real browser: an aim, a monthly count added from the aim page,
fourteen months typed into the data table with the keyboard alone (Enter saves a row and moves
on to the next), and the chart that refreshes itself after every save. Checked with axe-core
before any data, after the first save and at the end; and at phone width for sideways scroll."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from improve.measures.queries import RECENT_PERIODS
from tests.browser.conftest import PHONE, check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in, tab_to
from tests.browser.test_team_journey import Names, expect_banner, fill_aim, fill_date, unique

TABLE_SCROLLS = """() => {
    const box = document.querySelector('#data-entry .app-table-scroll')
    const right = document.querySelector('#data-entry table').getBoundingClientRect().right
    return [right, !!box && getComputedStyle(box).overflowX !== 'visible']
}"""

# Eight months around 10 falls, then six lower: a run chart should call that a signal.
VALUES = ["9", "10", "8", "11", "9", "10", "9", "11", "5", "4", "4", "3", "4", "3"]


def month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before the month of `day`."""
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def add_measure(page: Page, name: str, baseline_start: date) -> None:
    """On the aim page: "Add a measure", a monthly count where lower is better, as a run chart."""
    page.get_by_role("link", name="Add a measure", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Add a measure")).to_be_visible()
    page.get_by_label("Name of the measure").fill(name)

    def choose(legend: str, option: str) -> None:
        group = page.get_by_role("group", name=legend, exact=True)
        group.get_by_role("radio", name=re.compile(f"^{option}")).check()

    choose("What kind of measure is it?", "Outcome")
    page.get_by_label("What exactly is counted? (optional)").fill(
        "A fall is any time a person ends up on the floor without meaning to"
    )
    choose("What is each number?", "A count of events")
    page.get_by_label("Unit (optional)").fill("falls")
    choose("How often is it counted?", "Every month")
    choose("Which way is better?", "Lower is better")
    fill_date(page, "Baseline starts (optional)", baseline_start)
    choose("Chart", "Run chart")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect_banner(page, f"Measure ‘{name}’ added. Enter its data below.")


def value_box(page: Page, month: date) -> Locator:
    return page.locator("#data-entry").get_by_label(f"Value for {month:%B %Y}", exact=True)


def type_and_save(page: Page, month: date, value: str) -> None:
    """Type into the focused value box and press Enter; wait for the chart to fetch itself."""
    box = value_box(page, month)
    expect(box).to_be_focused()
    page.keyboard.type(value)
    with page.expect_response(
        lambda r: (
            r.request.method == "GET" and r.request.headers.get("hx-target") == "measure-chart"
        )
    ) as chart:
        page.keyboard.press("Enter")
    assert chart.value.status == 200, f"chart refresh after {month:%B %Y}: {chart.value.status}"
    expect(value_box(page, month)).to_have_value(value)


def moved_on(page: Page, month: date, following: date) -> bool:
    """After saving `month`: once the swapped table's banner is set up (GOV.UK's script may move
    focus then), is the focus on the next row's value box?"""
    banner = page.locator("#data-entry").get_by_role("alert")
    expect(banner).to_contain_text(f"Saved {month.day} {month:%B %Y}.")
    expect(banner).to_have_attribute("data-govuk-notification-banner-init", "")
    return value_box(page, following).evaluate("box => box === document.activeElement")


def test_team_member_types_fourteen_months_and_reads_the_chart(
    make_page: Callable[..., Page], request: pytest.FixtureRequest
) -> None:
    page = make_page()
    names = Names.new()
    measure = unique("Falls a month")
    first = month_start(date.today(), len(VALUES) - 1)
    months = [month_start(date.today(), back) for back in range(len(VALUES) - 1, -1, -1)]
    assert months[0] == first and len(months) == len(VALUES)  # to this month; none ahead

    # 1. The aim, as in the lead's journey, but set by a team member.
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    page.get_by_role("link", name="Riverside Care Home", exact=True).first.click()
    page.get_by_role("link", name=re.compile("^Set a new aim")).click()
    fill_aim(page, names)
    page.get_by_role("button", name="Save the aim").click()
    expect(page.get_by_role("heading", level=1, name=names.aim)).to_be_visible()

    # 2. The measure, from the aim page.
    add_measure(page, measure, first)
    chart = page.locator("#measure-chart")
    expect(chart).to_contain_text("The chart appears once there are at least two values")
    # The table opens at this month, newest first; earlier months are a page back (issue 17).
    rows = page.locator("#data-entry").get_by_role("row")
    expect(rows).to_have_count(RECENT_PERIODS + 1)
    expect(rows.nth(1).get_by_role("rowheader")).to_contain_text(f"{months[-1]:%B %Y}")
    check_accessibility(page, "measure-journey-empty")
    measure_url = page.url
    page.get_by_role("link", name=re.compile("^Earlier months")).click()
    expect(value_box(page, first)).to_be_visible()

    # 3. Fourteen months with the keyboard alone: Tab into the table, then type and Enter; the
    # table runs on to the later months' page when the next month is there.
    tab_to(page, value_box(page, first), limit=80)
    for number, (month, value) in enumerate(zip(months, VALUES, strict=False)):
        type_and_save(page, month, value)
        # After Enter the focus is on the next row's value box, ready to type.
        if number + 1 < len(months):
            assert moved_on(page, month, months[number + 1]), f"focus did not move on from {month}"
        if number == 0:
            check_accessibility(page, "measure-journey-first-value")
    assert page.url.split("?")[0] == measure_url

    # 4. The chart: fourteen points, a summary in words, signals, and the chart as a table.
    points = chart.locator("svg .point")
    expect(points).to_have_count(len(VALUES))
    summary = chart.locator("figcaption")
    expect(summary).to_contain_text(f"Run chart of {len(VALUES)} points")
    expect(summary).to_contain_text("something has probably changed")  # few crossings
    expect(chart.get_by_text("Signals: changes that are unlikely to be chance")).to_be_visible()
    # The runs signal in the summary is listed with the signals, never contradicted by them.
    expect(chart.get_by_text("No signals:")).to_have_count(0)
    expect(chart.locator("ul.app-signals")).to_contain_text("something has probably changed")
    table = chart.locator("details").filter(has_text="The chart as a table")
    table.get_by_text("The chart as a table").click()
    rows = table.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(len(VALUES) + 1)
    expect(rows.nth(1).get_by_role("rowheader")).to_have_text(f"{first:%b %Y}")
    expect(rows.nth(1).get_by_role("cell").first).to_have_text(VALUES[0])
    check_accessibility(page, "measure-journey-charted")

    # 5. At phone width the measure page does not scroll sideways.
    phone = make_page(viewport=PHONE)
    sign_in(phone, "member@example.org")
    expect(phone.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    phone.goto(measure_url)
    expect(phone.locator("#measure-chart svg .point")).to_have_count(len(VALUES))
    assert_no_sideways_scroll(phone)
