"""Routes for the actions agreed at a community's meetings: adding one at a meeting, saying how
far one has got (at any later meeting it is carried to), and deleting one recorded by mistake."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user

from improve.communities import bp, operations, queries
from improve.communities.forms import ActionEditForm, ActionForm
from improve.communities.meetings import meeting_or_404, meeting_page, meeting_url
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import Community, CommunityAction, CommunityMeeting
from improve.permissions import CommunityPermission, community_record_or_404
from improve.routing import parse_id


@bp.post("/community-meetings/<id:meeting_id>/actions")
def add_action(meeting_id: int):
    """Add an action agreed at this meeting; htmx gets the meeting's actions section back."""
    community, meeting = meeting_or_404(meeting_id, CommunityPermission.FACILITATE)
    form = ActionForm()
    form.held_on = meeting.held_on
    if not form.validate_on_submit():
        return meeting_page(community, meeting, "meeting_actions", 422, action_form=form)
    action = operations.add_action(current_user, community, meeting, form.details())
    db.session.commit()
    flash(f"Action added: {action.description}", "success")
    if is_partial_request():
        return meeting_page(community, meeting, "meeting_actions")
    return see_other(meeting_url(meeting, _anchor="meeting-actions"))


def action_or_404(action_id: int) -> tuple[Community, CommunityAction, CommunityMeeting]:
    """The action (for facilitators of its community; 404 for anyone outside it), its community
    and the meeting that agreed it."""
    action = community_record_or_404(CommunityAction, action_id, CommunityPermission.FACILITATE)
    community = db.session.get(Community, action.community_id)
    return community, action, action.meeting


def back_url(community: Community, meeting: CommunityMeeting) -> str:
    """Where the edit and delete pages go back to: the later meeting of this community the action
    was carried to, if it was opened there (?back=<meeting id>), else its own meeting."""
    other = queries.get_meeting(community.id, parse_id(request.args.get("back", "")))
    if other is not None and other.id != meeting.id:
        return meeting_url(other, _anchor="carried-over")
    return meeting_url(meeting, _anchor="meeting-actions")


@bp.route("/community-actions/<id:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id: int):
    """Say how far an action has got (closing it is marking it done), or change its wording,
    owner or due date; a save over someone else's newer one is refused and both are shown."""
    community, action, meeting = action_or_404(action_id)
    form = ActionEditForm(obj=action)
    form.held_on = meeting.held_on
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, action)
        if not conflict:
            changed = operations.update_action(current_user, community, action, form.details())
            db.session.commit()
            flash("Action saved." if changed else "Nothing was changed.", "success")
            return see_other(back_url(community, meeting))
    return render(
        "communities/action_edit.html",
        community=community,
        action=action,
        meeting=meeting,
        form=form,
        back=back_url(community, meeting),
        conflict=conflict,
        saved=saved_values(form, action) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route("/community-actions/<id:action_id>/delete", methods=["GET", "POST"])
def delete_action(action_id: int):
    """Confirm, then delete an action recorded by mistake (one the group decided not to do is
    marked "Dropped" instead, which keeps it on the record)."""
    community, action, meeting = action_or_404(action_id)
    conflict = request.method == "POST" and removal_conflict(action)
    if request.method == "POST" and not conflict:
        back = back_url(community, meeting)
        operations.delete_action(current_user, community, action)
        db.session.commit()
        flash(f"The action ‘{action.description}’ has been deleted.", "success")
        return see_other(back)
    return render(
        "communities/action_delete.html",
        community=community,
        action=action,
        meeting=meeting,
        back=back_url(community, meeting),
        conflict=conflict,
        status=removal_status(conflict),
    )
