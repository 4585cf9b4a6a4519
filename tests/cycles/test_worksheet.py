"""The cycle page: the PDSA worksheet, each stage saved on its own, in order, without losing
anyone's words when two people save the same stage.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditAction,
    CycleQuestion,
    Decision,
    Direction,
    ExpertView,
    Improved,
    Measure,
    MeasureType,
    Role,
    Stage,
    ValueKind,
    utcnow,
)
from improve.models.cycle import cycle_measure
from improve.models.measure import aim_measure
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX
from tests.cycles.factories import (
    assert_fragment,
    audit_rows,
    body,
    fresh,
    make_aim,
    make_cycle,
    make_idea,
    visible,
)
from tests.cycles.posts import act_data, do_data, expert_data, plan_data, study_data

PATHS = {"htmx": HTMX, "no-js": {}}
WORKSHEET_FORMS = re.compile(r'action="/cycles/\d+/(plan|do|study|act|tasks)[/"]')


def worksheet_forms(response) -> list[str]:
    """The worksheet's own forms on the page (comments, another feature, are left out)."""
    return WORKSHEET_FORMS.findall(body(response))


def done_do(idea, **fields):
    """A cycle whose Plan and Do are recorded: ready for Study."""
    values = {
        "questions": [("Will staff have time?", "Yes, on 4 days out of 5")],
        "carried_out_as_planned": True,
        "what_happened": "Huddles on 4 days",
        "stage": Stage.STUDY,
    }
    values.update(fields)
    return make_cycle(idea, **values)


def done_study(idea, **fields):
    """A cycle whose Plan, Do and Study are recorded: ready for Act."""
    values = {"improved": Improved.YES, "why_improved": "Fewer falls", "stage": Stage.ACT}
    values.update(fields)
    return done_do(idea, **values)


def closed(idea, decision=Decision.ADAPT, **fields):
    values = {
        "decision": decision,
        "next_steps": "Both floors",
        "stage": Stage.CLOSED,
        "closed_at": utcnow(),
    }
    values.update(fields)
    return done_study(idea, **values)


# Seeing the worksheet --------------------------------------------------------------------------


def test_who_may_see_a_cycle(world, client_for, cycle):
    statuses = {
        role: client_for(getattr(world, role)).get(f"/cycles/{cycle.id}").status_code
        for role in (
            "admin",
            "coordinator_x",
            "coordinator_y",
            "panel_x",
            "lead_a",
            "member_a",
            "expert_a",
            "member_b",
            "member_c",
            "nobody",
        )
    }
    assert statuses == {
        "admin": 200,
        "coordinator_x": 200,
        "coordinator_y": 404,
        "panel_x": 200,
        "lead_a": 200,
        "member_a": 200,
        "expert_a": 200,
        "member_b": 404,
        "member_c": 404,
        "nobody": 404,
    }


@pytest.mark.parametrize("path", ["/cycles/99999", "/cycles/0", "/ramps/99999"])
def test_an_unknown_cycle_or_ramp_is_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


def test_the_page_follows_the_worksheet(world, sign_in, cycle):
    response = sign_in(world.member_a).get(f"/cycles/{cycle.id}")
    text, page = visible(response), body(response)
    assert response.status_code == 200
    for heading in ("Plan", "Do", "Study", "Act", "Tasks", "Comments"):
        assert f">{heading}</h2>" in page or f">{heading}</h3>" in page, heading
    assert "Test of change: cycle 1 testing ‘Morning huddle’" in text
    assert "Will staff have time?" in text and "Yes, on 4 days out of 5" in text
    assert f'href="/history/Cycle/{cycle.id}"' in page
    # Plan is ready, so Do is open; Study and Act wait, and say why.
    assert f'action="/cycles/{cycle.id}/do"' in page
    assert "You can record this once the Do stage is saved." in text
    assert "You can decide once the Do and Study stages are saved." in text
    # Every field explains itself.
    assert "This is the objective." in text
    assert 'id="study-signals"' not in page  # the empty study_signals block shows nothing


def test_someone_who_may_only_look_sees_no_forms(world, sign_in, idea):
    cycle = done_do(idea, what_happened="Huddles on 4 days")
    response = sign_in(world.panel_x).get(f"/cycles/{cycle.id}")
    text = visible(response)
    assert response.status_code == 200
    assert worksheet_forms(response) == []
    assert "Huddles on 4 days" in text and "Will staff have time?" in text
    assert "Change the name, leader or dates" not in text


