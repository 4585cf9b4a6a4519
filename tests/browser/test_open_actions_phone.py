"""The panel's open actions on a 360 px phone: each action a card, every column's words in view
(the status too), whole words never broken mid-way, nothing scrolling sideways."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in
from tests.browser.test_role_journeys import open_collaborative

# For each cell: how far it reaches past its scroller's right edge (cut off), and which of its
# words wrap inside the word ("commi/ssione/rs": one word drawn on more than one line).
CELLS = """() => [...document.querySelectorAll('#open-actions-table td')].map(cell => {
  const range = document.createRange();
  const words = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    let start = 0;
    for (const word of text.split(' ')) {
      if (word.length > 1) {
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        if (range.getClientRects().length > 1) words.push(word);
      }
      start += word.length + 1;
    }
  }
  const box = cell.getBoundingClientRect();
  const scroller = cell.closest('.app-table-wrapper').getBoundingClientRect();
  return {label: cell.dataset.label, past: box.right - scroller.right,
          visible: box.width > 0, fits: cell.scrollWidth <= cell.clientWidth, broken: words};
})"""


def test_open_actions_read_as_cards_on_a_phone(make_page: Callable[..., Page]) -> None:
    page = make_page(viewport=PHONE)
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary").first.click()
    table = page.locator("#open-actions-table")
    expect(table).to_be_visible()
    cells = page.evaluate(CELLS)
    assert len(cells) >= 2 * 5  # the demo has two open actions, five facts each
    for cell in cells:
        assert cell["visible"] and cell["past"] <= 0 and cell["fits"], cell
        assert cell["broken"] == [], cell
    status = table.locator("td[data-label='Status']").first
    status.scroll_into_view_if_needed()
    expect(status).to_be_in_viewport(ratio=1)  # whole, not cut off by a scroller
    assert_no_sideways_scroll(page)
    table.screenshot(path="/tmp/open-actions-360.png")
