"""One truth per measure (issue 15): for every team and measure of the demo collaborative and of
a 25-team `flask scale-data` collaborative, what each page and file says about the measure equals
the one analysis (improve.measures.analysis.analyse_series): the measure page's signals, the
measures export's plotted values and point types, the panel's table, small charts and their
sentences, the monthly report's prefill and suggested score, and the idea library's "did a signal
follow?".
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from improve import demo, scale_data
from improve.analysis import disclosure, summary
from improve.analysis.series import SeriesAnalysis
from improve.charts.svg import labels_days
from improve.charts.table import periods_label
from improve.exports.queries import POINT_TYPE_NAMES
from improve.extensions import db
from improve.measures import linking
from improve.measures.analysis import analyse_series, read_series
from improve.models import Collaborative, Cycle, Measure, Ramp, Team
from improve.models.cycle import cycle_measure
from improve.panel.queries import get_latest_review
from improve.reports import queries as report_queries

TODAY = date(2026, 12, 7)
SCALE_TEAMS = 25


def _client(app: Any, email: str, password: str) -> Any:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 303, email
    return client


@pytest.fixture(params=["demo", "scale"])
def world(request: pytest.FixtureRequest, app: Any) -> SimpleNamespace:
    """A whole collaborative, its coordinator's and panel member's clients, and the one analysis
    of every team's series of every measure."""
    if request.param == "demo":
        demo.create(TODAY)
        people = ("coordinator@example.org", "panel@example.org", demo.DEMO_PASSWORD)
    else:
        scale_data.generate(SCALE_TEAMS / scale_data.TEAMS_AT_SCALE_1, TODAY)
        people = (scale_data.COORDINATOR, scale_data.PANEL, scale_data.PASSWORD)
    db.session.commit()
    collaborative = db.session.scalars(sa.select(Collaborative)).one()
    teams = list(
        db.session.scalars(sa.select(Team).where(Team.collaborative_id == collaborative.id))
    )
    measures = list(
        db.session.scalars(sa.select(Measure).where(Measure.collaborative_id == collaborative.id))
    )
    return SimpleNamespace(
        name=request.param,
        app=app,
        collaborative=collaborative,
        teams=teams,
        team_names={team.id: team.name for team in teams},
        measures={measure.id: measure for measure in measures},
        analyses=analyse_series(measures, collaborative, [team.id for team in teams]),
        coordinator=_client(app, people[0], people[2]),
        panel=_client(app, people[1], people[2]),
    )


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    text: str = response.get_data(as_text=True)
    return text


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_every_series_is_analysed(world) -> None:
    # The worlds are what the rest compares: many series, with signals of every kind.
    assert len(world.analyses) >= (25 if world.name == "demo" else 500)
    kinds = {event.kind for analysis in world.analyses.values() for event in analysis.events}
    assert {"special_cause_improvement", "special_cause_concern"} <= kinds


def test_the_measure_pages_list_the_analysis_signals(world) -> None:
    """Each measure page's signals, one per episode with its periods, in order. At scale: the
    shared measures of every team and every measure of three teams (600 pages would add a
    minute and show nothing more)."""
    checked = 0
    sampled = {team.id for team in world.teams[:3]}
    for (measure_id, team_id), analysis in sorted(world.analyses.items()):
        measure = world.measures[measure_id]
        if world.name == "scale" and measure.team_id is not None and team_id not in sampled:
            continue
        address = f"/measures/{measure_id}" + (f"?team={team_id}" if measure.is_shared else "")
        html = _html(world.coordinator.get(address))
        listed = re.search(
            r'<ul class="govuk-list govuk-list--bullet app-signals">(.*?)</ul>', html, re.S
        )
        shown = re.findall(r"<li><strong>(.*?)</strong>", listed.group(1)) if listed else []
        days = labels_days(analysis.dates)  # weekly series name their weeks by day
        assert shown == [periods_label(event, days) for event in analysis.events], address
        checked += 1
    assert checked >= 25


