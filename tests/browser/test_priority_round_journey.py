"""A priority round end to end in a real browser, with the demo accounts: the coordinator opens
a round in the demo collaborative; an expert by experience sends in an idea anonymously, and
others send in theirs; the coordinator groups them into themes (add, move, merge, rename) and
opens voting; the expert votes on a 360 px phone (the dots counted as they type); the coordinator
closes voting, reads the results by group, and starts a community of practice from a theme,
whose page links back to the ideas. axe-core runs on every page of the journey.

The live server's database is shared with other browser tests: the round's name is this run's."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll, sign_in
from tests.browser.test_role_journeys import open_collaborative

EXPERT = "Evie Expert"  # the demo's expert by experience at Riverside
ANONYMOUS_IDEA = "Lifts to clinic appointments without needing family"


def signed_in(page: Page, email: str) -> None:
    sign_in(page, email)
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()


def banner(page: Page, text: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=text).first).to_be_visible()


def send_idea(page: Page, text: str, group: str | None = None, anonymous: bool = False) -> None:
    """On the round's page: the person's group (the first time), the idea, then send it in."""
    if group:
        page.get_by_label(group, exact=True).check()
    page.get_by_label("Your idea", exact=True).fill(text)
    if anonymous:
        page.get_by_label("Do not show my name").check()
    page.locator("#your-ideas").get_by_role("button", name=re.compile("^Send in")).click()
    expect(page.locator("#your-ideas")).to_contain_text(text)


def expect_no_name(page: Page, where: str) -> None:
    """The anonymous idea is listed as "Sent in without a name", with neither the expert's name
    nor their group (their other idea, sent in with their name, shows both)."""
    row = page.locator(f"{where} li", has_text=ANONYMOUS_IDEA)
    expect(row).to_contain_text("Sent in without a name")
    expect(row).not_to_contain_text(EXPERT)
    expect(row).not_to_contain_text("Person who draws on care")


def add_theme(page: Page, name: str) -> None:
    page.get_by_label("Name of the theme").fill(name)
    page.get_by_role("button", name="Add the theme").click()
    expect(page.locator("#theme-board")).to_contain_text(f"{name} (0 ideas)")


def move_idea(page: Page, idea: str, theme: str) -> None:
    """Choose the idea's theme in its 'Theme' list and press its Move button (htmx swaps)."""
    row = page.locator("#theme-board li", has_text=idea)
    row.get_by_label("Theme").select_option(label=theme)
    row.get_by_role("button", name="Move").click()
    card = page.locator("#theme-board section.govuk-summary-card", has_text=idea)
    expect(card.locator("h3")).to_contain_text(theme)


