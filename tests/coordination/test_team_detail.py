"""The coordinator's drill-down for one team (issue 18): how to reach its lead, how late each
report came, the barriers in its latest report, tests of change stuck in Plan, and the "Send a
reminder" button with the reminders sent.

The world and scene are test_dashboard's: collaborative X (teams A and B) started eight months
ago; Team A submitted its report for PERIOD, Team B has nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from improve import submissions
from improve.analysis.periods import due_date, submission_timing, uk_date
from improve.coordination.queries import RECENT_CYCLES
from improve.extensions import db
from improve.models import (
    AuditEvent,
    Membership,
    MonthlyReport,
    ReminderKind,
    ReportReminder,
    ReportStatus,
    Role,
    Stage,
)
from tests.coordination.test_dashboard import (
    LONG_AGO,
    PERIOD,
    TEAM_ROW,
    add_report,
    between,
    body,
    counting_queries,
    dashboard_url,
    month,
    team_url,
    visible,
)
from tests.cycles.factories import make_aim, make_cycle, make_idea

TODAY = datetime.now(UTC).date()


def drill_down(scene, client_for, team, period=PERIOD, person=None, headers=None) -> str:
    client = client_for(person or scene.coordinator_x)
    response = client.get(team_url(scene, team, period=period.isoformat()), headers=headers)
    assert response.status_code == 200
    return visible(response)


def submitted_on(report: MonthlyReport, day, hour: int = 12) -> None:
    report.submitted_at = datetime.combine(day, time(hour), tzinfo=UTC)
    db.session.commit()


def period_report(scene, team, period=PERIOD) -> MonthlyReport:
    return db.session.scalar(
        sa.select(MonthlyReport).where(
            MonthlyReport.team_id == team.id, MonthlyReport.period_start == period
        )
    )


# The team lead's contact ------------------------------------------------------------------------


def test_the_team_leads_name_email_and_phone(scene, client_for):
    scene.lead_a.phone = "01632 960 001"
    db.session.commit()
    response = client_for(scene.coordinator_x).get(
        team_url(scene, scene.team_a, period=PERIOD.isoformat()), headers=TEAM_ROW
    )
    page, text = body(response), visible(response)
    assert "Team lead Lead A lead_a@example.org 01632 960 001" in text
    assert 'href="mailto:lead_a@example.org"' in page
    assert 'href="tel:01632960001"' in page
    # Only team leads: a member of the team is not listed as one.
    assert "member_a@example.org" not in page


def test_several_leads_by_name_and_a_lead_without_a_phone(scene, client_for, make_user, grant):
    grant(
        make_user(display_name="Aby Second", email="aby@example.org"), Role.TEAM_LEAD, scene.team_a
    )
    text = drill_down(scene, client_for, scene.team_a)
    leads = between(text, "Team leads", "Report for")
    assert leads.index("Aby Second") < leads.index("Lead A")
    assert "No phone number given" in leads


def test_a_team_without_a_lead_says_where_to_add_one(scene, client_for):
    response = client_for(scene.coordinator_x).get(team_url(scene, scene.team_b))
    assert "No team lead yet: add one on the team's members page" in visible(response)
    assert f'href="/teams/{scene.team_b.id}#people-section"' in body(response)


def test_the_leads_are_read_in_one_query(scene, client_for, make_user, grant):
    client = client_for(scene.coordinator_x)
    url = team_url(scene, scene.team_a, period=PERIOD.isoformat())
    client.get(url, headers=TEAM_ROW)
    with counting_queries() as one:
        client.get(url, headers=TEAM_ROW)
    for number in range(3):
        grant(make_user(display_name=f"Extra Lead {number}"), Role.TEAM_LEAD, scene.team_a)
    with counting_queries() as four:
        response = client.get(url, headers=TEAM_ROW)
    leads = between(visible(response), "Team leads", "Barriers and help asked for")
    assert leads.count("Extra Lead") == 3
    assert len(four) == len(one), "\n".join(four)


# How late each report came -----------------------------------------------------------------------


def test_submitted_days_late_agrees_on_every_page(scene, client_for):
    """One function (analysis.periods.submission_timing) says how late; the dashboard's table,
    the drill-down (its summary and its report history), the team's list of reports and the
    report page agree."""
    report = period_report(scene, scene.team_a)
    due = due_date(PERIOD, "monthly", scene.x.report_due_day)
    submitted_on(report, due + timedelta(days=26))
    expected = submission_timing(PERIOD, "monthly", scene.x.report_due_day, report.submitted_at)
    assert expected.words == "Submitted 26 days late"

    detail = drill_down(scene, client_for, scene.team_a)
    assert f"Report for {PERIOD:%B %Y} Submitted 26 days late" in detail
    row = between(detail, f"Read and score the report for {PERIOD:%B %Y}", "Open")
    assert "Submitted 26 days late 2.5 3.5 2.0" in row
    dashboard = visible(
        client_for(scene.coordinator_x).get(
            f"/collaboratives/{scene.x.id}/coordinator?period={PERIOD.isoformat()}"
        )
    )
    assert f"{scene.team_a.name} Submitted 26 days late" in dashboard

    client = client_for(scene.member_a)
    reports = visible(client.get(f"/teams/{scene.team_a.id}/reports"))
    assert f"{PERIOD:%B %Y} report {due:%-d %B %Y} Submitted 26 days late" in reports

    page = client.get(f"/teams/{scene.team_a.id}/reports/{PERIOD.isoformat()}")
    shown = visible(page)
    assert "Submitted 26 days late Submitted on" in shown
    assert f"due on {due:%-d %B %Y}" in shown
    assert 'id="report-timing"' in body(page)


def test_on_time_and_unknown(scene, client_for):
    report = period_report(scene, scene.team_a)
    detail = drill_down(scene, client_for, scene.team_a)
    # Saved with no time of submission (records from before it was kept): just "Submitted".
    assert f"Report for {PERIOD:%B %Y} Submitted Last work" in detail
    submitted_on(report, due_date(PERIOD, "monthly", scene.x.report_due_day))
    detail = drill_down(scene, client_for, scene.team_a)
    assert f"Report for {PERIOD:%B %Y} Submitted on time" in detail


def test_a_correction_submitted_later_does_not_make_the_report_late(scene, client_for):
    first = period_report(scene, scene.team_a)
    due = due_date(PERIOD, "monthly", scene.x.report_due_day)
    submitted_on(first, due - timedelta(days=2))
    correction = add_report(scene.team_a, PERIOD, ReportStatus.SUBMITTED, revision=2)
    submitted_on(correction, due + timedelta(days=9))
    detail = drill_down(scene, client_for, scene.team_a)
    assert f"Report for {PERIOD:%B %Y} Submitted on time" in detail
    page = visible(
        client_for(scene.member_a).get(f"/teams/{scene.team_a.id}/reports/{PERIOD.isoformat()}")
    )
    assert "Submitted on time" in page
    # The page names the day this version was submitted, in the UK.
    assert f"Submitted on {due + timedelta(days=9):%-d %B %Y}" in page


# Barriers and help asked for ---------------------------------------------------------------------


def test_the_barriers_of_the_latest_submitted_report(scene, client_for):
    period_report(scene, scene.team_a).barriers = "Rotas change at short notice."
    later = add_report(scene.team_a, month(1), ReportStatus.SUBMITTED)
    later.barriers = "We need help getting data from the council's system."
    # A draft for this month is not a report the coordinator can read yet.
    draft = add_report(scene.team_a, month(0), ReportStatus.DRAFT)
    draft.barriers = "Draft words"
    db.session.commit()
    response = client_for(scene.coordinator_x).get(team_url(scene, scene.team_a), headers=TEAM_ROW)
    section = between(visible(response), "Barriers and help asked for", "Reminders about")
    assert f"its latest submitted report, for {month(1):%B %Y}" in section
    assert "We need help getting data from the council's system." in section
    assert "Rotas change" not in section and "Draft words" not in section
    link = f'href="/teams/{scene.team_a.id}/reports/{month(1).isoformat()}"'
    assert link in between(body(response), "team-barriers-heading", 'team-barriers"')


def test_no_report_submitted_yet(scene, client_for):
    add_report(scene.team_b, PERIOD, ReportStatus.DRAFT).barriers = "Not sent"
    db.session.commit()
    text = drill_down(scene, client_for, scene.team_b)
    assert "Barriers and help asked for No report submitted yet." in text
    assert "Not sent" not in text


def test_empty_barriers_say_so(scene, client_for):
    text = drill_down(scene, client_for, scene.team_a)
    assert "The team wrote nothing about barriers." in text


# Cycles stuck in Plan ----------------------------------------------------------------------------


def test_a_cycle_stuck_in_plan_is_flagged_and_counted(scene, client_for):
    idea = make_idea(make_aim(scene.team_b))
    make_cycle(
        idea,
        title="Stuck huddle",
        starts_on=TODAY - timedelta(days=22),
        ends_on=TODAY + timedelta(days=5),
    )
    make_cycle(
        idea,
        title="Fresh plan",
        starts_on=TODAY - timedelta(days=14),
        ends_on=TODAY + timedelta(days=5),
    )
    make_cycle(
        idea,
        title="Under way",
        starts_on=TODAY - timedelta(days=60),
        ends_on=TODAY + timedelta(days=5),
        stage=Stage.DO,
    )
    db.session.commit()
    response = client_for(scene.coordinator_x).get(team_url(scene, scene.team_b))
    page, text = body(response), visible(response)
    cycles = between(text, "Recent tests of change", "Reports and progress scores")
    rows = {
        title: row
        for row in re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", page, re.S)
        for title in ("Stuck huddle", "Fresh plan", "Under way")
        if title in row
    }
    assert "Still in Plan 3 weeks after its planned start" in rows["Stuck huddle"]
    assert cycles.count("Still in Plan") == 1  # not the one planned 14 days ago, nor one under way
    reasons = between(text, "Why this team may need a call", "Report for")
    assert "1 test of change still in Plan more than 2 weeks after the planned start" in reasons
    dashboard = visible(client_for(scene.coordinator_x).get(dashboard_url(scene, period=PERIOD)))
    calls = between(dashboard, "Teams that need a call this week", "What the reasons mean")
    assert "Stuck in Plan 1 team" in calls
    assert "still in Plan more than 2 weeks" in calls.split("Team B", 1)[1]


def test_every_cycle_counted_as_stuck_is_named_however_long_since_it_changed(scene, client_for):
    """The reason counts every cycle in Plan two weeks after its start; the recent cycles are
    the 8 last changed. A stuck one changed long ago is still named, and linked."""
    idea = make_idea(make_aim(scene.team_b))
    forgotten = make_cycle(
        idea,
        title="Forgotten plan",
        starts_on=TODAY - timedelta(days=60),
        ends_on=TODAY - timedelta(days=50),
    )
    forgotten.updated_at = LONG_AGO
    stuck = make_cycle(
        idea,
        title="Stuck huddle",
        starts_on=TODAY - timedelta(days=22),
        ends_on=TODAY + timedelta(days=5),
    )
    for number in range(RECENT_CYCLES):
        make_cycle(idea, title=f"Busy {number}", starts_on=TODAY, ends_on=TODAY, stage=Stage.DO)
    db.session.commit()
    response = client_for(scene.coordinator_x).get(team_url(scene, scene.team_b))
    page, text = body(response), visible(response)
    assert "Forgotten plan" not in between(text, "Recent tests of change", "Reports and progress")
    reasons = between(text, "Why this team may need a call", "Report for")
    assert "2 tests of change still in Plan more than 2 weeks after the planned start" in reasons
    named = between(
        text, "Tests of change still in Plan weeks after their planned start", "Recent tests"
    ).replace(" ,", ",")
    assert (
        f"Forgotten plan, planned to start on {forgotten.starts_on:%-d %B %Y}: "
        "Still in Plan 8 weeks after its planned start" in named
    )
    assert "Stuck huddle" in named and "Busy" not in named
    listed = between(page, 'id="team-stuck"', "</ul>")
    assert f'href="/cycles/{forgotten.id}"' in listed and f'href="/cycles/{stuck.id}"' in listed
    assert listed.count("<li>") == 2


def test_no_stuck_heading_without_a_stuck_cycle(scene, client_for):
    text = visible(client_for(scene.coordinator_x).get(team_url(scene, scene.team_a)))
    assert "still in Plan weeks after" not in text


# Send a reminder ---------------------------------------------------------------------------------

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def reminder_url(scene, team, collaborative=None, period=None) -> str:
    collaborative = collaborative or scene.x
    url = f"/collaboratives/{collaborative.id}/coordinator/teams/{team.id}/reminders"
    return url + (f"?period={period.isoformat()}" if period else "")


def reminder_form(scene, client, team) -> tuple[str, str]:
    """The drill-down's reminder form: where it posts, and its one-time token."""
    page = body(client.get(team_url(scene, team, period=PERIOD.isoformat())))
    form = re.search(
        r'<form method="post" action="([^"]*/reminders[^"]*)"[^>]*>(.*?)</form>', page, re.S
    )
    assert form is not None, "no reminder form"
    [token] = TOKEN.findall(form.group(0))
    return form.group(1).replace("&amp;", "&"), token