def test_the_measures_export_has_the_analysis_values_and_point_types(world) -> None:
    """The file is in team, measure name, measure order: a team's measures of the same name
    follow each other in id order, each with its points in period order."""
    address = f"/collaboratives/{world.collaborative.id}/exports/measures.csv"
    rows = _csv(world.coordinator.get(address))
    by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_name.setdefault((row["Team"], row["Measure"]), []).append(row)
    expected: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
    for measure_id, team_id in sorted(world.analyses):
        analysis = world.analyses[(measure_id, team_id)]
        key = (world.team_names[team_id], world.measures[measure_id].name)
        types, values = expected.setdefault(key, ([], []))
        types += [POINT_TYPE_NAMES[kind] for kind in analysis.point_types]
        values += analysis.chart.value.tolist()
    checked = 0
    for key, (types, values) in expected.items():
        series = [row for row in by_name[key] if row["Point type"]]  # analysed series only
        assert [row["Point type"] for row in series] == types, key
        plotted = [float(row["Number on the chart"] or "nan") for row in series]
        assert plotted == pytest.approx(values, nan_ok=True), key
        checked += 1
    assert checked == len(expected) > 0


def _since(world) -> date | None:
    review = get_latest_review(world.collaborative.id)
    return review.reviewed_on if review else None


def test_the_panel_table_and_its_file_read_the_analysis(world) -> None:
    address = f"/collaboratives/{world.collaborative.id}/panel/summary.csv"
    note, *rows = _csv(world.panel.get(address))
    assert note["Team"] == "About small numbers"
    shared = {m.id: m for m in world.measures.values() if m.is_shared}
    # The numbers as stored, for the rule on small numbers of people (issue 19, point 4).
    stored = dict(read_series(shared, world.team_names))
    threshold = world.collaborative.suppression_threshold
    hidden_figures = 0
    since_column = next(name for name in rows[0] if name.startswith("Real improvements"))
    worse_column = next(name for name in rows[0] if name.startswith("Changes for the worse"))
    since = _since(world)
    checked = 0
    for row in rows:
        if row["Team"].startswith("All teams"):
            continue
        team_id = next(t for t, name in world.team_names.items() if name == row["Team"])
        measure_id = next(m for m, measure in shared.items() if measure.name == row["Measure"])
        analysis = world.analyses.get((measure_id, team_id))
        if analysis is None:
            assert row["Latest"] == ""
            continue
        kind = analysis.definition.value_kind
        flags = disclosure.series_hidden(kind, stored[(measure_id, team_id)], threshold)
        if flags[analysis.latest_index]:
            assert row["Latest"] == row["Target reached"] == disclosure.HIDDEN_WORDS
            hidden_figures += 1
        else:
            assert float(row["Latest"]) == pytest.approx(round(analysis.latest, 3))
        assert row["What the chart shows"] == summary.VARIATION_WORDS[analysis.variation][0]
        recent = analysis.events_touching(since)
        assert int(row[since_column]) == sum(event.improvement for event in recent)
        assert int(row[worse_column]) == sum(event.concern for event in recent)
        baseline = analysis.baseline
        assert (row["Baseline"] == "") == (baseline is None)
        if baseline is not None and (flags & summary.baseline_points(analysis)).any():
            assert row["Baseline"] == disclosure.HIDDEN_WORDS
            hidden_figures += 1
        elif baseline is not None:
            assert float(row["Baseline"]) == pytest.approx(round(baseline, 3))
        checked += 1
    assert checked >= len(world.teams)
    if hidden_figures:
        assert f"{hidden_figures} figure" in note["Measure"]


