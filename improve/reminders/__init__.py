"""Reminders by email: a report due soon or late (to the team's lead and the people who write
its reports), learning sessions coming up (to everyone in the collaborative), the coordinators'
Monday digest (who needs a call and why), and the reminder a coordinator sends from a team's
page.

The scheduled ones are queued by the background worker (improve.worker) with the day passed in,
so the tests can fix the clock. Each message has an identity in the outbox (its dedupe key), so
running a job twice, or again after a crash, sends nothing twice. Every statement about a team
(which report is late, who needs a call) comes from the same functions as the pages that show
it: improve.analysis.periods and the coordinator's overview."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from improve.analysis.activity import joined_on
from improve.analysis.periods import Cadence, due_date, period_end, report_state
from improve.auditing import record_event, snapshot
from improve.extensions import db, reading_only
from improve.mail import external_url, queue_email, would_receive
from improve.models import (
    AuditAction,
    Collaborative,
    CollaborativePhase,
    Membership,
    MonthlyReport,
    PhaseKind,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Role,
    Team,
    User,
)
from improve.reports.queries import all_periods, cadence, period_label

if TYPE_CHECKING:  # measures imports much of the app: only for the annotations
    from improve.measures.entry_views import DueEntry

# The reminder before the due date goes this many days ahead; the late one the day after it.
DUE_SOON_DAYS = 3
# A late reminder not sent in this many days after the due date (the worker was down) is dropped:
# by then the coordinator's call is the better reminder.
LATE_WINDOW_DAYS = 7
# Learning sessions are announced a week ahead.
SESSION_NOTICE_DAYS = 7


@dataclass(frozen=True)
class OpenReport:
    """A period whose report the team has not submitted: late, or due (with or without a
    draft), as improve.analysis.periods.report_state says."""

    period: date
    label: str
    due: date
    state: str

    @property
    def is_late(self) -> bool:
        return self.state == "late"


def open_reports(
    team: Team, submitted: set[date], drafts: set[date], today: date
) -> list[OpenReport]:
    """Every started period not yet submitted, oldest first, from the period containing the day
    the team joined (improve.analysis.activity.joined_on, as the coordinator's view counts it):
    a team added in the collaborative's sixth month is not late with the first five."""
    collaborative = team.collaborative
    joined = joined_on(collaborative.starts_on, team.created_at)
    rows = []
    for start in all_periods(collaborative):
        state = report_state(
            start,
            cadence(collaborative),
            collaborative.report_due_day,
            today,
            start in submitted,
            start in drafts,
            joined,
        )
        if state in ("late", "due", "draft"):
            due = due_date(start, cadence(collaborative), collaborative.report_due_day)
            rows.append(OpenReport(start, period_label(start, collaborative), due, state))
    return rows


def _report_periods(team_ids: Iterable[int]) -> tuple[dict[int, set[date]], dict[int, set[date]]]:
    """The periods each team has submitted, and those with a draft."""
    submitted: dict[int, set[date]] = defaultdict(set)
    drafts: dict[int, set[date]] = defaultdict(set)
    query = sa.select(MonthlyReport.team_id, MonthlyReport.period_start, MonthlyReport.status)
    for team_id, period, status in db.session.execute(
        query.where(MonthlyReport.team_id.in_(list(team_ids)))
    ):
        (submitted if status == ReportStatus.SUBMITTED else drafts)[team_id].add(period)
    return submitted, drafts


def report_recipients(team_ids: Iterable[int]) -> dict[int, list[User]]:
    """Who hears about a team's report: its leads, and its members who have submitted one of its
    reports (the people who write them). Experts by experience are not chased for reports."""
    ids = list(team_ids)
    writers = (
        sa.select(MonthlyReport.team_id, MonthlyReport.submitted_by_id)
        .where(MonthlyReport.team_id.in_(ids), MonthlyReport.submitted_by_id.is_not(None))
        .distinct()
    )
    wrote = {(team_id, user_id) for team_id, user_id in db.session.execute(writers)}
    query = (
        sa.select(Membership.team_id, Membership.role, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(ids), User.is_enabled.is_(True))
        .where(Membership.role.in_([Role.TEAM_LEAD, Role.TEAM_MEMBER]))
        .order_by(User.display_name, User.id)
    )
    found: dict[int, list[User]] = defaultdict(list)
    for team_id, role, user in db.session.execute(query):
        if role == Role.TEAM_LEAD or (team_id, user.id) in wrote:
            found[team_id].append(user)
    return found


def _teams_of(collaborative: Collaborative) -> list[Team]:
    query = sa.select(Team).where(Team.collaborative_id == collaborative.id).order_by(Team.id)
    return list(db.session.scalars(query))


def _running(today: date, after_end_days: int = 0) -> list[Collaborative]:
    """Collaboratives under way today (or ended within `after_end_days`)."""
    query = (
        sa.select(Collaborative)
        .where(Collaborative.starts_on <= today)
        .where(Collaborative.ends_on >= today - timedelta(days=after_end_days))
        .order_by(Collaborative.id)
    )
    return list(db.session.scalars(query))


# Scheduled: every day ---------------------------------------------------------------------------


def send_daily_reminders(today: date) -> dict[str, int]:
    """The day's report and learning session reminders, queued; the counts of emails."""
    due, late = send_report_reminders(today)
    return {"due": due, "late": late, "learning_sessions": send_session_reminders(today)}


def send_report_reminders(today: date) -> tuple[int, int]:
    """A reminder DUE_SOON_DAYS before a report is due and one the day after it was due, to the
    teams that have not submitted it. The counts of emails queued (due, late)."""
    due_count = late_count = 0
    # A quarter's report is due a month and more after its period ends: look that far back.
    for collaborative in _running(today, after_end_days=120):
        for period in all_periods(collaborative):
            due = due_date(period, cadence(collaborative), collaborative.report_due_day)
            if today <= due <= today + timedelta(days=DUE_SOON_DAYS):
                due_count += _remind_teams(collaborative, period, due, ReminderKind.DUE, today)
            elif due < today <= due + timedelta(days=LATE_WINDOW_DAYS):
                late_count += _remind_teams(collaborative, period, due, ReminderKind.LATE, today)
    return due_count, late_count


def _remind_teams(
    collaborative: Collaborative, period: date, due: date, kind: ReminderKind, today: date
) -> int:
    teams = _teams_of(collaborative)
    submitted, _drafts = _report_periods(team.id for team in teams)
    already = set(
        db.session.scalars(
            sa.select(ReportReminder.team_id).where(
                ReportReminder.period_start == period, ReportReminder.kind == kind
            )
        )
    )
    waiting = [t for t in teams if period not in submitted[t.id] and t.id not in already]
    recipients = report_recipients(team.id for team in waiting)
    label = period_label(period, collaborative)
    late = kind == ReminderKind.LATE
    count = 0
    for team in waiting:
        sent = 0
        for person in recipients[team.id]:
            subject = (
                f"{team.name}: the report for {label} is late"
                if late
                else f"{team.name}: the report for {label} is due on {due:%-d %B}"
            )
            queued = queue_email(
                "report_late" if late else "report_due",
                person,
                subject,
                "report_late" if late else "report_due",
                {
                    "team": team,
                    "collaborative": collaborative,
                    "label": label,
                    "due": due,
                    "days_left": (due - today).days,
                    "report_url": external_url(
                        "reports.detail", team_id=team.id, period=period.isoformat()
                    ),
                },
                dedupe_key=f"{kind.value}:{team.id}:{period.isoformat()}:{person.id}",
            )
            sent += queued is not None
        if sent:
            db.session.add(
                ReportReminder(
                    team_id=team.id, period_start=period, kind=kind, recipient_count=sent
                )
            )
        count += sent
    return count


def send_session_reminders(today: date) -> int:
    """A week's notice of each learning session, to everyone in its collaborative."""
    query = (
        sa.select(CollaborativePhase)
        .where(CollaborativePhase.kind == PhaseKind.LEARNING_SESSION)
        .where(CollaborativePhase.starts_on >= today)
        .where(CollaborativePhase.starts_on <= today + timedelta(days=SESSION_NOTICE_DAYS))
        .order_by(CollaborativePhase.starts_on, CollaborativePhase.id)
    )
    count = 0
    for phase in db.session.scalars(query):
        collaborative = phase.collaborative
        for person in members_of(collaborative):
            queued = queue_email(
                "learning_session",
                person,
                f"Learning session on {phase.starts_on:%A %-d %B}: {phase.title}",
                "learning_session",
                {
                    "phase": phase,
                    "collaborative": collaborative,
                    "calendar_url": external_url(
                        "reports.calendar", collaborative_id=collaborative.id
                    ),
                },
                # With the date: a session moved to another day is announced again.
                dedupe_key=f"session:{phase.id}:{phase.starts_on.isoformat()}:{person.id}",
            )
            count += queued is not None
    return count


def members_of(collaborative: Collaborative) -> list[User]:
    """Everyone with a role in the collaborative or one of its teams, once each."""
    in_teams = sa.select(Team.id).where(Team.collaborative_id == collaborative.id)
    query = (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            sa.or_(
                Membership.collaborative_id == collaborative.id,
                Membership.team_id.in_(in_teams),
            )
        )
        .where(User.is_enabled.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


# Scheduled: Mondays -----------------------------------------------------------------------------


def send_coordinator_digests(today: date) -> int:
    """Each coordinator's Monday summary: the teams that need a call this week and why, exactly
    as the coordinator's page lists them. The count of emails queued."""
    from improve.coordination import queries as coordination
    from improve.coordination.forms import choose_period

    count = 0
    year, week, _ = today.isocalendar()
    for collaborative in _running(today, after_end_days=30):
        coordinators = _coordinators(collaborative)
        if not coordinators:
            continue
        with reading_only():  # the whole collaborative's overview, without the write lock
            choice = choose_period(collaborative, today, None)
            view = coordination.overview(
                collaborative, coordination.list_teams(collaborative), choice.period, today
            )
        calls = [
            {
                "name": name,
                "reasons": list(reasons),
                "url": external_url(
                    "coordination.team", collaborative_id=collaborative.id, team_id=int(team_id)
                ),
            }
            for team_id, name, reasons in view.calls[["team_id", "name", "reasons"]].itertuples(
                index=False, name=None
            )
        ]
        for person in coordinators:
            queued = queue_email(
                "coordinator_digest",
                person,
                f"{collaborative.name}: {_teams_phrase(len(calls))} this week",
                "coordinator_digest",
                {
                    "collaborative": collaborative,
                    "calls": calls,
                    "team_count": len(view.table),
                    "dashboard_url": external_url(
                        "coordination.dashboard", collaborative_id=collaborative.id
                    ),
                },
                dedupe_key=f"digest:{collaborative.id}:{year}-W{week:02d}:{person.id}",
            )
            count += queued is not None
    return count


def _teams_phrase(count: int) -> str:
    if count == 0:
        return "no team needs a call"
    return "1 team needs a call" if count == 1 else f"{count} teams need a call"


def _coordinators(collaborative: Collaborative) -> list[User]:
    query = (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.collaborative_id == collaborative.id)
        .where(Membership.role == Role.COORDINATOR, User.is_enabled.is_(True))
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


# A coordinator's "Send a reminder" ---------------------------------------------------------------


@dataclass(frozen=True)
class SentReminder:
    reminder: ReportReminder
    people: list[User]
    reports: list[OpenReport]


def _period_of(collaborative: Collaborative, today: date) -> date:
    """The period under way today (the last one after the collaborative ended, the first
    before it began)."""
    periods = all_periods(collaborative)
    started = [start for start in periods if start <= today]
    return started[-1] if started else periods[0]


@dataclass(frozen=True)
class ReminderContents:
    """What a coordinator's reminder would tell the team today, and whom it would reach: the
    drill-down shows it beside the button and `send_team_reminder` sends exactly it."""

    reports: list[OpenReport]  # the late ones, oldest first, then the next one to come
    measures: list[DueEntry]  # the measures waiting for a week's or month's value
    people: list[User]  # who gets it
    opted_out: list[User]  # report writers who turned reminder email off: not emailed
    today: date
    cadence: Cadence

    @property
    def late(self) -> list[OpenReport]:
        return [report for report in self.reports if report.is_late]

    @property
    def coming(self) -> OpenReport | None:
        """The next report not yet late (due, or a draft)."""
        return next((report for report in self.reports if not report.is_late), None)

    @property
    def due_soon(self) -> bool:
        """Whether the next report is due within its own period's length (a month's report in
        the month before its due date): nearer than that, a reminder is timely."""
        coming = self.coming
        if coming is None:
            return False
        length = period_end(coming.period, self.cadence) - coming.period + timedelta(days=1)
        return coming.due - self.today <= length

    @property
    def pressing(self) -> bool:
        """Something is late or due soon; else the reminder only says what is coming."""
        return bool(self.late) or self.due_soon


def reminder_contents(team: Team, today: date) -> ReminderContents:
    """The reports (late ones, and the next one due; later periods are not worth a reminder
    yet) and the measures waiting for data, and the team's report writers (improve.reminders.
    report_recipients) split by whether they take reminder email (as queue_email decides)."""
    from improve.measures.entry_views import due_entries

    collaborative = team.collaborative
    submitted, drafts = _report_periods([team.id])
    reports = open_reports(team, submitted[team.id], drafts[team.id], today)
    reports = [r for r in reports if r.is_late] + [r for r in reports if not r.is_late][:1]
    measures = [entry for entry in due_entries(team, today) if entry.due is not None]
    writers = report_recipients([team.id])[team.id]
    return ReminderContents(
        reports,
        measures,
        [person for person in writers if would_receive(person, "report_reminder")],
        [person for person in writers if not would_receive(person, "report_reminder")],
        today,
        cadence(collaborative),
    )


def send_team_reminder(team: Team, sent_by: User, today: date) -> SentReminder | None:
    """Email the team's report writers what `reminder_contents` says (its unsubmitted reports
    and the measures waiting for data), record it with the report it is about and in the audit
    log. None when nobody could be emailed (no lead, or all turned reminder email off). The
    caller commits."""
    collaborative = team.collaborative
    contents = reminder_contents(team, today)
    reports = contents.reports
    people = []
    for person in contents.people:
        queued = queue_email(
            "report_reminder",
            person,
            f"{team.name}: a reminder from {sent_by.display_name}",
            "report_reminder",
            {
                "team": team,
                "collaborative": collaborative,
                "sent_by": sent_by,
                "reports": [
                    (
                        report,
                        external_url(
                            "reports.detail", team_id=team.id, period=report.period.isoformat()
                        ),
                    )
                    for report in reports
                ],
                "measures": contents.measures,
                "entry_url": external_url("measures.team_entry", team_id=team.id),
            },
            reply_to=sent_by.email,  # a reply reaches the coordinator who sent it
        )
        if queued is not None:
            people.append(person)
    if not people:
        return None
    # Filed with the report it is about; with none open, with the period under way today.
    period = reports[0].period if reports else _period_of(collaborative, today)
    reminder = ReportReminder(
        team_id=team.id,
        period_start=period,
        kind=ReminderKind.BY_COORDINATOR,
        sent_by_id=sent_by.id,
        recipient_count=len(people),
    )
    db.session.add(reminder)
    db.session.flush()
    record_event(
        sent_by.id,
        AuditAction.CREATE,
        reminder,
        after=snapshot(reminder, ("team_id", "period_start", "kind", "recipient_count")),
        summary=f"Sent {team.name} a reminder ({len(people)} "
        f"{'person' if len(people) == 1 else 'people'})",
        team_id=team.id,
        collaborative_id=collaborative.id,
        period_start=period,
    )
    return SentReminder(reminder, people, reports)
