"""The coordinator's view: every team for a period, who needs a call, and one team's drill-down.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py),
moved so that X started eight months ago and runs for over a year from now.
"""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    Assessor,
    AuditEvent,
    DataPoint,
    Measure,
    MonthlyReport,
    ProgressScore,
    ReportStatus,
    Stage,
    Team,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE, text_of
from tests.cycles.factories import make_aim, make_cycle, make_idea

TODAY = date.today()
CURRENT = TODAY.replace(day=1)


def month(back: int) -> date:
    """The first day of the month `back` months before this one."""
    index = CURRENT.year * 12 + CURRENT.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


FIRST = month(8)
PERIOD = month(2)  # its report was due on the 10th of last month: late if not submitted
LONG_AGO = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC)
TEAM_ROW = {**HTMX, "HX-Target": "team-detail"}


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def dashboard_url(world, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/collaboratives/{world.x.id}/coordinator" + (f"?{query}" if query else "")


def team_url(world, team, collaborative=None, **args) -> str:
    collaborative = collaborative or world.x
    query = "&".join(f"{key}={value}" for key, value in args.items())
    url = f"/collaboratives/{collaborative.id}/coordinator/teams/{team.id}"
    return url + (f"?{query}" if query else "")


@pytest.fixture
def dated(world):
    """Both collaboratives started eight months ago; their teams joined then."""
    for collaborative in (world.x, world.y):
        collaborative.starts_on = FIRST
        collaborative.ends_on = TODAY + timedelta(days=400)
    for team in (world.team_a, world.team_b, world.team_c):
        team.created_at = LONG_AGO
    db.session.commit()
    return world


def make_measure(collaborative, team=None, **overrides) -> Measure:
    fields = {
        "name": "Falls a month",
        "measure_type": "outcome",
        "value_kind": "count",
        "direction": "decrease",
        "frequency": "monthly",
        "chart_type": "c",
    }
    fields.update(overrides)
    measure = Measure(
        collaborative_id=collaborative.id, team_id=team.id if team else None, **fields
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def add_point(measure, team, period, created=None) -> None:
    point = DataPoint(measure_id=measure.id, team_id=team.id, period_start=period, value=3)
    if created is not None:
        point.created_at = created
    db.session.add(point)


def add_report(team, period, status, suggested=None, revision=1) -> MonthlyReport:
    report = MonthlyReport(
        team_id=team.id,
        period_start=period,
        revision=revision,
        status=status,
        suggested_score=suggested,
    )
    db.session.add(report)
    db.session.flush()
    return report


def add_score(team, period, assessor, score, report=None) -> None:
    db.session.add(
        ProgressScore(
            team_id=team.id,
            period_start=period,
            assessor=assessor,
            score=score,
            report_id=report.id if report else None,
        )
    )


@pytest.fixture
def scene(dated):
    """Team A: a cycle under way changed today, monthly values of the shared measure from eight
    months ago to last month except three months ago, its report for PERIOD submitted and scored
    3.5 by itself and 2.0 by the coordinator. Team B: nothing at all, so late, stalled and
    without data. Team C (collaborative Y) has a report and data that must not show in X."""
    w = dated
    make_cycle(
        make_idea(make_aim(w.team_a)),
        title="Morning huddle",
        starts_on=month(1),
        ends_on=month(1) + timedelta(days=6),
        stage=Stage.DO,  # under way: not stuck in Plan
    )
    shared = make_measure(w.x, name="Falls a month")
    for back in range(8, 0, -1):
        if back != 3:
            add_point(shared, w.team_a, month(back), created=LONG_AGO)
    report = add_report(w.team_a, PERIOD, ReportStatus.SUBMITTED, suggested=2.5)
    add_score(w.team_a, PERIOD, Assessor.SELF, 3.5, report)
    add_score(w.team_a, PERIOD, Assessor.COORDINATOR, 2.0, report)
    other = make_measure(w.y, name="Hospital admissions")
    add_point(other, w.team_c, month(1))
    add_report(w.team_c, PERIOD, ReportStatus.DRAFT)
    db.session.commit()
    w.shared = shared
    return w


# Who may see it ----------------------------------------------------------------------------------

EXPECTED = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_the_dashboard(scene, client_for, person):
    response = client_for(getattr(scene, person)).get(dashboard_url(scene))
    assert response.status_code == EXPECTED[person]
    if response.status_code == 200:
        assert "Coordinator's view" in visible(response)
    else:
        assert "Team A" not in visible(response)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("headers", [{}, TEAM_ROW])
def test_who_sees_a_team_drill_down(scene, client_for, person, headers):
    response = client_for(getattr(scene, person)).get(
        team_url(scene, scene.team_a), headers=headers
    )
    assert response.status_code == EXPECTED[person]
    assert ("Reports and progress scores" in visible(response)) == (response.status_code == 200)


def test_signed_out_people_are_sent_to_sign_in(scene, client):
    response = client.get(dashboard_url(scene))
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("headers", [{}, TEAM_ROW])
def test_another_collaboratives_team_is_not_found(scene, client_for, headers):
    coordinator = client_for(scene.coordinator_x)
    response = coordinator.get(team_url(scene, scene.team_c), headers=headers)
    assert response.status_code == 404
    assert "Team C" not in visible(response)
    # Nor from the other side, nor an id that does not exist.
    assert (
        client_for(scene.coordinator_y)
        .get(team_url(scene, scene.team_a, collaborative=scene.y))
        .status_code
        == 404
    )
    missing = Team(id=99999, collaborative_id=scene.x.id, name="x", organisation="x")
    assert coordinator.get(team_url(scene, missing)).status_code == 404


# The dashboard -----------------------------------------------------------------------------------


def test_default_period_is_the_latest_that_has_ended(scene, client_for):
    response = client_for(scene.coordinator_x).get(dashboard_url(scene))
    page = body(response)
    assert f'<option value="{month(1).isoformat()}" selected>' in page
    assert f"Every team for {month(1):%B %Y}" in visible(response)
    # Periods that have started are offered, newest first; later ones are not.
    options = [month(back).isoformat() for back in range(0, 9)]
    assert all(f'value="{option}"' in page for option in options)
    assert page.index(options[0]) < page.index(options[1]) < page.index(options[8])
    assert f'value="{month(-1).isoformat()}"' not in page


def test_every_team_row_for_the_period(scene, client_for):
    response = client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD))
    assert response.status_code == 200
    table = between(visible(response), "Every team for", "Scores use the progress scale")
    row_a = between(table, "Team A", "Team B")
    assert "Submitted" in row_a
    assert "Today" in row_a  # the cycle changed today
    assert "1 measure, 1 missing week or month" in row_a
    assert "3.5 2.0 +1.5 (team higher)" in row_a
    row_b = table.split("Team B", 1)[1]
    assert "Stalled" in row_b and "Late: not submitted" in row_b
    assert row_b.count("Never") == 2
    assert "No data yet for 1 measure" in row_b
    assert "Team C" not in visible(response)


