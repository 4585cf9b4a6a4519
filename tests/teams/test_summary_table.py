"""The team page's summary table of measures (issue 15, point 5): the measures of the team's
aims and the shared measures it reports, each row the one analysis of that measure for the team.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import pytest

from improve.extensions import db
from improve.measures.analysis import analyse_series
from tests.aims.test_summary_table import (
    NO_ASSURANCE,
    SHIFT,
    STEADY,
    add_points,
    cells,
    expected_cells,
    link,
    make_measure,
)
from tests.conftest import HTMX
from tests.cycles.factories import make_aim
from tests.teams.test_team_page import counting_queries


@pytest.fixture
def scene(world):
    """Team A: two aims with measures of their own, a shared measure one aim reports against, a
    shared measure it enters data for without a link, and a measure with one point. Team B: its
    own measure, and data for a shared measure team A neither links nor reports."""
    team_a, team_b = world.team_a, world.team_b
    falls_aim = make_aim(team_a, title="Fewer falls")
    care_aim = make_aim(team_a, title="Better care plans")
    falls = make_measure(world.x, falls_aim, "Falls a month")
    add_points(falls, team_a, SHIFT)
    checks = make_measure(
        world.x, falls_aim, "Night checks done", chart_type="run", direction="increase"
    )
    add_points(checks, team_a, STEADY)
    reviews = make_measure(
        world.x,
        care_aim,
        "Care plans reviewed",
        value_kind="proportion",
        chart_type="p",
        direction="increase",
        target_value=0.9,
    )
    add_points(reviews, team_a, [6, 7, 8, 7, 6, 8, 7, 9], [10] * 8)
    lonely = make_measure(world.x, care_aim, "Calls answered")
    add_points(lonely, team_a, [3])
    linked = make_measure(world.x, None, "Staff who feel safe", target_value=None)
    add_points(linked, team_a, STEADY)
    add_points(linked, team_b, SHIFT)
    link(falls_aim, linked)
    reported = make_measure(world.x, None, "Days without a fall", direction="increase")
    add_points(reported, team_a, SHIFT)
    # Never on team A's page.
    others = make_measure(world.x, make_aim(team_b, title="Team B aim"), "Team B own measure")
    add_points(others, team_b, SHIFT)
    unreported = make_measure(world.x, None, "Only team B reports this")
    add_points(unreported, team_b, SHIFT)
    archived = make_measure(world.x, falls_aim, "Archived measure", is_archived=True)
    add_points(archived, team_a, SHIFT)
    shown = [falls, checks, reviews, lonely, linked, reported]
    hidden = [others, unreported, archived]
    return shown, hidden, analyse_series(shown, world.x, [team_a.id])


def test_each_row_shows_what_the_analysis_gives(world, client_for, scene):
    shown, _, analyses = scene
    falls, checks, reviews, _, linked, reported = shown
    response = client_for(world.member_a).get(f"/teams/{world.team_a.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    team = world.team_a.id
    assert analyses[(falls.id, team)].variation == "special_cause_improvement"
    why = {falls: "", checks: NO_ASSURANCE["run"], reviews: "", reported: ""}
    why[linked] = NO_ASSURANCE["no target"]
    for measure, reason in why.items():
        row = cells(page, f"team-measures-measure-{measure.id}")
        assert row[0].startswith(measure.name)
        assert row[1:] == expected_cells(analyses[(measure.id, team)], reason), measure.name


def test_rows_say_which_aim_or_that_the_measure_is_shared(world, client_for, scene):
    shown, _, _ = scene
    falls, _, reviews, _, linked, reported = shown
    page = client_for(world.member_a).get(f"/teams/{world.team_a.id}").get_data(as_text=True)
    assert cells(page, f"team-measures-measure-{falls.id}")[0].endswith("aim: Fewer falls")
    assert cells(page, f"team-measures-measure-{reviews.id}")[0].endswith("aim: Better care plans")
    for shared in (linked, reported):
        assert cells(page, f"team-measures-measure-{shared.id}")[0].endswith(
            "shared by the collaborative"
        )
        assert f'href="/measures/{shared.id}?team={world.team_a.id}"' in page
    assert f'href="/measures/{falls.id}"' in page


def test_only_the_teams_measures_and_the_shared_ones_it_reports(world, client_for, scene):
    shown, hidden, _ = scene
    page = client_for(world.member_a).get(f"/teams/{world.team_a.id}").get_data(as_text=True)
    table = page.split('id="team-measures"', 1)[1].split("</table>", 1)[0]
    for measure in shown:
        assert f'id="team-measures-measure-{measure.id}"' in table
    for measure in hidden:
        assert f"measure-{measure.id}" not in table
        assert measure.name not in table


def test_another_teams_page_never_shows_team_as_own_measures(world, client_for, scene):
    shown, hidden, _ = scene
    others, unreported, _ = hidden
    page = client_for(world.member_b).get(f"/teams/{world.team_b.id}").get_data(as_text=True)
    table = page.split('id="team-measures"', 1)[1].split("</table>", 1)[0]
    falls, checks, reviews, lonely, linked, reported = shown
    for own_of_team_a in (falls, checks, reviews, lonely, reported):
        assert f"measure-{own_of_team_a.id}" not in table
    # Team B's own measure and the shared measures it reports, with team B's numbers.
    analyses = analyse_series([others, linked, unreported], world.x, [world.team_b.id])
    for measure in (others, linked, unreported):
        row = cells(page, f"team-measures-measure-{measure.id}")
        why = NO_ASSURANCE["no target"] if measure is linked else ""
        assert row[1:] == expected_cells(analyses[(measure.id, world.team_b.id)], why)


def test_a_measure_with_one_point_has_not_enough_data_yet(world, client_for, scene):
    shown, _, analyses = scene
    lonely = shown[3]
    assert (lonely.id, world.team_a.id) not in analyses
    page = client_for(world.member_a).get(f"/teams/{world.team_a.id}").get_data(as_text=True)
    row = cells(page, f"team-measures-measure-{lonely.id}")
    assert row[1].startswith("Not enough data yet")
    assert len(row) == 2


def test_a_team_without_measures_says_so(world, client_for):
    page = client_for(world.member_a).get(f"/teams/{world.team_a.id}").get_data(as_text=True)
    assert "This team has no measures yet." in page
    assert 'id="team-measures"' not in page


def test_a_fragment_of_the_team_page_leaves_the_table_out(world, client_for, scene):
    headers = {**HTMX, "HX-Target": "cycle-results"}
    response = client_for(world.member_a).get(f"/teams/{world.team_a.id}", headers=headers)
    assert response.status_code == 200
    assert 'id="team-measures"' not in response.get_data(as_text=True)


def _add_measures(world, count: int) -> None:
    aim = make_aim(world.team_a, title=f"Aim with {count} measures")
    for number in range(count):
        own = make_measure(world.x, aim, f"Own measure {count}.{number}")
        add_points(own, world.team_a, SHIFT)
        shared = make_measure(world.x, None, f"Shared measure {count}.{number}")
        add_points(shared, world.team_a, STEADY)
        if number % 2:
            link(aim, shared)


def test_the_team_page_makes_the_same_number_of_queries_however_many_measures(world, client_for):
    client = client_for(world.member_a)
    url = f"/teams/{world.team_a.id}"
    _add_measures(world, 1)
    client.get(url)  # warm the session
    with counting_queries() as small:
        assert client.get(url).status_code == 200

    _add_measures(world, 5)
    db.session.expire_all()
    with counting_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('id="team-measures-measure-') == 12
    assert len(large) == len(small), "\n".join(large)
