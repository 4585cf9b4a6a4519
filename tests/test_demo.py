"""The demo collaborative: what `flask demo` creates, that it is the same every time, and that
its data tells the story it is meant to (the engine finds the shifts after adopted changes)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from improve import demo
from improve.analysis.activity import stuck_in_plan
from improve.analysis.periods import due_date, report_state, submission_timing
from improve.analysis.rules import signals
from improve.analysis.spc import control_chart
from improve.extensions import db
from improve.models import (
    Agreement,
    Aim,
    ChangeIdea,
    Collaborative,
    CollaborativePhase,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    Cycle,
    DataPoint,
    Decision,
    EvaluationNote,
    EvidenceKind,
    Frequency,
    IdeaEvidence,
    IdeaSource,
    Measure,
    MeetingFeedback,
    Membership,
    MonthlyReport,
    NeedStatus,
    OrganisationKind,
    PanelAction,
    PanelReview,
    PhaseKind,
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
    StakeholderGroup,
    Team,
    User,
    VotingMethod,
)
from improve.models.community import LIVED_EXPERIENCE_GROUPS, meeting_attendance
from improve.models.cycle import cycle_measure
from improve.permissions import (
    CommunityPermission,
    Permission,
    can,
    can_in_community,
)

# A day early in a month: the report for two months ago is past its due date (the 10th), last
# month's is not due yet.
TODAY = date(2026, 3, 5)
LAST_COMPLETE_MONTH = date(2026, 2, 1)


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def team_named(name: str) -> Team:
    return db.session.scalars(sa.select(Team).where(Team.name == name)).one()


def measure_named(name: str) -> Measure:
    return db.session.scalars(sa.select(Measure).where(Measure.name == name)).one()


@pytest.fixture
def created(app) -> Collaborative:
    collaborative = demo.create(TODAY)
    db.session.commit()
    return collaborative


# The command ---------------------------------------------------------------------------------


def test_the_command_creates_the_collaborative_and_prints_every_account(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data created." in result.output
    accounts = demo.all_accounts()
    assert len(accounts) == count(User) == 17
    for email, name, _, _ in accounts:
        assert email in result.output
        assert name in result.output
    assert f"password for all: {demo.DEMO_PASSWORD}" in result.output
    assert "Team lead - Meadowbank Home Care" in result.output
    assert "Rosa Researcher    Research partner (community of practice)" in result.output


def test_if_empty_does_nothing_the_second_time(runner):
    first = runner.invoke(args=["demo", "--if-empty"])
    assert "Demo data created." in first.output
    before = [count(model) for model in (User, Team, Cycle, DataPoint, MonthlyReport)]

    second = runner.invoke(args=["demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "keeping existing data" in second.output
    assert [count(model) for model in (User, Team, Cycle, DataPoint, MonthlyReport)] == before
    assert count(Collaborative) == 1
    assert "pathwaysexpert@example.org" in second.output


# What it holds -------------------------------------------------------------------------------


def test_the_original_accounts_and_teams_are_unchanged(created):
    riverside = team_named("Riverside Care Home")
    north = team_named("North Locality Social Work")
    assert (riverside.organisation, north.organisation) == (
        "Riverside Care Ltd",
        "Northshire County Council",
    )
    assert created.name == "Living Well at Home collaborative"
    # The browser tests count the people on Riverside's page.
    assert count(Membership, Membership.team_id == riverside.id) == 3
    for email, name, role, _ in demo.ACCOUNTS:
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        assert user.display_name == name
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.is_admin == (role is None)


def test_six_teams_from_different_kinds_of_organisation(created):
    teams = db.session.scalars(sa.select(Team)).all()
    assert len(teams) == 6
    assert {team.organisation_kind for team in teams} == {
        OrganisationKind.COUNCIL,
        OrganisationKind.CARE_HOME,
        OrganisationKind.HOME_CARE,
        OrganisationKind.VOLUNTARY,
    }
    # Every team has a lead; experts by experience sit in four of them.
    leads = count(Membership, Membership.role == Role.TEAM_LEAD)
    experts = sa.select(sa.func.count(sa.distinct(Membership.team_id))).where(
        Membership.role == Role.EXPERT_BY_EXPERIENCE
    )
    assert (leads, db.session.scalar(experts)) == (6, 4)


def test_phases_run_about_twenty_months_and_end_in_the_future(created):
    kinds = {phase.kind for phase in created.phases}
    assert {
        PhaseKind.PREWORK,
        PhaseKind.START_MEETING,
        PhaseKind.LEARNING_SESSION,
        PhaseKind.ACTION_PERIOD,
        PhaseKind.END_MEETING,
    } <= kinds
    assert count(CollaborativePhase, CollaborativePhase.kind == PhaseKind.LEARNING_SESSION) == 3
    months = (created.ends_on.year - created.starts_on.year) * 12 + (
        created.ends_on.month - created.starts_on.month
    )
    assert 19 <= months <= 21
    assert created.starts_on < TODAY < created.ends_on
    end_meeting = next(p for p in created.phases if p.kind == PhaseKind.END_MEETING)
    assert end_meeting.starts_on > TODAY


def test_two_shared_measures_with_monthly_data_for_every_team(created):
    shared = db.session.scalars(sa.select(Measure).where(Measure.team_id.is_(None))).all()
    assert len(shared) == 2
    for measure in shared:
        per_team = dict(
            db.session.execute(
                sa.select(DataPoint.team_id, sa.func.count())
                .where(DataPoint.measure_id == measure.id)
                .group_by(DataPoint.team_id)
            ).all()
        )
        stalled = team_named("Carers Together").id
        assert len(per_team) == 6
        assert all(18 <= n <= 24 for team, n in per_team.items() if team != stalled)
        assert per_team[stalled] == 20  # stopped three months ago


def test_series_run_18_to_24_months_up_to_the_last_complete_month(created):
    rows = db.session.execute(
        sa.select(
            Measure.name,
            Measure.frequency,
            DataPoint.team_id,
            sa.func.min(DataPoint.period_start),
            sa.func.max(DataPoint.period_start),
        )
        .join(DataPoint, DataPoint.measure_id == Measure.id)
        .group_by(Measure.id, Measure.name, Measure.frequency, DataPoint.team_id)
    ).all()
    outcome_spans = []
    for name, frequency, _, first, last in rows:
        assert last <= LAST_COMPLETE_MONTH + timedelta(days=27), name
        outcome_spans.append((last - first).days)
        if frequency == Frequency.WEEKLY:
            assert (last - first).days // 7 + 1 >= 90, name
    assert max(outcome_spans) // 30 in range(18, 25)
    # Every team but the stalled one has data for the last complete month.
    latest = db.session.scalars(
        sa.select(DataPoint.team_id).where(DataPoint.period_start == LAST_COMPLETE_MONTH)
    ).all()
    assert set(latest) == {t.id for t in db.session.scalars(sa.select(Team))} - {
        team_named("Carers Together").id
    }


def test_cycles_in_ramps_with_all_three_decisions_predictions_and_results(created):
    by_decision = dict(
        db.session.execute(
            sa.select(Cycle.decision, sa.func.count()).group_by(Cycle.decision)
        ).all()
    )
    assert by_decision == {
        Decision.ADOPT: 12,
        Decision.ADAPT: 21,
        Decision.ABANDON: 6,
        None: 6,  # still being planned, done or studied
    }
    closed = db.session.scalars(sa.select(Cycle).where(Cycle.decision.is_not(None))).all()
    for cycle in closed:
        [question] = cycle.questions
        assert question.prediction and question.result, cycle.title
        assert cycle.closed_at is not None and cycle.next_steps
    ramps_with_several = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(Cycle.ramp_id).group_by(Cycle.ramp_id).having(sa.func.count() > 1).subquery()
        )
    )
    assert ramps_with_several >= 10


def test_the_stalled_team_has_done_nothing_for_over_two_months(created):
    carers = team_named("Carers Together")
    last_point = db.session.scalar(
        sa.select(sa.func.max(DataPoint.created_at)).where(DataPoint.team_id == carers.id)
    )
    last_cycle = db.session.scalar(
        sa.select(sa.func.max(Cycle.updated_at)).where(Cycle.team_id == carers.id)
    )
    for moment in (last_point, last_cycle):
        assert (TODAY - moment.date()).days > 60
    others = db.session.scalar(
        sa.select(sa.func.max(Cycle.updated_at)).where(Cycle.team_id != carers.id)
    )
    assert (TODAY - others.date()).days < 30


def test_reports_submitted_one_team_late_and_one_draft(created):
    by_status = dict(
        db.session.execute(
            sa.select(MonthlyReport.status, sa.func.count()).group_by(MonthlyReport.status)
        ).all()
    )
    assert by_status == {ReportStatus.SUBMITTED: 99, ReportStatus.DRAFT: 1}
    due_day = created.report_due_day
    latest_due = date(2026, 1, 1)  # due on 10 February; February's is due on 10 March
    assert (
        due_date(latest_due, "monthly", due_day)
        < TODAY
        < due_date(LAST_COMPLETE_MONTH, "monthly", due_day)
    )
    states = {}
    for team in created.teams:
        reports = db.session.scalars(
            sa.select(MonthlyReport).where(
                MonthlyReport.team_id == team.id, MonthlyReport.period_start >= latest_due
            )
        ).all()
        states[team.name] = [
            report_state(
                start,
                "monthly",
                due_day,
                TODAY,
                submitted=any(
                    r.period_start == start and r.status == ReportStatus.SUBMITTED for r in reports
                ),
                has_draft=any(
                    r.period_start == start and r.status == ReportStatus.DRAFT for r in reports
                ),
            )
            for start in (latest_due, LAST_COMPLETE_MONTH)
        ]
    assert states.pop("North Locality Social Work") == ["late", "due"]
    assert states.pop("Carers Together") == ["submitted", "draft"]
    assert set(map(tuple, states.values())) == {("submitted", "submitted")}


def test_scores_by_teams_and_coordinator_and_a_panel_review(created):
    submitted = db.session.scalars(
        sa.select(MonthlyReport).where(MonthlyReport.status == ReportStatus.SUBMITTED)
    ).all()
    selves = count(ProgressScore, ProgressScore.assessor == "self")
    coordinators = count(ProgressScore, ProgressScore.assessor == "coordinator")
    assert selves == len(submitted)
    assert 0 < coordinators < selves
    for report in submitted:
        assert report.suggested_score is not None and report.suggested_reasons
        assert report.evidence["period_start"] == report.period_start.isoformat()
    # The academy rates itself a full point above the coordinator in some months.
    academy = team_named("Northshire Care Academy")
    scores: dict[date, dict[str, float]] = {}
    for score in db.session.scalars(
        sa.select(ProgressScore).where(ProgressScore.team_id == academy.id)
    ):
        scores.setdefault(score.period_start, {})[score.assessor.value] = score.score
    assert any(s.get("self", 0) - s.get("coordinator", 5) >= 1.0 for s in scores.values())
    [review] = db.session.scalars(sa.select(PanelReview)).all()
    assert 60 <= (TODAY - review.reviewed_on).days <= 130
    assert review.decisions and review.organisational_changes
    # Its actions have owners, due dates and one of each state the panel's list shows.
    actions = db.session.scalars(sa.select(PanelAction)).all()
    assert {action.review_id for action in actions} == {review.id}
    assert {action.status.value for action in actions} == {"done", "in_progress", "open"}
    assert all(action.owner and action.due_on > review.reviewed_on for action in actions)


def test_an_idea_copied_from_another_team_keeps_its_provenance(created):
    from improve.models import ChangeIdea

    copies = db.session.scalars(
        sa.select(ChangeIdea).where(ChangeIdea.copied_from_id.is_not(None))
    ).all()
    assert [(c.title, c.copied_from.aim.team.name) for c in copies] == [
        ("Buddy for every new starter", "Meadowbank Home Care")
    ]
    assert copies[0].aim.team.name == "Northshire Care Academy"


# The community of practice and the priority round that chose its theme (issue 20) -----------


def user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def test_the_priority_round_is_closed_with_every_idea_themed_and_votes_within_limits(created):
    [held] = db.session.scalars(sa.select(PriorityRound)).all()
    assert (held.collaborative_id, held.community_id) == (created.id, None)
    assert held.stage == RoundStage.CLOSED and held.voting_method == VotingMethod.DOTS
    assert (held.dots_per_person, held.max_dots_per_theme) == (5, 3)
    assert 12 <= (TODAY - held.event_on).days // 30 <= 13  # about 13 months ago
    ideas = db.session.scalars(sa.select(PriorityIdea)).all()
    themes = db.session.scalars(sa.select(PriorityTheme)).all()
    assert len(ideas) >= 25 and 5 <= len(themes) <= 6
    assert all(idea.theme_id is not None for idea in ideas)
    assert {idea.stakeholder_group for idea in ideas} == set(StakeholderGroup)
    assert {idea.source for idea in ideas} == {IdeaSource.ONLINE, IdeaSource.EVENT}
    # Event cards name nobody; the expert sent one of the anonymous ideas online.
    assert all(i.submitted_by_id is None for i in ideas if i.source == IdeaSource.EVENT)
    anonymous = {i.submitted_by_id for i in ideas if i.is_anonymous}
    assert user("expert@example.org").id in anonymous
    # Every vote is a participant's, in the group they chose, within the dots they had; every
    # participant holds a role in the collaborative (taking part in its round needs one).
    participants = {
        p.user_id: p.stakeholder_group for p in db.session.scalars(sa.select(RoundParticipant))
    }
    votes = db.session.scalars(sa.select(PriorityVote)).all()
    dots: dict[int, int] = {}
    for vote in votes:
        assert vote.rank is None and 1 <= vote.dots <= held.max_dots_per_theme
        assert participants[vote.user_id] == vote.stakeholder_group
        dots[vote.user_id] = dots.get(vote.user_id, 0) + vote.dots
    assert len(dots) >= 12 and max(dots.values()) <= held.dots_per_person
    for user_id in participants:
        assert can(db.session.get(User, user_id), Permission.VIEW_COLLABORATIVE, created)
    # The theme with most dots became the CoP; one became a shared measure, one a team's aim.
    totals = {t.id: sum(v.dots for v in votes if v.theme_id == t.id) for t in themes}
    top = max(themes, key=lambda t: totals[t.id])
    community = db.session.scalars(sa.select(Community)).one()
    assert top.community_id == community.id and top.name == community.name
    [measure_theme] = [t for t in themes if t.measure_id]
    measure = db.session.get(Measure, measure_theme.measure_id)
    assert (measure.collaborative_id, measure.team_id) == (created.id, None)
    [aim_theme] = [t for t in themes if t.aim_id]
    assert db.session.get(Aim, aim_theme.aim_id).team.collaborative_id == created.id


def test_the_community_meets_monthly_with_members_from_every_side(created):
    community = db.session.scalars(sa.select(Community)).one()
    assert community.collaborative_id == created.id
    assert 11 <= (TODAY - community.started_on).days // 30 <= 12
    meetings = db.session.scalars(
        sa.select(CommunityMeeting).order_by(CommunityMeeting.held_on)
    ).all()
    # Twelve meetings, one in each of the last twelve complete months.
    a_year_ago = date(TODAY.year - 1, TODAY.month, 1)
    assert len(meetings) == 12
    assert all(a_year_ago <= m.held_on < TODAY.replace(day=1) for m in meetings)
    assert len({(m.held_on.year, m.held_on.month) for m in meetings}) == 12
    assert all(m.agenda and m.notes for m in meetings)
    assert sum(bool(m.guests) for m in meetings) >= 6
    members = db.session.scalars(sa.select(CommunityMember)).all()
    current = [m for m in members if m.left_on is None]
    assert len(members) >= 28
    assert len({m.stakeholder_group for m in current}) >= 6
    assert {m.stakeholder_group for m in current} >= set(LIVED_EXPERIENCE_GROUPS)
    assert 2 <= sum(m.left_on is not None for m in members) <= 3
    assert sum(m.joined_on > community.started_on for m in members) >= 2
    assert sum(m.user_id is None for m in members) >= 25
    # Only people who were members on the day are listed as there.
    for meeting in meetings:
        assert meeting.attendees
        for member in meeting.attendees:
            assert member.joined_on <= meeting.held_on
            assert member.left_on is None or meeting.held_on < member.left_on
    [facilitator] = [m for m in members if m.role == CommunityRole.FACILITATOR]
    assert facilitator.user_id == user("coordinator@example.org").id
    roles = {m.user_id: (m.role, m.stakeholder_group) for m in members if m.user_id}
    assert roles[user("expert@example.org").id] == (
        CommunityRole.MEMBER,
        StakeholderGroup.EXPERT_BY_EXPERIENCE,
    )
    assert roles[user("member@example.org").id] == (
        CommunityRole.MEMBER,
        StakeholderGroup.FRONTLINE_PRACTITIONER,
    )


def test_the_research_partner_has_the_community_and_nothing_else(created):
    researcher = user("researcher@example.org")
    community = db.session.scalars(sa.select(Community)).one()
    assert count(Membership, Membership.user_id == researcher.id) == 0
    assert not researcher.is_admin and researcher.check_password(demo.DEMO_PASSWORD)
    member = db.session.scalars(
        sa.select(CommunityMember).where(CommunityMember.user_id == researcher.id)
    ).one()
    assert (member.role, member.stakeholder_group) == (
        CommunityRole.RESEARCH_PARTNER,
        StakeholderGroup.ACADEMIA,
    )
    assert can_in_community(researcher, CommunityPermission.VIEW, community)
    assert not can_in_community(researcher, CommunityPermission.TAKE_PART, community)
    assert not can(researcher, Permission.VIEW_COLLABORATIVE, created)
    assert not any(can(researcher, Permission.VIEW_TEAM, team) for team in created.teams)


def test_actions_resources_feedback_and_evaluation(created):
    actions = db.session.scalars(sa.select(CommunityAction)).all()
    assert len(actions) >= 10
    statuses = [a.status.value for a in actions]
    assert statuses.count("done") > len(actions) / 2
    assert "in_progress" in statuses
    overdue = [a for a in actions if a.status.is_open and a.due_on < TODAY]
    assert len(overdue) == 1
    assert all(a.owner and a.due_on > a.meeting.held_on for a in actions)
    resources = db.session.scalars(sa.select(CommunityResource)).all()
    assert len(resources) >= 6
    assert all(r.url.startswith("https://") or (not r.url and r.note) for r in resources)
    assert {r.evidence_kind for r in resources} >= {None, *EvidenceKind}
    feedback = db.session.scalars(sa.select(MeetingFeedback)).all()
    with_feedback = {f.meeting_id for f in feedback}
    assert 9 <= len(with_feedback) < 12
    assert len({f.stakeholder_group for f in feedback}) >= 6
    for question in ("listened_to", "learned_something", "will_use"):
        assert {getattr(f, question) for f in feedback} == set(Agreement)
    facilitator = user("coordinator@example.org")
    paper = [f for f in feedback if f.user_id is None]
    assert paper and all(f.entered_by_id == facilitator.id for f in paper)
    online = [f for f in feedback if f.user_id is not None]
    assert online and all(f.entered_by_id is None for f in online)
    # Members answer for meetings they came to.
    came = set(
        db.session.execute(
            sa.select(meeting_attendance.c.meeting_id, CommunityMember.user_id).join(
                CommunityMember, CommunityMember.id == meeting_attendance.c.member_id
            )
        ).all()
    )
    assert all((f.meeting_id, f.user_id) in came for f in online)
    notes = db.session.scalars(sa.select(EvaluationNote).order_by(EvaluationNote.written_on))
    assert [(n.title, n.interviews) for n in notes] == [
        ("Interviews at six months", 9),
        ("Year one interviews", 12),
    ]


def test_research_needs_from_meetings_and_a_teams_study_stage(created):
    needs = db.session.scalars(sa.select(ResearchNeed)).all()
    assert len(needs) >= 6
    assert sum(n.meeting_id is not None for n in needs) >= len(needs) - 1
    [from_a_cycle] = [n for n in needs if n.cycle_id is not None]
    cycle = db.session.get(Cycle, from_a_cycle.cycle_id)
    assert db.session.get(Team, cycle.team_id).collaborative_id == created.id
    assert cycle.decision is not None  # raised in its Study stage, before the decision
    by_status = {n.status: n for n in needs}
    assert by_status[NeedStatus.TAKEN_UP].response and by_status[NeedStatus.ANSWERED].response
    assert [n.status for n in needs].count(NeedStatus.OPEN) == len(needs) - 2
    votes = db.session.scalars(sa.select(ResearchNeedVote)).all()
    assert len({v.stakeholder_group for v in votes}) >= 4
    # Only members who take part vote, in the group they have in the CoP.
    takes_part = {
        m.user_id: m.stakeholder_group
        for m in db.session.scalars(sa.select(CommunityMember))
        if m.role in (CommunityRole.FACILITATOR, CommunityRole.MEMBER) and m.user_id
    }
    assert all(takes_part[v.user_id] == v.stakeholder_group for v in votes)


def test_evidence_behind_change_ideas_of_all_three_kinds(created):
    evidence = db.session.scalars(sa.select(IdeaEvidence)).all()
    assert {e.kind for e in evidence} == set(EvidenceKind)
    ideas = {idea.id: idea for idea in db.session.scalars(sa.select(ChangeIdea))}
    assert all(e.team_id == ideas[e.change_idea_id].aim.team_id for e in evidence)
    backed = {e.change_idea_id for e in evidence}
    assert len(ideas) / 2 < len(backed) < len(ideas)
    adopted = set(
        db.session.scalars(
            sa.select(Ramp.change_idea_id).join(Cycle).where(Cycle.decision == Decision.ADOPT)
        )
    )
    lived = {e.change_idea_id for e in evidence if e.kind == EvidenceKind.LIVED_EXPERIENCE}
    assert adopted & lived  # an adopted change rests on lived experience
    assert adopted - backed  # and one has no evidence recorded
    assert all(e.source or e.account for e in evidence)


# The signals the data is meant to show -------------------------------------------------------


def point_types(measure: Measure, team: Team) -> tuple[list[date], list[str]]:
    """The engine's verdict on each point of the team's series, as the measure page charts it."""
    points = db.session.scalars(
        sa.select(DataPoint)
        .where(DataPoint.measure_id == measure.id, DataPoint.team_id == team.id)
        .order_by(DataPoint.period_start)
    ).all()
    kind = measure.chart_type.value
    chart = control_chart(
        [p.value for p in points],
        [p.denominator for p in points] if kind in ("p", "u") else None,
        chart=kind,
        freeze=measure.freeze_points,
        multiplier=measure.multiplier if kind == "u" else 1.0,
    )
    found = signals(chart, rules="mdc", direction=measure.direction.value)
    return [p.period_start for p in points], found.point_type


def adopting_cycle(measure: Measure, team: Team) -> Cycle:
    """The first cycle in which the team adopted a change whose cycles collect this measure."""
    return db.session.scalars(
        sa.select(Cycle)
        .join(cycle_measure, cycle_measure.c.cycle_id == Cycle.id)
        .where(
            cycle_measure.c.measure_id == measure.id,
            Cycle.team_id == team.id,
            Cycle.decision == Decision.ADOPT,
        )
        .order_by(Cycle.ends_on)
        .limit(1)
    ).one()


def before_and_after(measure: Measure, team: Team) -> tuple[list[str], list[str]]:
    """Point types before the adopting cycle started, and after it ended."""
    cycle = adopting_cycle(measure, team)
    days, types = point_types(measure, team)
    before = [kind for day, kind in zip(days, types, strict=True) if day < cycle.starts_on]
    after = [kind for day, kind in zip(days, types, strict=True) if day > cycle.ends_on]
    return before, after


@pytest.mark.parametrize(
    ("team", "measure"),
    [
        ("Riverside Care Home", "Falls a month"),
        ("Meadowbank Home Care", "New care workers still with us after 90 days"),
        ("Pathways Transitions Project", "Young people with a plan agreed by 17"),
        ("North Locality Social Work", "Days from first contact to assessment"),
    ],
)
def test_an_adopted_change_is_followed_by_an_improvement_the_engine_detects(created, team, measure):
    before, after = before_and_after(measure_named(measure), team_named(team))
    assert set(before) == {"common_cause"}
    assert after.count("special_cause_improvement") >= 7
    assert "special_cause_concern" not in after


def test_a_balancing_measure_worsens_after_the_change(created):
    team, measure = (
        team_named("Meadowbank Home Care"),
        measure_named("Overtime worked by experienced care workers"),
    )
    assert measure.measure_type.value == "balancing"
    before, after = before_and_after(measure, team)
    assert set(before) == {"common_cause"}
    assert after.count("special_cause_concern") >= 7


# Deterministic -------------------------------------------------------------------------------


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, without ids (a database may not reuse them) and without the
    password hash (salted)."""
    tables = {}
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if c.name != "id" and not c.name.endswith("_id") and c.name != "password_hash"
        ]
        if not columns:  # a link table: only how many links it holds
            tables[table.name] = [
                str(db.session.scalar(sa.select(sa.func.count()).select_from(table)))
            ]
            continue
        rows = db.session.execute(sa.select(*columns)).all()
        tables[table.name] = sorted(repr(_without_ids(list(row))) for row in rows)
    return tables