@pytest.mark.parametrize(
    "part",
    [
        "cycle_summary",
        "plan_stage",
        "plan_tasks",
        "plan_expert",
        "do_stage",
        "study_stage",
        "study_expert",
        "act_stage",
    ],
)
def test_a_partial_request_gets_one_block(world, sign_in, cycle, part):
    response = sign_in(world.member_a).get(f"/cycles/{cycle.id}?part={part}", headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, part.replace("_", "-"))
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("headers", "query"),
    [(BOOSTED, "?part=do_stage"), (HISTORY_RESTORE, "?part=do_stage"), (HTMX, "?part=nonsense")],
    ids=["boosted", "history-restore", "unknown-part"],
)
def test_other_requests_get_the_whole_page(world, sign_in, cycle, headers, query):
    response = sign_in(world.member_a).get(f"/cycles/{cycle.id}{query}", headers=headers)
    assert response.status_code == 200
    assert body(response).startswith("<!DOCTYPE html>")


def test_a_locked_stage_refreshes_itself_when_another_is_saved(world, sign_in, cycle):
    page = body(sign_in(world.member_a).get(f"/cycles/{cycle.id}"))
    assert (
        f'id="study-stage" hx-get="/cycles/{cycle.id}?part=study_stage" '
        'hx-trigger="cycle-saved from:body, cycle-closed from:body"'
    ) in page


# Plan ------------------------------------------------------------------------------------------


def test_saving_the_plan_without_javascript(world, sign_in, idea):
    cycle = make_cycle(idea, objective="First idea")
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/plan",
        data=plan_data(
            cycle,
            questions=[("", "Will staff have time?", "Yes, most days")],
            objective="Does a huddle help?",
            change_who="Day shift",
            data_plan="Count huddles held",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-stage"
    cycle = fresh(cycle)
    assert (cycle.objective, cycle.change_who, cycle.data_plan) == (
        "Does a huddle help?",
        "Day shift",
        "Count huddles held",
    )
    assert [(q.question, q.prediction) for q in cycle.questions] == [
        ("Will staff have time?", "Yes, most days")
    ]
    # Plan now has an objective and a question: the cycle moves on to Do.
    assert (cycle.stage, cycle.plan_version) == (Stage.DO, 2)
    [change] = audit_rows("Cycle", AuditAction.UPDATE)
    assert change.before == {"objective": "First idea", "change_who": "", "data_plan": ""}
    assert change.after["objective"] == "Does a huddle help?"
    assert (change.team_id, change.collaborative_id) == (world.team_a.id, world.x.id)
    [added] = audit_rows("CycleQuestion", AuditAction.CREATE)
    assert added.after["question"] == "Will staff have time?"


def test_saving_the_plan_with_htmx_returns_only_the_plan(world, sign_in, cycle):
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/plan", data=plan_data(cycle, objective="Sharper"), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "plan-stage")
    assert "Plan saved." in visible(response)
    assert response.headers["HX-Trigger"] == "cycle-saved"
    assert fresh(cycle).objective == "Sharper"


def test_questions_are_edited_and_added_in_order(world, sign_in, cycle):
    [first] = cycle.questions
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/plan",
        data=plan_data(
            cycle,
            questions=[
                (first.id, "Will staff have time?", "Yes, every day"),
                ("", "Will agency staff join?", "Not at first"),
                ("", "", ""),  # the empty row for adding is ignored
            ],
        ),
    )
    assert response.status_code == 303
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(CycleQuestion)
        .where(CycleQuestion.cycle_id == cycle.id)
        .order_by(CycleQuestion.position)
    ).all()
    assert [(q.id == first.id, q.prediction) for q in rows] == [
        (True, "Yes, every day"),
        (False, "Not at first"),
    ]
    [edit] = audit_rows("CycleQuestion", AuditAction.UPDATE)
    assert (edit.before, edit.after) == (
        {"prediction": "Yes, on 4 days out of 5"},
        {"prediction": "Yes, every day"},
    )


