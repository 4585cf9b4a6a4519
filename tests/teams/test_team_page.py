"""The team page's work: aims with their current cycles, overdue tasks, recent activity, and the
cycle list with its filter (a real GET form that htmx enhances).

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import CycleTask, Decision, Improved, Stage, utcnow
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, text_of
from tests.cycles.factories import make_aim, make_cycle, make_idea

RESULTS = {**HTMX, "HX-Target": "cycle-results"}
TODAY = date.today()


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def between(text: str, start: str, end: str) -> str:
    """The part of the page's text after `start` and before the next `end`."""
    return text.split(start, 1)[1].split(end, 1)[0]


def task(description, due_on, done=False):
    return {"description": description, "due_on": due_on, "done_at": utcnow() if done else None}


@pytest.fixture
def work(world):
    """Team A: an aim with two change ideas; on the first, a ramp of a closed adapted cycle and an
    open one in Do with tasks; on the second, one in Study. Team B has a cycle of its own."""
    aim = make_aim(world.team_a, title="Fewer falls")
    huddle = make_idea(aim, "Morning huddle")
    champion = make_idea(aim, "Falls champion", position=1)
    closed = make_cycle(
        huddle,
        title="Huddle, first try",
        stage=Stage.CLOSED,
        decision=Decision.ADAPT,
        improved=Improved.NOT_SURE,
        closed_at=utcnow(),
        starts_on=TODAY - timedelta(days=40),
        ends_on=TODAY - timedelta(days=30),
        tasks=[task("Old task never ticked", TODAY - timedelta(days=35))],
    )
    doing = make_cycle(
        huddle,
        ramp=closed.ramp,
        title="Huddle, one unit",
        stage=Stage.DO,
        owner_id=world.lead_a.id,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=10),
        tasks=[
            task("Print the sheet", TODAY - timedelta(days=9), done=True),
            task("Brief the night staff", TODAY - timedelta(days=2)),
            task("Ring the families", TODAY + timedelta(days=3)),
        ],
    )
    studying = make_cycle(
        champion,
        title="Champion week",
        stage=Stage.STUDY,
        starts_on=TODAY - timedelta(days=5),
        ends_on=TODAY,
    )
    other_team = make_cycle(
        make_idea(make_aim(world.team_b), "Team B idea"),
        title="Team B cycle",
        tasks=[task("Team B overdue task", TODAY - timedelta(days=1))],
    )
    return {
        "aim": aim,
        "huddle": huddle,
        "champion": champion,
        "doing": doing,
        "closed": closed,
        "studying": studying,
        "other_team": other_team,
    }


# Aims, current cycles and tasks ----------------------------------------------------------------


