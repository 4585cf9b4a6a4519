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
from improve.models import Collaborative, CollaborativePhase, DataPoint, Measure, Team
from improve.models.measure import period_words
from improve.panel import queries as panel_queries
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
        hidden = {
            team_id
            for team_id, p in usable.items()
            if disclosure.point_hidden(kind, p.value, p.denominator, threshold)
        }
        # The average is of the teams shown only: with theirs, it would give a hidden one back.
        average = funnels.pooled_average(
            [p.value for t, p in usable.items() if t not in hidden],
            [p.denominator for t, p in usable.items() if t not in hidden],
        )
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
    assert "Funnel plot: added up over January 2025 to June 2025 (whole quarters)" in pooled
    assert "Numbers are added up over whole calendar quarters" in pooled
    # A: 161 of 240 (67%); B: 355 of 600 (59%).
    assert "Team A 240 67%" in pooled and "Team B 600 59%" in pooled


def test_the_funnels_average_is_of_the_teams_shown_only(world, client_for) -> None:
    measure = proportion(world)
    # Team C's June: 2 of 40, hidden. With A's and B's shown, an average with C in it
    # would give its 2 back.
    team_c = Team(collaborative=world.x, name="Team C", organisation="Elsewhere")
    db.session.add(team_c)
    db.session.commit()
    add_points(measure, team_c, [30, 31, 30, 29, 30, 2], denominator=40.0)
    text = visible(client_for(world.panel_x).get(page_url(world.x.id, measure.id)))
    assert "Team C hidden (small number)" in text
    # A: 10 of 40, B: 70 of 100: 80 of 140 is 57% (with C's 2 of 40 it would be 46%).
    assert "The average, 57%, is the numbers of the teams on the plot added up" in text
    assert "leaving out the hidden teams’" in text
    assert "the hidden teams’ too" not in text


def rate(world) -> Measure:
    """Leavers per 100 staff: 1 to 4 a month in every team, every month hidden on its own."""
    measure = shared_measure(
        world.x,
        name="Care staff leaving",
        value_kind="rate",
        direction="decrease",
        chart_type="u",
        multiplier=100.0,
        baseline_end=None,
    )
    add_points(measure, world.team_a, [2, 3, 1, 4, 2, 3], denominator=60.0)
    add_points(measure, world.team_b, [1, 2, 2, 3, 1, 2], denominator=40.0)
    return measure


def test_months_too_small_alone_are_shown_added_up(world, client_for) -> None:
    measure = rate(world)
    client = client_for(world.panel_x)
    page = body(client.get(page_url(world.x.id, measure.id)))
    text = visible_of(page)
    assert "Funnel plot: June 2025" in text and "app-funnel__chart" not in page
    assert "Figures added up over several months are often large enough to show." in text
    link = re.search(rf'id="across-{measure.id}-funnel-longer">.*?href="([^"]+)"', page, re.S)
    assert link and html.unescape(link.group(1)).endswith(
        "?from_month=2025-01&to_month=2025-06#across-" + str(measure.id) + "-funnel"
    )
    assert (
        "See the funnel plot added up over the last 2 whole quarters, January 2025 to June 2025"
        in text
    )
    pooled_page = body(client.get(html.unescape(link.group(1)).split("#")[0]))
    pooled = visible_of(pooled_page)
    assert "Funnel plot: added up over January 2025 to June 2025 (whole quarters)" in pooled
    assert "app-funnel__chart" in pooled_page
    # Every month hidden alone; added up, 15 of 360 and 11 of 240 staff-months are not small.
    table = funnel_table(pooled_page, measure.id)
    assert table["Team A"][:2] == ["360", "4.2"] and table["Team B"][:2] == ["240", "4.6"]
    assert "Team size, added up over the period" in pooled
    assert "each month's added up" in pooled


def test_a_hidden_month_within_a_period_hides_the_figure_added_up(world, client_for) -> None:
    measure = proportion(world)
    # June's 10 of 40 becomes 2 of 40: shown months and the total would give it back.
    db.session.execute(
        sa.update(DataPoint)
        .where(DataPoint.team_id == world.team_a.id, DataPoint.period_start == date(2025, 6, 1))
        .values(value=2.0)
    )
    db.session.commit()
    page = body(
        client_for(world.panel_x).get(page_url(world.x.id, measure.id, from_month="2025-01"))
    )
    table = funnel_table(page, measure.id)
    assert table["Team A"] == [HIDDEN] and table["Team B"][0] == "600"


def test_a_phase_is_widened_to_whole_quarters(world, client_for) -> None:
    measure = proportion(world)
    phase = CollaborativePhase(
        collaborative_id=world.x.id,
        title="Spring",
        kind="action_period",
        starts_on=date(2025, 2, 10),
        ends_on=date(2025, 5, 20),
    )
    db.session.add(phase)
    db.session.commit()
    page = body(client_for(world.panel_x).get(page_url(world.x.id, measure.id, phase=phase.id)))
    # 10 February to 20 May touches January to March and April to June: both added up whole,
    # past the phase's end, while the teams' charts keep to the phase (March to May).
    assert "Funnel plot: added up over January 2025 to June 2025 (whole quarters)" in visible_of(
        page
    )
    table = funnel_table(page, measure.id)
    assert table["Team A"][:2] == ["240", "67%"] and table["Team B"][:2] == ["600", "59%"]
    periods = [row[0] for row in table_rows(team_cards(page)[world.team_a.id])]
    assert periods == ["March 2025", "April 2025", "May 2025"]


