"""SCIE's four evaluation questions, for the whole collaborative and for each team.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, Evaluation
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE
from tests.conftest import text_of as raw_text
from tests.teams.test_team_page import counting_queries

QUESTIONS = (
    "Did we achieve what we set out to achieve?",
    "Did working this way help?",
    "What do we want to do with what we learned?",
    "What is still missing?",
)
HINTS = (
    "Look back at the aims.",
    "What helped, and what got in the way?",
    "spread it to other teams or services",
    "Gaps in knowledge, training or resources",
)

# Reading: the whole collaborative's page is open to everyone in it; a team's to whoever may
# see the team. Writing: the whole collaborative's answers are the panel's and coordinator's, a
# team's answers its lead's and the coordinator's.
READ_WHOLE = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 200,
    "member_a": 200,
    "expert_a": 200,
    "member_b": 200,
    "member_c": 404,
    "nobody": 404,
}
WRITE_WHOLE = {
    "admin": 303,
    "coordinator_x": 303,
    "coordinator_y": 404,
    "panel_x": 303,
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}
READ_TEAM_A = {
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
WRITE_TEAM_A = {
    "admin": 303,
    "coordinator_x": 303,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": 303,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 404,
    "member_c": 404,
    "nobody": 404,
}


def text_of(response) -> str:
    """What a person reads: tags removed, entities (like &#39;) decoded."""
    return html.unescape(raw_text(response))


def url(collaborative, team=None) -> str:
    base = f"/collaboratives/{collaborative.id}/evaluation"
    return base if team is None else f"{base}?team={team.id}"


def answers(**fields) -> dict:
    values = {
        "outcomes_achieved": "Falls at night went down from 9 to 4 a month",
        "did_the_method_work": "Small tests helped; the monthly reports took too long",
        "what_next_with_learning": "Spread the huddle to the day shift",
        "remaining_gaps": "Training for agency staff",
        "version": "",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def evaluations() -> list[Evaluation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Evaluation).order_by(Evaluation.id)))


def audits() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "Evaluation")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def save(collaborative, team=None, **fields) -> Evaluation:
    evaluation = Evaluation(
        collaborative_id=collaborative.id,
        team_id=team.id if team else None,
        **{name: value for name, value in answers(**fields).items() if name != "version"},
    )
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def version_in(response) -> str:
    match = re.search(r'name="version"[^>]*value="(\d*)"', response.get_data(as_text=True))
    assert match, "the form has no version field"
    return match.group(1)


# Who may read and answer -------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_read_the_whole_collaboratives_answers(world, client_for, who):
    save(world.x, outcomes_achieved="Fewer falls everywhere")
    response = client_for(getattr(world, who)).get(url(world.x))
    assert response.status_code == READ_WHOLE[who]
    if response.status_code == 200:
        text = text_of(response)
        assert "Fewer falls everywhere" in text
        may_answer = WRITE_WHOLE[who] == 303
        assert ("Change the answers" in text) is may_answer


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_answer_for_the_whole_collaborative(world, client_for, who):
    response = client_for(getattr(world, who)).post(url(world.x), data=answers())
    assert response.status_code == WRITE_WHOLE[who]
    saved = evaluations()
    if response.status_code == 303:
        assert response.headers["Location"].endswith(url(world.x))
        [evaluation] = saved
        assert (evaluation.collaborative_id, evaluation.team_id) == (world.x.id, None)
        assert evaluation.recorded_by_id == getattr(world, who).id
    else:
        assert saved == [] and audits() == []


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_read_a_teams_answers(world, client_for, who):
    save(world.x, world.team_a, outcomes_achieved="Team A did well")
    response = client_for(getattr(world, who)).get(url(world.x, world.team_a))
    assert response.status_code == READ_TEAM_A[who]
    if response.status_code == 200:
        text = text_of(response)
        assert "Evaluation: Team A" in text
        assert "Team A did well" in text
        assert ("Change the answers" in text) is (WRITE_TEAM_A[who] == 303)


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_answer_for_a_team(world, client_for, who):
    response = client_for(getattr(world, who)).post(url(world.x, world.team_a), data=answers())
    assert response.status_code == WRITE_TEAM_A[who]
    saved = evaluations()
    if response.status_code == 303:
        assert response.headers["Location"].endswith(url(world.x, world.team_a))
        [evaluation] = saved
        assert (evaluation.collaborative_id, evaluation.team_id) == (world.x.id, world.team_a.id)
    else:
        assert saved == [] and audits() == []