def reminders_of(team) -> list[ReportReminder]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(ReportReminder).where(ReportReminder.team_id == team.id))
    )


def test_send_a_reminder_then_see_it_listed(scene, client_for):
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == scene.member_b.id)
    )
    membership.role = Role.TEAM_LEAD  # Team B's member becomes its lead
    db.session.commit()
    client = client_for(scene.coordinator_x)
    action, token = reminder_form(scene, client, scene.team_b)
    response = client.post(action, data={submissions.FIELD: token})
    assert response.status_code == 303
    [reminder] = reminders_of(scene.team_b)
    assert reminder.kind == ReminderKind.BY_COORDINATOR
    assert reminder.sent_by_id == scene.coordinator_x.id
    # Back to the period the coordinator was looking at, the reminder listed with its report.
    assert response.headers["Location"] == team_url(scene, scene.team_b, period=PERIOD.isoformat())
    page = client.get(response.headers["Location"])
    text = visible(page)
    assert "Reminder sent to Member B." in text
    when = f"{uk_date(reminder.sent_at):%-d %B %Y}"
    about = f"{reminder.period_start:%B %Y}"
    assert (
        f"Reminder from the coordinator about the {about} report, sent by Coordinator X on {when}"
        in between(text, "Reminders Every reminder", "What a reminder sent today would say")
    )
    listed = f"Reminder from the coordinator, sent by Coordinator X on {when}"
    # The audit trail names who sent it, filed under the team.
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ReportReminder", AuditEvent.entity_id == reminder.id
        )
    )
    assert event.actor_id == scene.coordinator_x.id and event.team_id == scene.team_b.id
    # The report page lists it too.
    report_page = client.get(
        f"/teams/{scene.team_b.id}/reports/{reminder.period_start.isoformat()}"
    )
    assert listed in visible(report_page)


