"""A team's own improvement work in a real browser: an aim, its driver diagram, and a ramp of two
PDSA cycles (adapted, then adopted); and an expert by experience adding their view. Every page
and state visited is checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import TEAM, sign_in

DIAGRAM = "What changes can we make that will result in improvement?"
FEW_PRIMARIES = "Most aims have between 2 and 5"
TODAY = date.today()


def unique(text: str) -> str:
    """Names no other test (or earlier run on the same server) uses."""
    return f"{text} {uuid4().hex[:6]}"


@dataclass
class Names:
    aim: str
    primary: str
    other_primary: str
    secondary: str
    idea: str

    @classmethod
    def new(cls) -> Names:
        return cls(
            aim=unique("Fewer falls at night"),
            primary=unique("Staff know who is at risk of falling"),
            other_primary=unique("Rooms are safe at night"),
            secondary=unique("Falls risk is checked when someone moves in"),
            idea=unique("Night lights in every bedroom"),
        )


# Small steps a user takes -----------------------------------------------------------------------


def fill_date(scope: Page | Locator, legend: str, day: date) -> None:
    """A GOV.UK date input: three boxes in a fieldset named by its legend."""
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def open_team_page(page: Page) -> None:
    page.get_by_role("link", name=TEAM, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=TEAM)).to_be_visible()


def fill_aim(page: Page, names: Names) -> None:
    page.get_by_label("Short name for the aim").fill(names.aim)
    page.get_by_label("What are you trying to improve?").fill("Reduce falls at night")
    page.get_by_label("Who is it for?").fill("The 32 people who live at Riverside")
    page.get_by_label("Where?").fill("Riverside Care Home, ground floor")
    page.get_by_label("What are you counting? (optional)").fill("falls a month")
    page.get_by_label("Where are you now? (optional)").fill("9")
    page.get_by_label("Target", exact=True).fill("4")
    fill_date(page, "By when?", date(TODAY.year + 1, 3, 31))


def diagram_of(page: Page) -> Locator:
    return page.get_by_role("region", name=DIAGRAM)


def tree_of(page: Page) -> Locator:
    """The diagram itself (not the forms under it), as a screen reader meets it."""
    return diagram_of(page).get_by_role("list", name=re.compile("^Driver diagram of the aim"))


def add_to_diagram(page: Page, summary: str, fill: Callable[[Locator], None], button: str) -> None:
    """Open one of the "Add to the diagram" forms, fill it and send it (htmx swaps the diagram)."""
    diagram = diagram_of(page)
    form = diagram.locator("details").filter(has=page.get_by_text(summary, exact=True))
    if form.get_attribute("open") is None:
        form.get_by_text(summary, exact=True).click()
    fill(form)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name=button).click()
    assert answer.value.status == 200, f"{button}: {answer.value.status}"
    assert answer.value.request.headers.get("hx-request") == "true"


def add_primary(page: Page, title: str) -> None:
    add_to_diagram(
        page,
        "Add a primary driver",
        lambda form: form.get_by_label("Primary driver", exact=True).fill(title),
        "Add primary driver",
    )
    expect(tree_of(page).get_by_text(title, exact=True)).to_be_visible()


def add_secondary(page: Page, title: str, feeds: str) -> None:
    def fill(form: Locator) -> None:
        form.get_by_label("Secondary driver", exact=True).fill(title)
        form.get_by_role("group", name="Which primary drivers does it affect?").get_by_label(
            feeds
        ).check()

    add_to_diagram(page, "Add a secondary driver", fill, "Add secondary driver")
    expect(tree_of(page).get_by_text(title, exact=True)).to_be_visible()


def add_idea(page: Page, title: str, under: str) -> None:
    def fill(form: Locator) -> None:
        form.get_by_label("Change idea", exact=True).fill(title)
        form.get_by_label("More about the idea (optional)").fill("Suggested by the night staff")
        form.get_by_label("Which driver does it work on?").select_option(
            label=f"Secondary driver: {under}"
        )

    add_to_diagram(page, "Add a change idea", fill, "Add change idea")
    expect(tree_of(page).get_by_text(title, exact=True)).to_be_visible()


def plan_a_test_of(page: Page, idea: str) -> Locator:
    return tree_of(page).get_by_role(
        "link", name=re.compile(rf"^Plan a test of this idea ‘{re.escape(idea)}’$")
    )


def expect_banner(scope: Page | Locator, text: str) -> None:
    """A success banner saying `text` (earlier banners may still be on the page)."""
    expect(scope.get_by_role("alert").filter(has_text=text)).to_be_visible()


def stage(page: Page | Locator, name: str) -> Locator:
    """One stage of the PDSA worksheet: the Plan, Do, Study or Act section."""
    return page.get_by_role("region", name=name, exact=True)


def start_cycle(page: Page, title: str, objective: str | None) -> None:
    """On the new cycle form: name, leader, dates (and objective), then "Start planning"."""
    page.get_by_label("Name of this test").fill(title)
    page.get_by_label("Who is leading this test (optional)").select_option(label="Lena Lead")
    fill_date(page, "Start date", TODAY)
    fill_date(page, "End date", TODAY + timedelta(days=7))
    if objective is not None:
        page.get_by_label("What do you want to learn from this test?").fill(objective)
    page.get_by_role("button", name="Start planning").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def save_plan(page: Page, question: str, prediction: str) -> None:
    plan = stage(page, "Plan")
    plan.get_by_label("Question", exact=True).first.fill(question)
    plan.get_by_label("Prediction", exact=True).first.fill(prediction)
    plan.get_by_label("Who will do it?", exact=True).fill("The night shift")
    plan.get_by_label("What will they do?").fill("Switch on a night light in each bedroom")
    plan.get_by_label("Where?", exact=True).fill("Ground floor bedrooms")
    plan.get_by_label("When?", exact=True).fill("Every night for one week")
    plan.get_by_label("How will you know what happened?").fill("Count falls at night")
    plan.get_by_label("Who will collect the information?").fill("The night shift leader")
    plan.get_by_role("button", name="Save the plan").click()
    expect_banner(plan, "Plan saved.")
    expect(plan.get_by_role("group", name="Question 1")).to_be_visible()
    # Saving the plan unlocks the Do stage, which htmx fetches again.
    expect(stage(page, "Do").get_by_role("button", name="Save the Do stage")).to_be_visible()


def add_task(page: Page, task: str, due: date) -> None:
    plan = stage(page, "Plan")
    plan.get_by_label("Task", exact=True).fill(task)
    plan.get_by_label("Who will do it (optional)").fill("Night shift leader")
    fill_date(plan, "When must it be done by?", due)
    plan.get_by_role("button", name="Add task").click()
    expect_banner(plan, f"Task ‘{task}’ added.")
    expect(plan.get_by_role("table", name="Tasks for this cycle")).to_contain_text(task)


def record_do(page: Page) -> None:
    do = stage(page, "Do")
    do.get_by_role("group", name="Did you carry out the test as planned?").get_by_label(
        "Yes", exact=True
    ).check()
    do.get_by_label("What happened?", exact=True).fill("Lights were on in 10 of 12 rooms")
    do.get_by_label("Problems and surprises (optional)").fill("Two people found them too bright")
    do.get_by_role("button", name="Save the Do stage").click()
    expect_banner(do, "Do stage saved.")
    expect(stage(page, "Study").get_by_role("button", name="Save the Study stage")).to_be_visible()


def record_study(page: Page, result: str) -> None:
    study = stage(page, "Study")
    study.get_by_label("What actually happened?").first.fill(result)
    study.get_by_label("What did you learn? (optional)").first.fill("Dimmer lights suit some")
    study.get_by_role("group", name="Did the change lead to improvement?").get_by_label(
        "Yes", exact=True
    ).check()
    study.get_by_label("Why do you think that?").fill("Falls at night went down")
    study.get_by_role("button", name="Save the Study stage").click()
    expect_banner(study, "Study stage saved.")
    act = stage(page, "Act")
    expect(act.get_by_role("button", name="Save the decision and close the cycle")).to_be_visible()


def record_act(page: Page, decision: str, next_steps: str) -> None:
    act = stage(page, "Act")
    act.get_by_role("group", name="What will you do with this change?").get_by_label(
        decision, exact=True
    ).check()
    act.get_by_label("What next?").fill(next_steps)
    act.get_by_role("button", name="Save the decision and close the cycle").click()
    expect_banner(act, "Decision saved. This cycle is now closed.")
    # The other blocks of the worksheet refresh themselves once the cycle closes.
    expect(page.get_by_text("This cycle is closed")).to_be_visible()
    for name in ("Plan", "Do", "Study"):
        expect(stage(page, name).get_by_role("button")).to_have_count(0)
    expect(stage(page, "Plan").get_by_role("textbox")).to_have_count(0)


def plant_the_idea(page: Page, names: Names) -> None:
    """From the signed-in lead's home page: a new aim with one driver and one change idea."""
    open_team_page(page)
    page.get_by_role("link", name=re.compile("^Set a new aim")).click()
    fill_aim(page, names)
    page.get_by_role("button", name="Save the aim").click()
    expect(page.get_by_role("heading", level=1, name=names.aim)).to_be_visible()
    add_primary(page, names.primary)
    add_secondary(page, names.secondary, names.primary)
    add_idea(page, names.idea, names.secondary)


