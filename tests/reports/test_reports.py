"""Team reports: the list of periods, one period's report prefilled from the records, drafts,
submitting (locked), corrections, and the coordinator's score.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    Assessor,
    AuditAction,
    AuditEvent,
    Decision,
    MonthlyReport,
    ProgressScore,
    ReportStatus,
    Stage,
    utcnow,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE
from tests.cycles.factories import body, make_aim, make_cycle, make_idea, visible
from tests.reports.conftest import (
    CURRENT,
    FIRST,
    NEXT,
    PREVIOUS,
    TODAY,
    add_points,
    make_measure,
    months_before,
)

TEAM_VIEW = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 200,
    "member_a": 200,
    "expert_a": 200,
    "member_b": 404,
    "member_c": 404,
    "nobody": 404,
}
TEAM_EDIT = {
    "admin": 303,
    "coordinator_x": 403,
    "coordinator_y": 404,
    "panel_x": 403,
    "lead_a": 303,
    "member_a": 303,
    "expert_a": 403,
    "member_b": 404,
    "member_c": 404,
    "nobody": 404,
}
SCORE = {**TEAM_EDIT, "coordinator_x": 303, "lead_a": 403, "member_a": 403}
SCORE_TARGET = {**HTMX, "HX-Target": "coordinator-score"}
CONTENT_TARGET = {**HTMX, "HX-Target": "report-content"}


def url(world, period=PREVIOUS, team=None) -> str:
    team = team or world.team_a
    text = period if isinstance(period, str) else period.isoformat()
    return f"/teams/{team.id}/reports/{text}"


def report_form(action="save", **fields) -> dict:
    values = {
        "achievements": "Night checks every 2 hours",
        "learning": "Huddles work best at 7",
        "barriers": "Agency staff",
        "self_score": "3.0",
        "version": "",
        "action": action,
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def reports() -> list[MonthlyReport]:
    db.session.expire_all()
    query = sa.select(MonthlyReport).order_by(MonthlyReport.period_start, MonthlyReport.revision)
    return list(db.session.scalars(query))


def scores() -> list[ProgressScore]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ProgressScore).order_by(ProgressScore.id)))


def audits(entity_type: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


# A report submitted today, as the list shows it: against its due date (see
# tests/coordination/test_team_detail.py).
SUBMITTED = r"Submitted (on time|\d+ days? late)"


def make_report(world, period, status=ReportStatus.DRAFT, **fields) -> MonthlyReport:
    report = MonthlyReport(
        team_id=world.team_a.id,
        period_start=period,
        status=status,
        achievements="Earlier words",
        self_score=2.5,
        submitted_at=utcnow() if status == ReportStatus.SUBMITTED else None,
        **fields,
    )
    db.session.add(report)
    db.session.commit()
    return report


def submitted(world, period=PREVIOUS) -> MonthlyReport:
    report = make_report(world, period, ReportStatus.SUBMITTED)
    db.session.add(
        ProgressScore(
            team_id=world.team_a.id,
            period_start=period,
            assessor=Assessor.SELF,
            score=2.5,
            report_id=report.id,
        )
    )
    db.session.commit()
    return report


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def records(dated):
    """Team A's records: an aim; a cycle in the previous month with a prediction and result; an
    adopted cycle months ago that closed only today; an outcome measure whose latest value up to
    the previous month is a high point (an improvement signal), then a later value."""
    aim = make_aim(dated.team_a)
    idea = make_idea(aim, "Garden walks")
    during = make_cycle(
        idea,
        title="Walks after lunch",
        starts_on=PREVIOUS + timedelta(days=3),
        ends_on=PREVIOUS + timedelta(days=10),
        stage=Stage.STUDY,
        questions=[("Will people go out more?", "Yes, twice as often")],
    )
    during.questions[0].result = "They went out three times as often"
    before = make_cycle(
        idea,
        title="Walks on Sundays",
        starts_on=FIRST,
        ends_on=FIRST + timedelta(days=5),
        stage=Stage.CLOSED,
        decision=Decision.ADOPT,
        closed_at=utcnow(),
    )
    measure = make_measure(
        dated.team_a, dated.x.id, name="Days out a month", direction="increase", aim_id=aim.id
    )
    add_points(measure, dated.team_a, [4, 5, 3, 4, 6, 4, 3, 5, 4, 4, 5, 20], PREVIOUS)
    add_points(measure, dated.team_a, [7], CURRENT)
    make_measure(None, dated.x.id, name="Shared: hospital stays", measure_type="balancing")
    return dated, during, before, measure


# Who may see and do what -----------------------------------------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_the_list_and_a_report(dated, client_for, person):
    client = client_for(getattr(dated, person))
    assert client.get(f"/teams/{dated.team_a.id}/reports").status_code == TEAM_VIEW[person]
    assert client.get(url(dated)).status_code == TEAM_VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_save_a_draft(dated, client_for, person):
    response = client_for(getattr(dated, person)).post(url(dated), data=report_form())
    assert response.status_code == TEAM_EDIT[person]
    assert len(reports()) == (1 if TEAM_EDIT[person] == 303 else 0)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_score(dated, client_for, person):
    report = submitted(dated)
    response = client_for(getattr(dated, person)).post(
        f"/reports/{report.id}/score", data={"score": "3.5", "justification": "Clear signal"}
    )
    assert response.status_code == SCORE[person]
    coordinator = [s for s in scores() if s.assessor == Assessor.COORDINATOR]
    assert len(coordinator) == (1 if SCORE[person] == 303 else 0)


def test_only_editors_see_the_form_and_only_coordinators_the_score_form(dated, client_for):
    submitted(dated)
    draft_url = url(dated, months_before(CURRENT, 2))
    member = client_for(dated.member_a)
    assert "Submit the report" in visible(member.get(draft_url))
    assert "Correct this report" in visible(member.get(url(dated)))
    assert "Score this report" not in visible(member.get(url(dated)))
    panel = visible(client_for(dated.panel_x).get(url(dated)))
    assert "Correct this report" not in panel and "Score this report" not in panel
    coordinator = client_for(dated.coordinator_x)
    assert "Score this report" in visible(coordinator.get(url(dated)))
    assert "Submit the report" not in visible(coordinator.get(draft_url))
    assert "once the team submits it" in visible(coordinator.get(draft_url))


# The list of periods -----------------------------------------------------------------------------


def test_list_shows_every_period_so_far_with_its_state(dated, client_for):
    submitted(dated, months_before(CURRENT, 3))
    make_report(dated, months_before(CURRENT, 2))  # a draft, now past its due date
    text = visible(client_for(dated.member_a).get(f"/teams/{dated.team_a.id}/reports"))
    rows = text.split("Coordinator's score", 1)[1]
    assert f"{CURRENT:%B %Y}" in rows and f"{FIRST:%B %Y}" in rows
    assert f"{NEXT:%B %Y} report" not in rows  # not started yet
    assert rows.index(f"{CURRENT:%B %Y}") < rows.index(f"{FIRST:%B %Y}")  # newest first
    done, due = months_before(CURRENT, 3), months_before(CURRENT, 2).replace(day=10)
    assert f"{done:%B %Y} report {due:%-d %B %Y}" in rows
    assert re.search(SUBMITTED + r" 2\.5", rows)
    assert "Late: not submitted" in rows  # the old draft and the months with nothing
    current_due = NEXT.replace(day=10)
    assert f"{CURRENT:%B %Y} report {current_due:%-d %B %Y} Due: not started yet" in rows


def test_draft_before_its_due_date_says_draft(dated, client_for):
    make_report(dated, CURRENT)
    text = visible(client_for(dated.member_a).get(f"/teams/{dated.team_a.id}/reports"))
    assert f"{CURRENT:%B %Y} report {NEXT.replace(day=10):%-d %B %Y} Draft, not submitted" in text


def test_correction_in_progress_still_counts_as_submitted(dated, client_for):
    first = submitted(dated)
    make_report(dated, PREVIOUS, revision=2, supersedes_id=first.id)
    text = visible(client_for(dated.member_a).get(f"/teams/{dated.team_a.id}/reports"))
    assert re.search(SUBMITTED + " A correction is being written.", text)


def test_list_before_the_collaborative_starts(dated, client_for):
    dated.x.starts_on = TODAY + timedelta(days=40)
    db.session.commit()
    text = visible(client_for(dated.member_a).get(f"/teams/{dated.team_a.id}/reports"))
    assert "No reports yet: the first period starts on" in text


def test_list_query_count_does_not_grow_with_periods(dated, client_for):
    client = client_for(dated.member_a)
    dated.x.starts_on = PREVIOUS
    db.session.commit()
    submitted(dated, PREVIOUS)
    with counting_queries() as few:
        assert client.get(f"/teams/{dated.team_a.id}/reports").status_code == 200
    dated.x.starts_on = months_before(CURRENT, 24)
    db.session.commit()
    for back in range(2, 20):
        report = submitted(dated, months_before(CURRENT, back))
        assert report.id
    with counting_queries() as many:
        response = client.get(f"/teams/{dated.team_a.id}/reports")
    assert len(re.findall(SUBMITTED + r" 2\.5", visible(response))) == 19
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_list_fragment_for_htmx(dated, client_for, headers, fragment):
    response = client_for(dated.member_a).get(f"/teams/{dated.team_a.id}/reports", headers=headers)
    assert body(response).startswith('<section id="report-periods"') is fragment


# One period's report: evidence and suggested score ------------------------------------------


def test_report_is_prefilled_from_the_periods_records(records, client_for):
    world, during, before, _ = records
    text = visible(client_for(world.member_a).get(url(world)))
    assert f"Report for {PREVIOUS:%B %Y}" in text
    assert "Cycle 1: Walks after lunch" in text
    assert "Will people go out more? Yes, twice as often They went out three times" in text
    assert "Walks on Sundays" not in text  # it ran months before this period
    assert "Days out a month Outcome measure 20 (this period)" in text
    assert "Improvement" in text.split("Days out a month", 1)[1].split("Shared:", 1)[0]
    assert "Shared: hospital stays Balancing measure, shared No data yet" in text
    # The adopted cycle closed today, after this period ended, so it does not count yet.
    assert "The app suggests 3.5: Improvement" in text
    assert "No change has been adopted yet" in text


def test_current_period_counts_the_adoption_and_the_later_value(records, client_for):
    world = records[0]
    text = visible(client_for(world.member_a).get(url(world, CURRENT)))
    assert "No test of change ran in this period." in text
    assert "Days out a month Outcome measure 7 (this period)" in text
    assert "The app suggests 4.0: Significant improvement" in text


def test_labels_come_from_the_collaborative(records, client_for):
    world = records[0]
    world.x.progress_labels = {**world.x.progress_labels, "3.5": "Getting better"}
    db.session.commit()
    text = visible(client_for(world.member_a).get(url(world)))
    assert "The app suggests 3.5: Getting better" in text
    assert "3.5: Getting better" in text.split("How far has the team got?", 1)[1]


def test_saving_a_draft_stores_the_gathered_evidence(records, client_for):
    world, during, _, measure = records
    response = client_for(world.member_a).post(url(world), data=report_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(world))
    [report] = reports()
    assert (report.status, report.revision, report.self_score) == (ReportStatus.DRAFT, 1, 3.0)
    assert report.achievements == "Night checks every 2 hours"
    assert [c["title"] for c in report.evidence["cycles"]] == ["Walks after lunch"]
    assert report.evidence["cycles"][0]["questions"][0]["result"].startswith("They went out")
    days_out = next(m for m in report.evidence["measures"] if m["id"] == measure.id)
    assert days_out["latest_value"] == 20 and days_out["improvement"] is True
    assert report.suggested_score == 3.5 and report.suggested_reasons
    assert scores() == []  # a draft is not a score yet
    [event] = audits("MonthlyReport")
    assert event.action == AuditAction.CREATE and event.team_id == world.team_a.id


def test_saving_again_updates_the_draft(dated, client_for):
    client = client_for(dated.member_a)
    client.post(url(dated), data=report_form())
    [draft] = reports()
    response = client.post(
        url(dated), data=report_form(learning="Mornings are better", version=str(draft.version))
    )
    assert response.status_code == 303
    [draft] = reports()
    assert draft.learning == "Mornings are better"
    events = audits("MonthlyReport")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert events[1].after == {"learning": "Mornings are better"}
    # The form comes back with the saved words and the saved score chosen.
    page = body(client.get(url(dated)))
    assert "Mornings are better</textarea>" in page
    assert 'type="radio" value="3.0" checked' in page


def test_htmx_save_redirects_to_the_report(dated, client_for):
    response = client_for(dated.member_a).post(
        url(dated), data=report_form(), headers=CONTENT_TARGET
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(dated))
    assert len(reports()) == 1


def test_someone_elses_save_is_not_overwritten(dated, client_for):
    client_for(dated.lead_a).post(url(dated), data=report_form(learning="The lead's words"))
    response = client_for(dated.member_a).post(url(dated), data=report_form(learning="Mine"))
    assert response.status_code == 409
    assert "Someone else saved this report while you were writing" in visible(response)
    assert "Mine" in body(response)
    assert [r.learning for r in reports()] == ["The lead's words"]


# Submitting, locking, correcting -----------------------------------------------------------------


def test_submit_locks_and_records_the_self_score(records, client_for):
    world = records[0]
    client = client_for(world.member_a)
    response = client.post(url(world), data=report_form("submit", self_score="3.5"))
    assert response.status_code == 303
    [report] = reports()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by_id == world.member_a.id
    [score] = scores()
    assert (score.assessor, score.score, score.report_id) == (Assessor.SELF, 3.5, report.id)
    text = visible(client.get(url(world)))
    assert "Report submitted. It is now locked." in text
    assert "Submitted on" in text and "Submit the report" not in text
    assert "Team's own score 3.5: Improvement" in text


@pytest.mark.parametrize(("headers", "status"), [({}, 409), (CONTENT_TARGET, 422)])
def test_a_submitted_report_cannot_be_changed(dated, client_for, headers, status):
    report = submitted(dated)
    for action in ("save", "submit"):
        response = client_for(dated.member_a).post(
            url(dated), data=report_form(action, achievements="Sneaky"), headers=headers
        )
        assert response.status_code == status
        assert "This report has been submitted, so it is locked" in visible(response)
    assert [r.achievements for r in reports()] == [report.achievements]
    assert [s.score for s in scores()] == [2.5]


def test_submitting_needs_a_score(dated, client_for):
    response = client_for(dated.member_a).post(
        url(dated), data=report_form("submit", self_score=None)
    )
    assert response.status_code == 422
    assert "Choose a score before you submit the report" in visible(response)
    assert reports() == [] and scores() == []


@pytest.mark.parametrize("value", ["7.0", "0", "3.3", "abc", "-1"])
def test_score_outside_the_scale_is_refused(dated, client_for, value):
    for action in ("save", "submit"):
        response = client_for(dated.member_a).post(
            url(dated), data=report_form(action, self_score=value)
        )
        assert response.status_code == 422
        assert "Choose one of the scores shown, from 0.5 to 5.0" in visible(response)
    assert reports() == [] and scores() == []


def test_correction_is_a_new_version_submitted_in_turn(dated, client_for):
    first = submitted(dated)
    client = client_for(dated.member_a)
    response = client.post(url(dated), data={"action": "correct"})
    assert response.status_code == 303
    old, new = reports()
    assert (new.revision, new.supersedes_id, new.status) == (2, first.id, ReportStatus.DRAFT)
    assert new.achievements == "Earlier words" and new.self_score == 2.5
    assert old.status == ReportStatus.SUBMITTED
    page = visible(client.get(url(dated)))
    assert "This is version 2: it corrects version 1." in page
    assert "Earlier words" in page
    response = client.post(
        url(dated),
        data=report_form("submit", achievements="Corrected words", version=str(new.version)),
    )
    assert response.status_code == 303
    old, new = reports()
    assert new.status == ReportStatus.SUBMITTED and new.achievements == "Corrected words"
    assert old.achievements == "Earlier words"
    [score] = scores()  # one self score per period: the correction's replaces the first
    assert (score.score, score.report_id) == (3.0, new.id)
    updates = [e for e in audits("ProgressScore") if e.action == AuditAction.UPDATE]
    assert updates and updates[0].after["score"] == 3.0


def test_only_a_submitted_report_can_be_corrected(dated, client_for):
    make_report(dated, PREVIOUS)
    response = client_for(dated.member_a).post(url(dated), data={"action": "correct"})
    assert response.status_code == 409
    assert "Only a submitted report can be corrected or scored" in visible(response)
    assert len(reports()) == 1


# Bad periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13-01", "That is not a date"),
        ("yesterday", "That is not a date"),
        ("2026-1-1", "That is not a date"),
        ((CURRENT + timedelta(days=1)).isoformat(), "No report period of Collaborative X starts"),
        (months_before(FIRST, 1).isoformat(), "No report period of Collaborative X starts"),
        ("1999-01-01", "No report period of Collaborative X starts"),
        (NEXT.isoformat(), "has not started yet"),
    ],
)
def test_bad_periods_are_not_found_with_a_message(dated, client_for, period, message):
    client = client_for(dated.member_a)
    response = client.get(url(dated, period))
    assert response.status_code == 404
    assert message in visible(response)
    assert client.post(url(dated, period), data=report_form("submit")).status_code == 404
    assert reports() == [] and scores() == []


def test_period_after_the_collaborative_ends_is_not_found(dated, client_for):
    dated.x.ends_on = PREVIOUS + timedelta(days=3)
    db.session.commit()
    response = client_for(dated.member_a).get(url(dated, CURRENT))
    assert response.status_code == 404
    assert "No report period" in visible(response)


def test_quarterly_periods(dated, client_for):
    dated.x.reporting_cadence = "quarterly"
    dated.x.starts_on = months_before(CURRENT, 12)
    db.session.commit()
    quarter = CURRENT.replace(month=3 * ((CURRENT.month - 1) // 3) + 1)
    client = client_for(dated.member_a)
    response = client.get(url(dated, months_before(quarter, 3)))
    assert response.status_code == 200
    assert "Report for " + f"{months_before(quarter, 3):%B} to " in visible(response)
    assert client.get(url(dated, months_before(quarter, 2))).status_code == 404


def test_unknown_team_is_not_found(dated, client_for):
    assert client_for(dated.admin).get("/teams/999999/reports").status_code == 404
    assert client_for(dated.admin).get(f"/teams/999999/reports/{PREVIOUS}").status_code == 404


# htmx --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "root"),
    [
        ({}, None),
        (BOOSTED, None),
        (CONTENT_TARGET, '<div id="report-content"'),
        (SCORE_TARGET, '<section id="coordinator-score"'),
    ],
)
def test_report_fragments(dated, client_for, headers, root):
    submitted(dated)
    response = client_for(dated.coordinator_x).get(url(dated), headers=headers)
    text = body(response)
    if root is None:
        assert "<html" in text
    else:
        assert text.startswith(root) and "<html" not in text


def test_htmx_invalid_save_answers_the_form_alone(dated, client_for):
    response = client_for(dated.member_a).post(
        url(dated), data=report_form(self_score="9"), headers=CONTENT_TARGET
    )
    assert response.status_code == 422
    assert body(response).startswith('<div id="report-content"')
    assert "Choose one of the scores shown" in visible(response)


# The coordinator's score -------------------------------------------------------------------------


def test_coordinator_scores_beside_the_self_score_and_can_rescore(dated, client_for):
    report = submitted(dated)
    client = client_for(dated.coordinator_x)
    response = client.post(
        f"/reports/{report.id}/score",
        data={"score": "3.0", "justification": "Checks are up", "suggestions": "Try huddles"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(dated) + "#coordinator-score")
    [_, coordinator] = scores()
    assert (coordinator.assessor, coordinator.score) == (Assessor.COORDINATOR, 3.0)
    assert (coordinator.report_id, coordinator.scored_by_id) == (report.id, dated.coordinator_x.id)
    assert coordinator.suggestions == "Try huddles"
    team_view = visible(client_for(dated.member_a).get(url(dated)))
    assert "Team's own score 2.5: Changes tested, but no improvement" in team_view
    assert "Coordinator's score 3.0: Modest improvement Why: Checks are up" in team_view
    assert "Suggestions: Try huddles" in team_view

    rescore = {"score": "2.5", "justification": "On reflection", "version": coordinator.version}
    assert client.post(f"/reports/{report.id}/score", data=rescore).status_code == 303
    [_, coordinator] = scores()
    assert (coordinator.score, coordinator.justification) == (2.5, "On reflection")
    events = [e.action for e in audits("ProgressScore")]
    assert events == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "5.5", "justification": "x"}, "Choose one of the scores shown"),
        ({"score": "", "justification": "x"}, "Choose a score from 0.5 to 5.0"),
        ({"justification": "x"}, "Choose a score from 0.5 to 5.0"),
        ({"score": "3.0", "justification": "  "}, "Say why you chose this score"),
    ],
)
def test_bad_coordinator_score_is_refused(dated, client_for, data, message):
    report = submitted(dated)
    response = client_for(dated.coordinator_x).post(f"/reports/{report.id}/score", data=data)
    assert response.status_code == 422
    assert message in visible(response)
    assert [s.assessor for s in scores()] == [Assessor.SELF]


def test_htmx_score_answers_the_score_section(dated, client_for):
    report = submitted(dated)
    response = client_for(dated.coordinator_x).post(
        f"/reports/{report.id}/score", data={"score": "9"}, headers=SCORE_TARGET
    )
    assert response.status_code == 422
    assert body(response).startswith('<section id="coordinator-score"')


@pytest.mark.parametrize(("headers", "status"), [({}, 409), (SCORE_TARGET, 422)])
def test_a_draft_cannot_be_scored(dated, client_for, headers, status):
    draft = make_report(dated, PREVIOUS)
    response = client_for(dated.coordinator_x).post(
        f"/reports/{draft.id}/score", data={"score": "3.0", "justification": "x"}, headers=headers
    )
    assert response.status_code == status
    assert scores() == []


def test_unknown_report_cannot_be_scored(dated, client_for):
    response = client_for(dated.admin).post("/reports/999999/score", data={"score": "3.0"})
    assert response.status_code == 404
