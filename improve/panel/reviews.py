"""Routes for the strategic panel's dated reviews and SCIE's end-of-collaborative evaluation."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from improve.extensions import db
from improve.htmx import is_partial_request, render, see_other
from improve.models import Collaborative, Evaluation, Team
from improve.panel import bp, review_operations, review_queries
from improve.panel.review_forms import EvaluationForm, ReviewForm
from improve.permissions import Permission, can, collaborative_or_404, team_or_404
from improve.routing import parse_id

REVIEWS = "panel/reviews.html"
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
    flash(f"Review of {review.reviewed_on.day} {review.reviewed_on:%B %Y} saved.", "success")
    if is_partial_request():
        return reviews_page(collaborative, ReviewForm(formdata=None))
    return see_other(url_for(".reviews", collaborative_id=collaborative.id))


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
