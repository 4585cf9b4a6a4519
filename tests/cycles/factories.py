"""Factories for aims, change ideas and cycles, shared by the cycle and team page tests. Aims and
change ideas are built directly with the models (another feature owns their pages)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    Aim,
    AuditAction,
    AuditEvent,
    ChangeIdea,
    Cycle,
    CycleQuestion,
    CycleTask,
    Ramp,
    Stage,
    Team,
)
from tests.conftest import text_of


def make_aim(team: Team, **overrides: Any) -> Aim:
    fields = {
        "title": "Fewer falls",
        "what": "Reduce falls",
        "for_whom": "Residents",
        "location": "Riverside",
        "target_value": 4,
        "target_date": date(2026, 12, 31),
    }
    fields.update(overrides)
    aim = Aim(team_id=team.id, **fields)
    db.session.add(aim)
    db.session.commit()
    return aim


def make_idea(aim: Aim, title: str = "Morning huddle", **overrides: Any) -> ChangeIdea:
    idea = ChangeIdea(aim_id=aim.id, title=title, **overrides)
    db.session.add(idea)
    db.session.commit()
    return idea


def make_cycle(
    idea: ChangeIdea,
    ramp: Ramp | None = None,
    questions: list[tuple[str, str]] | None = None,
    tasks: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Cycle:
    """A cycle on the idea (first of a new ramp unless `ramp`), with questions and tasks."""
    if ramp is None:
        ramp = Ramp(change_idea_id=idea.id, title=overrides.get("title", "Huddle test"))
        db.session.add(ramp)
        db.session.flush()
    number = max((cycle.number for cycle in ramp.cycles), default=0) + 1
    fields: dict[str, Any] = {
        "title": "Huddle test",
        "number": number,
        "starts_on": date(2026, 5, 4),
        "ends_on": date(2026, 5, 8),
        "objective": "Learn whether a huddle helps",
        "stage": Stage.PLAN,
    }
    fields.update(overrides)
    cycle = Cycle(team_id=idea.aim.team_id, ramp_id=ramp.id, **fields)
    db.session.add(cycle)
    db.session.flush()
    for position, (question, prediction) in enumerate(questions or []):
        db.session.add(
            CycleQuestion(
                cycle_id=cycle.id, position=position, question=question, prediction=prediction
            )
        )
    for task in tasks or []:
        db.session.add(CycleTask(cycle_id=cycle.id, **task))
    db.session.commit()
    return cycle


# Reading what the app did ------------------------------------------------------------------------


def visible(response: Any) -> str:
    """The response's text as a person reads it: tags removed, entities decoded."""
    return html.unescape(text_of(response))


def body(response: Any) -> str:
    return response.get_data(as_text=True).strip()


def assert_fragment(response: Any, element_id: str) -> None:
    """Only the named block: one root element with this id, no page around it."""
    text = body(response)
    assert text.startswith(f'<div id="{element_id}"'), text[:200]
    assert text.endswith("</div>") and "<html" not in text


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_rows(entity_type: str, action: AuditAction | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def fresh(record: Any) -> Any:
    """The record as the database has it now."""
    db.session.expire_all()
    return db.session.get(type(record), record.id)