def test_add_another_question_adds_a_row_and_saves_nothing(world, sign_in, cycle):
    data = plan_data(cycle, questions=[(cycle.questions[0].id, "Typed but unsaved", "Maybe")])
    data["plan-add_question"] = "y"
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/plan", data=data, headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "plan-stage")
    page = body(response)
    assert "Typed but unsaved" in page
    assert 'name="plan-questions-1-question"' in page
    assert fresh(cycle).questions[0].question == "Will staff have time?"
    assert audit_rows("CycleQuestion") == []


def test_saving_the_same_plan_again_changes_nothing(world, sign_in, cycle):
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/plan", data=plan_data(cycle))
    assert response.status_code == 303
    assert audit_rows("Cycle", AuditAction.UPDATE) == []
    assert fresh(cycle).plan_version == 1


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"objective": " "}, "Enter what you want to learn from this test"),
        ({"objective": "x" * 5001}, "must be 5000 characters or fewer"),
        ({"change_what": "A\x00B"}, "contains characters that cannot be saved"),
        ({"data_collected_by": "x" * 201}, "must be 200 characters or fewer"),
        ({"questions": [("", "Will it work?", "")]}, "Enter your prediction for this question"),
        ({"questions": [("", "", "Yes")]}, "Enter the question this prediction answers"),
        ({"questions": [("{id}", "", "")]}, "or use its Remove link"),
        ({"questions": [("abc", "Q", "P")]}, "This question is no longer part of the plan"),
        ({"questions": [("{other}", "Q", "P")]}, "This question is no longer part of the plan"),
        ({"version": ""}, "This form is out of date. Reload the page"),
    ],
    ids=[
        "no-objective",
        "long",
        "nul",
        "long-short-text",
        "no-prediction",
        "no-question",
        "emptied",
        "bad-id",
        "other-cycles-question",
        "no-version",
    ],
)
def test_an_invalid_plan_is_refused(world, sign_in, idea, cycle, path, change, message):
    other = make_cycle(idea, questions=[("Other", "Other")])
    if "questions" in change:
        change["questions"] = [
            (str(qid).format(id=cycle.questions[0].id, other=other.questions[0].id), q, p)
            for qid, q, p in change["questions"]
        ]
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/plan", data=plan_data(cycle, **change), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert message in visible(response)
    if path == "htmx":
        assert_fragment(response, "plan-stage")
    else:
        assert "Nothing was saved" in visible(response)
    after = fresh(cycle)
    assert (after.objective, after.plan_version) == ("Learn whether a huddle helps", 1)
    assert [q.question for q in after.questions] == ["Will staff have time?"]
    assert audit_rows("Cycle", AuditAction.UPDATE) == audit_rows("CycleQuestion") == []