@pytest.mark.parametrize(
    "team_arg", ["abc", "0", "-1", "99999999999", "1.5", "{other}", "{missing}"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_that_is_not_the_collaboratives_is_not_found(world, client_for, team_arg, method):
    team_arg = team_arg.format(other=world.team_c.id, missing=world.team_c.id + 100)
    client = client_for(world.admin)
    target = f"/collaboratives/{world.x.id}/evaluation?team={team_arg}"
    response = getattr(client, method)(target, data=answers())
    assert response.status_code == 404
    assert evaluations() == []


# Answering ---------------------------------------------------------------------------------------


def test_every_question_has_a_plain_hint(world, client_for):
    for page in (url(world.x), url(world.x, world.team_a)):
        text = text_of(client_for(world.coordinator_x).get(page))
        for question, hint in zip(QUESTIONS, HINTS, strict=True):
            assert question in text
            assert hint in text


def test_first_answers_are_created_and_audited(world, client_for):
    client = client_for(world.lead_a)
    response = client.post(url(world.x, world.team_a), data=answers())
    assert response.status_code == 303
    [evaluation] = evaluations()
    assert evaluation.outcomes_achieved == "Falls at night went down from 9 to 4 a month"
    assert evaluation.remaining_gaps == "Training for agency staff"
    assert evaluation.recorded_by_id == world.lead_a.id
    [event] = audits()
    assert event.action == AuditAction.CREATE
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert event.after["what_next_with_learning"] == "Spread the huddle to the day shift"
    page = text_of(client.get(url(world.x, world.team_a)))
    assert "Answers saved." in page
    assert "Falls at night went down from 9 to 4 a month" in page


def test_changing_answers_updates_the_same_row_and_audits_what_changed(world, client_for):
    client = client_for(world.panel_x)
    client.post(url(world.x), data=answers())
    version = version_in(client.get(url(world.x)))
    response = client.post(
        url(world.x), data=answers(remaining_gaps="Money for equipment", version=version)
    )
    assert response.status_code == 303
    [evaluation] = evaluations()
    assert evaluation.remaining_gaps == "Money for equipment"
    assert evaluation.version == int(version) + 1
    create, update = audits()
    assert update.action == AuditAction.UPDATE
    assert update.before == {"remaining_gaps": "Training for agency staff"}
    assert update.after == {"remaining_gaps": "Money for equipment"}


def test_saving_the_same_answers_changes_nothing(world, client_for):
    client = client_for(world.panel_x)
    client.post(url(world.x), data=answers())
    version = version_in(client.get(url(world.x)))
    client.post(url(world.x), data=answers(version=version))
    assert "Nothing was changed." in text_of(client.get(url(world.x)))
    assert len(audits()) == 1


def test_team_and_whole_answers_are_kept_apart(world, client_for):
    client_for(world.coordinator_x).post(url(world.x), data=answers(outcomes_achieved="Whole"))
    client_for(world.lead_a).post(url(world.x, world.team_a), data=answers(outcomes_achieved="A"))
    saved = {e.team_id: e.outcomes_achieved for e in evaluations()}
    assert saved == {None: "Whole", world.team_a.id: "A"}


def test_a_save_over_newer_answers_is_refused_and_shows_both(world, client_for):
    lead, coordinator = client_for(world.lead_a), client_for(world.coordinator_x)
    page = url(world.x, world.team_a)
    lead.post(page, data=answers())
    stale = version_in(lead.get(page))
    coordinator.post(page, data=answers(outcomes_achieved="The coordinator's words", version=stale))
    response = lead.post(page, data=answers(outcomes_achieved="The lead's words", version=stale))
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else saved these answers while you were writing" in text
    assert "The coordinator's words" in text  # their saved answers
    assert "The lead's words" in text  # still in the form
    assert evaluations()[0].outcomes_achieved == "The coordinator's words"
    # The form now carries the saved version: saving again is a deliberate choice, and works.
    again = answers(outcomes_achieved="The lead's words", version=version_in(response))
    assert lead.post(page, data=again).status_code == 303
    assert evaluations()[0].outcomes_achieved == "The lead's words"


def test_first_answers_over_someone_elses_first_answers_are_refused(world, client_for):
    save(world.x, world.team_a, outcomes_achieved="Saved first")
    response = client_for(world.lead_a).post(url(world.x, world.team_a), data=answers())
    assert response.status_code == 409
    assert [e.outcomes_achieved for e in evaluations()] == ["Saved first"]


def test_a_stale_save_with_htmx_is_a_422_so_htmx_shows_it(world, client_for):
    save(world.x, outcomes_achieved="Saved first")
    response = client_for(world.panel_x).post(url(world.x), data=answers(version="0"), headers=HTMX)
    assert response.status_code == 422
    assert "Someone else saved these answers" in text_of(response)
    assert evaluations()[0].outcomes_achieved == "Saved first"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "outcomes_achieved": " ",
                "did_the_method_work": "",
                "what_next_with_learning": None,
                "remaining_gaps": "",
            },
            "Answer at least one of the four questions",
        ),
        ({"remaining_gaps": "x" * 5001}, "must be 5000 characters or fewer"),
        ({"did_the_method_work": "a\x00b"}, "contains characters that cannot be saved"),
    ],
)
def test_bad_answers_are_refused_with_a_message(world, client_for, fields, message):
    response = client_for(world.coordinator_x).post(url(world.x), data=answers(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert evaluations() == [] and audits() == []


# The whole collaborative's page lists the teams' answers -----------------------------------------


def test_the_panel_sees_every_teams_answers(world, client_for):
    save(world.x, world.team_a, outcomes_achieved="Team A's outcomes")
    save(world.y, world.team_c, outcomes_achieved="Team C's outcomes")
    text = text_of(client_for(world.panel_x).get(url(world.x)))
    assert "What each team said" in text
    assert "Team A's outcomes" in text
    assert "Team B The team has not answered yet." in text
    assert "Team C" not in text


def test_a_team_member_sees_only_their_own_teams_answers(world, client_for):
    save(world.x, world.team_a, outcomes_achieved="Team A's outcomes")
    save(world.x, world.team_b, outcomes_achieved="Team B's outcomes")
    text = text_of(client_for(world.member_b).get(url(world.x)))
    assert "Your team’s answers" in text
    assert "Team B's outcomes" in text
    assert "Team A" not in text


def test_the_whole_page_makes_the_same_number_of_queries_for_2_or_6_teams(
    world, client_for, make_team
):
    client = client_for(world.panel_x)
    page = url(world.x)
    save(world.x)
    save(world.x, world.team_a)
    client.get(page)
    with counting_queries() as two_teams:
        assert client.get(page).status_code == 200
    for number in range(4):
        save(
            world.x, make_team(world.x, name=f"Extra {number}"), outcomes_achieved=f"Extra {number}"
        )
    with counting_queries() as six_teams:
        response = client.get(page)
    assert "Extra 3" in text_of(response)
    assert len(six_teams) == len(two_teams)


# htmx --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_htmx_asks_for_the_answers_section_alone(world, client_for, headers, fragment):
    response = client_for(world.panel_x).get(url(world.x), headers=headers)
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith('<section id="evaluation-answers"') is fragment
    assert ("<html" in html) is not fragment


def test_saving_with_htmx_returns_the_answers_section(world, client_for):
    response = client_for(world.lead_a).post(
        url(world.x, world.team_a), data=answers(), headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="evaluation-answers"') and "<html" not in html
    assert "Answers saved." in text_of(response)
    # The new form carries the saved version, so the next save is not taken for a stale one.
    assert version_in(response) == str(evaluations()[0].version)


def test_a_mistake_with_htmx_returns_the_section_with_the_message(world, client_for):
    response = client_for(world.lead_a).post(
        url(world.x, world.team_a), data=answers(remaining_gaps="x" * 5001), headers=HTMX
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).strip().startswith('<section id="evaluation-answers"')
    assert evaluations() == []
