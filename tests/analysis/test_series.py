"""The one analysis of a measure (improve.analysis.series): proportion run charts, the baseline
freeze on run charts, runs signals marked on their points, signals as episodes, and a chart type
that does not suit its values (pure: no app)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from improve.analysis.series import (
    PATTERN,
    Definition,
    Settings,
    analyse,
    chart_fits,
    is_percentage,
)
from improve.analysis_cli import analyse as analyse_command


def months(count: int) -> list[date]:
    return [date(2025 + m // 12, m % 12 + 1, 1) for m in range(count)]


def points(values, denominators=None, **flags) -> pd.DataFrame:
    size = len(values)
    return pd.DataFrame(
        {
            "period_start": months(size),
            "value": [float(v) for v in values],
            "denominator": denominators if denominators is not None else [None] * size,
            "excluded": flags.get("excluded", [False] * size),
            "starts_new_phase": flags.get("new_phase", [False] * size),
        }
    )


# Proportions and rates on a run chart ----------------------------------------------------------

CARERS = [28, 30, 25, 33, 29, 31, 27, 30, 26, 32, 29, 28]
CARERS_ASKED = [140, 150, 125, 150, 145, 155, 135, 150, 130, 160, 145, 140]


def test_a_run_chart_of_a_proportion_plots_the_share_on_the_targets_scale() -> None:
    definition = Definition(chart="run", value_kind="proportion", target=0.6, direction="increase")
    result = analyse(points(CARERS, CARERS_ASKED), definition, Settings())
    shares = np.array(CARERS) / np.array(CARERS_ASKED)
    np.testing.assert_allclose(result.chart.value, shares)
    assert result.chart.cl[0] == pytest.approx(float(np.median(shares)))
    assert result.latest == pytest.approx(28 / 140)  # 0.2, not 28
    assert result.target == 0.6
    assert result.definition.fraction


def test_a_percentage_unit_plots_percentages_and_a_rate_its_multiplier() -> None:
    percent = Definition(chart="run", value_kind="proportion", unit="% of carers")
    result = analyse(points(CARERS, CARERS_ASKED), percent, Settings())
    assert result.latest == pytest.approx(20.0)
    assert not percent.fraction and is_percentage("per cent") and not is_percentage("of carers")
    p_chart = analyse(
        points(CARERS, CARERS_ASKED), Definition("p", "proportion", unit="%"), Settings()
    )
    assert p_chart.latest == pytest.approx(20.0)
    assert p_chart.chart.ucl[0] <= 100.0
    rate = Definition(chart="run", value_kind="rate", multiplier=1000.0)
    result = analyse(points([3, 4, 2], [1500, 2000, 1000]), rate, Settings())
    np.testing.assert_allclose(result.chart.value, [2.0, 2.0, 2.0])


def test_a_point_without_a_usable_denominator_is_kept_but_not_drawn() -> None:
    denominators = [*CARERS_ASKED[:11], None]
    definition = Definition(chart="run", value_kind="proportion")
    result = analyse(points(CARERS, denominators), definition, Settings())
    assert np.isnan(result.chart.value[-1]) and len(result.dates) == 12
    assert result.latest == pytest.approx(CARERS[10] / CARERS_ASKED[10])  # the last drawn
    assert result.notes == ("1 point has no usable denominator, so it is not drawn.",)


def test_the_command_line_plots_the_share_on_a_run_chart(tmp_path) -> None:
    path = tmp_path / "carers.csv"
    path.write_text(
        "value,denominator\n"
        + "".join(f"{v},{d}\n" for v, d in zip(CARERS, CARERS_ASKED, strict=True))
    )
    output = CliRunner().invoke(analyse_command, [str(path), "--json"])
    assert output.exit_code == 0, output.output
    plotted = [point["value"] for point in json.loads(output.output)["points"]]
    assert plotted == pytest.approx([v / d for v, d in zip(CARERS, CARERS_ASKED, strict=True)])


# The baseline freeze on run charts -------------------------------------------------------------

BEFORE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]
AFTER = [6, 5, 7, 6, 5, 6, 7, 5]


def test_a_run_charts_median_is_frozen_on_the_baseline_period() -> None:
    definition = Definition(
        chart="run",
        value_kind="continuous",
        direction="decrease",
        baseline_start=months(1)[0],
        baseline_end=months(12)[-1],
    )
    baseline_only = analyse(points(BEFORE), definition, Settings())
    with_improvement = analyse(points(BEFORE + AFTER), definition, Settings())
    # The "before" line does not move as improvement data arrives.
    assert with_improvement.frozen
    assert with_improvement.chart.cl[-1] == baseline_only.chart.cl[0] == float(np.median(BEFORE))
    assert with_improvement.baseline == float(np.median(BEFORE))
    unfrozen = analyse(points(BEFORE + AFTER), Definition("run", "continuous"), Settings())
    assert unfrozen.chart.cl[0] == float(np.median(BEFORE + AFTER)) != with_improvement.chart.cl[0]


def test_a_baseline_freezes_control_charts_too_and_only_its_own_phase() -> None:
    new_phase = [False] * 20
    new_phase[12] = True
    definition = Definition(
        chart="i", value_kind="continuous", baseline_start=months(1)[0], baseline_end=months(6)[-1]
    )
    result = analyse(points(BEFORE + AFTER, new_phase=new_phase), definition, Settings())
    assert result.chart.cl[0] == pytest.approx(np.mean(BEFORE[:6]))
    assert result.chart.cl[-1] == pytest.approx(np.mean(AFTER))  # the later phase is its own


# Runs signals marked on their points ------------------------------------------------------------


def test_a_long_run_marks_its_points_as_one_signal() -> None:
    values = BEFORE + AFTER  # 8 points below the median at the end: longer than the 7 allowed
    result = analyse(
        points(values), Definition("run", "continuous", direction="decrease"), Settings()
    )
    marked = np.flatnonzero(result.found.fired["long_run"]).tolist()
    assert marked == list(range(12, 20))
    assert {result.point_types[i] for i in marked} == {"special_cause_improvement"}
    (event,) = [e for e in result.events if e.rule == "long_run"]
    assert (event.first, event.last, event.size, event.start) == (12, 19, 8, months(20)[12])
    assert event.improvement and result.improvements == (event,)
    # The line also crosses the median 5 times, fewer than the 6 chance gives for 20 points.
    assert [e.rule for e in result.events] == ["few_crossings", "long_run"]


def test_too_few_crossings_is_a_signal_of_the_phase_with_no_side() -> None:
    values = [1] * 5 + [3] * 5 + [1] * 5 + [3] * 5  # 3 crossings, fewer than the 6 of 20 points
    result = analyse(
        points(values), Definition("run", "continuous", direction="increase"), Settings()
    )
    (event,) = result.events
    assert (event.rule, event.kind, event.side) == ("few_crossings", PATTERN, 0)
    assert (event.first, event.last) == (0, 19)
    assert not event.improvement and not event.concern
    assert set(result.point_types) == {"common_cause"}  # no point is marked
    assert result.found.few_crossings_parts == (1,)


def test_fewer_than_ten_useful_points_give_no_runs_signal() -> None:
    result = analyse(
        points([1, 1, 1, 1, 3, 3, 3, 3, 3]), Definition("run", "continuous"), Settings()
    )
    assert result.events == ()


def test_ihi_rules_keep_their_published_lengths() -> None:
    settings = Settings(run_rules="ihi", shift_length=9, trend_length=9)
    assert settings.lengths_for("ihi") == {"shift": 6, "trend": 5}
    assert settings.lengths_for("mdc") == {"shift": 9, "trend": 9}
    values = [5, 6, 5, 6, 5, 6, 5, 6, 1, 1, 1, 1, 1, 1]  # 6 below the median: an IHI shift
    result = analyse(points(values), Definition("run", "continuous"), settings)
    assert any(event.rule == "shift" for event in result.events)


# Episodes and chart types -----------------------------------------------------------------------


def test_a_shift_with_a_point_outside_the_limits_in_it_is_one_signal() -> None:
    values = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 11, 10, 4, 5, 3, 4, 4, 5, 3, 4]
    result = analyse(
        points(values), Definition("i", "continuous", direction="decrease"), Settings()
    )
    outside = np.flatnonzero(result.found.fired["outside_limits"]).tolist()
    assert outside == [4, 14, 18]
    # Two signals, not five: each shift holds the points outside the limits within it.
    assert [(e.kind, e.first, e.last, e.rule) for e in result.events] == [
        ("special_cause_concern", 0, 11, "shift"),
        ("special_cause_improvement", 12, 19, "shift"),
    ]


@pytest.mark.parametrize(
    ("kind", "fits", "misfits"),
    [
        ("count", ["c", "i", "run"], ["p", "u", "mr"]),
        ("proportion", ["p", "run"], ["c", "i", "u", "mr"]),
        ("rate", ["u", "run"], ["c", "i", "p", "mr"]),
        ("continuous", ["i", "mr", "run"], ["c", "p", "u"]),
    ],
)
def test_which_charts_suit_which_values(kind, fits, misfits) -> None:
    assert all(chart_fits(kind, chart) for chart in fits)
    assert not any(chart_fits(kind, chart) for chart in misfits)


def test_a_count_saved_with_a_p_chart_is_still_drawn_as_a_run_chart() -> None:
    result = analyse(points([3, 5, 4, 6, 2, 5, 4]), Definition("p", "count"), Settings())
    assert result is not None and result.chart_type == "run"
    assert result.latest == 4.0
