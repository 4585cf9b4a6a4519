"""Each team's story on the panel page and in print (issue 19, point 1).

For every team of the demo collaborative, the story's facts are checked against the team's
records: its status against the coordinator's page, its decisions against its cycles, its
barriers against its latest submitted report, its score and whose it is against its scores and
reports, its signals against the panel's own rows, and its hidden figures against the rule for
small numbers. Then a small world of our own for the wording of exact cases, the pages of teams
and a fixed number of queries.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from improve import demo, scale_data
from improve.analysis import disclosure, story
from improve.analysis.periods import uk_date
from improve.coordination import queries as coordination
from improve.coordination.forms import choose_period
from improve.extensions import db
from improve.models import (
    Assessor,
    Collaborative,
    Cycle,
    DataPoint,
    Decision,
    Measure,
    MonthlyReport,
    PanelReview,
    ProgressScore,
    ReportStatus,
    Stage,
    Team,
)
from improve.panel import queries, stories
from improve.panel.views import panel_value, value_scale
from tests.conftest import HTMX
from tests.cycles.factories import body, make_aim, make_cycle, make_idea
from tests.teams.test_team_page import counting_queries

TODAY = date(2026, 12, 7)
SCALE_TEAMS = 25


def _client(app: Any, email: str, password: str = demo.DEMO_PASSWORD) -> Any:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 303, email
    return client


def panel_result(collaborative: Collaborative, page: int | None = None) -> queries.PanelSummary:
    """The panel's summary with no filters, as its page builds it (`page` None: every team)."""
    teams = queries.list_teams(collaborative.id)
    measures = queries.list_shared_measures(collaborative.id)
    return queries.panel_summary(collaborative, queries.Choice(), teams, measures, page)


def story_articles(page: str) -> dict[int, str]:
    """Each story's HTML on a panel page, by team id."""
    found = re.findall(
        r'<article class="app-story[^"]*" id="story-(\d+)"(.*?)</article>', page, re.S
    )
    return {int(team_id): text for team_id, text in found}


def story_label(article: str) -> str:
    return re.search(r'<strong class="govuk-tag[^"]*">([^<]+)</strong>', article).group(1)


@pytest.fixture
def demo_world(app, monkeypatch) -> SimpleNamespace:
    """The demo collaborative on 7 December 2026, the coordinator's and the panel's clients, and
    the panel's summary of every team."""
    monkeypatch.setattr("improve.panel.stories.today", lambda: TODAY)
    monkeypatch.setattr("improve.coordination.views.today", lambda: TODAY)
    demo.create(TODAY)
    db.session.commit()
    collaborative = db.session.scalars(sa.select(Collaborative)).one()
    result = panel_result(collaborative)
    return SimpleNamespace(
        collaborative=collaborative,
        teams=result.teams,
        result=result,
        stories={told.team.id: told for told in stories.team_stories(result, TODAY)},
        coordinator=_client(app, "coordinator@example.org"),
        panel=_client(app, "panel@example.org"),
    )


# Status: one truth with the coordinator's page ---------------------------------------------------


def coordinator_says(page: str, team: Team) -> str:
    """The status the coordinator's page gives a team: late when one of its reasons for a call
    is a late report, stalled when its row carries the Stalled tag."""
    calls = dict(
        re.findall(
            r'<h3 class="govuk-heading-s[^"]*"><a [^>]*>([^<]+)</a></h3>\s*'
            r'<ul class="govuk-list govuk-list--bullet">(.*?)</ul>',
            page,
            re.S,
        )
    )
    reasons = re.findall(r"<li>(.*?)</li>", calls.get(html.escape(team.name), ""), re.S)
    late = any(reason.endswith(" is late") for reason in reasons)
    row = page.split(f'id="team-row-{team.id}"', 1)[1].split("</tr>", 1)[0]
    stalled = ">Stalled</strong>" in row
    return {
        (True, True): "Late and stalled",
        (True, False): "Late",
        (False, True): "Stalled",
        (False, False): "On track",
    }[(late, stalled)]


