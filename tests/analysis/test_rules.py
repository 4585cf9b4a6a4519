"""Making Data Count and IHI rules, point types, variation and assurance (pure, no app)."""

from __future__ import annotations

import numpy as np
import pytest

from improve.analysis.rules import assurance, signals, variation
from improve.analysis.spc import Chart, control_chart

NAN = float("nan")


def _chart(values: list[float], excluded: list[int] = (), parts: list[int] | None = None) -> Chart:
    """A chart with centre 0, sigma 1, limits -3 and +3."""
    n = len(values)
    return Chart(
        chart="i",
        value=np.array(values, dtype=float),
        cl=np.zeros(n),
        lcl=np.full(n, -3.0),
        ucl=np.full(n, 3.0),
        sigma=np.ones(n),
        part=np.array(parts or [1] * n, dtype=np.int64),
        excluded=np.isin(np.arange(1, n + 1), excluded),
        trial_parts=(),
    )


def _rules(chart: Chart, **kwargs: object) -> list[list[str]]:
    found = signals(chart, **kwargs)  # type: ignore[arg-type]
    return [found.rules_at(i) for i in range(chart.value.size)]


def test_outside_limits_and_point_types_by_direction() -> None:
    chart = _chart([0.5, 4, -0.5, -4])
    assert _rules(chart) == [[], ["outside_limits"], [], ["outside_limits"]]
    up = signals(chart, direction="increase").point_type
    assert up == [
        "common_cause",
        "special_cause_improvement",
        "common_cause",
        "special_cause_concern",
    ]
    down = signals(chart, direction="decrease").point_type
    assert down[1] == "special_cause_concern" and down[3] == "special_cause_improvement"
    neutral = signals(chart, direction="neutral").point_type
    assert neutral[1] == "special_cause_neutral_high"
    assert neutral[3] == "special_cause_neutral_low"


def test_point_on_the_limit_is_not_outside() -> None:
    assert _rules(_chart([3, -3, 0])) == [[], [], []]


def test_mdc_shift_default_seven_and_configurable() -> None:
    values = [0.5] * 6 + [-0.5]
    assert _rules(_chart(values)) == [[]] * 7
    assert _rules(_chart(values), shift_length=6) == [["shift"]] * 6 + [[]]
    seven = [-0.5] + [0.5] * 7
    assert _rules(_chart(seven)) == [[]] + [["shift"]] * 7


def test_mdc_shift_broken_by_a_point_on_the_mean() -> None:
    assert _rules(_chart([0.5] * 3 + [0] + [0.5] * 4)) == [[]] * 8


def test_mdc_trend_strict_and_ties_break() -> None:
    rising = [-1.5, -1, -0.5, 0.1, 0.5, 1, 1.5]
    assert _rules(_chart(rising)) == [["trend"]] * 7
    tied = [-1.5, -1, -0.5, -0.5, 0.1, 0.5, 1, 1.5]
    assert _rules(_chart(tied)) == [[]] * 8
    found = signals(_chart(rising[::-1]), direction="increase")
    assert found.point_type == ["special_cause_concern"] * 7


def test_two_in_three_flags_only_points_beyond_two_sigma() -> None:
    chart = _chart([0.1, 2.5, 0.5, 2.2, -0.1])
    assert _rules(chart) == [[], ["two_in_three"], [], ["two_in_three"], []]
    # One of the three on the other side of the mean: no signal.
    assert _rules(_chart([2.5, -0.5, 2.2])) == [[], [], []]
    # Beyond 2 sigma on opposite sides: no signal.
    assert _rules(_chart([2.5, 0.5, -2.2])) == [[], [], []]
    low = signals(_chart([-2.5, -2.1, -0.2]), direction="increase")
    assert low.point_type == ["special_cause_concern"] * 2 + ["common_cause"]


def test_precedence_outside_over_trend_over_two_in_three_over_shift() -> None:
    # A rising series that ends outside the limits: every rule fires on the last point.
    values = [0.2, 0.4, 0.6, 0.8, 1.0, 2.5, 3.5]
    found = signals(_chart(values), direction="decrease")
    assert found.rules_at(6) == ["outside_limits", "trend", "two_in_three", "shift"]
    assert found.rules_at(5) == ["trend", "two_in_three", "shift"]
    assert found.point_type[6] == "special_cause_concern"
    # Trend decides the side before shift: a falling trend above the mean is a "low" signal.
    falling = [2.9, 2.5, 2.0, 1.5, 1.0, 0.6, 0.3]
    typed = signals(_chart(falling), direction="neutral").point_type
    assert typed == ["special_cause_neutral_low"] * 7


def test_excluded_points_skipped_by_patterns_but_flagged_outside() -> None:
    values = [0.5, 0.5, 0.5, 9, 0.5, 0.5, 0.5, 0.5]
    rules = _rules(_chart(values, excluded=[4]))
    assert rules[3] == ["outside_limits"]
    assert rules[0] == ["shift"] and rules[7] == ["shift"]


def test_rules_apply_within_parts() -> None:
    values = [0.5] * 4 + [0.5] * 4
    assert _rules(_chart(values, parts=[1] * 4 + [2] * 4)) == [[]] * 8


def test_ihi_rules_on_a_run_chart() -> None:
    chart = control_chart([5, 6, 7, 8, 9, 1, 2, 3, 4, 4, 1, 2], chart="run")  # median 4
    found = signals(chart, rules="ihi")
    assert [found.rules_at(i) for i in range(5)] == [["trend"]] * 5
    assert found.rules_at(5) == []
    # Anhøj: no point rules; the signal is for the part.
    assert _rules(chart, rules="anhoej") == [[]] * 12


def test_variation_is_the_latest_point_type() -> None:
    assert variation(["common_cause", "special_cause_concern"]) == "special_cause_concern"
    assert variation([]) is None


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (5.0, "increase", "fail"),
        (-5.0, "increase", "pass"),
        (1.0, "increase", "inconsistent"),
        (5.0, "decrease", "pass"),
        (-5.0, "decrease", "fail"),
        (3.0, "decrease", "inconsistent"),
        (5.0, "neutral", None),
        (None, "increase", None),
    ],
)
def test_assurance(target: float | None, direction: str, expected: str | None) -> None:
    assert assurance(_chart([0.0, 1.0]), target, direction) == expected  # type: ignore[arg-type]


def test_assurance_uses_the_latest_part() -> None:
    chart = control_chart([1, 2, 1, 2, 10, 11, 10, 11], chart="i", breaks=[4])
    assert assurance(chart, 6.0, "increase") == "pass"
    assert assurance(control_chart([1, 2, 3], chart="run"), 6.0, "increase") is None
