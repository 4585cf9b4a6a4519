"""Reads of PDSA cycles."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, load_only

from improve.extensions import db
from improve.models import (
    TEAM_ROLES,
    Aim,
    ChangeIdea,
    Cycle,
    CycleQuestion,
    CycleTask,
    ExpertView,
    ExpertViewKind,
    Measure,
    Membership,
    Ramp,
    User,
)
from improve.models.cycle import cycle_measure
from improve.models.measure import aim_measure

#: What a list of cycles shows (the aim page's table, the cycles on a measure's chart): only these
#: columns are read, as a cycle's worksheet text is most of its row and an aim that tests often
#: has many cycles. Another column, read later, is fetched then.
LISTED_CYCLE = (
    Cycle.id,
    Cycle.team_id,
    Cycle.ramp_id,
    Cycle.number,
    Cycle.title,
    Cycle.starts_on,
    Cycle.ends_on,
    Cycle.stage,
    Cycle.decision,
    Cycle.version,
)


#: Cycles in the aim page's table; the rest are one link away.
AIM_CYCLES_SHOWN = 25


@dataclass(frozen=True)
class AimCycles:
    cycles: list[Cycle]  # by idea, ramp and cycle number
    total: int


def cycles_for_aim_page(aim_id: int, everything: bool = False) -> AimCycles:
    """The aim page's cycles: the AIM_CYCLES_SHOWN that began last (all with `everything`),
    listed by idea, ramp and cycle number, and how many there are in all."""
    cycles = list_for_aim(aim_id)
    if everything or len(cycles) <= AIM_CYCLES_SHOWN:
        return AimCycles(cycles, len(cycles))
    latest = sorted(cycles, key=lambda cycle: (cycle.starts_on, cycle.id))[-AIM_CYCLES_SHOWN:]
    shown = {cycle.id for cycle in latest}
    return AimCycles([cycle for cycle in cycles if cycle.id in shown], len(cycles))


def listed_cycles() -> sa.Select[tuple[Cycle]]:
    """Cycles with their ramp and change idea loaded in the same query, reading only the
    columns a list of cycles shows (LISTED_CYCLE)."""
    return (
        sa.select(Cycle)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .options(
            load_only(*LISTED_CYCLE),
            contains_eager(Cycle.ramp)
            .load_only(Ramp.id, Ramp.change_idea_id)
            .contains_eager(Ramp.change_idea)
            .load_only(ChangeIdea.id, ChangeIdea.aim_id, ChangeIdea.title),
        )
    )


def list_for_aim(aim_id: int) -> list[Cycle]:
    """Every cycle testing a change idea of this aim, by idea, ramp and cycle number."""
    query = (
        listed_cycles()
        .where(ChangeIdea.aim_id == aim_id)
        .order_by(ChangeIdea.position, ChangeIdea.id, Ramp.id, Cycle.number)
    )
    return list(db.session.scalars(query))


def list_ideas(aim: Aim) -> list[tuple[int, str]]:
    """The aim's change ideas, as (id, title), in the driver diagram's order."""
    query = (
        sa.select(ChangeIdea.id, ChangeIdea.title)
        .where(ChangeIdea.aim_id == aim.id)
        .order_by(ChangeIdea.position, ChangeIdea.id)
    )
    return [(row.id, row.title) for row in db.session.execute(query)]


def list_people(team_id: int, current_owner_id: int | None = None) -> list[tuple[int, str]]:
    """Everyone with a role in the team, as (user id, name): who may lead a cycle. A cycle's
    current leader stays on the list even if they have since left the team."""
    members = sa.select(Membership.user_id).where(
        Membership.team_id == team_id, Membership.role.in_(TEAM_ROLES)
    )
    query = (
        sa.select(User.id, User.display_name)
        .where(sa.or_(User.id.in_(members), User.id == current_owner_id))
        .order_by(User.display_name, User.id)
    )
    return [(row.id, row.display_name) for row in db.session.execute(query)]


def aim_measures(aim_id: int, cycle_id: int | None = None) -> list[Measure]:
    """The aim's own measures and the shared measures it reports against, not archived (but
    an archived one the cycle already uses stays, so saving the plan keeps it)."""
    shared = sa.select(aim_measure.c.measure_id).where(aim_measure.c.aim_id == aim_id)
    used = sa.select(cycle_measure.c.measure_id).where(cycle_measure.c.cycle_id == cycle_id)
    query = (
        sa.select(Measure)
        .where(
            sa.or_(Measure.aim_id == aim_id, Measure.id.in_(shared)),
            sa.or_(Measure.is_archived.is_(False), Measure.id.in_(used)),
        )
        .order_by(Measure.name, Measure.id)
    )
    return list(db.session.scalars(query))


def linked_measures(cycle: Cycle) -> list[Measure]:
    """The measures the cycle's data-collection plan uses, archived or not."""
    query = (
        sa.select(Measure)
        .join(cycle_measure, cycle_measure.c.measure_id == Measure.id)
        .where(cycle_measure.c.cycle_id == cycle.id)
        .order_by(Measure.name, Measure.id)
    )
    return list(db.session.scalars(query))


