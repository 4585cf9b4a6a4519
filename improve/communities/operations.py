"""Writes for communities of practice, each with its audit row (filed under the community's
collaborative, when it has one); the view commits once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from improve.auditing import (
    create_audited,
    delete_audited,
    quoted,
    record_event,
    update_audited,
)
from improve.models import (
    AuditAction,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    StakeholderGroup,
    User,
)

COMMUNITY_FIELDS = ("name", "theme", "description", "started_on", "collaborative_id")
MEMBER_FIELDS = (
    "name",
    "organisation",
    "stakeholder_group",
    "role",
    "joined_on",
    "left_on",
)
MEMBER_RECORD_FIELDS = ("community_id", "user_id", *MEMBER_FIELDS)
MEETING_FIELDS = ("held_on", "title", "agenda", "notes")
MEETING_RECORD_FIELDS = ("community_id", *MEETING_FIELDS)
ACTION_FIELDS = ("description", "owner", "due_on", "status", "progress_note")
ACTION_RECORD_FIELDS = ("community_id", "meeting_id", *ACTION_FIELDS)
RESOURCE_FIELDS = ("title", "url", "note", "evidence_kind")
RESOURCE_RECORD_FIELDS = ("community_id", *RESOURCE_FIELDS)


def day_words(day: date) -> str:
    """ "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


# The community ---------------------------------------------------------------------------------


