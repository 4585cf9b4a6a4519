"""A shared measure across the teams (issue 19, point 3): each team's chart on one scale and a
funnel plot, on its own page and in the panel's printed pack.

The demo collaborative (6 teams, two shared measures: a proportion and a rate, both with small
numbers hidden) is checked against the one analysis (analyse_series), the funnel module and the
one small-number rule, each worked out here from the stored data points.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from improve import demo, scale_data
from improve.analysis import disclosure
from improve.analysis import funnel as funnels
from improve.extensions import db
from improve.measures.analysis import analyse_series, definition_of
from improve.models import Collaborative, DataPoint, Measure, Team
from improve.models.measure import period_words
from improve.panel.across_teams import figure
from improve.panel.queries import SPARKS_PER_PAGE
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX
from tests.cycles.factories import assert_fragment, body, visible
from tests.panel.test_dashboard import add_points, shared_measure
from tests.teams.test_team_page import counting_queries

TODAY = date(2026, 12, 7)
HIDDEN = disclosure.HIDDEN_WORDS


def _client(app, email: str, password: str = demo.DEMO_PASSWORD):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 303, email
    return client


@pytest.fixture
def demo_world(app) -> SimpleNamespace:
    demo.create(TODAY)
    db.session.commit()
    collaborative = db.session.scalars(sa.select(Collaborative)).one()
    teams = list(
        db.session.scalars(
            sa.select(Team).where(Team.collaborative_id == collaborative.id).order_by(Team.name)
        )
    )
    shared = list(
        db.session.scalars(
            sa.select(Measure).where(
                Measure.collaborative_id == collaborative.id, Measure.team_id.is_(None)
            )
        )
    )
    return SimpleNamespace(
        app=app,
        collaborative=collaborative,
        teams=teams,
        shared=shared,
        panel=_client(app, "panel@example.org"),
    )


def page_url(collaborative_id: int, measure_id: int, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    address = f"/collaboratives/{collaborative_id}/panel/measures/{measure_id}"
    return address + (f"?{query}" if query else "")


def team_cards(page: str) -> dict[int, str]:
    """Each team's small chart and its table, by team id."""
    cards = re.findall(r'<li class="app-multiple" data-team="(\d+)">(.*?)</li>', page, re.S)
    return {int(team): card for team, card in cards}


def table_rows(chunk: str) -> list[list[str]]:
    """The cells of each body row of the tables in a chunk of HTML, as text."""
    rows = []
    for row in re.findall(r"<tbody.*?</tbody>", chunk, re.S):
        for cells in re.findall(r'<tr class="govuk-table__row"[^>]*>(.*?)</tr>', row, re.S):
            found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", cells, re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found])
    return rows


def funnel_table(page: str, measure_id: int) -> dict[str, list[str]]:
    """The funnel's table: each team's name to its cells."""
    found = re.search(rf'<table[^>]*id="across-{measure_id}-funnel-table">.*?</table>', page, re.S)
    assert found, "no funnel table"
    return {row[0]: row[1:] for row in table_rows(found.group(0))}


def stored_points(measure: Measure) -> dict[int, list[DataPoint]]:
    points = db.session.scalars(
        sa.select(DataPoint)
        .where(DataPoint.measure_id == measure.id)
        .order_by(DataPoint.team_id, DataPoint.period_start)
    )
    by_team: dict[int, list[DataPoint]] = {}
    for point in points:
        by_team.setdefault(point.team_id, []).append(point)
    return by_team


# The demo's shared measures ----------------------------------------------------------------------


def test_each_demo_shared_measure_has_its_page_with_every_team(demo_world) -> None:
    world = demo_world
    assert {m.value_kind.value for m in world.shared} == {"proportion", "rate"}
    for measure in world.shared:
        response = world.panel.get(page_url(world.collaborative.id, measure.id))
        assert response.status_code == 200, measure.name
        page, text = body(response), visible(response)
        assert f"{measure.name} across teams" in text
        assert set(team_cards(page)) == {team.id for team in world.teams}
        assert page.count('class="app-multiple__chart"') >= 1
        assert set(funnel_table(page, measure.id)) == {team.name for team in world.teams}
        # The one scale, stated in words.
        assert re.search(r"Every team's chart uses the same scale, from \S+ to \S+", text)
        assert disclosure.rule_words(world.collaborative.suppression_threshold) in text


