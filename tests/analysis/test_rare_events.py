"""Rare events recorded by their dates: the gaps between them, and g and t charts (pure, no app).

Sources (short names used below):
- qicharts2 source: anhoej/qicharts2 `R/helper.functions.R`, `qic.g` and `qic.t` (read):
  g: x̄ = mean of the baseline values, sigma = √(x̄(x̄+1)) ("Montgomery, p. 319"), limits
  x̄ ± 3 sigma with a lower limit below 0 set to 0, centre line = the median of the baseline
  values (the theoretical median 0.693·x̄, "Provost (2011) p. 228", is commented out and used
  only for a centre line the user gives); t: y = t^(1/3.6), the I chart's centre and limits on y,
  each raised back to 3.6, a lower limit below 0 (NaN in R) set to 0, and a time of 0 or less
  refused ("Time between events must be greater than zero").
- qicharts2 vignette: "qicharts2" (docs/articles/qicharts2.md), Case 3, the `cabg` deaths:
  `head(fatalities)` prints the dates of deaths 1-6 (2011-07-21, 2011-08-06, 2011-08-26,
  2011-08-31, 2011-09-13, 2011-09-14), the surgeries between them `dd` (NA, 23, 39, 15, 34, 1)
  and the days between them `dt` (NA, 16, 20, 5, 13, 1 days) (read). The charts it draws are of
  all deaths, whose data (cabg.rda) is binary, so the limits below are derived by hand from the
  source's formulas on these printed values, not read from a chart.
- spc4hc: J. Anhøj, "SPC for Health Care", chapter "SPC Charts for Rare Events"
  (anhoej/spc4hc 42_rare_events.Rmd) (read): G chart limits x̄ ± 3√(x̄(x̄+1)); "negative lower
  control limits are rounded to 0"; the median as the centre line, as qicharts2 does by
  default, since the average is not ideal for runs analysis of skewed data; T charts "do not
  accommodate zero time between events" (two falls on the same day): use a G chart of days.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from improve.analysis.events import days_since_last_event, gaps_between_events
from improve.analysis.series import (
    CHARTS_FOR_KIND,
    Definition,
    Points,
    Settings,
    analyse,
    chart_fits,
)
from improve.analysis.spc import AnalysisError, control_chart
from improve.analysis.wording import centre_words, event_sentence

NAN = float("nan")

# qicharts2 vignette, Case 3: the dates of deaths 1-6, and the surgeries and days between them.
DEATHS = [
    date(2011, 7, 21),
    date(2011, 8, 6),
    date(2011, 8, 26),
    date(2011, 8, 31),
    date(2011, 9, 13),
    date(2011, 9, 14),
]
SURGERIES_BETWEEN = [23, 39, 15, 34, 1]
DAYS_BETWEEN = [16, 20, 5, 13, 1]


def days_frame(days: list[date], counts: list[float] | None = None, **flags: list[bool]):
    """Points as the app stores a measure of the dates of events: one row per day with events,
    its value how many."""
    size = len(days)
    return pd.DataFrame(
        {
            "period_start": days,
            "value": [float(c) for c in counts] if counts is not None else [1.0] * size,
            "denominator": [None] * size,
            "excluded": flags.get("excluded", [False] * size),
            "starts_new_phase": flags.get("new_phase", [False] * size),
        }
    )


def event_days(gaps: list[int], start: date = date(2024, 1, 1)) -> list[date]:
    """The days of events that are `gaps` days apart (one more day than gaps)."""
    days = [start]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    return days


def values(array: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in array]


# (a) The dates of events as the gaps between them ----------------------------------------------


def test_the_published_dates_give_the_published_days_between() -> None:
    """qicharts2 vignette (read): dates of deaths 1-6 -> dt = NA, 16, 20, 5, 13, 1 days."""
    events = gaps_between_events(Points.of(days_frame(DEATHS)))
    assert events.dates == tuple(DEATHS)
    assert values(events.value) == [None, *DAYS_BETWEEN]
    assert np.isnan(events.denominator).all()


def test_each_event_is_a_point_and_same_day_events_are_zero_days_apart() -> None:
    """Definition of the conversion (brief): one row per event in date order, the first NaN,
    a second or third event on the same day 0; the day's flags go to its events, a new phase
    only to its first; days with no events (missing, 0, negative) are left out."""
    days = [date(2025, 3, 10), date(2025, 3, 1), date(2025, 3, 4), date(2025, 3, 6)]
    frame = days_frame(
        days + [date(2025, 3, 20), date(2025, 3, 21)],
        [3, 1, 2, 1, 0, -1],  # in any order: sorted by date; the last two days hold no event
        excluded=[True, False, False, False, False, False],
        new_phase=[True, False, True, False, False, False],
    )
    frame.loc[3, "value"] = None  # 6 March: missing, no event
    events = gaps_between_events(Points.of(frame))
    assert events.dates == (
        date(2025, 3, 1),
        date(2025, 3, 4),
        date(2025, 3, 4),
        date(2025, 3, 10),
        date(2025, 3, 10),
        date(2025, 3, 10),
    )
    assert values(events.value) == [None, 3.0, 0.0, 6.0, 0.0, 0.0]
    assert events.excluded.tolist() == [False, False, False, True, True, True]
    assert events.new_phase.tolist() == [False, True, False, True, False, False]


def test_no_events_give_no_points_and_days_since_the_last_event() -> None:
    empty = gaps_between_events(Points.of(days_frame([date(2025, 1, 1)], [0])))
    assert empty.dates == () and empty.value.size == 0
    days = [date(2025, 1, 1), date(2025, 1, 20), date(2025, 2, 3)]
    assert days_since_last_event(days, date(2025, 2, 10)) == 7
    assert days_since_last_event(days, date(2025, 2, 3)) == 0
    # A day after today has not happened yet.
    assert days_since_last_event(days, date(2025, 1, 25)) == 5
    assert days_since_last_event([], date(2025, 1, 25)) is None
    assert days_since_last_event([date(2025, 3, 1)], date(2025, 1, 25)) is None


# (b) g chart limits ------------------------------------------------------------------------------


def test_g_chart_of_the_published_surgeries_between_deaths() -> None:
    """qicharts2 source formulas (read) on the vignette's dd = 23, 39, 15, 34, 1 (read), by hand
    (derived): x̄ = 112 / 5 = 22.4; sigma = √(22.4 × 23.4) = √524.16 = 22.8945;
    UCL = 22.4 + 3 × 22.8945 = 91.0836; 22.4 − 68.6836 < 0, so LCL = 0; the centre line is the
    median, 23 (not the theoretical median 0.693 × 22.4 = 15.52, commented out in qicharts2)."""
    chart = control_chart(SURGERIES_BETWEEN, chart="g")
    assert chart.cl[0] == 23
    assert chart.ucl[0] == pytest.approx(91.0836, abs=1e-4)
    assert chart.lcl[0] == 0
    assert chart.sigma[0] == pytest.approx(22.8945, abs=1e-4)
    # The 2-sigma line of the two-in-three rule is on the same model: 22.4 + 2 × 22.8945.
    assert chart.near_ucl[0] == pytest.approx(68.1891, abs=1e-4)
    assert chart.near_lcl[0] == 0
    assert chart.value.tolist() == SURGERIES_BETWEEN


def test_g_chart_of_the_published_days_between_deaths() -> None:
    """The vignette's dt = 16, 20, 5, 13, 1 days (read) on a g chart of days, by hand (derived):
    x̄ = 55 / 5 = 11; sigma = √(11 × 12) = √132 = 11.4891; UCL = 11 + 34.4674 = 45.4674; LCL 0;
    centre line the median, 13."""
    chart = control_chart(DAYS_BETWEEN, chart="g")
    assert chart.cl[0] == 13
    assert chart.ucl[0] == pytest.approx(45.4674, abs=1e-4)
    assert chart.lcl[0] == 0


def test_a_g_chart_cannot_have_a_negative_gap() -> None:
    with pytest.raises(AnalysisError, match="point 2: the value cannot be negative"):
        control_chart([3, -1, 4], chart="g")


# (c) t chart: the transformation and back-transformation ------------------------------------------


def test_t_chart_of_the_published_days_between_deaths() -> None:
    """qicharts2 `qic.t` (read) on the vignette's dt = 16, 20, 5, 13, 1 days (read), by hand
    (derived): y = t^(1/3.6) = 2.16012, 2.29825, 1.56372, 2.03905, 1; ȳ = 1.81223; moving
    ranges 0.13813, 0.73453, 0.47534, 1.03905, MR-bar = 0.59676 (none above 3.267 × MR-bar =
    1.9496, so screening changes nothing); sigma = 0.59676 / 1.128 = 0.52905. Back-transformed:
    CL = 1.81223^3.6 = 8.503; UCL = (1.81223 + 1.58714)^3.6 = 81.85;
    LCL = (1.81223 − 1.58714)^3.6 = 0.004661. The plotted values stay the days."""
    for screen in (False, True):
        chart = control_chart(DAYS_BETWEEN, chart="t", screen_outliers=screen)
        assert chart.value.tolist() == DAYS_BETWEEN
        assert chart.cl[0] == pytest.approx(8.503, abs=1e-3)
        assert chart.ucl[0] == pytest.approx(81.85, abs=1e-2)
        assert chart.lcl[0] == pytest.approx(0.004661, abs=1e-6)
        assert math.isnan(chart.sigma[0])  # no sigma on the scale of days
        # The 2-sigma lines, back-transformed too: (1.81223 ± 2 × 0.52905)^3.6.
        assert chart.near_ucl[0] == pytest.approx(44.52, abs=1e-2)
        assert chart.near_lcl[0] == pytest.approx(0.3621, abs=1e-4)
    # The NHS constant 2.66 × MR-bar on y (this collaborative's I chart setting) applies too.
    nhs = control_chart(DAYS_BETWEEN, chart="t", sigma_method="nhs")
    assert nhs.ucl[0] == pytest.approx((1.812228 + 2.66 * 0.596763) ** 3.6, rel=1e-5)


def test_t_chart_lower_limit_below_zero_on_the_transformed_scale_is_zero() -> None:
    """qicharts2 `qic.t` (read): `lcl[lcl < 0 | is.nan(lcl)] <- 0`. Times 1, 100, 1, 100, 1
    (derived): y = 1, 3.59381, ...; ȳ = 2.03753, MR-bar = 2.59381; 2.03753 − 3 × 2.29948 < 0."""
    chart = control_chart([1, 100, 1, 100, 1], chart="t")
    assert chart.lcl[0] == 0
    assert chart.ucl[0] == pytest.approx(2655.27, abs=1e-2)


def test_a_t_chart_refuses_a_time_of_zero() -> None:
    """qicharts2 `qic.t` stops on a time of 0 or less; spc4hc: use a G chart of days."""
    with pytest.raises(AnalysisError, match="point 3: a t chart needs a time above 0"):
        control_chart([4, 2, 0, 5], chart="t")


def test_the_app_leaves_a_same_day_event_off_a_t_chart_with_a_note() -> None:
    days = event_days([9, 12, 0, 7, 15, 4, 10])  # the fourth event on the third's day
    result = analyse(days_frame(days), Definition(chart="t", value_kind="events"), Settings())
    assert result is not None
    assert values(result.chart.value) == [None, 9.0, 12.0, None, 7.0, 15.0, 4.0, 10.0]
    assert len(result.dates) == 8
    assert "1 event on the same day as the one before" in result.notes[0]
    assert "g chart" in result.notes[0]
    # The g chart of the same events draws the 0.
    g = analyse(days_frame(days), Definition(chart="g", value_kind="events"), Settings())
    assert g is not None and g.chart.value[3] == 0 and not g.notes


# (d) A long gap is a signal ----------------------------------------------------------------------

LONG_GAP = [3, 5, 2, 4, 6, 3, 5, 4, 2, 3, 90]


def test_a_very_long_gap_above_the_upper_limit_is_an_improvement() -> None:
    """Gaps 3, 5, 2, 4, 6, 3, 5, 4, 2, 3, 90 (derived): x̄ = 127 / 11 = 11.545; sigma =
    √(11.545 × 12.545) = 12.035; UCL = 11.545 + 36.106 = 47.65, so 90 days is above it. With
    "increase" (longer gaps are better) it is special cause improvement."""
    frame = days_frame(event_days(LONG_GAP))
    definition = Definition(chart="g", value_kind="events", direction="increase")
    result = analyse(frame, definition, Settings())
    assert result is not None
    assert result.chart.ucl[-1] == pytest.approx(47.65, abs=1e-2)
    assert result.found.rules_at(11) == ["outside_limits"]
    assert result.point_types[11] == "special_cause_improvement"
    assert result.variation == "special_cause_improvement"
    assert [(e.rule, e.kind, e.first) for e in result.events] == [
        ("outside_limits", "special_cause_improvement", 11)
    ]
    assert result.last_event_day == date(2024, 1, 1) + timedelta(days=sum(LONG_GAP))
    assert result.latest_period == result.last_event_day
    # A target on the gaps' scale gives the assurance icon: 60 days is above the upper limit.
    targeted = analyse(frame, replace(definition, target=60), Settings())
    assert targeted is not None and targeted.assurance == "fail"
    # With "decrease" the same point is a concern.
    down = analyse(
        frame, Definition(chart="g", value_kind="events", direction="decrease"), Settings()
    )
    assert down is not None and down.point_types[11] == "special_cause_concern"


def test_a_g_charts_centre_line_is_called_the_median() -> None:
    """qicharts2 vignette appendix (read): "the centre line of the G chart is the median"."""
    assert centre_words("g") == "the median"
    assert centre_words("run") == "the median"
    assert centre_words("i") == "the average"
    assert centre_words("t") == "the centre line"
    gaps = [2, 3, 2, 3, 2, 3, 2, 9, 8, 9, 8, 9, 8, 9]  # 7 below the median (5.5), 7 above
    result = analyse(
        days_frame(event_days(gaps)),
        Definition(chart="g", value_kind="events", direction="increase"),
        Settings(),
    )
    assert result is not None
    shift = [event_sentence(e, result) for e in result.events if e.rule == "shift"]
    assert [sentence.split(" (")[0] for sentence in shift] == [
        "7 points in a row below the median",
        "7 points in a row above the median",
    ]


def test_rules_on_g_and_t_charts_are_the_control_chart_rules() -> None:
    """A g or t chart is a control chart: Making Data Count rules, runs against its centre."""
    frame = days_frame(event_days(LONG_GAP))
    for chart in ("g", "t"):
        result = analyse(frame, Definition(chart=chart, value_kind="events"), Settings())
        assert result is not None and result.rules == "mdc"
        assert set(result.found.side) == {"outside_limits", "trend", "two_in_three", "shift"}
        assert result.runs[0].n_obs == 11  # the first event has no gap


# (e) Which charts suit the dates of events --------------------------------------------------------


def test_charts_for_the_dates_of_events() -> None:
    assert CHARTS_FOR_KIND["events"] == ("g", "t", "run")
    assert chart_fits("events", "g") and chart_fits("events", "t")
    assert chart_fits("events", "run")
    assert not chart_fits("events", "c") and not chart_fits("count", "g")
    assert Definition(chart="c", value_kind="events").chart_drawn == "run"
    definition = Definition(chart="g", value_kind="events", target=30)
    assert not definition.fraction and definition.has_target_scale and definition.scale == 1


def test_a_chart_needs_two_gaps_so_three_events() -> None:
    two = days_frame(event_days([5]))
    assert analyse(two, Definition(chart="g", value_kind="events"), Settings()) is None
    three = analyse(
        days_frame(event_days([5, 7])), Definition(chart="g", value_kind="events"), Settings()
    )
    assert three is not None and values(three.chart.value) == [None, 5.0, 7.0]


def test_a_run_chart_of_the_gaps() -> None:
    result = analyse(
        days_frame(event_days(LONG_GAP)), Definition(chart="run", value_kind="events"), Settings()
    )
    assert result is not None and result.chart.cl[0] == 4  # the median of the 11 gaps


# (f) Phases and a baseline on a g chart -----------------------------------------------------------


def test_a_g_charts_limits_frozen_on_a_baseline() -> None:
    """freeze=6: the first 6 points (the first event's empty one and 5 gaps, the vignette's dd)
    set the lines, extended over the rest (derived as above: median 23, UCL 91.0836)."""
    chart = control_chart([NAN, *SURGERIES_BETWEEN, 300, 250, 400], chart="g", freeze=6)
    assert chart.cl.tolist() == [23.0] * 9
    assert chart.ucl[-1] == pytest.approx(91.0836, abs=1e-4)
    assert chart.sigma_points.tolist() == [False] * 6 + [True] * 3
    # Through the one analysis: a baseline of 6 points on a measure of the dates of events.
    days = event_days([*SURGERIES_BETWEEN, 300, 250, 400])
    definition = Definition(chart="g", value_kind="events", freeze_points=6, direction="increase")
    result = analyse(days_frame(days), definition, Settings())
    assert result is not None and result.frozen and result.baseline == 23
    assert result.chart.ucl[-1] == pytest.approx(91.0836, abs=1e-4)
    assert result.improvements and result.improvements[0].first == 6


def test_a_new_phase_on_a_day_starts_at_its_first_event_with_its_own_lines() -> None:
    """Phase 1: gaps 23, 39, 15, 34, 1 (median 23, UCL 91.0836 as above); phase 2 starts on the
    day with two events, its gaps 16, 0, 20, 5, 13, 1 (derived: x̄ = 55 / 6 = 9.1667,
    sigma = √(9.1667 × 10.1667) = 9.6537, UCL = 38.128; median (5 + 13) / 2 = 9)."""
    days = event_days([*SURGERIES_BETWEEN, 16, 20, 5, 13, 1])
    counts = [1.0] * len(days)
    counts[6] = 2  # the first day of phase 2 has two events
    new_phase = [i == 6 for i in range(len(days))]
    frame = days_frame(days, counts, new_phase=new_phase)
    result = analyse(frame, Definition(chart="g", value_kind="events"), Settings())
    assert result is not None
    assert values(result.chart.value) == [None, *SURGERIES_BETWEEN, 16.0, 0.0, 20, 5, 13, 1]
    assert result.chart.part.tolist() == [1] * 6 + [2] * 6
    assert result.chart.cl[0] == 23 and result.chart.cl[-1] == 9
    assert result.chart.ucl[0] == pytest.approx(91.0836, abs=1e-4)
    assert result.chart.ucl[-1] == pytest.approx(38.128, abs=1e-3)


def test_a_baseline_period_and_left_out_days_on_a_g_chart() -> None:
    """The measure's baseline period (dates) picks the events in it; an excluded day's events
    are left out of the lines but still plotted."""
    days = event_days([*SURGERIES_BETWEEN, 300, 8])
    excluded = [i == 6 for i in range(len(days))]  # the 300-day gap's day is left out
    frame = days_frame(days, excluded=excluded)
    definition = Definition(
        chart="g", value_kind="events", baseline_start=days[0], baseline_end=days[5]
    )
    result = analyse(frame, definition, Settings())
    assert result is not None and result.frozen
    assert result.chart.cl[-1] == 23
    assert result.chart.excluded.tolist() == excluded
    assert result.chart.value[6] == 300 and result.chart.sigma_points[6]
    # Without the baseline, the left-out 300 still does not count: x̄ of 23, 39, 15, 34, 1, 8.
    plain = analyse(frame, Definition(chart="g", value_kind="events"), Settings())
    assert plain is not None
    mean = (112 + 8) / 6
    assert plain.chart.ucl[0] == pytest.approx(mean + 3 * math.sqrt(mean * (mean + 1)))
