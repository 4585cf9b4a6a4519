"""Voting while the round is at 'Voting': dots within the round's limits (in all, and on one
theme), or a 1st, 2nd, 3rd... choice with no theme twice and no place skipped. A person may
change their vote until voting closes; a vote outside the voting stage writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditEvent,
    PriorityVote,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
    VotingMethod,
)
from tests.conftest import HTMX, text_of
from tests.priorities.conftest import add_idea, add_theme, take_part


def votes() -> list[tuple[int, int, int | None, int | None, str]]:
    db.session.expire_all()
    query = sa.select(PriorityVote).order_by(PriorityVote.user_id, PriorityVote.theme_id)
    return [
        (v.user_id, v.theme_id, v.dots, v.rank, v.stakeholder_group.value)
        for v in db.session.scalars(query)
    ]


@pytest.fixture
def dots_round(world, make_round):
    round_ = make_round(world.x, stage=RoundStage.VOTING, dots_per_person=5, max_dots_per_theme=3)
    themes = [
        add_theme(round_, name, position=i)
        for i, name in enumerate(["Transport", "Loneliness", "Respite"])
    ]
    return round_, themes


@pytest.fixture
def ranking_round(world, make_round):
    round_ = make_round(
        world.x, stage=RoundStage.VOTING, voting_method=VotingMethod.RANKING, ranks_per_person=2
    )
    themes = [
        add_theme(round_, name, position=i)
        for i, name in enumerate(["Transport", "Loneliness", "Respite"])
    ]
    return round_, themes


def dots(themes, *counts, **extra):
    data = {f"theme_{theme.id}": str(count) for theme, count in zip(themes, counts, strict=False)}
    return {**data, **extra}


def test_dot_voting_saves_and_can_be_changed(world, client_for, dots_round):
    round_, (transport, lonely, respite) = dots_round
    client = client_for(world.expert_a)
    url = f"/priority-rounds/{round_.id}/vote"
    page = client.get(url)
    assert page.status_code == 200
    assert "You have 5 dots to spread" in text_of(page)
    assert "You have used 0 of your 5 dots: 5 left" in text_of(page)
    first = client.post(
        url, data=dots([transport, lonely, respite], 3, 2, "", group="expert_by_experience")
    )
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/priority-rounds/{round_.id}#your-part")
    me = world.expert_a.id
    assert votes() == [
        (me, transport.id, 3, None, "expert_by_experience"),
        (me, lonely.id, 2, None, "expert_by_experience"),
    ]
    again = client.get(url)
    assert "Change your vote" in text_of(again) and 'value="3"' in again.get_data(as_text=True)
    assert "Which group are you part of" not in text_of(again)
    changed = client.post(url, data=dots([transport, lonely, respite], 0, 1, 3))
    assert changed.status_code == 303
    assert votes() == [
        (me, lonely.id, 1, None, "expert_by_experience"),
        (me, respite.id, 3, None, "expert_by_experience"),
    ]
    audits = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "RoundParticipant")
        .order_by(AuditEvent.id)
    ).all()
    assert [a.summary for a in audits][-2:] == [
        "Voted in ‘Our priorities for 2027’",
        "Changed their vote in ‘Our priorities for 2027’",
    ]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ((3, 3, 0), "You have put 6 dots but you have 5. Take 1 dot off."),
        ((4, 0, 0), "You can put at most 3 dots on ‘Transport’"),
        ((0, 0, 0), "Put at least one dot on a theme"),
        (("", "", ""), "Put at least one dot on a theme"),
        ((-1, 2, 0), "Dots on ‘Transport’ cannot be less than 0"),
        (("two", 1, 0), "must be a whole number"),
        ((3, 3, 3), "You have put 9 dots but you have 5. Take 4 dots off."),
    ],
)
def test_dots_over_the_limits_are_refused(world, client_for, dots_round, counts, message):
    round_, themes = dots_round
    take_part(round_, world.expert_a, StakeholderGroup.CARER)
    response = client_for(world.expert_a).post(
        f"/priority-rounds/{round_.id}/vote", data=dots(themes, *counts)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert votes() == []


def test_the_first_vote_asks_the_group(world, client_for, dots_round):
    round_, themes = dots_round
    response = client_for(world.member_a).post(
        f"/priority-rounds/{round_.id}/vote", data=dots(themes, 1)
    )
    assert response.status_code == 422 and "Choose the group you are part of" in text_of(response)
    assert (
        votes() == []
        and db.session.scalar(sa.select(sa.func.count()).select_from(RoundParticipant)) == 0
    )


def test_ranking_saves_places_in_order(world, client_for, ranking_round):
    round_, (transport, lonely, respite) = ranking_round
    client = client_for(world.member_a)
    url = f"/priority-rounds/{round_.id}/vote"
    page = text_of(client.get(url))
    assert "1st choice" in page and "2nd choice" in page and "3rd choice" not in page
    data = {"choice_1": str(respite.id), "choice_2": str(transport.id), "group": "manager"}
    assert client.post(url, data=data).status_code == 303
    me = world.member_a.id
    assert votes() == [(me, transport.id, None, 2, "manager"), (me, respite.id, None, 1, "manager")]
    only_first = {"choice_1": str(lonely.id), "choice_2": ""}
    assert client.post(url, data=only_first).status_code == 303
    assert votes() == [(me, lonely.id, None, 1, "manager")]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (("a", "a"), "You have chosen this theme already"),
        (("", "a"), "Choose your 1st choice before your 2nd choice"),
        (("", ""), "Choose your 1st choice"),
        (("999999", ""), "Choose one of the themes listed"),
    ],
)
def test_a_ranking_that_breaks_the_rules_is_refused(
    world, client_for, ranking_round, choices, message
):
    round_, (transport, *_rest) = ranking_round
    take_part(round_, world.member_a, StakeholderGroup.MANAGER)
    values = [str(transport.id) if choice == "a" else choice for choice in choices]
    data = {"choice_1": values[0], "choice_2": values[1]}
    response = client_for(world.member_a).post(f"/priority-rounds/{round_.id}/vote", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert votes() == []


def test_another_rounds_theme_cannot_be_voted_for(world, client_for, ranking_round, make_round):
    round_, _themes = ranking_round
    other = add_theme(make_round(world.x, stage=RoundStage.VOTING), "Elsewhere")
    take_part(round_, world.member_a, StakeholderGroup.MANAGER)
    data = {"choice_1": str(other.id)}
    response = client_for(world.member_a).post(f"/priority-rounds/{round_.id}/vote", data=data)
    assert response.status_code == 422
    assert votes() == []


@pytest.mark.parametrize("stage", [RoundStage.COLLECTING, RoundStage.THEMING, RoundStage.CLOSED])
def test_no_vote_outside_the_voting_stage(world, client_for, dots_round, stage):
    round_, themes = dots_round
    round_.stage = stage
    db.session.commit()
    client = client_for(world.expert_a)
    url = f"/priority-rounds/{round_.id}/vote"
    response = client.post(url, data=dots(themes, 1, group="carer"))
    assert response.status_code == 409
    assert "Voting is not open" in text_of(response)
    assert client.get(url).status_code == 409
    assert votes() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundParticipant)) == 0


def test_another_collaborative_cannot_vote(world, client_for, dots_round):
    round_, themes = dots_round
    response = client_for(world.member_c).post(
        f"/priority-rounds/{round_.id}/vote", data=dots(themes, 1, group="carer")
    )
    assert response.status_code == 404
    assert votes() == []


def test_htmx_counts_the_dots_as_they_are_typed(world, client_for, dots_round):
    round_, themes = dots_round
    client = client_for(world.expert_a)
    url = f"/priority-rounds/{round_.id}/vote/count"
    fragment = client.post(url, data=dots(themes, 2, 1), headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith(
        '<p class="govuk-body govuk-!-font-weight-bold" id="dots-left"'
    )
    assert "You have used 3 of your 5 dots: 2 left." in text_of(fragment)
    over = client.post(url, data=dots(themes, 3, 3, 1), headers=HTMX)
    assert "You have used 7 dots: 2 more than your 5. Take 2 off." in text_of(over)
    assert votes() == []
    # Without htmx it is just the voting page.
    assert client.post(url, data=dots(themes, 1)).status_code == 303


def test_votes_are_never_shown_by_name(world, client_for, dots_round):
    round_, themes = dots_round
    client_for(world.expert_a).post(
        f"/priority-rounds/{round_.id}/vote", data=dots(themes, 2, group="expert_by_experience")
    )
    round_.stage = RoundStage.CLOSED
    db.session.commit()
    for who in (world.coordinator_x, world.admin, world.member_a):
        client = client_for(who)
        for url in (
            f"/priority-rounds/{round_.id}",
            f"/priority-rounds/{round_.id}/results",
            f"/priority-rounds/{round_.id}/results.csv",
        ):
            body = client.get(url).get_data(as_text=True)
            assert "Expert A" not in body and "expert_a@" not in body, url


def test_the_same_vote_again_or_an_empty_one_writes_nothing(world, client_for, dots_round):
    """An unchanged vote writes no audit row and says so; an empty one is refused, never
    topped up with the dots already saved."""
    round_, (transport, lonely, respite) = dots_round
    client = client_for(world.expert_a)
    url = f"/priority-rounds/{round_.id}/vote"
    client.post(url, data=dots([transport, lonely], 3, 2, group="carer"))
    before = votes()
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    same = client.post(url, data=dots([transport, lonely, respite], 3, 2, 0), follow_redirects=True)
    assert "Your vote is unchanged" in text_of(same)
    empty = client.post(url, data={})
    assert empty.status_code == 422 and "Put at least one dot on a theme" in text_of(empty)
    assert votes() == before
    assert db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) == last


def test_the_vote_page_shows_each_themes_ideas_and_whole_sentences(world, client_for, dots_round):
    round_, (transport, _lonely, _respite) = dots_round
    transport.description = "Getting to appointments"
    db.session.commit()
    add_idea(round_, "Lifts to clinics", by=world.member_a, theme=transport)
    page = text_of(client_for(world.expert_a).get(f"/priority-rounds/{round_.id}/vote"))
    assert "Transport (1 idea) Getting to appointments Lifts to clinics" in page
    assert "Getting to appointments. Up to 3 dots." in page


def test_the_dot_counter_of_a_closed_round_says_voting_is_not_open(world, client_for, dots_round):
    round_, themes = dots_round
    round_.stage = RoundStage.CLOSED
    db.session.commit()
    response = client_for(world.expert_a).post(
        f"/priority-rounds/{round_.id}/vote/count", data=dots(themes, 1)
    )
    assert response.status_code == 409
    assert "Voting is not open" in text_of(response)
    assert "Someone else changed this" not in text_of(response)
