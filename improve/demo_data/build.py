"""Turn the demo content into rows: one pass, the models added directly, no audit trail (the demo
is seed data, not anybody's change). Randomness comes only from random.Random seeded per series,
and every date from one anchor (the first day of today's month), so two runs in the same month
give the same rows."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from improve.analysis.periods import due_date
from improve.analysis.scoring import Evidence, MeasureEvidence, suggested_score
from improve.demo_data import content
from improve.demo_data.content import (
    CURRENT_MONTH,
    FINAL_MONTH,
    LAST_MONTH,
    MeasureSpec,
    Series,
    Step,
    TeamSpec,
)
from improve.extensions import db
from improve.measures.analysis import SERIES_COLUMNS
from improve.models import (
    ActionStatus,
    Aim,
    AimAssessment,
    Assessor,
    ChangeIdea,
    Collaborative,
    CollaborativePhase,
    Comment,
    CommunityRole,
    Cycle,
    CycleQuestion,
    CycleTask,
    DataPoint,
    Decision,
    Driver,
    DriverKind,
    ExpertView,
    ExpertViewKind,
    Frequency,
    Improved,
    Measure,
    Membership,
    MonthlyReport,
    PanelAction,
    PanelReview,
    PhaseKind,
    ProgressScore,
    Ramp,
    ReportStatus,
    Role,
    Stage,
    Team,
    User,
    ValueKind,
)
from improve.models.cycle import cycle_measure
from improve.models.measure import aim_measure
from improve.reports import queries as report_queries

SEED = "living-well-at-home"
TYPE_ORDER = {"outcome": 0, "process": 1, "balancing": 2}
IMPROVED = {Decision.ADOPT: Improved.YES, Decision.ADAPT: Improved.NOT_SURE}
DECIDED = {
    Decision.ADOPT: "decided to adopt it",
    Decision.ADAPT: "decided to adapt it and test again",
    Decision.ABANDON: "decided to stop it",
}
# One report sent 26 days after its due date, for the coordinator's "Submitted 26 days late".
LATE_REPORT = ("riverside", 12)
# Clock times of the meetings on the calendar (UK time); other phases last whole days.
SESSION_HOURS: dict[PhaseKind, dict[str, time]] = {
    PhaseKind.LEARNING_SESSION: {"start_time": time(10), "end_time": time(15, 30)},
}


@dataclass(frozen=True)
class Timeline:
    """Month numbers to dates: month 0 is the collaborative's first month."""

    first: date

    @classmethod
    def for_today(cls, today: date) -> Timeline:
        return cls(add_months(today.replace(day=1), -CURRENT_MONTH))

    def month(self, number: int) -> date:
        return add_months(self.first, number)

    def day(self, number: int, day: int) -> date:
        return self.month(number) + timedelta(days=day - 1)

    def month_end(self, number: int) -> date:
        return self.month(number + 1) - timedelta(days=1)

    def number(self, day: date) -> int:
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    @property
    def data_cap(self) -> datetime:
        """Nothing is recorded after midday on the last day of the last complete month."""
        return at(self.month_end(LAST_MONTH), 12)

    @property
    def report_cap(self) -> datetime:
        return at(self.month_end(LAST_MONTH), 16)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def stamp(record: Any, created: datetime, updated: datetime | None = None) -> Any:
    record.created_at = created
    record.updated_at = updated or created
    return record


# Series --------------------------------------------------------------------------------------


def level_at(series: Series, month: int) -> float:
    current = series.levels[0][1]
    for start, level in series.levels:
        if start <= month:
            current = level
    return current


