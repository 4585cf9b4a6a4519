"""Reads for communities of practice: one query per table for a page, then pure code. Every
count of members or attendance comes from improve.analysis.community."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from improve.analysis.community import (
    MeetingRecord,
    MemberSpell,
    Participation,
    members_on,
    participation,
)
from improve.extensions import db
from improve.models import (
    LIVED_EXPERIENCE_GROUPS,
    ActionStatus,
    Collaborative,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    Membership,
    Role,
    StakeholderGroup,
    User,
    meeting_attendance,
)
from improve.permissions import visible_community_ids

GROUPS = tuple(group.value for group in StakeholderGroup)
GROUP_LABELS = {group.value: group.label for group in StakeholderGroup}
LIVED = tuple(group.value for group in LIVED_EXPERIENCE_GROUPS)
OPEN_STATUSES = tuple(status for status in ActionStatus if status.is_open)


# Communities -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityRow:
    """A community on the list: how many members it has today, its next and last meetings."""

    community: Community
    members: int
    next_meeting: CommunityMeeting | None
    last_meeting: CommunityMeeting | None
    role: CommunityRole | None  # the person's own role; None for an admin who is not a member


def list_communities(user: User, today: date) -> list[CommunityRow]:
    """The communities the person belongs to (every one for an admin), by name: three queries."""
    communities = list(
        db.session.scalars(
            sa.select(Community)
            .where(Community.id.in_(visible_community_ids(user)))
            .order_by(Community.name)
        )
    )
    if not communities:
        return []
    ids = [community.id for community in communities]
    members = list(
        db.session.scalars(sa.select(CommunityMember).where(CommunityMember.community_id.in_(ids)))
    )
    meetings = db.session.scalars(
        sa.select(CommunityMeeting)
        .where(CommunityMeeting.community_id.in_(ids))
        .order_by(CommunityMeeting.held_on, CommunityMeeting.id)
    )
    upcoming: dict[int, CommunityMeeting] = {}
    past: dict[int, CommunityMeeting] = {}
    for meeting in meetings:
        if meeting.held_on >= today:
            upcoming.setdefault(meeting.community_id, meeting)
        else:
            past[meeting.community_id] = meeting  # ordered oldest first: the last one wins
    by_community: dict[int, list[CommunityMember]] = {}
    for member in members:
        by_community.setdefault(member.community_id, []).append(member)
    rows = []
    for community in communities:
        own = by_community.get(community.id, [])
        count = sum(members_on(spells(own), today, GROUPS).values())
        role = next((m.role for m in own if m.user_id == user.id and m.left_on is None), None)
        rows.append(
            CommunityRow(community, count, upcoming.get(community.id), past.get(community.id), role)
        )
    return rows


def coordinated_collaboratives(user: User) -> list[Collaborative]:
    """The collaboratives a new community may belong to: those the person coordinates, or every
    one for an admin."""
    query = sa.select(Collaborative).order_by(Collaborative.name)
    if not user.is_admin:
        query = query.join(Membership, Membership.collaborative_id == Collaborative.id).where(
            Membership.user_id == user.id, Membership.role == Role.COORDINATOR
        )
    return list(db.session.scalars(query))


def get_collaborative(collaborative_id: int | None) -> Collaborative | None:
    return None if collaborative_id is None else db.session.get(Collaborative, collaborative_id)


def community_name_taken(name: str, except_id: int | None = None) -> bool:
    query = sa.select(Community.id).where(sa.func.lower(Community.name) == name.lower())
    if except_id is not None:
        query = query.where(Community.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


# Members ---------------------------------------------------------------------------------------


def list_members(community_id: int) -> list[CommunityMember]:
    """Every member, past and present, by name."""
    query = (
        sa.select(CommunityMember)
        .where(CommunityMember.community_id == community_id)
        .order_by(sa.func.lower(CommunityMember.name), CommunityMember.id)
    )
    return list(db.session.scalars(query))


def spells(members: Sequence[CommunityMember]) -> list[MemberSpell]:
    """The members as the counts need them."""
    return [
        MemberSpell(member.id, member.stakeholder_group.value, member.joined_on, member.left_on)
        for member in members
    ]


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def membership_of(community_id: int, user_id: int) -> CommunityMember | None:
    """The person's row in this community, current or past (there is one at most)."""
    return db.session.scalar(
        sa.select(CommunityMember).where(
            CommunityMember.community_id == community_id, CommunityMember.user_id == user_id
        )
    )


def meetings_attended(member: CommunityMember) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(meeting_attendance)
        .where(meeting_attendance.c.member_id == member.id)
    )
    return int(db.session.scalar(query) or 0)


def other_facilitators(member: CommunityMember) -> int:
    """How many current facilitators who can sign in the community has besides this member."""
    query = sa.select(sa.func.count()).where(
        CommunityMember.community_id == member.community_id,
        CommunityMember.id != member.id,
        CommunityMember.role == CommunityRole.FACILITATOR,
        CommunityMember.user_id.is_not(None),
        CommunityMember.left_on.is_(None),
    )
    return int(db.session.scalar(query) or 0)


# Meetings --------------------------------------------------------------------------------------


def list_meetings(community_id: int) -> list[CommunityMeeting]:
    """Every meeting, newest first."""
    query = (
        sa.select(CommunityMeeting)
        .where(CommunityMeeting.community_id == community_id)
        .order_by(CommunityMeeting.held_on.desc(), CommunityMeeting.id.desc())
    )
    return list(db.session.scalars(query))