def person_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user.display_name if user else None


def question_or_404(cycle: Cycle, question_id: int) -> CycleQuestion:
    """A question of this cycle only: another cycle's id finds nothing."""
    query = sa.select(CycleQuestion).where(
        CycleQuestion.id == question_id, CycleQuestion.cycle_id == cycle.id
    )
    return db.session.scalar(query) or abort(404)


def task_or_404(cycle: Cycle, task_id: int) -> CycleTask:
    """A task of this cycle only: another cycle's id finds nothing."""
    query = sa.select(CycleTask).where(CycleTask.id == task_id, CycleTask.cycle_id == cycle.id)
    return db.session.scalar(query) or abort(404)


def cycle_of_aim_or_404(aim: Aim, cycle_id: int) -> Cycle:
    """A cycle testing one of this aim's ideas (for ?after=): anything else is not found."""
    query = (
        sa.select(Cycle)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .where(Cycle.id == cycle_id, ChangeIdea.aim_id == aim.id)
    )
    return db.session.scalar(query) or abort(404)


def later_cycle(cycle: Cycle) -> Cycle | None:
    """The next cycle in the same ramp, if the team has already planned it."""
    query = (
        sa.select(Cycle)
        .where(Cycle.ramp_id == cycle.ramp_id, Cycle.number > cycle.number)
        .order_by(Cycle.number)
        .limit(1)
    )
    return db.session.scalar(query)


def ramp_rows(ramp: Ramp) -> list[tuple[Cycle, str | None]]:
    """The ramp's cycles in order, each with the name of the person leading it."""
    query = (
        sa.select(Cycle, User.display_name)
        .outerjoin(User, User.id == Cycle.owner_id)
        .where(Cycle.ramp_id == ramp.id)
        .order_by(Cycle.number)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def expert_views(cycle: Cycle) -> dict[str, list[tuple[ExpertView, str | None]]]:
    """Every expert by experience's view of the cycle with its author's name (None for views
    written before they were signed), by kind, oldest first; one query."""
    query = (
        sa.select(ExpertView, User.display_name)
        .outerjoin(User, User.id == ExpertView.author_id)
        .where(ExpertView.cycle_id == cycle.id)
        .order_by(ExpertView.created_at, ExpertView.id)
    )
    views: dict[str, list[tuple[ExpertView, str | None]]] = {
        kind.value: [] for kind in ExpertViewKind
    }
    for view, name in db.session.execute(query):
        views[view.kind.value].append((view, name))
    return views


def own_view(
    views: dict[str, list[tuple[ExpertView, str | None]]], kind: ExpertViewKind, user: User
) -> ExpertView | None:
    """This person's own view of this kind, from `expert_views`."""
    return next((view for view, _ in views[kind.value] if view.author_id == user.id), None)
