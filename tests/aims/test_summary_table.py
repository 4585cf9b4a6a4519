"""The aim page's summary table of measures (issue 15, point 5): one row per measure of the aim,
each figure and icon the one analysis of that measure for the aim's team (analyse_series).

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from improve.analysis.series import SeriesAnalysis
from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.extensions import db
from improve.measures.analysis import analyse_series
from improve.measures.views import measure_number
from improve.models import Aim, Collaborative, DataPoint, Measure, Team
from improve.models.measure import aim_measure
from tests.cycles.factories import make_aim
from tests.teams.test_team_page import counting_queries

# A level of about 10 for a year, then about 5: a shift below the average (7 points or more).
SHIFT = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12, 5, 6, 4, 5, 6, 5, 4, 5]
STEADY = [7, 8, 6, 7, 9, 7, 8, 6, 7, 8]
FIRST = date(2025, 1, 1)
NO_ASSURANCE = {
    "run": "No limits on a run chart",
    "mr": "Not for a moving range chart",
    "no target": "No target set",
    "neutral": "No better direction",
}


def make_measure(
    collaborative: Collaborative,
    aim: Aim | None = None,
    name: str = "Falls a month",
    **overrides: Any,
) -> Measure:
    """An aim's own measure, or a shared one of the collaborative without `aim`."""
    fields: dict[str, Any] = {
        "name": name,
        "measure_type": "outcome",
        "value_kind": "continuous",
        "chart_type": "i",
        "direction": "decrease",
        "frequency": "monthly",
        "target_value": 4.0,
    }
    fields.update(overrides)
    owner = {"team_id": aim.team_id, "aim_id": aim.id} if aim else {"team_id": None}
    measure = Measure(collaborative_id=collaborative.id, **owner, **fields)
    db.session.add(measure)
    db.session.commit()
    return measure


def add_points(
    measure: Measure,
    team: Team,
    values: list[float],
    denominators: list[float] | None = None,
) -> None:
    """One point a month from January 2025."""
    for number, value in enumerate(values):
        period = date(FIRST.year + (number // 12), number % 12 + 1, 1)
        denominator = denominators[number] if denominators else None
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=team.id,
                period_start=period,
                value=value,
                denominator=denominator,
            )
        )
    db.session.commit()


def link(aim: Aim, measure: Measure) -> None:
    """The aim reports against the shared measure."""
    db.session.execute(sa.insert(aim_measure).values(aim_id=aim.id, measure_id=measure.id))
    db.session.commit()


def cells(page: str, row_id: str) -> list[str]:
    """The text of each cell of the table row with this id, as read out: the icons' drawings
    (hidden from screen readers, with a letter in the assurance icon) left out."""
    row = re.search(rf'<tr[^>]*\sid="{re.escape(row_id)}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row #{row_id}"
    words = re.sub(r"<svg\b.*?</svg>", " ", row.group(1), flags=re.S)
    found = re.findall(r"<t([hd])\b[^>]*>(.*?)</t\1>", words, re.S)
    return [
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))).strip()
        for _, text in found
    ]


def expected_cells(analysis: SeriesAnalysis, why_no_assurance: str = "") -> list[str]:
    """The Latest to Target cells as the analysis gives them, formatted as the page formats
    numbers (measure_number)."""
    definition = analysis.definition
    assert analysis.latest_period is not None and analysis.variation is not None
    latest = measure_number(analysis.latest, definition, 6)
    upper = measure_number(analysis.upper, definition)
    return [
        f"{latest} {analysis.latest_period:%B %Y}",
        measure_number(analysis.centre, definition),
        measure_number(analysis.lower, definition),
        f"{upper} (trial limits)" if analysis.trial else upper,
        VARIATION_WORDS[analysis.variation][0],
        ASSURANCE_WORDS[analysis.assurance][0] if analysis.assurance else why_no_assurance,
        measure_number(analysis.target, definition),
    ]


@pytest.fixture
def scene(world):
    """Team A's aim with measures of several chart types, a shared measure it reports against
    (team B has different numbers for it) and a measure with a single point."""
    aim = make_aim(world.team_a, title="Fewer falls at night")
    team_a, team_b = world.team_a, world.team_b
    falls = make_measure(world.x, aim, "Falls a month")
    add_points(falls, team_a, SHIFT)
    checks = make_measure(world.x, aim, "Night checks done", chart_type="run", direction="increase")
    add_points(checks, team_a, STEADY)
    reviews = make_measure(
        world.x,
        aim,
        "Care plans reviewed",
        value_kind="proportion",
        chart_type="p",
        direction="increase",
        target_value=0.9,
    )
    add_points(reviews, team_a, [6, 7, 8, 7, 6, 8, 7, 9], [10] * 8)
    moves = make_measure(world.x, aim, "Moves between rooms", direction="neutral")
    add_points(moves, team_a, STEADY)
    lonely = make_measure(world.x, aim, "Calls answered", target_value=None)
    add_points(lonely, team_a, [3])
    shared = make_measure(world.x, None, "Staff who feel safe", target_value=None)
    add_points(shared, team_a, STEADY)
    add_points(shared, team_b, SHIFT)
    link(aim, shared)
    measures = [falls, checks, reviews, moves, lonely, shared]
    return aim, measures, analyse_series(measures, world.x, [team_a.id])


