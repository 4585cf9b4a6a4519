"""Routes for a community's meetings: the list, adding one, its page (agenda, notes, who came by
group, the actions agreed and those carried over from earlier meetings), changing its details
and notes, and recording who came."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash, url_for
from flask_login import current_user

from improve.analysis.community import MeetingAttendance, member_on
from improve.communities import bp, operations, queries
from improve.communities.forms import (
    ActionForm,
    AttendanceForm,
    MeetingEditForm,
    MeetingForm,
)
from improve.communities.views import today
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import render, see_other
from improve.models import Community, CommunityMeeting, CommunityMember
from improve.permissions import (
    CommunityPermission,
    can_in_community,
    community_or_404,
    community_record_or_404,
)

NOT_HELD_YET = "This meeting is on {day}, after today. Record who came once it has happened"
NOT_MEMBERS_TICKED = (
    "{names} on the day of this meeting: untick them, or correct the dates they joined on the "
    "members page"
)
NOT_MEMBERS_THEN = (
    "Recorded as coming to this meeting, {names} on that date. Untick them in who came first, "
    "or correct the dates they joined on the members page"
)
HAS_ATTENDANCE = (
    "Who came to this meeting is recorded, so it cannot move to a date after today. Clear who "
    "came first if it has not happened yet"
)


def meeting_url(meeting: CommunityMeeting, **args: Any) -> str:
    return url_for("communities.meeting", meeting_id=meeting.id, **args)


def meeting_or_404(
    meeting_id: int, permission: CommunityPermission = CommunityPermission.VIEW
) -> tuple[Community, CommunityMeeting]:
    """The meeting and its community: 404 unless the person may see the community, 403 without
    the permission there."""
    meeting = community_record_or_404(CommunityMeeting, meeting_id, permission)
    return db.session.get(Community, meeting.community_id), meeting


@bp.get("/communities/<id:community_id>/meetings")
def meetings(community_id: int):
    """The community's meetings, newest first, with how many came to each."""
    community = community_or_404(community_id)
    listed = queries.list_meetings(community.id)
    found = queries.participation_of(community, today(), meetings=listed)
    return render(
        "communities/meetings.html",
        community=community,
        meetings=listed,
        came={counted.meeting_id: counted for counted in found.meetings},
        may_facilitate=can_in_community(current_user, CommunityPermission.FACILITATE, community),
    )


@bp.route("/communities/<id:community_id>/meetings/new", methods=["GET", "POST"])
def new_meeting(community_id: int):
    """Add a meeting, held or planned; its notes, attendance and actions come on its page."""
    community = community_or_404(community_id, CommunityPermission.FACILITATE)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = operations.add_meeting(current_user, community, form.details())
        db.session.commit()
        flash(f"Meeting of {operations.day_words(meeting.held_on)} added.", "success")
        return see_other(meeting_url(meeting))
    return render(
        "communities/meeting_form.html",
        community=community,
        meeting=None,
        form=form,
        status=form_status(form),
    )


def attendance_of(community: Community, meeting: CommunityMeeting) -> MeetingAttendance | None:
    """This meeting's counts by group, from the one count of the community's participation
    (None for a meeting after today)."""
    found = queries.participation_of(community, today())
    return next((m for m in found.meetings if m.meeting_id == meeting.id), None)


