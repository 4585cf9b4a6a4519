"""Routes for the strategic panel's dated reviews (recording, reading, changing, deleting, and
marking a meeting held) and SCIE's end-of-collaborative evaluation. The actions agreed at a
review have their routes in improve.panel.actions."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from improve.extensions import db
from improve.forms import (
    RELOAD,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.forms import accept_version as loaded_from_saved
from improve.history.queries import people_named_in
from improve.htmx import is_partial_request, render, see_other
from improve.models import Collaborative, Evaluation, PanelReview, Team
from improve.panel import bp, queries, review_operations, review_queries
from improve.panel.review_forms import ActionForm, EvaluationForm, MarkHeldForm, ReviewForm
from improve.panel.review_operations import day_words
from improve.permissions import (
    Permission,
    can,
    collaborative_or_404,
    team_or_404,
    writing_request,
)
from improve.routing import parse_id

REVIEWS = "panel/reviews.html"
REVIEW = "panel/review.html"
EVALUATION = "panel/evaluation.html"


def reviews_page(collaborative: Collaborative, form: ReviewForm, status: int = 200) -> Response:
    """The reviews page, or its reviews section alone for htmx."""
    rows = review_queries.list_reviews(collaborative.id)
    return render(
        REVIEWS,
        "panel_reviews",
        status,
        collaborative=collaborative,
        form=form,
        rows=rows,
        since=review_queries.reviews_since(collaborative, [row.review for row in rows]),
        may_record=can(current_user, Permission.RECORD_PANEL_REVIEW, collaborative),
    )


@bp.route("/collaboratives/<id:collaborative_id>/panel/reviews", methods=["GET", "POST"])
def reviews(collaborative_id: int):
    """The panel's dated reviews, newest first, each with what has happened since; the panel
    and the coordinator record a new one."""
    wanted = Permission.RECORD_PANEL_REVIEW if request.method == "POST" else Permission.VIEW_PANEL
    collaborative = collaborative_or_404(collaborative_id, wanted)
    form = ReviewForm()
    if not form.validate_on_submit():
        return reviews_page(collaborative, form, 422 if form.errors else 200)
    review = review_operations.record_review(current_user, collaborative, form.details())
    db.session.commit()
    saved = f"Review of {day_words(review.reviewed_on)} saved."
    if is_partial_request():
        flash(saved, "success")
        return reviews_page(collaborative, ReviewForm(formdata=None))
    # On to the review's own page, where the actions agreed are added one at a time.
    flash(f"{saved} Add the actions the panel agreed below.", "success")
    return see_other(review_url(review))


# One review ------------------------------------------------------------------------------------


def review_url(review: PanelReview, **args: Any) -> str:
    return url_for(
        "panel.review", collaborative_id=review.collaborative_id, review_id=review.id, **args
    )


def review_or_404(
    collaborative_id: int, review_id: int, permission: Permission
) -> tuple[Collaborative, PanelReview]:
    """The collaborative (404 unless the person belongs to it, 403 without the permission) and
    one of its reviews (404 if it is another collaborative's, or gone)."""
    collaborative = collaborative_or_404(collaborative_id, permission)
    review = review_queries.get_review(collaborative.id, review_id, writing_request())
    if review is None:
        abort(404)
    return collaborative, review


def review_page(
    collaborative: Collaborative,
    review: PanelReview,
    fragment: str | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A review's page, or its actions section alone for htmx."""
    context.setdefault("action_form", ActionForm(formdata=None))
    context.setdefault("held_conflict", False)
    return render(
        REVIEW,
        fragment,
        status,
        collaborative=collaborative,
        review=review,
        recorded_by=review_queries.recorded_by(review),
        actions=review_queries.actions_of(review),
        carried=review_queries.carried_over(review),
        # What the panel summary counts "since the last review" from, while this one is not held.
        counting_from=None if review.is_held else queries.get_latest_review(collaborative.id),
        may_record=can(current_user, Permission.RECORD_PANEL_REVIEW, collaborative),
        **context,
    )


@bp.get("/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>")
def review(collaborative_id: int, review_id: int):
    """One review: what the panel decided, the actions it agreed, and the actions still open
    from earlier reviews."""
    collaborative, review = review_or_404(collaborative_id, review_id, Permission.VIEW_PANEL)
    return review_page(collaborative, review, "review_actions")


@bp.route(
    "/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>/edit",
    methods=["GET", "POST"],
)
def edit_review(collaborative_id: int, review_id: int):
    """Change a review's date, state or texts; a save over someone else's newer one is refused
    and both are shown."""
    perm = Permission.RECORD_PANEL_REVIEW
    collaborative, review = review_or_404(collaborative_id, review_id, perm)
    form = ReviewForm(obj=review)
    form.action_count = len(review_queries.actions_of(review))
    conflict = False
    if form.validate_on_submit():
        conflict = not loaded_from_saved(form, review)
        if not conflict:
            changed = review_operations.update_review(current_user, review, form.details())
            db.session.commit()
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return see_other(review_url(review))
    return render(
        "panel/review_edit.html",
        collaborative=collaborative,
        review=review,
        form=form,
        conflict=conflict,
        saved=saved_values(form, review) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.post("/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>/held")
def mark_held(collaborative_id: int, review_id: int):
    """The meeting has happened: "since the last review" figures now count from it. Refused
    (409) if the review changed after the page was shown, so no one marks unseen text held."""
    perm = Permission.RECORD_PANEL_REVIEW
    collaborative, review = review_or_404(collaborative_id, review_id, perm)
    form = MarkHeldForm()
    if not form.validate_on_submit():
        abort(400, RELOAD)
    if form.version.data != review.version:
        return review_page(collaborative, review, None, 409, held_conflict=True)
    if review_operations.mark_held(current_user, review):
        db.session.commit()
        flash(
            f"The meeting of {day_words(review.reviewed_on)} is marked as held. The panel "
            "summary now counts what has happened since it.",
            "success",
        )
    else:
        flash("This meeting was already marked as held.", "success")
    return see_other(review_url(review))


@bp.route(
    "/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>/delete",
    methods=["GET", "POST"],
)
def delete_review(collaborative_id: int, review_id: int):
    """Confirm, then delete a review and the actions agreed at it."""
    perm = Permission.RECORD_PANEL_REVIEW
    collaborative, review = review_or_404(collaborative_id, review_id, perm)
    conflict = request.method == "POST" and removal_conflict(review)
    if request.method == "POST" and not conflict:
        day = day_words(review.reviewed_on)
        count = review_operations.delete_review(current_user, review)
        db.session.commit()
        went = f", with its {count} action{'' if count == 1 else 's'}" if count else ""
        flash(f"The review of {day} has been deleted{went}.", "success")
        return see_other(url_for(".reviews", collaborative_id=collaborative.id))
    return render(
        "panel/review_delete.html",
        collaborative=collaborative,
        review=review,
        actions=review_queries.actions_of(review),
        conflict=conflict,
        status=removal_status(conflict),
    )


@bp.get("/collaboratives/<id:collaborative_id>/panel/reviews/<id:review_id>/history")
def review_history(collaborative_id: int, review_id: int):
    """Who changed the review and its actions, when, and what changed, newest first."""
    collaborative, review = review_or_404(collaborative_id, review_id, Permission.VIEW_PANEL)
    actions = [row.action for row in review_queries.actions_of(review)]
    entries = review_queries.review_history(review, actions)
    return render(
        "panel/review_history.html",
        collaborative=collaborative,
        review=review,
        entries=entries,
        names=people_named_in(entries),  # type: ignore[arg-type]
        records={},
    )


# The evaluation --------------------------------------------------------------------------------


def evaluation_scope(collaborative_id: int, editing: bool) -> tuple[Collaborative, Team | None]:
    """The collaborative and, with ?team=<id>, one of its teams, checked for the current user:
    the whole collaborative's answers are the panel's and coordinator's to record; a team's are
    its lead's and the coordinator's, and its members may read them."""
    wanted = Permission.RECORD_EVALUATION if editing else Permission.VIEW_COLLABORATIVE
    team_arg = request.args.get("team", "")
    if not team_arg:
        return collaborative_or_404(collaborative_id, wanted), None
    collaborative = collaborative_or_404(collaborative_id)
    team_id = parse_id(team_arg)
    if team_id is None:
        abort(404)
    team = db.session.get(Team, team_id)
    if team is None or team.collaborative_id != collaborative.id:
        abort(404)
    return collaborative, team_or_404(
        team.id, Permission.EDIT_TEAM if editing else Permission.VIEW_TEAM
    )


def evaluation_page(
    collaborative: Collaborative,
    team: Team | None,
    saved: Evaluation | None,
    form: EvaluationForm,
    status: int = 200,
    **context: Any,
) -> Response:
    """The evaluation page, or its answers section alone for htmx."""
    if team is None:
        may_edit = can(current_user, Permission.RECORD_EVALUATION, collaborative)
        every_team = can(current_user, Permission.VIEW_PANEL, collaborative)
        answers = review_queries.team_answers(collaborative.id, current_user, every_team)
    else:
        may_edit = can(current_user, Permission.EDIT_TEAM, team)
        every_team, answers = False, []
    context.setdefault("conflict", False)
    return render(
        EVALUATION,
        "evaluation_answers",
        status,
        collaborative=collaborative,
        team=team,
        saved=saved,
        form=form,
        may_edit=may_edit,
        every_team=every_team,
        team_answers=answers,
        **context,
    )


def accept_version(form: EvaluationForm, saved: Evaluation | None) -> bool:
    """Whether the form was loaded from the answers saved now (none saved: a form with no
    version). If not, point the form at the saved version, so a second save is on purpose."""
    if saved is None or form.version.data == saved.version:
        return True
    form.version.data = saved.version
    form.version.raw_data = [str(saved.version)]
    return False


@bp.route("/collaboratives/<id:collaborative_id>/evaluation", methods=["GET", "POST"])
def evaluation(collaborative_id: int):
    """SCIE's four evaluation questions for the whole collaborative, or for one team with
    ?team=<id>; a save over someone else's newer answers is refused and shown."""
    collaborative, team = evaluation_scope(collaborative_id, request.method == "POST")
    team_id = team.id if team else None
    saved = review_queries.get_evaluation(collaborative.id, team_id)
    form = EvaluationForm(obj=saved)
    if not form.validate_on_submit():
        return evaluation_page(collaborative, team, saved, form, 422 if form.errors else 200)
    conflict = not accept_version(form, saved)
    if not conflict:
        try:
            _, changed = review_operations.save_evaluation(
                current_user, collaborative, team, saved, form.details()
            )
            db.session.commit()
        except IntegrityError:
            # Someone else saved the first answers for this team a moment before.
            db.session.rollback()
            saved = review_queries.get_evaluation(collaborative.id, team_id)
            accept_version(form, saved)
            conflict = True
        else:
            flash("Answers saved." if changed else "Nothing was changed.", "success")
            if is_partial_request():
                saved = review_queries.get_evaluation(collaborative.id, team_id)
                blank = EvaluationForm(formdata=None, obj=saved)
                return evaluation_page(collaborative, team, saved, blank)
            return see_other(
                url_for(".evaluation", collaborative_id=collaborative.id, team=team_id)
            )
    status = 422 if is_partial_request() else 409
    return evaluation_page(collaborative, team, saved, form, status, conflict=conflict)