def test_a_double_click_sends_once(scene, client_for):
    client = client_for(scene.coordinator_x)
    action, token = reminder_form(scene, client, scene.team_a)
    first = client.post(action, data={submissions.FIELD: token})
    second = client.post(action, data={submissions.FIELD: token})
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert len(reminders_of(scene.team_a)) == 1
    assert submissions.ALREADY_SAVED in visible(client.get(second.headers["Location"]))


def test_nobody_to_remind(scene, client_for):
    """Team B has no lead, and nobody has submitted a report: nobody can be emailed."""
    client = client_for(scene.coordinator_x)
    response = client.post(reminder_url(scene, scene.team_b, period=PERIOD))
    assert response.status_code == 303
    assert response.headers["Location"] == team_url(scene, scene.team_b, period=PERIOD.isoformat())
    assert reminders_of(scene.team_b) == []
    text = visible(client.get(response.headers["Location"]))
    assert "No reminder was sent: nobody in Team B can be emailed." in text
    assert "No reminders sent yet." in text
    # The drill-down said so before: no button to press.
    preview = between(text, "What a reminder sent today would say", "Reports and progress scores")
    assert "To Nobody can be emailed" in preview
    assert "Send a reminder" not in preview


@pytest.mark.parametrize(
    ("person", "status"),
    [("panel_x", 403), ("lead_a", 403), ("coordinator_y", 404), ("member_c", 404)],
)
def test_only_the_coordinator_sends_reminders(scene, client_for, person, status):
    response = client_for(getattr(scene, person)).post(reminder_url(scene, scene.team_a))
    assert response.status_code == status
    assert reminders_of(scene.team_a) == []


def test_another_collaboratives_team_is_not_found(scene, client_for):
    client = client_for(scene.coordinator_x)
    assert client.post(reminder_url(scene, scene.team_c)).status_code == 404
    assert client.post(reminder_url(scene, scene.team_c, scene.y)).status_code == 404
    assert reminders_of(scene.team_c) == []


def test_the_button_works_without_javascript(scene, client_for):
    page = body(client_for(scene.coordinator_x).get(team_url(scene, scene.team_a)))
    form = between(page, 'id="team-reminders-heading"', "</form>")
    assert 'method="post"' in form and 'name="csrf_token"' in form
    assert 'type="submit"' in form and "hx-" not in form
