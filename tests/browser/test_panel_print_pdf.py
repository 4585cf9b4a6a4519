"""The panel's printed pack as Chromium prints it (issue 19, point 3): the demo collaborative's
print view, opened by the panel member, turned into A4 PDF pages and read back with pypdf.

Every shared measure is there with its charts (each team's small chart and the funnel plot, their
labels in the PDF's text), the small charts are at least 55 mm wide on the paper, and no page but
the last is nearly empty: its text ends above 35% of the page's height. The screen page of one
measure across the teams passes axe-core on a desktop and a phone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility
from tests.browser.test_collaborative_journey import open_collaborative
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in

# The width of A4 (210 mm) less print.css's 12 mm side margins, at CSS's 96 px to the inch: the
# page lays out at this width on paper.
PRINTED_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
MM = 96 / 25.4  # CSS pixels to the millimetre
READABLE_MM = 55
NEAR_EMPTY = 0.35  # a page whose text ends above this share of its height is nearly empty


def page_text_and_fill(reader: PdfReader) -> list[tuple[str, float]]:
    """Each page's text, and how far down the page its text reaches (0 top, 1 bottom)."""
    pages = []
    for pdf_page in reader.pages:
        height = float(pdf_page.mediabox.height)
        heights: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
            if text.strip():
                # The text's origin in page space: its text matrix, then the page's matrix.
                heights.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])  # noqa: B023 - this page's

        text = pdf_page.extract_text(visitor_text=visit)
        pages.append((text, (height - min(heights, default=height)) / height))
    return pages


def across_heading(text: str, name: str) -> int:
    """Where a measure's part across the teams starts in the PDF's text: its heading, then the
    heading of the teams' charts (the summary's link to it has the same words)."""
    found = re.search(re.escape(name) + r" across teams\s+Each team’s chart, on one scale", text)
    assert found, f"no part across the teams for {name}"
    return found.start()


def test_the_printed_pack_gives_every_measure_its_charts_and_wastes_no_page(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(viewport={"width": PRINTED_WIDTH, "height": 1000})
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary: what the teams have achieved").click()
    expect(page.get_by_role("heading", level=1, name="Strategic panel summary")).to_be_visible()
    measures = page.locator("#measure-totals tbody th").all_inner_texts()
    assert len(measures) == 2, measures  # the demo's two shared measures
    teams = page.locator("#team-cycles tbody th").all_inner_texts()
    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.get_by_role("heading", level=1, name="Strategic panel report")).to_be_visible()

    # On paper (print styles, the printed width) every team's small chart is readable.
    page.emulate_media(media="print")
    first_months, funnels, charts_drawn = {}, [], {}
    for name in measures:
        section = page.locator("section.app-across-measure", has_text=f"{name} across teams")
        # Every team has its place; a team with no figure to draw (none yet, or every one a
        # hidden small number) has its sentence instead of a chart.
        expect(section.locator(".app-multiple")).to_have_count(len(teams))
        charts = section.locator(".app-multiple__chart")
        assert charts.count() >= 1, name
        widths = [box["width"] for box in (c.bounding_box() for c in charts.all()) if box]
        assert min(widths) >= READABLE_MM * MM, (name, widths)
        # The funnel plot, or (every team's figure hidden as a small number, as for the demo's
        # leavers) the sentence saying there is none to draw; its table lists every team.
        if section.locator(".app-funnel__chart").count():
            funnels.append(name)
        else:
            expect(section.get_by_text("so there is no funnel plot to draw")).to_have_count(1)
        expect(section.locator(".app-funnel__table tbody tr")).to_have_count(len(teams))
        first_months[name] = charts.first.locator(".x-axis text").first.text_content()
        charts_drawn[name] = charts.count()
    assert funnels, "no measure's funnel plot was drawn"

    pages = page_text_and_fill(PdfReader(io.BytesIO(page.pdf(format="A4"))))
    text = "\n".join(words for words, _fill in pages)
    starts = {name: across_heading(text, name) for name in measures}
    for name, start in starts.items():
        end = min([at for at in starts.values() if at > start] or [len(text)])
        printed = text[start:end]
        assert "Funnel plot" in printed, name
        if name in funnels:
            assert "Team size:" in printed, name  # the funnel's axis: the chart is printed
        for team in teams:
            assert team in printed, (name, team)
        # The charts' own labels are text in the PDF: each team's chart names its first month.
        drawn = charts_drawn[name]
        assert printed.count(first_months[name]) >= drawn, (name, first_months[name])

    near_empty = [
        (number, round(fill, 2))
        for number, (_words, fill) in enumerate(pages[:-1], start=1)
        if fill < NEAR_EMPTY
    ]
    assert not near_empty, f"pages nearly empty (page, share filled): {near_empty}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_measure_across_teams_reads_on_a_desktop_and_a_phone(
    make_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    """From the panel's list to one measure across the teams: it passes axe-core, nothing
    pushes the page sideways on a phone, and a period chosen in its form is kept in the address
    (htmx swaps the results)."""
    page = make_page(viewport=viewport)
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary: what the teams have achieved").click()
    page.locator("#panel-downloads a[href*='/panel/measures/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("across teams")
    expect(page.locator(".app-multiple__chart").first).to_be_visible()
    label = "phone" if viewport == PHONE else "desktop"
    check_accessibility(page, f"panel-across-teams-{label}")
    assert_no_sideways_scroll(page)

    page.get_by_label("From").select_option(index=6)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "from_month=" in url)
    expect(page.locator("#across-results")).to_contain_text("Funnel plot: added up over")
    check_accessibility(page, f"panel-across-teams-pooled-{label}")