def generate(
    series: Series, kind: ValueKind, multiplier: float, months: Sequence[int], seed: str
) -> list[tuple[float, float | None]]:
    """(value, denominator) per period. The noise changes side more often than not, so a long
    run on one side of the centre only appears where the level really moves."""
    rng = random.Random(seed)
    side = 1.0
    result: list[tuple[float, float | None]] = []
    for month in months:
        if rng.random() < 0.8:
            side = -side
        noise = side * rng.uniform(0.15, 1.0) * series.spread
        level = level_at(series, month)
        if kind == ValueKind.CONTINUOUS:
            result.append((round(max(level + noise, 0.0), 1), None))
        elif kind == ValueKind.COUNT:
            result.append((float(max(round(level + noise), 0)), None))
        else:
            assert series.denominators is not None
            denominator = rng.randint(*series.denominators)
            share = level + noise if kind == ValueKind.PROPORTION else (level + noise) / multiplier
            count = round(min(max(share, 0.0), 1.0) * denominator)
            result.append((float(count), float(denominator)))
    return result


def event_days(
    series: Series, timeline: Timeline, first: int, last: int, seed: str
) -> list[tuple[date, float]]:
    """(day, events that day) for a measure of the dates of events: the series' level is the
    average days between events in each month; each gap is drawn around it (geometric, as rare
    events are), and two events can fall on one day."""
    rng = random.Random(seed)
    day, end = timeline.month(first), timeline.month_end(last)
    counts: dict[date, int] = {}
    while True:
        mean = level_at(series, timeline.number(day))
        day += timedelta(days=int(rng.expovariate(1 / mean)))
        if day > end:
            return [(when, float(count)) for when, count in sorted(counts.items())]
        counts[day] = counts.get(day, 0) + 1


def periods(spec: MeasureSpec, timeline: Timeline, first: int, last: int) -> list[date]:
    if spec.frequency == Frequency.MONTHLY:
        return [timeline.month(m) for m in range(first, last + 1)]
    start = timeline.month(first)
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    end = timeline.month_end(last)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


# The evidence a report gathers: the reports module's own function, on the points built so far --


def measure_evidence(
    measure: Measure,
    collaborative: Collaborative | None,
    points: list[DataPoint],
    start: date,
    end: date,
) -> tuple[dict[str, Any], MeasureEvidence]:
    rows = [
        (p.period_start, p.value, p.denominator, bool(p.excluded), bool(p.starts_new_phase))
        for p in points
        if p.period_start <= end
    ]
    frame = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    assert collaborative is not None, "reports are built after the collaborative"
    return report_queries.measure_evidence(measure, collaborative, frame, start, end)


# The builder ---------------------------------------------------------------------------------


# email, name, role (None: the site admin; a CoP role: given by the CoP, no team), team key
Account = tuple[str, str, Role | CommunityRole | None, str | None]


