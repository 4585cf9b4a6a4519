"""Routes for a community's members: the list (every member of the community may read it), and
for facilitators adding someone (with an account or without), changing their details or role,
marking them as left, and removing someone added by mistake."""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from improve.communities import bp, operations, queries
from improve.communities.forms import MemberEditForm, MemberForm
from improve.communities.views import today
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import Community, CommunityMember, CommunityRole, User
from improve.permissions import (
    CommunityPermission,
    can_in_community,
    community_or_404,
    community_record_or_404,
)

NO_ACCOUNT = (
    "No one has an account with this email address. Check it, or leave it empty and enter "
    "their name to add them without an account"
)
LAST_FACILITATOR = (
    "{name} is the only facilitator who can sign in. Make someone else a facilitator first, so "
    "someone can still run the community"
)


def members_page(
    community: Community, form: MemberForm | None = None, status: int = 200
) -> Response:
    """The members page, or its members section alone for htmx."""
    members = queries.list_members(community.id)
    found = queries.participation_of(community, today(), members, meetings=[])
    return render(
        "communities/members.html",
        "community_members",
        status,
        community=community,
        current=[member for member in members if member.left_on is None],
        former=[member for member in members if member.left_on is not None],
        found=found,
        labels=queries.GROUP_LABELS,
        form=form or MemberForm(formdata=None),
        may_facilitate=can_in_community(current_user, CommunityPermission.FACILITATE, community),
    )


@bp.get("/communities/<id:community_id>/members")
def members(community_id: int):
    """Everyone in the community, by group, and those who have left."""
    return members_page(community_or_404(community_id))


def _account_errors(form: MemberForm, community: Community) -> User | None:
    """The account of the email given (None without one), noting on the form if there is no such
    account or it is a member already."""
    if not form.email.data:
        return None
    user = queries.find_user(form.email.data)
    if user is None:
        form.email.errors.append(NO_ACCOUNT)
    elif queries.membership_of(community.id, user.id) is not None:
        form.email.errors.append(
            f"{user.display_name} is already in this community. To change their role or bring "
            "them back after they left, change their membership in the list"
        )
    return user


@bp.post("/communities/<id:community_id>/members")
def add_member(community_id: int):
    """Add a member, with an account (by its email) or without one (by name)."""
    community = community_or_404(community_id, CommunityPermission.FACILITATE)
    form = MemberForm()
    valid = form.validate_on_submit()
    user = _account_errors(form, community) if valid else None
    if not valid or form.errors:
        return members_page(community, form, 422)
    member = operations.add_member(current_user, community, user, form.details())
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else added the same account a moment before.
        db.session.rollback()
        _account_errors(form, community)
        return members_page(community, form, 422)
    flash(f"{member.name} added as {member.role.label.lower()}.", "success")
    if is_partial_request():
        return members_page(community)
    return see_other(url_for(".members", community_id=community.id, _anchor="community-members"))


def _last_facilitator(member: CommunityMember, stays_facilitator: bool) -> bool:
    """Whether a change would leave the community with no facilitator who can sign in."""
    runs_it = member.role == CommunityRole.FACILITATOR and member.left_on is None
    if not runs_it or member.user_id is None or stays_facilitator:
        return False
    return queries.other_facilitators(member) == 0


@bp.route("/community-members/<id:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    """Change a member's details or role, or mark them as left; a save over someone else's
    newer one is refused and both are shown."""
    member = community_record_or_404(CommunityMember, member_id, CommunityPermission.FACILITATE)
    community = db.session.get(Community, member.community_id)
    form = MemberEditForm(obj=member)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, member)
        details = form.details()
        stays = details["role"] == CommunityRole.FACILITATOR and details["left_on"] is None
        if not conflict and _last_facilitator(member, stays):
            form.role.errors.append(LAST_FACILITATOR.format(name=member.name))
        elif not conflict:
            changed = operations.update_member(current_user, community, member, details)
            db.session.commit()
            flash("Member saved." if changed else "Nothing was changed.", "success")
            return see_other(url_for(".members", community_id=community.id))
    return render(
        "communities/member_edit.html",
        community=community,
        member=member,
        form=form,
        conflict=conflict,
        saved=saved_values(form, member) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route("/community-members/<id:member_id>/remove", methods=["GET", "POST"])
def remove_member(member_id: int):
    """Confirm, then remove someone added by mistake. Someone who came to a meeting stays on the
    record: they can be marked as left instead."""
    member = community_record_or_404(CommunityMember, member_id, CommunityPermission.FACILITATE)
    community = db.session.get(Community, member.community_id)
    attended = queries.meetings_attended(member)
    refused = attended > 0 or _last_facilitator(member, stays_facilitator=False)
    conflict = request.method == "POST" and removal_conflict(member)
    if request.method == "POST" and not conflict and not refused:
        operations.remove_member(current_user, community, member)
        db.session.commit()
        flash(f"{member.name} has been removed from the community.", "success")
        return see_other(url_for(".members", community_id=community.id))
    status = 409 if request.method == "POST" and refused else removal_status(conflict)
    return render(
        "communities/member_remove.html",
        community=community,
        member=member,
        attended=attended,
        last_facilitator=attended == 0 and refused,
        conflict=conflict,
        status=status,
    )
