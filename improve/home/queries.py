"""Reads for the home page: what this person belongs to, in one query per kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from improve.analysis.activity import joined_on
from improve.analysis.periods import (
    due_date,
    last_due_period,
    period_end,
    report_periods,
    report_state,
)
from improve.extensions import db
from improve.models import (
    Collaborative,
    CollaborativePhase,
    Membership,
    MonthlyReport,
    PhaseKind,
    ReportStatus,
    Role,
    Team,
    User,
)
from improve.reports.queries import cadence, period_label


def team_memberships(user: User) -> list[tuple[Team, Role]]:
    """The user's teams with their role in each, collaborative loaded alongside."""
    query = (
        sa.select(Team, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .options(sa.orm.joinedload(Team.collaborative))
        .order_by(Team.name)
    )
    return [(team, role) for team, role in db.session.execute(query)]


def collaborative_memberships(user: User, role: Role) -> list[Collaborative]:
    query = (
        sa.select(Collaborative)
        .join(Membership, Membership.collaborative_id == Collaborative.id)
        .where(Membership.user_id == user.id, Membership.role == role)
        .order_by(Collaborative.name)
    )
    return list(db.session.scalars(query))


def all_collaboratives() -> list[Collaborative]:
    return list(db.session.scalars(sa.select(Collaborative).order_by(Collaborative.name)))


def team_counts(collaborative_ids: list[int]) -> dict[int, int]:
    """How many teams each collaborative has, in one grouped query."""
    if not collaborative_ids:
        return {}
    query = (
        sa.select(Team.collaborative_id, sa.func.count(Team.id))
        .where(Team.collaborative_id.in_(collaborative_ids))
        .group_by(Team.collaborative_id)
    )
    return {collaborative_id: count for collaborative_id, count in db.session.execute(query)}


def next_learning_sessions(
    collaboratives: list[Collaborative], today: date
) -> list[tuple[Collaborative, CollaborativePhase]]:
    """For each collaborative, its next learning session (the first that ends today or later),
    soonest first; collaboratives with none planned are left out. One query for them all."""
    by_id = {collaborative.id: collaborative for collaborative in collaboratives}
    if not by_id:
        return []
    last_day = sa.func.coalesce(CollaborativePhase.ends_on, CollaborativePhase.starts_on)
    query = (
        sa.select(CollaborativePhase)
        .where(
            CollaborativePhase.collaborative_id.in_(list(by_id)),
            CollaborativePhase.kind == PhaseKind.LEARNING_SESSION,
            last_day >= today,
        )
        .order_by(CollaborativePhase.starts_on, CollaborativePhase.id)
    )
    first: dict[int, CollaborativePhase] = {}
    for phase in db.session.scalars(query):
        first.setdefault(phase.collaborative_id, phase)
    return [(by_id[phase.collaborative_id], phase) for phase in first.values()]


@dataclass(frozen=True)
class Reminder:
    """The monthly report a team should think about now: late, or due soon."""

    period: date
    label: str
    due: date
    late: bool


def _reminder_periods(collaborative: Collaborative, today: date) -> list[date]:
    """The periods whose report may need sending now: the latest one already due (late if not
    sent) and the ones that have ended but are not due yet."""
    rhythm, due_day = cadence(collaborative), collaborative.report_due_day
    overdue = last_due_period(
        collaborative.starts_on, collaborative.ends_on, rhythm, due_day, today
    )
    ended = [
        start
        for start in report_periods(collaborative.starts_on, collaborative.ends_on, rhythm)
        if period_end(start, rhythm) < today <= due_date(start, rhythm, due_day)
    ]
    return ([overdue] if overdue else []) + ended


def report_reminders(teams: list[Team], today: date) -> dict[int, Reminder]:
    """For each team, the report to send next (late first), if one is waiting; one query."""
    wanted = {team.id: _reminder_periods(team.collaborative, today) for team in teams}
    periods = {start for starts in wanted.values() for start in starts}
    if not periods:
        return {}
    query = sa.select(MonthlyReport.team_id, MonthlyReport.period_start).where(
        MonthlyReport.team_id.in_(list(wanted)),
        MonthlyReport.period_start.in_(periods),
        MonthlyReport.status == ReportStatus.SUBMITTED,
    )
    sent = {(team_id, start) for team_id, start in db.session.execute(query)}
    reminders = {}
    for team in teams:
        collaborative = team.collaborative
        rhythm, due_day = cadence(collaborative), collaborative.report_due_day
        joined = joined_on(collaborative.starts_on, team.created_at)
        for start in wanted[team.id]:
            # The same words as every other page: late, due, or not asked of a team that joined
            # after the period ended.
            state = report_state(
                start, rhythm, due_day, today, (team.id, start) in sent, False, joined
            )
            if state in ("submitted", "before_joining"):
                continue
            label = period_label(start, collaborative)
            due = due_date(start, rhythm, due_day)
            reminders[team.id] = Reminder(start, label, due, late=state == "late")
            break
    return reminders
