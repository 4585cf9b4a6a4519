"""Run-chart analysis: Anhøj critical values and rules, IHI shift and trend (pure, no app)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from improve.analysis.runs import (
    longest_run_max,
    n_crossings_min,
    runs_analysis,
    shift_sides,
    trend_sides,
)

NAN = float("nan")


def _qbinom_05(n: int) -> int:
    """qbinom(0.05, n - 1, 0.5) from exact probabilities, independently of the engine."""
    p = Fraction(0)
    for c in range(n):
        p += Fraction(math.comb(n - 1, c), 2 ** (n - 1))
        if p >= Fraction(1, 20):
            return c
    raise AssertionError


@pytest.mark.parametrize("n", range(10, 101))
def test_critical_values_follow_the_formula(n: int) -> None:
    assert longest_run_max(n) == math.floor(math.log2(n) + 3 + 0.5)
    assert n_crossings_min(n) == _qbinom_05(n)


# DOMAIN.md section 4 and Anhøj & Olesen 2014, Table 1.
PUBLISHED = [
    (10, 6, 2),
    (11, 6, 2),
    (12, 7, 3),
    (13, 7, 3),
    (14, 7, 4),
    (17, 7, 5),
    (20, 7, 6),
    (22, 7, 7),
    (23, 8, 7),
    (24, 8, 8),
    (30, 8, 10),
    (50, 9, 19),
    (100, 10, 41),
]


@pytest.mark.parametrize(("n", "run_max", "crossings_min"), PUBLISHED)
def test_published_critical_values(n: int, run_max: int, crossings_min: int) -> None:
    assert (longest_run_max(n), n_crossings_min(n)) == (run_max, crossings_min)


def _series(pattern: str) -> np.ndarray:
    """'+' above the centre (1), '-' below (-1), '0' on it, '.' missing; centre 0."""
    table = {"+": 1.0, "-": -1.0, "0": 0.0, ".": NAN}
    return np.array([table[c] for c in pattern])


@pytest.mark.parametrize(
    ("pattern", "n_useful", "longest", "crossings", "signal"),
    [
        # Worked example (DOMAIN.md): 13 points, 5 crossings, longest run 3: no signal.
        ("+++--+++--+--", 13, 3, 5, False),
        # 10 useful points, run of 7 > 6: signal.
        ("+++++++---", 10, 7, 1, True),
        # 10 useful points, run of 6 is allowed, but 1 crossing < 2: signal.
        ("++++++----", 10, 6, 1, True),
        # Points on the median neither extend nor break a run.
        ("+++0+++0---", 9, 6, 1, False),
        ("++0++0++0++----", 12, 8, 1, True),
        # Missing values are not observations.
        ("+-+-.+-+-+-", 10, 1, 9, False),
        # Too few useful points: not enough data, no signal even for a long run.
        ("+++++++++", 9, 9, 0, False),
        ("", 0, 0, 0, False),
    ],
)
def test_runs_analysis(
    pattern: str, n_useful: int, longest: int, crossings: int, signal: bool
) -> None:
    result = runs_analysis(_series(pattern), 0.0)
    assert result.n_useful == n_useful
    assert result.longest_run == longest
    assert result.n_crossings == crossings
    assert result.runs_signal is signal
    assert result.enough_data is (n_useful >= 10)


def test_worked_example_with_exactly_eleven_crossings() -> None:
    # 24 points, longest run 5, 11 crossings: no signal (8 needed at least).
    result = runs_analysis(_series("+++++-----+++--+-+-+-++-"), 0.0)
    assert (result.n_useful, result.longest_run, result.n_crossings) == (24, 5, 11)
    assert (result.longest_run_max, result.n_crossings_min) == (8, 8)
    assert result.runs_signal is False


def test_runs_against_a_real_median() -> None:
    values = np.array([3, 5, 4, 4, 6, 2, 4, 7, 1, 4, 8, 3], dtype=float)
    result = runs_analysis(values, float(np.median(values)))  # median 4: four points on it
    assert result.n_obs == 12
    assert result.n_useful == 8


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("+++++-", "000000"),
        ("++++++-", "1111110"),
        ("-++++++", "0111111"),
        # Points on the median are skipped by the IHI shift: they are not flagged either.
        ("+++0+++", "1110111"),
        ("------", "------"),
    ],
)
def test_ihi_shift(pattern: str, expected: str) -> None:
    flags = shift_sides(_series(pattern), 0.0, 6, centre_breaks=False)
    assert "".join({1: "1", -1: "-", 0: "0"}[int(f)] for f in flags) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("+++++++", "1111111"),
        ("+++0+++", "0000000"),  # MDC: a point on the mean breaks the run
        ("+++.++++", "11101111"),  # a gap is skipped
    ],
)
def test_mdc_shift(pattern: str, expected: str) -> None:
    flags = shift_sides(_series(pattern), 0.0, 7, centre_breaks=True)
    assert "".join({1: "1", -1: "-", 0: "0"}[int(f)] for f in flags) == expected


@pytest.mark.parametrize(
    ("values", "ties_break", "length", "expected"),
    [
        ([1, 2, 3, 4, 5], False, 5, [1, 1, 1, 1, 1]),
        ([1, 2, 3, 4, 3], False, 5, [0, 0, 0, 0, 0]),
        ([5, 4, 3, 2, 1, 2], False, 5, [-1, -1, -1, -1, -1, 0]),
        # IHI: equal values neither make nor break a trend.
        ([1, 2, 2, 3, 4], False, 5, [0, 0, 0, 0, 0]),
        ([1, 2, 2, 3, 4, 5], False, 5, [1, 1, 1, 1, 1, 1]),
        # MDC: strictly rising; an equal value breaks the trend.
        ([1, 2, 3, 4, 5, 6, 7], True, 7, [1] * 7),
        ([1, 2, 3, 3, 4, 5, 6, 7], True, 7, [0] * 8),
        ([1, 2, 3, 4, 5, 6], True, 7, [0] * 6),
        # Gaps are skipped.
        ([1, 2, NAN, 3, 4, 5], False, 5, [1, 1, 0, 1, 1, 1]),
        ([], True, 7, []),
    ],
)
def test_trend(values: list[float], ties_break: bool, length: int, expected: list[int]) -> None:
    got = trend_sides(np.array(values, dtype=float), length, ties_break=ties_break)
    assert got.tolist() == expected
