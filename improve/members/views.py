"""View helpers shared by the team and collaborative member screens."""

from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.forms import RELOAD, accept_version, form_status
from improve.htmx import render, see_other
from improve.members import operations
from improve.members.forms import RemovalForm
from improve.models import Membership


def flash_added(membership: Membership, token: str | None) -> None:
    """Say who was added; for a new account, hand over the link they need to choose a password."""
    name = membership.user.display_name
    flash(f"{name} now has the role {membership.role.label}.", "success")
    if token:
        link = url_for("auth.accept_invitation", token=token, _external=True)
        flash({"name": name, "link": link}, "invitation")


def confirm_removal(membership: Membership, back_url: str, place: str) -> Response:
    """GET asks "are you sure?"; POST removes the role and returns to the list. A role changed
    after the question was asked is not removed: the question is asked again (409)."""
    # The posted form even when it is empty: a "yes" with no version is not a "yes" to this role.
    posted = request.form if request.method == "POST" else None
    form = RemovalForm(formdata=posted, obj=membership)
    conflict = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, RELOAD)
        conflict = not accept_version(form, membership)
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
        form=form,
        conflict=conflict,
        status=form_status(form, conflict),
    )
