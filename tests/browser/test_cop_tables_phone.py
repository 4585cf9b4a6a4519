"""Two tables on a 360 px (and a 320 px) phone, on the demo data: a community meeting's "Who came,
by group" and the panel's "What the adopted changes rest on" (on screen and in its print view).
Each group or change reads as a card: every cell in view (the Total and the evidence tags too),
no word broken mid-way, nothing scrolling sideways, and axe-core clean."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import AXE_OPTIONS, PHONE, check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in
from tests.browser.test_role_journeys import open_collaborative

AXE = Axe()
NARROW = {"width": 320, "height": 700}

# For each cell of the table: how far it reaches past the page's right edge (cut off), whether
# its content fits it, and which of its words are drawn on more than one line.
CELLS = """(selector) => [...document.querySelectorAll(selector + ' tbody tr > *')].map(cell => {
  const range = document.createRange();
  const words = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    let start = 0;
    for (const word of text.split(/\\s/)) {
      if (word.length > 1) {
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) words.push(word);
      }
      start += word.length + 1;
    }
  }
  const box = cell.getBoundingClientRect();
  const wrapper = cell.closest('.app-table-wrapper').getBoundingClientRect();
  return {text: cell.textContent.trim().slice(0, 40), past: box.right - wrapper.right,
          fits: cell.scrollWidth <= cell.clientWidth + 1, broken: words};
})"""

# Each evidence tag: wholly inside the page's width and its own box (not cut to "Researc").
TAGS = """() => [...document.querySelectorAll('#adopted-evidence-table .govuk-tag')].map(tag => {
  const box = tag.getBoundingClientRect();
  return {text: tag.textContent, whole: box.left >= 0 && box.right <= window.innerWidth &&
          tag.scrollWidth <= tag.clientWidth + 1};
})"""


def assert_reads_whole(page: Page, selector: str) -> None:
    cells = page.evaluate(CELLS, selector)
    assert cells, selector
    for cell in cells:
        assert cell["past"] <= 0 and cell["fits"], cell
        assert cell["broken"] == [], cell
    wrapper = page.locator(f"{selector}").locator("xpath=..")
    widths = wrapper.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert widths[0] <= widths[1], (selector, widths)
    assert_no_sideways_scroll(page)


def open_latest_held_meeting(page: Page) -> None:
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    page.goto("/communities")
    page.locator(".app-card__title a").first.click()
    page.get_by_role("navigation", name="Pages of this community of practice").get_by_role(
        "link", name="Meetings"
    ).click()
    rows = page.locator("#meetings-table tbody tr")
    held = rows.filter(has_not_text="Not held yet").first
    held.get_by_role("link").click()


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["360", "320"])
def test_who_came_by_group_reads_whole_on_a_phone(
    make_page: Callable[..., Page], viewport: dict
) -> None:
    page = make_page(viewport=viewport)
    sign_in(page, "member@example.org")
    open_latest_held_meeting(page)
    table = page.locator("#attendance-by-group")
    expect(table).to_be_visible()
    assert_reads_whole(page, "#attendance-by-group")
    total = table.locator("[data-group='total'] [data-label='Total']")
    total.scroll_into_view_if_needed()
    expect(total).to_be_in_viewport(ratio=1)
    table.screenshot(path=f"/tmp/who-came-{viewport['width']}.png")
    check_accessibility(page, f"meeting-who-came-{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["360", "320"])
def test_what_adopted_changes_rest_on_reads_whole_on_a_phone(
    make_page: Callable[..., Page], viewport: dict
) -> None:
    page = make_page(viewport=viewport)
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary").first.click()
    expect(page.locator("#adopted-evidence-table")).to_be_visible()
    assert_reads_whole(page, "#adopted-evidence-table")
    tags = page.evaluate(TAGS)
    assert tags and all(tag["whole"] for tag in tags), tags
    page.locator("#adopted-evidence-table").screenshot(
        path=f"/tmp/adopted-evidence-{viewport['width']}.png"
    )
    check_accessibility(page, f"panel-adopted-evidence-{viewport['width']}")
    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.locator("#adopted-evidence-table")).to_be_visible()
    assert_reads_whole(page, "#adopted-evidence-table")
    # The print view's other tables are the panel's own; this section must be clean.
    found = AXE.run(page, context="#adopted-evidence", options=AXE_OPTIONS).response
    assert [v["id"] for v in found["violations"]] == []
