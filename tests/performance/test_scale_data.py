"""`flask scale-data`: the large collaborative the benchmark measures, at a tiny scale here.

At --scale 0.02 it has 4 teams; every team has the shape of the 200 at --scale 1, so the counts
per team checked here are the counts the benchmark runs on.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from improve import scale_data
from improve.analysis import activity
from improve.coordination.queries import measures_frame, point_summary_frame
from improve.extensions import db
from improve.models import (
    ChangeIdea,
    Collaborative,
    Community,
    CommunityMeeting,
    CommunityMember,
    CommunityRole,
    Cycle,
    DataPoint,
    EvidenceKind,
    IdeaEvidence,
    Measure,
    MeetingFeedback,
    Membership,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    ResearchNeed,
    RoundParticipant,
    Team,
    User,
)
from improve.models.community import meeting_attendance
from tests.conftest import _empty_every_table

ANCHOR = "2026-11-30"
COUNTS_PER_TEAM = {
    "aim": 5,
    "measure": 20,  # and 4 shared measures for the collaborative
    "data_point": 2_000,
    "cycle": 100,
}


def run(runner, *args: str):
    return runner.invoke(args=["scale-data", "--anchor", ANCHOR, *args])


def digest() -> str:
    """A fingerprint of every data point and cycle, to compare two runs."""
    points = db.session.execute(
        sa.select(DataPoint.measure_id, DataPoint.period_start, DataPoint.value).order_by(
            DataPoint.id
        )
    ).all()
    cycles = db.session.execute(
        sa.select(Cycle.title, Cycle.starts_on, Cycle.stage, Cycle.decision).order_by(Cycle.id)
    ).all()
    return hashlib.sha256(repr((points, cycles)).encode()).hexdigest()


def test_scale_data_makes_teams_of_the_promised_shape(app, runner):
    result = run(runner, "--scale", "0.02")
    assert result.exit_code == 0, result.output
    teams = db.session.scalar(sa.select(sa.func.count()).select_from(Team))
    assert teams == 4
    for table, per_team in COUNTS_PER_TEAM.items():
        found = db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        shared = 4 if table == "measure" else 0
        assert found == per_team * teams + shared, table
    assert "data_point" in result.output and "8,000" in result.output
    assert scale_data.COORDINATOR in result.output


def test_scale_data_at_scale_one_promises_the_issue_figures():
    per_team = (
        scale_data.AIMS_PER_TEAM * scale_data.MEASURES_PER_AIM * scale_data.WEEKS
        + len(scale_data.SHARED_MEASURES) * scale_data.SHARED_MONTHS
    )
    cycles = scale_data.AIMS_PER_TEAM * scale_data.IDEAS_PER_AIM * scale_data.CYCLES_PER_RAMP
    assert scale_data.TEAMS_AT_SCALE_1 * per_team == 400_000
    assert scale_data.TEAMS_AT_SCALE_1 * cycles == 20_000
    assert scale_data.TEAMS_AT_SCALE_1 * scale_data.AIMS_PER_TEAM == 1_000
    measures = scale_data.AIMS_PER_TEAM * scale_data.MEASURES_PER_AIM
    assert scale_data.TEAMS_AT_SCALE_1 * measures == 4_000


def test_the_same_anchor_gives_the_same_rows(app, runner):
    assert run(runner, "--scale", "0.01").exit_code == 0
    first = digest()
    db.session.remove()
    _empty_every_table()
    assert run(runner, "--scale", "0.01").exit_code == 0
    assert digest() == first


def test_a_second_run_of_the_same_size_is_refused_and_writes_nothing(app, runner):
    assert run(runner, "--scale", "0.01").exit_code == 0
    before = db.session.scalar(sa.select(sa.func.count()).select_from(DataPoint))
    again = run(runner, "--scale", "0.01")
    assert again.exit_code == 2
    assert "already has 'Scale test: 2 teams'" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataPoint)) == before


def test_new_rows_after_scale_data_get_fresh_ids(app, runner, make_team):
    """On PostgreSQL the explicit ids must move the sequences on, or the next insert fails."""
    assert run(runner, "--scale", "0.01").exit_code == 0
    highest = db.session.scalar(sa.select(sa.func.max(Team.id)))
    team = make_team(name="Added later")
    assert team.id > highest


@pytest.mark.parametrize("page", ["team", "measure", "cycle", "coordinator", "panel"])
def test_every_benchmarked_page_opens_on_scale_data(app, runner, client, page):
    assert run(runner, "--scale", "0.01").exit_code == 0
    collaborative = db.session.scalar(sa.select(Collaborative))
    team = db.session.scalars(sa.select(Team).order_by(Team.id)).first()
    measure = db.session.scalar(sa.select(Measure.id).where(Measure.team_id == team.id).limit(1))
    cycle = db.session.scalar(sa.select(Cycle.id).where(Cycle.team_id == team.id).limit(1))
    email, url = {
        "team": ("scale-lead-001@example.org", f"/teams/{team.id}"),
        "measure": ("scale-lead-001@example.org", f"/measures/{measure}"),
        "cycle": ("scale-lead-001@example.org", f"/cycles/{cycle}"),
        "coordinator": (scale_data.COORDINATOR, f"/collaboratives/{collaborative.id}/coordinator"),
        "panel": (scale_data.PANEL, f"/collaboratives/{collaborative.id}/panel"),
    }[page]
    signed_in = client.post("/sign-in", data={"email": email, "password": scale_data.PASSWORD})
    assert signed_in.status_code == 303
    response = client.get(url)
    assert response.status_code == 200
    assert "Team 001" in response.get_data(as_text=True)


def test_the_database_summary_of_points_matches_the_pure_one(app, runner):
    """The coordinator's view counts periods in SQL; the pure function from every point is the
    reference. A point in the current, unfinished week counts as recorded but not as due."""
    assert run(runner, "--scale", "0.01").exit_code == 0
    collaborative = db.session.scalar(sa.select(Collaborative))
    team = db.session.scalars(sa.select(Team).order_by(Team.id)).first()
    measure = db.session.scalar(sa.select(Measure).where(Measure.team_id == team.id).limit(1))
    today = date(2026, 12, 2)
    db.session.add(
        DataPoint(measure_id=measure.id, team_id=team.id, period_start=date(2026, 11, 30), value=3)
    )
    db.session.execute(sa.delete(DataPoint).where(DataPoint.period_start == date(2026, 6, 1)))
    db.session.commit()
    measures = measures_frame(collaborative, None)
    rows = db.session.execute(
        sa.select(
            DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start, DataPoint.created_at
        )
    ).all()
    points = [(m, t, start, created.date()) for m, t, start, created in rows]
    expected = activity.summarise_points(
        measures, pd.DataFrame(points, columns=activity.POINT_COLUMNS), today
    )
    found = point_summary_frame(collaborative, None, today)
    keys = ["measure_id", "team_id"]
    expected = expected.sort_values(keys, ignore_index=True)
    found = found.sort_values(keys, ignore_index=True)
    assert found.astype(str).to_dict("records") == expected.astype(str).to_dict("records")
    gaps = activity.gaps_from_summary(measures, [team.id], found, today)
    assert gaps["missing"].sum() > 0  # the deleted week shows as missing


@pytest.mark.parametrize("anchor", ["2026-12-03", "2026-11-30", "2026-03-02"])
def test_every_complete_week_and_month_up_to_the_anchor_has_a_value(app, runner, anchor):
    """Otherwise the coordinator's view of the scale data would list every team as missing
    data (it did when the last month was counted from the anchor's Monday)."""
    result = runner.invoke(args=["scale-data", "--scale", "0.01", "--anchor", anchor])
    assert result.exit_code == 0, result.output
    collaborative = db.session.scalar(sa.select(Collaborative))
    today = date.fromisoformat(anchor)
    team_ids = list(db.session.scalars(sa.select(Team.id)))
    measures = measures_frame(collaborative, None)
    summary = point_summary_frame(collaborative, None, today)
    gaps = activity.gaps_from_summary(measures, team_ids, summary, today)
    assert len(gaps) == 2 * 24  # 20 own and 4 shared measures per team
    assert gaps["missing"].sum() == 0
    assert not gaps["no_data"].any()


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_issue_20_records_grow_with_the_teams(app, runner):
    """Evidence on a third of the ideas; a closed round (2 ideas a team, a voter a team, within
    the dots allowed) whose first theme became the CoP, and two rounds still going on; the CoP
    with a member per 4 teams, 12 meetings with attendance and feedback, and a research need per
    10 teams."""
    assert run(runner, "--scale", "0.1").exit_code == 0  # 20 teams
    collaborative = db.session.scalar(sa.select(Collaborative))
    ideas, evidence = _count(ChangeIdea), db.session.scalars(sa.select(IdeaEvidence)).all()
    assert abs(len(evidence) - ideas / 3) <= 1
    assert {e.kind for e in evidence} == set(EvidenceKind)
    rounds = db.session.scalars(sa.select(PriorityRound).order_by(PriorityRound.id)).all()
    assert [(r.collaborative_id, r.stage) for r in rounds] == [
        (collaborative.id, stage) for _, stage, _ in scale_data.ROUNDS
    ]
    held = rounds[0]
    assert _count(PriorityIdea) == 40 * 3 and _count(RoundParticipant) == 40 * 3
    assert _count(PriorityTheme) == scale_data.ROUND_THEMES * 3
    assert db.session.scalar(sa.select(sa.func.count()).where(PriorityIdea.theme_id.is_(None))) == 0
    assert {vote.round_id for vote in db.session.scalars(sa.select(PriorityVote))} == {held.id}
    votes = db.session.scalars(sa.select(PriorityVote)).all()
    spent: dict[int, int] = {}
    for vote in votes:
        assert 1 <= vote.dots <= held.max_dots_per_theme
        spent[vote.user_id] = spent.get(vote.user_id, 0) + vote.dots
    assert len(spent) == 20 and max(spent.values()) <= held.dots_per_person
    community = db.session.scalars(sa.select(Community)).one()
    [became] = db.session.scalars(
        sa.select(PriorityTheme).where(PriorityTheme.community_id.is_not(None))
    ).all()
    assert became.community_id == community.id
    assert community.collaborative_id == collaborative.id
    assert _count(CommunityMember) == 20 // scale_data.TEAMS_PER_COP_MEMBER + 2
    assert _count(CommunityMeeting) == scale_data.COP_MEETINGS
    assert _count(meeting_attendance) > 0 and _count(MeetingFeedback) > 0
    assert _count(ResearchNeed) == 3
    researcher = db.session.scalars(
        sa.select(User).where(User.email == scale_data.RESEARCHER)
    ).one()
    role = db.session.scalar(
        sa.select(CommunityMember.role).where(CommunityMember.user_id == researcher.id)
    )
    assert role == CommunityRole.RESEARCH_PARTNER
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Membership.user_id == researcher.id))
        == 0
    )


