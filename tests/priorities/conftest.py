"""Factories for priority rounds: a round of collaborative X (or of a CoP), ideas, themes and
votes made directly, so each test starts at the stage it is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from improve.extensions import db
from improve.models import (
    Collaborative,
    Community,
    IdeaSource,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
    User,
    VotingMethod,
)


@pytest.fixture
def make_round(app) -> Callable[..., PriorityRound]:
    """make_round(owner, stage=..., **fields): a round of a collaborative or a CoP."""

    def make(owner: Collaborative | Community, **fields: Any) -> PriorityRound:
        key = "community_id" if isinstance(owner, Community) else "collaborative_id"
        values = {
            "title": "Our priorities for 2027",
            "question": "What should we work on together next year?",
            "event_name": "Spring learning event",
            "stage": RoundStage.COLLECTING,
            "voting_method": VotingMethod.DOTS,
        }
        values.update(fields)
        round_ = PriorityRound(**{key: owner.id}, **values)
        db.session.add(round_)
        db.session.commit()
        return round_

    return make


def take_part(round_: PriorityRound, user: User, group: StakeholderGroup) -> RoundParticipant:
    participant = RoundParticipant(round_id=round_.id, user_id=user.id, stakeholder_group=group)
    db.session.add(participant)
    db.session.commit()
    return participant


def add_idea(
    round_: PriorityRound,
    text: str,
    by: User | None = None,
    group: StakeholderGroup = StakeholderGroup.FRONTLINE_PRACTITIONER,
    anonymous: bool = False,
    theme: PriorityTheme | None = None,
    source: IdeaSource = IdeaSource.ONLINE,
) -> PriorityIdea:
    idea = PriorityIdea(
        round_id=round_.id,
        text=text,
        stakeholder_group=group,
        is_anonymous=anonymous,
        submitted_by_id=by.id if by else None,
        theme_id=theme.id if theme else None,
        source=source,
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def add_theme(round_: PriorityRound, name: str, position: int = 0, **fields: Any) -> PriorityTheme:
    theme = PriorityTheme(round_id=round_.id, name=name, position=position, **fields)
    db.session.add(theme)
    db.session.commit()
    return theme


def add_vote(
    round_: PriorityRound,
    user: User,
    group: StakeholderGroup,
    dots: dict[PriorityTheme, int] | None = None,
    ranking: list[PriorityTheme] | None = None,
) -> None:
    for theme, count in (dots or {}).items():
        db.session.add(
            PriorityVote(
                round_id=round_.id,
                theme_id=theme.id,
                user_id=user.id,
                stakeholder_group=group,
                dots=count,
            )
        )
    for place, theme in enumerate(ranking or [], start=1):
        db.session.add(
            PriorityVote(
                round_id=round_.id,
                theme_id=theme.id,
                user_id=user.id,
                stakeholder_group=group,
                rank=place,
            )
        )
    db.session.commit()


def set_stage(round_: PriorityRound, stage: RoundStage) -> None:
    round_.stage = stage
    db.session.commit()


def stage_form(round_: PriorityRound, to: RoundStage, **extra: str) -> dict[str, str]:
    db.session.refresh(round_)
    return {"to": to.value, "version": str(round_.version), **extra}
