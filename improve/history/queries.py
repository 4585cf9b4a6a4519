"""Reads of the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask import url_for

from improve.extensions import db
from improve.history.wording import PERSON_FIELDS, REFERENCE_FIELDS
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
    ExpertView,
    Measure,
    Membership,
    Ramp,
    Team,
    User,
)
from improve.permissions import visible_collaborative_ids, visible_team_ids

RECORD_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)
# What a measure's history lists: its own changes, its kept definitions, its data points.
MEASURE_TYPES = ("Measure", "MeasureRevision", "DataPoint")

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
        ExpertView,
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


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """The audit rows this person may read, each by its own owner at the time it was written: a
    team's row needs that team, a collaborative's row (no team) that collaborative. Rows of no
    team or collaborative (accounts), and rows of a team that no longer exists, are for admins.
    Never by the record the row names: an id says nothing about whose a row is."""
    if user.is_admin:
        return sa.true()
    return sa.or_(
        AuditEvent.team_id.in_(visible_team_ids(user)),
        sa.and_(
            AuditEvent.team_id.is_(None),
            AuditEvent.collaborative_id.in_(visible_collaborative_ids(user)),
        ),
    )


def list_for_record(entity_type: str, entity_id: int, viewer: User) -> list[AuditEvent]:
    """Every create, change and delete of one record that the viewer may read, newest first
    (sign-ins are left out)."""
    query = (
        sa.select(AuditEvent)
        .where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
            AuditEvent.action.in_(RECORD_ACTIONS),
            visible_to(viewer),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(db.session.scalars(query))


# Changes on one page of a measure's history: a shared measure's history holds every team's.
MEASURE_PAGE_SIZE = 50


def list_for_measure(
    measure_id: int,
    viewer: User,
    team_id: int | None = None,
    period: date | None = None,
    older_than: int | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """A measure's changes, its kept definitions and its data points' changes that the viewer
    may read, newest first (in the order they were written: ids are never reused); with
    `team_id` and `period`, one period's data point only; with `older_than`, those written
    before that change; at most `limit` of them."""
    query = sa.select(AuditEvent).where(
        AuditEvent.measure_id == measure_id,
        AuditEvent.entity_type.in_(MEASURE_TYPES),
        AuditEvent.action.in_(RECORD_ACTIONS),
        visible_to(viewer),
    )
    if period is not None:
        query = query.where(
            AuditEvent.entity_type == "DataPoint",
            AuditEvent.team_id == team_id,
            AuditEvent.period_start == period,
        )
    if older_than is not None:
        query = query.where(AuditEvent.id < older_than)
    query = query.order_by(AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by account id, in one query however many ids there are."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    query = sa.select(User.id, User.display_name).where(User.id.in_(wanted))
    return {user_id: name for user_id, name in db.session.execute(query)}


def team_names(team_ids: Iterable[int | None]) -> dict[int, str]:
    """Team names by id, in one query: only the teams a page of history names, not every team
    of a collaborative of 800."""
    wanted = {team_id for team_id in team_ids if team_id is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(wanted))).all())


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


# The records other records point at by id in their before/after values, with the column that
# names each, by the kind REFERENCE_FIELDS gives a field.
NAMED_BY: dict[str, tuple[type[Base], sa.ColumnElement[str]]] = {
    "team": (Team, Team.name),
    "collaborative": (Collaborative, Collaborative.name),
    "driver": (Driver, Driver.title),
    "change idea": (ChangeIdea, ChangeIdea.title),
    "PDSA cycle": (Cycle, Cycle.title),
    "ramp": (Ramp, Ramp.title),
    "measure": (Measure, Measure.name),
}


def records_named_in(events: Iterable[AuditEvent]) -> dict[str, dict[int, str]]:
    """The names of the teams, drivers, cycles... that these rows point at by id, by kind: one
    query per kind that is pointed at, however many rows there are. Only records of the rows' own
    collaboratives are looked up, so a row can name nothing of another collaborative."""
    events = list(events)
    wanted: dict[str, set[int]] = {}
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for key, value in values.items():
                kind = REFERENCE_FIELDS.get(key)
                if kind in NAMED_BY:
                    ids = value if isinstance(value, list) else [value]
                    wanted.setdefault(kind, set()).update(i for i in ids if isinstance(i, int))
    collaboratives = {e.collaborative_id for e in events if e.collaborative_id is not None}
    names: dict[str, dict[int, str]] = {}
    for kind, ids in wanted.items():
        model, column = NAMED_BY[kind]
        query = sa.select(model.id, column).where(model.id.in_(ids))  # type: ignore[attr-defined]
        query = query.where(_owned_by(model, collaboratives))
        names[kind] = {record_id: name for record_id, name in db.session.execute(query)}
    return names


def _owned_by(model: type[Base], collaboratives: set[int]) -> sa.ColumnElement[bool]:
    """Records of these collaboratives only (their teams', and shared ones)."""
    teams = sa.select(Team.id).where(Team.collaborative_id.in_(collaboratives))
    aims = sa.select(Aim.id).where(Aim.team_id.in_(teams))
    owners: dict[type[Base], sa.ColumnElement[bool]] = {
        Team: Team.collaborative_id.in_(collaboratives),
        Collaborative: Collaborative.id.in_(collaboratives),
        Measure: Measure.collaborative_id.in_(collaboratives),
        Driver: Driver.aim_id.in_(aims),
        ChangeIdea: ChangeIdea.aim_id.in_(aims),
        Cycle: Cycle.team_id.in_(teams),
        Ramp: Ramp.change_idea_id.in_(sa.select(ChangeIdea.id).where(ChangeIdea.aim_id.in_(aims))),
    }
    return owners[model]


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