def _measure(world, aim=None, team=True, name="Falls a month"):
    measure = Measure(
        collaborative_id=world.x.id,
        team_id=world.team_a.id if team else None,
        aim_id=aim.id if aim else None,
        name=name,
        measure_type=MeasureType.OUTCOME,
        value_kind=ValueKind.COUNT,
        direction=Direction.DECREASE,
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def test_the_data_plan_links_the_aims_own_and_shared_measures(world, sign_in, aim, cycle):
    own = _measure(world, aim, name="Falls a month")
    shared = _measure(world, team=False, name="Shared: days between falls")
    db.session.execute(sa.insert(aim_measure).values(aim_id=aim.id, measure_id=shared.id))
    db.session.commit()
    other_aim = _measure(world, make_aim(world.team_a, title="Sleep"), name="Hours slept")
    client = sign_in(world.member_a)

    page = visible(client.get(f"/cycles/{cycle.id}"))
    assert "Falls a month" in page and "Shared: days between falls" in page
    assert "Hours slept" not in page

    response = client.post(
        f"/cycles/{cycle.id}/plan", data={**plan_data(cycle), "plan-measures": [own.id, shared.id]}
    )
    assert response.status_code == 303
    linked = db.session.scalars(
        sa.select(cycle_measure.c.measure_id).where(cycle_measure.c.cycle_id == cycle.id)
    ).all()
    assert sorted(linked) == sorted([own.id, shared.id])
    [change] = audit_rows("Cycle", AuditAction.UPDATE)
    assert (change.before, change.after) == (
        {"measure_ids": []},
        {"measure_ids": sorted([own.id, shared.id])},
    )

    refused = client.post(
        f"/cycles/{fresh(cycle).id}/plan",
        data={**plan_data(fresh(cycle)), "plan-measures": [other_aim.id]},
    )
    assert refused.status_code == 422
    assert "Choose measures from the list shown" in visible(refused)


def test_without_measures_the_plan_says_where_they_are_added(world, sign_in, cycle):
    text = visible(sign_in(world.member_a).get(f"/cycles/{cycle.id}"))
    assert "This aim has no measures yet." in text
    assert "added on the measures page" in text


# Stage order -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_do_needs_a_plan_with_a_question(world, sign_in, idea, path):
    cycle = make_cycle(idea)  # an objective but no question
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/do", data=do_data(), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert "You cannot record the Do stage yet" in visible(response)
    if path == "htmx":
        assert_fragment(response, "do-stage")
    after = fresh(cycle)
    assert (after.what_happened, after.carried_out_as_planned, after.stage) == (
        "",
        None,
        Stage.PLAN,
    )
    assert audit_rows("Cycle") == []


@pytest.mark.parametrize("path", PATHS)
def test_study_needs_do(world, sign_in, cycle, path):
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/study", data=study_data(cycle), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert "You cannot record the Study stage yet" in visible(response)
    if path == "htmx":
        assert_fragment(response, "study-stage")
    assert (fresh(cycle).improved, fresh(cycle).questions[0].result) == (None, "")
    assert audit_rows("Cycle") == audit_rows("CycleQuestion") == []


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("recorded", ["plan", "do"])
def test_an_act_decision_needs_do_and_study(world, sign_in, idea, path, recorded):
    cycle = make_cycle(idea, questions=[("Q", "P")]) if recorded == "plan" else done_do(idea)
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/act", data=act_data(), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert "You cannot decide yet: first record what happened (Do) and what you learned" in (
        visible(response)
    )
    if path == "htmx":
        assert_fragment(response, "act-stage")
    after = fresh(cycle)
    assert (after.decision, after.closed_at) == (None, None)
    assert after.stage != Stage.CLOSED
    assert audit_rows("Cycle") == []


def test_a_cycle_runs_plan_do_study_act_in_order(world, sign_in, cycle):
    client = sign_in(world.lead_a)
    url = f"/cycles/{cycle.id}"

    response = client.post(f"{url}/do", data=do_data())
    assert (response.status_code, response.headers["Location"]) == (303, f"{url}#do-stage")
    assert (fresh(cycle).stage, fresh(cycle).carried_out_as_planned) == (Stage.STUDY, True)

    response = client.post(f"{url}/study", data=study_data(fresh(cycle)), headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "study-stage")
    assert response.headers["HX-Trigger"] == "cycle-saved"
    after = fresh(cycle)
    assert (after.stage, after.improved, after.questions[0].result) == (
        Stage.ACT,
        Improved.YES,
        "Result for Will staff have time?",
    )

    response = client.post(f"{url}/act", data=act_data(decision="adopt"))
    assert (response.status_code, response.headers["Location"]) == (303, f"{url}#act-stage")
    after = fresh(cycle)
    assert (after.stage, after.decision, after.next_steps) == (
        Stage.CLOSED,
        Decision.ADOPT,
        "Try it on both floors.",
    )
    assert after.closed_at is not None
    actions = [(e.summary.split(" ")[0], e.actor_id) for e in audit_rows("Cycle")]
    assert actions == [("Recorded", world.lead_a.id), ("Recorded", world.lead_a.id)] + [
        ("Decided", world.lead_a.id)
    ]
    closing = audit_rows("Cycle")[-1]
    assert (closing.before["stage"], closing.after["stage"]) == ("act", "closed")
    assert closing.after["decision"] == "adopt"
    [answer] = audit_rows("CycleQuestion", AuditAction.UPDATE)
    assert answer.after["result"] == "Result for Will staff have time?"


