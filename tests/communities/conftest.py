"""A world of two communities of practice for the communities tests.

Community C ("Complex needs", part of collaborative X): Fay facilitates, Meg is a member (a person
who draws on care), Rory a research partner, and Sam Walk-in comes to meetings without an
account. Community D ("Workforce"): Dan facilitates, Dee (no account) is a member. Everyone of
tests/conftest.py's `world` is there too, none of them in either community.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditEvent,
    CommunityAction,
    CommunityMeeting,
    CommunityRole,
    StakeholderGroup,
)

STARTED = date(2025, 1, 6)


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def cop(world, make_user, make_community, join) -> SimpleNamespace:
    c = make_community(world.x, name="Complex needs", started_on=STARTED)
    d = make_community(name="Workforce", theme="The social care workforce", started_on=STARTED)
    w = world
    w.c, w.d = c, d
    w.fay = make_user(email="fay@example.org", display_name="Fay Facilitator")
    w.meg = make_user(email="meg@example.org", display_name="Meg Member")
    w.rory = make_user(email="rory@example.org", display_name="Rory Researcher")
    w.dan = make_user(email="dan@example.org", display_name="Dan Facilitator")
    w.fay_member = join(w.fay, c, CommunityRole.FACILITATOR, StakeholderGroup.MANAGER)
    w.meg_member = join(w.meg, c, CommunityRole.MEMBER, StakeholderGroup.EXPERT_BY_EXPERIENCE)
    w.rory_member = join(w.rory, c, CommunityRole.RESEARCH_PARTNER, StakeholderGroup.ACADEMIA)
    w.sam = join("Sam Walk-in", c, group=StakeholderGroup.CARER)
    w.dan_member = join(w.dan, d, CommunityRole.FACILITATOR, StakeholderGroup.PROVIDER)
    w.dee = join("Dee Other", d, group=StakeholderGroup.CARER)
    return w


def add_meeting(community, held_on: date, title: str = "A meeting", **fields: Any):
    fields.setdefault("guests", {})
    meeting = CommunityMeeting(community_id=community.id, held_on=held_on, title=title, **fields)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def add_action(meeting, description: str = "Ask for the protocol", **fields: Any):
    values: dict[str, Any] = {"owner": "Sam Okafor"}
    values.update(fields)
    action = CommunityAction(
        community_id=meeting.community_id,
        meeting_id=meeting.id,
        description=description,
        **values,
    )
    db.session.add(action)
    db.session.commit()
    return action


def audit_rows(entity_type: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def all_of(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(model).order_by(model.id)))