def test_the_funnel_agrees_with_the_funnel_module_and_the_small_number_rule(demo_world) -> None:
    world = demo_world
    threshold = world.collaborative.suppression_threshold
    names = {team.id: team.name for team in world.teams}
    seen = {"shown": 0, "hidden": 0}
    for measure in world.shared:
        page = body(world.panel.get(page_url(world.collaborative.id, measure.id)))
        heading = re.search(r"Funnel plot: ([A-Z][a-z]+ \d{4})", page)
        assert heading, measure.name
        month = datetime.strptime(heading.group(1), "%B %Y").date()
        kind = measure.value_kind.value
        definition = definition_of(measure)
        stored = stored_points(measure)
        # The latest month in which at least half the teams that report have a usable figure.
        reporting: dict[date, int] = {}
        for points in stored.values():
            for day in {
                p.period_start for p in points if funnels.usable(kind, p.value, p.denominator)
            }:
                reporting[day] = reporting.get(day, 0) + 1
        assert month == max(day for day, n in reporting.items() if 2 * n >= len(stored))
        latest = {
            team_id: next((p for p in points if p.period_start == month), None)
            for team_id, points in stored.items()
        }
        usable = {
            team_id: p
            for team_id, p in latest.items()
            if p is not None and funnels.usable(kind, p.value, p.denominator) and not p.excluded
        }
        average = funnels.pooled_average(
            [p.value for p in usable.values()], [p.denominator for p in usable.values()]
        )
        hidden = {
            team_id
            for team_id, p in usable.items()
            if disclosure.point_hidden(kind, p.value, p.denominator, threshold)
        }
        drawn = [(t, p.value, p.denominator) for t, p in usable.items() if t not in hidden]
        expected = funnels.funnel(
            kind, drawn, direction=definition.direction, scale=definition.scale, average=average
        )
        table = funnel_table(page, measure.id)
        for team_id, name in names.items():
            cells = table[name]
            if team_id in hidden:
                assert cells == [HIDDEN], (measure.name, name, cells)
                seen["hidden"] += 1
            elif team_id not in usable:
                assert cells[0].startswith("No figure"), (measure.name, name, cells)
            else:
                point = next(p for p in expected.points if p.key == team_id)
                assert cells == [
                    f"{point.denominator:,.0f}",
                    figure(point.value, definition),
                    point.words,
                ], (measure.name, name)
                seen["shown"] += 1
        if expected is not None:
            assert f"The average, {figure(expected.average, definition)}," in visible_of(page)
    assert seen["shown"] and seen["hidden"]  # the demo has both


def visible_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_each_teams_chart_shows_the_one_analysis_and_hides_small_numbers(demo_world) -> None:
    """One truth: the values, centre lines and limits in each team's table are those of
    analyse_series; a point under the small-number rule is in no table, chart or sentence,
    and neither are the centre and limits of its phase."""
    world = demo_world
    threshold = world.collaborative.suppression_threshold
    team_ids = [team.id for team in world.teams]
    counted = {"shown": 0, "hidden": 0, "lines": 0}
    for measure in world.shared:
        definition = definition_of(measure)
        analyses = analyse_series([measure], world.collaborative, team_ids)
        stored = stored_points(measure)
        page = body(world.panel.get(page_url(world.collaborative.id, measure.id)))
        cards = team_cards(page)
        for team in world.teams:
            analysis = analyses[(measure.id, team.id)]
            by_day = {p.period_start: p for p in stored[team.id]}
            hidden = [
                disclosure.point_hidden(
                    measure.value_kind.value, by_day[d].value, by_day[d].denominator, threshold
                )
                for d in analysis.dates
            ]
            hidden_parts = {int(analysis.chart.part[i]) for i, h in enumerate(hidden) if h}
            rows = table_rows(cards[team.id])
            assert len(rows) == len(analysis.dates)
            drawn = 0
            for index, row in enumerate(rows):
                assert row[0] == period_words(analysis.dates[index], "monthly")
                if hidden[index]:
                    assert row[1:] == [HIDDEN]
                    counted["hidden"] += 1
                    continue
                chart = analysis.chart
                assert row[1] == figure(float(chart.value[index]), definition)
                drawn += 1
                if int(chart.part[index]) in hidden_parts:
                    assert row[2:4] == ["–", "–"]
                    counted["lines"] += 1
                    continue
                assert row[2] == figure(float(chart.cl[index]), definition)
                low = figure(float(chart.lcl[index]), definition)
                high = figure(float(chart.ucl[index]), definition)
                assert row[3] == f"{low} to {high}"
                counted["shown"] += 1
            # Hidden points are not drawn either: one mark per point shown.
            assert cards[team.id].count('class="point"') == drawn
    assert all(counted.values()), counted  # shown figures, hidden ones and hidden lines