@pytest.fixture(params=["demo", "scale"])
def any_world(request, app, monkeypatch) -> SimpleNamespace:
    """The demo collaborative, or a 25-team `flask scale-data` one (more than a page of teams),
    on 7 December 2026, with its coordinator's and panel member's clients."""
    monkeypatch.setattr("improve.panel.stories.today", lambda: TODAY)
    monkeypatch.setattr("improve.coordination.views.today", lambda: TODAY)
    if request.param == "demo":
        demo.create(TODAY)
        people = ("coordinator@example.org", "panel@example.org", demo.DEMO_PASSWORD)
    else:
        scale_data.generate(SCALE_TEAMS / scale_data.TEAMS_AT_SCALE_1, TODAY)
        people = (scale_data.COORDINATOR, scale_data.PANEL, scale_data.PASSWORD)
    db.session.commit()
    collaborative = db.session.scalars(sa.select(Collaborative)).one()
    return SimpleNamespace(
        name=request.param,
        collaborative=collaborative,
        teams=queries.list_teams(collaborative.id),
        coordinator=_client(app, people[0], people[2]),
        panel=_client(app, people[1], people[2]),
    )


def test_each_teams_status_is_the_coordinators(any_world) -> None:
    """One truth: the panel calls a team late or stalled exactly when the coordinator's page
    does, for every team (the panel's stories read page by page)."""
    world = any_world
    address = f"/collaboratives/{world.collaborative.id}"
    coordinator_page = body(world.coordinator.get(f"{address}/coordinator"))
    articles: dict[int, str] = {}
    for number in range(1, 1 + -(-len(world.teams) // queries.SPARKS_PER_PAGE)):
        articles |= story_articles(body(world.panel.get(f"{address}/panel?teams_page={number}")))
    assert set(articles) == {team.id for team in world.teams}
    labels = set()
    for team in world.teams:
        expected = coordinator_says(coordinator_page, team)
        assert story_label(articles[team.id]) == expected, team.name
        labels.add(expected)
    if world.name == "demo":  # a late team, a stalled one and teams on track: every branch
        assert {"Late", "Stalled", "On track"} <= labels, labels


def test_each_teams_status_reasons_are_the_coordinators(any_world) -> None:
    world = any_world
    collaborative = world.collaborative
    period = choose_period(collaborative, TODAY, None).period
    view = coordination.overview(collaborative, world.teams, period, TODAY)
    calls = {
        int(team_id): (list(kinds), list(reasons))
        for team_id, kinds, reasons in zip(
            view.calls["team_id"], view.calls["kinds"], view.calls["reasons"], strict=True
        )
    }
    told = {s.team.id: s for s in stories.team_stories(panel_result(collaborative), TODAY)}
    for team in world.teams:
        kinds, reasons = calls.get(team.id, ([], []))
        status = told[team.id].status
        assert status.kinds == tuple(k for k in ("late", "stalled") if k in kinds), team.name
        for kind, reason in zip(kinds, reasons, strict=True):
            if kind in ("stalled", "plan"):
                assert reason[:1].lower() + reason[1:] in status.sentence, (team.name, reason)
        if "late" in kinds:
            assert re.search(r"Late[^:]*: the .+ report is \d+ days? overdue", status.sentence)


# The facts of each demo team's story, against its records ----------------------------------------


def decided_on(cycle: Cycle) -> date:
    return uk_date(cycle.closed_at) if cycle.closed_at is not None else cycle.ends_on


def test_each_demo_teams_decisions_are_its_cycles_since_the_review(demo_world) -> None:
    world = demo_world
    since = world.result.since
    assert since is not None and world.result.review is not None  # the demo's held review
    for team in world.teams:
        cycles = db.session.scalars(
            sa.select(Cycle).where(Cycle.team_id == team.id, Cycle.decision.is_not(None))
        ).all()
        recent = sorted(
            (c for c in cycles if decided_on(c) >= since),
            key=lambda c: (decided_on(c), c.id),
            reverse=True,
        )
        told = world.stories[team.id]
        adopted = [c.title for c in recent if c.decision == Decision.ADOPT]
        assert told.decisions.adopted == tuple(adopted), team.name
        assert told.decisions.adapted == sum(c.decision == Decision.ADAPT for c in recent)
        assert told.decisions.abandoned == sum(c.decision == Decision.ABANDON for c in recent)
        for title in adopted[: story.NAMED_ADOPTED]:
            assert f"‘{title}’" in told.paragraph
        if not recent:
            assert "No test of change reached a decision since the panel's review" in told.paragraph


def test_each_demo_teams_barriers_are_from_its_latest_submitted_report(demo_world) -> None:
    world = demo_world
    page = body(world.panel.get(f"/collaboratives/{world.collaborative.id}/panel"))
    articles = story_articles(page)
    for team in world.teams:
        latest = coordination.latest_submitted(world.collaborative, coordination.team_reports(team))
        told = world.stories[team.id]
        if latest is None:
            assert told.barriers is None
            assert "No report submitted yet." in articles[team.id]
            continue
        assert told.barriers == stories.Barriers(latest.label, latest.barriers.strip()), team.name
        if latest.barriers.strip():
            assert latest.barriers.strip() in html.unescape(articles[team.id])
            assert f"In its {latest.label} report" in articles[team.id]


def test_each_demo_teams_score_says_whose_it_is(demo_world) -> None:
    world = demo_world
    progress = {row["team_id"]: row for row in world.result.progress}
    for team in world.teams:
        told = world.stories[team.id]
        scores = db.session.scalars(
            sa.select(ProgressScore).where(ProgressScore.team_id == team.id)
        ).all()
        if scores:
            latest = max(score.period_start for score in scores)
            at_latest = {s.assessor: s.score for s in scores if s.period_start == latest}
            whose = "coordinator" if Assessor.COORDINATOR in at_latest else "self"
            expected = at_latest[Assessor(whose)]
        else:
            report = max(
                (r for r in coordination.team_reports(team) if r.status == ReportStatus.SUBMITTED),
                key=lambda r: (r.period_start, r.revision),
            )
            latest, whose, expected = report.period_start, "suggested", report.suggested_score
        assert told.score is not None, team.name
        assert (told.score.period, told.score.whose, told.score.score) == (latest, whose, expected)
        assert story.WHOSE_WORDS[whose].split(" from ")[0] in told.paragraph
        # The same scores as the panel's table of progress scores.
        assert [point.score for point in told.history] == (progress[team.id]["history"] or [])
        if told.history:
            assert told.score.score == progress[team.id]["latest"]
            assert told.chart is not None and len(told.chart.points) == len(told.history)
    whose_seen = {told.score.whose for told in world.stories.values() if told.score}
    assert {"coordinator", "self"} <= whose_seen


def test_each_demo_teams_signals_are_the_panels(demo_world) -> None:
    world = demo_world
    result = world.result
    for team in world.teams:
        sentences = world.stories[team.id].measures
        assert len(sentences) == len(result.measures)
        for measure, sentence in zip(result.measures, sentences, strict=True):
            [row] = [row for row in result.rows_for(measure) if row["team_id"] == team.id]
            assert sentence.startswith(measure.name)
            if row["points"]:
                words = story.signals_words(
                    row["improvements"], row["concerns"], result.since_words
                )
                assert f"{words}." in sentence, (team.name, measure.name)
    counted = [row["improvements"] for row in result.rows]
    assert any(counted), "the demo shows at least one real improvement since the review"


def test_each_demo_teams_change_since_the_review_is_from_its_records(demo_world) -> None:
    """The figure at the last review is the team's latest stored point on or before the
    review's day, as the panel shows it (hidden if it rests on a small number), then the figure
    now; no difference where either is hidden."""
    world = demo_world
    result, threshold = world.result, world.collaborative.suppression_threshold
    review = result.review
    assert review is not None and result.since == review.reviewed_on
    compared = hidden_seen = 0
    for index, measure in enumerate(result.measures):
        scale = value_scale(measure)
        for team in world.teams:
            sentence = world.stories[team.id].measures[index]
            [row] = [r for r in result.rows_for(measure) if r["team_id"] == team.id]
            if not row["points"]:
                continue
            then = db.session.scalars(
                sa.select(DataPoint)
                .where(
                    DataPoint.measure_id == measure.id,
                    DataPoint.team_id == team.id,
                    DataPoint.period_start <= review.reviewed_on,
                )
                .order_by(DataPoint.period_start.desc())
                .limit(1)
            ).first()
            if then is None:
                assert "It had no figure yet at the review" in sentence, sentence
                continue
            kind = measure.value_kind.value
            at = f"at the review ({then.period_start:%B %Y})"
            if disclosure.point_hidden(kind, then.value, then.denominator, threshold):
                assert f"It was {story.HIDDEN} {at}" in sentence, sentence
                assert not re.search(r"now \((up|down|no change)", sentence), sentence
                hidden_seen += 1
                continue
            value = then.value if then.denominator is None else then.value / then.denominator
            if scale != "p" and then.denominator is not None:
                value *= measure.multiplier or 1
            assert f"It was {panel_value(value, scale)} {at}" in sentence, sentence
            now = story.HIDDEN if row["latest"] is None else panel_value(row["latest"], scale)
            assert f", {now} now" in sentence, sentence
            compared += 1
    assert compared, "the demo compares some figures with the review"


def test_each_demo_teams_small_numbers_stay_hidden(demo_world) -> None:
    """The rule checked on the stored numbers: a latest figure resting on a small number of
    people is never given, and any other is given as the panel's table shows it."""
    world = demo_world
    threshold = world.collaborative.suppression_threshold
    hidden_seen = shown_seen = 0
    for index, measure in enumerate(world.result.measures):
        for team in world.teams:
            latest = db.session.scalars(
                sa.select(DataPoint)
                .where(DataPoint.measure_id == measure.id, DataPoint.team_id == team.id)
                .order_by(DataPoint.period_start.desc())
                .limit(1)
            ).first()
            if latest is None:
                continue
            sentence = world.stories[team.id].measures[index]
            hidden = f"latest ({latest.period_start:%B %Y}) hidden (small number)"
            kind = measure.value_kind.value
            if disclosure.point_hidden(kind, latest.value, latest.denominator, threshold):
                assert hidden in sentence, sentence
                assert "went from" not in sentence and "reached" not in sentence
                hidden_seen += 1
                continue
            [row] = [r for r in world.result.rows_for(measure) if r["team_id"] == team.id]
            assert hidden not in sentence, sentence
            assert panel_value(row["latest"], value_scale(measure)) in sentence, sentence
            shown_seen += 1
    assert hidden_seen and shown_seen  # the demo has both


def test_the_print_layout_tells_every_teams_story(demo_world) -> None:
    world = demo_world
    page = body(world.panel.get(f"/collaboratives/{world.collaborative.id}/panel/print"))
    articles = story_articles(page)
    assert set(articles) == {team.id for team in world.teams}
    for team in world.teams:
        told = world.stories[team.id]
        assert told.paragraph in html.unescape(articles[team.id])
        # On paper the chart and its summary say it; the list of scores stays on screen.
        assert "<details" not in articles[team.id] or " open>" not in articles[team.id]
        if told.chart is not None:
            assert html.unescape(told.chart.summary) in html.unescape(articles[team.id])
    # The stories come before the table of tests of change and scores.
    assert page.index('id="team-stories"') < page.index('id="teams-heading"')


# A small world of our own ------------------------------------------------------------------------


REVIEW = date(2026, 3, 15)


def closed(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def add_decided(team: Team, title: str, decision: Decision, on: date) -> None:
    idea = make_idea(make_aim(team, title=f"Aim {title}"), title)
    make_cycle(
        idea,
        title=title,
        stage=Stage.CLOSED,
        decision=decision,
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 9),
        closed_at=closed(on),
    )


def add_report(team: Team, month: int, barriers: str, **fields: Any) -> None:
    fields = {
        "status": ReportStatus.SUBMITTED,
        "submitted_at": closed(date(2026, month + 1, 3)),
        "suggested_score": 1.5,
    } | fields
    db.session.add(
        MonthlyReport(
            team_id=team.id, period_start=date(2026, month, 1), barriers=barriers, **fields
        )
    )
    db.session.commit()


def add_score(team: Team, month: int, who: Assessor, score: float) -> None:
    db.session.add(
        ProgressScore(team_id=team.id, period_start=date(2026, month, 1), assessor=who, score=score)
    )
    db.session.commit()


@pytest.fixture
def small(world, monkeypatch) -> SimpleNamespace:
    """Collaborative X after a review on 15 March 2026 held by the panel: team A adopted two
    changes since (and one before), abandoned one, and its coordinator scored it; team B has
    a report but no score."""
    monkeypatch.setattr("improve.panel.stories.today", lambda: TODAY)
    db.session.add(PanelReview(collaborative_id=world.x.id, reviewed_on=REVIEW))
    shared = Measure(
        collaborative_id=world.x.id,
        team_id=None,
        name="Falls a month",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        chart_type="c",
        target_value=4.0,
    )
    db.session.add(shared)
    db.session.commit()
    add_decided(world.team_a, "Before the review", Decision.ADOPT, date(2026, 3, 1))
    add_decided(world.team_a, "Morning huddle", Decision.ADOPT, date(2026, 4, 10))
    add_decided(world.team_a, "Falls cross", Decision.ADOPT, date(2026, 5, 20))
    add_decided(world.team_a, "Night checks", Decision.ABANDON, date(2026, 4, 1))
    add_report(world.team_a, 4, "Agency staff cover the nights.\nWe need help with rotas.")
    add_report(
        world.team_a, 5, "Words still in a draft", status=ReportStatus.DRAFT, submitted_at=None
    )
    add_score(world.team_a, 3, Assessor.SELF, 1.5)
    add_score(world.team_a, 4, Assessor.SELF, 3.0)
    add_score(world.team_a, 4, Assessor.COORDINATOR, 2.5)
    add_report(world.team_b, 4, "", suggested_score=2.0)
    return SimpleNamespace(measure=shared, url=f"/collaboratives/{world.x.id}/panel")


def test_a_story_in_words(world, small, client_for) -> None:
    page = body(client_for(world.panel_x).get(small.url))
    articles = story_articles(page)
    a, b = html.unescape(articles[world.team_a.id]), html.unescape(articles[world.team_b.id])
    assert (
        "Progress score 2.5 (changes tested, but no improvement) for April 2026: the "
        "coordinator's score." in a
    )
    assert (
        "Tests of change decided since the panel's review on 15 March 2026: 2 adopted "
        "(‘Falls cross’ and ‘Morning huddle’), none adapted and 1 abandoned." in a
    )
    assert "Before the review" not in a
    assert "In its April 2026 report, the latest it submitted:" in a
    assert "Agency staff cover the nights.\nWe need help with rotas." in a
    assert "Words still in a draft" not in a
    assert "Falls a month: no data in this period yet." in a
    assert "2 scores from March 2026 to April 2026: up 1.0 from 1.5" in a
    assert re.search(
        r"<td[^>]*>April 2026</td><td[^>]*>2.5</td><td[^>]*>The coordinator's score", a
    )
    assert (
        "Nobody has scored its progress yet: 2.0 (activity, but no changes) is suggested by the "
        "app from the team's April 2026 report." in b
    )
    assert "Its April 2026 report, the latest it submitted, names no barriers" in b
    assert "No progress scores in this period yet." in b
    assert "No test of change reached a decision since the panel's review on 15 March 2026." in b


def add_points(measure: Measure, team: Team, values: list[float], denominators=None) -> None:
    for month, value in enumerate(values, start=1):
        denominator = denominators[month - 1] if denominators else None
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=team.id,
                period_start=date(2026, month, 1),
                value=value,
                denominator=denominator,
            )
        )
    db.session.commit()