def test_acting_with_htmx_closes_the_cycle_and_tells_the_page(world, sign_in, idea):
    cycle = done_study(idea)
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/act", data=act_data(decision="abandon"), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "act-stage")
    assert response.headers["HX-Trigger"] == "cycle-closed"
    text = visible(response)
    assert "Decision saved. This cycle is now closed." in text
    assert "It did not work: stop it and try a different change idea." in text
    assert "Plan the next cycle in this ramp" not in text  # not after abandon


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decision": ""}, "Choose adopt, adapt or abandon"),
        ({"decision": "maybe"}, "Choose adopt, adapt or abandon"),
        ({"next_steps": ""}, "Say what happens next"),
    ],
)
def test_an_invalid_decision_is_refused(world, sign_in, idea, change, message):
    cycle = done_study(idea)
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/act", data=act_data(**change))
    assert response.status_code == 422
    assert message in visible(response)
    assert fresh(cycle).stage == Stage.ACT


@pytest.mark.parametrize(
    ("route", "change", "message"),
    [
        ("do", {"carried_out_as_planned": "maybe"}, "Choose yes or no"),
        ("do", {"carried_out_as_planned": ""}, "Say whether you carried out the test as planned"),
        ("do", {"what_happened": ""}, "Say what happened"),
        ("study", {"improved": "perhaps"}, "Choose yes, no or not sure yet"),
        ("study", {"why_improved": ""}, "Say why you think that"),
        ("study", {"answers-0-result": ""}, "Say what actually happened for this question"),
        ("study", {"answers-0-question_id": "99999"}, "This question is no longer part of"),
    ],
)
def test_invalid_do_and_study_are_refused(world, sign_in, idea, route, change, message):
    cycle = (
        done_do(idea, what_happened="Saved before")
        if route == "study"
        else make_cycle(idea, questions=[("Q", "P")])
    )
    data = study_data(cycle) if route == "study" else do_data()
    data.update({f"{route}-{name}": value for name, value in change.items()})
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/{route}", data=data)
    assert response.status_code == 422
    assert message in visible(response)
    after = fresh(cycle)
    assert (after.do_version, after.study_version, after.improved) == (1, 1, None)
    assert audit_rows("Cycle") == []


def test_a_closed_cycle_is_read_only(world, sign_in, idea):
    cycle = closed(idea)
    client = sign_in(world.member_a)
    posts = {
        "plan": plan_data(cycle, objective="Changed"),
        "do": do_data(what_happened="Changed"),
        "study": study_data(cycle, why_improved="Changed"),
        "act": act_data(decision="abandon"),
        "tasks": {"task-description": "Late task", "task-due_on": ["9", "5", "2026"]},
    }
    for route, data in posts.items():
        for headers in PATHS.values():
            response = client.post(f"/cycles/{cycle.id}/{route}", data=data, headers=headers)
            assert response.status_code == 422, route
            assert "This cycle is closed" in visible(response), route
    assert client.post(f"/cycles/{cycle.id}/edit", data={}).status_code == 422
    after = fresh(cycle)
    assert (after.objective, after.what_happened, after.decision) == (
        "Learn whether a huddle helps",
        "Huddles on 4 days",
        Decision.ADAPT,
    )
    assert audit_rows("Cycle") == audit_rows("CycleTask") == []
    page = client.get(f"/cycles/{cycle.id}")
    assert "It is now read-only: nothing in it can be changed." in visible(page)
    assert worksheet_forms(page) == []


# Two people at once ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_stale_save_of_the_same_stage_is_refused_showing_both(world, client_for, cycle, path):
    lead, member = client_for(world.lead_a), client_for(world.member_a)
    # Both opened the page while Do was at version 1; the lead saves first.
    assert (
        lead.post(f"/cycles/{cycle.id}/do", data=do_data(what_happened="Lead account")).status_code
        == 303
    )

    response = member.post(
        f"/cycles/{cycle.id}/do",
        data=do_data(what_happened="Member account"),
        headers=PATHS[path],
    )
    assert response.status_code == 422
    text, page = visible(response), body(response)
    assert "Someone else saved the Do stage while you were editing" in text
    assert "Here is what they saved; your text is still in the form below." in text
    assert "Lead account" in text  # their saved version
    assert "Member account</textarea>" in page  # this person's words, kept in the form
    assert 'name="do-version" type="hidden" value="2"' in page  # saving again is deliberate
    if path == "htmx":
        assert_fragment(response, "do-stage")
    assert fresh(cycle).what_happened == "Lead account"
    assert len(audit_rows("Cycle")) == 1

    again = member.post(
        f"/cycles/{cycle.id}/do", data=do_data(version=2, what_happened="Member account")
    )
    assert again.status_code == 303
    assert (fresh(cycle).what_happened, fresh(cycle).do_version) == ("Member account", 3)


