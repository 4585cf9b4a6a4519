"""`flask scale-data`: a large collaborative for measuring speed, the same rows every time.

At --scale 1 it holds 200 teams, 1,000 aims, 4,000 team measures (plus 4 shared ones), 400,000
data points and 20,000 PDSA cycles, about two years of weekly work. Every team has the same shape,
so --scale 0.25 gives 50 teams and --scale 4 gives 800, and a page's cost can be compared across
sizes. Values come from numpy generators seeded per team, and every date from one anchor day.

Issue 20's records grow with the teams too: evidence on a third of the change ideas, a closed
priority round of the collaborative (2 ideas per team in 20 themes, a voter per team) and two
still going on (being grouped into themes, and being voted on), and the
community of practice its top theme became (a member per 4 teams, 12 monthly meetings with
attendance and feedback, a research need per 10 teams).

Rows go in with bulk INSERTs of explicit ids (no ORM objects, no per-row RETURNING), all in one
transaction: a failure leaves nothing behind. This is test data, not anybody's change, so it
writes no audit trail, like `flask demo`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
import numpy as np
import sqlalchemy as sa
from flask import Flask

from improve.extensions import db
from improve.models import (
    ActionStatus,
    Agreement,
    Aim,
    Assessor,
    ChangeIdea,
    Collaborative,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    Cycle,
    DataPoint,
    Decision,
    Direction,
    Driver,
    DriverKind,
    EvaluationNote,
    EvidenceKind,
    Frequency,
    IdeaEvidence,
    IdeaSource,
    Improved,
    Measure,
    MeasureType,
    MeetingFeedback,
    Membership,
    MonthlyReport,
    NeedStatus,
    OrganisationKind,
    PanelAction,
    PanelReview,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    ProgressScore,
    Ramp,
    ReportStatus,
    ResearchNeed,
    ResearchNeedVote,
    Role,
    RoundParticipant,
    RoundStage,
    Stage,
    StakeholderGroup,
    Team,
    User,
    ValueKind,
    VotingMethod,
)
from improve.models.aim import driver_link
from improve.models.community import meeting_attendance
from improve.models.cycle import cycle_measure
from improve.models.measure import aim_measure
from improve.models.user import hash_password

TEAMS_AT_SCALE_1 = 200
AIMS_PER_TEAM = 5
MEASURES_PER_AIM = 4
IDEAS_PER_AIM = 2
CYCLES_PER_RAMP = 10
WEEKS = 96
SHARED_MONTHS = 20
REPORT_MONTHS = 12
TEAMS_PER_BATCH = 20
PASSWORD = "improve-scale"
COORDINATOR = "scale-coordinator@example.org"
PANEL = "scale-panel@example.org"
RESEARCHER = "scale-researcher@example.org"  # a research partner in the CoP, no team role
IDEAS_WITH_EVIDENCE = 3  # one change idea in 3 has a piece of evidence
ROUND_THEMES = 20
ROUND_IDEAS_PER_TEAM = 2  # from the lead and the member; the lead votes
TEAMS_PER_COP_MEMBER = 4
TEAMS_PER_RESEARCH_NEED = 10
COP_MEETINGS = 12
GROUPS = list(StakeholderGroup)
ANSWERS = (Agreement.YES, Agreement.YES, Agreement.PARTLY, Agreement.YES, Agreement.NO)

# (name, kind, chart, direction) of each team measure, in turn; and the collaborative's shared ones.
TEAM_MEASURES = [
    ("Falls", ValueKind.COUNT, "c", Direction.DECREASE, MeasureType.OUTCOME),
    ("Reviews on time", ValueKind.PROPORTION, "p", Direction.INCREASE, MeasureType.PROCESS),
    ("Days waiting", ValueKind.CONTINUOUS, "i", Direction.DECREASE, MeasureType.PROCESS),
    (
        "Staff overtime hours",
        ValueKind.CONTINUOUS,
        "run",
        Direction.DECREASE,
        MeasureType.BALANCING,
    ),
]
SHARED_MEASURES = [
    ("People supported at home", ValueKind.COUNT, "c", Direction.INCREASE, MeasureType.OUTCOME),
    ("Care plans reviewed", ValueKind.PROPORTION, "p", Direction.INCREASE, MeasureType.PROCESS),
    ("Days to first visit", ValueKind.CONTINUOUS, "i", Direction.DECREASE, MeasureType.PROCESS),
    ("Unplanned admissions", ValueKind.COUNT, "c", Direction.DECREASE, MeasureType.BALANCING),
]
AIM_TITLES = [
    "Fewer falls at home",
    "Reviews on time",
    "Quicker first visits",
    "More people choosing their support",
    "Fewer missed calls",
]
KINDS = list(OrganisationKind)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(anchor: date, back: int) -> date:
    """The first day of the month `back` months before the anchor's month."""
    months = anchor.year * 12 + anchor.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class Ids:
    """The next free id of each table: rows get explicit ids so children can name parents
    without a round trip per row."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int = 1) -> int:
        first = self.next[table]
        self.next[table] = first + count
        return first


@dataclass
class Rows:
    """Rows waiting to be inserted, per table, in an order parents-before-children."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.tables.setdefault(table, []).append(row)


