"""Routes for communities of practice themselves: the list, starting one, its overview page, and
changing its details. Members, meetings, actions, resources and participation have their own
modules."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, url_for
from flask_login import current_user

from improve.analysis.community import attendance_sentences, membership_sentences
from improve.communities import bp, operations, queries
from improve.communities.forms import CommunityEditForm, NewCommunityForm
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import render, see_other
from improve.models import Community, CommunityRole, StakeholderGroup
from improve.permissions import (
    CommunityPermission,
    can_create_collaborative,
    can_in_community,
    community_or_404,
)

NAME_TAKEN = "A community of practice with this name already exists"


def today() -> date:
    return date.today()


@bp.get("/communities")
def index():
    """The communities of practice the person belongs to (every one for an admin)."""
    return render(
        "communities/index.html",
        rows=queries.list_communities(current_user, today()),
        may_create=can_create_collaborative(current_user),
    )


def _collaboratives(community: Community | None) -> list:
    """Who may be chosen as the collaborative: those the person coordinates (every one for an
    admin), and the one the community already belongs to, so saving keeps it."""
    choices = queries.coordinated_collaboratives(current_user)
    current = queries.get_collaborative(community.collaborative_id if community else None)
    if current is not None and current not in choices:
        choices.append(current)
    return choices


@bp.route("/communities/new", methods=["GET", "POST"])
def new():
    """Start a community of practice; its creator becomes its first facilitator."""
    if not can_create_collaborative(current_user):
        abort(403)
    form = NewCommunityForm()
    form.set_collaboratives(_collaboratives(None))
    if form.validate_on_submit():
        if queries.community_name_taken(form.name.data):
            form.name.errors.append(NAME_TAKEN)
        else:
            group = StakeholderGroup(form.your_group.data)
            community, _ = operations.create_community(current_user, form.details(), group)
            db.session.commit()
            flash(f"‘{community.name}’ has started. Now add its members.", "success")
            return see_other(url_for(".members", community_id=community.id))
    return render("communities/form.html", form=form, community=None, status=form_status(form))


@bp.get("/communities/<id:community_id>")
def detail(community_id: int):
    """A community's overview: its theme, who facilitates, members by group, the next meeting,
    open actions (overdue first), recent resources and participation in brief."""
    community = community_or_404(community_id)
    members = queries.list_members(community.id)
    meetings = queries.list_meetings(community.id)
    found = queries.participation_of(community, today(), members, meetings)
    upcoming = [meeting for meeting in meetings if meeting.held_on >= today()]
    return render(
        "communities/detail.html",
        community=community,
        collaborative=queries.get_collaborative(community.collaborative_id),
        facilitators=[
            member
            for member in members
            if member.role == CommunityRole.FACILITATOR and member.left_on is None
        ],
        found=found,
        labels=queries.GROUP_LABELS,
        next_meeting=upcoming[-1] if upcoming else None,
        last_meeting=next((m for m in meetings if m.held_on < today()), None),
        actions=queries.open_actions(community.id, today()),
        resources=queries.list_resources(community.id, limit=5),
        membership_words=membership_sentences(found, queries.GROUP_LABELS),
        attendance_words=attendance_sentences(found, queries.GROUP_LABELS, queries.LIVED),
        may_facilitate=can_in_community(current_user, CommunityPermission.FACILITATE, community),
    )


@bp.route("/communities/<id:community_id>/edit", methods=["GET", "POST"])
def edit(community_id: int):
    """Change a community's details; a save over someone else's newer one is refused and both
    are shown."""
    community = community_or_404(community_id, CommunityPermission.FACILITATE)
    form = CommunityEditForm(obj=community)
    form.set_collaboratives(_collaboratives(community))
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, community)
        if not conflict and queries.community_name_taken(form.name.data, community.id):
            form.name.errors.append(NAME_TAKEN)
        elif not conflict:
            changed = operations.update_community(current_user, community, form.details())
            db.session.commit()
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return see_other(url_for(".detail", community_id=community.id))
    return render(
        "communities/form.html",
        form=form,
        community=community,
        conflict=conflict,
        saved=saved_values(form, community) if conflict else [],
        status=form_status(form, conflict),
    )
