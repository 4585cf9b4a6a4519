"""Writes for the driver diagram, each with its audit row; the view commits.

Audit rows describe links and a change idea's driver by title as well as id, so a record's history
reads in plain words even after the driver it names has been removed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from improve.aims.operations import audit_scope
from improve.auditing import record_event, snapshot, update_audited
from improve.drivers.queries import Diagram
from improve.extensions import db
from improve.models import Aim, AuditAction, Base, ChangeIdea, Driver, DriverKind, User

DRIVER_FIELDS = ("kind", "title", "position")
IDEA_FIELDS = ("title", "description", "position")

UP, DOWN = -1, 1


def _next_position(column: Any, *where: Any) -> int:
    highest = db.session.scalar(sa.select(sa.func.max(column)).where(*where))
    return 0 if highest is None else highest + 1


def _titles(drivers: list[Driver]) -> list[str]:
    return [driver.title for driver in drivers]


def _driver_state(driver: Driver, feeds: list[Driver] | None) -> dict[str, Any]:
    state = snapshot(driver, DRIVER_FIELDS)
    if feeds is not None:
        state["feeds"] = _titles(feeds)
    return state


def _idea_state(idea: ChangeIdea, driver: Driver | None) -> dict[str, Any]:
    state = snapshot(idea, IDEA_FIELDS)
    state["driver_id"] = driver.id if driver else None
    state["driver"] = driver.title if driver else ""
    return state


def _record_changes(
    actor: User, entity: Base, aim: Aim, before: dict[str, Any], after: dict[str, Any], summary: str
) -> bool:
    """An update row with just the fields that changed; nothing if none did."""
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return False
    record_event(
        actor.id,
        AuditAction.UPDATE,
        entity,
        summary=summary,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        **audit_scope(aim),
    )
    return True


def add_driver(actor: User, aim: Aim, kind: DriverKind, title: str, feeds: list[Driver]) -> Driver:
    """A new driver at the end of its column; a secondary may feed several primary drivers."""
    position = _next_position(Driver.position, Driver.aim_id == aim.id, Driver.kind == kind)
    driver = Driver(aim_id=aim.id, kind=kind, title=title, position=position)
    if kind == DriverKind.SECONDARY:
        driver.primaries = list(feeds)
    db.session.add(driver)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        driver,
        summary=f"Added the {kind.value} driver {title}",
        after=_driver_state(driver, feeds if kind == DriverKind.SECONDARY else None),
        **audit_scope(aim),
    )
    return driver


def update_driver(
    actor: User, driver: Driver, title: str, feeds: list[Driver] | None, diagram: Diagram
) -> bool:
    """Rename a driver and, for a secondary, set the primary drivers it feeds."""
    before = _driver_state(driver, diagram.feeds[driver.id] if feeds is not None else None)
    driver.title = title
    if feeds is not None:
        driver.primaries = list(feeds)
    after = _driver_state(driver, feeds)
    return _record_changes(actor, driver, driver.aim, before, after, f"Changed the driver {title}")


def move(actor: User, record: Driver | ChangeIdea, step: int, diagram: Diagram) -> bool:
    """Swap the record with its neighbour in the list it is drawn in; at either end, nothing
    happens. Positions are then renumbered along its whole column, so ties never linger."""
    siblings = diagram.siblings(record)
    index = siblings.index(record) + step
    if not 0 <= index < len(siblings):
        return False
    order = list(diagram.column(record))
    here, there = order.index(record), order.index(siblings[index])
    order[here], order[there] = order[there], order[here]
    way = "up" if step == UP else "down"
    for position, item in enumerate(order):
        update_audited(
            actor.id,
            item,
            ("position",),
            {"position": position},
            summary=f"Moved {record.title} {way}",
            **audit_scope(diagram.aim),
        )
    return True


def remove_driver(actor: User, driver: Driver, diagram: Diagram) -> None:
    """Remove a driver. What hangs under it stays: its change ideas are then under no driver,
    and secondary drivers it was fed by stay, fed by their other primary drivers (if any)."""
    aim = diagram.aim
    for idea in diagram.ideas_under(driver.id):
        before = _idea_state(idea, driver)
        idea.driver_id = None
        summary = f"{idea.title} is under no driver now: {driver.title} was removed"
        _record_changes(actor, idea, aim, before, _idea_state(idea, None), summary)
    is_primary = driver.kind == DriverKind.PRIMARY
    for secondary in diagram.secondaries if is_primary else []:
        feeds = diagram.feeds[secondary.id]
        if driver in feeds:
            remaining = [primary for primary in feeds if primary is not driver]
            summary = f"{secondary.title} no longer feeds {driver.title}: it was removed"
            before, after = {"feeds": _titles(feeds)}, {"feeds": _titles(remaining)}
            _record_changes(actor, secondary, aim, before, after, summary)
    before = _driver_state(driver, None if is_primary else diagram.feeds[driver.id])
    if is_primary:
        before["fed_by"] = _titles(diagram.fed_by(driver))
    record_event(
        actor.id,
        AuditAction.DELETE,
        driver,
        summary=f"Removed the {driver.kind.value} driver {driver.title}",
        before=before,
        **audit_scope(aim),
    )
    db.session.delete(driver)


def add_idea(
    actor: User, aim: Aim, title: str, description: str, driver: Driver | None
) -> ChangeIdea:
    position = _next_position(ChangeIdea.position, ChangeIdea.aim_id == aim.id)
    idea = ChangeIdea(
        aim_id=aim.id,
        title=title,
        description=description,
        driver_id=driver.id if driver else None,
        position=position,
    )
    db.session.add(idea)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        idea,
        summary=f"Added the change idea {title}",
        after=_idea_state(idea, driver),
        **audit_scope(aim),
    )
    return idea


def update_idea(
    actor: User, idea: ChangeIdea, details: dict[str, Any], driver: Driver | None
) -> bool:
    before = _idea_state(idea, idea.driver)
    for name, value in details.items():
        setattr(idea, name, value)
    idea.driver_id = driver.id if driver else None
    after = _idea_state(idea, driver)
    summary = f"Changed the change idea {idea.title}"
    return _record_changes(actor, idea, idea.aim, before, after, summary)


def remove_idea(actor: User, idea: ChangeIdea) -> None:
    """Remove a change idea that no cycle has tested (the view checks: cycles would go with it)."""
    record_event(
        actor.id,
        AuditAction.DELETE,
        idea,
        summary=f"Removed the change idea {idea.title}",
        before=_idea_state(idea, idea.driver),
        **audit_scope(idea.aim),
    )
    db.session.delete(idea)