@pytest.fixture
def fifth_of_the_month(monkeypatch):
    """Today is the 5th: last month's reports are not due yet, PERIOD's were due on the 10th of
    last month."""
    monkeypatch.setattr("improve.coordination.views.today", lambda: CURRENT + timedelta(days=4))


def test_teams_that_need_a_call_with_reasons_and_counts(scene, client_for, fifth_of_the_month):
    response = client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD))
    calls = between(visible(response), "Teams that need a call this week", "What the reasons mean")
    assert "2 of 2 teams" in calls
    assert "Report late 1 team Stalled 1 team Scores far apart 1 team Missing data 2 teams" in calls
    # Team B first: it has the most reasons.
    assert calls.index("Team B") < calls.index("Team A")
    team_b = between(calls, "Team B", "Team A")
    assert f"The report for {PERIOD:%B %Y} is late" in team_b
    assert "No tests of change and no data recorded yet" in team_b
    assert "No data yet for 1 measure" in team_b
    team_a = calls.split("Team A", 1)[1]
    assert "The team scored itself 3.5; the coordinator's score is 2.0" in team_a
    assert "1 week or month of data missing in 1 measure" in team_a


def test_quiet_data_but_recent_cycles_is_not_stalled(scene, client_for):
    """Team A's last value was entered long ago, but it worked on a cycle today."""
    # Its latest periods go, so its last value is for a month that ended 6 weeks or more ago
    # whatever today's date.
    db.session.execute(
        sa.delete(DataPoint).where(
            DataPoint.team_id == scene.team_a.id, DataPoint.period_start >= month(2)
        )
    )
    db.session.commit()
    response = client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD))
    row_a = between(visible(response), "Every team for", "Team B")
    assert "Stalled" not in row_a
    assert f"Quiet for {scene.x.stall_weeks} weeks or more" in row_a


def test_a_correction_being_written_keeps_the_report_submitted(scene, client_for):
    add_report(scene.team_a, PERIOD, ReportStatus.DRAFT, revision=2)
    add_report(scene.team_b, PERIOD, ReportStatus.DRAFT)
    db.session.commit()
    response = client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD))
    table = between(visible(response), "Every team for", "Scores use the progress scale")
    assert "Submitted" in between(table, "Team A", "Team B")
    # A draft after the due date is still late.
    assert "Late: not submitted" in table.split("Team B", 1)[1]


