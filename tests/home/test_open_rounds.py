"""The home page tells people which priority rounds want something from them now: the rounds
of their collaboratives and of the CoPs they belong to, gathering ideas or open for voting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from improve.extensions import db
from improve.models import (
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    Role,
    RoundStage,
    StakeholderGroup,
    VotingMethod,
)
from tests.conftest import text_of
from tests.home.test_views import _queries_for_home


def a_round(stage: RoundStage, title: str, **owner: int) -> PriorityRound:
    round_ = PriorityRound(
        title=title,
        question="What should we work on together next year?",
        stage=stage,
        voting_method=VotingMethod.DOTS,
        event_on=date.today() + timedelta(days=10),
        **owner,
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def test_open_rounds_of_the_persons_collaborative_and_cops(world, client_for, make_community, join):
    x, y = world.x.id, world.y.id
    a_round(RoundStage.COLLECTING, "Gathering in X", collaborative_id=x)
    voting = a_round(RoundStage.VOTING, "Voting in X", collaborative_id=x)
    a_round(RoundStage.THEMING, "Theming in X", collaborative_id=x)
    a_round(RoundStage.CLOSED, "Closed in X", collaborative_id=x)
    a_round(RoundStage.COLLECTING, "Gathering in Y", collaborative_id=y)
    cop = make_community()
    join(world.expert_a, cop)
    a_round(RoundStage.VOTING, "Voting in the CoP", community_id=cop.id)

    page = text_of(client_for(world.expert_a).get("/"))
    assert "Priority rounds you can take part in now" in page
    when = (date.today() + timedelta(days=10)).strftime("%-d %B %Y")
    assert f"send in your ideas to Gathering in X by {when}" in page
    assert "vote in Voting in X on the themes" in page
    assert "Voting in the CoP" in page
    for not_now in ("Theming in X", "Closed in X", "Gathering in Y"):
        assert not_now not in page

    theme = PriorityTheme(round_id=voting.id, name="Transport", position=0)
    db.session.add(theme)
    db.session.flush()
    db.session.add(
        PriorityVote(
            round_id=voting.id,
            theme_id=theme.id,
            user_id=world.expert_a.id,
            stakeholder_group=StakeholderGroup.EXPERT_BY_EXPERIENCE,
            dots=1,
        )
    )
    db.session.commit()
    assert "Change your vote in Voting in X" in text_of(client_for(world.expert_a).get("/"))

    # Someone in collaborative X but not in the CoP is not told of the CoP's round.
    member = text_of(client_for(world.member_a).get("/"))
    assert "Voting in X" in member and "Voting in the CoP" not in member
    # Someone of collaborative Y only sees Y's round.
    other = text_of(client_for(world.member_c).get("/"))
    assert "Gathering in Y" in other and "Gathering in X" not in other


@pytest.mark.parametrize("who", ["member", "admin"])
def test_the_open_rounds_take_one_query_however_many(
    app, make_user, make_collaborative, make_team, grant, sign_in, who
):
    user = make_user(is_admin=who == "admin")
    browser = sign_in(user)

    def add(how_many: int) -> None:
        for _ in range(how_many):
            collaborative = make_collaborative()
            grant(user, Role.TEAM_MEMBER, make_team(collaborative))
            a_round(RoundStage.COLLECTING, "Ideas", collaborative_id=collaborative.id)
            a_round(RoundStage.VOTING, "Votes", collaborative_id=collaborative.id)

    add(1)
    few = _queries_for_home(app, browser)
    add(4)
    assert _queries_for_home(app, browser) == few
