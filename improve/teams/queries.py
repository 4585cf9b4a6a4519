"""Reads for the team page. Each is one query however many aims, cycles and tasks the team has,
so the page's query count stays fixed (no query per row)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from improve.cycles.queries import listed_cycles
from improve.extensions import db
from improve.history.queries import recent_for_team
from improve.models import (
    Aim,
    ChangeIdea,
    Cycle,
    CycleTask,
    DataPoint,
    Decision,
    Measure,
    Ramp,
    Stage,
    Team,
    User,
)
from improve.models.measure import aim_measure

OPEN = Cycle.stage != Stage.CLOSED


def list_aims(team: Team) -> list[Aim]:
    query = sa.select(Aim).where(Aim.team_id == team.id).order_by(Aim.status, Aim.target_date)
    return list(db.session.scalars(query))


def list_measures(team: Team) -> list[Measure]:
    """The measures the team reports, in one query: its own (each with its aim loaded), then the
    collaborative's shared measures that one of its aims reports against or that it has entered
    data for. Archived ones are left out, and so is every other team's own measure."""
    linked = (
        sa.select(aim_measure.c.measure_id)
        .join(Aim, Aim.id == aim_measure.c.aim_id)
        .where(Aim.team_id == team.id)
    )
    entered = sa.select(DataPoint.measure_id).where(DataPoint.team_id == team.id)
    shared = sa.and_(
        Measure.team_id.is_(None),
        Measure.collaborative_id == team.collaborative_id,
        sa.or_(Measure.id.in_(linked), Measure.id.in_(entered)),
    )
    query = (
        sa.select(Measure)
        .outerjoin(Aim, Aim.id == Measure.aim_id)
        .options(contains_eager(Measure.aim))
        .where(sa.or_(Measure.team_id == team.id, shared), Measure.is_archived.is_(False))
        .order_by(Measure.team_id.is_(None), Aim.title, Measure.measure_type, Measure.name)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class CurrentCycle:
    cycle: Cycle
    next_task: CycleTask | None


def current_cycles(team: Team) -> dict[int, list[CurrentCycle]]:
    """The team's open cycles by aim id, each with its next task still to do."""
    cycles = db.session.scalars(
        listed_cycles().where(Cycle.team_id == team.id, OPEN).order_by(Cycle.starts_on, Cycle.id)
    ).all()
    open_ids = sa.select(Cycle.id).where(Cycle.team_id == team.id, OPEN)
    tasks = db.session.scalars(
        sa.select(CycleTask)
        .where(CycleTask.cycle_id.in_(open_ids), CycleTask.done_at.is_(None))
        .order_by(CycleTask.due_on, CycleTask.id)
    ).all()
    next_task: dict[int, CycleTask] = {}
    for task in tasks:
        next_task.setdefault(task.cycle_id, task)
    by_aim: dict[int, list[CurrentCycle]] = defaultdict(list)
    for cycle in cycles:
        by_aim[cycle.ramp.change_idea.aim_id].append(CurrentCycle(cycle, next_task.get(cycle.id)))
    return dict(by_aim)


def overdue_tasks(team: Team, today: date) -> list[tuple[CycleTask, Cycle]]:
    """Tasks of the team's open cycles not done and due before today, oldest first."""
    query = (
        sa.select(CycleTask, Cycle)
        .join(Cycle, Cycle.id == CycleTask.cycle_id)
        .where(
            Cycle.team_id == team.id,
            OPEN,
            CycleTask.done_at.is_(None),
            CycleTask.due_on < today,
        )
        .order_by(CycleTask.due_on, CycleTask.id)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def list_ideas(team: Team) -> list[tuple[int, str]]:
    """Every change idea of the team's aims, as (id, "idea (aim)"), for the cycle filter."""
    query = (
        sa.select(ChangeIdea.id, ChangeIdea.title, Aim.title.label("aim_title"))
        .join(Aim, Aim.id == ChangeIdea.aim_id)
        .where(Aim.team_id == team.id)
        .order_by(Aim.title, ChangeIdea.position, ChangeIdea.id)
    )
    return [(row.id, f"{row.title} (aim: {row.aim_title})") for row in db.session.execute(query)]


#: Cycles on one page of the team's list: a team that tests often has hundreds.
CYCLE_PAGE = 25


@dataclass(frozen=True)
class CycleRow:
    """One line of the team's cycle list: only what the list shows, read as plain values."""

    cycle_id: int
    idea_title: str
    number: int
    title: str
    starts_on: date
    ends_on: date
    stage: Stage
    decision: Decision | None
    aim_title: str
    owner_name: str | None


@dataclass(frozen=True)
class CyclePage:
    rows: list[CycleRow]
    total: int  # every cycle matching the choices
    page: int  # from 1
    pages: int


def list_cycles(
    team: Team,
    status: str | None = None,
    idea_id: int | None = None,
    decision: Decision | None = None,
    page: int = 1,
) -> CyclePage:
    """The team's cycles, newest first, CYCLE_PAGE at a time, filtered by status (open, closed
    or a stage), change idea and decision; a page past the last is empty."""
    owner = aliased(User)
    choices = [Cycle.team_id == team.id]
    if status == "open":
        choices.append(OPEN)
    elif status == "closed":
        choices.append(Cycle.stage == Stage.CLOSED)
    elif status:
        choices.append(Cycle.stage == Stage(status))
    if idea_id is not None:
        choices.append(Ramp.change_idea_id == idea_id)
    if decision is not None:
        choices.append(Cycle.decision == decision)
    columns = (
        Cycle.id,
        ChangeIdea.title,
        Cycle.number,
        Cycle.title,
        Cycle.starts_on,
        Cycle.ends_on,
        Cycle.stage,
        Cycle.decision,
        Aim.title,
        owner.display_name,
    )
    query = (
        sa.select(*columns)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .join(Aim, Aim.id == ChangeIdea.aim_id)
        .outerjoin(owner, owner.id == Cycle.owner_id)
        .where(*choices)
        .order_by(Cycle.starts_on.desc(), Cycle.id.desc())
        .limit(CYCLE_PAGE)
        .offset((page - 1) * CYCLE_PAGE)
    )
    rows = [CycleRow(*row) for row in db.session.execute(query)]
    counted = sa.select(sa.func.count(Cycle.id)).join(Ramp, Ramp.id == Cycle.ramp_id)
    total = db.session.scalar(counted.where(*choices)) or 0
    return CyclePage(rows, total, page, max(1, -(-total // CYCLE_PAGE)))


@dataclass(frozen=True)
class Activity:
    who: str
    what: str
    when: datetime


def recent_activity(team: Team) -> list[Activity]:
    """The team's latest changes, as "who did what, when", in plain words."""
    events = recent_for_team(team.id)
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    query = sa.select(User.id, User.display_name).where(User.id.in_(actor_ids))
    names = {user_id: name for user_id, name in db.session.execute(query)}
    return [
        Activity(names.get(event.actor_id or 0, "Someone"), _phrase(event), event.occurred_at)
        for event in events
    ]


def _phrase(event) -> str:
    """The summary continues the person's name: "Added a task" -> "added a task"."""
    summary = event.summary or f"{event.action.value}d a record"
    # Keep the capital of a name or an acronym at the start ("NHS ...").
    return summary if summary[1:2].isupper() else summary[:1].lower() + summary[1:]
