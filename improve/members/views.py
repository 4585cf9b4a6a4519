"""View helpers shared by the team and collaborative member screens."""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.htmx import render, see_other
from improve.members import operations
from improve.models import Membership


def flash_added(membership: Membership, token: str | None) -> None:
    """Say who was added; for a new account, hand over the link they need to choose a password."""
    name = membership.user.display_name
    flash(f"{name} now has the role {membership.role.label}.", "success")
    if token:
        link = url_for("auth.accept_invitation", token=token, _external=True)
        flash({"name": name, "link": link}, "invitation")


def confirm_removal(membership: Membership, back_url: str, place: str) -> Response:
    """GET asks "are you sure?"; POST removes the role and returns to the list."""
    if request.method == "POST":
        name = membership.user.display_name
        operations.remove_member(current_user, membership)
        db.session.commit()
        flash(f"{name} no longer has a role in {place}.", "success")
        return see_other(back_url)
    return render(
        "members/confirm_remove.html", membership=membership, back_url=back_url, place=place
    )
