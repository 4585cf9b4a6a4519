"""Putting a wrong value right in a real browser (issue 16, point 10), with JavaScript on (the
row is saved by htmx) and off (plain forms): a slip of 756843 among falls near 10 is asked
about, not saved; "Yes, save" saves it; the row's Delete link asks first, then deletes it. The
demo's falls measure ends last month, so this month's row starts and ends empty. Checked with
axe-core at the question and at the confirmation page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import sign_in
from tests.browser.test_team_journey import expect_banner


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-js"])
def test_a_slip_is_asked_about_then_deleted(make_page: Callable[..., Page], script: bool) -> None:
    page = make_page(java_script_enabled=script)
    month = date.today().replace(day=1)
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    for link in ("Riverside Care Home", "Fewer falls at Riverside", "Falls a month"):
        page.get_by_role("link", name=link, exact=True).first.click()
        expect(page.get_by_role("heading", level=1, name=link)).to_be_visible()
    measure_url = page.url
    entry = page.locator("#data-entry")
    box = entry.get_by_label(f"Value for {month:%B %Y}", exact=True)
    expect(box).to_have_value("")

    # 1. The slip is asked about and nothing is saved.
    box.fill("756843")
    entry.get_by_role("button", name=f"Save {month:%B %Y}").click()
    expect(
        entry.get_by_text(re.compile(r"756,843 is much higher than this measure's usual"))
    ).to_be_visible()
    yes = entry.get_by_role("button", name="Yes, save 756,843")
    expect(yes).to_be_visible()
    if script:
        expect(yes).to_be_focused()
        check_accessibility(page, "fix-a-value-question")
    page.goto(measure_url)
    expect(page.locator("#data-entry").get_by_label(f"Value for {month:%B %Y}")).to_have_value("")

    # 2. Asked again, "Yes" saves it.
    box = page.locator("#data-entry").get_by_label(f"Value for {month:%B %Y}", exact=True)
    box.fill("756843")
    page.locator("#data-entry").get_by_role("button", name=f"Save {month:%B %Y}").click()
    page.locator("#data-entry").get_by_role("button", name="Yes, save 756,843").click()
    expect_banner(page, f"Saved 1 {month:%B %Y}.")
    page.goto(measure_url)
    expect(page.locator("#data-entry").get_by_label(f"Value for {month:%B %Y}")).to_have_value(
        "756843"
    )

    # 3. Deleting it asks first, then the row is empty again.
    page.get_by_role("link", name=f"Delete the value for {month:%B %Y}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Delete the value for {month:%B %Y}?"
    )
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    if script:
        check_accessibility(page, "fix-a-value-delete")
    page.get_by_role("button", name="Yes, delete it").click()
    expect_banner(page, f"Deleted the value for {month:%B %Y}.")
    expect(page.locator("#data-entry").get_by_label(f"Value for {month:%B %Y}")).to_have_value("")
