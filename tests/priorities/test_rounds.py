"""A collaborative's and a CoP's priority rounds: the list (with what to do when there are
none), starting one, its page (question, event, voting, stages, what you can do now), changing
it, and moving it through its stages (versioned, audited, asking before votes are lost).

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditEvent,
    CommunityRole,
    PriorityRound,
    PriorityVote,
    RoundStage,
    StakeholderGroup,
    VotingMethod,
)
from tests.conftest import HTMX, text_of
from tests.priorities.conftest import add_idea, add_theme, add_vote, stage_form
from tests.teams.test_team_page import counting_queries


def round_form(**fields) -> dict:
    values = {
        "title": "Our priorities for 2027",
        "question": "What should we work on together next year?",
        "event_name": "Spring learning event",
        "event_on": ["14", "3", "2027"],
        "voting_method": "dots",
        "dots_per_person": "5",
        "max_dots_per_theme": "3",
        "ranks_per_person": "3",
    }
    values.update(fields)
    return values


def rounds() -> list[PriorityRound]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PriorityRound)))


# The list --------------------------------------------------------------------------------------


def test_empty_list_tells_the_coordinator_what_to_do_next(world, client_for):
    page = client_for(world.coordinator_x).get(f"/collaboratives/{world.x.id}/priorities")
    assert page.status_code == 200
    assert "No priority rounds yet" in text_of(page)
    assert "Start one before your next event" in text_of(page)
    assert f"/collaboratives/{world.x.id}/priorities/new" in page.get_data(as_text=True)


def test_a_team_member_sees_the_rounds_but_cannot_start_one(world, client_for, make_round):
    make_round(world.x, title="Spring round")
    page = client_for(world.expert_a).get(f"/collaboratives/{world.x.id}/priorities")
    assert page.status_code == 200
    assert "Spring round" in text_of(page)
    assert "Start a priority round" not in text_of(page)


def test_the_collaboratives_page_links_to_its_rounds(world, client_for):
    page = client_for(world.member_a).get(f"/collaboratives/{world.x.id}")
    assert f"/collaboratives/{world.x.id}/priorities" in page.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [("member_c", 404), ("nobody", 404)])
def test_another_collaboratives_rounds_are_not_found(world, client_for, who, status):
    page = client_for(getattr(world, who)).get(f"/collaboratives/{world.x.id}/priorities")
    assert page.status_code == status


# Starting a round ------------------------------------------------------------------------------


def test_the_coordinator_starts_a_round(world, client_for):
    client = client_for(world.coordinator_x)
    url = f"/collaboratives/{world.x.id}/priorities/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=round_form())
    assert response.status_code == 303
    (saved,) = rounds()
    assert response.headers["Location"].endswith(f"/priority-rounds/{saved.id}")
    assert saved.collaborative_id == world.x.id and saved.community_id is None
    assert saved.stage == RoundStage.COLLECTING
    assert saved.event_on.isoformat() == "2027-03-14"
    audit = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "PriorityRound")
    )
    assert audit.collaborative_id == world.x.id and audit.actor_id == world.coordinator_x.id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a name for the round"),
        ({"question": "  "}, "Enter the question people are answering"),
        ({"dots_per_person": "0"}, "Dots each person has must be between 1 and 20"),
        ({"dots_per_person": "lots"}, "must be a whole number"),
        ({"max_dots_per_theme": "6"}, "cannot be more than the dots each person has (5)"),
        ({"ranks_per_person": "11"}, "Themes in order must be between 1 and 10"),
        ({"voting_method": "lottery"}, "Choose dot voting or ranking"),
        ({"event_on": ["31", "2", "2027"]}, "must be a real date"),
    ],
)
def test_a_round_with_mistakes_is_not_started(world, client_for, fields, message):
    url = f"/collaboratives/{world.x.id}/priorities/new"
    response = client_for(world.coordinator_x).post(url, data=round_form(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert rounds() == []


@pytest.mark.parametrize(
    ("who", "status"), [("expert_a", 403), ("panel_x", 403), ("coordinator_y", 404)]
)
def test_only_the_coordinator_starts_a_collaboratives_round(world, client_for, who, status):
    url = f"/collaboratives/{world.x.id}/priorities/new"
    assert client_for(getattr(world, who)).post(url, data=round_form()).status_code == status
    assert rounds() == []


def test_a_cop_facilitator_starts_a_round_and_a_member_may_not(
    world, client_for, make_community, join
):
    cop = make_community()
    join(world.member_a, cop, CommunityRole.FACILITATOR)
    join(world.member_b, cop)
    url = f"/communities/{cop.id}/priorities/new"
    assert client_for(world.member_b).post(url, data=round_form()).status_code == 403
    assert client_for(world.coordinator_x).post(url, data=round_form()).status_code == 404
    assert client_for(world.member_a).post(url, data=round_form()).status_code == 303
    (saved,) = rounds()
    assert saved.community_id == cop.id and saved.collaborative_id is None
    listing = client_for(world.member_b).get(f"/communities/{cop.id}/priorities")
    assert listing.status_code == 200 and "Our priorities for 2027" in text_of(listing)


# The round's page ------------------------------------------------------------------------------


def test_the_round_page_says_what_it_asks_and_where_it_is(world, client_for, make_round):
    round_ = make_round(world.x, voting_method=VotingMethod.RANKING, ranks_per_person=3)
    page = client_for(world.expert_a).get(f"/priority-rounds/{round_.id}")
    text = text_of(page)
    assert page.status_code == 200
    assert "What should we work on together next year?" in text
    assert "Spring learning event" in text
    assert "Ranking: each person puts their top 3 themes in order" in text
    for label in ("Gathering ideas", "Grouping ideas into themes", "Voting", "Finished"):
        assert label in text
    assert 'aria-current="step"' in page.get_data(as_text=True)
    assert "Send in your ideas below" in text
    assert "Running the round" not in text  # the facilitator's controls


def test_another_collaboratives_round_is_not_found(world, client_for, make_round):
    round_ = make_round(world.y)
    for who in (world.member_a, world.coordinator_x, world.nobody):
        assert client_for(who).get(f"/priority-rounds/{round_.id}").status_code == 404


def test_a_cop_round_is_for_its_members_only(world, client_for, make_community, join, make_round):
    cop = make_community(world.x)
    join(world.member_b, cop, CommunityRole.RESEARCH_PARTNER)
    round_ = make_round(cop)
    assert client_for(world.member_b).get(f"/priority-rounds/{round_.id}").status_code == 200
    # A collaborative role never opens a CoP, even the CoP's own collaborative's coordinator.
    assert client_for(world.coordinator_x).get(f"/priority-rounds/{round_.id}").status_code == 404


def test_the_round_page_reads_a_fixed_number_of_queries(world, client_for, make_round):
    round_ = make_round(world.x)
    client = client_for(world.coordinator_x)
    theme = add_theme(round_, "Transport")

    def count() -> int:
        with counting_queries() as statements:
            assert client.get(f"/priority-rounds/{round_.id}").status_code == 200
        return len(statements)

    add_idea(round_, "Lifts to clinics", by=world.member_a, theme=theme)
    few = count()
    for number in range(8):
        add_idea(round_, f"Idea {number}", by=world.expert_a, theme=theme)
        add_theme(round_, f"Theme {number}", position=number + 1)
    assert count() == few


# Changing a round ------------------------------------------------------------------------------


def test_the_coordinator_changes_the_round_and_a_stale_save_is_refused(
    world, client_for, make_round
):
    round_ = make_round(world.x)
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/edit"
    assert client.get(url).status_code == 200
    stale = round_form(title="Renamed", version=str(round_.version))
    response = client.post(url, data=round_form(title="First", version=str(round_.version)))
    assert response.status_code == 303
    response = client.post(url, data=stale)
    assert response.status_code == 409
    assert "Someone else changed this round" in text_of(response)
    assert rounds()[0].title == "First"


def test_voting_settings_cannot_change_once_voting_has_started(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.VOTING)
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/edit"
    page = client.get(url)
    assert "This cannot change once voting has started" in text_of(page)
    form = round_form(version=str(round_.version), dots_per_person="9", voting_method="ranking")
    assert client.post(url, data=form).status_code == 303
    saved = rounds()[0]
    assert saved.dots_per_person == 5 and saved.voting_method == VotingMethod.DOTS


def test_a_team_member_cannot_change_the_round(world, client_for, make_round):
    round_ = make_round(world.x)
    form = round_form(version=str(round_.version))
    assert (
        client_for(world.lead_a).post(f"/priority-rounds/{round_.id}/edit", data=form).status_code
        == 403
    )


# Stages ----------------------------------------------------------------------------------------


def test_the_coordinator_moves_the_round_through_its_stages(world, client_for, make_round):
    round_ = make_round(world.x)
    add_theme(round_, "Transport")
    add_theme(round_, "Loneliness", position=1)
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/stage"
    for stage in (RoundStage.THEMING, RoundStage.VOTING, RoundStage.CLOSED):
        response = client.post(url, data=stage_form(round_, stage))
        assert response.status_code == 303, text_of(response)
        assert rounds()[0].stage == stage
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "PriorityRound")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.after for e in events if e.after and "stage" in e.after] == [
        {"stage": "theming"},
        {"stage": "voting"},
        {"stage": "closed"},
    ]


def test_voting_needs_two_themes(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.THEMING)
    add_theme(round_, "Transport")
    response = client_for(world.coordinator_x).post(
        f"/priority-rounds/{round_.id}/stage", data=stage_form(round_, RoundStage.VOTING)
    )
    assert response.status_code == 422
    assert "Make at least two themes before voting opens" in text_of(response)
    assert rounds()[0].stage == RoundStage.THEMING


def test_a_stale_or_skipping_stage_change_is_refused(world, client_for, make_round):
    round_ = make_round(world.x)
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/stage"
    # Skipping a stage (or a stage that does not exist) is a mistake in the request, not
    # someone else's change: 422, saying what the round can do.
    skip = client.post(url, data=stage_form(round_, RoundStage.CLOSED))
    assert skip.status_code == 422
    assert "can move only to the stage just after or just before" in text_of(skip)
    assert "Someone else changed" not in text_of(skip)
    nonsense = stage_form(round_, RoundStage.THEMING) | {"to": "astronaut"}
    assert client.post(url, data=nonsense).status_code == 422
    stale = stage_form(round_, RoundStage.THEMING)
    stale["version"] = str(int(stale["version"]) + 5)
    assert client.post(url, data=stale).status_code == 409
    assert "its stage has not been changed" in text_of(client.post(url, data=stale))
    assert client.post(url, data={"to": "theming"}).status_code == 400
    assert rounds()[0].stage == RoundStage.COLLECTING


def test_going_back_from_voting_asks_first_then_removes_the_votes(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.VOTING)
    transport = add_theme(round_, "Transport")
    add_vote(round_, world.expert_a, StakeholderGroup.EXPERT_BY_EXPERIENCE, dots={transport: 2})
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/stage"
    question = client.get(url, query_string={"to": "theming"})
    assert question.status_code == 200
    assert "The votes of the 1 person who have voted will be removed" in text_of(question)
    asked = client.post(url, data=stage_form(round_, RoundStage.THEMING))
    assert asked.status_code == 200 and "Yes, close voting" in text_of(asked)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriorityVote)) == 1
    done = client.post(url, data=stage_form(round_, RoundStage.THEMING, confirmed="yes"))
    assert done.status_code == 303
    assert rounds()[0].stage == RoundStage.THEMING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriorityVote)) == 0
    page = client.get(f"/priority-rounds/{round_.id}")
    assert "The votes of 1 person were removed" in text_of(page)


def test_going_back_from_finished_keeps_the_votes(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.CLOSED)
    transport = add_theme(round_, "Transport")
    add_vote(round_, world.expert_a, StakeholderGroup.CARER, dots={transport: 2})
    response = client_for(world.coordinator_x).post(
        f"/priority-rounds/{round_.id}/stage", data=stage_form(round_, RoundStage.VOTING)
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriorityVote)) == 1


@pytest.mark.parametrize("who", ["expert_a", "lead_a", "panel_x"])
def test_only_the_coordinator_moves_the_stage(world, client_for, make_round, who):
    round_ = make_round(world.x)
    response = client_for(getattr(world, who)).post(
        f"/priority-rounds/{round_.id}/stage", data=stage_form(round_, RoundStage.THEMING)
    )
    assert response.status_code == 403
    assert rounds()[0].stage == RoundStage.COLLECTING


def test_htmx_get_of_the_round_page_gives_the_your_ideas_block(world, client_for, make_round):
    round_ = make_round(world.x)
    response = client_for(world.member_a).get(f"/priority-rounds/{round_.id}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="your-ideas"')
    assert "<html" not in html