def test_the_shared_scale_holds_every_shown_value_and_no_hidden_one(demo_world) -> None:
    world = demo_world
    measure = next(m for m in world.shared if m.value_kind.value == "proportion")
    text = visible(world.panel.get(page_url(world.collaborative.id, measure.id)))
    low, high = re.search(r"the same scale, from (\d+)% to (\d+)%", text).groups()
    assert (int(low), int(high)) == (0, 100)  # the widest teams' limits run from 0% to 100%


def test_the_panel_links_to_each_measure_across_teams(demo_world) -> None:
    world = demo_world
    page = body(world.panel.get(f"/collaboratives/{world.collaborative.id}/panel"))
    for measure in world.shared:
        address = f"/collaboratives/{world.collaborative.id}/panel/measures/{measure.id}"
        # From the list at the top and from the measure's own section.
        assert page.count(f'href="{address}"') == 2, measure.name


def test_the_printed_pack_has_every_measure_across_teams(demo_world) -> None:
    world = demo_world
    response = world.panel.get(f"/collaboratives/{world.collaborative.id}/panel/print")
    assert response.status_code == 200
    page, text = body(response), visible(response)
    for measure in world.shared:
        assert f"{measure.name} across teams" in text
        section = page.split(f'id="across-{measure.id}"', 1)[1]
        assert set(team_cards(section.split('class="app-across-measure"', 1)[0])) == {
            team.id for team in world.teams
        }
        assert f'id="across-{measure.id}-funnel-table"' in section
    # No page of team charts on paper, and no small charts of the first measure alone.
    assert "govuk-pagination" not in page and 'class="app-spark__chart"' not in page


# Measures without a total, periods, pages of teams ------------------------------------------------


def test_a_count_has_no_funnel_and_says_why(world, client_for) -> None:
    falls = shared_measure(world.x)
    add_points(falls, world.team_a, [10, 11, 9, 10, 12, 9])
    add_points(falls, world.team_b, [8, 7, 9, 6, 8, 9])
    response = client_for(world.panel_x).get(page_url(world.x.id, falls.id))
    assert response.status_code == 200
    text = visible(response)
    assert "No funnel plot for this measure" in text
    assert "It needs a total for each team that its figure is out of" in text
    assert "app-funnel__chart" not in body(response)
    assert set(team_cards(body(response))) == {world.team_a.id, world.team_b.id}


def proportion(world) -> Measure:
    measure = shared_measure(
        world.x,
        name="Care plans reviewed",
        value_kind="proportion",
        direction="increase",
        chart_type="p",
        baseline_end=None,
    )
    # No small numbers: each month at least 5 of the 40 were and were not reviewed.
    add_points(measure, world.team_a, [30, 32, 35, 34, 20, 10], denominator=40.0)
    add_points(measure, world.team_b, [50, 60, 55, 58, 62, 70], denominator=100.0)
    return measure


def test_a_period_pools_each_teams_numbers(world, client_for) -> None:
    measure = proportion(world)
    client = client_for(world.panel_x)
    latest = visible(client.get(page_url(world.x.id, measure.id)))
    assert "Funnel plot: June 2025" in latest
    # June 2025 alone: A 10 of 40 (25%), B 70 of 100.
    assert "Team A 40 25%" in latest and "Team B 100 70%" in latest
    pooled = visible(client.get(page_url(world.x.id, measure.id, from_month="2025-01")))
    assert "Funnel plot: pooled from January 2025 to now" in pooled
    # A: 161 of 240 (67%); B: 355 of 600 (59%).
    assert "Team A 240 67%" in pooled and "Team B 600 59%" in pooled


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from_month": "2025-13"}, "Choose the first month from the list"),
        ({"from_month": "2025-05", "to_month": "2025-02"}, "The last month must be the same"),
        ({"teams_page": "0"}, "The page of team charts must be a whole number"),
    ],
)
def test_bad_choices_are_a_clear_400(world, client_for, args, message) -> None:
    measure = proportion(world)
    response = client_for(world.panel_x).get(page_url(world.x.id, measure.id, **args))
    assert response.status_code == 400
    assert message in visible(response)


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_htmx_gets_the_results_alone(world, client_for, headers, fragment) -> None:
    measure = proportion(world)
    response = client_for(world.panel_x).get(page_url(world.x.id, measure.id), headers=headers)
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    if fragment:
        assert_fragment(response, "across-results")
    else:
        assert "<html" in body(response)


