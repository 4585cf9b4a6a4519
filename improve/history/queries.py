"""Reads of the audit log."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import url_for

from improve.extensions import db
from improve.history.wording import PERSON_FIELDS
from improve.models import (
    Aim,
    AimAssessment,
    AuditAction,
    AuditEvent,
    Base,
    ChangeIdea,
    Collaborative,
    Comment,
    Cycle,
    CycleQuestion,
    CycleTask,
    Driver,
    Membership,
    Team,
    User,
)

RECORD_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)

# The records whose history can be shown, by the class name the audit rows carry.
MODELS: dict[str, type[Base]] = {
    model.__name__: model
    for model in (
        Aim,
        AimAssessment,
        Driver,
        ChangeIdea,
        Cycle,
        CycleQuestion,
        CycleTask,
        Comment,
        Team,
        Collaborative,
        Membership,
        User,
    )
}


def recent_for_team(team_id: int, limit: int = 10) -> list[AuditEvent]:
    """The team's latest changes to its records, newest first."""
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.team_id == team_id, AuditEvent.action.in_(RECORD_ACTIONS))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def list_for_record(entity_type: str, entity_id: int) -> list[AuditEvent]:
    """Every create, change and delete of one record, newest first (sign-ins are left out)."""
    query = (
        sa.select(AuditEvent)
        .where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
            AuditEvent.action.in_(RECORD_ACTIONS),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(db.session.scalars(query))


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by account id, in one query however many ids there are."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    query = sa.select(User.id, User.display_name).where(User.id.in_(wanted))
    return {user_id: name for user_id, name in db.session.execute(query)}


def actor_names(events: Iterable[AuditEvent]) -> dict[int, str]:
    """The display name of everyone who made these changes, in one query."""
    return user_names(event.actor_id for event in events)


def people_named_in(events: Iterable[AuditEvent]) -> dict[int, str]:
    """Actors and the people in owner/person fields of these rows, in one query."""
    ids: set[int | None] = set()
    for event in events:
        ids.add(event.actor_id)
        for values in (event.before or {}, event.after or {}):
            ids.update(value for key, value in values.items() if key in PERSON_FIELDS)
    return user_names(value for value in ids if isinstance(value, int))


def back_url(entity_type: str, entity_id: int, events: list[AuditEvent]) -> str:
    """Where "Back" goes: the record's own page if it still has one, else its team's or
    collaborative's page."""
    record = db.session.get(MODELS[entity_type], entity_id)
    pages = {
        "Aim": ("aims.detail", "aim_id"),
        "Cycle": ("cycles.detail", "cycle_id"),
        "Team": ("teams.detail", "team_id"),
        "Collaborative": ("collaboratives.detail", "collaborative_id"),
    }
    if record is not None:
        if entity_type in pages:
            endpoint, key = pages[entity_type]
            return url_for(endpoint, **{key: entity_id})
        # Parts of an aim or a cycle (drivers, ideas, tasks, comments) live on its page.
        if getattr(record, "cycle_id", None):
            return url_for("cycles.detail", cycle_id=record.cycle_id)
        if getattr(record, "aim_id", None):
            return url_for("aims.detail", aim_id=record.aim_id)
    team_id = next((event.team_id for event in events if event.team_id), None)
    if team_id and db.session.get(Team, team_id):
        return url_for("teams.detail", team_id=team_id)
    collaborative_id = next((e.collaborative_id for e in events if e.collaborative_id), None)
    if collaborative_id and db.session.get(Collaborative, collaborative_id):
        return url_for("collaboratives.detail", collaborative_id=collaborative_id)
    return url_for("home.index")