@dataclass(frozen=True)
class Plan:
    teams: int
    day: date  # the day the data runs up to: every week and month complete by then has a value

    @property
    def anchor(self) -> date:
        """The Monday of the day's week: the week after the last weekly point."""
        return _monday(self.day)

    @property
    def first_week(self) -> date:
        return self.anchor - timedelta(weeks=WEEKS)


TABLES = {
    "user_account": User.__table__,
    "collaborative": Collaborative.__table__,
    "team": Team.__table__,
    "membership": Membership.__table__,
    "aim": Aim.__table__,
    "driver": Driver.__table__,
    "driver_link": driver_link,
    "change_idea": ChangeIdea.__table__,
    "ramp": Ramp.__table__,
    "measure": Measure.__table__,
    "aim_measure": aim_measure,
    "cycle": Cycle.__table__,
    "cycle_measure": cycle_measure,
    "data_point": DataPoint.__table__,
    "monthly_report": MonthlyReport.__table__,
    "progress_score": ProgressScore.__table__,
    "panel_review": PanelReview.__table__,
    "panel_action": PanelAction.__table__,
    "idea_evidence": IdeaEvidence.__table__,
    "community": Community.__table__,
    "community_member": CommunityMember.__table__,
    "community_meeting": CommunityMeeting.__table__,
    "meeting_attendance": meeting_attendance,
    "community_action": CommunityAction.__table__,
    "community_resource": CommunityResource.__table__,
    "meeting_feedback": MeetingFeedback.__table__,
    "community_evaluation_note": EvaluationNote.__table__,
    "priority_round": PriorityRound.__table__,
    "priority_theme": PriorityTheme.__table__,
    "round_participant": RoundParticipant.__table__,
    "priority_idea": PriorityIdea.__table__,
    "priority_vote": PriorityVote.__table__,
    "research_need": ResearchNeed.__table__,
    "research_need_vote": ResearchNeedVote.__table__,
}


def _stamps(day: date) -> dict[str, Any]:
    moment = _at(day)
    return {"created_at": moment, "updated_at": moment}


def _shared_rows(plan: Plan, ids: Ids, password_hash: str, rows: Rows) -> dict[str, Any]:
    """The collaborative, its coordinator and panel member, its shared measures and a review."""
    start = plan.first_week
    collaborative_id = ids.take("collaborative")
    rows.add(
        "collaborative",
        {
            "id": collaborative_id,
            "name": f"Scale test: {plan.teams} teams",
            "topic": "Living well at home",
            "description": "Generated by flask scale-data for measuring speed.",
            "starts_on": start,
            "ends_on": plan.anchor + timedelta(weeks=52),
            "version": 1,
            **_stamps(start),
        },
    )
    people = {}
    for email, name, role in (
        (COORDINATOR, "Scale coordinator", Role.COORDINATOR),
        (PANEL, "Scale panel member", Role.PANEL_MEMBER),
    ):
        user_id = people[role] = _user(ids, rows, email, name, password_hash, start)
        rows.add(
            "membership",
            {
                "id": ids.take("membership"),
                "user_id": user_id,
                "role": role,
                "collaborative_id": collaborative_id,
                "team_id": None,
                "version": 1,
                **_stamps(start),
            },
        )
    shared = []
    for name, kind, chart, direction, measure_type in SHARED_MEASURES:
        measure_id = ids.take("measure")
        shared.append((measure_id, kind))
        rows.add(
            "measure",
            _measure_row(measure_id, collaborative_id, None, None, name, kind, chart, direction)
            | {"measure_type": measure_type, "frequency": Frequency.MONTHLY}
            | {"baseline_start": _month(plan.day, SHARED_MONTHS)}
            | {"baseline_end": _month(plan.day, SHARED_MONTHS - 6)}
            | _stamps(start),
        )
    review_id = ids.take("panel_review")
    reviewed_on = plan.anchor - timedelta(weeks=8)
    rows.add(
        "panel_review",
        {
            "id": review_id,
            "collaborative_id": collaborative_id,
            "reviewed_on": reviewed_on,
            "decisions": "Keep going; share the falls work across the region.",
            "version": 1,
            **_stamps(reviewed_on),
        },
    )
    _action_rows(plan, ids, rows, collaborative_id, review_id, reviewed_on)
    return {
        "collaborative_id": collaborative_id,
        "shared": shared,
        "coordinator_id": people[Role.COORDINATOR],
    }


ACTION_STATUSES = ("open", "in_progress", "done", "dropped")


