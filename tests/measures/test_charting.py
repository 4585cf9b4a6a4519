"""The measure page's chart glue: phases become engine parts, and nothing the team enters can
stop the page from showing."""

import numpy as np
import pytest

from improve.analysis.series import phase_breaks


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([0, 0, 0, 0], []),
        ([0, 0, 1, 0], [2]),  # points 1-2 | 3-4
        ([1, 0, 0, 0], []),  # the first point always starts the first part
        ([0, 1, 0, 0], []),  # would leave point 1 alone
        ([0, 0, 0, 1], []),  # would leave point 4 alone
        ([0, 0, 1, 0, 1, 0], [2, 4]),
        ([0, 0, 1, 1, 0, 0], [2]),  # the second would leave point 3 alone
    ],
)
def test_phase_breaks_keep_every_part_at_two_points_or_more(flags, expected):
    assert phase_breaks(np.array(flags, dtype=bool)) == expected


def _months(count: int) -> list:
    from datetime import date

    return [date(2025 + (m // 12), m % 12 + 1, 1) for m in range(count)]


def test_the_measure_page_shows_the_chart_its_summary_signals_and_a_table(
    world, make_aim, make_measure, add_point, client_for
):
    from improve.models import ChartType

    aim = make_aim(world.team_a)
    measure = make_measure(aim, chart_type=ChartType.I)
    # Twelve months at about 9, then twelve at about 4: a shift the rules must find.
    values = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]
    for period, value in zip(_months(24), values, strict=True):
        add_point(measure, world.team_a, period, value)

    page = client_for(world.member_a).get(f"/measures/{measure.id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert "What the data shows" in html
    assert "The chart as a table" in html
    assert "in a row" in html or "limit" in html  # a signal in plain words
    individuals = html.split('id="chart-title"')[1].split("</svg>")[0]
    assert individuals.count('class="point"') == 24


def test_too_few_points_say_when_the_chart_will_appear(world, make_aim, make_measure, client_for):
    measure = make_measure(make_aim(world.team_a))
    html = client_for(world.member_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    assert '<figure class="app-chart">' not in html
    assert "The chart appears once there are at least two values" in html


def test_after_a_save_htmx_fetches_only_the_chart(
    world, make_aim, make_measure, add_point, client_for
):
    measure = make_measure(make_aim(world.team_a))
    for period, value in zip(_months(3), [3, 4, 5], strict=True):
        add_point(measure, world.team_a, period, value)

    response = client_for(world.member_a).get(
        f"/measures/{measure.id}?team={world.team_a.id}",
        headers={"HX-Request": "true", "HX-Target": "measure-chart"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="measure-chart"')
    assert "<html" not in html and 'id="data-entry"' not in html


def test_a_phase_starting_at_the_second_point_does_not_break_the_page(
    world, make_aim, make_measure, add_point, client_for
):
    measure = make_measure(make_aim(world.team_a))
    months = _months(3)
    add_point(measure, world.team_a, months[0], 3)
    add_point(measure, world.team_a, months[1], 4, starts_new_phase=True, phase_reason="New rota")
    add_point(measure, world.team_a, months[2], 5)

    response = client_for(world.member_a).get(f"/measures/{measure.id}")

    assert response.status_code == 200
    assert "<svg" in response.get_data(as_text=True)
