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


def test_cycles_are_numbered_on_the_chart_with_a_key_and_notes_reach_their_points(
    world, make_aim, make_measure, add_point, client_for
):
    from improve.models import Decision, Stage
    from tests.cycles.factories import make_cycle, make_idea

    aim = make_aim(world.team_a)
    measure = make_measure(aim, name="Falls a month")
    for period, value in zip(MONTHS, VALUES, strict=True):
        extra = {}
        if period.month == 3:
            extra = {"excluded": True, "exclusion_reason": "Flu outbreak"}
        if period.month == 6:
            extra = {"note": "New sensor mats"}
        add_point(measure, world.team_a, period, value, **extra)
    idea = make_idea(aim)
    # Two cycles a day apart: their badges must not overlap (the labels did).
    first = make_cycle(
        idea,
        title="Huddle at handover",
        starts_on=date(2026, 5, 4),
        ends_on=date(2026, 5, 29),
        stage=Stage.CLOSED,
        decision=Decision.ADOPT,
    )
    second = make_cycle(idea, title="Sensor mats", starts_on=date(2026, 5, 5))
    client = client_for(world.member_a)
    page = client.get(f"/measures/{measure.id}")
    html = page.get_data(as_text=True)
    text = text_of(page)
    assert "Tests of change on the chart" in text
    # Numbered in the order they began (both are "cycle 1": numbers restart on each ramp).
    key = html.split("app-chart-key__cycles")[1].split("</ol>")[0]
    assert re.findall(r'<span class="app-badge">(\d+)</span>', key) == ["1", "2"]
    assert (
        f">Huddle at handover (cycle {first.number})</a>, 4 May 2026 to 29 May 2026. "
        "Decided to adopt the change.</li>" in key
    )
    assert f">Sensor mats (cycle {second.number})</a>, 5 May 2026 to 8 May 2026. Still" in key
    badges = re.findall(r'class="marker-label"[^>]*>(\d+)</text>', html)
    assert badges == ["1", "2"]
    assert f'href="/cycles/{first.id}"' in html
    assert "<strong>Mar 2026</strong>: Left out: Flu outbreak</li>" in html
    assert "<strong>Jun 2026</strong>: Note: New sensor mats</li>" in html
    svg = html[
        html.index('id="chart-title"') : html.index("</svg>", html.index('id="chart-title"'))
    ]
    assert "<title>Mar 2026: 11 (excluded). Left out: Flu outbreak</title>" in svg
    assert "Note: New sensor mats</title>" in svg

    download = client.get(f"/measures/{measure.id}/chart.svg").get_data(as_text=True)
    assert (
        "1. Huddle at handover (cycle 1), 4 May 2026 to 29 May 2026. Decided to adopt" in download
    )
    assert "Mar 2026: Left out: Flu outbreak</text>" in download