def _action_rows(
    plan: Plan, ids: Ids, rows: Rows, collaborative_id: int, review_id: int, reviewed_on: date
) -> None:
    """The review's actions: one for every 10 teams (at least 5), in every status, some of the
    open ones overdue, as a regional panel's list might be."""
    for number in range(max(5, plan.teams // 10)):
        rows.add(
            "panel_action",
            {
                "id": ids.take("panel_action"),
                "collaborative_id": collaborative_id,
                "review_id": review_id,
                "description": f"Share team {number + 1:03d}'s learning with the region",
                "owner": f"Scale owner {number % 7 + 1}",
                "due_on": reviewed_on + timedelta(weeks=2 + number % 12),
                "status": ACTION_STATUSES[number % len(ACTION_STATUSES)],
                "progress_note": "",
                "version": 1,
                **_stamps(reviewed_on),
            },
        )


def _user(ids: Ids, rows: Rows, email: str, name: str, password_hash: str, day: date) -> int:
    user_id = ids.take("user_account")
    rows.add(
        "user_account",
        {
            "id": user_id,
            "email": email,
            "display_name": name,
            "password_hash": password_hash,
            "is_admin": False,
            "is_enabled": True,
            "session_version": 1,
            "version": 1,
            **_stamps(day),
        },
    )
    return user_id


def _measure_row(
    measure_id: int,
    collaborative_id: int,
    team_id: int | None,
    aim_id: int | None,
    name: str,
    kind: ValueKind,
    chart: str,
    direction: Direction,
) -> dict[str, Any]:
    return {
        "id": measure_id,
        "collaborative_id": collaborative_id,
        "team_id": team_id,
        "aim_id": aim_id,
        "name": name,
        "operational_definition": f"{name}, counted the same way every period.",
        "value_kind": kind,
        "chart_type": chart,
        "direction": direction,
        "multiplier": 1.0,
        "target_value": None,
        "is_archived": False,
        "version": 1,
    }


def _values(
    rng: np.random.Generator, kind: ValueKind, count: int, improving: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """A series with a step change two thirds of the way through for half the series, so
    signals appear as they would in real work."""
    shift = np.where(np.arange(count) >= count * 2 // 3, 1.0, 0.0) * (1.0 if improving else 0.0)
    if kind == ValueKind.PROPORTION:
        denominators = rng.integers(20, 60, count).astype(float)
        rate = np.clip(0.55 + 0.2 * shift, 0, 1)
        return rng.binomial(denominators.astype(int), rate).astype(float), denominators
    if kind == ValueKind.COUNT:
        return rng.poisson(np.maximum(9 - 4 * shift, 0.5)).astype(float), None
    return np.round(rng.normal(20 - 5 * shift, 3), 1), None


def _add_points(
    ids: Ids,
    rows: Rows,
    measure_id: int,
    team_id: int,
    periods: list[date],
    series: tuple[np.ndarray, np.ndarray | None],
) -> None:
    """One team's points of one measure, a period each, entered a week after the period began."""
    values, denominators = series
    for index, period in enumerate(periods):
        rows.add(
            "data_point",
            {
                "id": ids.take("data_point"),
                "measure_id": measure_id,
                "team_id": team_id,
                "period_start": period,
                "value": float(values[index]),
                "denominator": None if denominators is None else float(denominators[index]),
                "excluded": False,
                "starts_new_phase": False,
                "version": 1,
                **_stamps(period + timedelta(days=7)),
            },
        )


def _team_rows(
    plan: Plan, ids: Ids, rows: Rows, shared: dict[str, Any], number: int, password_hash: str
) -> tuple[int, int]:
    """One team with its people, aims, drivers, ideas, cycles, measures, data and reports;
    returns the ids of its lead and its member."""
    rng = np.random.default_rng(number)
    start = plan.first_week
    collaborative_id = shared["collaborative_id"]
    team_id = ids.take("team")
    rows.add(
        "team",
        {
            "id": team_id,
            "collaborative_id": collaborative_id,
            "name": f"Team {number + 1:03d}",
            "organisation": f"Organisation {number // 2 + 1}",
            "organisation_kind": KINDS[number % len(KINDS)],
            "service": "Home care",
            "version": 1,
            **_stamps(start),
        },
    )
    lead_id = member_id = 0
    for person, role in (("lead", Role.TEAM_LEAD), ("member", Role.TEAM_MEMBER)):
        email = f"scale-{person}-{number + 1:03d}@example.org"
        user_id = _user(ids, rows, email, f"{person.title()} {number + 1}", password_hash, start)
        lead_id, member_id = lead_id or user_id, user_id
        rows.add(
            "membership",
            {
                "id": ids.take("membership"),
                "user_id": user_id,
                "role": role,
                "collaborative_id": None,
                "team_id": team_id,
                "version": 1,
                **_stamps(start),
            },
        )
    weeks = [start + timedelta(weeks=week) for week in range(WEEKS)]
    for aim_number in range(AIMS_PER_TEAM):
        aim_id, ramp_ids = _aim_rows(plan, ids, rows, team_id, aim_number, lead_id)
        measure_ids = []
        for index in range(MEASURES_PER_AIM):
            name, kind, chart, direction, measure_type = TEAM_MEASURES[index]
            measure_id = ids.take("measure")
            measure_ids.append(measure_id)
            rows.add(
                "measure",
                _measure_row(
                    measure_id, collaborative_id, team_id, aim_id, name, kind, chart, direction
                )
                | {"measure_type": measure_type, "frequency": Frequency.WEEKLY}
                | {"baseline_start": weeks[0], "baseline_end": weeks[11]}
                | _stamps(start),
            )
            series = _values(rng, kind, WEEKS, improving=(number + index) % 2 == 0)
            _add_points(ids, rows, measure_id, team_id, weeks, series)
        _cycle_rows(plan, ids, rows, team_id, ramp_ids, measure_ids[0], number, lead_id)
        if aim_number == 0:
            for measure_id, _kind in shared["shared"]:
                rows.add("aim_measure", {"aim_id": aim_id, "measure_id": measure_id})
    # Up to the last month complete by the day (counting from its Monday would leave the last
    # month of a week that straddles two months without a value).
    months = [_month(plan.day, back) for back in range(SHARED_MONTHS, 0, -1)]
    for measure_id, kind in shared["shared"]:
        series = _values(rng, kind, SHARED_MONTHS, improving=number % 3 != 0)
        _add_points(ids, rows, measure_id, team_id, months, series)
    _report_rows(plan, ids, rows, team_id, number, lead_id)
    return lead_id, member_id


def _aim_rows(
    plan: Plan, ids: Ids, rows: Rows, team_id: int, aim_number: int, lead: int
) -> tuple[int, list[int]]:
    """An aim with one primary and two secondary drivers (one change idea and ramp on each);
    returns the aim's id and its ramps' ids."""
    start = plan.first_week
    aim_id = ids.take("aim")
    rows.add(
        "aim",
        {
            "id": aim_id,
            "team_id": team_id,
            "title": AIM_TITLES[aim_number],
            "what": f"{AIM_TITLES[aim_number]} for the people we support",
            "for_whom": "People supported at home",
            "location": "Across the service",
            "target_value": 4.0,
            "target_date": plan.anchor + timedelta(weeks=26),
            "status": "active",
            "created_by_id": lead,
            "version": 1,
            **_stamps(start),
        },
    )
    primary = ids.take("driver")
    rows.add("driver", _driver_row(primary, aim_id, DriverKind.PRIMARY, "Reliable routines", start))
    ramp_ids = []
    for idea_number in range(IDEAS_PER_AIM):
        secondary = ids.take("driver")
        title = f"Team habit {idea_number + 1}"
        rows.add("driver", _driver_row(secondary, aim_id, DriverKind.SECONDARY, title, start))
        rows.add("driver_link", {"primary_id": primary, "secondary_id": secondary})
        idea_id = ids.take("change_idea")
        rows.add(
            "change_idea",
            {
                "id": idea_id,
                "aim_id": aim_id,
                "driver_id": secondary,
                "title": ("Morning huddle", "Checklist at handover")[idea_number],
                "position": idea_number,
                "version": 1,
                **_stamps(start),
            },
        )
        ramp_ids.append(ids.take("ramp"))
        rows.add(
            "ramp",
            {"id": ramp_ids[-1], "change_idea_id": idea_id, "title": "Testing it"} | _stamps(start),
        )
        if idea_id % IDEAS_WITH_EVIDENCE == 0:
            _evidence_row(ids, rows, team_id, idea_id, lead, start)
    return aim_id, ramp_ids


EVIDENCE = {
    EvidenceKind.RESEARCH: ("NICE (2013) Falls in older people (CG161)", ""),
    EvidenceKind.PRACTICE_KNOWLEDGE: ("Our shift leaders", "It fits the way shifts already run."),
    EvidenceKind.LIVED_EXPERIENCE: ("", "People told us the mornings are when they feel rushed."),
}


def _evidence_row(ids: Ids, rows: Rows, team_id: int, idea_id: int, lead: int, day: date) -> None:
    """One piece of evidence behind the idea, of each kind in turn."""
    kind = list(EVIDENCE)[idea_id // IDEAS_WITH_EVIDENCE % len(EVIDENCE)]
    source, account = EVIDENCE[kind]
    rows.add(
        "idea_evidence",
        {
            "id": ids.take("idea_evidence"),
            "team_id": team_id,
            "change_idea_id": idea_id,
            "kind": kind,
            "source": source,
            "account": account,
            "added_by_id": lead,
            "version": 1,
            **_stamps(day + timedelta(days=3)),
        },
    )


def _driver_row(driver_id: int, aim_id: int, kind: DriverKind, title: str, day: date) -> dict:
    return {
        "id": driver_id,
        "aim_id": aim_id,
        "kind": kind,
        "title": title,
        "position": 0,
        "version": 1,
        **_stamps(day),
    }


def _cycle_rows(
    plan: Plan,
    ids: Ids,
    rows: Rows,
    team_id: int,
    ramp_ids: list[int],
    measure_id: int,
    number: int,
    lead: int,
) -> None:
    """Ten cycles on each of the aim's ramps, one after another; the last may still be open.
    Every fifth team has tested nothing for eight weeks (its data is still up to date, so it is
    quiet, not stalled, in the coordinator's view)."""
    quiet_weeks = 8 if number % 5 == 4 else 0
    decisions = [Decision.ADAPT, Decision.ADAPT, Decision.ADOPT, Decision.ABANDON]
    for ramp_index, ramp_id in enumerate(ramp_ids):
        for cycle_number in range(1, CYCLES_PER_RAMP + 1):
            ends = plan.anchor - timedelta(weeks=quiet_weeks + (CYCLES_PER_RAMP - cycle_number) * 9)
            starts = ends - timedelta(weeks=2 + ramp_index)
            is_last = cycle_number == CYCLES_PER_RAMP
            stage = [Stage.PLAN, Stage.DO, Stage.STUDY][number % 3] if is_last else Stage.CLOSED
            decision = None if is_last else decisions[(cycle_number + ramp_index) % 4]
            cycle_id = ids.take("cycle")
            rows.add(
                "cycle",
                {
                    "id": cycle_id,
                    "team_id": team_id,
                    "ramp_id": ramp_id,
                    "number": cycle_number,
                    "title": f"Test {cycle_number}",
                    "owner_id": lead,
                    "starts_on": starts,
                    "ends_on": ends,
                    "stage": stage,
                    "objective": "See whether the change helps on a small scale first.",
                    "change_who": "Two care workers",
                    "change_what": "Try the change for one week",
                    "what_happened": "" if is_last else "It went mostly as planned.",
                    "improved": None if is_last else Improved.YES,
                    "decision": decision,
                    "closed_at": None if is_last else _at(ends),
                    "created_by_id": lead,
                    "version": 1,
                    "created_at": _at(starts),
                    "updated_at": _at(min(ends, plan.anchor - timedelta(weeks=quiet_weeks))),
                },
            )
            rows.add("cycle_measure", {"cycle_id": cycle_id, "measure_id": measure_id})


def _report_rows(plan: Plan, ids: Ids, rows: Rows, team_id: int, number: int, lead: int) -> None:
    """A submitted report and both scores for each of the last twelve months; every seventh
    team has not sent last month's report yet."""
    for back in range(REPORT_MONTHS, 0, -1):
        period = _month(plan.anchor, back)
        if back == 1 and number % 7 == 6:
            continue
        score = min(1.0 + 0.5 * ((REPORT_MONTHS - back) // 3 + number % 3), 5.0)
        report_id = ids.take("monthly_report")
        submitted = _at(_month(plan.anchor, back - 1) + timedelta(days=5))
        rows.add(
            "monthly_report",
            {
                "id": report_id,
                "team_id": team_id,
                "period_start": period,
                "revision": 1,
                "status": ReportStatus.SUBMITTED,
                "evidence": {},
                "achievements": "Kept testing the morning huddle.",
                "suggested_score": score,
                "suggested_reasons": [],
                "self_score": score,
                "submitted_at": submitted,
                "submitted_by_id": lead,
                "version": 1,
                "created_at": submitted,
                "updated_at": submitted,
            },
        )
        for assessor in (Assessor.SELF, Assessor.COORDINATOR):
            rows.add(
                "progress_score",
                {
                    "id": ids.take("progress_score"),
                    "team_id": team_id,
                    "period_start": period,
                    "assessor": assessor,
                    "score": score,
                    "report_id": report_id,
                    "version": 1,
                    "created_at": submitted,
                    "updated_at": submitted,
                },
            )


# Issue 20: the priority round and the community of practice it led to --------------------------


@dataclass(frozen=True)
class Teams:
    """What the round and the CoP need from the teams made before them."""

    ids: list[int]
    leads: list[int]
    members: list[int]
    first_aim: int
    first_cycle: int


# The rounds of the collaborative: (title, stage, months before the anchor). The finished one
# has the votes and what its themes became; the two still going on are where themes may still be
# changed and where people vote, so those pages are timed on rounds as large as the finished one.
ROUNDS = (
    ("Scale test priorities", RoundStage.CLOSED, 13),
    ("Scale test priorities: grouping ideas", RoundStage.THEMING, 1),
    ("Scale test priorities: voting", RoundStage.VOTING, 1),
)


def _round_rows(
    plan: Plan,
    ids: Ids,
    rows: Rows,
    shared: dict[str, Any],
    teams: Teams,
    community_id: int,
    title: str = ROUNDS[0][0],
    stage: RoundStage = RoundStage.CLOSED,
    months_ago: int = 13,
) -> None:
    """A round of dot voting, held `months_ago` months before the anchor: two ideas from each
    team (its lead's and its member's) spread over the themes. Once finished, each lead has spent
    all five dots on two themes, and the first theme became the CoP, the second a shared measure,
    the third an aim. Before that, the last theme holds no ideas (one a facilitator may delete)."""
    event = _month(plan.day, months_ago) + timedelta(days=11)
    finished = stage == RoundStage.CLOSED
    coordinator = shared["coordinator_id"]
    round_id = ids.take("priority_round")
    rows.add(
        "priority_round",
        {
            "id": round_id,
            "collaborative_id": shared["collaborative_id"],
            "community_id": None,
            "title": title,
            "question": "What should the teams work on together next?",
            "event_name": "Scale test networking event",
            "event_on": event,
            "stage": stage,
            "voting_method": VotingMethod.DOTS,
            "dots_per_person": 5,
            "max_dots_per_theme": 3,
            "ranks_per_person": 3,
            "created_by_id": coordinator,
            "version": 1,
            **_stamps(event - timedelta(days=10)),
        },
    )
    # At least one theme more than the three that became something: a facilitator may start a
    # CoP from it (or, before the end, delete it).
    count = min(ROUND_THEMES, max(4, len(teams.ids)))
    themes = [ids.take("priority_theme") for _ in range(count)]
    became = {
        0: {"community_id": community_id},
        1: {"measure_id": shared["shared"][0][0]},
        2: {"aim_id": teams.first_aim},
    }
    if not finished:
        became = {}
    holding = count if finished else count - 1  # themes that hold ideas
    for position, theme_id in enumerate(themes):
        rows.add(
            "priority_theme",
            {
                "id": theme_id,
                "round_id": round_id,
                "name": f"Theme {position + 1:02d}",
                "description": "Ideas the facilitator grouped together.",
                "position": position,
                "community_id": None,
                "aim_id": None,
                "measure_id": None,
                **became.get(position, {}),
                "version": 1,
                **_stamps(event + timedelta(days=3)),
            },
        )
    for number, (lead, member) in enumerate(zip(teams.leads, teams.members, strict=True)):
        for person, user_id in enumerate((lead, member)):
            group = GROUPS[(number + 4 * person) % len(GROUPS)]
            rows.add(
                "round_participant",
                {
                    "id": ids.take("round_participant"),
                    "round_id": round_id,
                    "user_id": user_id,
                    "stakeholder_group": group,
                    **_stamps(event - timedelta(days=5)),
                },
            )
            rows.add(
                "priority_idea",
                {
                    "id": ids.take("priority_idea"),
                    "round_id": round_id,
                    "theme_id": themes[(number * ROUND_IDEAS_PER_TEAM + person) % holding],
                    "text": f"Team {number + 1:03d}'s idea {person + 1}: work on this together.",
                    "stakeholder_group": group,
                    "source": IdeaSource.ONLINE if number % 4 else IdeaSource.EVENT,
                    "is_anonymous": number % 5 == 0,
                    "submitted_by_id": user_id if number % 4 else None,
                    "version": 1,
                    **_stamps(event - timedelta(days=5)),
                },
            )
        if not finished:
            continue
        first = number % count
        second = (number * 7 + 3) % count
        second = (first + 1) % count if second == first else second
        for theme, dots in ((first, 3), (second, 2)):
            rows.add(
                "priority_vote",
                {
                    "id": ids.take("priority_vote"),
                    "round_id": round_id,
                    "theme_id": themes[theme],
                    "user_id": lead,
                    "stakeholder_group": GROUPS[number % len(GROUPS)],
                    "dots": dots,
                    "rank": None,
                    **_stamps(event + timedelta(days=5)),
                },
            )


def _community_rows(
    plan: Plan, ids: Ids, rows: Rows, shared: dict[str, Any], teams: Teams, password_hash: str
) -> int:
    """The CoP: a member per 4 teams (every other one a team member's account, the rest people
    who only come to meetings; one in 10 has left), the coordinator facilitating and a research
    partner; 12 monthly meetings up to the last complete month. Returns its id."""
    started = _month(plan.day, COP_MEETINGS)
    coordinator = shared["coordinator_id"]
    researcher = _user(ids, rows, RESEARCHER, "Scale researcher", password_hash, started)
    community_id = ids.take("community")
    rows.add(
        "community",
        {
            "id": community_id,
            "name": f"Scale test community: {len(teams.ids)} teams",
            "theme": "Complex needs across the lifespan",
            "description": "Generated by flask scale-data for measuring speed.",
            "collaborative_id": shared["collaborative_id"],
            "started_on": started,
            "created_by_id": coordinator,
            "version": 1,
            **_stamps(started),
        },
    )
    days = [_month(plan.day, back) + timedelta(days=9) for back in range(COP_MEETINGS, 0, -1)]
    members = _member_rows(ids, rows, community_id, teams, coordinator, researcher, started, days)
    meetings = _meeting_rows(ids, rows, community_id, coordinator, members, days)
    _need_rows(ids, rows, community_id, coordinator, teams, members, meetings, days)
    for number in range(6):
        rows.add(
            "community_resource",
            {
                "id": ids.take("community_resource"),
                "community_id": community_id,
                "title": f"Resource {number + 1}",
                "url": f"https://www.nice.org.uk/guidance/ng{43 + number}" if number % 2 else "",
                "note": "Shared at a meeting.",
                "evidence_kind": list(EvidenceKind)[number % 3] if number % 3 else None,
                "added_by_id": researcher if number % 2 else coordinator,
                "version": 1,
                **_stamps(days[number * 2]),
            },
        )
    for number, (back, interviews) in enumerate(((6, 9), (1, 12))):
        written = _month(plan.day, back) + timedelta(days=20)
        rows.add(
            "community_evaluation_note",
            {
                "id": ids.take("community_evaluation_note"),
                "community_id": community_id,
                "title": ("Interviews at six months", "Year one interviews")[number],
                "written_on": written,
                "interviews": interviews,
                "who_was_interviewed": "Members from every stakeholder group.",
                "findings": "People felt listened to and treated as equals.",
                "added_by_id": coordinator,
                "version": 1,
                **_stamps(written),
            },
        )
    return community_id


# A CoP member: (member id, user id or None, stakeholder group, left on or None)
CopMember = tuple[int, int | None, StakeholderGroup, date | None]


def _member_rows(
    ids: Ids,
    rows: Rows,
    community_id: int,
    teams: Teams,
    coordinator: int,
    researcher: int,
    started: date,
    days: list[date],
) -> list[CopMember]:
    """The facilitator, the research partner and a member per 4 teams."""
    people: list[tuple[int | None, str, StakeholderGroup, CommunityRole]] = [
        (
            coordinator,
            "Scale coordinator",
            StakeholderGroup.STATUTORY_SERVICE,
            CommunityRole.FACILITATOR,
        ),
        (researcher, "Scale researcher", StakeholderGroup.ACADEMIA, CommunityRole.RESEARCH_PARTNER),
    ]
    for number in range(max(3, len(teams.ids) // TEAMS_PER_COP_MEMBER)):
        team = number * TEAMS_PER_COP_MEMBER  # past the last team (a tiny scale): no account
        account = teams.members[team] if number % 2 == 0 and team < len(teams.ids) else None
        group = GROUPS[number % len(GROUPS)]
        people.append((account, f"CoP member {number + 1}", group, CommunityRole.MEMBER))
    members: list[CopMember] = []
    for number, (user_id, name, group, role) in enumerate(people):
        left = days[6] + timedelta(days=7) if number % 10 == 9 else None
        member_id = ids.take("community_member")
        rows.add(
            "community_member",
            {
                "id": member_id,
                "community_id": community_id,
                "user_id": user_id,
                "name": name,
                "organisation": f"Organisation {number % 40 + 1}",
                "stakeholder_group": group,
                "role": role,
                "joined_on": started,
                "left_on": left,
                "version": 1,
                **_stamps(started),
            },
        )
        members.append((member_id, user_id if role == CommunityRole.MEMBER else None, group, left))
    return members


def _meeting_rows(
    ids: Ids,
    rows: Rows,
    community_id: int,
    coordinator: int,
    members: list[CopMember],
    days: list[date],
) -> list[int]:
    """Twelve meetings, each with about 7 in 10 of the members then, an action, and feedback
    from about half of those who came (a team member online, the others on paper)."""
    meetings = []
    for number, held_on in enumerate(days):
        meeting_id = ids.take("community_meeting")
        meetings.append(meeting_id)
        guests = {GROUPS[number % len(GROUPS)].value: 1 + number % 3} if number % 2 else {}
        rows.add(
            "community_meeting",
            {
                "id": meeting_id,
                "community_id": community_id,
                "held_on": held_on,
                "title": f"Meeting {number + 1}",
                "agenda": "1. Actions from last time\n2. Topic of the month\n3. Next steps",
                "notes": "We shared what works and agreed what to try next.",
                "guests": guests,
                "recorded_by_id": coordinator,
                "version": 1,
                **_stamps(held_on),
            },
        )
        rows.add(
            "community_action",
            {
                "id": ids.take("community_action"),
                "community_id": community_id,
                "meeting_id": meeting_id,
                "description": f"Follow up topic {number + 1}",
                "owner": f"CoP member {number + 1}",
                "due_on": held_on + timedelta(days=60),
                "status": list(ActionStatus)[number % len(ActionStatus)],
                "progress_note": "",
                "recorded_by_id": coordinator,
                "version": 1,
                **_stamps(held_on),
            },
        )
        for index, (member_id, user_id, group, left) in enumerate(members):
            if (left and left <= held_on) or (index * 7 + number * 3) % 10 >= 7:
                continue
            rows.add("meeting_attendance", {"meeting_id": meeting_id, "member_id": member_id})
            if index < 2 or (index + number) % 2:
                continue  # neither the facilitator nor the research partner answers
            rows.add(
                "meeting_feedback",
                {
                    "id": ids.take("meeting_feedback"),
                    "meeting_id": meeting_id,
                    "user_id": user_id,
                    "entered_by_id": None if user_id else coordinator,
                    "stakeholder_group": group,
                    "listened_to": ANSWERS[(index + number) % len(ANSWERS)],
                    "learned_something": ANSWERS[(index * 3 + number) % len(ANSWERS)],
                    "will_use": ANSWERS[(index * 2 + number + 1) % len(ANSWERS)],
                    "comment": "",
                    **_stamps(held_on + timedelta(days=1)),
                },
            )
    return meetings


def _need_rows(
    ids: Ids,
    rows: Rows,
    community_id: int,
    coordinator: int,
    teams: Teams,
    members: list[CopMember],
    meetings: list[int],
    days: list[date],
) -> None:
    """A research need per 10 teams, raised at the meetings in turn (the first in a team's
    Study stage), one taken up and one answered; every member with an account votes for two."""
    count = max(3, len(teams.ids) // TEAMS_PER_RESEARCH_NEED)
    needs = []
    for number in range(count):
        need_id = ids.take("research_need")
        needs.append(need_id)
        meeting = number % len(meetings)
        status = {1: NeedStatus.TAKEN_UP, 2: NeedStatus.ANSWERED}.get(number, NeedStatus.OPEN)
        rows.add(
            "research_need",
            {
                "id": need_id,
                "community_id": community_id,
                "question": f"Research question {number + 1}: what helps most, and for whom?",
                "background": "",
                "raised_by": f"CoP member {number + 1}",
                "raised_by_group": GROUPS[number % len(GROUPS)],
                "shared_by": 1 + number % 9,
                "meeting_id": None if number == 0 else meetings[meeting],
                "cycle_id": teams.first_cycle if number == 0 else None,
                "status": status,
                "response": "" if status == NeedStatus.OPEN else "The research partner replied.",
                "logged_by_id": coordinator,
                "version": 1,
                **_stamps(days[meeting] + timedelta(days=1)),
            },
        )
    voters = [(user_id, group) for _, user_id, group, _ in members if user_id]
    for number, (user_id, group) in enumerate(voters):
        for need in {needs[number % count], needs[(number + 1) % count]}:
            rows.add(
                "research_need_vote",
                {
                    "id": ids.take("research_need_vote"),
                    "need_id": need,
                    "user_id": user_id,
                    "stakeholder_group": group,
                    **_stamps(days[-1]),
                },
            )


def _first_free_ids() -> Ids:
    ids = Ids()
    for name, table in TABLES.items():
        if "id" in table.c:
            ids.next[name] = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return ids


def _count(rows: Rows, counts: dict[str, int]) -> None:
    for table, batch in rows.tables.items():
        counts[table] = counts.get(table, 0) + len(batch)


def _insert(rows: Rows) -> None:
    for name, table in TABLES.items():
        batch = rows.tables.get(name)
        if batch:
            db.session.execute(table.insert(), batch)
    rows.tables.clear()


def _move_sequences_on() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    if db.engine.dialect.name != "postgresql":
        return
    for name, table in TABLES.items():
        if "id" in table.c:
            highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1)).scalar_subquery()
            sequence = sa.func.pg_get_serial_sequence(name, "id")
            db.session.execute(sa.select(sa.func.setval(sequence, highest)))


def generate(scale: float, anchor: date) -> dict[str, int]:
    """Add the scaled collaborative (the caller commits); returns the number of rows per table."""
    plan = Plan(teams=max(1, round(TEAMS_AT_SCALE_1 * scale)), day=anchor)
    name = f"Scale test: {plan.teams} teams"
    if db.session.scalar(sa.select(Collaborative.id).where(Collaborative.name == name)):
        raise click.UsageError(f"the database already has {name!r}")
    password = hash_password(PASSWORD)  # one hash for every account: hashing is slow on purpose
    ids, rows = _first_free_ids(), Rows()
    counts: dict[str, int] = {}
    shared = _shared_rows(plan, ids, password, rows)
    first_aim, first_cycle = ids.next["aim"], ids.next["cycle"]  # the first team's
    made: list[tuple[int, int, int]] = []
    for number in range(plan.teams):
        team_id = ids.next["team"]
        made.append((team_id, *_team_rows(plan, ids, rows, shared, number, password)))
        if number % TEAMS_PER_BATCH == TEAMS_PER_BATCH - 1 or number == plan.teams - 1:
            _count(rows, counts)
            _insert(rows)
    team_ids, leads, members = (list(column) for column in zip(*made, strict=True))
    teams = Teams(team_ids, leads, members, first_aim, first_cycle)
    community_id = _community_rows(plan, ids, rows, shared, teams, password)
    for title, stage, months_ago in ROUNDS:
        _round_rows(plan, ids, rows, shared, teams, community_id, title, stage, months_ago)
    _count(rows, counts)
    _insert(rows)
    _move_sequences_on()
    return counts


@click.command("scale-data")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.005, 20))
@click.option(
    "--anchor",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the data runs up to (default: today). The same day gives the same rows.",
)
def scale_data(scale: float, anchor: datetime | None) -> None:
    """Create a large collaborative for measuring speed (200 teams at --scale 1)."""
    started = time.perf_counter()
    counts = generate(scale, (anchor or datetime.now(UTC)).date())
    db.session.commit()
    # Fresh planner statistics, so the first pages after a bulk load are planned for its size
    # (PostgreSQL's autovacuum would gather them too, but later and while being measured).
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    seconds = time.perf_counter() - started
    for table, count in counts.items():
        click.echo(f"  {table:<26} {count:>9,}")
    click.echo(f"Created in {seconds:.1f} s. Every account's password is {PASSWORD!r}:")
    click.echo(f"  {COORDINATOR} (coordinator, CoP facilitator), {PANEL} (panel member),")
    click.echo(f"  {RESEARCHER} (research partner in the community of practice only),")
    click.echo("  scale-lead-001@example.org ... (team leads), scale-member-001@example.org ...")


def init_app(app: Flask) -> None:
    app.cli.add_command(scale_data)