def test_each_row_shows_what_the_analysis_gives(world, client_for, scene):
    aim, measures, analyses = scene
    falls, checks, reviews, moves, _, shared = measures
    response = client_for(world.member_a).get(f"/aims/{aim.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    team = world.team_a.id
    # The shift is a signal, so the table is checked against a real icon, not only a grey one.
    assert analyses[(falls.id, team)].variation == "special_cause_improvement"
    assert analyses[(falls.id, team)].assurance is not None
    why = {falls: "", checks: NO_ASSURANCE["run"], reviews: "", moves: NO_ASSURANCE["neutral"]}
    why[shared] = NO_ASSURANCE["no target"]
    for measure, reason in why.items():
        row = cells(page, f"aim-measures-measure-{measure.id}")
        assert row[0].startswith(measure.name)
        assert row[1:] == expected_cells(analyses[(measure.id, team)], reason), measure.name


def test_a_share_is_shown_as_a_percentage(world, client_for, scene):
    aim, measures, analyses = scene
    reviews = measures[2]
    analysis = analyses[(reviews.id, world.team_a.id)]
    assert analysis.definition.fraction and analysis.chart_type == "p"
    page = client_for(world.member_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    row = cells(page, f"aim-measures-measure-{reviews.id}")
    assert row[1] == f"{analysis.latest * 100:.3g}% August 2025"
    assert row[-1] == "90%"


def test_a_shared_measure_shows_the_aims_team_and_links_to_its_data(world, client_for, scene):
    aim, measures, analyses = scene
    shared = measures[-1]
    page = client_for(world.member_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    row = cells(page, f"aim-measures-measure-{shared.id}")
    assert "shared by the collaborative" in row[0]
    # Team A's numbers, not team B's (whose shift would show an improvement).
    other = analyse_series([shared], world.x, [world.team_b.id])[(shared.id, world.team_b.id)]
    assert row[1:] == expected_cells(analyses[(shared.id, world.team_a.id)], "No target set")
    assert row[5] != VARIATION_WORDS[other.variation][0]
    assert f'href="/measures/{shared.id}?team={world.team_a.id}"' in page


def test_a_measure_with_one_point_has_not_enough_data_yet(world, client_for, scene):
    aim, measures, analyses = scene
    lonely = measures[4]
    assert (lonely.id, world.team_a.id) not in analyses
    page = client_for(world.member_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    row = cells(page, f"aim-measures-measure-{lonely.id}")
    assert row[0].startswith("Calls answered")
    assert row[1].startswith("Not enough data yet")
    assert len(row) == 2  # one cell across the figures


def test_the_table_has_a_caption_and_says_how_to_read_it(world, client_for, scene):
    aim, _, _ = scene
    page = client_for(world.member_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    assert re.search(r'<caption[^>]*id="aim-measures-caption"[^>]*>Measures of this aim', page)
    assert "How to read the table:" in page
    # The icons are drawings beside their words, hidden from screen readers.
    table = page.split('id="aim-measures"', 1)[1].split("</table>", 1)[0]
    icons = re.findall(r'<svg class="app-mdc__icon"[^>]*>', table)
    assert icons and all('aria-hidden="true"' in icon for icon in icons)


def test_an_aim_without_measures_says_so(world, client_for):
    aim = make_aim(world.team_a, title="Fewer falls at night")
    page = client_for(world.member_a).get(f"/aims/{aim.id}").get_data(as_text=True)
    assert "No measures are linked to this aim yet." in page
    assert 'id="aim-measures"' not in page


def test_the_aim_page_makes_the_same_number_of_queries_however_many_measures(world, client_for):
    aim = make_aim(world.team_a, title="Fewer falls at night")
    client, url = client_for(world.member_a), f"/aims/{aim.id}"

    def add(count: int) -> None:
        for number in range(count):
            own = make_measure(world.x, aim, f"Own measure {count}.{number}")
            add_points(own, world.team_a, SHIFT)
            shared = make_measure(world.x, None, f"Shared measure {count}.{number}")
            add_points(shared, world.team_a, STEADY)
            link(aim, shared)

    add(1)
    client.get(url)  # warm the session
    with counting_queries() as small:
        assert client.get(url).status_code == 200
    add(5)
    db.session.expire_all()
    with counting_queries() as large:
        response = client.get(url)
    assert response.get_data(as_text=True).count('id="aim-measures-measure-') == 12
    assert len(large) == len(small), "\n".join(large)
