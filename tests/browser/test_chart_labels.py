"""Issue 17, point 2: no two pieces of text on a chart overlap, on every chart of the demo data
as Chromium lays it out (cycle badges, axis labels, tick values, the legend; the moving ranges
beneath an I chart too). Every measure of every demo team, one page each; the boxes are the
rendered text's own, from the browser, not the renderer's arithmetic."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import sign_in

# Overlapping text boxes on the charts of this page, as "svg id: 'a' over 'b'" (boxes inset by
# half a pixel: touching is not overlapping).
OVERLAPS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('#measure-chart svg')) {
    const boxes = [...svg.querySelectorAll('text')]
      .map(t => [t.textContent.trim(), t.getBoundingClientRect()])
      .filter(([text, r]) => text && r.width > 0 && r.height > 0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        if (p.left + 0.5 < q.right && q.left + 0.5 < p.right &&
            p.top + 0.5 < q.bottom && q.top + 0.5 < p.bottom) {
          found.push(`${svg.id}: '${a}' over '${b}'`);
        }
      }
    }
  }
  return found;
}"""

TEAMS = """() => [...document.querySelectorAll('#team option')].map(o => o.value)"""


def test_no_two_labels_overlap_on_any_demo_chart(make_page: Callable[..., Page]) -> None:
    page = make_page()
    sign_in(page, "admin@example.org")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    problems: list[str] = []
    charts = 0
    missing = 0
    measure_id = 0
    while (
        missing < 3 and measure_id < 500
    ):  # ids are never reused: three in a row not found is the end
        measure_id += 1
        # Asked first without the page, whose console would report the 404 as an error (the
        # page's request context carries the signed-in cookie).
        reply = page.request.get(f"/measures/{measure_id}", max_redirects=0)
        assert reply.status in (200, 404), f"/measures/{measure_id}: {reply.status}"
        if reply.status == 404:
            missing += 1
            continue
        missing = 0
        page.goto(f"/measures/{measure_id}")
        for team in page.evaluate(TEAMS) or [None]:
            if team is not None:
                page.goto(f"/measures/{measure_id}?team={team}")
            charts += page.locator("#measure-chart svg").count()
            problems += [
                f"/measures/{measure_id} team {team}: {o}" for o in page.evaluate(OVERLAPS)
            ]
    assert charts > 20, f"only {charts} charts were drawn"
    assert problems == []