def test_two_overlapping_periods_give_the_same_whole_quarters(world, client_for) -> None:
    """The review's attack: January to June less January to May would give June. Both picks
    are widened to the same whole quarters, so they show the same figures."""
    measure = proportion(world)
    client = client_for(world.panel_x)
    pages = [
        body(client.get(page_url(world.x.id, measure.id, from_month="2025-01", to_month=last)))
        for last in ("2025-06", "2025-05", "2025-04")
    ]
    tables = [funnel_table(page, measure.id) for page in pages]
    assert tables[0] == tables[1] == tables[2]
    assert tables[0]["Team A"][:2] == ["240", "67%"]
    for page in pages:
        heading = "Funnel plot: added up over January 2025 to June 2025 (whole quarters)"
        assert heading in visible_of(page)
    # January to March alone: the first quarter, a whole quarter less than the others.
    first = body(
        client.get(page_url(world.x.id, measure.id, from_month="2025-02", to_month="2025-03"))
    )
    assert "added up over January 2025 to March 2025 (a whole quarter)" in visible_of(first)
    assert funnel_table(first, measure.id)["Team A"][:2] == ["120", "81%"]  # 97 of 120


def test_a_quarter_too_small_alone_hides_the_figure_added_up(world, client_for) -> None:
    """Leavers: 1 a month from January to March (3 in the quarter, small), 2 a month from April
    to June. Added up over the half year, 9 is not small, nor are the hidden months' 9; but
    the second quarter alone is shown, so the half year less it would give the first back."""
    measure = shared_measure(
        world.x,
        name="Care staff leaving",
        value_kind="rate",
        direction="decrease",
        chart_type="u",
        multiplier=100.0,
        baseline_end=None,
    )
    add_points(measure, world.team_a, [1, 1, 1, 2, 2, 2], denominator=60.0)
    add_points(measure, world.team_b, [5, 6, 5, 6, 5, 6], denominator=60.0)
    client = client_for(world.panel_x)
    half = funnel_table(
        body(client.get(page_url(world.x.id, measure.id, from_month="2025-01"))), measure.id
    )
    assert half["Team A"] == [HIDDEN] and half["Team B"][0] == "360"
    second = funnel_table(
        body(client.get(page_url(world.x.id, measure.id, from_month="2025-04"))), measure.id
    )
    assert second["Team A"][:2] == ["180", "3.3"]  # 6 of 180 staff-months


def test_a_period_with_no_whole_quarter_says_so(world, client_for) -> None:
    measure = proportion(world)
    response = client_for(world.panel_x).get(page_url(world.x.id, measure.id, from_month="2026-11"))
    assert response.status_code == 200
    page, text = body(response), visible(response)
    assert "No funnel plot added up over November 2026 to now" in text
    assert "touch no quarter that has ended and holds a figure" in text
    assert "app-funnel__chart" not in page and "funnel-table" not in page
    link = re.search(rf'id="across-{measure.id}-funnel-no-quarter">.*?href="([^"]+)"', page, re.S)
    assert link and html.unescape(link.group(1)).endswith(
        f"/measures/{measure.id}#across-{measure.id}-funnel"
    )
    latest = visible(client_for(world.panel_x).get(html.unescape(link.group(1)).split("#")[0]))
    assert "Funnel plot: June 2025" in latest


def test_the_signals_are_counted_as_the_panels_summary_counts_them(demo_world) -> None:
    world = demo_world
    result = panel_queries.panel_summary(
        world.collaborative, panel_queries.Choice(), world.teams, world.shared
    )
    rows = {(row["measure_id"], row["team_id"]): row for row in result.rows}
    signals = 0
    for measure in world.shared:
        cards = team_cards(body(world.panel.get(page_url(world.collaborative.id, measure.id))))
        for team in world.teams:
            row = rows[(measure.id, team.id)]
            summary = visible_of(cards[team.id])
            said = [
                f"{count} {'signal' if count == 1 else 'signals'} of {what}"
                for count, what in (
                    (row["improvements"], "a real improvement"),
                    (row["concerns"], "a change for the worse"),
                )
                if count
            ]
            expected = "; ".join(said) if said else "No signal"
            assert f"{expected} {result.since_words}." in summary, (measure.name, team.name)
            assert "point shows" not in summary and "points show" not in summary
            signals += row["improvements"] + row["concerns"]
    assert signals  # the demo has some


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
        # A shared measure (the scale data's teams have proportions of their own too, which
        # PostgreSQL may list first).
        sa.select(Measure)
        .where(
            Measure.collaborative_id == collaborative.id,
            Measure.team_id.is_(None),
            Measure.value_kind == "proportion",
        )
        .order_by(Measure.id)
        .limit(1)
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