# The journeys ------------------------------------------------------------------------------------


def test_team_lead_goes_from_a_new_aim_to_two_cycles_in_one_ramp(page: Page) -> None:
    names = Names.new()
    sign_in(page, "lead@example.org")
    expect(page.get_by_role("heading", name="Hello, Lena Lead")).to_be_visible()
    open_team_page(page)
    check_accessibility(page, "journey-team")

    # 1. The aim: refused empty ("some is not a number, soon is not a time"), then set.
    page.get_by_role("link", name=re.compile("^Set a new aim")).click()
    expect(page.get_by_role("heading", level=1, name="Set a new aim")).to_be_visible()
    check_accessibility(page, "journey-aim-new")
    page.get_by_role("button", name="Save the aim").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in (
        "Enter a short name for the aim",
        "Say what you are trying to improve",
        "Say who the aim is for",
        "Say where this will happen",
        "“some” is not a number",
        "“soon” is not a time",
    ):
        expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page, "journey-aim-errors")

    fill_aim(page, names)
    page.get_by_role("button", name="Save the aim").click()
    expect(page.get_by_role("heading", level=1, name=names.aim)).to_be_visible()
    expect_banner(page, f"Aim ‘{names.aim}’ set.")
    expect(page.get_by_role("region", name="What are we trying to accomplish?")).to_contain_text(
        f"From 9 to 4 falls a month by 31 March {TODAY.year + 1}"
    )
    diagram = diagram_of(page)
    expect(diagram.get_by_text("This aim has no primary drivers yet.")).to_be_visible()
    check_accessibility(page, "journey-aim")

    # 2. The driver diagram, edited in place: the page itself is never reloaded.
    aim_url = page.url
    page.locator("h1").evaluate("heading => heading.dataset.probe = 'kept'")

    add_primary(page, names.primary)
    expect(diagram.get_by_text("This aim has only 1 primary driver.")).to_be_visible()
    expect(diagram.get_by_text(FEW_PRIMARIES)).to_be_visible()
    check_accessibility(page, "journey-diagram-one-primary")

    add_primary(page, names.other_primary)
    expect(diagram.get_by_text(FEW_PRIMARIES)).to_have_count(0)
    check_accessibility(page, "journey-diagram-two-primaries")

    add_secondary(page, names.secondary, names.primary)
    add_idea(page, names.idea, names.secondary)
    assert page.url == aim_url
    expect(page.locator("h1")).to_have_attribute("data-probe", "kept")

    # What a screen reader reads: aim > primary > secondary > change idea, as nested lists.
    tree = tree_of(page)
    expect(tree).to_have_accessible_name(f"Driver diagram of the aim ‘{names.aim}’")
    expect(tree).to_match_aria_snapshot(
        f"""
        - list:
          - listitem:
            - text: Aim {names.aim} From 9 to 4 falls a month by 31 March {TODAY.year + 1}
            - list:
              - listitem:
                - text: Primary driver {names.primary}
                - list:
                  - listitem:
                    - text: Secondary driver {names.secondary}
                    - list:
                      - listitem:
                        - text: Change idea {names.idea} Suggested by the night staff
              - listitem:
                - text: Primary driver {names.other_primary}
                - list:
                  - listitem: No secondary drivers yet
        """
    )
    check_accessibility(page, "journey-diagram")

    # 3. Cycle 1, planned from the change idea, then Do, Study and Act = adapt.
    plan_a_test_of(page, names.idea).click()
    expect(page.get_by_role("heading", level=1, name="Plan a new cycle")).to_be_visible()
    expect(
        page.get_by_label("Which change idea are you testing?").locator("option:checked")
    ).to_have_text(names.idea)
    check_accessibility(page, "journey-cycle-new")

    objective = "Will night lights help people get up safely?"
    question = "Will people who get up at night fall less?"
    start_cycle(page, "Night lights on the ground floor", objective)
    expect_banner(page, "Cycle 1 started.")
    expect(page.get_by_text(f"cycle 1 testing ‘{names.idea}’")).to_be_visible()
    expect(stage(page, "Do")).to_contain_text("You can record this once the plan has")
    check_accessibility(page, "journey-cycle-1-plan")

    save_plan(page, question, "Yes: 2 falls at night instead of 5")
    add_task(page, "Buy twelve night lights", TODAY + timedelta(days=2))
    check_accessibility(page, "journey-cycle-1-planned")
    record_do(page)
    check_accessibility(page, "journey-cycle-1-done")
    record_study(page, "3 falls at night")
    check_accessibility(page, "journey-cycle-1-studied")
    record_act(page, "Adapt", "Try dimmer lights on both floors")
    act = stage(page, "Act")
    expect(act).to_contain_text("You decided to adapt the change")
    check_accessibility(page, "journey-cycle-1-closed")

    # 4. Cycle 2 of the same ramp, its plan copied from cycle 1; adopted.
    act.get_by_role("link", name="Plan the next cycle in this ramp").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Plan cycle 2 testing ‘{names.idea}’")
    ).to_be_visible()
    expect(page.get_by_label("What do you want to learn from this test?")).to_have_value(objective)
    expect(page.get_by_text(question)).to_be_visible()
    expect(page.get_by_text("Try dimmer lights on both floors")).to_be_visible()
    check_accessibility(page, "journey-cycle-2-new")

    start_cycle(page, "Dimmer night lights on both floors", None)
    expect_banner(page, "Cycle 2 started.")
    expect(page.get_by_text(f"cycle 2 testing ‘{names.idea}’")).to_be_visible()
    plan = stage(page, "Plan")
    expect(
        plan.get_by_text("This plan starts as a copy of the previous cycle's plan")
    ).to_be_visible()
    expect(plan.get_by_label("What do you want to learn from this test?")).to_have_value(objective)
    expect(plan.get_by_label("Question", exact=True).first).to_have_value(question)
    check_accessibility(page, "journey-cycle-2-plan")

    save_plan(page, question, "Yes: at most 2 falls at night")
    add_task(page, "Fit dimmer bulbs upstairs", TODAY + timedelta(days=1))
    record_do(page)
    record_study(page, "1 fall at night")
    record_act(page, "Adopt", "Make night lights part of every room check")
    expect(stage(page, "Act")).to_contain_text("You decided to adopt the change")
    check_accessibility(page, "journey-cycle-2-closed")

    # 5. The ramp, then the team page with its cycle list and filter.
    page.get_by_role("link", name="See every cycle in this ramp").click()
    expect(page.get_by_role("heading", level=1, name=names.idea)).to_be_visible()
    rows = page.get_by_role("table", name="Cycles in this ramp, in order").get_by_role("row")
    expect(rows).to_have_count(3)  # header and two cycles
    expect(rows.nth(1)).to_contain_text("1. Night lights on the ground floor")
    expect(rows.nth(1)).to_contain_text("Adapt:")
    expect(rows.nth(2)).to_contain_text("2. Dimmer night lights on both floors")
    expect(rows.nth(2)).to_contain_text("Adopt:")
    check_accessibility(page, "journey-ramp")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TEAM).click()
    expect(page.get_by_role("heading", level=1, name=TEAM)).to_be_visible()
    expect(page.get_by_role("table", name=f"Aims of {TEAM}")).to_contain_text(names.aim)
    cycles = page.get_by_role("region", name="Cycles", exact=True)
    first = cycles.get_by_role("link", name=f"{names.idea}: cycle 1,")
    second = cycles.get_by_role("link", name=f"{names.idea}: cycle 2,")
    for number, decision in ((1, "Adapt"), (2, "Adopt")):
        link = page.get_by_role("link", name=f"{names.idea}: cycle {number},")
        row = cycles.get_by_role("row").filter(has=link)
        expect(row.get_by_role("cell").nth(4)).to_have_text("Closed")
        expect(row.get_by_role("cell").nth(5)).to_have_text(decision)
    check_accessibility(page, "journey-team-with-cycles")

    team_url = page.url
    page.locator("h1").evaluate("heading => heading.dataset.probe = 'kept'")
    cycles.get_by_label("Decision").select_option(label="Adopt")
    cycles.get_by_role("button", name="Show cycles").click()
    expect(first).to_have_count(0)
    expect(second).to_be_visible()
    expect(cycles.get_by_role("table")).to_contain_text("matching your choices")
    expect(page).to_have_url(re.compile(r"[?&]decision=adopt(&|$)"))
    assert page.url.startswith(team_url)
    expect(page.locator("h1")).to_have_attribute("data-probe", "kept")
    check_accessibility(page, "journey-team-cycles-adopted")

    # 6. The aim's history records who set it.
    page.get_by_role("table", name=f"Aims of {TEAM}").get_by_role("link", name=names.aim).click()
    expect(page.get_by_role("heading", level=1, name=names.aim)).to_be_visible()
    page.get_by_role("link", name="History of this aim: who changed what, and when").click()
    expect(page.get_by_role("heading", name="Lena Lead added this aim")).to_be_visible()
    added = page.get_by_role("table", name="What it said when it was added")
    expect(added).to_contain_text(names.aim)
    check_accessibility(page, "journey-aim-history")


