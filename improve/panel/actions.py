"""Routes for the actions the strategic panel agrees at a review: adding one at a time, changing
how far one has got (and its owner, date or wording), and deleting one."""

from __future__ import annotations

from flask import abort, flash, request
from flask_login import current_user

from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import Collaborative, PanelAction, PanelReview
from improve.panel import bp, review_operations, review_queries
from improve.panel.review_forms import ActionEditForm, ActionForm
from improve.panel.reviews import review_or_404, review_page, review_url
from improve.permissions import Permission, collaborative_or_404, writing_request
from improve.routing import parse_id


@bp.post("/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>/actions")
def add_action(collaborative_id: int, review_id: int):
    """Add one action agreed at this review; htmx gets the review's actions section back."""
    perm = Permission.RECORD_PANEL_REVIEW
    collaborative, review = review_or_404(collaborative_id, review_id, perm)
    form = ActionForm()
    form.reviewed_on = review.reviewed_on
    if not form.validate_on_submit():
        return review_page(collaborative, review, "review_actions", 422, action_form=form)
    action = review_operations.add_action(current_user, review, form.details())
    db.session.commit()
    flash(f"Action added: {action.description}", "success")
    if is_partial_request():
        return review_page(collaborative, review, "review_actions")
    return see_other(review_url(review, _anchor="review-actions"))


def action_or_404(
    collaborative_id: int, action_id: int
) -> tuple[Collaborative, PanelAction, PanelReview]:
    """The collaborative (for those who may record reviews), one of its actions (404 if it is
    another collaborative's, or gone) and the review that agreed it."""
    collaborative = collaborative_or_404(collaborative_id, Permission.RECORD_PANEL_REVIEW)
    action = review_queries.get_action(collaborative.id, action_id, writing_request())
    if action is None:
        abort(404)
    review = review_queries.get_review(collaborative.id, action.review_id)
    if review is None:  # pragma: no cover - deleting a review deletes its actions
        abort(404)
    return collaborative, action, review


def back_url(collaborative: Collaborative, review: PanelReview) -> str:
    """Where the edit and delete pages go back to: the later review of this collaborative the
    action was carried to, if it was opened there (?back=<review id>), else its own review."""
    other_id = parse_id(request.args.get("back", ""))
    if other_id is not None and other_id != review.id:
        other = review_queries.get_review(collaborative.id, other_id)
        if other is not None:
            return review_url(other, _anchor="carried-over")
    return review_url(review, _anchor="review-actions")


@bp.route(
    "/collaboratives/<id:collaborative_id>/panel/actions/<id:action_id>/edit",
    methods=["GET", "POST"],
)
def edit_action(collaborative_id: int, action_id: int):
    """Say how far an action has got, or change its owner, due date or wording; a save over
    someone else's newer one is refused and both are shown."""
    collaborative, action, review = action_or_404(collaborative_id, action_id)
    form = ActionEditForm(obj=action)
    form.reviewed_on = review.reviewed_on
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, action)
        if not conflict:
            changed = review_operations.update_action(current_user, action, form.details())
            db.session.commit()
            flash("Action saved." if changed else "Nothing was changed.", "success")
            return see_other(back_url(collaborative, review))
    return render(
        "panel/action_edit.html",
        collaborative=collaborative,
        action=action,
        review=review,
        form=form,
        back=back_url(collaborative, review),
        conflict=conflict,
        saved=saved_values(form, action) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route(
    "/collaboratives/<id:collaborative_id>/panel/actions/<id:action_id>/delete",
    methods=["GET", "POST"],
)
def delete_action(collaborative_id: int, action_id: int):
    """Confirm, then delete an action (an action the panel decided not to do can be marked
    "Dropped" instead, which keeps it on the record)."""
    collaborative, action, review = action_or_404(collaborative_id, action_id)
    conflict = request.method == "POST" and removal_conflict(action)
    if request.method == "POST" and not conflict:
        back = back_url(collaborative, review)
        review_operations.delete_action(current_user, action)
        db.session.commit()
        flash(f"The action ‘{action.description}’ has been deleted.", "success")
        return see_other(back)
    return render(
        "panel/action_delete.html",
        collaborative=collaborative,
        action=action,
        review=review,
        back=back_url(collaborative, review),
        conflict=conflict,
        status=removal_status(conflict),
    )