def test_two_runs_in_the_same_month_create_the_same_rows(app):
    demo.create(date(2026, 3, 2))
    db.session.commit()
    first = snapshot()
    # Core, not the session: the session refuses to delete audit rows (improve.auditing).
    for table in reversed(db.metadata.sorted_tables):
        db.session.connection().execute(table.delete())
    db.session.commit()
    assert count(User) == 0

    demo.create(date(2026, 3, 28))
    db.session.commit()
    assert snapshot() == first
    assert sum(len(rows) for rows in first.values()) > 1000
    for table in ("community_meeting", "meeting_feedback", "priority_vote", "idea_evidence"):
        assert first[table], table


def test_leads_have_drama_phone_numbers_one_report_is_late_and_a_cycle_stuck_in_plan(created):
    """What the coordinator's drill-down shows (issue 18): a lead's phone, a report submitted
    after its due date, and a test of change still in Plan weeks after its planned start."""
    leads = db.session.scalars(
        sa.select(User).join(Membership).where(Membership.role == Role.TEAM_LEAD)
    ).all()
    assert leads and all(re.fullmatch(r"01632 960 \d{3}", lead.phone) for lead in leads)
    late = [
        report
        for report in db.session.scalars(
            sa.select(MonthlyReport).where(MonthlyReport.status == ReportStatus.SUBMITTED)
        )
        if submission_timing(
            report.period_start, "monthly", created.report_due_day, report.submitted_at
        ).late
    ]
    assert [report.team_id for report in late] == [team_named("Riverside Care Home").id]
    assert any(
        stuck_in_plan(cycle.stage.value, cycle.starts_on, TODAY)
        for cycle in db.session.scalars(sa.select(Cycle))
    )