def test_expert_by_experience_adds_their_view_and_a_comment(
    make_page: Callable[..., Page],
) -> None:
    names = Names.new()
    cycle_title = "Night lights for one week"
    lead = make_page()
    sign_in(lead, "lead@example.org")
    plant_the_idea(lead, names)
    plan_a_test_of(lead, names.idea).click()
    start_cycle(lead, cycle_title, "Will night lights help people get up safely?")
    save_plan(lead, "Will people fall less at night?", "Yes, about half as often")

    page = make_page()
    sign_in(page, "expert@example.org")
    expect(page.get_by_role("heading", name="Hello, Evie Expert")).to_be_visible()
    open_team_page(page)
    page.get_by_role("table", name=f"Aims of {TEAM}").get_by_role("link", name=names.aim).click()
    expect(page.get_by_role("heading", level=1, name=names.aim)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=re.compile("^Change the aim"))).to_have_count(0)
    expect(main.get_by_text("Add to the diagram")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^Plan a "))).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^(Change|Remove|Move)"))).to_have_count(0)
    expect(main.get_by_label("Add a comment")).to_be_visible()
    check_accessibility(page, "expert-aim")

    main.get_by_role("link", name=f"Cycle 1: {cycle_title}").click()
    expect(page.get_by_role("heading", level=1, name=cycle_title)).to_be_visible()
    # Only their own two views and a comment can be written; nothing else is a control.
    expect(main.get_by_role("textbox")).to_have_count(3)
    expect(main.get_by_label("What matters to me about this change")).to_be_editable()
    expect(main.get_by_label("Did this make a difference to me?")).to_be_editable()
    expect(main.get_by_label("Add a comment")).to_be_editable()
    expect(main.get_by_role("radio")).to_have_count(0)
    expect(main.get_by_role("checkbox")).to_have_count(0)
    expect(main.get_by_role("combobox")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_text(
        ["Save what matters to me", "Save my view", "Add comment"]
    )
    expect(main.get_by_role("link", name=re.compile("^Change the name"))).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^Remove"))).to_have_count(0)
    # The cycle in plain words (issue 17, point 5): the team's question and what it expects.
    expect(main).to_contain_text("They asked: Will people fall less at night?")
    expect(main).to_contain_text("They expect: Yes, about half as often")
    check_accessibility(page, "expert-cycle")

    cycle_url = page.url
    assert cycle_url.endswith("/plain-words")
    view = "Bright lights wake me up; a soft light would help me feel safe"
    main.get_by_label("What matters to me about this change").fill(view)
    main.get_by_role("button", name="Save what matters to me").click()
    expect_banner(page, "Your view is saved. Thank you.")
    region = page.get_by_role("region", name="What matters to people who use the service")
    expect(region.get_by_role("listitem").filter(has_text=view)).to_contain_text("Evie Expert")
    expect(region.get_by_label("What matters to me about this change")).to_have_value(view)
    assert page.url.split("#")[0] == cycle_url
    check_accessibility(page, "expert-cycle-view-saved")

    comment = "Could people choose how bright their own light is?"
    comments = main.get_by_role("region", name="Comments")
    comments.get_by_label("Add a comment").fill(comment)
    comments.get_by_role("button", name="Add comment").click()
    item = comments.get_by_role("listitem").filter(has_text=comment)
    expect(item).to_contain_text("Evie Expert")
    expect(comments.get_by_label("Add a comment")).to_have_value("")
    assert page.url.split("#")[0] == cycle_url
    check_accessibility(page, "expert-cycle-commented")

    lead.reload()
    expect(stage(lead, "Plan")).to_contain_text(view)
    expect(lead.get_by_role("region", name="Comments")).to_contain_text(comment)
