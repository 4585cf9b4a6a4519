"""The evidence behind a change idea in a real browser (issue 20, point 3): a team member adds a
piece of lived experience and a piece of research to one of Riverside's ideas (htmx swaps the
evidence in), the change idea library filtered by "Lived experience" shows that idea and hides
one that rests on practice knowledge only, and the panel summary says what the adopted changes
rest on. Checked with axe-core on the evidence page (with a mistake and without) and on the
filtered library.

The demo records no evidence behind "Pressure mats beside the bed at night" and only practice
knowledge behind "Afternoon drinks trolley" (improve/demo_data/community.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import sign_in
from tests.browser.test_role_journeys import open_collaborative

IDEA = "Pressure mats beside the bed at night"
PRACTICE_ONLY = "Afternoon drinks trolley"
ACCOUNT = "My dad hated the mat at first. Once staff explained it, he slept better knowing."


def add_evidence(page: Page, kind: str, source: str = "", account: str = "") -> None:
    form = page.locator("#evidence-items form")
    form.get_by_label(kind, exact=True).check()
    form.get_by_label(re.compile(r"Where is it from\?")).fill(source)
    form.get_by_label(re.compile(r"What does it tell us\?")).fill(account)
    form.get_by_role("button", name="Add the evidence").click()


def test_evidence_behind_an_idea_and_the_library_filtered_by_it(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    sign_in(page, "member@example.org")
    for link in ("Riverside Care Home", "Fewer falls at Riverside"):
        page.get_by_role("link", name=link, exact=True).first.click()
        expect(page.get_by_role("heading", level=1, name=link)).to_be_visible()

    page.get_by_role("link", name=f"Add evidence behind the change idea ‘{IDEA}’").first.click()
    expect(page.get_by_role("heading", level=1, name=f"Evidence behind ‘{IDEA}’")).to_be_visible()
    items = page.locator("#evidence-items")
    expect(items.get_by_role("heading", name="Evidence recorded (0)")).to_be_visible()

    # A mistake first: neither where it is from nor what it tells us.
    add_evidence(page, "Lived experience")
    expect(page.locator("#evidence-items .govuk-error-summary")).to_contain_text(
        "Enter where the evidence is from, or a short account of it"
    )
    check_accessibility(page, "idea-evidence-mistake")

    add_evidence(page, "Lived experience", "A carer in our group", ACCOUNT)
    expect(items.get_by_role("heading", name="Evidence recorded (1)")).to_be_visible()
    expect(items).to_contain_text(ACCOUNT)
    add_evidence(page, "Research", "NICE (2013) Falls in older people (CG161)")
    expect(items.get_by_role("heading", name="Evidence recorded (2)")).to_be_visible()
    expect(items.locator(".govuk-summary-card .govuk-tag")).to_have_text(
        ["Lived experience", "Research"]
    )
    check_accessibility(page, "idea-evidence")

    # The library, filtered by the kind of evidence (htmx swaps the results in).
    page.get_by_role("link", name=re.compile(r"^The change idea library")).click()
    expect(page.get_by_role("heading", level=1, name="Change idea library")).to_be_visible()
    page.get_by_label("Kind of evidence").select_option(label="Lived experience")
    page.get_by_role("button", name="Search ideas").click()
    expect(page).to_have_url(re.compile(r"evidence=lived_experience"))
    results = page.locator("#idea-results")
    card = results.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=IDEA, exact=True)
    )
    expect(card).to_be_visible()
    expect(card.get_by_text("Rests on lived experience")).to_be_visible()
    expect(card).to_contain_text("Evidence behind it: Research Lived experience")
    expect(results.get_by_role("heading", name=PRACTICE_ONLY, exact=True)).to_have_count(0)
    expect(results).to_contain_text(re.compile(r"\d+ of \d+ change ideas match your search"))
    expect(results.locator("#lived-experience-count")).to_contain_text("on lived experience")
    check_accessibility(page, "idea-library-lived-experience")


def test_the_panel_summary_says_what_the_adopted_changes_rest_on(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name="Strategic panel summary").first.click()
    section = page.locator("#adopted-evidence")
    expect(section.get_by_role("heading", name="What the adopted changes rest on")).to_be_visible()
    expect(section.locator("#adopted-evidence-summary")).to_have_text(
        re.compile(r"^Of \d+ adopted changes?, .* on lived experience")
    )
    expect(section.locator("#adopted-evidence-table tbody tr").first).to_be_visible()