def test_a_coordinator_runs_a_priority_round_end_to_end(make_page: Callable[..., Page]) -> None:
    title = f"Our priorities {secrets.token_hex(3)}"
    coordinator = make_page()
    signed_in(coordinator, "coordinator@example.org")
    open_collaborative(coordinator)
    coordinator.get_by_role("link", name=re.compile("^Priority rounds")).click()
    expect(coordinator.get_by_role("heading", level=1, name="Priority rounds")).to_be_visible()
    check_accessibility(coordinator, "priorities-rounds")

    # The coordinator opens a round.
    coordinator.get_by_role("link", name="Start a priority round").click()
    check_accessibility(coordinator, "priorities-new-round")
    coordinator.get_by_label("Name of the round").fill(title)
    coordinator.get_by_label("What question are people answering?").fill(
        "What should we work on together next year?"
    )
    coordinator.get_by_label("Event (optional)").fill("Spring learning event")
    coordinator.locator("#event_on-day").fill("14")
    coordinator.locator("#event_on-month").fill("3")
    coordinator.locator("#event_on-year").fill("2027")
    coordinator.get_by_role("button", name="Start the round").click()
    expect(coordinator.get_by_role("heading", level=1, name=title)).to_be_visible()
    banner(coordinator, "People can now send in ideas")
    check_accessibility(coordinator, "priorities-round-gathering")
    round_url = coordinator.url

    # An expert by experience sends in an idea without their name, then another.
    expert = make_page()
    signed_in(expert, "expert@example.org")
    expert.goto(round_url)
    send_idea(expert, ANONYMOUS_IDEA, "Person who draws on care", anonymous=True)
    banner(expert, "Your name is not shown with it")
    check_accessibility(expert, "priorities-expert-sent-an-idea")
    send_idea(expert, "A weekly carers café")  # with their name, this one
    # Others send in theirs.
    member = make_page()
    signed_in(member, "member@example.org")
    member.goto(round_url)
    send_idea(member, "A walking group after lunch", "Frontline practitioner")
    send_idea(member, "Respite breaks at weekends")

    # The coordinator stops gathering ideas and groups them into themes.
    coordinator.reload()
    expect_no_name(coordinator, "#ideas")
    coordinator.get_by_role("button", name="Move on to ‘Grouping ideas into themes’").click()
    banner(coordinator, "Ideas are no longer being gathered")
    coordinator.get_by_role("link", name="Group the ideas into themes").click()
    check_accessibility(coordinator, "priorities-themes-empty")
    for theme in ("Getting about", "Company", "Breaks"):
        add_theme(coordinator, theme)
    move_idea(coordinator, ANONYMOUS_IDEA, "Getting about")
    move_idea(coordinator, "A walking group after lunch", "Getting about")
    move_idea(coordinator, "A weekly carers café", "Company")
    move_idea(coordinator, "Respite breaks at weekends", "Breaks")
    check_accessibility(coordinator, "priorities-themes-board")
    expect_no_name(coordinator, "#theme-board")

    # Merge "Breaks" into "Company", after being asked.
    coordinator.get_by_role("link", name="Merge the theme Breaks into another").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Merge ‘Breaks’ into another theme?"
    )
    check_accessibility(coordinator, "priorities-merge-theme")
    coordinator.get_by_label("Merge it into").select_option(label="Company")
    coordinator.get_by_role("button", name="Merge the themes").click()
    banner(coordinator, "‘Breaks’ merged into ‘Company’: 1 idea moved.")
    expect(coordinator.locator("#theme-board")).to_contain_text("Company (2 ideas)")
    # Rename it.
    coordinator.get_by_role("link", name="Rename the theme Company").click()
    check_accessibility(coordinator, "priorities-rename-theme")
    coordinator.get_by_label("Name of the theme").fill("Company and breaks")
    coordinator.get_by_role("button", name="Save the theme").click()
    expect(coordinator.locator("#theme-board")).to_contain_text("Company and breaks (2 ideas)")

    # Voting opens.
    coordinator.get_by_role("link", name="Back to the round").click()
    coordinator.get_by_role("button", name="Move on to ‘Voting’").click()
    banner(coordinator, "Voting is open")
    check_accessibility(coordinator, "priorities-round-voting")

    # The expert votes on a phone; the dots are counted as they type.
    phone = make_page(viewport=PHONE)
    signed_in(phone, "expert@example.org")
    phone.goto(round_url)
    phone.get_by_role("link", name="Vote now").click()
    expect(phone.get_by_role("heading", level=1, name="Vote on the themes")).to_be_visible()
    phone.get_by_label("Getting about", exact=True).fill("3")
    phone.get_by_label("Company and breaks", exact=True).fill("2")
    expect(phone.locator("#dots-left")).to_have_text("You have used 5 of your 5 dots: 0 left.")
    assert_no_sideways_scroll(phone)
    check_accessibility(phone, "priorities-vote-phone")
    phone.get_by_role("button", name="Save my vote").click()
    banner(phone, "Your vote has been saved")
    expect(phone.locator("#your-part")).to_contain_text("You have voted")
    # Another person votes (their group was asked with their first idea).
    member.goto(round_url)
    member.get_by_role("link", name="Vote now").click()
    expect(member.get_by_role("heading", level=1, name="Vote on the themes")).to_be_visible()
    member.get_by_label("Getting about", exact=True).fill("1")
    member.get_by_label("Company and breaks", exact=True).fill("3")
    member.get_by_role("button", name="Save my vote").click()
    banner(member, "Your vote has been saved")

    # The coordinator closes voting and reads the results by group.
    coordinator.reload()
    coordinator.get_by_role("button", name="Move on to ‘Finished’").click()
    banner(coordinator, "Voting has closed")
    coordinator.get_by_role("link", name="See the results, by group").click()
    expect(coordinator.get_by_role("heading", level=1, name=f"Results: {title}")).to_be_visible()
    expect(coordinator.locator("#lived-experience-summary")).to_have_text(
        "People who draw on care and carers (1 person) put ‘Getting about’ first. Everyone "
        "together put ‘Company and breaks’ first."
    )
    table = coordinator.locator("#results-table")
    expect(table.locator("thead")).to_contain_text("Person who draws on care")
    expect(table.locator("thead")).to_contain_text("Frontline practitioner")
    expect(table.locator("tbody tr").first).to_contain_text("Company and breaks")
    check_accessibility(coordinator, "priorities-results")
    # On a 360 px phone the table scrolls in its own box, and the page says so.
    phone.goto(coordinator.url)
    expect(phone.locator("#by-group-scroll")).to_have_text(
        "On a small screen, scroll the table sideways to see every group."
    )
    expect(phone.get_by_role("region", name=re.compile("^Scores by group"))).to_be_visible()
    assert_no_sideways_scroll(phone)
    # Theme names wrap at spaces: the columns are sized to whole words (overflow-wrap
    # "anywhere" shrank them until "discharge" broke in the middle).
    wrap = phone.locator("#results-table tbody th").first.evaluate(
        "cell => getComputedStyle(cell).overflowWrap"
    )
    assert wrap != "anywhere"
    check_accessibility(phone, "priorities-results-phone")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name=re.compile("^Download the results")).click()
    assert "Company and breaks" in download.value.path().read_text(encoding="utf-8-sig")

    # The winning theme becomes a community of practice.
    table.get_by_role("link", name="Company and breaks").click()
    expect(coordinator.get_by_role("heading", level=1, name="Company and breaks")).to_be_visible()
    check_accessibility(coordinator, "priorities-theme")
    coordinator.get_by_role("link", name="Start a community of practice from this theme").click()
    check_accessibility(coordinator, "priorities-start-community")
    community = f"Company and breaks network {secrets.token_hex(3)}"
    coordinator.get_by_label("Name of the community of practice").fill(community)
    coordinator.get_by_label("Manager", exact=True).check()
    coordinator.get_by_role("button", name="Start the community of practice").click()
    expect(coordinator.get_by_role("heading", level=1, name=community)).to_be_visible()
    came_from = coordinator.locator(".app-came-from")
    expect(came_from).to_have_text(
        f"Came from the priority ‘Company and breaks’ of the round ‘{title}’, 2 ideas."
    )
    check_accessibility(coordinator, "priorities-community-came-from")
    came_from.get_by_role("link").click()
    expect(coordinator.locator("#theme-ideas")).to_contain_text("A weekly carers café")