def test_aims_show_their_current_cycles_and_next_task(world, sign_in, work):
    text = visible(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    due = (TODAY - timedelta(days=2)).strftime("%-d %B %Y")
    assert (
        "Fewer falls 4 by 31 December 2026 Active "
        "Morning huddle: cycle 2 Stage: Do: trying the change. "
        f"Next task: Brief the night staff, due {due} (overdue)."
    ) in text
    assert "Falls champion: cycle 1 Stage: Study: looking at what happened. No tasks waiting." in (
        text
    )
    assert "Morning huddle: cycle 1" not in text.split("Overdue tasks")[0]  # closed: not current


def test_overdue_tasks_are_listed_oldest_first(world, sign_in, work):
    text = visible(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    section = between(text, "Overdue tasks", "Cycles Every test")
    due = (TODAY - timedelta(days=2)).strftime("%-d %B %Y")
    assert f"Brief the night staff Not given {due} Cycle 2: Huddle, one unit" in section
    assert "Print the sheet" not in section  # done
    assert "Ring the families" not in section  # not due yet
    assert "Old task never ticked" not in section  # its cycle is closed
    assert "Team B overdue task" not in section  # another team's


def test_a_team_with_nothing_yet_says_so(world, sign_in):
    text = visible(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    assert "No overdue tasks." in text
    assert "This team has not started a cycle yet." in text
    assert "Nothing has happened yet." in text


# Recent activity -------------------------------------------------------------------------------


def test_recent_activity_says_who_did_what(world, sign_in, client_for):
    aim = make_aim(world.team_a)
    idea = make_idea(aim)
    form = {
        "change_idea": str(idea.id),
        "title": "Huddle test",
        "starts_on": ["4", "5", "2026"],
        "ends_on": ["8", "5", "2026"],
        "objective": "Learn",
    }
    assert client_for(world.lead_a).post(f"/aims/{aim.id}/cycles/new", data=form).status_code == 303
    team_b_idea = make_idea(make_aim(world.team_b), "B idea")
    form_b = {**form, "change_idea": str(team_b_idea.id), "title": "Team B test"}
    client_for(world.member_b).post(f"/aims/{team_b_idea.aim_id}/cycles/new", data=form_b)

    text = visible(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    activity = between(text, "Recent activity", "People in this team")
    assert "Lead A planned cycle 1 ‘Huddle test’ to test ‘Morning huddle’ on " in activity
    assert "Team B test" not in activity


# The cycle list and its filter -----------------------------------------------------------------


def test_the_filter_is_a_real_get_form_that_htmx_enhances(world, sign_in, work):
    page = body(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    url = f"/teams/{world.team_a.id}"
    assert (
        f'<form method="get" action="{url}#cycles" hx-get="{url}" hx-target="#cycle-results" '
        'hx-swap="outerHTML" hx-push-url="true" novalidate>'
    ) in page
    for name in ("status", "idea", "decision"):
        assert f'<select class="govuk-select" id="{name}" name="{name}"' in page
    assert "Show cycles" in page
    assert '<div id="cycle-results"' in page


FILTERS = [
    ({}, ["Champion week", "Huddle, one unit", "Huddle, first try"]),
    ({"status": "open"}, ["Champion week", "Huddle, one unit"]),
    ({"status": "closed"}, ["Huddle, first try"]),
    ({"status": "do"}, ["Huddle, one unit"]),
    ({"status": "study"}, ["Champion week"]),
    ({"status": "act"}, []),
    ({"idea": "huddle"}, ["Huddle, one unit", "Huddle, first try"]),
    ({"idea": "champion", "status": "closed"}, []),
    ({"decision": "adapt"}, ["Huddle, first try"]),
    ({"decision": "adopt"}, []),
    (
        {"status": "", "idea": "", "decision": ""},
        ["Champion week", "Huddle, one unit", "Huddle, first try"],
    ),
]


def _query(work, filters):
    values = {
        key: (str(work[value].id) if key == "idea" and value else value)
        for key, value in filters.items()
    }
    return "&".join(f"{key}={value}" for key, value in values.items())


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
def test_the_cycle_list_filters_on_the_full_page(world, sign_in, work, filters, expected):
    response = sign_in(world.member_a).get(f"/teams/{world.team_a.id}?{_query(work, filters)}")
    assert response.status_code == 200
    results = between(visible(response), "Abandon Show cycles", "Recent activity")
    shown = [
        title
        for title in ("Champion week", "Huddle, one unit", "Huddle, first try")
        if f", {title} " in results
    ]
    assert sorted(shown) == sorted(expected), results
    assert "Team B cycle" not in results
    if not expected:
        assert "No cycles match your choices." in results


def test_the_newest_cycle_comes_first(world, sign_in, work):
    text = visible(sign_in(world.member_a).get(f"/teams/{world.team_a.id}"))
    results = between(text, "Abandon Show cycles", "Recent activity")
    assert results.index("Champion week") < results.index("Huddle, one unit")
    assert results.index("Huddle, one unit") < results.index("Huddle, first try")
    assert (
        "Morning huddle: cycle 2, Huddle, one unit Fewer falls "
        f"{(TODAY - timedelta(days=10)).strftime('%-d %b %Y')} to "
        f"{(TODAY + timedelta(days=10)).strftime('%-d %b %Y')} Lead A Do Not decided yet"
    ) in results


def test_the_filter_with_htmx_returns_only_the_results(world, sign_in, work):
    response = sign_in(world.member_a).get(
        f"/teams/{world.team_a.id}?status=closed", headers=RESULTS
    )
    assert response.status_code == 200
    page = body(response)
    assert page.startswith('<div id="cycle-results"') and page.endswith("</div>")
    assert "<html" not in page and "people-section" not in page
    assert "1 cycle matching your choices" in visible(response)
    assert "Huddle, first try" in page and "Champion week" not in page
    assert {"HX-Request", "HX-Target"} <= set(response.headers["Vary"].replace(" ", "").split(","))


@pytest.mark.parametrize("headers", [BOOSTED, HISTORY_RESTORE], ids=["boosted", "history"])
def test_a_pushed_filter_url_restores_the_whole_page(world, sign_in, work, headers):
    response = sign_in(world.member_a).get(
        f"/teams/{world.team_a.id}?status=closed", headers={**headers, "HX-Target": "cycle-results"}
    )
    assert response.status_code == 200
    page = body(response)
    assert page.startswith("<!DOCTYPE html>")
    assert '<option value="closed" selected' in page


def test_other_partial_requests_still_get_the_people(world, sign_in, work):
    response = sign_in(world.member_a).get(f"/teams/{world.team_a.id}", headers=HTMX)
    assert body(response).startswith('<section id="people-section"')


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("idea=abc", "That change idea is not one of this team's"),
        ("idea={team_b_idea}", "That change idea is not one of this team's"),
        ("idea=99999999999", "That change idea is not one of this team's"),
        ("status=finished", "Choose a status from the list"),
        ("decision=maybe", "Choose adopt, adapt, abandon or any"),
    ],
    ids=["malformed-idea", "other-teams-idea", "unknown-idea", "status", "decision"],
)
@pytest.mark.parametrize("headers", [{}, RESULTS], ids=["page", "htmx"])
def test_a_malformed_filter_is_a_bad_request(world, sign_in, work, query, message, headers):
    team_b_idea = work["other_team"].ramp.change_idea_id
    response = sign_in(world.member_a).get(
        f"/teams/{world.team_a.id}?{query.format(team_b_idea=team_b_idea)}", headers=headers
    )
    assert response.status_code == 400
    assert message in visible(response)
    assert "Team B cycle" not in visible(response)


@pytest.mark.parametrize("who", ["coordinator_x", "panel_x", "expert_a", "admin"])
def test_those_who_may_see_the_team_see_its_cycles(world, client_for, work, who):
    response = client_for(getattr(world, who)).get(f"/teams/{world.team_a.id}?status=open")
    assert response.status_code == 200
    assert "Champion week" in visible(response)


@pytest.mark.parametrize("who", ["member_b", "coordinator_y", "nobody"])
def test_a_filter_does_not_open_another_teams_page(world, client_for, work, who):
    response = client_for(getattr(world, who)).get(f"/teams/{world.team_a.id}?status=open")
    assert response.status_code == 404


# A fixed number of queries -----------------------------------------------------------------------


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _add_work(world, aims: int, cycles_per_aim: int) -> None:
    for number in range(aims):
        idea = make_idea(make_aim(world.team_a, title=f"Aim {number}"), f"Idea {number}")
        for cycle_number in range(cycles_per_aim):
            make_cycle(
                idea,
                title=f"Cycle {number}.{cycle_number}",
                owner_id=world.lead_a.id,
                stage=Stage.DO,
                tasks=[
                    task("Overdue", TODAY - timedelta(days=1)),
                    task("Next", TODAY + timedelta(days=1)),
                ],
            )


def test_the_team_page_makes_the_same_number_of_queries_however_much_work(
    world, client_for, make_user
):
    client = client_for(world.member_a)
    url = f"/teams/{world.team_a.id}"
    _add_work(world, aims=1, cycles_per_aim=1)
    client.get(url)  # warm the session
    with counting_queries() as small:
        assert client.get(url).status_code == 200

    _add_work(world, aims=4, cycles_per_aim=3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CycleTask)) == 26
    with counting_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert visible(response).count("Next task: Overdue") == 13
    assert len(large) == len(small), "\n".join(large)


def test_a_long_cycle_list_comes_a_page_at_a_time(world, sign_in, make_user):
    """A team that tests often: the list shows the newest 25, with older ones a page away
    (the whole list made the team page slow as it grew); a wrong page number is not found."""
    aim = make_aim(world.team_a)
    idea = make_idea(aim, title="Night checks")
    for day in range(30):
        start = TODAY - timedelta(days=day)
        make_cycle(idea, title=f"Check {day:02d}", starts_on=start, ends_on=start)
    client = sign_in(world.member_a)
    first = visible(client.get(f"/teams/{world.team_a.id}"))
    assert "30 cycles, newest first: page 1 of 2" in first
    assert "Check 00" in first and "Check 24" in first and "Check 25" not in first
    page = body(client.get(f"/teams/{world.team_a.id}"))
    assert f"/teams/{world.team_a.id}?cycles_page=2#cycles" in page
    second = visible(client.get(f"/teams/{world.team_a.id}?cycles_page=2"))
    assert "Check 25" in second and "Check 29" in second and "Check 24" not in second
    assert "Newer cycles" in second and "Older cycles" not in second
    # The filter's choices stay with the pages.
    filtered = body(client.get(f"/teams/{world.team_a.id}?status=open"))
    assert "status=open" in filtered.split("Older cycles")[0].rsplit("href=", 1)[1]
    for wrong in ("3", "0", "two", "²"):
        assert client.get(f"/teams/{world.team_a.id}?cycles_page={wrong}").status_code == 404
