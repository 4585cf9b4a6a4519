"""The home page: each person sees what their roles give them, and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from improve.extensions import db
from improve.models import MonthlyReport, ReportStatus, Role
from tests.conftest import BOOSTED, HTMX, text_of

# What each role sees ----------------------------------------------------------------------------

COORDINATE = "Collaboratives you coordinate"
REVIEW = "Collaboratives you review"
EVERYTHING = "All collaboratives"
YOUR_TEAMS = "Your teams"
NO_ROLES = "You are not part of a team or collaborative yet"
START = "Start a new collaborative"

HOME_BY_ROLE = [
    (
        "member_a",
        [YOUR_TEAMS, "Team A", "your role: Team member", "part of Collaborative X"],
        ["Team B", "Team C", COORDINATE, REVIEW, EVERYTHING, NO_ROLES, START],
    ),
    (
        "lead_a",
        [YOUR_TEAMS, "Team A", "your role: Team lead"],
        ["Team B", "Team C", COORDINATE, REVIEW, EVERYTHING, START],
    ),
    (
        "expert_a",
        [YOUR_TEAMS, "Team A", "your role: Expert by experience"],
        ["Team B", "Team C", COORDINATE, REVIEW, EVERYTHING, START],
    ),
    (
        "member_c",
        [YOUR_TEAMS, "Team C", "part of Collaborative Y"],
        ["Team A", "Team B", "Collaborative X", COORDINATE, REVIEW, EVERYTHING],
    ),
    (
        "coordinator_x",
        [COORDINATE, "Collaborative X", "2 teams", START],
        ["Collaborative Y", YOUR_TEAMS, REVIEW, EVERYTHING, NO_ROLES],
    ),
    (
        "coordinator_y",
        [COORDINATE, "Collaborative Y", "1 team ", START],
        ["Collaborative X", YOUR_TEAMS, REVIEW, EVERYTHING],
    ),
    (
        "panel_x",
        [REVIEW, "Collaborative X", "You cannot change the teams"],
        ["Collaborative Y", YOUR_TEAMS, COORDINATE, EVERYTHING, START],
    ),
    (
        "admin",
        [EVERYTHING, "Collaborative X", "Collaborative Y", START],
        [YOUR_TEAMS, COORDINATE, REVIEW, NO_ROLES],
    ),
    (
        "nobody",
        [NO_ROLES, "nobody@example.org"],
        [YOUR_TEAMS, "Collaborative X", "Collaborative Y", "Team A", COORDINATE, REVIEW, START],
    ),
]


@pytest.mark.parametrize(("who", "shown", "hidden"), HOME_BY_ROLE, ids=[r[0] for r in HOME_BY_ROLE])
def test_home_and_navigation_show_what_each_role_gives(client, world, sign_in, who, shown, hidden):
    person = getattr(world, who)
    response = sign_in(person).get("/")
    assert response.status_code == 200
    text = text_of(response)
    assert f"Hello, {person.display_name}" in text
    for words in shown:
        assert words in text
    for words in hidden:
        assert words not in text
    # The navigation offers "Accounts" to site admins only.
    assert ('href="/admin/users"' in response.get_data(as_text=True)) is (who == "admin")
    assert ("Accounts" in text) is (who == "admin")
    assert "Your account" in text
    assert "Sign out" in text


def test_team_links_lead_to_the_team_pages(client, world, sign_in):
    html = sign_in(world.member_a).get("/").get_data(as_text=True)
    assert f'href="/teams/{world.team_a.id}"' in html
    assert f'href="/teams/{world.team_b.id}"' not in html


def test_collaborative_links_lead_to_the_collaborative_pages(client, world, sign_in):
    html = sign_in(world.coordinator_x).get("/").get_data(as_text=True)
    assert f'href="/collaboratives/{world.x.id}"' in html
    assert f'href="/collaboratives/{world.y.id}"' not in html


def test_person_with_several_roles_sees_each_section(client, world, sign_in, grant):
    grant(world.member_c, Role.PANEL_MEMBER, world.x)
    text = text_of(sign_in(world.member_c).get("/"))
    assert YOUR_TEAMS in text and "Team C" in text
    assert REVIEW in text and "Collaborative X" in text
    assert NO_ROLES not in text


@pytest.mark.parametrize("headers", [{}, HTMX, BOOSTED], ids=["plain", "htmx", "boosted"])
def test_home_is_a_whole_page_whatever_the_request(client, world, sign_in, headers):
    response = sign_in(world.member_a).get("/", headers=headers)
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith("<!DOCTYPE html>")
    assert "HX-Request" in response.headers["Vary"]


# What to do next ---------------------------------------------------------------------------------

JUNE_5 = date(2026, 6, 5)  # April's report was due on 10 May; May's is due on 10 June


@pytest.fixture
def on_june_5(monkeypatch, world):
    monkeypatch.setattr("improve.home.views.today", lambda: JUNE_5)
    # The teams were there from the start of the year, as a June clock expects.
    for team in (world.team_a, world.team_b, world.team_c):
        team.created_at = datetime(2026, 1, 1, 9, tzinfo=UTC)
    db.session.commit()


def submit(team, period: date) -> None:
    db.session.add(
        MonthlyReport(
            team_id=team.id, period_start=period, revision=1, status=ReportStatus.SUBMITTED
        )
    )
    db.session.commit()


def test_a_late_report_then_the_next_one_due_then_nothing(client, world, sign_in, on_june_5):
    browser = sign_in(world.member_a)
    text = text_of(browser.get("/"))
    assert "Late The report for April 2026 was due on 10 May 2026." in text
    html = browser.get("/").get_data(as_text=True)
    assert f'href="/teams/{world.team_a.id}/reports/2026-04-01"' in html

    submit(world.team_a, date(2026, 4, 1))
    text = text_of(browser.get("/"))
    assert "Due soon The report for May 2026 is due on 10 June 2026." in text
    assert "April 2026" not in text

    submit(world.team_a, date(2026, 5, 1))
    text = text_of(browser.get("/"))
    assert "The report for" not in text
    assert "send the team's monthly report" in text


def test_experts_are_told_what_they_can_add_not_to_write_reports(client, world, sign_in, on_june_5):
    text = text_of(sign_in(world.expert_a).get("/"))
    assert "add what matters to the people who draw on care" in text
    assert "The report for" not in text


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("coordinator_x", ["/coordinator", "/calendar"]),
        ("panel_x", ["/panel", "/ideas"]),
    ],
)
def test_coordinators_and_panel_members_get_their_starting_points(
    client, world, sign_in, who, links
):
    html = sign_in(getattr(world, who)).get("/").get_data(as_text=True)
    for link in links:
        assert f'href="/collaboratives/{world.x.id}{link}"' in html
        assert f'href="/collaboratives/{world.y.id}{link}"' not in html


# Navigation -------------------------------------------------------------------------------------


def test_signed_out_pages_have_no_navigation(client):
    text = text_of(client.get("/sign-in"))
    assert "Sign out" not in text
    assert "Accounts" not in text
    assert "Collaboratives" not in text


# Health and cost --------------------------------------------------------------------------------


def test_health_answers_without_sign_in(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def _queries_for_home(app, browser: FlaskClient) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get("/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("who", ["member", "coordinator", "admin"])
def test_home_query_count_does_not_grow_with_the_number_of_teams(
    app, client, make_user, make_collaborative, make_team, grant, sign_in, who
):
    user = make_user(is_admin=who == "admin")
    browser = sign_in(user)

    def add_teams(how_many: int) -> None:
        for _ in range(how_many):
            collaborative = make_collaborative()
            team = make_team(collaborative)
            make_team(collaborative)
            if who == "member":
                grant(user, Role.TEAM_MEMBER, team)
            elif who == "coordinator":
                grant(user, Role.COORDINATOR, collaborative)

    add_teams(1)
    few = _queries_for_home(app, browser)
    add_teams(4)
    many = _queries_for_home(app, browser)
    assert few > 0
    assert many == few
