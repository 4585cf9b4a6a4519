"""Control-chart centre lines and limits, against hand-computed values (pure, no app)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from improve.analysis.spc import AnalysisError, control_chart

NAN = float("nan")
approx = pytest.approx


def test_run_chart_median_and_no_limits() -> None:
    chart = control_chart([3, 1, 4, 1, 5, 9, 2, 6], chart="run")
    assert chart.cl.tolist() == [3.5] * 8
    assert np.isnan(chart.ucl).all() and np.isnan(chart.lcl).all()
    assert not chart.sigma_points.any()


def test_i_chart_classic_and_nhs() -> None:
    values = [10, 12, 11, 15, 13]  # MR 2, 1, 4, 2: MR-bar 2.25; mean 12.2
    classic = control_chart(values, chart="i")
    assert classic.cl[0] == approx(12.2)
    assert classic.ucl[0] == approx(12.2 + 3 * 2.25 / 1.128)
    assert classic.lcl[0] == approx(12.2 - 3 * 2.25 / 1.128)
    nhs = control_chart(values, chart="i", sigma_method="nhs")
    assert nhs.ucl[0] == approx(12.2 + 2.66 * 2.25)
    assert nhs.lcl[0] == approx(12.2 - 2.66 * 2.25)
    # 2-sigma lines are two thirds of the way to the limits.
    assert nhs.near_ucl[0] == approx(12.2 + 2 / 3 * 2.66 * 2.25)
    assert classic.trial_parts == (1,)


def test_mr_chart() -> None:
    chart = control_chart([10, 12, 11, 15, 13], chart="mr")
    assert np.isnan(chart.value[0])
    assert chart.value[1:].tolist() == [2, 1, 4, 2]
    assert chart.cl[0] == approx(2.25)
    assert chart.ucl[0] == approx(3.267 * 2.25)
    assert chart.lcl[0] == 0


def test_moving_range_screening_recomputes_once() -> None:
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 19]  # MRs: eight 1s and one 18: MR-bar 26/9
    plain = control_chart(values, chart="i")
    assert plain.ucl[0] - plain.cl[0] == approx(3 * (26 / 9) / 1.128)
    screened = control_chart(values, chart="i", screen_outliers=True)
    # 18 >= 3.267 * 26/9 = 9.44 is dropped: MR-bar 1.
    assert screened.ucl[0] - screened.cl[0] == approx(3 / 1.128)
    assert screened.sigma_points[-1]


def test_p_chart_per_point_limits_clamped() -> None:
    chart = control_chart([5, 10, 15], [50, 100, 150], chart="p")
    assert chart.cl.tolist() == approx([0.1] * 3)
    for i, n in enumerate([50, 100, 150]):
        half = 3 * math.sqrt(0.1 * 0.9 / n)
        assert chart.ucl[i] == approx(0.1 + half)
        assert chart.lcl[i] == approx(max(0.0, 0.1 - half))
    assert chart.lcl[0] == 0  # clamped
    assert chart.value.tolist() == approx([0.1] * 3)
    percent = control_chart([5, 10, 15], [50, 100, 150], chart="p", multiplier=100)
    assert percent.cl[0] == approx(10)
    assert percent.ucl[0] == approx(100 * (0.1 + 3 * math.sqrt(0.09 / 50)))


def test_p_chart_upper_limit_clamped_to_one() -> None:
    chart = control_chart([9, 10, 9], [10, 10, 10], chart="p")
    assert chart.ucl.tolist() == [1.0, 1.0, 1.0]


def test_u_chart_with_multiplier() -> None:
    chart = control_chart([2, 4, 6], [1000, 2000, 3000], chart="u", multiplier=1000)
    assert chart.cl.tolist() == approx([2.0] * 3)
    assert chart.value.tolist() == approx([2.0] * 3)
    assert chart.ucl[0] == approx(1000 * (0.002 + 3 * math.sqrt(0.002 / 1000)))
    assert chart.lcl[0] == 0
    assert chart.ucl[2] == approx(1000 * (0.002 + 3 * math.sqrt(0.002 / 3000)))


def test_c_chart() -> None:
    chart = control_chart([4, 6, 5, 5], chart="c")
    assert chart.cl[0] == approx(5)
    assert chart.ucl[0] == approx(5 + 3 * math.sqrt(5))
    assert chart.lcl[0] == 0
    big = control_chart([100, 110, 90], chart="c")
    assert big.lcl[0] == approx(100 - 30)


def test_excluded_point_left_out_but_still_flagged() -> None:
    chart = control_chart([10, 12, 11, 50, 13], chart="i", exclude=[4])
    # Mean of 10, 12, 11, 13; moving ranges touching point 4 are not used: MR-bar (2 + 1) / 2.
    assert chart.cl[0] == approx(11.5)
    assert chart.ucl[0] == approx(11.5 + 3 * 1.5 / 1.128)
    assert chart.excluded.tolist() == [False, False, False, True, False]
    assert chart.sigma_points.tolist() == [False, False, False, True, False]


def test_mr_chart_leaves_out_ranges_next_to_an_excluded_point() -> None:
    chart = control_chart([10, 12, 11, 50, 13, 12], chart="mr", exclude=[4])
    # Used moving ranges: 2, 1 and 1 (points 2, 3 and 6); 39 and 37 involve point 4.
    assert chart.cl[0] == approx(4 / 3)
    assert chart.pattern_points.tolist() == [False, True, True, False, False, True]
    assert chart.runs()[0].n_obs == 3


def test_parts_have_their_own_limits() -> None:
    chart = control_chart([1, 2, 1, 2, 10, 11, 10, 11], chart="i", breaks=[4])
    assert chart.part.tolist() == [1, 1, 1, 1, 2, 2, 2, 2]
    assert chart.cl.tolist() == approx([1.5] * 4 + [10.5] * 4)
    assert chart.ucl[0] == approx(1.5 + 3 / 1.128)


def test_freeze_uses_the_first_points_of_each_part() -> None:
    chart = control_chart([1, 2, 1, 2, 9, 9, 3, 4, 3, 4, 9], chart="i", breaks=[6], freeze=4)
    assert chart.cl.tolist() == approx([1.5] * 6 + [3.5] * 5)
    assert chart.ucl[5] == approx(1.5 + 3 / 1.128)
    assert chart.sigma_points.tolist() == [False] * 4 + [True, True] + [False] * 4 + [True]


def test_gaps_are_plotted_as_missing_and_left_out() -> None:
    chart = control_chart([10, NAN, 12, 14, 12], chart="i")
    assert chart.cl[0] == approx(12)
    # Moving ranges next to the gap are undefined: MR-bar = (2 + 2) / 2.
    assert chart.ucl[0] == approx(12 + 3 * 2 / 1.128)
    assert not chart.sigma_points[1]
    mr = control_chart([10, NAN, 12, 14, 12], chart="mr")
    assert np.isnan(mr.value[:3]).all()


def test_too_few_baseline_points_gives_no_centre() -> None:
    chart = control_chart([NAN, NAN, 3], chart="i")
    assert np.isnan(chart.ucl).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1, 2, 3], "chart": "i", "breaks": [2]}, "part 2 has fewer than 2 points"),
        ({"values": [1], "chart": "c"}, "part 1 has fewer than 2 points"),
        ({"values": [1, 2], "denominators": [1, 0], "chart": "u"}, "more than 0"),
        ({"values": [1, 3], "denominators": [2, 2], "chart": "p"}, "more than the denominator"),
        ({"values": [1, 3], "chart": "p"}, "needs a denominator"),
        ({"values": [1, 3, 4], "chart": "i", "exclude": [4]}, "outside the 1..3 range"),
        ({"values": [1, 3, 4], "chart": "i", "breaks": [3]}, "outside the 1..2 range"),
    ],
)
def test_bad_data(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        control_chart(**kwargs)  # type: ignore[arg-type]
