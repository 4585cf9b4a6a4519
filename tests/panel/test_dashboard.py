"""The strategic panel's summary page and its print layout (issue 5, point 4 and point 7).

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
Team A's falls drop from about 10 a month to about 4 (a real improvement); team B's stay level.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from improve import glossary
from improve.extensions import db
from improve.models import (
    Assessor,
    CollaborativePhase,
    DataPoint,
    Decision,
    Measure,
    PanelReview,
    PhaseKind,
    ProgressScore,
    Stage,
    Team,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE
from tests.cycles.factories import assert_fragment, body, make_aim, make_cycle, make_idea, visible
from tests.teams.test_team_page import counting_queries

RESULTS = {**HTMX, "HX-Target": "panel-results"}
IMPROVING = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 4, 5, 3, 4, 4, 5, 3, 4, 4, 3]
STEADY = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9] * 2
FIRST = date(2025, 1, 1)


def month(index: int) -> date:
    return date(FIRST.year + index // 12, index % 12 + 1, 1)


def shared_measure(collaborative, **overrides) -> Measure:
    fields = {
        "collaborative_id": collaborative.id,
        "team_id": None,
        "name": "Falls a month",
        "measure_type": "outcome",
        "value_kind": "count",
        "direction": "decrease",
        "chart_type": "c",
        "baseline_start": month(0),
        "baseline_end": month(5),
        "target_value": 4.0,
    }
    measure = Measure(**(fields | overrides))
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(measure: Measure, team: Team, values: list[float], **fields) -> None:
    db.session.add_all(
        DataPoint(measure_id=measure.id, team_id=team.id, period_start=month(i), value=v, **fields)
        for i, v in enumerate(values)
    )
    db.session.commit()


def add_cycles(team: Team, *decisions: Decision | None) -> None:
    idea = make_idea(make_aim(team, title=f"Aim of {team.name}"), "Morning huddle")
    for number, decision in enumerate(decisions):
        make_cycle(
            idea,
            title=f"Huddle {number}",
            stage=Stage.CLOSED if decision else Stage.DO,
            decision=decision,
            starts_on=month(12 + number),
            ends_on=month(12 + number),
        )


def add_scores(team: Team, *scores: tuple[int, Assessor, float]) -> None:
    db.session.add_all(
        ProgressScore(team_id=team.id, period_start=month(m), assessor=who, score=score)
        for m, who, score in scores
    )
    db.session.commit()


@pytest.fixture
def panel(world) -> SimpleNamespace:
    falls = shared_measure(world.x)
    reviewed = shared_measure(
        world.x,
        name="Care plans reviewed",
        measure_type="process",
        value_kind="proportion",
        direction="increase",
        chart_type="p",
        baseline_end=None,
        baseline_value=0.75,
        target_value=0.9,
    )
    add_points(falls, world.team_a, IMPROVING)
    add_points(falls, world.team_b, STEADY)
    add_points(reviewed, world.team_a, [30, 32, 35, 36], denominator=40.0)
    add_cycles(world.team_a, Decision.ADOPT, Decision.ADOPT, Decision.ABANDON, None)
    add_cycles(world.team_b, Decision.ADAPT)
    add_scores(
        world.team_a,
        (12, Assessor.SELF, 2.0),
        (12, Assessor.COORDINATOR, 1.5),
        (18, Assessor.COORDINATOR, 3.0),
    )
    add_scores(world.team_b, (18, Assessor.SELF, 2.0))
    db.session.add(PanelReview(collaborative_id=world.x.id, reviewed_on=month(11)))
    phase = CollaborativePhase(
        collaborative_id=world.x.id,
        kind=PhaseKind.ACTION_PERIOD,
        title="Action period 1",
        starts_on=month(18),
        ends_on=date(2026, 8, 31),
    )
    db.session.add(phase)
    db.session.commit()
    return SimpleNamespace(falls=falls, reviewed=reviewed, phase=phase, url=url(world.x.id))


def url(collaborative_id: int, page: str = "", **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/collaboratives/{collaborative_id}/panel{page}" + (f"?{query}" if query else "")


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


# Who may see it ----------------------------------------------------------------------------------

ACCESS = {
    "admin": 200,
    "coordinator_x": 200,
    "panel_x": 200,
    "coordinator_y": 404,  # another collaborative: not even told it exists
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("page", ["", "/print", "/summary.csv", "/summary.xlsx"])
@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_panel_and_the_coordinator_see_the_summary(
    world, panel, client_for, person, page
) -> None:
    response = client_for(getattr(world, person)).get(url(world.x.id, page))
    assert response.status_code == ACCESS[person]


def test_signed_out_people_are_sent_to_sign_in(world, panel, client) -> None:
    response = client.get(panel.url)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_unknown_collaborative_is_not_found(world, client_for) -> None:
    assert client_for(world.admin).get(url(99_999)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_panel_page_changes_nothing(world, panel, client_for, method) -> None:
    client = client_for(world.panel_x)
    for page in ("", "/print", "/summary.csv"):
        assert getattr(client, method)(url(world.x.id, page)).status_code == 405


# What it shows -----------------------------------------------------------------------------------


def test_totals_narrative_and_per_team_rows(world, panel, client_for) -> None:
    response = client_for(world.panel_x).get(panel.url)
    assert response.status_code == 200
    text = visible(response)
    assert text.count("Strategic panel summary") == 1
    glance = section(text, "At a glance", "What this shows")
    assert "Teams 2" in glance
    # Counts of teams and of tests of change are not about people: shown as they are.
    assert "Tests of change (PDSA cycles) 5" in glance
    assert "Adopted: the change is kept and spread 2" in glance
    assert "Not decided yet 1" in glance
    assert "fewer than" not in text.lower()
    # Teams with data, with a real improvement, with a change for the worse, at the target.
    assert "Falls a month 2 of 2 1 of 2 0 of 2 1 of 2" in glance
    # The rule, and how much it hid: team A's 8 months of 3 or 4 falls (its latest among them)
    # and its latest care plans reviewed (36 of 40: 4 were not).
    assert "a team's figure for a month or week is hidden when it counts 1 to 4 people" in glance
    assert "9 figures from 1 team are hidden on this page." in glance
    story = section(text, "What this shows", "How to read this page")
    assert (
        "1 of the 2 teams shows a real improvement in Falls a month since the panel's "
        "review on 1 December 2025." in story
    )
    assert "Teams ran 5 tests of change (PDSA cycles): 2 adopted, 1 adapted, 1 abandoned." in story
    falls = section(text, "Falls a month, team by team", "Process measure.")
    team_a = section(falls, "Team A", "Team B")
    # Baseline (the centre line of the team's chart, frozen on the baseline period: the mean of
    # its first six months) → latest (3 falls: hidden) → target; the way to the target and
    # whether it is reached would tell the latest, so they are hidden too. Signals are shown.
    assert "10.2 → hidden (small number) (August 2026) → 4 hidden (small number)" in team_a
    assert "Target reached" not in team_a
    assert "1 signal of a real improvement" in team_a
    team_b = falls.split("Team B", 1)[1]
    assert "10.2 → 9 (August 2026) → 4 19%" in team_b  # a fifth of the way from 10.2 to 4
    assert "No unusual change" in team_b
    reviewed = section(text, "Care plans reviewed, team by team", "Tests of change and progress")
    team_a = section(reviewed, "Team A", "Team B")
    assert "75% → hidden (small number) (April 2025) → 90% hidden (small number)" in team_a
    assert "No data in this period yet" in reviewed.split("Team B", 1)[1]


def test_cycles_by_decision_and_progress_trend_per_team(world, panel, client_for) -> None:
    text = visible(client_for(world.coordinator_x).get(panel.url))
    table = section(text, "Each team's cycles by decision", "each team's chart")
    # The team's own counts are shown as they are.
    assert "Team A 2 0 1 1 3.0 Modest improvement (July 2026) Up 1.5 from 1.5" in table
    # The scores over time are a chart in the team's story, linked from its row.
    assert "Scores over time for Team A" in table
    assert "Team B 0 1 0 0 2.0 Activity, but no changes (July 2026) No change from 2.0" in table


def test_icons_have_words_and_are_explained(world, panel, client_for) -> None:
    response = client_for(world.panel_x).get(panel.url)
    html, text = body(response), visible(response)
    legend = section(text, "How to read this page", "Outcome measure.")
    for words in ("No unusual change", "Real improvement", "Change for the worse", "Hit and miss"):
        assert words in legend
    assert f"Control limits {glossary.explain('control limits')}" in legend
    assert "What are control limits?" in legend  # a link to the help page
    # Icons are drawn shapes beside their words, hidden from screen readers (the words say it).
    icons = re.findall(r'<svg class="app-mdc__icon"[^>]*>', html)
    assert icons and all('aria-hidden="true"' in icon for icon in icons)


def test_sparklines_per_team_with_a_summary_and_the_numbers(world, panel, client_for) -> None:
    response = client_for(world.panel_x).get(panel.url + f"?measure={panel.falls.id}")
    html, text = body(response), visible(response)
    charts = re.findall(r'<svg class="app-spark__chart"[^>]*>', html)
    assert len(charts) == 2
    assert all('role="img"' in chart and "aria-describedby" in chart for chart in charts)
    sparks = text.split("Falls a month: each team's chart", 1)[1]
    # Team A's months of 3 and 4 falls are hidden: not drawn, not in its range, said in words.
    assert (
        "Latest hidden (small number) in August 2026; from 5 to 12 over 20 points. 8 points are "
        "hidden and not drawn: they rest on small numbers." in sparks
    )
    assert "The numbers for Team A" in sparks
    assert "January 2025 10 " in sparks
    assert "August 2026 hidden (small number) " in sparks
    drawn = re.search(rf'id="spark-{panel.falls.id}-{world.team_a.id}-summary"', html)
    chart = html[: drawn.start()].rsplit('<svg class="app-spark__chart"', 1)[1]
    assert chart.count("<circle") + chart.count("<rect") + chart.count("<polygon") == 12 + 1
    assert "Latest 9 in August 2026; from 9 to 12 over 20 points." in sparks  # team B
    # Only the chosen measure's table is on the page.
    assert "Care plans reviewed, team by team" not in text


def test_a_team_and_a_period_narrow_everything(world, panel, client_for) -> None:
    client = client_for(world.panel_x)
    response = client.get(url(world.x.id, team=world.team_b.id, from_month="2026-01"))
    text = visible(response)
    assert response.status_code == 200
    assert "Showing the team Team B, every shared measure, from 1 January 2026 to now." in text
    assert not re.search(r"\bTeam A\b", text.split("At a glance", 1)[1])
    assert "Teams 1 " in text
    # The signals are counted from the start of the chosen period.
    assert "Teams with a real improvement since 1 January 2026" in text


def test_a_phase_sets_the_period(world, panel, client_for) -> None:
    response = client_for(world.panel_x).get(url(world.x.id, phase=panel.phase.id))
    text = visible(response)
    assert "during Action period 1, from 1 July 2026 to 31 August 2026." in text
    falls = section(text, "Falls a month, team by team", "Process measure.")
    assert "(August 2026)" in falls
    assert "Teams with a real improvement since 1 July 2026" in text


def test_threshold_off_shows_exact_counts(world, panel, client_for) -> None:
    world.x.suppression_threshold = 0
    db.session.commit()
    text = visible(client_for(world.panel_x).get(panel.url))
    assert "fewer than" not in text.lower()
    assert "Adopted: the change is kept and spread 2" in text
    assert "No numbers are hidden" in text
    assert "hidden (small number)" not in text
    assert "1 of the 2 teams shows a real improvement in Falls a month" in text
    assert "10.2 → 3 (August 2026) → 4 Target reached" in text


def test_a_new_collaborative_says_what_is_missing(world, client_for) -> None:
    response = client_for(world.coordinator_x).get(url(world.x.id))
    assert response.status_code == 200
    text = visible(response)
    assert "This collaborative has no shared measures yet" in text
    assert "No tests of change (PDSA cycles) are recorded in this period." in text
    assert "The panel has not recorded a review yet." in text
    assert (
        "Teams whose latest progress score is 3.0 (modest improvement) or higher No scores" in text
    )


# htmx --------------------------------------------------------------------------------------------


def test_filter_form_is_a_get_form_that_htmx_enhances(world, panel, client_for) -> None:
    html = body(client_for(world.panel_x).get(panel.url))
    form = re.search(r'<form method="get"[^>]*id="panel-filters"[^>]*>', html).group(0)
    assert f'action="{panel.url}"' in form and f'hx-get="{panel.url}"' in form
    assert 'hx-target="#panel-results"' in form and 'hx-push-url="true"' in form
    for name in ("phase", "from_month", "to_month", "measure", "team"):
        assert f'name="{name}"' in html
    results = html.split('<div id="panel-results">', 1)[1]
    assert "<form" not in results  # read-only: nothing to submit


def test_htmx_filter_gets_the_results_alone(world, panel, client_for) -> None:
    client = client_for(world.panel_x)
    response = client.get(url(world.x.id, team=world.team_a.id), headers=RESULTS)
    assert response.status_code == 200
    assert_fragment(response, "panel-results")
    assert "Showing the team Team A" in visible(response)
    assert f"team={world.team_a.id}" in body(response)  # the print and download links keep it
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("headers", [BOOSTED, HISTORY_RESTORE])
def test_boosted_and_history_requests_get_the_whole_page(world, panel, client_for, headers):
    response = client_for(world.panel_x).get(panel.url, headers=headers)
    assert body(response).startswith("<!DOCTYPE html>")


# Bad filters -------------------------------------------------------------------------------------


def bad_filters(world, panel) -> list[tuple[dict, str]]:
    other = CollaborativePhase(
        collaborative_id=world.y.id, kind=PhaseKind.PREWORK, title="Y prework", starts_on=FIRST
    )
    db.session.add(other)
    other_measure = shared_measure(world.y, name="Y falls")
    db.session.commit()
    return [
        ({"team": world.team_c.id}, "That team is not part of this collaborative"),
        ({"team": "abc"}, "That team is not part of this collaborative"),
        ({"measure": other_measure.id}, "That measure is not one of this collaborative's"),
        ({"phase": other.id}, "That phase is not one of this collaborative's"),
        ({"from_month": "2026-13"}, "Choose the first month from the list"),
        ({"to_month": "yesterday"}, "Choose the last month from the list"),
        (
            {"from_month": "2026-05", "to_month": "2026-02"},
            "The last month must be the same as or after the first month",
        ),
        (
            {"phase": panel.phase.id, "from_month": "2025-01", "to_month": "2025-02"},
            "Those months are outside the phase you chose",
        ),
    ]


def test_bad_filters_answer_400_with_a_clear_message(world, panel, client_for) -> None:
    client = client_for(world.panel_x)
    for args, message in bad_filters(world, panel):
        response = client.get(url(world.x.id, **args))
        assert response.status_code == 400, args
        text = visible(response)
        assert "There is a problem" in text and message in text, args
        assert "At a glance" not in text
        assert text.startswith("Error:")
        for page in ("/print", "/summary.csv"):
            refused = client.get(url(world.x.id, page, **args))
            assert refused.status_code == 400, (page, args)
            assert message in visible(refused)


# Fixed number of queries -------------------------------------------------------------------------


def add_team_with_data(world, panel, number: int) -> None:
    team = Team(collaborative=world.x, name=f"Team {number}", organisation="Elsewhere")
    db.session.add(team)
    db.session.commit()
    add_points(panel.falls, team, STEADY)
    add_points(panel.reviewed, team, [20, 22], denominator=40.0)
    add_cycles(team, Decision.ADOPT, Decision.ADAPT)
    add_scores(team, (12, Assessor.SELF, 1.0), (13, Assessor.COORDINATOR, 1.5))


@pytest.mark.parametrize("page", ["", "/print", "/summary.xlsx"])
def test_query_count_does_not_grow_with_the_teams(world, panel, client_for, page) -> None:
    client = client_for(world.panel_x)
    address = url(world.x.id, page)
    client.get(address)
    with counting_queries() as two:
        assert client.get(address).status_code == 200
    for number in range(4):
        add_team_with_data(world, panel, number)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Team).where(Team.collaborative_id == world.x.id)
        )
        == 6
    )
    with counting_queries() as six:
        response = client.get(address)
    assert response.status_code == 200
    if not page:
        assert visible(response).count("The numbers for Team") == 6
    assert len(six) == len(two), "\n".join(six)


# Printing ----------------------------------------------------------------------------------------


def test_screen_page_links_to_the_print_layout_with_its_filters(world, panel, client_for) -> None:
    html = body(client_for(world.panel_x).get(url(world.x.id, team=world.team_a.id)))
    link = re.search(r'<a[^>]*href="([^"]*/panel/print[^"]*)"[^>]*>([^<]*)</a>', html)
    assert link.group(2) == "Print or save as PDF"
    assert f"team={world.team_a.id}" in link.group(1)
    assert 'hx-boost="false"' in link.group(0)  # a whole new page, with its own stylesheets


def test_print_page_has_no_navigation_and_includes_the_charts(world, panel, client_for) -> None:
    response = client_for(world.panel_x).get(url(world.x.id, "/print", measure=panel.falls.id))
    assert response.status_code == 200
    html, text = body(response), visible(response)
    for navigation in ("<nav", "app-header", "govuk-footer", "Sign out", "panel-filters"):
        assert navigation not in html
    assert html.count("<h1") == 1 and "Strategic panel report" in text
    print_css = r'<link rel="stylesheet" href="/static/css/print\.css\?v=\w+" media="print">'
    assert re.search(print_css, html)
    # Every shared measure's charts are printed (issue 19, point 3), in place of the screen's
    # small charts of the first one; the small numbers they hide are counted.
    assert "1 of the 2 teams shows a real improvement in Falls a month" in text
    assert "8 figures from 1 team are hidden in this report." in text  # falls only
    assert "10.2 → hidden (small number) (August 2026) → 4" in text
    assert f"This report online: http://improve.test/collaboratives/{world.x.id}/panel" in text
    assert f"measure={panel.falls.id}" in text  # the address keeps the choices


def test_print_stylesheet_sets_a4_pages(app, client) -> None:
    response = client.get("/static/css/print.css")
    css = response.get_data(as_text=True)
    response.close()
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    # Charts and rows never split; no page break is forced (one before a short section left a
    # page nearly empty: tests/browser/test_panel_print_pdf.py measures the printed pages).
    assert "break-inside: avoid" in css and "break-before: page" not in css
    assert re.search(r"\.app-nav,[^{]*\.govuk-footer,[^{]*{\s*display: none", css)
