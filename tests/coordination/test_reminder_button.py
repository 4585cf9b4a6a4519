"""The drill-down's "Send a reminder": beside the button, what the email will list and to whom,
from the function that sends it (improve.reminders.reminder_contents); after sending, back to the
period the coordinator was looking at, the reminder listed whichever report it was about; and a
team is asked only for the reports of the periods since it joined.

The world and scene are test_dashboard's: collaborative X (teams A and B) started eight months
ago; Team A (led by Lead A) submitted its report for PERIOD only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve import reminders, submissions
from improve.analysis.periods import uk_date
from improve.coordination import queries
from improve.extensions import db
from improve.models import (
    Membership,
    OutboxMessage,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Role,
)
from tests.coordination.test_dashboard import (
    CURRENT,
    FIRST,
    PERIOD,
    add_report,
    between,
    month,
    team_url,
    visible,
)
from tests.coordination.test_team_detail import reminder_form, reminders_of

PREVIEW = "What a reminder sent today would say"


def on_day(monkeypatch, day: int):
    """Today is this day of the current month, for the drill-down and the button alike."""
    today = CURRENT.replace(day=day)
    monkeypatch.setattr("improve.coordination.views.today", lambda: today)
    return today


def preview_of(client, scene, team) -> str:
    text = visible(client.get(team_url(scene, team, period=PERIOD.isoformat())))
    return between(text, PREVIEW, "Reports and progress scores").replace(" ,", ",")


def line(report: reminders.OpenReport) -> str:
    """How the preview and the email both put a report."""
    if report.is_late:
        return f"{report.label}: late, it was due on {report.due:%-d %B %Y}"
    return f"{report.label}: due on {report.due:%-d %B %Y}"


def test_the_preview_lists_what_the_email_says_and_to_whom(scene, client_for, monkeypatch):
    today = on_day(monkeypatch, 20)  # last month's report was due on the 10th: late
    contents = reminders.reminder_contents(scene.team_a, today)
    # Every month from the start but PERIOD (submitted) is late; this month's is due next.
    late = [month(back) for back in range(8, 0, -1) if month(back) != PERIOD]
    assert [report.period for report in contents.reports] == [*late, CURRENT]
    client = client_for(scene.coordinator_x)
    preview = preview_of(client, scene, scene.team_a)
    assert "To Lead A " in preview  # the lead; not the member or expert, who wrote no report
    assert "Nothing is late or due soon" not in preview
    for report in contents.reports:
        assert line(report) in preview
    assert "Measures waiting for data 1 measure: Falls a month" in preview

    action, token = reminder_form(scene, client, scene.team_a)
    assert client.post(action, data={submissions.FIELD: token}).status_code == 303
    [email] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "report_reminder")
    ).all()
    assert email.to_address == scene.lead_a.email
    for report in contents.reports:
        assert line(report) in email.text_body
    for entry in contents.measures:
        assert f"{entry.measure.name}: {entry.due_words}" in email.text_body
        assert f"{entry.measure.name}: {entry.due_words}" in preview


def test_someone_who_turned_reminders_off_is_named_as_not_emailed(scene, client_for, monkeypatch):
    on_day(monkeypatch, 20)
    scene.lead_a.wants_reminder_email = False
    db.session.commit()
    preview = preview_of(client_for(scene.coordinator_x), scene, scene.team_a)
    assert "To Nobody can be emailed" in preview
    assert "Not to Lead A, who turned reminder email off" in preview


def test_nothing_late_or_due_soon_says_so_and_still_sends(scene, client_for, monkeypatch):
    """The reviewer's case: every report up to last month submitted, and this month's not due
    until the 10th of next month. The coordinator, looking at PERIOD, sends anyway; the page
    comes back to PERIOD with the reminder listed, about this month's report."""
    today = on_day(monkeypatch, 5)
    for back in range(8, 0, -1):
        if month(back) != PERIOD:
            add_report(scene.team_a, month(back), ReportStatus.SUBMITTED)
    db.session.add(  # an older, automatic reminder about PERIOD
        ReportReminder(
            team_id=scene.team_a.id,
            period_start=PERIOD,
            kind=ReminderKind.LATE,
            recipient_count=1,
            sent_at=datetime(PERIOD.year, PERIOD.month, 28, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
    contents = reminders.reminder_contents(scene.team_a, today)
    [coming] = contents.reports
    assert (coming.period, contents.pressing) == (CURRENT, False)
    client = client_for(scene.coordinator_x)
    preview = preview_of(client, scene, scene.team_a)
    assert (
        f"Nothing is late or due soon: the next report, for {CURRENT:%B %Y}, is not due until "
        f"{coming.due:%-d %B %Y}" in preview
    )
    assert f"{line(coming)} (in {(coming.due - today).days} days)" in preview

    action, token = reminder_form(scene, client, scene.team_a)
    response = client.post(action, data={submissions.FIELD: token})
    assert response.headers["Location"] == team_url(scene, scene.team_a, period=PERIOD.isoformat())
    text = visible(client.get(response.headers["Location"]))
    assert "Reminder sent to Lead A." in text
    assert f"Report for {PERIOD:%B %Y}" in text  # still the period being looked at
    sent = next(r for r in reminders_of(scene.team_a) if r.kind == ReminderKind.BY_COORDINATOR)
    assert sent.period_start == CURRENT
    listed = between(text, "Reminders Every reminder", PREVIEW)
    newest = (
        f"Reminder from the coordinator about the {CURRENT:%B %Y} report, sent by Coordinator X "
        f"on {uk_date(sent.sent_at):%-d %B %Y}"
    )
    older = f"Reminder that the {PERIOD:%B %Y} report was late, sent on 28 {PERIOD:%B %Y}"
    assert newest in listed and older in listed
    assert listed.index(newest) < listed.index(older)
    # Each report's page lists the reminders about its own period.
    own = visible(client.get(f"/teams/{scene.team_a.id}/reports/{CURRENT.isoformat()}"))
    assert "Reminder from the coordinator, sent by Coordinator X" in own
    other = visible(client.get(f"/teams/{scene.team_a.id}/reports/{PERIOD.isoformat()}"))
    assert "Reminder from the coordinator" not in other


def test_due_soon_within_the_periods_own_length(scene, client_for, monkeypatch):
    """This month's report is due on the 10th of next month: on the 20th that is within a
    month, so it is due soon."""
    for back in range(8, 0, -1):
        if month(back) != PERIOD:
            add_report(scene.team_a, month(back), ReportStatus.SUBMITTED)
    db.session.commit()
    assert reminders.reminder_contents(scene.team_a, CURRENT.replace(day=20)).pressing
    assert not reminders.reminder_contents(scene.team_a, CURRENT.replace(day=5)).pressing


@pytest.mark.parametrize("joined_day", [1, 15])
def test_a_team_that_joined_late_is_asked_only_for_its_own_periods(
    scene, client_for, monkeypatch, joined_day
):
    """Team B was added last month (its lead too): it is asked for last month's report and
    this month's, not the six before it joined, by the day the dashboard counts it from."""
    today = on_day(monkeypatch, 20)
    scene.team_b.created_at = datetime.combine(
        month(1).replace(day=joined_day), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=10)
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == scene.member_b.id)
    )
    membership.role = Role.TEAM_LEAD
    db.session.commit()
    [joined] = queries.teams_frame(scene.x, [scene.team_b])["joined_on"]
    assert joined == month(1).replace(day=joined_day)
    opened = reminders.open_reports(scene.team_b, set(), set(), today)
    assert [report.period for report in opened] == [month(1), CURRENT]
    preview = preview_of(client_for(scene.coordinator_x), scene, scene.team_b)
    assert f"{month(1):%B %Y}: late" in preview
    for back in range(2, 9):
        assert f"{month(back):%B %Y}" not in preview
    assert f"{FIRST:%B %Y}" not in preview


def test_a_team_there_from_the_start_is_asked_for_every_period(scene, monkeypatch):
    today = on_day(monkeypatch, 20)
    opened = reminders.open_reports(scene.team_b, set(), set(), today)
    assert [report.period for report in opened] == [month(back) for back in range(8, -1, -1)]