def test_a_story_says_what_changed_since_the_review(world, small, client_for) -> None:
    """Team A's falls: 17 in March, the last month on or before the review of 15 March, 14 in
    June. Team B's share of people who feel in control: 3 of 20 at the review rests on a small
    number, so it is hidden and no difference is given."""
    add_points(small.measure, world.team_a, [19, 18, 17, 16, 15, 14])
    control = Measure(
        collaborative_id=world.x.id,
        name="People who feel in control",
        measure_type="outcome",
        value_kind="proportion",
        direction="increase",
        chart_type="p",
        unit="%",
    )
    db.session.add(control)
    db.session.commit()
    add_points(control, world.team_b, [10, 12, 3, 12, 14, 15], [20] * 6)
    page = body(client_for(world.panel_x).get(small.url))
    articles = story_articles(page)
    a, b = html.unescape(articles[world.team_a.id]), html.unescape(articles[world.team_b.id])
    assert "It was 17 at the review (March 2026), 14 now (down 3)." in a
    assert "It was hidden (small number) at the review (March 2026), 75 now." in b
    # With a period chosen, the figures count from its start, not a review: as before.
    chosen = body(client_for(world.panel_x).get(f"{small.url}?from_month=2026-04"))
    assert "at the review" not in html.unescape(chosen)


