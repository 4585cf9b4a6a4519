"""One journey per role through the demo collaborative in a real browser, axe-core on every page
visited; then keyboard-only versions (no mouse at all) and JavaScript-off versions of the core
paths. Every page leaves a screenshot in test-artifacts/screenshots/role-*.png.

The live server's database is shared with the other browser tests, so each journey writes where
no other test reads: its own text ("Role journey ..."), its own measure and its own report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

import openpyxl
from playwright.sync_api import Download, Locator, Page, expect

from improve.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, SCREENSHOTS, check_accessibility
from tests.browser.keyboard import (
    activate,
    arrow_to,
    assert_focus_visible,
    tab_to,
    type_into,
)
from tests.browser.test_journeys import COLLABORATIVE, TEAM, assert_no_sideways_scroll, sign_in
from tests.browser.test_team_journey import (
    Names,
    add_primary,
    add_to_diagram,
    expect_banner,
    fill_aim,
    open_team_page,
    plan_a_test_of,
    stage,
    start_cycle,
    tree_of,
    unique,
)

AIM = "Fewer falls at Riverside"
OPEN_CYCLE = (
    "Look at every fall within a day, with the person: cycle 2, "
    "Key workers lead reviews after falls, both floors"
)
THIS_MONTH = date.today().replace(day=1)
SCORE = "4.5: Sustainable improvement"
COORDINATORS_VIEW = "Coordinator's view: which teams need a call this week"
PANEL_SUMMARY = "Strategic panel summary: what the teams have achieved"
STARTED = re.compile(r"Cycle \d+ started\.")


# Small steps -------------------------------------------------------------------------------------


def heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def value_box(page: Page, label: str = "Value") -> Locator:
    """This month's box in the measure's data table, e.g. "Value for December 2026"."""
    return page.locator("#data-entry").get_by_label(f"{label} for {THIS_MONTH:%B %Y}", exact=True)


def expect_saved(page: Page, value: str) -> None:
    """The measure's data table says this month is saved, and shows the value."""
    saved = f"Saved {THIS_MONTH.day} {THIS_MONTH:%B %Y}."
    expect(page.get_by_role("alert").filter(has_text=saved)).to_be_visible()
    expect(value_box(page)).to_have_value(value)


def open_measure(page: Page, measure: str) -> None:
    """From the signed-in member's home page: their team, its aim, one of the aim's measures."""
    open_team_page(page)
    page.get_by_role("table", name=f"Aims of {TEAM}").get_by_role("link", name=AIM).click()
    heading(page, AIM)
    page.get_by_role("link", name=measure, exact=True).click()
    heading(page, measure)


def plan_with_prediction(page: Page, prediction: str) -> None:
    """On a new cycle: one question and its prediction, then "Save the plan"."""
    plan = stage(page, "Plan")
    plan.get_by_label("Question", exact=True).first.fill("Will more people join in?")
    plan.get_by_label("Prediction", exact=True).first.fill(prediction)
    plan.get_by_role("button", name="Save the plan").click()
    expect_banner(page, "Plan saved.")
    expect(plan.get_by_label("Prediction", exact=True).first).to_have_value(prediction)


def open_collaborative(page: Page, screenshot_name: str | None = None) -> None:
    """From the home page; checked with axe when given a screenshot name."""
    page.get_by_role("link", name=COLLABORATIVE, exact=True).first.click()
    heading(page, COLLABORATIVE)
    if screenshot_name:
        check_accessibility(page, screenshot_name)


def open_coordinators_view(page: Page, screenshot_name: str | None = None) -> None:
    open_collaborative(page, screenshot_name)
    page.get_by_role("link", name=COORDINATORS_VIEW).click()
    heading(page, "Coordinator's view")


def score_report(page: Page, justification: str) -> None:
    """On a submitted report: the coordinator's score and why, then "Save the score"."""
    scores = page.locator("#coordinator-score")
    scores.get_by_role("group", name="Coordinator's score").get_by_label(SCORE).check()
    scores.get_by_label("Why this score?").fill(justification)
    scores.get_by_role("button", name="Save the score").click()


def expect_scored(page: Page, justification: str) -> None:
    expect(page.locator("#coordinator-score-value")).to_contain_text(SCORE)
    expect(page.locator("#coordinator-score")).to_contain_text(justification)


def filter_panel_by_team(page: Page, team: str) -> None:
    page.get_by_label("Team", exact=True).select_option(label=team)
    page.get_by_role("button", name="Show", exact=True).click()


