"""Issue 20, points 4 and 5, in a browser on the demo's community of practice: a member logs a
research need from a meeting, another votes for it, the research partner reads the needs and
downloads them (and cannot open the team it came from), a member gives feedback on a meeting
(also on a 360 px phone), and the facilitator reads the evaluation, changes a need and adds
interview notes. axe-core checks every page on the way.

The app is served on its own database (the demo), so these writes never reach the pages other
browser tests read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from improve import create_app, demo
from improve.extensions import db
from improve.models import Community, CommunityMeeting, Cycle, Team
from tests.browser.conftest import (
    CHROMIUM,
    EXPECTED_CONSOLE_ERRORS,
    PHONE,
    check_accessibility,
    serve_in_thread,
)
from tests.browser.test_journeys import assert_no_sideways_scroll
from tests.browser.test_journeys import sign_in as submit_sign_in

QUESTION = "Does a named contact at 18 help families through the move to adult services?"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo served with CSRF on; yields its URL and the ids the journey starts from."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    url = f"sqlite:///{tmp_path_factory.mktemp('research-needs') / 'improve.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        demo.create()
        db.session.commit()
        community = db.session.scalar(sa.select(Community))
        meeting = db.session.scalar(
            sa.select(CommunityMeeting)
            .where(CommunityMeeting.held_on <= date.today())
            .order_by(CommunityMeeting.held_on.desc())
        )
        riverside = db.session.scalar(sa.select(Team).where(Team.name.like("Riverside%")))
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.team_id == riverside.id))
        ids = {"community": community.id, "meeting": meeting.id, "cycle": cycle.id}
    with serve_in_thread(app, "research-needs") as base_url:
        yield {"url": base_url, **ids}


@pytest.fixture
def new_page(browser: Browser, site: dict) -> Iterator[Callable[..., Page]]:
    """Pages on this site whose console errors (but the 422 of a form with mistakes) and CSP
    refusals fail the test."""
    contexts, problems = [], []

    def watch(message: ConsoleMessage) -> None:
        text = message.text
        expected = any(ok in text for ok in EXPECTED_CONSOLE_ERRORS)
        if "Content Security Policy" in text or (message.type == "error" and not expected):
            problems.append(f"{message.type}: {text}")

    def make(**options) -> Page:
        context = browser.new_context(base_url=site["url"], **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == []


def sign_in(page: Page, email: str) -> None:
    submit_sign_in(page, email)
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def test_research_needs_and_evaluation_journey(new_page: Callable[..., Page], site: dict) -> None:
    needs_url = f"/communities/{site['community']}/research-needs"

    # Mo, a frontline member, logs a question raised at the latest meeting, from its page.
    mo = new_page()
    sign_in(mo, "member@example.org")
    mo.goto(f"/community-meetings/{site['meeting']}")
    mo.get_by_role("link", name="Log a research need from this meeting").click()
    expect(mo.get_by_role("heading", name="Log a research need")).to_be_visible()
    check_accessibility(mo, "research-need-new")
    mo.get_by_role("button", name="Log the research need").click()
    expect(mo.locator(".govuk-error-summary")).to_contain_text("Enter the question")
    check_accessibility(mo, "research-need-new-errors")
    mo.get_by_label("What is the question?").fill(QUESTION)
    mo.get_by_label("Who raised it?").fill("Joy")
    mo.get_by_label("Their stakeholder group").select_option("carer")
    mo.get_by_label("How many people share the question?").fill("6")
    mo.get_by_role("button", name="Log the research need").click()
    expect(mo.get_by_text("Research need logged.")).to_be_visible()
    card = mo.locator(".govuk-summary-card", has_text=QUESTION)
    expect(card).to_contain_text("Joy (Carer)")
    expect(card.get_by_role("link", name=re.compile("The meeting of"))).to_be_visible()
    check_accessibility(mo, "research-needs-member")

    # Mo also sends a question from his team's Study stage.
    mo.goto(f"/cycles/{site['cycle']}")
    mo.get_by_role("link", name="Log a question for research").click()
    expect(mo.get_by_role("heading", name="Log a question for research")).to_be_visible()
    check_accessibility(mo, "research-need-from-cycle")

    # Evie, an expert by experience, votes for it from the list (htmx swaps the list).
    evie = new_page()
    sign_in(evie, "expert@example.org")
    evie.goto(needs_url)
    card = evie.locator(".govuk-summary-card", has_text=QUESTION)
    card.get_by_role("button", name=re.compile("Vote for this question")).click()
    expect(card).to_contain_text(
        "You voted for this question (counted as Person who draws on care)"
    )
    expect(card).to_contain_text("Votes here 1: Person who draws on care 1")
    check_accessibility(evie, "research-needs-voted")
    card.get_by_role("button", name=re.compile("Take back my vote")).click()
    expect(card).to_contain_text("No votes yet")
    card.get_by_role("link", name=re.compile("Count my vote as another group")).click()
    expect(evie.get_by_role("heading", name="Vote for a research need")).to_be_visible()
    check_accessibility(evie, "research-need-vote")
    evie.get_by_role("button", name="Vote for this question").click()
    expect(evie.get_by_text("Thank you: your vote is counted.")).to_be_visible()

    # Rosa, the research partner, reads the needs and downloads them; no team for her.
    rosa = new_page()
    sign_in(rosa, "researcher@example.org")
    rosa.goto(needs_url)
    expect(rosa.get_by_role("heading", name="Research needs", exact=True)).to_be_visible()
    expect(rosa.get_by_role("button", name=re.compile("Vote"))).to_have_count(0)
    expect(rosa.get_by_text("Raised in a team’s test of a change").first).to_be_visible()
    check_accessibility(rosa, "research-needs-partner")
    with rosa.expect_download() as download:
        rosa.get_by_role("link", name=re.compile("CSV file")).click()
    body = download.value.path().read_bytes()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert QUESTION in text and "Riverside" not in text
    # Her session opens no team page (asked beside the page, so no 404 lands in its console).
    assert rosa.request.get(f"/cycles/{site['cycle']}").status == 404
    rosa.goto(f"/communities/{site['community']}/evaluation")
    check_accessibility(rosa, "evaluation-partner")

    # Evie gives feedback on the meeting, on her phone.
    phone = new_page(viewport=PHONE)
    sign_in(phone, "expert@example.org")
    phone.goto(f"/community-meetings/{site['meeting']}/feedback")
    expect(phone.get_by_role("heading", name="Feedback on the meeting")).to_be_visible()
    assert_no_sideways_scroll(phone)
    check_accessibility(phone, "meeting-feedback-phone")
    phone.get_by_role("group", name="Did you feel listened to?").get_by_label("Yes").check()
    phone.get_by_role("group", name="Did you learn something?").get_by_label("Partly").check()
    phone.get_by_role("group", name="Will you use what you learned?").get_by_label("Yes").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    phone.goto(f"/communities/{site['community']}/evaluation")
    assert_no_sideways_scroll(phone)
    check_accessibility(phone, "evaluation-phone")

    # The facilitator reads the evaluation, marks the need taken up and adds interview notes.
    chidi = new_page()
    sign_in(chidi, "coordinator@example.org")
    chidi.goto(f"/communities/{site['community']}/evaluation")
    expect(chidi.get_by_role("heading", name="Evaluation", exact=True)).to_be_visible()
    expect(chidi.locator("#feedback-chart")).to_be_visible()
    check_accessibility(chidi, "evaluation-facilitator")
    chidi.get_by_role("link", name="Add evaluation notes").click()
    check_accessibility(chidi, "evaluation-note-new")
    chidi.get_by_label("Title").fill("Interviews after the first year")
    chidi.get_by_label("Number of interviews").fill("21")
    chidi.get_by_label("What was found").fill("People valued feeling listened to.")
    chidi.get_by_role("button", name="Save the evaluation notes").click()
    expect(
        chidi.get_by_text("Evaluation notes “Interviews after the first year” added.")
    ).to_be_visible()
    chidi.goto(f"/community-meetings/{site['meeting']}/feedback/paper")
    check_accessibility(chidi, "meeting-feedback-paper")
    chidi.goto(needs_url)
    card = chidi.locator(".govuk-summary-card", has_text=QUESTION)
    card.get_by_role("link", name=re.compile("Change")).click()
    check_accessibility(chidi, "research-need-edit")
    chidi.get_by_label("Taken up by research").check()
    chidi.get_by_label("What has research done with it? (optional)").fill(
        "Taken up by the University of Northshire"
    )
    chidi.get_by_role("button", name="Save the research need").click()
    expect(chidi.get_by_text("Research need saved.")).to_be_visible()
    card = chidi.locator(".govuk-summary-card", has_text=QUESTION)
    expect(card).to_contain_text("Taken up by the University of Northshire")
    card.get_by_role("link", name=re.compile("Remove")).click()
    expect(chidi.get_by_role("heading", name="Remove this research need?")).to_be_visible()
    check_accessibility(chidi, "research-need-remove")