def test_without_a_review_there_is_nothing_to_compare_with(world, client_for, monkeypatch):
    monkeypatch.setattr("improve.panel.stories.today", lambda: TODAY)
    measure = Measure(
        collaborative_id=world.x.id,
        name="Falls a month",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        chart_type="c",
    )
    db.session.add(measure)
    db.session.commit()
    add_points(measure, world.team_a, [19, 18, 17, 16, 15, 14])
    page = body(client_for(world.panel_x).get(f"/collaboratives/{world.x.id}/panel"))
    a = html.unescape(story_articles(page)[world.team_a.id])
    assert "Falls a month was 14 in June 2026 (no baseline set)" in a
    assert "at the review" not in a


def test_the_chosen_months_bound_the_decisions_and_the_report(world, small, client_for) -> None:
    page = body(client_for(world.panel_x).get(f"{small.url}?from_month=2026-04&to_month=2026-04"))
    a = html.unescape(story_articles(page)[world.team_a.id])
    assert "Tests of change decided since 1 April 2026: 1 adopted (‘Morning huddle’)" in a
    assert "none adapted and 1 abandoned" in a


def test_a_chosen_team_gets_only_its_story(world, small, client_for) -> None:
    page = body(client_for(world.panel_x).get(f"{small.url}?team={world.team_b.id}"))
    assert set(story_articles(page)) == {world.team_b.id}