def test_the_query_count_does_not_grow_with_the_teams(world, client_for) -> None:
    measure = proportion(world)
    client = client_for(world.panel_x)
    address = page_url(world.x.id, measure.id)
    client.get(address)
    with counting_queries() as two:
        assert client.get(address).status_code == 200
    for number in range(4):
        team = Team(collaborative=world.x, name=f"Team {number}", organisation="Elsewhere")
        db.session.add(team)
        db.session.commit()
        add_points(measure, team, [20, 22, 25], denominator=40.0)
    with counting_queries() as six:
        response = client.get(address)
    assert len(team_cards(body(response))) == 6
    assert len(six) == len(two), "\n".join(six)


def test_the_teams_charts_come_a_page_at_a_time_and_print_has_them_all(app, runner) -> None:
    assert runner.invoke(args=["scale-data", "--scale", "0.125"]).exit_code == 0  # 25 teams
    collaborative = db.session.scalar(sa.select(Collaborative))
    measure = db.session.scalar(
        sa.select(Measure).where(
            Measure.collaborative_id == collaborative.id, Measure.value_kind == "proportion"
        )
    )
    client = _client(app, scale_data.PANEL, scale_data.PASSWORD)
    address = page_url(collaborative.id, measure.id)
    first = body(client.get(address))
    assert len(team_cards(first)) == SPARKS_PER_PAGE
    assert "Teams 1 to 24 of 25" in visible_of(first)
    assert f'href="{address}?teams_page=2#across-{measure.id}-multiples"' in first
    # Every team is still on the funnel and in its table.
    assert len(funnel_table(first, measure.id)) == 25
    second = body(client.get(f"{address}?teams_page=2"))
    assert len(team_cards(second)) == 1
    printed = body(client.get(f"/collaboratives/{collaborative.id}/panel/print"))
    section = printed.split(f'id="across-{measure.id}"', 1)[1].split("app-across-measure", 1)[0]
    assert len(team_cards(section)) == 25


# Who may see it ----------------------------------------------------------------------------------


def test_only_shared_measures_of_this_collaborative(world, client_for, make_collaborative) -> None:
    measure = proportion(world)
    client = client_for(world.panel_x)
    other = make_collaborative(name="Elsewhere")
    theirs = shared_measure(other, name="Their measure")
    own = Measure(
        collaborative_id=world.x.id,
        team_id=world.team_a.id,
        name="Team A's own measure",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
    )
    archived = shared_measure(world.x, name="An old measure", is_archived=True)
    db.session.add(own)
    db.session.commit()
    assert client.get(page_url(world.x.id, measure.id)).status_code == 200
    assert client.get(page_url(world.x.id, theirs.id)).status_code == 404
    assert client.get(page_url(other.id, theirs.id)).status_code == 404  # not a member there
    assert client.get(page_url(world.x.id, own.id)).status_code == 404
    assert client.get(page_url(world.x.id, archived.id)).status_code == 404
    assert client.get(page_url(world.x.id, 99_999)).status_code == 404


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("panel_x", 200),
        ("coordinator_x", 200),
        ("admin", 200),
        ("member_a", 403),  # in the collaborative, not on its panel
        ("lead_a", 403),
        ("coordinator_y", 404),
        ("member_c", 404),
        ("nobody", 404),
    ],
)
def test_who_may_see_a_measure_across_teams(world, client_for, person, status) -> None:
    measure = proportion(world)
    response = client_for(getattr(world, person)).get(page_url(world.x.id, measure.id))
    assert response.status_code == status


def test_signed_out_people_are_sent_to_sign_in(world, client) -> None:
    measure = proportion(world)
    response = client.get(page_url(world.x.id, measure.id))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
