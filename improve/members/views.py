"""View helpers shared by the team and collaborative member screens."""

from __future__ import annotations

from flask import Response, flash, request
from flask_login import current_user

from improve.auth.views import flash_emailed_link
from improve.extensions import db
from improve.forms import removal_conflict, removal_status
from improve.htmx import render, see_other
from improve.members import operations
from improve.models import Membership

# Said whatever the address: whether it had an account, and whose, is not the adder's to learn.
ADDED = (
    "We have added {email} as {role}. If they do not have an account yet, we have emailed "
    "them a link to choose a password."
)


def flash_added(membership: Membership, token: str | None) -> None:
    """Say who was added. Admins, who see every account anyway, get the person's name and, for a
    new account, word that its invitation was emailed (with the link, in case it does not
    arrive); anyone else gets the same words whether or not the email had an account (issue 16)."""
    if not current_user.is_admin:
        flash(ADDED.format(email=membership.user.email, role=membership.role.label), "success")
        return
    name = membership.user.display_name
    flash(f"{name} now has the role {membership.role.label}.", "success")
    if token:
        flash_emailed_link(membership.user, token, emailed=True, invitation=True)


def confirm_removal(membership: Membership, back_url: str, place: str) -> Response:
    """GET asks "are you sure?"; POST removes the role and returns to the list. A role changed
    after the question was asked is not removed: the question is asked again (409)."""
    # No well-formed version: 400; a role changed since the question: asked again (409).
    conflict = request.method == "POST" and removal_conflict(membership)
    if request.method == "POST" and not conflict:
        name = membership.user.display_name
        operations.remove_member(current_user, membership)
        db.session.commit()
        flash(f"{name} no longer has a role in {place}.", "success")
        return see_other(back_url)
    return render(
        "members/confirm_remove.html",
        membership=membership,
        back_url=back_url,
        place=place,
        conflict=conflict,
        status=removal_status(conflict),
    )