def create_community(
    actor: User, details: dict[str, Any], group: StakeholderGroup
) -> tuple[Community, CommunityMember]:
    """A new community, with the person who started it as its first facilitator."""
    community = Community(created_by_id=actor.id, **details)
    create_audited(
        actor.id,
        community,
        COMMUNITY_FIELDS,
        summary=f"Started the community of practice {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )
    facilitator = add_member(
        actor,
        community,
        actor,
        {
            "name": actor.display_name,
            "organisation": "",
            "stakeholder_group": group,
            "role": CommunityRole.FACILITATOR,
            "joined_on": community.started_on,
        },
    )
    return community, facilitator


def update_community(actor: User, community: Community, details: dict[str, Any]) -> bool:
    """Change the community's details; whether anything changed. A move to another
    collaborative is filed under the new one."""
    return update_audited(
        actor.id,
        community,
        COMMUNITY_FIELDS,
        details,
        summary=f"Changed the community of practice {quoted(community.name)}",
        collaborative_id=details.get("collaborative_id", community.collaborative_id),
    )


# Members ---------------------------------------------------------------------------------------


def add_member(
    actor: User, community: Community, user: User | None, details: dict[str, Any]
) -> CommunityMember:
    """A new member; with an account (`user`), their account's name is used."""
    if user is not None:
        details = {**details, "name": user.display_name}
    member = CommunityMember(
        community_id=community.id, user_id=user.id if user else None, **details
    )
    create_audited(
        actor.id,
        member,
        MEMBER_RECORD_FIELDS,
        summary=f"Added {member.name} to the community of practice {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )
    return member


def update_member(
    actor: User, community: Community, member: CommunityMember, details: dict[str, Any]
) -> bool:
    return update_audited(
        actor.id,
        member,
        MEMBER_FIELDS,
        details,
        summary=f"Changed {member.name}'s membership of {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )


def remove_member(actor: User, community: Community, member: CommunityMember) -> None:
    """Remove a member who never came to a meeting (the view checks): no record keeps them."""
    delete_audited(
        actor.id,
        member,
        MEMBER_RECORD_FIELDS,
        summary=f"Removed {member.name} from the community of practice {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )


# Meetings --------------------------------------------------------------------------------------


def add_meeting(actor: User, community: Community, details: dict[str, Any]) -> CommunityMeeting:
    meeting = CommunityMeeting(
        community_id=community.id, recorded_by_id=actor.id, guests={}, notes="", **details
    )
    create_audited(
        actor.id,
        meeting,
        MEETING_RECORD_FIELDS,
        summary=f"Added the meeting of {day_words(meeting.held_on)} to {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )
    return meeting


def update_meeting(
    actor: User, community: Community, meeting: CommunityMeeting, details: dict[str, Any]
) -> bool:
    return update_audited(
        actor.id,
        meeting,
        MEETING_FIELDS,
        details,
        summary=f"Changed the meeting of {day_words(meeting.held_on)} ({quoted(meeting.title)})",
        collaborative_id=community.collaborative_id,
    )


def _attendance(meeting: CommunityMeeting) -> dict[str, Any]:
    return {
        "members": sorted(member.name for member in meeting.attendees),
        "guests": dict(sorted((meeting.guests or {}).items())),
    }


def record_attendance(
    actor: User,
    community: Community,
    meeting: CommunityMeeting,
    present: Sequence[CommunityMember],
    guests: dict[str, int],
) -> bool:
    """Who came: the members present (the view checks they are this community's) and guests by
    group; whether anything changed. The meeting's version moves with its attendance, so a
    register saved over someone else's is refused like any stale form."""
    before = _attendance(meeting)
    same_people = {member.id for member in meeting.attendees} == {member.id for member in present}
    if same_people and (meeting.guests or {}) == guests:
        return False
    meeting.attendees = list(present)
    meeting.guests = dict(guests)
    flag_modified(meeting, "guests")  # a change of people alone must move the version too
    record_event(
        actor.id,
        AuditAction.UPDATE,
        meeting,
        summary=f"Recorded who came to the meeting of {day_words(meeting.held_on)}",
        before=before,
        after=_attendance(meeting),
        collaborative_id=community.collaborative_id,
    )
    return True


# Actions ---------------------------------------------------------------------------------------


def add_action(
    actor: User, community: Community, meeting: CommunityMeeting, details: dict[str, Any]
) -> CommunityAction:
    action = CommunityAction(
        community_id=community.id, meeting_id=meeting.id, recorded_by_id=actor.id, **details
    )
    create_audited(
        actor.id,
        action,
        ACTION_RECORD_FIELDS,
        summary=(
            f"Added the action {quoted(action.description)} at the meeting of "
            f"{day_words(meeting.held_on)}"
        ),
        collaborative_id=community.collaborative_id,
    )
    return action


def update_action(
    actor: User, community: Community, action: CommunityAction, details: dict[str, Any]
) -> bool:
    return update_audited(
        actor.id,
        action,
        ACTION_FIELDS,
        details,
        summary=f"Changed the action {quoted(action.description)}",
        collaborative_id=community.collaborative_id,
    )


def delete_action(actor: User, community: Community, action: CommunityAction) -> None:
    delete_audited(
        actor.id,
        action,
        ACTION_RECORD_FIELDS,
        summary=f"Deleted the action {quoted(action.description)}",
        collaborative_id=community.collaborative_id,
    )


# Resources -------------------------------------------------------------------------------------


def add_resource(actor: User, community: Community, details: dict[str, Any]) -> CommunityResource:
    resource = CommunityResource(community_id=community.id, added_by_id=actor.id, **details)
    create_audited(
        actor.id,
        resource,
        RESOURCE_RECORD_FIELDS,
        summary=f"Shared {quoted(resource.title)} with {quoted(community.name)}",
        collaborative_id=community.collaborative_id,
    )
    return resource


def update_resource(
    actor: User, community: Community, resource: CommunityResource, details: dict[str, Any]
) -> bool:
    return update_audited(
        actor.id,
        resource,
        RESOURCE_FIELDS,
        details,
        summary=f"Changed the shared resource {quoted(resource.title)}",
        collaborative_id=community.collaborative_id,
    )


def remove_resource(actor: User, community: Community, resource: CommunityResource) -> None:
    delete_audited(
        actor.id,
        resource,
        RESOURCE_RECORD_FIELDS,
        summary=f"Removed the shared resource {quoted(resource.title)}",
        collaborative_id=community.collaborative_id,
    )
