"""A target reached step by step, as people meet it (issue 17, point 6): ticked on the measure's
form (only with a target, its date and a baseline; a change of drawing, so no "applies from"
date is asked for), drawn as a stepped line, said in the chart's text, used for the assurance
icon, and the same line in the measures export."""

from __future__ import annotations

import re
from datetime import date

import pytest

from improve.extensions import db
from improve.measures.analysis import analyse_measure
from improve.measures.queries import series_frame
from improve.models import ChartType, Collaborative, Measure
from tests.conftest import text_of
from tests.exports.test_exports import by_period, csv_rows, url
from tests.measures.test_chart_kind import edit

BASELINE = [10.0, 11.0, 9.0, 10.0, 10.0, 11.0]
AFTER = [6.0, 6.1, 5.9, 6.0, 6.1, 5.9]


def months(count: int) -> list[date]:
    return [date(2025 + m // 12, m % 12 + 1, 1) for m in range(count)]


@pytest.fixture
def stepwise(world, make_aim, make_measure, add_point) -> Measure:
    measure = make_measure(
        make_aim(world.team_a),
        value_kind="continuous",
        chart_type=ChartType.I,
        baseline_start=date(2025, 1, 1),
        baseline_end=date(2025, 6, 1),
        target_value=2.0,
        target_date=date(2026, 12, 1),
        target_trajectory=True,
    )
    for index, (period, value) in enumerate(zip(months(12), BASELINE + AFTER, strict=True)):
        add_point(measure, world.team_a, period, value, starts_new_phase=index == 6)
    return measure


def test_the_chart_draws_and_says_the_line_and_judges_the_latest_point_by_it(
    world, client_for, stepwise
):
    page = client_for(world.member_a).get(f"/measures/{stepwise.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    start = html.index('id="chart-title"')
    svg = html[start : html.index("</svg>", start)]
    assert re.search(r'<path class="target" d="M[^"]+"', svg), "a stepped target line"
    assert '<line class="target"' not in svg
    text = text_of(page)
    # The baseline's mean 61/6 at the first point; 183 of the 548 days to the target by December.
    assert "Target step by step: 10.17 at the first point and 7.439 at the latest" in text
    assert "on the way to 2" in text
    assert "step by step from the baseline" in text  # the definition says so
    # Against the line the team is ahead of plan; against 2 it would consistently fail.
    collaborative = db.session.get_one(Collaborative, stepwise.collaborative_id)
    analysis = analyse_measure(stepwise, collaborative, series_frame(stepwise, world.team_a))
    assert analysis is not None and analysis.assurance == "pass"


def test_the_export_has_the_target_where_the_line_is_each_period(world, client_for, stepwise):
    rows = csv_rows(client_for(world.coordinator_x).get(url(world.x, "measures", "csv")))
    periods = by_period(rows, "Team A", "Falls a month")
    assert float(periods["2025-01-01"]["Target"]) == pytest.approx(61 / 6)
    assert float(periods["2025-12-01"]["Target"]) == pytest.approx(
        61 / 6 + (2 - 61 / 6) * 183 / 548
    )


def test_ticking_it_changes_the_drawing_without_asking_when_it_applies(
    world, client_for, make_aim, make_measure
):
    measure = make_measure(
        make_aim(world.team_a), chart_type="run", target_value=4, target_date=date(2027, 3, 31)
    )
    response = edit(
        client_for(world.member_a),
        measure,
        target_value="4",
        target_date=["31", "3", "2027"],
        target_trajectory="y",
    )
    assert response.status_code == 303, text_of(response)
    db.session.refresh(measure)
    assert measure.target_trajectory
    assert not measure.revisions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target_date": None}, "To reach the target step by step, enter a target and its date"),
        ({"baseline_start": None}, "enter when the baseline starts"),
        ({"target_date": ["1", "1", "2026"]}, "The target date must be after the baseline ends"),
    ],
)
def test_step_by_step_needs_a_target_its_date_and_a_baseline(
    world, client_for, make_aim, make_measure, fields, message
):
    measure = make_measure(
        make_aim(world.team_a), chart_type="run", target_value=4, target_date=date(2027, 3, 31)
    )
    fields = {"target_value": "4", "target_date": ["31", "3", "2027"]} | fields
    response = edit(client_for(world.member_a), measure, target_trajectory="y", **fields)
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.refresh(measure)
    assert not measure.target_trajectory
