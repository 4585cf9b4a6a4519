"""Reads for a community's evaluation: its meetings held so far, their attendance and feedback
as plain rows (one query each, whatever the number of meetings), a person's own answers, and
the evaluation notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from improve.analysis.feedback import (
    AttendanceRow,
    Evaluation,
    FeedbackRow,
    GuestRow,
    evaluation,
)
from improve.extensions import db
from improve.models import (
    Community,
    CommunityMeeting,
    CommunityMember,
    EvaluationNote,
    MeetingFeedback,
    StakeholderGroup,
    User,
    meeting_attendance,
)

GROUP_ORDER = tuple(group.value for group in StakeholderGroup)


@dataclass(frozen=True)
class EvaluationPage:
    meetings: list[CommunityMeeting]  # held up to today, latest first
    result: Evaluation  # improve.analysis.feedback.evaluation, meetings in the same order
    notes: list[EvaluationNote]


def held_meetings(community: Community, today: date) -> list[CommunityMeeting]:
    """The community's meetings held on or before today, latest first."""
    query = (
        sa.select(CommunityMeeting)
        .where(CommunityMeeting.community_id == community.id, CommunityMeeting.held_on <= today)
        .order_by(CommunityMeeting.held_on.desc(), CommunityMeeting.id.desc())
    )
    return list(db.session.scalars(query))


def guest_rows(meetings: list[CommunityMeeting]) -> list[GuestRow]:
    """Guests by group from each meeting's JSON; a count that is not a whole number is 0."""
    rows = []
    for meeting in meetings:
        for group, count in (meeting.guests or {}).items():
            number = count if isinstance(count, int) and not isinstance(count, bool) else 0
            rows.append(GuestRow(meeting.id, str(group), number))
    return rows


def community_evaluation(community: Community, today: date) -> EvaluationPage:
    """Everything the evaluation page shows, read in four queries."""
    meetings = held_meetings(community, today)
    ids = [meeting.id for meeting in meetings]
    feedback = db.session.execute(
        sa.select(
            MeetingFeedback.meeting_id,
            MeetingFeedback.stakeholder_group,
            MeetingFeedback.listened_to,
            MeetingFeedback.learned_something,
            MeetingFeedback.will_use,
            MeetingFeedback.comment,
        )
        .join(CommunityMeeting, CommunityMeeting.id == MeetingFeedback.meeting_id)
        .where(CommunityMeeting.community_id == community.id)
    ).all()
    present = db.session.execute(
        sa.select(meeting_attendance.c.meeting_id, meeting_attendance.c.member_id)
        .join(CommunityMeeting, CommunityMeeting.id == meeting_attendance.c.meeting_id)
        .where(CommunityMeeting.community_id == community.id)
    ).all()
    result = evaluation(
        ids,
        [
            FeedbackRow(row[0], row[1].value, row[2].value, row[3].value, row[4].value, row[5])
            for row in feedback
        ],
        [AttendanceRow(meeting_id, member_id) for meeting_id, member_id in present],
        guest_rows(meetings),
        GROUP_ORDER,
    )
    return EvaluationPage(meetings, result, list_notes(community))


def list_notes(community: Community) -> list[EvaluationNote]:
    query = (
        sa.select(EvaluationNote)
        .where(EvaluationNote.community_id == community.id)
        .order_by(EvaluationNote.written_on.desc(), EvaluationNote.id.desc())
    )
    return list(db.session.scalars(query))


def own_feedback(meeting: CommunityMeeting, user: User) -> MeetingFeedback | None:
    query = sa.select(MeetingFeedback).where(
        MeetingFeedback.meeting_id == meeting.id, MeetingFeedback.user_id == user.id
    )
    return db.session.scalar(query)


def paper_forms(meeting: CommunityMeeting) -> int:
    """How many paper forms have been typed in for the meeting."""
    query = sa.select(sa.func.count(MeetingFeedback.id)).where(
        MeetingFeedback.meeting_id == meeting.id, MeetingFeedback.user_id.is_(None)
    )
    return db.session.scalar(query) or 0


def may_answer_online(meeting: CommunityMeeting, user: User) -> bool:
    """Once who came is recorded, only members ticked as present answer online (so the response
    rate counts people who came); before that, anyone who may take part may answer."""
    ticked = set(
        db.session.scalars(
            sa.select(CommunityMember.user_id)
            .join(meeting_attendance, meeting_attendance.c.member_id == CommunityMember.id)
            .where(meeting_attendance.c.meeting_id == meeting.id)
        )
    )
    recorded = bool(ticked) or any((meeting.guests or {}).values())
    return not recorded or user.id in ticked
