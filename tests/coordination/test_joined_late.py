"""A team added part-way through a collaborative is not asked for the reports of periods that
ended before it joined: one rule (analysis.periods.report_state with the day it joined), read by
the coordinator's table and drill-down, the team's list of reports, its home page and the
reminder email."""

from __future__ import annotations

from datetime import UTC, date, datetime

from improve import reminders
from improve.extensions import db
from tests.conftest import text_of

TODAY = date(2026, 6, 30)
APRIL = date(2026, 4, 1)


def test_every_page_agrees_a_late_joiner_owes_no_earlier_report(world, client_for, monkeypatch):
    for module in ("improve.coordination.views", "improve.home.views"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    monkeypatch.setattr("improve.reports.views.date", _FixedDate)
    world.x.starts_on, world.x.ends_on = date(2026, 1, 1), date(2026, 12, 31)
    world.team_a.created_at = datetime(2026, 5, 20, 9, tzinfo=UTC)  # joined in May
    world.team_b.created_at = datetime(2026, 1, 1, 9, tzinfo=UTC)  # there from the start
    db.session.commit()

    coordinator = client_for(world.coordinator_x)
    table = text_of(coordinator.get(f"/collaboratives/{world.x.id}/coordinator?period=2026-04-01"))
    assert "Team A Before the team joined" in table
    # Team B is late with April; Team A only with May, the month it joined.
    assert "Team B The report for April 2026 is late" in table
    assert "Team A The report for May 2026 is late" in table
    assert table.count("The report for April 2026 is late") == 1
    drill = text_of(
        coordinator.get(f"/collaboratives/{world.x.id}/coordinator/teams/{world.team_a.id}")
    )
    assert "Open the report for April 2026 Before the team joined" in drill
    assert "Open the report for May 2026 Late: not submitted" in drill

    member = client_for(world.member_a)
    reports = text_of(member.get(f"/teams/{world.team_a.id}/reports"))
    assert "April 2026 report 10 May 2026 Not asked: before the team joined" in reports
    home = text_of(member.get("/"))
    assert "April 2026" not in home

    contents = reminders.reminder_contents(world.team_a, TODAY)
    assert [report.label for report in contents.reports if report.is_late] == ["May 2026"]


class _FixedDate(date):
    @classmethod
    def today(cls) -> date:
        return TODAY
