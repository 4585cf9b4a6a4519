"""Writes for the change-idea library, each with its audit row; the view commits."""

from __future__ import annotations

import sqlalchemy as sa

from improve.aims.operations import audit_scope
from improve.auditing import record_event, snapshot
from improve.extensions import db
from improve.models import Aim, AuditAction, ChangeIdea, Driver, Team, User

COPIED_FIELDS = ("title", "description", "position", "driver_id", "copied_from_id")


def copy_idea(actor: User, source: ChangeIdea, aim: Aim, driver: Driver | None) -> ChangeIdea:
    """A new change idea in `aim`, with the source's title and description, at the end of the
    diagram, remembering where it came from."""
    highest = db.session.scalar(
        sa.select(sa.func.max(ChangeIdea.position)).where(ChangeIdea.aim_id == aim.id)
    )
    idea = ChangeIdea(
        aim_id=aim.id,
        driver_id=driver.id if driver else None,
        title=source.title,
        description=source.description,
        position=0 if highest is None else highest + 1,
        copied_from_id=source.id,
    )
    db.session.add(idea)
    db.session.flush()
    source_team = db.session.get_one(Team, source.aim.team_id)
    after = snapshot(idea, COPIED_FIELDS)
    after |= {"driver": driver.title if driver else "", "copied_from_team": source_team.name}
    record_event(
        actor.id,
        AuditAction.CREATE,
        idea,
        summary=f"Copied the change idea {idea.title} from {source_team.name}",
        after=after,
        **audit_scope(aim),
    )
    return idea
