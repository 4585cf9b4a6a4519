"""Starting a cycle: a new ramp on a change idea, or the next cycle in a ramp with its plan copied.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditAction,
    Cycle,
    CycleQuestion,
    Decision,
    Measure,
    MeasureType,
    Ramp,
    Stage,
    ValueKind,
)
from improve.models.cycle import cycle_measure
from improve.models.measure import Direction
from tests.conftest import BOOSTED
from tests.cycles.factories import (
    audit_rows,
    body,
    count,
    make_aim,
    make_cycle,
    make_idea,
    visible,
)


def new_form(idea, **fields):
    values = {
        "change_idea": str(idea.id),
        "title": "Huddle on the ground floor",
        "owner": "",
        "starts_on": ["4", "5", "2026"],
        "ends_on": ["8", "5", "2026"],
        "objective": "Will a 5-minute huddle help staff spot who may fall?",
    }
    values.update(fields)
    return values


def url(aim, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/aims/{aim.id}/cycles/new" + (f"?{query}" if query else "")


# The form ----------------------------------------------------------------------------------------


def test_the_form_lists_the_aims_ideas_and_the_teams_people(world, sign_in, aim, idea):
    make_idea(make_aim(world.team_b), title="Another team's idea")
    response = sign_in(world.member_a).get(url(aim))
    assert response.status_code == 200
    text = visible(response)
    assert "Plan a new cycle" in text
    assert "Morning huddle" in text and "Another team's idea" not in text
    assert "Lead A" in text and "Expert A" in text and "Member B" not in text
    assert "novalidate" in body(response)


def test_an_idea_can_be_preselected(world, sign_in, aim, idea):
    make_idea(aim, title="Falls champion")
    page = body(sign_in(world.member_a).get(url(aim, idea=idea.id)))
    assert f'<option value="{idea.id}" selected' in page


@pytest.mark.parametrize("value", ["abc", "-1", "99999"])
def test_a_malformed_or_unknown_preselected_idea_is_a_bad_request(world, sign_in, aim, value):
    response = sign_in(world.member_a).get(url(aim, idea=value))
    assert response.status_code == 400
    assert "That change idea is not one of this aim's" in visible(response)


def test_another_aims_idea_cannot_be_preselected(world, sign_in, aim):
    other = make_idea(make_aim(world.team_a, title="Better sleep"), title="Quiet nights")
    response = sign_in(world.member_a).get(url(aim, idea=other.id))
    assert response.status_code == 400


def test_an_aim_without_ideas_says_what_to_do_first(world, sign_in, aim):
    response = sign_in(world.member_a).get(url(aim))
    assert response.status_code == 200
    assert "This aim has no change ideas yet" in visible(response)
    assert 'name="title"' not in body(response)


# Creating ----------------------------------------------------------------------------------------


def test_starting_a_cycle_starts_a_ramp_and_is_audited(world, sign_in, aim, idea):
    response = sign_in(world.member_a).post(
        url(aim), data=new_form(idea, owner=str(world.lead_a.id))
    )
    assert response.status_code == 303
    cycle = db.session.scalar(sa.select(Cycle))
    assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-stage"
    ramp = db.session.get(Ramp, cycle.ramp_id)
    assert (ramp.change_idea_id, cycle.number, cycle.stage) == (idea.id, 1, Stage.PLAN)
    assert (cycle.title, cycle.owner_id, cycle.team_id) == (
        "Huddle on the ground floor",
        world.lead_a.id,
        world.team_a.id,
    )
    assert (cycle.starts_on, cycle.ends_on) == (date(2026, 5, 4), date(2026, 5, 8))
    assert cycle.objective.startswith("Will a 5-minute huddle")
    assert cycle.created_by_id == world.member_a.id
    [event] = audit_rows("Cycle", AuditAction.CREATE)
    assert (event.entity_id, event.actor_id, event.team_id, event.collaborative_id) == (
        cycle.id,
        world.member_a.id,
        world.team_a.id,
        world.x.id,
    )
    assert event.after["title"] == "Huddle on the ground floor"
    assert event.after["stage"] == "plan"


def test_a_boosted_form_is_redirected_too(world, sign_in, aim, idea):
    response = sign_in(world.lead_a).post(url(aim), data=new_form(idea), headers=BOOSTED)
    assert response.status_code == 303
    assert count(Cycle) == 1


def test_a_second_cycle_without_after_starts_another_ramp(world, sign_in, aim, idea):
    client = sign_in(world.member_a)
    client.post(url(aim), data=new_form(idea))
    client.post(url(aim), data=new_form(idea, title="Again"))
    assert count(Ramp) == 2
    assert set(db.session.scalars(sa.select(Cycle.number))) == {1}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a name for this test"),
        ({"title": "x" * 201}, "Name of this test must be 200 characters or fewer"),
        ({"title": "Huddle\x00"}, "contains characters that cannot be saved"),
        ({"objective": "  "}, "Enter what you want to learn from this test"),
        ({"objective": "x" * 5001}, "must be 5000 characters or fewer"),
        ({"change_idea": ""}, "Choose the change idea you are testing"),
        ({"change_idea": "abc"}, "Choose a change idea from the list"),
        ({"owner": "99999"}, "Choose the person leading the test from the list"),
        ({"starts_on": ["", "", ""]}, "Enter the start date"),
        ({"starts_on": ["31", "2", "2026"]}, "Start date must be a real date"),
        ({"ends_on": ["3", "5", "2026"]}, "The end date must be the same as or after the start"),
    ],
    ids=[
        "no-title",
        "long-title",
        "nul",
        "no-objective",
        "long-objective",
        "no-idea",
        "bad-idea",
        "owner-not-in-team",
        "no-start",
        "unreal-date",
        "end-before-start",
    ],
)
def test_invalid_details_are_refused(world, sign_in, aim, idea, fields, message):
    response = sign_in(world.member_a).post(url(aim), data=new_form(idea, **fields))
    assert response.status_code == 422
    assert message in visible(response)
    assert "There is a problem" in visible(response)
    assert (count(Cycle), count(Ramp), audit_rows("Cycle")) == (0, 0, [])


def test_a_post_without_date_parts_does_not_crash(world, sign_in, aim, idea):
    form = new_form(idea)
    del form["starts_on"], form["ends_on"]
    response = sign_in(world.member_a).post(url(aim), data=form)
    assert response.status_code == 422
    assert "Enter the start date" in visible(response)
    assert count(Cycle) == 0


def test_an_idea_of_another_aim_or_team_is_refused(world, sign_in, aim, idea):
    foreign = make_idea(make_aim(world.team_b), title="Team B idea")
    other_aim_idea = make_idea(make_aim(world.team_a, title="Sleep"), title="Quiet nights")
    client = sign_in(world.member_a)
    for other in (foreign, other_aim_idea):
        response = client.post(url(aim), data=new_form(idea, change_idea=str(other.id)))
        assert response.status_code == 422
    assert count(Cycle) == 0


# Who may ---------------------------------------------------------------------------------------


def test_who_may_start_a_cycle(world, client_for, aim, idea):
    statuses = {}
    for role in ("admin", "lead_a", "member_a", "expert_a", "coordinator_x", "panel_x"):
        client = client_for(getattr(world, role))
        statuses[role] = (
            client.get(url(aim)).status_code,
            client.post(url(aim), data=new_form(idea, title=f"By {role}")).status_code,
        )
    for role in ("member_b", "coordinator_y", "member_c", "nobody"):
        client = client_for(getattr(world, role))
        statuses[role] = (
            client.get(url(aim)).status_code,
            client.post(url(aim), data=new_form(idea)).status_code,
        )
    assert statuses == {
        "admin": (200, 303),
        "lead_a": (200, 303),
        "member_a": (200, 303),
        "expert_a": (403, 403),
        "coordinator_x": (403, 403),
        "panel_x": (403, 403),
        "member_b": (404, 404),
        "coordinator_y": (404, 404),
        "member_c": (404, 404),
        "nobody": (404, 404),
    }
    assert set(db.session.scalars(sa.select(Cycle.title))) == {
        "By admin",
        "By lead_a",
        "By member_a",
    }


@pytest.mark.parametrize("path", ["/aims/99999/cycles/new", "/aims/0/cycles/new"])
def test_an_unknown_aim_is_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


# The next cycle in a ramp ----------------------------------------------------------------------


@pytest.fixture
def adapted(world, aim, idea):
    """Cycle 1 of a ramp, adapted, with two questions, a full plan and a linked measure."""
    cycle = make_cycle(
        idea,
        title="Huddle, one unit",
        owner_id=world.member_a.id,
        questions=[("Will staff come?", "Most days"), ("Will it take 5 minutes?", "Yes")],
        change_who="Day shift",
        change_what="A 5-minute huddle",
        change_where="Ground floor",
        change_when="8am",
        data_plan="Count huddles",
        data_collected_by="Shift lead",
        carried_out_as_planned=True,
        what_happened="It happened",
        improved="yes",
        why_improved="Fewer falls",
        decision=Decision.ADAPT,
        next_steps="Try both floors",
        stage=Stage.CLOSED,
    )
    measure = Measure(
        collaborative_id=world.x.id,
        team_id=world.team_a.id,
        aim_id=aim.id,
        name="Falls a month",
        measure_type=MeasureType.OUTCOME,
        value_kind=ValueKind.COUNT,
        direction=Direction.DECREASE,
    )
    db.session.add(measure)
    db.session.flush()
    db.session.execute(sa.insert(cycle_measure).values(cycle_id=cycle.id, measure_id=measure.id))
    db.session.commit()
    return cycle


def test_the_next_cycle_form_shows_what_will_be_copied(world, sign_in, aim, adapted):
    response = sign_in(world.member_a).get(url(aim, after=adapted.id))
    assert response.status_code == 200
    text = visible(response)
    assert "Plan cycle 2 testing ‘Morning huddle’" in text
    assert "As a starting point, we will copy from cycle 1, ‘Huddle, one unit’" in text
    assert "Will staff come? Prediction: Most days" in text
    assert "Try both floors" in text
    page = body(response)
    assert 'value="Huddle, one unit"' in page  # the name, prefilled
    assert f'<option value="{world.member_a.id}" selected' in page
    assert 'name="change_idea"' not in page  # the ramp decides the idea


def test_the_next_cycle_is_numbered_and_its_plan_copied(world, sign_in, aim, adapted):
    form = new_form(adapted.ramp.change_idea, title="Huddle, both floors", objective="Both floors?")
    del form["change_idea"]
    form["starts_on"], form["ends_on"] = ["11", "5", "2026"], ["15", "5", "2026"]
    client = sign_in(world.member_a)
    response = client.post(url(aim, after=adapted.id), data=form)

    assert response.status_code == 303
    second = db.session.scalar(sa.select(Cycle).where(Cycle.id != adapted.id))
    assert (second.ramp_id, second.number, second.stage) == (adapted.ramp_id, 2, Stage.PLAN)
    assert (second.objective, second.change_what, second.data_plan) == (
        "Both floors?",
        "A 5-minute huddle",
        "Count huddles",
    )
    assert (second.change_who, second.change_where, second.change_when) == (
        "Day shift",
        "Ground floor",
        "8am",
    )
    questions = db.session.scalars(
        sa.select(CycleQuestion)
        .where(CycleQuestion.cycle_id == second.id)
        .order_by(CycleQuestion.position)
    ).all()
    assert [(q.question, q.prediction, q.result) for q in questions] == [
        ("Will staff come?", "Most days", ""),
        ("Will it take 5 minutes?", "Yes", ""),
    ]
    linked = db.session.scalars(
        sa.select(cycle_measure.c.measure_id).where(cycle_measure.c.cycle_id == second.id)
    ).all()
    assert len(linked) == 1
    # Do, Study and Act start empty: they belong to the new test.
    assert (second.what_happened, second.decision, second.improved) == ("", None, None)
    [created] = [e for e in audit_rows("Cycle", AuditAction.CREATE) if e.entity_id == second.id]
    assert created.after["copied_from_cycle_id"] == adapted.id
    assert len(audit_rows("CycleQuestion", AuditAction.CREATE)) == 2
    page = visible(client.get(f"/cycles/{second.id}"))
    assert "This plan starts as a copy of the previous cycle's plan" in page


def test_a_third_cycle_follows_the_last_number(world, sign_in, aim, idea, adapted):
    make_cycle(idea, ramp=adapted.ramp, title="Cycle 2", stage=Stage.PLAN)
    form = new_form(idea, title="Third")
    del form["change_idea"]
    response = sign_in(world.member_a).post(url(aim, after=adapted.id), data=form)
    assert response.status_code == 303
    numbers = db.session.scalars(
        sa.select(Cycle.number).where(Cycle.ramp_id == adapted.ramp_id).order_by(Cycle.number)
    ).all()
    assert numbers == [1, 2, 3]


@pytest.mark.parametrize("method", ["get", "post"])
def test_after_a_cycle_of_another_team_or_aim_is_not_found(world, sign_in, aim, idea, method):
    team_b_cycle = make_cycle(make_idea(make_aim(world.team_b)))
    other_aim_cycle = make_cycle(make_idea(make_aim(world.team_a, title="Sleep")))
    client = sign_in(world.member_a)
    for after in (team_b_cycle.id, other_aim_cycle.id, 99999, "abc"):
        response = getattr(client, method)(url(aim, after=after), data=new_form(idea))
        assert response.status_code == 404
    assert count(Cycle) == 2


def test_two_people_taking_the_same_next_number_is_a_clear_conflict(
    world, sign_in, aim, adapted, monkeypatch
):
    from improve.cycles import operations

    create = operations.create_cycle

    def racing(*args, **kwargs):
        cycle = create(*args, **kwargs)
        cycle.number = adapted.number  # as if another request saved number 2 first
        return cycle

    monkeypatch.setattr(operations, "create_cycle", racing)
    form = new_form(adapted.ramp.change_idea)
    del form["change_idea"]
    response = sign_in(world.member_a).post(url(aim, after=adapted.id), data=form)
    assert response.status_code == 409
    assert "Someone else started the next cycle in this ramp at the same moment" in (
        visible(response)
    )
    assert count(Cycle) == 1 and len(audit_rows("Cycle")) == 0