def test_htmx_gets_the_stories_with_the_results(world, small, client_for) -> None:
    response = client_for(world.panel_x).get(
        small.url, headers={**HTMX, "HX-Target": "panel-results"}
    )
    text = body(response)
    assert text.startswith('<div id="panel-results"')
    assert set(story_articles(text)) == {world.team_a.id, world.team_b.id}


def test_stories_come_a_page_of_teams_at_a_time(world, small, client_for, monkeypatch) -> None:
    monkeypatch.setattr(queries, "SPARKS_PER_PAGE", 1)
    client = client_for(world.panel_x)
    first = body(client.get(small.url))
    second = body(client.get(f"{small.url}?teams_page=2"))
    assert set(story_articles(first)) == {world.team_a.id}
    assert set(story_articles(second)) == {world.team_b.id}
    assert f'href="{small.url}?teams_page=2#team-stories"' in first
    assert "Teams 2 to 2 of 2, in name order." in second
    printed = body(client.get(f"{small.url}/print"))
    assert set(story_articles(printed)) == {world.team_a.id, world.team_b.id}
    assert 'aria-label="Pages of team stories"' not in printed


def test_the_story_figures_read_as_the_panel_table_does() -> None:
    for value in (None, 0.0, 4.0, 4.25, 12.5, 1234.0, float("nan")):
        assert story.figure(value) == panel_value(value)
    for share in (0.0, 0.5, 0.754, 1.0):
        assert story.figure(share, percent=True) == panel_value(share, "p")


