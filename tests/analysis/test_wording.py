"""Plain-language sentences for signals (pure, no app)."""

from __future__ import annotations

import pytest

from improve.analysis.runs import runs_analysis
from improve.analysis.wording import rule_sentence, runs_sentences


@pytest.mark.parametrize(
    ("rule", "high", "length", "expected"),
    [
        ("shift", True, 7, "7 or more points in a row above the average: this is unlikely"),
        ("shift", False, 6, "6 or more points in a row below the average"),
        ("trend", True, 7, "7 or more points in a row going up"),
        ("trend", False, 5, "5 or more points in a row going down"),
        ("outside_limits", True, None, "A point above the upper limit"),
        ("two_in_three", False, None, "Two out of three points close to the lower limit"),
    ],
)
def test_rule_sentences(rule: str, high: bool, length: int | None, expected: str) -> None:
    assert rule_sentence(rule, high, length).startswith(expected)


def test_run_chart_centre_is_the_median() -> None:
    assert "above the median" in rule_sentence("shift", True, 6, centre="the median")


def test_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        rule_sentence("astronomical", True)


def test_runs_sentences() -> None:
    few = runs_analysis([1.0, -1.0, 1.0], 0.0)
    assert runs_sentences(few)[0].startswith("Not enough data yet: 3 useful points")
    long_run = runs_analysis([1.0] * 8 + [-1.0] * 2, 0.0)
    assert runs_sentences(long_run)[0].startswith("8 points in a row on one side")
    assert "crosses the middle only 1 time," in runs_sentences(long_run)[1]
    calm = runs_analysis([1.0, -1.0] * 6, 0.0)
    assert runs_sentences(calm) == ["No unusual pattern: the ups and downs look like chance."]
