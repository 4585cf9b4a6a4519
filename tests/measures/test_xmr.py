"""Issue 17, point 3: an I chart shows its moving-range chart beneath it (Making Data Count's XmR
view), worked out by the one analysis, with its own text and table; other charts have none.

Moving ranges of two (Provost & Murray, The Health Care Data Guide, 2011, chapter 7; qicharts2's
"mr" chart): MR_i = |x_i - x_(i-1)|, centre MR-bar, upper limit D4 x MR-bar = 3.267 x MR-bar,
no lower limit; the I chart's limits are the mean +/- 2.66 x MR-bar (NHS method) or
3 x MR-bar / 1.128 (classic), so the two charts must agree on MR-bar."""

from __future__ import annotations

import re
from datetime import date

import pytest

from improve.extensions import db
from improve.measures.analysis import analyse_measure, moving_ranges_of
from improve.measures.queries import series_frame
from improve.models import ChartType, Collaborative
from tests.conftest import text_of

VALUES = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]


def months(count: int) -> list[date]:
    return [date(2025 + (m // 12), m % 12 + 1, 1) for m in range(count)]


@pytest.fixture
def i_measure(world, make_aim, make_measure, add_point):
    measure = make_measure(make_aim(world.team_a), chart_type=ChartType.I, baseline_start=None)
    for period, value in zip(months(len(VALUES)), VALUES, strict=True):
        add_point(measure, world.team_a, period, value)
    return measure


def test_the_moving_ranges_come_from_the_one_analysis_and_agree_with_the_i_chart(world, i_measure):
    collaborative = db.session.get_one(Collaborative, i_measure.collaborative_id)
    frame = series_frame(i_measure, world.team_a)
    individuals = analyse_measure(i_measure, collaborative, frame)
    moving = moving_ranges_of(i_measure, collaborative, frame)
    assert individuals is not None and moving is not None
    expected = [abs(b - a) for a, b in zip(VALUES, VALUES[1:], strict=False)]
    plotted = [float(v) for v in moving.chart.value]
    assert plotted[-len(expected) :] == pytest.approx(expected)
    mr_bar = float(moving.chart.cl[-1])
    assert float(moving.chart.ucl[-1]) == pytest.approx(3.267 * mr_bar, rel=1e-3)
    # The I chart's limits are built on the same MR-bar.
    half_width = float(individuals.chart.ucl[-1] - individuals.chart.cl[-1])
    method = individuals.settings.sigma_method
    factor = 2.66 if method == "nhs" else 3 / 1.128
    assert half_width == pytest.approx(factor * mr_bar, rel=1e-3)


def test_the_measure_page_draws_the_moving_ranges_beneath_an_i_chart(world, client_for, i_measure):
    page = client_for(world.member_a).get(f"/measures/{i_measure.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    first = html.index('id="chart-title"')
    second = html.index('id="mr-chart-title"')
    assert first < second, "the moving ranges come beneath the I chart"
    assert "Falls a month: moving ranges" in html
    text = text_of(page)
    assert "Moving ranges" in text and "Moving range signal" in text
    # The chart's table has each period's moving range beside its value: |9 - 10| = 1, ...
    table = html.split("app-number-table")[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</tr>', table, re.DOTALL)
    assert len(rows) == len(VALUES)
    ranges = [re.findall(r"<td>([^<]*)</td>", row)[4] for row in rows]
    expected = ["–"] + [f"{abs(b - a):g}" for a, b in zip(VALUES, VALUES[1:], strict=False)]
    assert ranges == expected
    # Only its signals are marked: the jump from 9 to 4 is far above the usual change.
    mr_svg = html[second : html.index("</svg>", second)]
    assert 0 < mr_svg.count('class="point"') < len(VALUES)


def test_other_charts_have_no_moving_ranges(world, client_for, make_aim, make_measure, add_point):
    measure = make_measure(make_aim(world.team_a), chart_type=ChartType.RUN)
    for period, value in zip(months(12), VALUES, strict=False):
        add_point(measure, world.team_a, period, value)
    html = client_for(world.member_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    assert 'id="chart-title"' in html and "mr-chart" not in html and "Moving ranges" not in html
