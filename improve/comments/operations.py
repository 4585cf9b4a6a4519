"""Writes of comments, each audited with the text before and after; the view commits."""

from __future__ import annotations

from improve.auditing import record_event, update_audited
from improve.extensions import db
from improve.models import Aim, AuditAction, Comment, Cycle, Team, User, utcnow


class EditConflictError(Exception):
    """The comment changed (or was deleted) after the person opened it."""


def add_comment(actor: User, target: Aim | Cycle, body: str) -> Comment:
    comment = Comment(
        team_id=target.team_id,
        aim_id=target.id if isinstance(target, Aim) else None,
        cycle_id=target.id if isinstance(target, Cycle) else None,
        author_id=actor.id,
        body=body,
    )
    db.session.add(comment)
    record_event(
        actor.id,
        AuditAction.CREATE,
        comment,
        summary=f"Commented on {_place(target)}",
        after={"body": body},
        **_audit_ids(comment),
    )
    return comment


def edit_comment(
    actor: User, comment: Comment, target: Aim | Cycle, body: str, version: str
) -> None:
    """Change the text; refused if someone saved or deleted it since `version` was loaded."""
    if comment.deleted_at is not None or str(comment.version) != (version or "").strip():
        raise EditConflictError
    changed = update_audited(
        actor.id,
        comment,
        ("body",),
        {"body": body},
        summary=f"Changed a comment on {_place(target)}",
        **_audit_ids(comment),
    )
    if changed:
        comment.edited_at = utcnow()


def delete_comment(actor: User, comment: Comment, target: Aim | Cycle) -> None:
    """Mark it deleted: the row keeps its place in the thread, the audit row keeps the text."""
    comment.deleted_at = utcnow()
    record_event(
        actor.id,
        AuditAction.DELETE,
        comment,
        summary=f"Deleted a comment on {_place(target)}",
        before={"body": comment.body},
        **_audit_ids(comment),
    )


def _place(target: Aim | Cycle) -> str:
    kind = "aim" if isinstance(target, Aim) else "cycle"
    return f"{kind} “{target.title}”"


def _audit_ids(comment: Comment) -> dict[str, int | None]:
    team = db.session.get(Team, comment.team_id)
    return {"team_id": comment.team_id, "collaborative_id": team.collaborative_id if team else None}
