"""Writes for meeting feedback and evaluation notes, each with its audit row; the view commits.

Feedback is audited as given or changed, without the answers: the answers are shown only as
counts by group, and the audit trail must not give them back by name."""

from __future__ import annotations

from typing import Any

from improve.auditing import create_audited, delete_audited, record_event, update_audited
from improve.models import (
    AuditAction,
    Community,
    CommunityMeeting,
    EvaluationNote,
    MeetingFeedback,
    User,
)

FEEDBACK_FIELDS = ("meeting_id",)
NOTE_FIELDS = ("title", "written_on", "interviews", "who_was_interviewed", "findings")


def _meeting_words(meeting: CommunityMeeting) -> str:
    return f"the meeting of {meeting.held_on.day} {meeting.held_on:%B %Y}"


def give_feedback(
    actor: User,
    community: Community,
    meeting: CommunityMeeting,
    details: dict[str, Any],
    existing: MeetingFeedback | None,
) -> MeetingFeedback:
    """The person's own answers about a meeting: new, or their earlier ones changed."""
    if existing is not None:
        changed = any(getattr(existing, name) != value for name, value in details.items())
        for name, value in details.items():
            setattr(existing, name, value)
        if not changed:
            return existing
        record_event(
            actor.id,
            AuditAction.UPDATE,
            existing,
            summary=f"Changed their feedback on {_meeting_words(meeting)}",
            collaborative_id=community.collaborative_id,
        )
        return existing
    feedback = MeetingFeedback(
        meeting_id=meeting.id, user_id=actor.id, entered_by_id=actor.id, **details
    )
    create_audited(
        actor.id,
        feedback,
        FEEDBACK_FIELDS,
        summary=f"Gave feedback on {_meeting_words(meeting)}",
        collaborative_id=community.collaborative_id,
    )
    return feedback


def add_paper_feedback(
    actor: User, community: Community, meeting: CommunityMeeting, details: dict[str, Any]
) -> MeetingFeedback:
    """A paper form typed in by a facilitator: nobody's account, entered by them."""
    feedback = MeetingFeedback(
        meeting_id=meeting.id, user_id=None, entered_by_id=actor.id, **details
    )
    create_audited(
        actor.id,
        feedback,
        FEEDBACK_FIELDS,
        summary=f"Typed in a paper feedback form from {_meeting_words(meeting)}",
        collaborative_id=community.collaborative_id,
    )
    return feedback


def add_note(actor: User, community: Community, details: dict[str, Any]) -> EvaluationNote:
    """Notes of an interview-based evaluation of the community."""
    note = EvaluationNote(community_id=community.id, added_by_id=actor.id, **details)
    create_audited(
        actor.id,
        note,
        NOTE_FIELDS,
        summary=f"Added the evaluation notes “{note.title}”",
        collaborative_id=community.collaborative_id,
    )
    return note


def update_note(
    actor: User, community: Community, note: EvaluationNote, details: dict[str, Any]
) -> bool:
    """Change evaluation notes; whether anything changed."""
    return update_audited(
        actor.id,
        note,
        NOTE_FIELDS,
        details,
        summary=f"Changed the evaluation notes “{note.title}”",
        collaborative_id=community.collaborative_id,
    )


def remove_note(actor: User, community: Community, note: EvaluationNote) -> None:
    delete_audited(
        actor.id,
        note,
        NOTE_FIELDS,
        summary=f"Removed the evaluation notes “{note.title}”",
        collaborative_id=community.collaborative_id,
    )
