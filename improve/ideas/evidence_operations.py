"""Writes for the evidence behind a change idea, each with its audit row; the view commits."""

from __future__ import annotations

from typing import Any

from improve.aims.operations import audit_scope
from improve.auditing import create_audited, delete_audited, update_audited
from improve.extensions import db
from improve.models import Aim, ChangeIdea, IdeaEvidence, User

FIELDS = ("kind", "source", "account")
# Adding and removing name the idea too, so the team's history can say which idea it was.
RECORD_FIELDS = ("change_idea_id", *FIELDS)


def _scope(item: IdeaEvidence) -> dict[str, int]:
    idea = db.session.get_one(ChangeIdea, item.change_idea_id)
    return audit_scope(db.session.get_one(Aim, idea.aim_id))


def add_evidence(actor: User, idea: ChangeIdea, details: dict[str, Any]) -> IdeaEvidence:
    """A new piece of evidence behind the idea, filed under the idea's team (the aim's)."""
    aim = db.session.get_one(Aim, idea.aim_id)
    item = IdeaEvidence(
        team_id=aim.team_id, change_idea_id=idea.id, added_by_id=actor.id, **details
    )
    create_audited(
        actor.id,
        item,
        RECORD_FIELDS,
        summary=f"Added {item.kind.label.lower()} evidence to the change idea {idea.title}",
        **audit_scope(aim),
    )
    return item


def update_evidence(actor: User, item: IdeaEvidence, details: dict[str, Any]) -> bool:
    """Change a piece of evidence; whether anything changed."""
    idea = db.session.get_one(ChangeIdea, item.change_idea_id)
    return update_audited(
        actor.id,
        item,
        FIELDS,
        details,
        summary=f"Changed evidence behind the change idea {idea.title}",
        **_scope(item),
    )


def remove_evidence(actor: User, item: IdeaEvidence) -> None:
    """Remove a piece of evidence; its audit row keeps what it said."""
    idea = db.session.get_one(ChangeIdea, item.change_idea_id)
    delete_audited(
        actor.id,
        item,
        RECORD_FIELDS,
        summary=f"Removed {item.kind.label.lower()} evidence from the change idea {idea.title}",
        **_scope(item),
    )