def test_team_names_load_the_drill_down_with_htmx_and_plain_links(scene, client_for):
    page = body(client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD)))
    link = team_url(scene, scene.team_b, period=PERIOD.isoformat())
    assert f'href="{link}" hx-get="{link}" hx-target="#team-detail"' in page
    assert 'hx-push-url="true"' in page
    # The region the drill-down loads into is there, and empty.
    assert re.search(r'<div id="team-detail" class="app-section">\s*</div>', page)


def test_a_collaborative_with_no_teams(make_collaborative, make_user, grant, client_for):
    from improve.models import Role

    empty = make_collaborative(starts_on=FIRST, ends_on=TODAY + timedelta(days=30))
    coordinator = make_user()
    grant(coordinator, Role.COORDINATOR, empty)
    response = client_for(coordinator).get(f"/collaboratives/{empty.id}/coordinator")
    assert response.status_code == 200
    assert "This collaborative has no teams yet." in visible(response)


def test_before_the_first_period_starts(scene, client_for):
    scene.x.starts_on = TODAY + timedelta(days=40)
    db.session.commit()
    response = client_for(scene.coordinator_x).get(dashboard_url(scene))
    assert response.status_code == 200
    assert "has not started yet" in visible(response)
    assert "Period not started" in visible(response)
    # Team links carry no period while there is none to choose.
    assert f'href="{team_url(scene, scene.team_a)}"' in body(response)
    assert client_for(scene.coordinator_x).get(team_url(scene, scene.team_a)).status_code == 200


# Bad periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13-01", "Choose a reporting period from the list"),
        ("last-month", "Choose a reporting period from the list"),
        ("", "Choose a reporting period from the list"),
        ("20260401", "Choose a reporting period from the list"),
        (PERIOD.replace(day=2).isoformat(), "starts on"),
        (month(-1).isoformat(), "has not started yet"),
        (month(12).isoformat(), "starts on"),  # before the collaborative
    ],
)
@pytest.mark.parametrize("team", [False, True])
def test_bad_periods_answer_400_with_a_message(scene, client_for, period, message, team):
    url = (
        team_url(scene, scene.team_a, period=period)
        if team
        else dashboard_url(scene, period=period)
    )
    client = client_for(scene.coordinator_x)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = client.get(url)
    assert response.status_code == 400
    text = visible(response)
    assert "There is a problem with the period" in text and message in text
    assert "Every team for" not in text and "Reports and progress scores" not in text
    assert text.startswith("Error: ")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


# The drill-down ----------------------------------------------------------------------------------


def test_drill_down_fragment_for_htmx(scene, client_for):
    response = client_for(scene.coordinator_x).get(
        team_url(scene, scene.team_a, period=PERIOD.isoformat()), headers=TEAM_ROW
    )
    assert response.status_code == 200
    text = body(response)
    assert text.startswith('<div id="team-detail"') and text.endswith("</div>")
    assert "<html" not in text and "Teams that need a call" not in text
    assert "HX-Request" in response.headers["Vary"]
    shown = visible(response)
    assert "Team A" in shown and "Team B" not in shown
    assert "Morning huddle" in shown
    assert "Why this team may need a call" in shown
    assert f"Report for {PERIOD:%B %Y} Submitted" in shown
    # Links to the team page, its reports, and each period's report for scoring.
    assert f'href="/teams/{scene.team_a.id}"' in text
    assert f'href="/teams/{scene.team_a.id}/reports"' in text
    assert f'href="/teams/{scene.team_a.id}/reports/{PERIOD.isoformat()}"' in text
    assert f"Read and score the report for {PERIOD:%B %Y}" in shown
    history = between(shown, "Reports and progress scores", "is the score the app suggests")
    assert f"{month(1):%B %Y}" in history and f"{FIRST:%B %Y}" in history
    row = between(shown, f"Read and score the report for {PERIOD:%B %Y}", "Open")
    assert "Submitted 2.5 3.5 2.0 +1.5 (team higher)" in row
    # The missing month of the shared measure, by name.
    gaps = shown.split("Measures with missing data", 1)[1]
    assert "Falls a month (shared measure): 1 missing month." in gaps
    assert f"{month(3):%B %Y}" in gaps
    assert f'href="/measures/{scene.shared.id}?team={scene.team_a.id}"' in text


