"""Reads of comments."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_login import current_user

from improve.comments.forms import CommentForm
from improve.extensions import db
from improve.history.queries import user_names
from improve.models import Aim, Comment, Cycle, Team, User
from improve.permissions import Permission, can, cycle_page

#: Comments shown on an aim's or a cycle's page; the rest are one link away. A busy aim gathers
#: hundreds, and drawing them all made the page slower with every one.
COMMENT_PAGE = 20


def list_for(
    aim_id: int | None = None, cycle_id: int | None = None, limit: int | None = None
) -> list[Comment]:
    """Comments on one aim or one cycle, newest first (the newest `limit` of them)."""
    column = Comment.aim_id if aim_id is not None else Comment.cycle_id
    query = (
        sa.select(Comment)
        .where(column == (aim_id if aim_id is not None else cycle_id))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_for(aim_id: int | None = None, cycle_id: int | None = None) -> int:
    column = Comment.aim_id if aim_id is not None else Comment.cycle_id
    query = sa.select(sa.func.count(Comment.id)).where(
        column == (aim_id if aim_id is not None else cycle_id)
    )
    return db.session.scalar(query) or 0


def may_change(user: User, comment: Comment) -> bool:
    """Only its author changes or deletes a comment; admins may tidy up any."""
    return comment.deleted_at is None and (user.is_admin or comment.author_id == user.id)


def target_of(comment: Comment) -> Aim | Cycle:
    """The aim or cycle a comment is on."""
    target = (
        db.session.get(Aim, comment.aim_id)
        if comment.aim_id is not None
        else db.session.get(Cycle, comment.cycle_id)
    )
    if target is None:  # pragma: no cover - the foreign keys cascade
        abort(404)
    return target


def page_url(target: Aim | Cycle) -> str:
    """The aim's or cycle's page, at its comments: for an expert by experience, the cycle in
    plain words, where they commented (`cycle_page`)."""
    if isinstance(target, Aim):
        return url_for("aims.detail", aim_id=target.id, _anchor="comments")
    team = db.session.get_one(Team, target.team_id)
    return url_for(cycle_page(team), cycle_id=target.id, _anchor="comments")


def add_url(target: Aim | Cycle) -> str:
    if isinstance(target, Aim):
        return url_for("comments.add_to_aim", aim_id=target.id)
    return url_for("comments.add_to_cycle", cycle_id=target.id)


def thread_context(
    aim: Aim | None = None, cycle: Cycle | None = None, everything: bool = False
) -> dict[str, Any]:
    """Everything templates/comments/_thread.html needs, for an aim's or a cycle's page: the
    newest COMMENT_PAGE comments, or all of them with `everything` or `?comments=all`."""
    target = aim or cycle
    assert target is not None, "thread_context needs an aim or a cycle"
    ids = {"aim_id": aim.id if aim else None, "cycle_id": cycle.id if cycle else None}
    everything = everything or request.args.get("comments") == "all"
    comments = list_for(**ids, limit=None if everything else COMMENT_PAGE)
    total = len(comments) if len(comments) < COMMENT_PAGE else count_for(**ids)
    team = db.session.get(Team, target.team_id)  # already loaded by the page's permission check
    may_comment = team is not None and can(current_user, Permission.COMMENT, team)
    return {
        "comments": comments,
        "comment_total": total,
        "comment_target": target,
        "comment_target_label": "aim" if isinstance(target, Aim) else "PDSA cycle",
        "comment_authors": user_names(comment.author_id for comment in comments),
        "may_comment": may_comment,
        "changeable_comment_ids": {
            c.id for c in comments if may_comment and may_change(current_user, c)
        },
        "comment_form": CommentForm(formdata=None),
        "comment_add_url": add_url(target),
        "comment_page_url": page_url(target),
        # The views set these to open an edit form or a delete question inside the thread.
        "editing_comment_id": None,
        "edit_form": None,
        "edit_conflict": False,
        "deleting_comment_id": None,
    }
