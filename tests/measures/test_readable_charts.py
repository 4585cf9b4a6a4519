"""Issue 17, point 2: weekly charts name each week by its first day (monthly names read "Aug 2026,
Aug 2026, Aug 2026"), and a proportion kept as a share of 0 to 1 reads as a percentage
everywhere the chart is written: axis, tooltips, summary and table."""

from __future__ import annotations

import re
from datetime import date, timedelta

from improve.analysis import control_chart, signals
from improve.charts import chart_svg
from improve.charts.svg import describe, period_labels
from improve.charts.table import chart_rows
from improve.models import ChartType
from tests.conftest import text_of

WEEKS = [date(2026, 7, 27) + timedelta(weeks=n) for n in range(12)]
MONTHS = [date(2026, month, 1) for month in range(1, 13)]
VALUES = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12, 14, 12]


def test_weeks_are_named_by_their_first_day_and_months_by_the_month():
    assert period_labels(WEEKS)[:3] == ["27 Jul 2026", "3 Aug 2026", "10 Aug 2026"]
    assert period_labels(MONTHS)[:2] == ["Jan 2026", "Feb 2026"]


def test_a_weekly_chart_never_repeats_an_axis_label():
    chart = control_chart(VALUES, chart="i")
    svg = chart_svg(chart, signals(chart), title="Falls", dates=WEEKS)
    labels = re.findall(r'<text class="x-label"[^>]*>([^<]+)</text>', svg)
    assert labels and len(labels) == len(set(labels))
    assert "27 Jul 2026" in labels
    assert "<title>3 Aug 2026: 12</title>" in svg
    assert "from 27 Jul 2026 to 12 Oct 2026" in describe(chart, signals(chart), dates=WEEKS)
    rows = chart_rows(chart, signals(chart), WEEKS)
    assert [row["period"] for row in rows[:2]] == ["27 Jul 2026", "3 Aug 2026"]


def test_a_share_reads_as_a_percentage_on_the_chart():
    numerators = [7, 8, 7, 9, 8, 7, 8, 9, 7, 8, 9, 8]
    chart = control_chart(numerators, [10] * 12, chart="p")
    svg = chart_svg(chart, signals(chart), title="Share", dates=MONTHS, percent=True)
    ticks = re.findall(r'<text x="50"[^>]*>([^<]+)</text>', svg)
    assert ticks and all(tick.endswith("%") for tick in ticks)
    assert "<title>Jan 2026: 70%</title>" in svg
    summary = describe(chart, signals(chart), dates=MONTHS, percent=True)
    assert "Centre line 79.17%, limits 40.64% to 100%" in summary


def test_the_measure_page_shows_a_share_as_a_percentage(
    world, make_aim, make_measure, add_point, client_for
):
    measure = make_measure(
        make_aim(world.team_a),
        name="Reviews on time",
        value_kind="proportion",
        chart_type=ChartType.P,
        unit="of reviews",
    )
    for period, value in zip(MONTHS, [7, 8, 7, 9, 8, 7, 8, 9, 7, 8, 9, 8], strict=True):
        add_point(measure, world.team_a, period, value, denominator=10)
    page = client_for(world.member_a).get(f"/measures/{measure.id}")
    text = text_of(page)
    assert "Centre line 79.17%" in text
    table = page.get_data(as_text=True).split("app-number-table")[1].split("</table>")[0]
    assert "<td>70%</td>" in table and "0.7<" not in table
