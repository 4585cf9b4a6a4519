"""Comments on aims and cycles: add, edit and delete your own, each audited.

With htmx every action answers with the thread (the `comments` block of
templates/comments/_thread.html, swapped in place); without JavaScript, forms POST and
303 back to the aim's or cycle's page at #comments, and edit and delete have pages of their own.
"""

from __future__ import annotations

from flask import abort, flash, make_response, render_template, request
from flask_login import current_user
from jinja2_fragments.flask import render_block

from improve.comments import bp, operations, queries
from improve.comments.forms import CommentForm, EditCommentForm
from improve.extensions import db
from improve.forms import removal_conflict, removal_status
from improve.htmx import is_partial_request, see_other
from improve.models import Aim, Comment, Cycle
from improve.permissions import Permission, team_record_or_404

CONFLICT = "Someone else saved this comment while you were editing. Your text is below"
DELETED = "This comment was deleted while you were editing. Copy your text to add it again"


@bp.post("/aims/<id:aim_id>/comments")
def add_to_aim(aim_id: int):
    """Comment on an aim."""
    return _add(team_record_or_404(Aim, aim_id, Permission.COMMENT))


@bp.post("/cycles/<id:cycle_id>/comments")
def add_to_cycle(cycle_id: int):
    """Comment on a cycle."""
    return _add(team_record_or_404(Cycle, cycle_id, Permission.COMMENT))


def _add(target: Aim | Cycle):
    form = CommentForm()
    if not form.validate_on_submit():
        return _thread_or_page("comments/add.html", target, 422, comment_form=form, form=form)
    operations.add_comment(current_user, target, form.body.data)
    db.session.commit()
    flash("Your comment was added.", "success")
    return _done(target)


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    """Change your own comment (its text before and after goes in the audit log)."""
    comment, target = _changeable_or_403(comment_id, deleted_ok=request.method == "POST")
    form = EditCommentForm(obj=comment)
    conflict = False
    if form.validate_on_submit():
        try:
            operations.edit_comment(
                current_user, comment, target, form.body.data, form.version.data
            )
        except operations.EditConflictError:
            conflict = True
            form.body.errors.append(DELETED if comment.deleted_at else CONFLICT)
            form.version.data = str(comment.version)  # saving again now is a choice, not a race
        else:
            db.session.commit()
            flash("Your comment was changed.", "success")
            return _done(target)
    return _thread_or_page(
        "comments/edit.html",
        target,
        422 if form.errors else 200,
        comment=comment,
        editing_comment_id=comment.id,
        edit_form=form,
        edit_conflict=conflict,
        form=form,
    )


@bp.route("/comments/<id:comment_id>/delete", methods=["GET", "POST"])
def delete(comment_id: int):
    """Ask first, then delete your own comment; the thread shows where it was. A comment edited
    after the question was shown is not deleted: the question is asked again (409)."""
    comment, target = _changeable_or_403(comment_id)
    conflict = request.method == "POST" and removal_conflict(comment)
    if request.method == "POST" and not conflict:
        operations.delete_comment(current_user, comment, target)
        db.session.commit()
        flash("The comment was deleted.", "success")
        return _done(target)
    return _thread_or_page(
        "comments/delete.html",
        target,
        removal_status(conflict),
        comment=comment,
        deleting_comment_id=comment.id,
        delete_conflict=conflict,
    )


def _changeable_or_403(comment_id: int, deleted_ok: bool = False) -> tuple[Comment, Aim | Cycle]:
    """A comment on a team the person may comment on (else 404/403), written by them (else 403;
    admins may change any). A deleted comment is gone (404), except to a save already under way,
    which is told so and keeps its text."""
    comment = team_record_or_404(Comment, comment_id, Permission.COMMENT)
    if comment.deleted_at is not None and not deleted_ok:
        abort(404)
    if not (current_user.is_admin or comment.author_id == current_user.id):
        abort(403)
    return comment, queries.target_of(comment)


def _done(target: Aim | Cycle):
    """After a change: the fresh thread for htmx, else back to the page (303) at #comments."""
    if is_partial_request():
        return _thread_or_page(None, target)
    return see_other(queries.page_url(target))


def _thread_or_page(page: str | None, target: Aim | Cycle, status: int = 200, **extra):
    """The thread alone for an htmx request; otherwise the given page of its own."""
    kind = "aim" if isinstance(target, Aim) else "cycle"
    # Editing or deleting shows every comment: the one asked about may be an older one.
    changing = bool(extra.get("editing_comment_id") or extra.get("deleting_comment_id"))
    context = {**queries.thread_context(**{kind: target}, everything=changing), **extra}
    if is_partial_request() or page is None:
        body = render_block("comments/_thread.html", "comments", **context)
    else:
        body = render_template(page, **context)
    return make_response(body, status)