def test_the_panel_small_charts_say_what_the_analysis_says(world) -> None:
    shared = sorted((m for m in world.measures.values() if m.is_shared), key=lambda m: m.name)
    for measure in shared:
        base = f"/collaboratives/{world.collaborative.id}/panel?measure={measure.id}"
        html = "".join(_html(world.panel.get(f"{base}&teams_page={page}")) for page in (1, 2))
        for team in world.teams:
            analysis = world.analyses.get((measure.id, team.id))
            found = re.search(rf'id="spark-{measure.id}-{team.id}-summary">(.*?)</p>', html, re.S)
            if analysis is None:
                continue
            assert found, (measure.name, team.name)
            sentence = _text(found.group(1))
            improvements = sum(event.improvement for event in analysis.events)
            concerns = sum(event.concern for event in analysis.events)
            if improvements:
                assert (
                    f"{improvements} signal{'s' if improvements > 1 else ''} of a real" in sentence
                )
            if concerns:
                assert f"{concerns} signal{'s' if concerns > 1 else ''} of a change for" in sentence
            if not improvements and not concerns:
                assert "No unusual change" in sentence


def test_the_report_prefill_and_suggested_score_read_the_analysis(world) -> None:
    start = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    end = TODAY.replace(day=1) - timedelta(days=1)
    for team in world.teams[:8]:
        evidence, suggestion = report_queries.gather_evidence(
            world.collaborative, team, start, TODAY
        )
        measure_ids = [item["id"] for item in evidence["measures"]]
        until = analyse_series(
            [world.measures[m] for m in measure_ids], world.collaborative, [team.id], until=end
        )
        for item in evidence["measures"]:
            analysis = until.get((item["id"], team.id))
            if analysis is None:
                continue
            assert item["latest_value"] == pytest.approx(analysis.latest)
            assert [s["period"] for s in item["signals"]] == [
                periods_label(event, labels_days(analysis.dates))
                for event in analysis.events_touching(start, end)
            ]
            assert item["improvement"] == bool(analysis.improvements)
        improving = [
            until[(m, team.id)]
            for m in measure_ids
            if (m, team.id) in until and until[(m, team.id)].improvements
        ]
        if not improving:
            assert suggestion.score <= 2.5, (team.name, suggestion)


def _expected_follow(world) -> dict[tuple[int, int], str]:
    """(idea id, team id) -> the library's words, from the analysis and the one linking rule."""
    rows = db.session.execute(
        sa.select(Cycle.id, Cycle.team_id, Cycle.starts_on, cycle_measure.c.measure_id).join(
            cycle_measure, cycle_measure.c.cycle_id == Cycle.id
        )
    ).all()
    ideas = dict(
        db.session.execute(
            sa.select(Cycle.id, Ramp.change_idea_id).join(Ramp, Ramp.id == Cycle.ramp_id)
        ).all()
    )
    words: dict[tuple[int, int], str] = {}
    for cycle_id, team_id, starts_on, measure_id in rows:
        analysis: SeriesAnalysis | None = world.analyses.get((measure_id, team_id))
        key = (ideas[cycle_id], team_id)
        words.setdefault(key, "No signal yet")
        if analysis is None:
            continue
        frequency = world.measures[measure_id].frequency.value
        followed = [e for e in analysis.events if linking.follows(starts_on, e.start, frequency)]
        if any(event.improvement for event in followed):
            words[key] = "Yes: an improvement"
        elif followed and words[key] == "No signal yet":
            words[key] = "Yes, but not an improvement"
    return words


def test_the_idea_library_says_a_signal_followed_as_the_analysis_does(world) -> None:
    """Each team's row of each idea (a team may hold the same idea in several aims: its row
    covers them all) says what the analysis and the one linking rule say."""
    html = _html(world.coordinator.get(f"/collaboratives/{world.collaborative.id}/ideas"))
    expected = _expected_follow(world)
    order = ["No signal yet", "Yes, but not an improvement", "Yes: an improvement"]
    checked = 0
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        team = re.search(r'href="/teams/(\d+)"', row)
        ideas = [int(idea) for idea in re.findall(r"#idea-(\d+)", row)]
        text = _text(row)
        if team is None or not ideas or "Not tested yet" in text:
            continue
        found = [expected.get((idea, int(team.group(1))), order[0]) for idea in ideas]
        words = max(found, key=order.index)
        assert words in text, (ideas, team.group(1), text[:200])
        checked += 1
    assert checked >= 5