def test_a_stale_plan_shows_both_plans(world, client_for, cycle):
    lead, member = client_for(world.lead_a), client_for(world.member_a)
    loaded = plan_data(cycle)
    assert (
        lead.post(
            f"/cycles/{cycle.id}/plan", data={**loaded, "plan-objective": "Lead's objective"}
        ).status_code
        == 303
    )
    response = member.post(
        f"/cycles/{cycle.id}/plan", data={**loaded, "plan-objective": "Member's objective"}
    )
    assert response.status_code == 422
    text = visible(response)
    assert "Someone else saved the Plan while you were editing" in text
    assert "Lead's objective" in text and "Member's objective" in text
    assert fresh(cycle).objective == "Lead's objective"


def test_saving_different_stages_at_once_both_succeed(world, client_for, idea):
    cycle = done_do(idea)
    # Both loaded the page with every stage at version 1.
    plan = plan_data(cycle, objective="Lead's sharper objective")
    study = study_data(cycle)
    lead, member = client_for(world.lead_a), client_for(world.member_a)
    assert lead.post(f"/cycles/{cycle.id}/plan", data=plan).status_code == 303
    assert member.post(f"/cycles/{cycle.id}/study", data=study, headers=HTMX).status_code == 200
    after = fresh(cycle)
    assert (after.objective, after.improved) == ("Lead's sharper objective", Improved.YES)
    assert (after.plan_version, after.study_version) == (2, 2)


# Experts by experience -------------------------------------------------------------------------


def test_an_expert_sees_their_own_forms_and_no_others(world, sign_in, idea):
    cycle = done_do(idea)
    response = sign_in(world.expert_a).get(f"/cycles/{cycle.id}")
    text, page = visible(response), body(response)
    assert "What matters to me about this change" in text
    assert "Did this make a difference to me?" in text
    assert f'action="/cycles/{cycle.id}/plan/expert"' in page
    for route in ("plan", "do", "study", "act", "tasks"):
        assert f'action="/cycles/{cycle.id}/{route}"' not in page, route
    assert "Huddles on 4 days" in text  # they can read the team's record


@pytest.mark.parametrize("route", ["plan", "do", "study", "act", "tasks", "edit"])
def test_an_expert_may_not_save_the_teams_fields(world, sign_in, idea, route):
    cycle = done_study(idea)
    data = {
        "plan": plan_data(cycle, objective="Expert's objective"),
        "do": do_data(what_happened="Expert's account"),
        "study": study_data(cycle, why_improved="Expert's reason"),
        "act": act_data(),
        "tasks": {"task-description": "Expert task", "task-due_on": ["5", "5", "2026"]},
        "edit": {"title": "Expert title"},
    }[route]
    response = sign_in(world.expert_a).post(f"/cycles/{cycle.id}/{route}", data=data)
    assert response.status_code == 403
    after = fresh(cycle)
    assert (after.objective, after.what_happened, after.stage) == (
        "Learn whether a huddle helps",
        "Huddles on 4 days",
        Stage.ACT,
    )
    assert audit_rows("Cycle") == audit_rows("CycleTask") == []


def expert_views(cycle) -> list[tuple[int | None, str, str]]:
    """(author id, kind, words) of every expert view of the cycle, oldest first."""
    db.session.expire_all()
    query = sa.select(ExpertView).where(ExpertView.cycle_id == cycle.id).order_by(ExpertView.id)
    return [(v.author_id, v.kind.value, v.body) for v in db.session.scalars(query)]