class Builder:
    """Builds the whole collaborative in the session, flushing only where ids are needed."""

    def __init__(self, today: date, accounts: Sequence[Account], password: str) -> None:
        self.t = Timeline.for_today(today)
        self.accounts = accounts
        self.password = password
        self.set_up_at = at(self.t.month(0) - timedelta(days=14), 9)
        self.users: dict[str, User] = {}  # by the part of the email before the @
        self.teams: dict[str, Team] = {}
        self.people: dict[str, list[tuple[User, Role]]] = {}
        self.ideas: dict[tuple[str, str], ChangeIdea] = {}
        self.aims: dict[str, Aim] = {}
        self.team_measures: dict[str, list[tuple[MeasureSpec, Measure]]] = {}
        self.shared: list[tuple[MeasureSpec, Measure]] = []
        self.cycles: dict[str, list[tuple[Step, Cycle]]] = {}
        self.points: dict[tuple[int, int], list[DataPoint]] = {}  # (id(measure), team id)
        self.links: list[tuple[Cycle, Measure]] = []
        self.built: Collaborative | None = None

    def build(self) -> Collaborative:
        collaborative = self.collaborative()
        self.accounts_and_roles(collaborative)
        db.session.flush()
        self.shared = [
            (spec, self.measure(spec, collaborative, None, None))
            for spec in content.SHARED_MEASURES
        ]
        for spec in content.TEAMS:
            self.team_work(spec, collaborative)
        db.session.flush()
        for spec in content.TEAMS:
            self.data(spec)
        self.link_rows()
        db.session.flush()
        self.built = collaborative
        for spec in content.TEAMS:
            self.comments(spec)
            self.reports(spec)
        self.panel_review(collaborative)
        db.session.flush()
        return collaborative

    # Collaborative, teams and people ---------------------------------------------------------

    def collaborative(self) -> Collaborative:
        t = self.t
        collaborative = Collaborative(
            name="Living Well at Home collaborative",
            topic="Supporting people with complex needs to live well at home",
            description=(
                "Council, care home, home care and voluntary sector teams in Northshire testing "
                "changes together, with people who draw on care and carers helping choose what "
                f"to improve. Two themes: {content.THEMES[0].lower()}; and "
                f"{content.THEMES[1].lower()}."
            ),
            starts_on=t.month(0),
            ends_on=t.month_end(FINAL_MONTH),
        )
        phases: list[tuple[PhaseKind, str, int, int, int | None]] = [
            (PhaseKind.PREWORK, "Prework: forming teams and gathering a baseline", 0, 1, 1),
            (PhaseKind.START_MEETING, "Start meeting with senior managers", 1, 12, None),
            (PhaseKind.LEARNING_SESSION, "Learning session 1", 2, 8, None),
            (PhaseKind.ACTION_PERIOD, "Action period 1", 2, 9, 5),
            (PhaseKind.LEARNING_SESSION, "Learning session 2", 6, 10, None),
            (PhaseKind.ACTION_PERIOD, "Action period 2", 6, 11, 10),
            (PhaseKind.LEARNING_SESSION, "Learning session 3", 11, 9, None),
            (PhaseKind.ACTION_PERIOD, "Action period 3", 11, 10, 18),
            (PhaseKind.END_MEETING, "End meeting with senior managers", 19, 15, None),
            (PhaseKind.DISSEMINATION, "Sharing the learning", 19, 16, FINAL_MONTH),
        ]
        collaborative.phases = [
            stamp(
                CollaborativePhase(
                    kind=kind,
                    title=title,
                    starts_on=t.day(month, day),
                    ends_on=None if end is None else t.month_end(end),
                    **SESSION_HOURS.get(kind, {}),
                ),
                self.set_up_at,
            )
            for kind, title, month, day, end in phases
        ]
        db.session.add(stamp(collaborative, self.set_up_at))
        for spec in content.TEAMS:
            team = Team(
                name=spec.name,
                organisation=spec.organisation,
                organisation_kind=spec.kind,
                service=spec.service,
            )
            collaborative.teams.append(stamp(team, at(t.month(0), 9)))
            self.teams[spec.key] = team
            self.people[spec.key] = []
        return collaborative

    def accounts_and_roles(self, collaborative: Collaborative) -> None:
        everyone = list(self.accounts)
        for spec in content.TEAMS:
            everyone.extend((email, name, role, spec.key) for email, name, role in spec.people)
        password_hash: str | None = None
        leads = 0
        for email, name, role, team_key in everyone:
            user = stamp(
                User(email=email, display_name=name, is_admin=role is None), self.set_up_at
            )
            if role == Role.TEAM_LEAD:
                # Ofcom's numbers for drama (01632 960000 to 960999): no real phone rings.
                user.phone = f"01632 960 {leads + 1:03d}"
                leads += 1
            # One hash for the one demo password: hashing is slow on purpose.
            if password_hash is None:
                user.set_password(self.password)
                password_hash = user.password_hash
            user.password_hash = password_hash
            self.users[email.split("@")[0]] = user
            db.session.add(user)
            if role is None or isinstance(role, CommunityRole):
                continue  # the admin needs no role; a CoP role comes with the CoP's members
            if team_key:
                membership = Membership(user=user, role=role, team=self.teams[team_key])
                self.people[team_key].append((user, role))
            else:
                membership = Membership(user=user, role=role, collaborative=collaborative)
            db.session.add(stamp(membership, self.set_up_at))

    def person(self, team_key: str, wanted: str) -> User:
        """The team's lead, or its first member (a team without members: its lead)."""
        people = self.people[team_key]
        if wanted == "member":
            members = [user for user, role in people if role == Role.TEAM_MEMBER]
            if members:
                return members[0]
        return next(user for user, role in people if role == Role.TEAM_LEAD)

    # Aims, driver diagrams, measures, ideas and cycles ---------------------------------------

    def measure(
        self,
        spec: MeasureSpec,
        collaborative: Collaborative,
        team: Team | None,
        aim: Aim | None,
    ) -> Measure:
        t = self.t
        first = spec.series.first if spec.series else content.FIRST_MONTH
        baseline_end: date | None = None
        if spec.freeze:
            baseline_end = periods(spec, t, first, LAST_MONTH)[spec.freeze - 1]
        measure = Measure(
            collaborative_id=collaborative.id,
            team_id=team.id if team else None,
            aim=aim,
            name=spec.name,
            measure_type=spec.measure_type,
            operational_definition=spec.definition,
            numerator_definition=spec.numerator,
            denominator_definition=spec.denominator,
            data_source=spec.data_source,
            collected_by=spec.collected_by,
            frequency=spec.frequency,
            value_kind=spec.value_kind,
            multiplier=spec.multiplier,
            unit=spec.unit,
            direction=spec.direction,
            baseline_start=periods(spec, t, first, first)[0]
            if spec.frequency == Frequency.MONTHLY
            else periods(spec, t, first, LAST_MONTH)[0],
            baseline_end=baseline_end,
            baseline_value=spec.baseline,
            target_value=spec.target,
            target_date=t.month_end(FINAL_MONTH) if spec.target is not None else None,
            chart_type=spec.chart_type,
            freeze_points=spec.freeze,
        )
        created = at(t.day(1, 12), 15) if team is None else at(t.day(2, 10), 10)
        db.session.add(stamp(measure, created))
        return measure

    def team_work(self, spec: TeamSpec, collaborative: Collaborative) -> None:
        t = self.t
        team = self.teams[spec.key]
        lead = self.person(spec.key, "lead")
        set_at = at(t.day(2, 8), 15)  # agreed at learning session 1
        a = spec.aim
        aim = Aim(
            team_id=team.id,
            title=a.title,
            what=a.what,
            for_whom=a.for_whom,
            location=a.location,
            unit=a.unit,
            baseline_value=a.baseline,
            target_value=a.target,
            target_date=t.month_end(FINAL_MONTH),
            created_by_id=lead.id,
        )
        self.aims[spec.key] = aim
        assessment = AimAssessment(
            aim=aim,
            assessed_on=t.day(2, 8),
            where_are_we_now=a.where_now,
            what_do_we_want_to_achieve=a.want,
            how_will_we_get_there=a.how,
            who_needs_to_act=a.who_acts,
            timescales=f"By {t.month_end(FINAL_MONTH):%B %Y}",
            learning_points="Start small: one floor, one shift or one worker first.",
            action_points="Agree who collects the data each month.",
            created_by_id=lead.id,
        )
        db.session.add_all([stamp(aim, set_at), stamp(assessment, set_at)])
        primaries = [
            Driver(aim=aim, kind=DriverKind.PRIMARY, title=title, position=i)
            for i, title in enumerate(spec.primaries)
        ]
        secondaries = [
            Driver(
                aim=aim,
                kind=DriverKind.SECONDARY,
                title=title,
                position=i,
                primaries=[primaries[p] for p in feeds],
            )
            for i, (title, feeds) in enumerate(spec.secondaries)
        ]
        db.session.add_all([stamp(d, set_at) for d in primaries + secondaries])
        measures = {m.key: self.measure(m, collaborative, team, aim) for m in spec.measures}
        self.team_measures[spec.key] = [(m, measures[m.key]) for m in spec.measures]
        self.cycles[spec.key] = []
        for position, ramp_spec in enumerate(spec.ramps):
            first_day = t.day(ramp_spec.steps[0].month, ramp_spec.steps[0].day)
            thought_of = at(first_day - timedelta(days=10), 11)
            idea = ChangeIdea(
                aim=aim,
                driver=secondaries[ramp_spec.driver],
                title=ramp_spec.idea,
                description=ramp_spec.description,
                position=position,
                copied_from=self.ideas[ramp_spec.copied_from] if ramp_spec.copied_from else None,
            )
            self.ideas[(spec.key, ramp_spec.idea)] = idea
            ramp = Ramp(change_idea=idea, title=ramp_spec.idea)
            db.session.add_all([stamp(idea, thought_of), stamp(ramp, thought_of)])
            for number, step in enumerate(ramp_spec.steps, start=1):
                cycle = self.cycle(spec, team, ramp, ramp_spec, step, number)
                self.cycles[spec.key].append((step, cycle))
                self.links.extend((cycle, measures[key]) for key in ramp_spec.measures)

    def cycle(
        self,
        spec: TeamSpec,
        team: Team,
        ramp: Ramp,
        ramp_spec: content.RampSpec,
        step: Step,
        number: int,
    ) -> Cycle:
        t = self.t
        starts = t.day(step.month, step.day)
        ends = starts + timedelta(days=step.days - 1)
        owner = self.person(spec.key, step.owner)
        closed = step.stage == Stage.CLOSED
        done = step.stage in (Stage.STUDY, Stage.ACT, Stage.CLOSED)
        closed_at = at(ends + timedelta(days=2), 16) if closed else None
        planned_at = min(at(starts - timedelta(days=3), 10), self.t.data_cap)
        updated = closed_at or min(at(starts + timedelta(days=6), 14), self.t.data_cap)
        if step.stage == Stage.PLAN:
            updated = planned_at
        if not closed and spec.last_month == LAST_MONTH:
            # An active team keeps working on its open cycles up to the end of last month.
            updated = max(updated, self.t.data_cap)
        weeks = max(step.days // 7, 1)
        cycle = Cycle(
            team_id=team.id,
            ramp=ramp,
            number=number,
            title=step.title,
            owner_id=owner.id,
            starts_on=starts,
            ends_on=ends,
            stage=step.stage,
            objective=ramp_spec.objective,
            change_who=ramp_spec.who,
            change_what=step.title,
            change_where=ramp_spec.where,
            change_when=ramp_spec.when,
            data_plan=ramp_spec.data_plan,
            data_collected_by=ramp_spec.collected_by,
            carried_out_as_planned=(not step.problems) if done else None,
            what_happened=(
                step.what_happened
                or (f"The test ran for {weeks} week{'s' if weeks > 1 else ''}." if done else "")
            ),
            problems_and_surprises=step.problems if done else "",
            improved=(IMPROVED.get(step.decision, Improved.NO) if step.decision else None),
            why_improved=step.learning if closed else "",
            decision=step.decision,
            next_steps=step.next_steps if closed else "",
            closed_at=closed_at,
            created_by_id=owner.id,
        )
        question = CycleQuestion(
            cycle=cycle,
            position=0,
            question=ramp_spec.question,
            prediction=step.prediction,
            result=step.result if closed else "",
            learning=step.learning if closed else "",
        )
        task = CycleTask(
            cycle=cycle,
            description="Tell everyone taking part what the test is and when it starts",
            owner_name=ramp_spec.collected_by,
            due_on=starts,
            done_at=at(starts, 12) if step.stage != Stage.PLAN else None,
        )
        records: list[Any] = [stamp(cycle, planned_at, updated), stamp(question, planned_at)]
        records.append(stamp(task, planned_at))
        if step.stage == Stage.DO:
            overdue = CycleTask(
                cycle=cycle,
                description="Print the record sheets for the first floor",
                owner_name=owner.display_name,
                due_on=starts + timedelta(days=5),
            )
            records.append(stamp(overdue, planned_at))
        records.extend(self.expert_views(spec.key, team, cycle, step, closed, planned_at, updated))
        db.session.add_all(records)
        return cycle

    def expert_views(
        self,
        team_key: str,
        team: Team,
        cycle: Cycle,
        step: Any,
        closed: bool,
        planned_at: datetime,
        updated: datetime,
    ) -> list[ExpertView]:
        """The team's expert by experience's own views of a cycle, signed and dated: what
        matters to them as it is planned, whether it made a difference once it is closed (a
        team without an expert has none)."""
        expert = next(
            (user for user, role in self.people[team_key] if role == Role.EXPERT_BY_EXPERIENCE),
            None,
        )
        if expert is None:
            return []
        views = []
        for kind, text, when in (
            (ExpertViewKind.WHAT_MATTERS, step.what_matters, planned_at),
            (ExpertViewKind.DIFFERENCE, step.difference if closed else "", updated),
        ):
            if text:
                view = ExpertView(
                    team_id=team.id, cycle=cycle, author_id=expert.id, kind=kind, body=text
                )
                views.append(stamp(view, when))
        return views

    # Data ------------------------------------------------------------------------------------

    def data(self, spec: TeamSpec) -> None:
        team = self.teams[spec.key]
        recorder = self.person(spec.key, "member")
        series: list[tuple[MeasureSpec, Measure, Series]] = [
            (m, measure, m.series) for m, measure in self.team_measures[spec.key] if m.series
        ]
        series += [(m, measure, spec.shared[m.key]) for m, measure in self.shared]
        rows: list[DataPoint] = []
        for m, measure, s in series:
            seed = f"{SEED}:{spec.key}:{m.key}"
            if m.value_kind == ValueKind.EVENTS:
                dated = event_days(s, self.t, s.first, spec.last_month, seed)
                days, values = [d for d, _ in dated], [(count, None) for _, count in dated]
            else:
                days = periods(m, self.t, s.first, spec.last_month)
                months = [self.t.number(day) for day in days]
                values = generate(s, m.value_kind, m.multiplier, months, seed)
            points = []
            for day, (value, denominator) in zip(days, values, strict=True):
                if m.value_kind == ValueKind.EVENTS:
                    entered = at(day, 18)  # the day it happened
                elif m.frequency == Frequency.WEEKLY:
                    entered = at(day + timedelta(days=8), 10)
                else:
                    entered = at(self.t.month_end(self.t.number(day)) + timedelta(days=3), 10)
                point = DataPoint(
                    measure_id=measure.id,
                    team_id=team.id,
                    period_start=day,
                    value=value,
                    denominator=denominator,
                    recorded_by_id=recorder.id,
                )
                points.append(stamp(point, min(entered, self.t.data_cap)))
            self.points[(id(measure), team.id)] = points
            rows.extend(points)
        db.session.add_all(rows)

    def link_rows(self) -> None:
        db.session.execute(
            aim_measure.insert(),
            [
                {"aim_id": aim.id, "measure_id": measure.id}
                for aim in self.aims.values()
                for _, measure in self.shared
            ],
        )
        db.session.execute(
            cycle_measure.insert(),
            [{"cycle_id": c.id, "measure_id": m.id} for c, m in self.links],
        )

    # Comments, reports, scores and the panel's review ----------------------------------------

    def find_cycle(self, team_key: str, title: str) -> Cycle:
        return next(cycle for step, cycle in self.cycles[team_key] if step.title == title)

    def comments(self, spec: TeamSpec) -> None:
        for author, title, body in spec.comments:
            cycle = self.find_cycle(spec.key, title)
            written = min(
                (cycle.closed_at or cycle.updated_at) + timedelta(days=1), self.t.data_cap
            )
            comment = Comment(
                team_id=cycle.team_id,
                cycle_id=cycle.id,
                author_id=self.users[author].id,
                body=body,
            )
            db.session.add(stamp(comment, written))

    def measures_of(self, spec: TeamSpec) -> list[Measure]:
        """The team's measures and the shared ones, as a report lists them: outcome measures
        first, then process, then balancing; by name within each."""
        measures = [m for _, m in self.team_measures[spec.key]] + [m for _, m in self.shared]
        return sorted(measures, key=lambda m: (TYPE_ORDER[m.measure_type.value], m.name))

    def evidence(
        self, spec: TeamSpec, start: date, end: date, gathered: date
    ) -> tuple[dict[str, Any], Any]:
        """The report's evidence as the team's records stood at the end of the period."""
        team = self.teams[spec.key]
        cutoff = at(end + timedelta(days=1), 0)
        aims = int(self.aims[spec.key].created_at < cutoff)
        started = [(s, c) for s, c in self.cycles[spec.key] if c.starts_on <= end]
        listed = []
        for _, cycle in started:
            closed = cycle.closed_at is not None and cycle.closed_at < cutoff
            if cycle.ends_on < start:
                continue
            stage = cycle.stage if closed or cycle.stage != Stage.CLOSED else Stage.DO
            listed.append(
                {
                    "id": cycle.id,
                    "number": cycle.number,
                    "title": cycle.title,
                    "starts_on": cycle.starts_on.isoformat(),
                    "ends_on": cycle.ends_on.isoformat(),
                    "stage": stage.value,
                    "decision": cycle.decision.value if closed and cycle.decision else None,
                    "next_steps": cycle.next_steps if closed else "",
                    "questions": [
                        {
                            "question": q.question,
                            "prediction": q.prediction,
                            "result": q.result if closed else "",
                        }
                        for q in cycle.questions
                    ],
                }
            )
        counts = {
            "cycles_started": len(started),
            "cycles_tested": sum(1 for _, c in started if c.stage != Stage.PLAN),
            "changes_adopted": sum(
                1
                for _, c in started
                if c.decision == Decision.ADOPT and c.closed_at is not None and c.closed_at < cutoff
            ),
        }
        shown, scored = [], []
        for measure in self.measures_of(spec):
            one, for_score = measure_evidence(
                measure,
                self.built,
                self.points.get((id(measure), team.id), []),
                start,
                end,
            )
            shown.append(one)
            scored.append(for_score)
        suggestion = suggested_score(Evidence(aims=aims, measures=tuple(scored), **counts))
        evidence = {
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "gathered_on": gathered.isoformat(),
            "aims": aims,
            **counts,
            "cycles": listed,
            "measures": shown,
        }
        return evidence, suggestion

    def texts(self, spec: TeamSpec, month: int, rng: random.Random) -> tuple[str, str, str]:
        """Achievements, learning and barriers, from what the team did that month."""
        start, end = self.t.month(month), self.t.month_end(month)
        achievements: list[str] = []
        learning: list[str] = []
        if month == 0:
            achievements.append("We formed our team and agreed who does what.")
        elif month == 1:
            achievements.append(
                "We gathered a baseline from our records and met our senior managers."
            )
        elif month == 2:
            achievements.append("We agreed our aim and driver diagram at learning session 1.")
        for step, cycle in self.cycles[spec.key]:
            if cycle.closed_at is not None and start <= cycle.closed_at.date() <= end + timedelta(
                days=2
            ):
                if cycle.decision is not None:
                    achievements.append(f"Finished ‘{cycle.title}’ and {DECIDED[cycle.decision]}.")
                if step.learning:
                    learning.append(step.learning + ".")
            elif start <= cycle.starts_on <= end:
                achievements.append(f"Started testing ‘{cycle.title}’.")
        stalled = month > spec.last_month
        if stalled:
            achievements.append("No tests and no data this month.")
        elif not achievements:
            achievements.append(
                "We collected this month's data and kept going with the changes we adopted."
            )
        if not learning:
            learning.append(rng.choice(LESSONS))
        barriers = spec.extra["stalled_barrier"] if stalled else rng.choice(spec.barriers)
        return " ".join(achievements), " ".join(learning), barriers

    def reports(self, spec: TeamSpec) -> None:
        t = self.t
        team = self.teams[spec.key]
        lead = self.person(spec.key, "lead")
        coordinator = self.users["coordinator"]
        rng = random.Random(f"{SEED}:{spec.key}:reports")
        made: list[tuple[MonthlyReport, int]] = []
        for month in range(LAST_MONTH + 1):
            if spec.reporting == "late" and month >= LAST_MONTH - 1:
                continue
            start, end = t.month(month), t.month_end(month)
            draft = spec.reporting == "draft" and month == LAST_MONTH
            if month == LAST_MONTH:
                sent = t.report_cap
            elif (spec.key, month) == LATE_REPORT:
                rhythm = report_queries.cadence(team.collaborative)
                due = due_date(start, rhythm, team.collaborative.report_due_day)
                sent = at(due + timedelta(days=26), 15)
            else:
                sent = at(end + timedelta(days=rng.randint(2, 9)), 15)
            achievements, learning, barriers = self.texts(spec, month, rng)
            evidence, suggestion = self.evidence(spec, start, end, sent.date())
            bias = spec.self_bias if month >= 8 else (0.5 if rng.random() < 0.15 else 0.0)
            report = MonthlyReport(
                team_id=team.id,
                period_start=start,
                revision=1,
                status=ReportStatus.DRAFT if draft else ReportStatus.SUBMITTED,
                evidence=evidence,
                achievements="" if draft else achievements,
                learning="" if draft else learning,
                barriers=barriers,
                suggested_score=suggestion.score,
                suggested_reasons=list(suggestion.reasons),
                self_score=None if draft else on_scale(suggestion.score + bias),
                submitted_at=None if draft else sent,
                submitted_by_id=None if draft else lead.id,
            )
            db.session.add(stamp(report, at(end, 10) if month < LAST_MONTH else sent, sent))
            if not draft:
                made.append((report, month))
        db.session.flush()
        for report, month in made:
            assert report.self_score is not None and report.submitted_at is not None
            agrees = report.self_score == report.suggested_score
            db.session.add(
                stamp(
                    ProgressScore(
                        team_id=team.id,
                        period_start=report.period_start,
                        assessor=Assessor.SELF,
                        score=report.self_score,
                        justification=(
                            "The suggested score matches what we see."
                            if agrees
                            else "We think the team has done more than the records show yet."
                        ),
                        report_id=report.id,
                        scored_by_id=lead.id,
                    ),
                    report.submitted_at,
                )
            )
            if month >= LAST_MONTH:
                continue  # the coordinator has not scored the newest reports yet
            suggested = report.suggested_score or 1.0
            lower = 0.5 if spec.self_bias == 0 and rng.random() < 0.2 else 0.0
            justification, suggestions = rng.choice(content.COORDINATOR_NOTES)
            db.session.add(
                stamp(
                    ProgressScore(
                        team_id=team.id,
                        period_start=report.period_start,
                        assessor=Assessor.COORDINATOR,
                        score=on_scale(suggested - lower),
                        justification=justification,
                        suggestions=suggestions,
                        report_id=report.id,
                        scored_by_id=coordinator.id,
                    ),
                    min(report.submitted_at + timedelta(days=4), t.report_cap),
                )
            )

    def panel_review(self, collaborative: Collaborative) -> None:
        review = content.PANEL_REVIEW
        day = self.t.day(*content.PANEL_REVIEW_DAY)
        review_row = PanelReview(
            collaborative_id=collaborative.id,
            reviewed_on=day,
            decisions=review["decisions"],
            organisational_changes=review["organisational_changes"],
            recorded_by_id=self.users["panel"].id,
        )
        db.session.add(stamp(review_row, at(day, 17)))
        db.session.flush()
        for description, owner, due_in, status, note in content.PANEL_ACTIONS:
            db.session.add(
                stamp(
                    PanelAction(
                        collaborative_id=collaborative.id,
                        review_id=review_row.id,
                        description=description,
                        owner=owner,
                        due_on=day + timedelta(days=due_in),
                        status=ActionStatus(status),
                        progress_note=note,
                        recorded_by_id=self.users["panel"].id,
                    ),
                    at(day, 17),
                )
            )


LESSONS = (
    "Small tests teach us more than long meetings.",
    "Looking at the chart together each month helps everyone see progress.",
    "People who draw on care notice things we miss.",
    "Writing a prediction first makes us more honest about what happened.",
)


def on_scale(score: float) -> float:
    """The nearest step of the 0.5 to 5.0 progress scale."""
    return min(max(round(score * 2) / 2, 0.5), 5.0)
