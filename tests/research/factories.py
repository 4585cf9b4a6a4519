"""A community of practice grown from collaborative X (tests/conftest.py `world`), with a
facilitator, two members, a research partner, a meeting, and a second community with its own
member and meeting; shared by the research-need and evaluation tests."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from improve.extensions import db
from improve.models import (
    CommunityMeeting,
    CommunityRole,
    ResearchNeed,
    ResearchNeedVote,
    StakeholderGroup,
)

TODAY = date.today()


def add_meeting(community, held_on: date = TODAY - timedelta(days=7), **fields: Any):
    meeting = CommunityMeeting(
        community_id=community.id,
        held_on=held_on,
        title=fields.pop("title", "Spring meeting"),
        **fields,
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def add_need(community, question: str = "What helps after a fall?", **fields: Any):
    values = {
        "raised_by": "Sam",
        "raised_by_group": StakeholderGroup.CARER,
        "shared_by": 1,
    }
    values.update(fields)
    need = ResearchNeed(community_id=community.id, question=question, **values)
    db.session.add(need)
    db.session.commit()
    return need


def add_vote(need, user, group: StakeholderGroup = StakeholderGroup.CARER):
    vote = ResearchNeedVote(need_id=need.id, user_id=user.id, stakeholder_group=group)
    db.session.add(vote)
    db.session.commit()
    return vote


def make_cop(world, make_user, make_community, join) -> SimpleNamespace:
    """world + cop (of collaborative X) and other (another community), with their people."""
    cop = make_community(world.x, name="Falls community")
    other = make_community(name="Dementia community")
    c = SimpleNamespace(cop=cop, other=other)
    people = {
        "facilitator": (cop, CommunityRole.FACILITATOR, StakeholderGroup.MANAGER),
        "carer": (cop, CommunityRole.MEMBER, StakeholderGroup.CARER),
        "expert": (cop, CommunityRole.MEMBER, StakeholderGroup.EXPERT_BY_EXPERIENCE),
        "partner": (cop, CommunityRole.RESEARCH_PARTNER, StakeholderGroup.ACADEMIA),
        "outsider": (other, CommunityRole.FACILITATOR, StakeholderGroup.MANAGER),
    }
    for key, (community, role, group) in people.items():
        user = make_user(email=f"{key}@example.org", display_name=key.title())
        join(user, community, role=role, group=group)
        setattr(c, key, user)
    c.meeting = add_meeting(cop)
    c.other_meeting = add_meeting(other, title="Other meeting")
    return c