# A fixed number of queries -----------------------------------------------------------------------


def add_busy_team(world, small, number: int) -> None:
    team = Team(collaborative=world.x, name=f"Team {number}", organisation="Elsewhere")
    db.session.add(team)
    db.session.commit()
    db.session.add_all(
        DataPoint(
            measure_id=small.measure.id, team_id=team.id, period_start=date(2026, m, 1), value=9
        )
        for m in range(1, 7)
    )
    add_decided(team, f"Change {number}", Decision.ADOPT, date(2026, 4, 2))
    add_report(team, 4, f"Barrier {number}")
    add_score(team, 4, Assessor.SELF, 2.0)
    add_score(team, 5, Assessor.COORDINATOR, 2.5)


def test_stories_do_not_add_queries_per_team(world, small, client_for) -> None:
    client = client_for(world.panel_x)
    client.get(small.url)  # warm the session
    db.session.refresh(world.x)  # loaded before counting, as the page's view loads it
    with counting_queries() as two_stories:
        stories.team_stories(panel_result(world.x), TODAY)
    with counting_queries() as two_page:
        assert client.get(small.url).status_code == 200
    for number in range(4):
        add_busy_team(world, small, number)
    db.session.refresh(world.x)
    with counting_queries() as six_stories:
        told = stories.team_stories(panel_result(world.x), TODAY)
    with counting_queries() as six_page:
        response = client.get(small.url)
    assert len(told) == 6 and len(story_articles(body(response))) == 6
    assert len(six_stories) == len(two_stories), "\n".join(six_stories)
    assert len(six_page) == len(two_page), "\n".join(six_page)