def test_the_bench_times_every_page_of_the_cop_and_round_and_each_opens(app, runner, client):
    """`make bench` fills every issue 20 page from the scale data (none skipped for want of an
    id), and each address answers its opener: a page the bench cannot open is not timed."""
    from bench import run as bench

    assert run(runner, "--scale", "0.01").exit_code == 0
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    values = bench.scale_values(url)
    addresses = bench.collaborative_addresses(app, values)
    blueprints = ("communities.", "priorities.", "research.", "community_feedback.", "ideas.")
    wanted = [a for a in addresses if a.name.startswith(blueprints)]
    assert {a.name for a in wanted if a.path is None} == set()
    names = {a.name for a in wanted}
    for endpoint in ("communities.meeting", "priorities.theme", "research.needs", "ideas.evidence"):
        assert endpoint in names
    assert {"communities.participation_csv.membership", "research.export.xlsx"} <= names
    signed_in_as, answers = None, {}
    for address in sorted(wanted, key=lambda a: a.email):
        if address.email != signed_in_as:
            client.post("/sign-out")
            password = {"email": address.email, "password": scale_data.PASSWORD}
            assert client.post("/sign-in", data=password).status_code == 303
            signed_in_as = address.email
        answers[address.name] = client.get(address.path).status_code
    # Asking to move the finished round on sends the person back to it (303); every other page
    # opens, the ones that answer only at a stage on a round at that stage.
    assert {name: s for name, s in answers.items() if s != 200} == {"priorities.stage": 303}
