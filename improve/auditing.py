"""Write audit rows in the same transaction as the change they describe."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, Base


class AuditTrailError(RuntimeError):
    """The audit trail is append-only: a row, once saved, is never changed or removed."""


@event.listens_for(Session, "before_flush")
def _refuse_changed_rows(session: Session, context: UOWTransaction, instances: Any) -> None:
    # Only saved rows: filling in a new row before its first flush is building it.
    for record in session.deleted:
        if isinstance(record, AuditEvent):
            raise AuditTrailError("Audit rows cannot be deleted")
    for record in session.dirty:
        if isinstance(record, AuditEvent) and session.is_modified(record):
            raise AuditTrailError("Audit rows cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    # UPDATE or DELETE statements on the audit table run through a session, on the model or the
    # bare table. (Core on a connection is left alone: the tests empty every table that way.)
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__:
        raise AuditTrailError("Audit rows cannot be changed or deleted")


def snapshot(record: Base, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a record as JSON-safe values, for the before/after columns."""
    return {name: _json_safe(getattr(record, name)) for name in fields}


def _json_safe(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return value


def record_event(
    actor_id: int | None,
    action: AuditAction,
    entity: Base,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    team_id: int | None = None,
    collaborative_id: int | None = None,
    measure_id: int | None = None,
    period_start: date | None = None,
) -> AuditEvent:
    """Add an audit row for a change to `entity`; the caller's commit saves both or neither.
    `team_id` and `collaborative_id` file it under its owner (who may read it); `measure_id` and
    `period_start` under a measure and a data point's period."""
    db.session.flush()  # a new entity needs its id before we can point at it
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        entity_type=type(entity).__name__,
        entity_id=getattr(entity, "id", None),
        summary=summary[:200],
        before=before,
        after=after,
        team_id=team_id,
        collaborative_id=collaborative_id,
        measure_id=measure_id,
        period_start=period_start,
    )
    db.session.add(event)
    return event


def create_audited(
    actor_id: int,
    entity: Base,
    fields: tuple[str, ...],
    summary: str,
    team_id: int | None = None,
    collaborative_id: int | None = None,
) -> AuditEvent:
    """Add the new `entity` and audit it with its `fields` as saved (defaults filled in)."""
    db.session.add(entity)
    db.session.flush()
    return record_event(
        actor_id,
        AuditAction.CREATE,
        entity,
        summary=summary,
        after=snapshot(entity, fields),
        team_id=team_id,
        collaborative_id=collaborative_id,
    )


def update_audited(
    actor_id: int,
    entity: Base,
    fields: tuple[str, ...],
    values: dict[str, Any],
    summary: str,
    team_id: int | None = None,
    collaborative_id: int | None = None,
    measure_id: int | None = None,
    period_start: date | None = None,
) -> bool:
    """Set `values` on `entity` and audit just the fields that changed; False if none did."""
    before = snapshot(entity, fields)
    for name, value in values.items():
        setattr(entity, name, value)
    after = snapshot(entity, fields)
    changed = [name for name in fields if before[name] != after[name]]
    if not changed:
        return False
    record_event(
        actor_id,
        AuditAction.UPDATE,
        entity,
        summary=summary,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        team_id=team_id,
        collaborative_id=collaborative_id,
        measure_id=measure_id,
        period_start=period_start,
    )
    return True


def delete_audited(
    actor_id: int,
    entity: Base,
    fields: tuple[str, ...],
    summary: str,
    team_id: int | None = None,
    collaborative_id: int | None = None,
) -> None:
    """Audit the removal of `entity` with its `fields` as they were, then delete it."""
    record_event(
        actor_id,
        AuditAction.DELETE,
        entity,
        summary=summary,
        before=snapshot(entity, fields),
        team_id=team_id,
        collaborative_id=collaborative_id,
    )
    db.session.delete(entity)
    db.session.flush()


def quoted(text: str, length: int = 60, marks: str = "“”") -> str:
    """Text named in an audit summary, cut to `length` characters: “Weekly huddles…”."""
    short = text if len(text) <= length else text[: length - 1].rstrip() + "…"
    return f"{marks[0]}{short}{marks[1]}"
