"""The ramp view, the aim page's list of cycles, and changing a cycle's name, leader and dates.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import render_template

from improve.cycles import queries
from improve.models import AuditAction, CycleTask, Decision, Stage, utcnow
from tests.conftest import BOOSTED
from tests.cycles.factories import audit_rows, body, fresh, make_aim, make_cycle, make_idea, visible
from tests.cycles.posts import do_data


@pytest.fixture
def ramp_of_two(world, idea):
    first = make_cycle(
        idea,
        title="One unit",
        owner_id=world.lead_a.id,
        decision=Decision.ADAPT,
        stage=Stage.CLOSED,
        closed_at=utcnow(),
    )
    second = make_cycle(
        idea,
        ramp=first.ramp,
        title="Both floors",
        starts_on=date(2026, 5, 11),
        ends_on=date(2026, 5, 15),
        decision=Decision.ADOPT,
        stage=Stage.CLOSED,
        closed_at=utcnow(),
    )
    return first, second


# The ramp view ---------------------------------------------------------------------------------


def test_the_ramp_lists_its_cycles_in_order_with_their_decisions(world, sign_in, ramp_of_two):
    first, second = ramp_of_two
    make_cycle(first.ramp.change_idea, title="Another ramp")  # a separate ramp: not listed
    response = sign_in(world.member_a).get(f"/ramps/{first.ramp_id}")
    assert response.status_code == 200
    text = visible(response)
    assert "Ramp of cycles testing a change idea Morning huddle" in text
    assert "1. One unit 4 May 2026 to 8 May 2026 Lead A Closed Adapt: It partly worked" in text
    assert "2. Both floors 11 May 2026 to 15 May 2026 Nobody yet Closed Adopt: It worked" in text
    assert text.index("1. One unit") < text.index("2. Both floors")
    assert "Another ramp" not in text
    # The last cycle was adopted: the team may take it further.
    assert f'href="/aims/{first.ramp.change_idea.aim_id}/cycles/new?after={second.id}"' in (
        body(response)
    )


def test_the_ramp_offers_nothing_to_those_who_only_look(world, sign_in, ramp_of_two):
    first, _ = ramp_of_two
    response = sign_in(world.panel_x).get(f"/ramps/{first.ramp_id}", headers=BOOSTED)
    assert response.status_code == 200
    assert "Plan the next cycle" not in visible(response)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("coordinator_x", 200),
        ("expert_a", 200),
        ("member_b", 404),
        ("coordinator_y", 404),
        ("nobody", 404),
    ],
)
def test_who_may_see_a_ramp(world, client_for, ramp_of_two, who, status):
    first, _ = ramp_of_two
    assert client_for(getattr(world, who)).get(f"/ramps/{first.ramp_id}").status_code == status


# The aim page's list of cycles (included by the aim page) --------------------------------------


def test_the_aim_cycles_list_groups_cycles_by_idea_and_ramp(world, sign_in, app, aim, ramp_of_two):
    first, second = ramp_of_two
    make_cycle(make_idea(aim, title="Falls champion", position=1), title="Champion week")
    sign_in(world.member_a)
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.member_a)
        html = render_template(
            "cycles/_aim_cycles.html", aim=aim, aim_cycles=queries.cycles_for_aim_page(aim.id)
        )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert text.index("Cycle 1: One unit") < text.index("Cycle 2: Both floors")
    assert text.index("Cycle 2: Both floors") < text.index("Cycle 1: Champion week")
    assert f'href="/ramps/{first.ramp_id}"' in html
    assert f'href="/cycles/{second.id}"' in html
    assert f'href="/aims/{aim.id}/cycles/new"' in html  # a member may plan one


def test_the_aim_cycles_list_without_cycles(app, world, aim):
    with app.test_request_context():
        html = render_template("cycles/_aim_cycles.html", aim_cycles=queries.AimCycles([], 0))
    assert "No cycles yet." in html


# Changing the details --------------------------------------------------------------------------


def details_form(cycle, **fields):
    values = {
        "version": str(cycle.version),
        "title": cycle.title,
        "owner": "",
        "starts_on": [str(cycle.starts_on.day), str(cycle.starts_on.month), "2026"],
        "ends_on": [str(cycle.ends_on.day), str(cycle.ends_on.month), "2026"],
    }
    values.update(fields)
    return values


def test_changing_the_details(world, sign_in, cycle):
    client = sign_in(world.member_a)
    page = client.get(f"/cycles/{cycle.id}/edit")
    assert page.status_code == 200
    assert 'value="Huddle test"' in body(page)
    response = client.post(
        f"/cycles/{cycle.id}/edit",
        data=details_form(cycle, title="Huddle, ground floor", owner=str(world.lead_a.id)),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#cycle-summary"
    after = fresh(cycle)
    assert (after.title, after.owner_id) == ("Huddle, ground floor", world.lead_a.id)
    [event] = audit_rows("Cycle", AuditAction.UPDATE)
    assert event.before == {"title": "Huddle test", "owner_id": None}
    assert "Led by Lead A" in visible(client.get(f"/cycles/{cycle.id}"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a name for this test"),
        ({"ends_on": ["1", "5", "2026"]}, "The end date must be the same as or after the start"),
        ({"owner": str(10**6)}, "Choose the person leading the test from the list"),
        ({"version": ""}, "This form is out of date"),
    ],
)
def test_invalid_details_are_refused(world, sign_in, cycle, fields, message):
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/edit", data=details_form(cycle, **fields)
    )
    assert response.status_code == 422
    assert message in visible(response)
    assert fresh(cycle).title == "Huddle test" and audit_rows("Cycle") == []


def test_a_start_after_a_task_is_due_is_refused(world, sign_in, cycle):
    from improve.extensions import db

    db.session.add(
        CycleTask(cycle_id=cycle.id, description="Print sheets", due_on=date(2026, 5, 4))
    )
    db.session.commit()
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/edit", data=details_form(cycle, starts_on=["5", "5", "2026"])
    )
    assert response.status_code == 422
    assert "These tasks are due before this start date: ‘Print sheets’" in visible(response)
    assert fresh(cycle).starts_on == date(2026, 5, 4)


def test_details_changed_by_someone_else_meanwhile_are_not_overwritten(world, client_for, cycle):
    lead, member = client_for(world.lead_a), client_for(world.member_a)
    loaded = details_form(cycle)
    assert lead.post(f"/cycles/{cycle.id}/do", data=do_data()).status_code == 303
    response = member.post(f"/cycles/{cycle.id}/edit", data={**loaded, "title": "Member title"})
    assert response.status_code == 422
    text = visible(response)
    assert "Someone else changed this cycle while you were editing" in text
    assert 'value="Member title"' in body(response)
    assert fresh(cycle).title == "Huddle test"


@pytest.mark.parametrize(
    ("who", "status"), [("expert_a", 403), ("panel_x", 403), ("member_b", 404)]
)
def test_who_may_not_change_the_details(world, client_for, cycle, who, status):
    client = client_for(getattr(world, who))
    assert client.get(f"/cycles/{cycle.id}/edit").status_code == status
    assert client.post(f"/cycles/{cycle.id}/edit", data=details_form(cycle)).status_code == status


def test_another_collaboratives_cycle_is_not_found(world, sign_in):
    cycle = make_cycle(make_idea(make_aim(world.team_c)))
    client = sign_in(world.coordinator_x)
    assert client.get(f"/cycles/{cycle.id}").status_code == 404
    assert client.get(f"/ramps/{cycle.ramp_id}").status_code == 404


def test_an_aim_that_tests_often_shows_the_cycles_that_began_last(world, sign_in, aim):
    """An aim's page lists the 25 cycles that began last, by idea and ramp, with all of them a
    link away (every cycle on the page made it slower with each one)."""
    idea = make_idea(aim, title="Night checks")
    today = date.today()
    for day in range(30):
        start = today - timedelta(days=60 - day)
        make_cycle(idea, title=f"Check {day:02d}", starts_on=start, ends_on=start)
    client = sign_in(world.member_a)
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(f"/aims/{aim.id}").get_data(as_text=True))
    )
    assert "Check 29" in text and "Check 05" in text and "Check 04" not in text
    assert "The 25 cycles that began last are shown. Show all 30 cycles" in text
    everything = client.get(f"/aims/{aim.id}?cycles=all").get_data(as_text=True)
    assert "Check 00" in everything and "Show all 30 cycles" not in everything