@pytest.mark.parametrize("headers", [{}, BOOSTED, HISTORY_RESTORE])
def test_drill_down_without_htmx_is_the_whole_page(scene, client_for, headers):
    response = client_for(scene.coordinator_x).get(
        team_url(scene, scene.team_b, period=PERIOD.isoformat()), headers=headers
    )
    assert response.status_code == 200
    text = body(response)
    assert text.startswith("<!DOCTYPE html>")
    shown = visible(response)
    assert "Teams that need a call this week" in shown and "Every team for" in shown
    detail = shown.split("Team drill-down", 1)[1]
    assert detail.startswith(" Team B")
    assert "The team has not planned any tests of change yet." in detail
    assert "Falls a month (shared measure): no data yet." in detail
    assert "Close Team B's details" in detail
    assert text.count("<h1") == 1


def test_weekly_measure_lists_missing_weeks(scene, client_for):
    last_monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    make_measure(
        scene.x,
        scene.team_b,
        name="Huddles held",
        frequency="weekly",
        baseline_start=last_monday - timedelta(weeks=2),
    )
    response = client_for(scene.coordinator_x).get(team_url(scene, scene.team_b), headers=TEAM_ROW)
    gaps = visible(response).split("Measures with missing data", 1)[1]
    assert "Huddles held : 3 missing weeks." in gaps  # text_of leaves a space for the link
    for back in range(3):
        assert f"Week of {last_monday - timedelta(weeks=back):%-d %B %Y}" in gaps


# Queries -----------------------------------------------------------------------------------------


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


def _add_team(world, number: int) -> None:
    team = Team(collaborative=world.x, name=f"Team {number:02}", organisation="Org")
    team.created_at = LONG_AGO
    db.session.add(team)
    db.session.flush()
    make_cycle(make_idea(make_aim(team)), title=f"Cycle {number}")
    own = make_measure(world.x, team, name=f"Own {number}", frequency="weekly")
    add_point(own, team, TODAY - timedelta(days=TODAY.weekday() + 14))
    add_point(world.shared, team, month(2))
    report = add_report(team, PERIOD, ReportStatus.SUBMITTED, suggested=2.0)
    add_score(team, PERIOD, Assessor.SELF, 2.0, report)
    add_score(team, PERIOD, Assessor.COORDINATOR, 3.5, report)
    db.session.commit()


def test_dashboard_query_count_does_not_grow_with_teams(scene, client_for):
    client = client_for(scene.coordinator_x)
    url = dashboard_url(scene, period=PERIOD)
    client.get(url)  # warm up anything cached once per process
    with counting_queries() as small:
        assert client.get(url).status_code == 200
    for number in range(4):
        _add_team(scene, number)
    with counting_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert (
        visible(response).count("The team scored itself 2.0; the coordinator's score is 3.5") == 4
    )
    assert len(large) == len(small), "\n".join(large)


def test_drill_down_query_count_does_not_grow_with_records(scene, client_for):
    client = client_for(scene.coordinator_x)
    url = team_url(scene, scene.team_a, period=PERIOD.isoformat())
    client.get(url, headers=TEAM_ROW)
    with counting_queries() as small:
        assert client.get(url, headers=TEAM_ROW).status_code == 200
    idea = make_idea(make_aim(scene.team_a, title="More"), "Another idea")
    for number in range(5):
        make_cycle(idea, title=f"Extra {number}")
    for back in (1, 3, 4, 5):
        add_report(scene.team_a, month(back), ReportStatus.SUBMITTED)
        add_score(scene.team_a, month(back), Assessor.SELF, 2.0)
    db.session.commit()
    with counting_queries() as large:
        assert client.get(url, headers=TEAM_ROW).status_code == 200
    assert len(large) == len(small), "\n".join(large)


def test_a_report_already_due_shows_as_late_while_the_last_period_is_not_due(
    scene, client_for, fifth_of_the_month
):
    """On the 5th the dashboard shows last month, whose reports are not due until the 10th; a
    team that never sent the report before it (due last month) still needs a call."""
    response = client_for(scene.coordinator_x).get(dashboard_url(scene))
    text = visible(response)
    assert f"Every team for {month(1):%B %Y}" in text
    calls = between(text, "Teams that need a call this week", "What the reasons mean")
    assert "Report late 1 team" in calls
    team_b = calls.split("Team B", 1)[1]
    assert f"The report for {PERIOD:%B %Y} is late" in team_b
    # Team A sent that report: not late for it, and last month's is not due yet.
    assert "is late" not in between(calls, "Team A", "Team B") if "Team A" in calls else True
    assert f"or for {PERIOD:%B %Y} (the latest report that is already due)" in text
