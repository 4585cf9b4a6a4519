"""The scheduled reminders with a fixed clock: a report due in 3 days, late by 1 day, none for a
submitted report, none to people who opted out, nothing twice; the Monday digest says what the
coordinator's page says; learning sessions a week ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from improve import reminders
from improve.extensions import db
from improve.models import (
    CollaborativePhase,
    MonthlyReport,
    OutboxMessage,
    PhaseKind,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Role,
    utcnow,
)
from tests.mail.conftest import deliver, text_of

# A monthly collaborative whose reports are due on the 10th of the next month: November's on
# 10 December 2026.
NOVEMBER = date(2026, 11, 1)
DUE = date(2026, 12, 10)


@pytest.fixture
def teams(make_collaborative, make_team, make_user, grant):
    collaborative = make_collaborative(
        name="Falls", starts_on=date(2026, 10, 1), ends_on=date(2027, 6, 30), report_due_day=10
    )
    waiting = make_team(collaborative, name="Riverside")
    done = make_team(collaborative, name="Hilltop")
    for team in (waiting, done):  # in time for November's report (not by the test's clock)
        team.created_at = datetime(2026, 11, 20, tzinfo=UTC)
    people = {
        "lead": make_user(email="lead@example.org", display_name="Lee Lead"),
        "writer": make_user(email="writer@example.org", display_name="Wren Writer"),
        "member": make_user(email="member@example.org", display_name="Max Member"),
        "expert": make_user(email="expert@example.org", display_name="Eve Expert"),
        "quiet": make_user(
            email="quiet@example.org", display_name="Quinn Quiet", wants_reminder_email=False
        ),
        "done_lead": make_user(email="done@example.org", display_name="Dee Done"),
        "coordinator": make_user(email="coord@example.org", display_name="Cora Coordinator"),
    }
    grant(people["lead"], Role.TEAM_LEAD, waiting)
    grant(people["writer"], Role.TEAM_MEMBER, waiting)
    grant(people["member"], Role.TEAM_MEMBER, waiting)
    grant(people["expert"], Role.EXPERT_BY_EXPERIENCE, waiting)
    grant(people["quiet"], Role.TEAM_LEAD, waiting)
    grant(people["done_lead"], Role.TEAM_LEAD, done)
    grant(people["coordinator"], Role.COORDINATOR, collaborative)
    # The writer wrote October's report; Hilltop has submitted November's.
    db.session.add_all(
        [
            _submitted(waiting, date(2026, 10, 1), people["writer"]),
            _submitted(done, NOVEMBER, people["done_lead"]),
        ]
    )
    db.session.commit()
    return collaborative, waiting, done, people


def _submitted(team, period, person):
    return MonthlyReport(
        team_id=team.id,
        period_start=period,
        status=ReportStatus.SUBMITTED,
        submitted_at=utcnow(),
        submitted_by_id=person.id,
    )


def _addresses(inbox):
    return sorted(str(message["To"]) for message in inbox.messages)


def test_three_days_before_the_due_date_the_lead_and_the_writers_are_reminded(inbox, teams):
    _, waiting, _, _ = teams
    due, late = reminders.send_report_reminders(date(2026, 12, 7))
    deliver()
    # Not the member who never wrote one, not the expert, not the lead who opted out, and
    # nobody in the team that has submitted.
    assert _addresses(inbox) == ["lead@example.org", "writer@example.org"]
    assert (due, late) == (2, 0)
    message = inbox.to("lead@example.org")[0]
    assert message["Subject"] == "Riverside: the report for November 2026 is due on 10 December"
    body = text_of(message)
    assert "due on Thursday 10 December 2026, in 3 days" in body
    assert f"http://improve.test/teams/{waiting.id}/reports/2026-11-01" in body
    [reminder] = db.session.scalars(sa.select(ReportReminder)).all()
    assert (reminder.team_id, reminder.period_start, reminder.kind) == (
        waiting.id,
        NOVEMBER,
        ReminderKind.DUE,
    )
    assert reminder.recipient_count == 2


def test_the_day_after_the_due_date_a_late_reminder_goes(inbox, teams):
    reminders.send_report_reminders(date(2026, 12, 11))
    deliver()
    assert _addresses(inbox) == ["lead@example.org", "writer@example.org"]
    assert "is late" in inbox.messages[0]["Subject"]
    assert "was due on Thursday 10 December 2026" in text_of(inbox.messages[0])


def test_running_the_days_jobs_again_sends_nothing_more(inbox, teams):
    for _ in range(2):
        reminders.send_daily_reminders(date(2026, 12, 7))
        reminders.send_daily_reminders(date(2026, 12, 8))
        deliver()
    assert len(inbox.messages) == 2
    assert db.session.scalar(sa.select(sa.func.count(ReportReminder.id))) == 1


def test_no_reminder_for_a_report_submitted_or_not_yet_near_its_due_date(inbox, teams):
    _, waiting, _, people = teams
    assert reminders.send_report_reminders(date(2026, 12, 6)) == (0, 0)  # 4 days ahead
    db.session.add(_submitted(waiting, NOVEMBER, people["lead"]))
    db.session.commit()
    assert reminders.send_report_reminders(date(2026, 12, 7)) == (0, 0)
    assert reminders.send_report_reminders(date(2026, 12, 11)) == (0, 0)


def test_the_monday_digest_lists_the_teams_the_coordinator_page_says_need_a_call(inbox, teams):
    collaborative, waiting, done, people = teams
    monday = date(2026, 12, 14)  # November's report is late for Riverside
    assert reminders.send_coordinator_digests(monday) == 1
    deliver()
    [message] = inbox.to("coord@example.org")
    body = text_of(message)
    from improve.coordination import queries
    from improve.coordination.forms import choose_period

    view = queries.overview(
        collaborative,
        queries.list_teams(collaborative),
        choose_period(collaborative, monday, None).period,
        monday,
    )
    assert list(view.calls["name"]) == ["Riverside"]  # Hilltop submitted November's
    assert message["Subject"] == "Falls: 1 team needs a call this week"
    assert "Hilltop" not in body
    for name, reasons in view.calls[["name", "reasons"]].itertuples(index=False, name=None):
        assert name in body
        for reason in reasons:
            assert f"- {reason}" in body
    assert "The report for November 2026 is late" in body
    # Once a week, however often the job runs.
    assert reminders.send_coordinator_digests(monday) == 0
    assert reminders.send_coordinator_digests(date(2026, 12, 16)) == 0
    assert reminders.send_coordinator_digests(date(2026, 12, 21)) == 1


def test_a_learning_session_is_announced_a_week_ahead_to_everyone_once(inbox, teams):
    collaborative, _, _, _ = teams
    db.session.add(
        CollaborativePhase(
            collaborative_id=collaborative.id,
            kind=PhaseKind.LEARNING_SESSION,
            title="Learning session 2",
            starts_on=date(2026, 12, 17),
            start_time=time(10, 0),
            end_time=time(15, 30),
        )
    )
    db.session.commit()
    assert reminders.send_session_reminders(date(2026, 12, 9)) == 0  # 8 days ahead
    sent = reminders.send_session_reminders(date(2026, 12, 10))
    assert reminders.send_session_reminders(date(2026, 12, 11)) == 0
    deliver()
    # Everyone in the collaborative but the one who turned reminders off.
    assert sent == 6
    assert "quiet@example.org" not in _addresses(inbox)
    body = text_of(inbox.to("expert@example.org")[0])
    assert "Thursday 17 December 2026, 10:00 to 15:30" in body


def test_the_coordinators_reminder_lists_what_is_due_and_is_recorded(inbox, teams):
    collaborative, waiting, _, people = teams
    sent = reminders.send_team_reminder(waiting, people["coordinator"], date(2026, 12, 14))
    assert sent is not None
    assert [person.email for person in sent.people] == ["lead@example.org", "writer@example.org"]
    db.session.commit()
    deliver()
    message = inbox.to("lead@example.org")[0]
    assert message["Reply-To"] == "coord@example.org"  # a reply reaches the coordinator
    body = text_of(message)
    assert "Cora Coordinator, coordinator of Falls, sent Riverside this reminder" in body
    assert "November 2026: late, it was due on 10 December 2026" in body
    assert "December 2026: due on 10 January 2027" in body
    reminder = sent.reminder
    assert (reminder.kind, reminder.period_start, reminder.sent_by_id) == (
        ReminderKind.BY_COORDINATOR,
        NOVEMBER,
        people["coordinator"].id,
    )
    from improve.models import AuditEvent

    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "ReportReminder")
    ).one()
    assert event.actor_id == people["coordinator"].id
    assert event.team_id == waiting.id


def test_no_care_data_in_reminders(inbox, teams):
    """Reminders name people, teams, periods and dates: never what a report or cycle says."""
    collaborative, waiting, _, people = teams
    report = db.session.scalars(
        sa.select(MonthlyReport).where(MonthlyReport.team_id == waiting.id)
    ).one()
    report.barriers = "Mrs Jones fell twice at 14 Acacia Avenue"
    db.session.commit()
    reminders.send_report_reminders(date(2026, 12, 7))
    reminders.send_team_reminder(waiting, people["coordinator"], date(2026, 12, 14))
    reminders.send_coordinator_digests(date(2026, 12, 14))
    db.session.commit()
    for message in db.session.scalars(sa.select(OutboxMessage)):
        assert "Acacia" not in message.text_body + message.html_body


def test_the_workers_daily_job_saves_what_it_queues(inbox, teams, monkeypatch):
    """The huey task itself, as the worker runs it: its work is committed when it ends."""
    from improve import worker

    monkeypatch.setattr(worker, "today", lambda: date(2026, 12, 7))
    counts = worker.daily_reminders.call_local()
    db.session.rollback()  # anything not committed by the job is gone now
    assert counts["due"] == 2
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(ReportReminder.id))) == 1


def test_the_workers_weekly_job_saves_what_it_queues(inbox, teams, monkeypatch):
    from improve import worker

    monkeypatch.setattr(worker, "today", lambda: date(2026, 12, 14))
    assert worker.weekly_digest.call_local() == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_a_quarterly_report_is_reminded_before_its_due_date(
    inbox, make_collaborative, make_team, make_user, grant
):
    collaborative = make_collaborative(
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        reporting_cadence="quarterly",
        report_due_day=15,
    )
    team = make_team(collaborative, name="Quarterly team")
    grant(make_user(email="q@example.org"), Role.TEAM_LEAD, team)
    # July to September's report is due on 15 October.
    assert reminders.send_report_reminders(date(2026, 10, 11)) == (0, 0)
    assert reminders.send_report_reminders(date(2026, 10, 12)) == (1, 0)
    assert reminders.send_report_reminders(date(2026, 10, 16)) == (0, 1)
    deliver()
    subjects = [message["Subject"] for message in inbox.to("q@example.org")]
    assert subjects == [
        "Quarterly team: the report for July to September 2026 is due on 15 October",
        "Quarterly team: the report for July to September 2026 is late",
    ]


def test_the_last_report_is_still_chased_after_the_collaborative_ends(
    inbox, make_collaborative, make_team, make_user, grant
):
    collaborative = make_collaborative(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    team = make_team(collaborative)
    grant(make_user(email="last@example.org"), Role.TEAM_LEAD, team)
    # December's report is due on 10 January, after the end.
    assert reminders.send_report_reminders(date(2027, 1, 7)) == (1, 0)
    assert reminders.send_report_reminders(date(2027, 1, 11)) == (0, 1)


def test_no_lead_no_writer_no_reminder_and_nothing_recorded(inbox, make_collaborative, make_team):
    collaborative = make_collaborative(starts_on=date(2026, 10, 1), ends_on=date(2027, 6, 30))
    make_team(collaborative)
    assert reminders.send_report_reminders(date(2026, 12, 7)) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count(ReportReminder.id))) == 0


def test_a_disabled_lead_gets_nothing(inbox, teams):
    _, _, _, people = teams
    people["lead"].is_enabled = False
    db.session.commit()
    reminders.send_report_reminders(date(2026, 12, 7))
    deliver()
    assert _addresses(inbox) == ["writer@example.org"]


def test_a_lead_of_two_teams_hears_about_each(inbox, teams, make_team, grant):
    collaborative, _, _, people = teams
    other = make_team(collaborative, name="Seaview")
    grant(people["lead"], Role.TEAM_LEAD, other)
    reminders.send_report_reminders(date(2026, 12, 7))
    deliver()
    subjects = sorted(message["Subject"] for message in inbox.to("lead@example.org"))
    assert [subject.split(":")[0] for subject in subjects] == ["Riverside", "Seaview"]