def expect_one_team(page: Page, team: str, team_id: str) -> None:
    expect(page).to_have_url(re.compile(rf"[?&]team={team_id}(&|$)"))
    expect(page.locator(".app-panel-scope")).to_contain_text(f"Showing the team {team},")


def downloaded_text(download: Download) -> str:
    return download.path().read_text(encoding="utf-8-sig")


def open_workbook(download: Download) -> openpyxl.Workbook:
    # openpyxl goes by the file name's extension, and a download's path has none.
    return openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)


def screenshot(page: Page, name: str) -> None:
    """Without JavaScript axe cannot run: keep the screenshot only."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def keyboard_sign_in(page: Page, email: str) -> None:
    """The skip link first, then the form, with the keyboard alone."""
    page.goto("/sign-in")
    skip_link = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    assert_focus_visible(skip_link)
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    type_into(page, page.get_by_label("Email address"), email, limit=3)
    type_into(page, page.get_by_label("Password", exact=True), DEMO_PASSWORD, limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()


# 1-5: one journey per role -------------------------------------------------------------------


def test_team_member_records_this_months_value_and_plans_a_cycle_on_a_phone(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(viewport=PHONE)
    title = unique("Role journey: chair exercise on the first floor")

    def checked(name: str) -> None:
        assert_no_sideways_scroll(page)
        check_accessibility(page, f"role-member-{name}")

    page.goto("/sign-in")
    checked("sign-in")
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    checked("home")
    open_team_page(page)
    checked("team")
    page.get_by_role("table", name=f"Aims of {TEAM}").get_by_role("link", name=AIM).click()
    heading(page, AIM)
    checked("aim")

    # This month's number for a measure, typed into its row of the data table.
    page.get_by_role("link", name="Falls a month", exact=True).click()
    heading(page, "Falls a month")
    checked("measure")
    value_box(page).fill("5")
    value_box(page, "Note").fill("Role journey: a quiet month")
    page.locator("#data-entry").get_by_role("button", name=f"Save {THIS_MONTH:%B %Y}").click()
    expect_saved(page, "5")
    expect(value_box(page, "Note")).to_have_value("Role journey: a quiet month")
    checked("measure-saved")

    # A new cycle of an idea the team has tested before, planned with a prediction.
    page.get_by_role("link", name="Back to the aim").click()
    plan_a_test_of(page, "Chair exercise to music after lunch").click()
    heading(page, re.compile("^Plan "))
    checked("cycle-new")
    start_cycle(page, title, "Will residents on the first floor join in too?")
    expect(page.get_by_role("alert").filter(has_text=STARTED)).to_be_visible()
    checked("cycle")
    plan_with_prediction(page, "Yes: 8 of the 12 residents")
    checked("cycle-planned")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TEAM).click()
    heading(page, TEAM)
    cycles = page.get_by_role("region", name="Cycles", exact=True)
    row = cycles.get_by_role("row").filter(has=page.get_by_role("link", name=title))
    expect(row.get_by_role("cell").nth(4)).to_have_text("Do")  # a saved plan moves it on
    expect(row.get_by_role("cell").nth(5)).to_have_text("Not decided yet")
    checked("team-after")


def test_team_lead_sets_an_aim_and_starts_a_ramp(page: Page) -> None:
    names = Names.new()
    sign_in(page, "lead@example.org")
    expect(page.get_by_role("heading", name="Hello, Lena Lead")).to_be_visible()
    check_accessibility(page, "role-lead-home")
    open_team_page(page)
    page.get_by_role("link", name=re.compile("^Set a new aim")).click()
    heading(page, "Set a new aim")
    check_accessibility(page, "role-lead-aim-new")
    fill_aim(page, names)
    page.get_by_role("button", name="Save the aim").click()
    heading(page, names.aim)
    expect(page.get_by_role("region", name="What are we trying to accomplish?")).to_contain_text(
        "From 9 to 4 falls a month by 31 March"
    )
    check_accessibility(page, "role-lead-aim")

    # One primary driver and a change idea straight under it (no secondary driver).
    add_primary(page, names.primary)

    def fill(form: Locator) -> None:
        form.get_by_label("Change idea", exact=True).fill(names.idea)
        form.get_by_label("Which driver does it work on?").select_option(
            label=f"Primary driver: {names.primary}"
        )

    add_to_diagram(page, "Add a change idea", fill, "Add change idea")
    expect(tree_of(page).get_by_text(names.idea, exact=True)).to_be_visible()
    check_accessibility(page, "role-lead-diagram")

    plan_a_test_of(page, names.idea).click()
    heading(page, "Plan a new cycle")
    check_accessibility(page, "role-lead-cycle-new")
    start_cycle(page, "Role journey: night lights for one week", "Do night lights help?")
    expect_banner(page, "Cycle 1 started.")
    expect(page.get_by_text(f"cycle 1 testing ‘{names.idea}’")).to_be_visible()
    check_accessibility(page, "role-lead-cycle")


def test_expert_by_experience_gives_their_view_of_a_cycle(page: Page) -> None:
    what_matters = "Role journey: I want to be asked about a fall, not talked about"
    difference = "Role journey: yes, someone came and asked me what happened"
    comment = "Role journey: could the review happen in my own room?"
    sign_in(page, "expert@example.org")
    expect(page.get_by_role("heading", name="Hello, Evie Expert")).to_be_visible()
    check_accessibility(page, "role-expert-home")
    open_team_page(page)
    check_accessibility(page, "role-expert-team")
    page.get_by_role("region", name="Cycles", exact=True).get_by_role(
        "link", name=OPEN_CYCLE
    ).click()
    # The team page opens the cycle in plain words for an expert (issue 17, point 5).
    heading(page, "Key workers lead reviews after falls, both floors")
    expect(page.get_by_role("heading", name="What the team is trying")).to_be_visible()
    check_accessibility(page, "role-expert-cycle")

    before = page.get_by_role("region", name="What matters to people who use the service")
    before.get_by_label("What matters to me about this change").fill(what_matters)
    before.get_by_role("button", name="Save what matters to me").click()
    expect_banner(page, "Your view is saved. Thank you.")
    before = page.get_by_role("region", name="What matters to people who use the service")
    signed = before.get_by_role("listitem").filter(has_text=what_matters)
    expect(signed).to_contain_text("Evie Expert")

    after = page.get_by_role(
        "region", name="Did it make a difference to people who use the service?"
    )
    after.get_by_label("Did this make a difference to me?").fill(difference)
    after.get_by_role("button", name="Save my view").click()
    expect_banner(page, "Your view is saved. Thank you.")
    after = page.get_by_role(
        "region", name="Did it make a difference to people who use the service?"
    )
    expect(after.get_by_label("Did this make a difference to me?")).to_have_value(difference)
    expect(after.get_by_role("listitem").filter(has_text=difference)).to_contain_text("Evie Expert")

    comments = page.get_by_role("region", name="Comments")
    comments.get_by_label("Add a comment").fill(comment)
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.get_by_role("listitem").filter(has_text=comment)).to_contain_text("Evie Expert")
    check_accessibility(page, "role-expert-cycle-saved")

    # The team's worksheet shows the same views, signed.
    page.get_by_role("link", name="The team's full worksheet for this test").click()
    plan = stage(page, "Plan")
    expect(plan.get_by_role("listitem").filter(has_text=what_matters)).to_contain_text(
        "Evie Expert"
    )
    expect(plan.get_by_label("What matters to me about this change")).to_have_value(what_matters)


def test_coordinator_finds_late_and_stalled_teams_and_scores_a_report(page: Page) -> None:
    justification = "Role journey: two adopted changes and a signal that has held"
    sign_in(page, "coordinator@example.org")
    expect(page.get_by_role("heading", name="Hello, Chidi Coordinator")).to_be_visible()
    check_accessibility(page, "role-coordinator-home")
    open_coordinators_view(page, "role-coordinator-collaborative")
    check_accessibility(page, "role-coordinator-dashboard")

    calls = page.locator("#call-list > li")
    late = calls.filter(has=page.get_by_role("link", name="North Locality Social Work"))
    expect(late).to_contain_text(re.compile(r"The report for \w+ \d{4} is late"))
    stalled = calls.filter(has=page.get_by_role("link", name="Carers Together"))
    expect(stalled).to_contain_text("No work on tests of change for")
    table = page.get_by_role("table", name=re.compile("^Every team for"))
    expect(table.get_by_role("row").filter(has_text="Carers Together")).to_contain_text("Stalled")

    # Drill down into a team without leaving the page, then open its latest submitted report.
    table.get_by_role("link", name="Meadowbank Home Care").click()
    detail = page.locator("#team-detail")
    expect(detail.get_by_role("heading", name="Meadowbank Home Care")).to_be_visible()
    check_accessibility(page, "role-coordinator-team")
    detail.get_by_role("link", name=re.compile("^Read and score the report for")).first.click()
    heading(page, re.compile("^Report for "))
    expect(page.locator("#coordinator-score-value")).to_contain_text("Not scored yet")
    check_accessibility(page, "role-coordinator-report")

    score_report(page, justification)
    expect_scored(page, justification)
    check_accessibility(page, "role-coordinator-scored")
    page.reload()
    expect_scored(page, justification)


def test_panel_member_filters_prints_and_downloads(page: Page) -> None:
    sign_in(page, "panel@example.org")
    expect(page.get_by_role("heading", name="Hello, Priya Panel")).to_be_visible()
    check_accessibility(page, "role-panel-home")
    open_collaborative(page, "role-panel-collaborative")
    page.get_by_role("link", name=PANEL_SUMMARY).click()
    heading(page, "Strategic panel summary")
    check_accessibility(page, "role-panel-summary")

    filter_panel_by_team(page, "Meadowbank Home Care")
    expect_one_team(page, "Meadowbank Home Care", "3")
    check_accessibility(page, "role-panel-one-team")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download this summary as CSV").click()
    rows = list(csv.reader(io.StringIO(downloaded_text(csv_download.value))))
    assert rows[0][:2] == ["Team", "Measure"], rows[0]
    # The team's own rows, then the totals over the teams shown ("All teams (1)").
    teams = {row[0] for row in rows[1:]}
    assert "Meadowbank Home Care" in teams, rows
    # First, the note on what small numbers are hidden and why.
    assert rows[1][0] == "About small numbers", rows[1]
    assert "To protect people" in rows[1][1]
    teams.discard("About small numbers")
    assert {team for team in teams if not team.startswith("All teams")} == {
        "Meadowbank Home Care"
    }, rows

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download this summary as XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    workbook = open_workbook(xlsx_download.value)
    cells = {cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row}
    assert "Meadowbank Home Care" in cells
    workbook.close()

    with page.expect_download() as measures_download:
        page.get_by_role("link", name="CSV of the measures' data").click()
    header = downloaded_text(measures_download.value).splitlines()[0]
    assert header.startswith("Team,Measure,Kind of measure"), header

    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("header, nav")).to_have_count(0)
    expect(page.get_by_role("link", name="Skip to main content")).to_have_count(0)
    expect(page.get_by_text("Meadowbank Home Care").first).to_be_visible()
    check_accessibility(page, "role-panel-print")


# 6: the keyboard alone ---------------------------------------------------------------------------


def test_keyboard_only_team_member_records_this_months_value(page: Page) -> None:
    keyboard_sign_in(page, "member@example.org")
    activate(page, page.get_by_role("link", name=TEAM, exact=True).first)
    heading(page, TEAM)
    activate(page, page.get_by_role("table", name=f"Aims of {TEAM}").get_by_role("link", name=AIM))
    heading(page, AIM)
    activate(page, page.get_by_role("link", name="Handover length", exact=True), limit=80)
    heading(page, "Handover length")
    check_accessibility(page, "role-keys-member-measure")

    # Through the table row by row to this month, type the number, Enter saves the row.
    type_into(page, value_box(page), "11", limit=400)
    page.keyboard.press("Enter")
    expect_saved(page, "11")
    check_accessibility(page, "role-keys-member-measure-saved")


def test_keyboard_only_coordinator_scores_a_report(page: Page) -> None:
    justification = "Role journey (keyboard): steady results over six months"
    keyboard_sign_in(page, "coordinator@example.org")
    activate(page, page.get_by_role("link", name=COLLABORATIVE, exact=True).first)
    heading(page, COLLABORATIVE)
    activate(page, page.get_by_role("link", name=COORDINATORS_VIEW))
    heading(page, "Coordinator's view")
    expect(page.locator("#call-list")).to_contain_text("North Locality Social Work")

    table = page.get_by_role("table", name=re.compile("^Every team for"))
    activate(page, table.get_by_role("link", name="Pathways Transitions Project"))
    detail = page.locator("#team-detail")
    expect(detail.get_by_role("heading", name="Pathways Transitions Project")).to_be_focused()
    check_accessibility(page, "role-keys-coordinator-team")
    activate(page, detail.get_by_role("link", name=re.compile("^Read and score the report")).first)
    heading(page, re.compile("^Report for "))
    check_accessibility(page, "role-keys-coordinator-report")

    # Tab into the group of scores, then the arrow keys choose one.
    scores = page.locator("#coordinator-score")
    tab_to(page, scores.get_by_role("radio").first, limit=120)
    arrow_to(page, scores.get_by_label(SCORE))
    assert_focus_visible(scores.get_by_label(SCORE))
    type_into(page, scores.get_by_label("Why this score?"), justification, limit=2)
    activate(page, scores.get_by_role("button", name="Save the score"), limit=3)
    expect_scored(page, justification)
    check_accessibility(page, "role-keys-coordinator-scored")


def test_keyboard_only_panel_member_filters_and_downloads(page: Page) -> None:
    keyboard_sign_in(page, "panel@example.org")
    activate(page, page.get_by_role("link", name=COLLABORATIVE, exact=True).first)
    heading(page, COLLABORATIVE)
    activate(page, page.get_by_role("link", name=PANEL_SUMMARY))
    heading(page, "Strategic panel summary")

    # A closed select changes with the arrow keys.
    team = page.get_by_label("Team", exact=True)
    tab_to(page, team)
    assert_focus_visible(team)
    for _ in range(10):
        if team.evaluate("select => select.selectedOptions[0].text") == "Riverside Care Home":
            break
        page.keyboard.press("ArrowDown")
    activate(page, page.get_by_role("button", name="Show", exact=True), limit=3)
    expect_one_team(page, "Riverside Care Home", "1")
    check_accessibility(page, "role-keys-panel-one-team")

    with page.expect_download() as csv_download:
        activate(page, page.get_by_role("link", name="Download this summary as CSV"))
    assert downloaded_text(csv_download.value).startswith("Team,Measure")
    with page.expect_download() as xlsx_download:
        activate(page, page.get_by_role("link", name="Download this summary as XLSX"), limit=2)
    open_workbook(xlsx_download.value).close()

    print_link = page.get_by_role("link", name="Print or save as PDF")
    tab_to(page, print_link, limit=5, backwards=True)
    assert_focus_visible(print_link)
    page.keyboard.press("Enter")
    expect(page.locator("header, nav")).to_have_count(0)
    expect(page.get_by_text("Showing the team Riverside Care Home")).to_be_visible()
    check_accessibility(page, "role-keys-panel-print")


# 7: JavaScript off -------------------------------------------------------------------------------


def test_without_javascript_a_member_records_a_value_and_plans_a_cycle(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(java_script_enabled=False)
    title = unique("Role journey: drinks trolley without JavaScript")
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="Hello, Mo Member")).to_be_visible()
    screenshot(page, "role-nojs-member-home")
    open_measure(page, "Handovers with a falls huddle")
    value_box(page).fill("52")
    value_box(page, "Out of").fill("60")
    with page.expect_navigation():
        page.locator("#data-entry").get_by_role("button", name=f"Save {THIS_MONTH:%B %Y}").click()
    expect_saved(page, "52")
    expect(value_box(page, "Out of")).to_have_value("60")
    screenshot(page, "role-nojs-member-measure-saved")

    page.get_by_role("link", name="Back to the aim").click()
    plan_a_test_of(page, "Afternoon drinks trolley").click()
    heading(page, re.compile("^Plan "))
    start_cycle(page, title, "Will people drink more in the afternoon?")
    expect(page.get_by_role("alert").filter(has_text=STARTED)).to_be_visible()
    plan_with_prediction(page, "Yes: two more cups a day each")
    screenshot(page, "role-nojs-member-cycle-planned")


def test_without_javascript_the_coordinator_scores_a_report(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(java_script_enabled=False)
    justification = "Role journey (no JavaScript): the buddy scheme is now how they work"
    sign_in(page, "coordinator@example.org")
    open_coordinators_view(page)
    screenshot(page, "role-nojs-coordinator-dashboard")
    table = page.get_by_role("table", name=re.compile("^Every team for"))
    table.get_by_role("link", name="Meadowbank Home Care").click()
    detail = page.locator("#team-detail")
    expect(detail.get_by_role("heading", name="Meadowbank Home Care")).to_be_visible()
    # The second submitted report: the first is the one the other coordinator journey scores.
    detail.get_by_role("link", name=re.compile("^Read and score the report for")).nth(1).click()
    heading(page, re.compile("^Report for "))
    with page.expect_navigation():
        score_report(page, justification)
    expect_scored(page, justification)
    screenshot(page, "role-nojs-coordinator-scored")


def test_without_javascript_the_panel_member_filters(make_page: Callable[..., Page]) -> None:
    page = make_page(java_script_enabled=False)
    sign_in(page, "panel@example.org")
    open_collaborative(page)
    page.get_by_role("link", name=PANEL_SUMMARY).click()
    heading(page, "Strategic panel summary")
    with page.expect_navigation():
        filter_panel_by_team(page, "Carers Together")
    expect_one_team(page, "Carers Together", "4")
    expect(page.get_by_label("Team", exact=True)).to_have_value("4")
    expect(page.get_by_role("link", name="Download this summary as CSV")).to_have_attribute(
        "href", re.compile(r"summary\.csv\?team=4$")
    )
    screenshot(page, "role-nojs-panel-one-team")