def meeting_page(
    community: Community,
    meeting: CommunityMeeting,
    fragment: str | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A meeting's page, or its actions section alone for htmx."""
    context.setdefault("action_form", ActionForm(formdata=None))
    return render(
        "communities/meeting.html",
        fragment,
        status,
        community=community,
        meeting=meeting,
        counted=attendance_of(community, meeting),
        labels=queries.GROUP_LABELS,
        actions=queries.actions_of(meeting, today()),
        carried=queries.carried_over(meeting, today()),
        held=meeting.held_on <= today(),
        may_facilitate=can_in_community(current_user, CommunityPermission.FACILITATE, community),
        **context,
    )


@bp.get("/community-meetings/<id:meeting_id>")
def meeting(meeting_id: int):
    """One meeting: agenda, notes, who came by group, the actions agreed at it, and the actions
    still open from earlier meetings."""
    community, meeting = meeting_or_404(meeting_id)
    return meeting_page(community, meeting, "meeting_actions")


@bp.route("/community-meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    """Change a meeting's date, title, agenda or notes; a save over someone else's newer one is
    refused and both are shown."""
    community, meeting = meeting_or_404(meeting_id, CommunityPermission.FACILITATE)
    form = MeetingEditForm(obj=meeting)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, meeting)
        moved_on = form.held_on.data > today() and form.held_on.data != meeting.held_on
        not_members = _not_members_on(meeting, form.held_on.data) if not conflict else []
        if not conflict and moved_on and _has_attendance(meeting):
            form.held_on.errors.append(HAS_ATTENDANCE)
        elif not_members:
            form.held_on.errors.append(NOT_MEMBERS_THEN.format(names=_names(not_members)))
        elif not conflict:
            changed = operations.update_meeting(current_user, community, meeting, form.details())
            db.session.commit()
            flash("Meeting saved." if changed else "Nothing was changed.", "success")
            return see_other(meeting_url(meeting))
    return render(
        "communities/meeting_form.html",
        community=community,
        meeting=meeting,
        form=form,
        conflict=conflict,
        saved=saved_values(form, meeting) if conflict else [],
        status=form_status(form, conflict),
    )


def _not_members_on(meeting: CommunityMeeting, day: date) -> list[CommunityMember]:
    """The people recorded as coming who were not members on `day`, by name."""
    return sorted(
        (m for m in meeting.attendees if not member_on(queries.spells([m])[0], day)),
        key=lambda member: member.name,
    )


def _names(members: list[CommunityMember]) -> str:
    """ "Sam was not a member" or "Ann, Bo and Sam were not members"."""
    names = [member.name for member in members]
    if len(names) == 1:
        return f"{names[0]} was not a member"
    return ", ".join(names[:-1]) + f" and {names[-1]} were not members"


def _has_attendance(meeting: CommunityMeeting) -> bool:
    return bool(queries.attendee_ids(meeting) or any((meeting.guests or {}).values()))


# Attendance ------------------------------------------------------------------------------------


def _label(member: CommunityMember) -> str:
    return f"{member.name} ({member.stakeholder_group.label})"


def attendance_form(meeting: CommunityMeeting, members: list[CommunityMember]) -> AttendanceForm:
    """The register: the members on the day of the meeting (and anyone already ticked, so they
    can be unticked), with the meeting's saved attendance and version."""
    ticked = queries.attendee_ids(meeting)
    listed = [
        member
        for member in members
        if member.id in ticked or member_on(queries.spells([member])[0], meeting.held_on)
    ]
    saved = {
        "present": sorted(ticked),
        "version": meeting.version,
        **{f"guests_{group}": count for group, count in (meeting.guests or {}).items()},
    }
    form = AttendanceForm(data=saved)
    form.present.choices = [(member.id, _label(member)) for member in listed]
    return form


@bp.route("/community-meetings/<id:meeting_id>/attendance", methods=["GET", "POST"])
def attendance(meeting_id: int):
    """Record who came: members ticked present, guests counted by group. Refused for a meeting
    after today, and (409) over someone else's newer save."""
    community, meeting = meeting_or_404(meeting_id, CommunityPermission.FACILITATE)
    members = queries.list_members(community.id)
    form = attendance_form(meeting, members)
    held, conflict = meeting.held_on <= today(), False
    if held and form.validate_on_submit():
        conflict = not accept_version(form, meeting)
        present = [member for member in members if member.id in set(form.present.data)]
        not_members = [m for m in present if not member_on(queries.spells([m])[0], meeting.held_on)]
        if not conflict and not_members:
            form.present.errors.append(NOT_MEMBERS_TICKED.format(names=_names(not_members)))
        elif not conflict:
            changed = operations.record_attendance(
                current_user, community, meeting, present, form.guests()
            )
            db.session.commit()
            flash("Who came is saved." if changed else "Nothing was changed.", "success")
            return see_other(meeting_url(meeting, _anchor="who-came"))
    # A register for a meeting not held yet is refused, with the page saying why.
    status = 422 if not held and form.is_submitted() else form_status(form, conflict)
    return render(
        "communities/attendance.html",
        community=community,
        meeting=meeting,
        form=form,
        held=held,
        conflict=conflict,
        saved_names=sorted(member.name for member in meeting.attendees) if conflict else [],
        labels=queries.GROUP_LABELS,
        not_held=NOT_HELD_YET.format(day=operations.day_words(meeting.held_on)),
        status=status,
    )