@pytest.mark.parametrize("stage", ["plan", "study"])
def test_an_expert_adds_their_view_and_nothing_else(world, sign_in, client_for, idea, stage):
    cycle = done_do(idea)
    kind = "what_matters" if stage == "plan" else "difference"
    data = {
        **expert_data(stage, "Being asked first matters to me."),
        "plan-objective": "Sneaked in",  # another form's field: ignored
        f"expert_{stage}-what_happened": "Sneaked in",
    }
    response = sign_in(world.expert_a).post(f"/cycles/{cycle.id}/{stage}/expert", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#{stage}-expert"
    assert expert_views(cycle) == [(world.expert_a.id, kind, "Being asked first matters to me.")]
    after = fresh(cycle)
    assert (after.objective, after.what_happened) == (
        "Learn whether a huddle helps",
        "Huddles on 4 days",
    )
    assert after.plan_version == after.study_version == 1  # never conflicts with the team
    assert audit_rows("Cycle") == []
    [event] = audit_rows("ExpertView", AuditAction.CREATE)
    assert (event.actor_id, event.after) == (
        world.expert_a.id,
        {"kind": kind, "body": "Being asked first matters to me."},
    )
    # Signed and dated on the worksheet.
    page = visible(client_for(world.member_a).get(f"/cycles/{cycle.id}"))
    assert "Being asked first matters to me." in page and "Expert A" in page


def test_an_experts_view_with_htmx_returns_its_block(world, sign_in, cycle):
    response = sign_in(world.expert_a).post(
        f"/cycles/{cycle.id}/plan/expert", data=expert_data("plan", "Dignity"), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "plan-expert")
    assert "Your view is saved. Thank you." in visible(response)


@pytest.mark.parametrize("path", PATHS)
def test_an_empty_expert_view_is_refused(world, sign_in, cycle, path):
    response = sign_in(world.expert_a).post(
        f"/cycles/{cycle.id}/plan/expert", data=expert_data("plan", "  "), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert "Write what matters to you" in visible(response)
    assert audit_rows("ExpertView") == [] and expert_views(cycle) == []


def test_two_experts_each_keep_their_own_signed_view(world, client_for, grant, make_user, cycle):
    second = make_user(display_name="Second Expert")
    grant(second, Role.EXPERT_BY_EXPERIENCE, world.team_a)
    first_client, second_client = client_for(world.expert_a), client_for(second)
    url = f"/cycles/{cycle.id}/plan/expert"
    assert first_client.post(url, data=expert_data("plan", "First view")).status_code == 303
    response = second_client.post(url, data=expert_data("plan", "Second view"), headers=HTMX)
    assert response.status_code == 200
    text = visible(response)
    assert "First view" in text and "Second view" in text
    assert "Expert A" in text and "Second Expert" in text
    assert expert_views(cycle) == [
        (world.expert_a.id, "what_matters", "First view"),
        (second.id, "what_matters", "Second view"),
    ]


def test_an_expert_changes_their_own_view_and_a_stale_tab_is_told(world, client_for, cycle):
    client = client_for(world.expert_a)
    url = f"/cycles/{cycle.id}/plan/expert"
    assert client.post(url, data=expert_data("plan", "First words")).status_code == 303
    # A second tab loaded before the first save still says "no view yet": it is told.
    stale = client.post(url, data=expert_data("plan", "Other tab's words", version=""))
    assert stale.status_code == 409
    text = visible(stale)
    assert "First words" in text and "Other tab's words" in text
    assert expert_views(cycle) == [(world.expert_a.id, "what_matters", "First words")]
    changed = client.post(url, data=expert_data("plan", "Better words", version="1"))
    assert changed.status_code == 303
    assert expert_views(cycle) == [(world.expert_a.id, "what_matters", "Better words")]
    [event] = audit_rows("ExpertView", AuditAction.UPDATE)
    assert (event.before, event.after) == ({"body": "First words"}, {"body": "Better words"})


@pytest.mark.parametrize("role", ["member_a", "lead_a", "coordinator_x", "panel_x"])
def test_only_experts_add_expert_views(world, sign_in, cycle, role):
    response = sign_in(getattr(world, role)).post(
        f"/cycles/{cycle.id}/plan/expert", data=expert_data("plan", "Not theirs to say")
    )
    assert response.status_code == 403
    assert expert_views(cycle) == []


# Another team's cycle ----------------------------------------------------------------------------


ROUTES = ["plan", "do", "study", "act", "tasks", "plan/expert", "study/expert", "edit"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", ["member_b", "coordinator_y", "member_c", "nobody"])
def test_another_teams_cycle_is_not_found(world, client_for, idea, route, who):
    cycle = done_study(idea)
    response = client_for(getattr(world, who)).post(
        f"/cycles/{cycle.id}/{route}", data={**do_data(), **act_data()}
    )
    assert response.status_code == 404
    assert fresh(cycle).stage == Stage.ACT and audit_rows("Cycle") == []


@pytest.mark.parametrize("route", ["plan", "do", "study", "act", "tasks", "edit"])
@pytest.mark.parametrize("who", ["coordinator_x", "panel_x"])
def test_those_who_look_after_the_team_may_not_edit_its_cycles(world, client_for, idea, route, who):
    cycle = done_study(idea)
    response = client_for(getattr(world, who)).post(
        f"/cycles/{cycle.id}/{route}", data={**do_data(), **act_data()}
    )
    assert response.status_code == 403


# After the decision ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "offered"),
    [(Decision.ADAPT, True), (Decision.ADOPT, True), (Decision.ABANDON, False)],
)
def test_adapt_and_adopt_offer_the_next_cycle_in_the_ramp(
    world, sign_in, aim, idea, decision, offered
):
    cycle = closed(idea, decision=decision)
    response = sign_in(world.member_a).get(f"/cycles/{cycle.id}")
    link = f'href="/aims/{aim.id}/cycles/new?after={cycle.id}"'
    assert (link in body(response)) == offered
    assert ("Plan the next cycle in this ramp" in visible(response)) == offered


def test_a_planned_next_cycle_is_linked_instead(world, sign_in, idea):
    cycle = closed(idea)
    second = make_cycle(idea, ramp=cycle.ramp, title="Both floors")
    text = visible(sign_in(world.member_a).get(f"/cycles/{cycle.id}"))
    assert "The next cycle in this ramp is already planned: cycle 2, Both floors" in text
    assert "Plan the next cycle in this ramp" not in text
    assert second.number == 2


def test_removing_the_only_question_after_do_is_refused(world, sign_in, idea):
    cycle = done_do(idea)
    question = cycle.questions[0]
    client = sign_in(world.member_a)
    url = f"/cycles/{cycle.id}/questions/{question.id}/remove"
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 422
        assert "Study needs at least one question" in visible(response)
    assert len(fresh(cycle).questions) == 1


def test_removing_a_question_asks_first_then_removes_it(world, sign_in, idea):
    cycle = make_cycle(idea, questions=[("Keep me", "Yes"), ("Remove me", "No")])
    keep_id, remove_id = (question.id for question in cycle.questions)
    client = sign_in(world.member_a)
    url = f"/cycles/{cycle.id}/questions/{remove_id}/remove"
    page = client.get(url)
    assert page.status_code == 200
    assert "Remove this question? Remove me" in visible(page)
    assert len(fresh(cycle).questions) == 2

    response = client.post(url, data={"version": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-stage"
    assert [q.question for q in fresh(cycle).questions] == ["Keep me"]
    assert fresh(cycle).plan_version == 2  # an open Plan form is now out of date
    [event] = audit_rows("CycleQuestion", AuditAction.DELETE)
    assert (event.entity_id, event.before["question"]) == (remove_id, "Remove me")
    assert keep_id != remove_id


def test_a_question_of_another_cycle_is_not_found(world, sign_in, idea, cycle):
    other = make_cycle(make_idea(make_aim(world.team_b)), questions=[("B", "B")])
    client = sign_in(world.member_a)
    for method in ("get", "post"):
        url = f"/cycles/{cycle.id}/questions/{other.questions[0].id}/remove"
        assert getattr(client, method)(url).status_code == 404
    assert len(fresh(other).questions) == 1


@pytest.mark.parametrize("stage", ["plan", "study"])
def test_an_expert_cannot_change_a_closed_cycle(world, sign_in, idea, stage):
    cycle = closed(idea)
    response = sign_in(world.expert_a).post(
        f"/cycles/{cycle.id}/{stage}/expert", data=expert_data(stage, "Too late")
    )
    assert response.status_code == 422
    assert "This cycle is closed" in visible(response)
    assert expert_views(cycle) == []
    assert audit_rows("ExpertView") == []


def test_add_another_question_works_without_javascript(world, sign_in, cycle):
    data = {**plan_data(cycle), "plan-add_question": "y"}
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/plan", data=data)
    assert response.status_code == 200
    page = body(response)
    assert page.startswith("<!DOCTYPE html>")
    assert 'name="plan-questions-1-question"' in page
    assert audit_rows("Cycle") == []
