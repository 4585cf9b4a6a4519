"""The Study stage lists the signals on the cycle's linked measures since the cycle began."""

from __future__ import annotations

import re
from datetime import date

import pytest

from improve.extensions import db
from improve.models import DataPoint, Measure, Stage
from improve.models.cycle import cycle_measure
from tests.conftest import HTMX
from tests.cycles.factories import make_cycle
from tests.teams.test_team_page import counting_queries

# Twelve months at about 9, then twelve at about 4: signals on every month of 2025 and 2026.
VALUES = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]
MONTHS = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]


def make_measure(aim, name: str = "Falls a month", points: int = 24) -> Measure:
    measure = Measure(
        collaborative_id=aim.team.collaborative_id,
        team_id=aim.team_id,
        aim_id=aim.id,
        name=name,
        measure_type="outcome",
        value_kind="continuous",
        direction="decrease",
        frequency="monthly",
        chart_type="i",
    )
    db.session.add(measure)
    db.session.flush()
    for period, value in list(zip(MONTHS, VALUES, strict=True))[:points]:
        db.session.add(
            DataPoint(measure_id=measure.id, team_id=aim.team_id, period_start=period, value=value)
        )
    db.session.commit()
    return measure


def link(cycle, measure) -> None:
    db.session.execute(cycle_measure.insert().values(cycle_id=cycle.id, measure_id=measure.id))
    db.session.commit()


def study_signals(html: str) -> str:
    match = re.search(r'<div id="study-signals">(.*?)</div>', html, re.S)
    assert match, "the Study stage must show its signals section"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def later_cycle(idea):
    return make_cycle(
        idea,
        title="Night checklist",
        starts_on=date(2026, 9, 7),
        ends_on=date(2026, 9, 25),
        stage=Stage.STUDY,
    )


def test_study_shows_the_signals_that_follow_the_cycle_and_no_others(
    world, client_for, aim, idea, later_cycle
):
    measure = make_measure(aim)  # the level drops from January 2026
    link(later_cycle, measure)
    before_drop = make_cycle(
        idea,
        title="Checklist on one floor",
        starts_on=date(2025, 11, 3),
        ends_on=date(2025, 11, 28),
        stage=Stage.STUDY,
        number=2,
    )
    link(before_drop, measure)
    client = client_for(world.member_a)

    html = client.get(f"/cycles/{before_drop.id}").get_data(as_text=True)
    text = study_signals(html)
    assert "Signals on this cycle's measures since it began" in text
    # One signal for the drop, with its periods, starting within 6 months of the cycle.
    assert "Jan 2026 to Dec 2026" in text and "in a row below the average" in text
    assert f'href="/measures/{measure.id}"' in html
    # The same signal lists this cycle on the measure page.
    page = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert "cycle 2, Checklist on one floor" in page
    # A cycle that began after the drop started is followed by no signal.
    later = study_signals(client.get(f"/cycles/{later_cycle.id}").get_data(as_text=True))
    assert "no signals since the cycle began" in later and "2026 to" not in later


def test_measures_not_linked_to_the_cycle_are_left_out(world, client_for, aim, later_cycle):
    linked = make_measure(aim, name="Falls a month")
    make_measure(aim, name="Staff sick days")
    link(later_cycle, linked)
    text = study_signals(
        client_for(world.member_a).get(f"/cycles/{later_cycle.id}").get_data(as_text=True)
    )
    assert "Falls a month" in text
    assert "Staff sick days" not in text


def test_no_signals_yet_is_said_plainly(world, client_for, aim, later_cycle):
    link(later_cycle, make_measure(aim, points=3))
    text = study_signals(
        client_for(world.expert_a).get(f"/cycles/{later_cycle.id}").get_data(as_text=True)
    )
    assert (
        "No signals yet on the measures this cycle collects: that can take 6 or more points" in text
    )


def test_a_cycle_without_measures_says_how_to_link_them(world, client_for, later_cycle):
    text = study_signals(
        client_for(world.member_a).get(f"/cycles/{later_cycle.id}").get_data(as_text=True)
    )
    assert "This cycle does not collect any measures yet" in text
    assert "choose the measures it collects in the Plan stage" in text


def test_fragments_leave_the_signals_out(world, client_for, aim, later_cycle):
    link(later_cycle, make_measure(aim))
    response = client_for(world.member_a).get(
        f"/cycles/{later_cycle.id}?part=study_stage", headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="study-signals"' not in response.get_data(as_text=True)


def test_a_cycle_still_in_plan_does_not_show_them_yet(world, client_for, aim, cycle):
    link(cycle, make_measure(aim))
    html = client_for(world.member_a).get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert 'id="study-signals"' not in html


def test_other_teams_cannot_see_the_cycle(world, client_for, aim, later_cycle):
    link(later_cycle, make_measure(aim))
    assert client_for(world.member_b).get(f"/cycles/{later_cycle.id}").status_code == 404


def test_cycle_page_queries_do_not_grow_with_linked_measures(world, client_for, aim, later_cycle):
    """The Study stage charts every linked measure: a fixed number of queries, not one set each."""
    client = client_for(world.member_a)

    def statements_with(linked: int) -> int:
        for number in range(linked):
            link(later_cycle, make_measure(aim, name=f"Measure {linked}-{number}"))
        client.get(f"/cycles/{later_cycle.id}")  # warm caches (bytecode, session loader)
        with counting_queries() as statements:
            assert client.get(f"/cycles/{later_cycle.id}").status_code == 200
        return len(statements)

    one = statements_with(1)
    assert statements_with(5) == one  # now six linked measures