def attendance_pairs(community_id: int) -> list[tuple[int, int]]:
    """(meeting id, member id) for everyone ticked present at any meeting of the community."""
    query = (
        sa.select(meeting_attendance.c.meeting_id, meeting_attendance.c.member_id)
        .join(CommunityMeeting, CommunityMeeting.id == meeting_attendance.c.meeting_id)
        .where(CommunityMeeting.community_id == community_id)
    )
    return [(meeting_id, member_id) for meeting_id, member_id in db.session.execute(query)]


def attendee_ids(meeting: CommunityMeeting) -> set[int]:
    query = sa.select(meeting_attendance.c.member_id).where(
        meeting_attendance.c.meeting_id == meeting.id
    )
    return set(db.session.scalars(query))


def records(meetings: Sequence[CommunityMeeting]) -> list[MeetingRecord]:
    return [
        MeetingRecord(meeting.id, meeting.held_on, meeting.title, dict(meeting.guests or {}))
        for meeting in meetings
    ]


def get_meeting(community_id: int, meeting_id: int | None) -> CommunityMeeting | None:
    """One of this community's meetings (None if it is another's, or gone)."""
    if meeting_id is None:
        return None
    meeting = db.session.get(CommunityMeeting, meeting_id)
    return meeting if meeting is not None and meeting.community_id == community_id else None


def participation_of(
    community: Community,
    today: date,
    members: Sequence[CommunityMember] | None = None,
    meetings: Sequence[CommunityMeeting] | None = None,
) -> Participation:
    """The one count of membership and attendance (improve.analysis.community) for this
    community; pass the members or meetings a page has already read."""
    members = list_members(community.id) if members is None else members
    meetings = list_meetings(community.id) if meetings is None else meetings
    return participation(
        spells(members),
        records(meetings),
        attendance_pairs(community.id),
        groups=GROUPS,
        started_on=community.started_on,
        today=today,
    )


# Actions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """An action with the meeting that agreed it."""

    action: CommunityAction
    meeting: CommunityMeeting
    today: date

    @property
    def overdue(self) -> bool:
        """Still open, and its due date has passed (due today is not overdue yet)."""
        due = self.action.due_on
        return self.action.status.is_open and due is not None and due < self.today


def _actions() -> sa.Select[tuple[CommunityAction, CommunityMeeting]]:
    return sa.select(CommunityAction, CommunityMeeting).join(
        CommunityMeeting, CommunityMeeting.id == CommunityAction.meeting_id
    )


def _rows(
    query: sa.Select[tuple[CommunityAction, CommunityMeeting]], today: date
) -> list[ActionRow]:
    return [ActionRow(action, meeting, today) for action, meeting in db.session.execute(query)]


def actions_of(meeting: CommunityMeeting, today: date) -> list[ActionRow]:
    """The actions agreed at this meeting, in the order they were added."""
    query = _actions().where(CommunityAction.meeting_id == meeting.id)
    return _rows(query.order_by(CommunityAction.id), today)


def carried_over(meeting: CommunityMeeting, today: date) -> list[ActionRow]:
    """Actions agreed at earlier meetings of the community that are still open (not started or in
    progress): they are carried to this one. Oldest meeting first, then by due date."""
    earlier = sa.or_(
        CommunityMeeting.held_on < meeting.held_on,
        sa.and_(CommunityMeeting.held_on == meeting.held_on, CommunityMeeting.id < meeting.id),
    )
    query = _actions().where(
        CommunityAction.community_id == meeting.community_id,
        CommunityAction.status.in_(OPEN_STATUSES),
        earlier,
    )
    order = (CommunityMeeting.held_on, CommunityMeeting.id, CommunityAction.id)
    return _rows(query.order_by(*order), today)


def open_actions(community_id: int, today: date) -> list[ActionRow]:
    """Every open action of the community: overdue first, then by due date (none last)."""
    overdue_first = sa.case((CommunityAction.due_on < today, 0), else_=1)
    no_date_last = sa.case((CommunityAction.due_on.is_(None), 1), else_=0)
    query = _actions().where(
        CommunityAction.community_id == community_id,
        CommunityAction.status.in_(OPEN_STATUSES),
    )
    order = (overdue_first, no_date_last, CommunityAction.due_on, CommunityMeeting.held_on)
    return _rows(query.order_by(*order, CommunityAction.id), today)


# Resources -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceRow:
    resource: CommunityResource
    added_by: str  # the name of whoever added it, or "" if their account is gone


def list_resources(community_id: int, limit: int | None = None) -> list[ResourceRow]:
    """The resources shared with the community, newest first, with who added each."""
    query = (
        sa.select(CommunityResource, User.display_name)
        .outerjoin(User, User.id == CommunityResource.added_by_id)
        .where(CommunityResource.community_id == community_id)
        .order_by(CommunityResource.created_at.desc(), CommunityResource.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [ResourceRow(resource, name or "") for resource, name in db.session.execute(query)]


# The home page ---------------------------------------------------------------------------------


def my_communities(user: User) -> list[tuple[Community, CommunityRole]]:
    """The communities the person is a current member of, with their role, by name."""
    query = (
        sa.select(Community, CommunityMember.role)
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(CommunityMember.user_id == user.id, CommunityMember.left_on.is_(None))
        .order_by(Community.name)
    )
    return [(community, role) for community, role in db.session.execute(query)]
