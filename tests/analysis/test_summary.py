"""The panel's cross-team summaries (pure, pandas frames in and out, no app)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from improve.analysis import summary
from improve.analysis.disclosure import Hidden
from improve.analysis.series import Definition, Points, SeriesAnalysis, Settings, analyse


def month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


POINT_COLUMNS = [
    "measure_id",
    "team_id",
    "period_start",
    "value",
    "denominator",
    "excluded",
    "starts_new_phase",
]


def points(series: dict[tuple[int, int], list[float]], **columns: object) -> pd.DataFrame:
    """{(measure_id, team_id): values} as a points frame, one month apart from January 2025."""
    rows = [
        {
            "measure_id": measure_id,
            "team_id": team_id,
            "period_start": month(index),
            "value": value,
            "denominator": columns.get("denominator"),
            "excluded": False,
            "starts_new_phase": False,
        }
        for (measure_id, team_id), values in series.items()
        for index, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def measures(*rows: dict[str, object]) -> pd.DataFrame:
    defaults = {
        "measure_id": 1,
        "name": "Falls a month",
        "chart_type": "c",
        "direction": "decrease",
        "multiplier": 1.0,
        "baseline_value": None,
        "baseline_start": None,
        "baseline_end": None,
        "target_value": None,
    }
    return pd.DataFrame([defaults | row for row in rows], columns=summary.MEASURE_COLUMNS)


# Percentage of the way, target reached -----------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "target", "direction", "expected"),
    [
        (10, 7, 4, "decrease", 50.0),  # falls from 10 towards 4: half way
        (0.5, 0.8, 0.9, "increase", 75.0),  # care plans reviewed from 50% towards 90%
        (10, 10, 4, "decrease", 0.0),  # not moved
        (10, 12, 4, "decrease", -100 / 3),  # moved away: negative
        (10, 3, 4, "decrease", 700 / 6),  # past the target: over 100
        (None, 7, 4, "decrease", None),  # no baseline
        (10, None, 4, "decrease", None),  # no data yet
        (10, 7, None, "decrease", None),  # no target
        (10, 7, 4, "neutral", None),  # no better direction
        (10, 7, 10, "decrease", None),  # target equals the baseline: nothing to travel
        (4, 7, 10, "decrease", None),  # target on the worse side of the baseline
        (float("nan"), 7, 4, "decrease", None),  # a missing baseline from pandas
    ],
)
def test_percent_of_way(baseline, latest, target, direction, expected) -> None:
    got = summary.percent_of_way(baseline, latest, target, direction)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    ("latest", "target", "direction", "expected"),
    [
        (4, 4, "decrease", True),  # exactly at the target counts
        (3, 4, "decrease", True),
        (5, 4, "decrease", False),
        (0.9, 0.9, "increase", True),
        (0.85, 0.9, "increase", False),
        (5, 4, "neutral", None),
        (None, 4, "decrease", None),
        (5, None, "increase", None),
    ],
)
def test_target_reached(latest, target, direction, expected) -> None:
    assert summary.target_reached(latest, target, direction) is expected


# The series table --------------------------------------------------------------------------------

# Ten months at about 10 falls, then ten at about 4: a shift down (an improvement for falls).
IMPROVING = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 4, 5, 3, 4, 4, 5, 3, 4, 4, 3]
STEADY = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9] * 2
KINDS = {"c": "count", "p": "proportion", "u": "rate", "i": "continuous", "run": "continuous"}


def analyses(frame: pd.DataFrame, info: pd.DataFrame) -> dict[tuple[int, int], SeriesAnalysis]:
    """The one analysis of each (measure, team) series, as improve.measures.analysis builds it."""
    result = {}
    for row in info.to_dict("records"):
        definition = Definition(
            chart=row["chart_type"],
            value_kind=KINDS[row["chart_type"]],  # type: ignore[arg-type]
            direction=row["direction"],
            multiplier=row["multiplier"],
            target=row["target_value"],
            baseline_value=row["baseline_value"],
            baseline_start=row["baseline_start"],
            baseline_end=row["baseline_end"],
        )
        mine = frame[frame["measure_id"] == row["measure_id"]]
        for team_id, group in mine.groupby("team_id"):
            found = analyse(group.reset_index(drop=True), definition, Settings())
            if found is not None:
                result[(int(row["measure_id"]), int(str(team_id)))] = found
    return result


def test_series_table_compares_each_team_with_its_own_baseline_and_target() -> None:
    frame = points({(1, 1): IMPROVING, (1, 2): STEADY})
    falls = measures({"baseline_start": month(0), "baseline_end": month(5), "target_value": 4.0})
    found = analyses(frame, falls)
    table = summary.series_table(found, falls, [1, 2, 3]).set_index("team_id")

    # The baseline is the centre line frozen on the baseline period: the mean of six months.
    assert table.loc[1, "baseline"] == pytest.approx(np.mean(IMPROVING[:6]))
    assert table.loc[1, "latest"] == 3.0
    assert table.loc[1, "latest_period"] == month(19)
    assert bool(table.loc[1, "target_reached"]) is True
    assert table.loc[1, "improvements"] == len(found[(1, 1)].improvements) > 0
    assert table.loc[2, "baseline"] == pytest.approx(np.mean(STEADY[:6]))
    assert table.loc[2, "variation"] == "common_cause"
    assert table.loc[2, "improvements"] == 0
    assert table.loc[2, "assurance"] in ("fail", "inconsistent")
    # A team without data has a row saying so.
    assert table.loc[3, "points"] == 0
    assert pd.isna(table.loc[3, "latest"])
    assert table.loc[3, "improvements"] == 0


def test_without_a_baseline_period_the_measure_baseline_is_used_or_none() -> None:
    frame = points({(1, 1): STEADY, (2, 1): STEADY})
    both = measures(
        {"measure_id": 1, "baseline_value": 12.0, "target_value": 6.0},
        {"measure_id": 2, "name": "No baseline", "target_value": 6.0},
    )
    table = summary.series_table(analyses(frame, both), both, [1])
    by_measure = table.set_index("measure_id")
    assert by_measure.loc[1, "baseline"] == 12.0
    assert by_measure.loc[1, "percent_of_way"] == pytest.approx((9 - 12) / (6 - 12) * 100)
    assert pd.isna(by_measure.loc[2, "baseline"])
    assert pd.isna(by_measure.loc[2, "percent_of_way"])


def test_signals_are_counted_from_since_and_the_window_from_start() -> None:
    frame = points({(1, 1): IMPROVING})
    falls = measures({"target_value": 4.0})
    found = analyses(frame, falls)
    events = found[(1, 1)].events
    everything = summary.series_table(found, falls, [1]).iloc[0]
    recent = summary.series_table(found, falls, [1], since=month(15)).iloc[0]
    window = summary.series_table(found, falls, [1], start=month(18)).iloc[0]
    assert everything["improvements"] == sum(e.improvement for e in events)
    assert recent["improvements"] == sum(e.improvement and e.end >= month(15) for e in events)
    assert window["points"] == 2  # the latest value comes from the window
    assert everything["points"] == 20


def test_frame_is_a_slice_of_the_analysis_with_left_out_points_not_in_the_limits() -> None:
    frame = points({(1, 1): IMPROVING, (1, 2): STEADY})
    frame.loc[3, ["excluded", "value"]] = [True, 99.0]  # team 1's fourth month, left out
    falls = measures({})
    found = analyses(frame, falls)
    analysed = summary.analysed_frame(found)
    mine = analysed[analysed["team_id"] == 1]
    assert mine["point_type"].tolist() == found[(1, 1)].point_types
    kept = [v for i, v in enumerate(IMPROVING) if i != 3]
    mean = np.mean(kept)
    assert mine["ucl"].iloc[0] == pytest.approx(mean + 3 * np.sqrt(mean))


def test_proportions_are_fractions_and_need_a_denominator() -> None:
    frame = points({(1, 1): [20, 25, 30, 35]}, denominator=50.0)
    frame.loc[1, "denominator"] = None  # cannot be a proportion: not drawn
    reviewed = measures({"chart_type": "p", "direction": "increase", "target_value": 0.9})
    analysed = summary.analysed_frame(analyses(frame, reviewed))
    assert analysed["value"].tolist() == [0.4, 0.6, 0.7]


def test_a_new_phase_gives_the_latest_limits() -> None:
    frame = points({(1, 1): [10, 12, 11, 10, 11, 12, 3, 4, 3, 4, 3]})
    frame.loc[6, "starts_new_phase"] = True
    falls = measures({})
    found = analyses(frame, falls)
    analysed = summary.analysed_frame(found)
    assert analysed["part"].tolist() == [1] * 6 + [2] * 5
    table = summary.series_table(found, falls, [1]).iloc[0]
    assert table["part_points"] == 5
    assert analysed["ucl"].iloc[-1] < analysed["ucl"].iloc[0]


def test_a_phase_of_one_point_stays_with_the_one_before() -> None:
    frame = points({(1, 1): [10, 12, 11, 3]})
    frame.loc[3, "starts_new_phase"] = True
    analysed = summary.analysed_frame(analyses(frame, measures({})))
    assert analysed["part"].tolist() == [1, 1, 1, 1]


def test_empty_inputs_keep_their_columns() -> None:
    analysed = summary.analysed_frame({})
    assert list(analysed.columns) == summary.ANALYSED_COLUMNS
    table = summary.series_table({}, measures({}), [])
    assert list(table.columns) == summary.SUMMARY_COLUMNS
    assert table.empty


# Small numbers of people (improve.analysis.disclosure) -------------------------------------------


def stored(frame: pd.DataFrame) -> dict[tuple[int, int], Points]:
    """The points as stored, per series: what the rule for small numbers reads."""
    return {
        (int(measure_id), int(team_id)): Points.of(group.reset_index(drop=True))
        for (measure_id, team_id), group in frame.groupby(["measure_id", "team_id"])
    }


def hidden_table(frame, info, team_ids, threshold=5, **options):
    found = analyses(frame, info)
    hidden = summary.hidden_points(found, stored(frame), threshold)
    table = summary.series_table(found, info, team_ids, hidden=hidden, **options)
    return found, hidden, table


def test_a_small_latest_count_is_hidden_with_what_is_worked_out_from_it() -> None:
    frame = points({(1, 1): IMPROVING, (1, 2): STEADY})
    falls = measures({"baseline_start": month(0), "baseline_end": month(5), "target_value": 4.0})
    _found, _hidden, table = hidden_table(frame, falls, [1, 2, 3])
    by_team = table.set_index("team_id")
    # Team 1's latest month counts 3 falls: hidden, with the way to the target and whether it is
    # reached; its baseline (months of 9 to 12 falls) is shown.
    assert by_team.loc[1, "hidden_fields"] == ["latest", "percent_of_way", "target_reached"]
    assert bool(by_team.loc[1, "hidden"]) is True
    assert by_team.loc[2, "hidden_fields"] == [] and not by_team.loc[2, "hidden"]
    assert by_team.loc[3, "hidden_fields"] == []  # no data
    # The table keeps every number, for the totals of teams (one truth) ...
    assert by_team.loc[1, "latest"] == 3.0
    assert summary.measure_totals(table, falls)[0].reached == 1
    # ... and the rows that pages and files show have none of the hidden ones.
    rows = summary.shown_rows(summary.records(table))
    assert rows[0]["latest"] is rows[0]["percent_of_way"] is rows[0]["target_reached"] is None
    assert rows[0]["baseline"] == pytest.approx(np.mean(IMPROVING[:6]))
    assert rows[0]["latest_period"] == month(19)  # when, not how many
    assert rows[0]["improvements"] > 0  # the signals read every number
    assert rows[1]["latest"] == 9.0


def test_a_baseline_is_hidden_when_a_point_it_rests_on_is() -> None:
    falls = measures({"baseline_start": month(0), "baseline_end": month(5), "target_value": 4.0})
    inside = points({(1, 1): [10, 3, 11, 9, 10, 12, 9, 10]})  # 3 falls in the baseline months
    row = hidden_table(inside, falls, [1])[2].iloc[0]
    assert row["hidden_fields"] == ["baseline", "percent_of_way"]
    assert row["latest"] == 10.0
    after = points({(1, 1): [10, 11, 9, 10, 12, 9, 3, 10]})  # 3 falls after the baseline
    assert hidden_table(after, falls, [1])[2].iloc[0]["hidden_fields"] == []
    # The measure's stated baseline is the coordinator's figure, not a team's: never hidden.
    stated = measures({"baseline_value": 12.0, "target_value": 4.0})
    assert hidden_table(inside, stated, [1])[2].iloc[0]["hidden_fields"] == []


def test_the_baseline_rests_on_the_points_the_engine_froze() -> None:
    definition = Definition(chart="c", value_kind="count", freeze_points=3)
    frame = points({(1, 1): [10, 12, 11, 3, 10, 11]})
    frame.loc[1, "excluded"] = True  # left out: not part of the centre line
    found = analyse(frame, definition, Settings())
    assert summary.baseline_points(found).tolist() == [True, False, True] + [False] * 3
    period = Definition(chart="c", value_kind="count", baseline_end=month(2))
    assert summary.baseline_points(analyse(frame, period, Settings())).tolist() == (
        [True, False, True] + [False] * 3
    )
    unfrozen = Definition(chart="c", value_kind="count", baseline_value=12.0)
    assert not summary.baseline_points(analyse(frame, unfrozen, Settings())).any()


def test_a_percentage_with_a_small_did_not_is_hidden() -> None:
    frame = points({(1, 1): [30, 32, 35, 36]}, denominator=40.0)
    reviewed = measures({"chart_type": "p", "direction": "increase", "target_value": 0.9})
    found, hidden, table = hidden_table(frame, reviewed, [1])
    # 36 of 40 tells that 4 did not; 35 of 40 (5 did not) is shown.
    assert hidden[(1, 1)].tolist() == [False, False, False, True]
    assert table.iloc[0]["hidden_fields"] == ["latest", "percent_of_way", "target_reached"]
    analysed = summary.analysed_frame(found, hidden)
    assert analysed["hidden"].tolist() == [False, False, False, True]


def test_what_a_summary_hides_is_counted_once_per_figure() -> None:
    frame = points({(1, 1): IMPROVING, (1, 2): STEADY})
    falls = measures({"target_value": 4.0})
    found, hidden, table = hidden_table(frame, falls, [1, 2])
    analysed = summary.analysed_frame(found, hidden)
    small = [value < 5 for value in IMPROVING]
    assert analysed[analysed["team_id"] == 1]["hidden"].tolist() == small
    # The latest value of team 1 is also a point of its small chart: one figure, not two.
    assert summary.hidden_count(table, analysed, [1]) == Hidden(figures=sum(small), teams=1)
    assert summary.hidden_count(table, analysed, []) == Hidden(figures=1, teams=1)
    assert summary.hidden_in_rows(summary.records(table)) == Hidden(figures=1, teams=1)


def test_with_the_threshold_off_nothing_is_hidden() -> None:
    frame = points({(1, 1): IMPROVING})
    falls = measures({"target_value": 4.0})
    found, hidden, table = hidden_table(frame, falls, [1], threshold=0)
    assert not hidden[(1, 1)].any()
    assert table.iloc[0]["hidden_fields"] == []
    assert summary.hidden_count(table, summary.analysed_frame(found, hidden), [1]) == Hidden()


def test_a_series_whose_stored_points_are_missing_is_hidden_whole() -> None:
    frame = points({(1, 1): STEADY})
    found = analyses(frame, measures({}))
    assert summary.hidden_points(found, {}, 5)[(1, 1)].all()
    # Without flags (no rule asked for), nothing is marked.
    assert not summary.analysed_frame(found)["hidden"].any()


# Cycles and progress scores ----------------------------------------------------------------------


def test_cycle_table_counts_decisions_per_team() -> None:
    cycles = pd.DataFrame(
        [(1, "adopt", 2), (1, "abandon", 1), (1, None, 4), (2, "adapt", 3)],
        columns=["team_id", "decision", "cycles"],
    )
    table = summary.cycle_table(cycles, [1, 2, 3]).set_index("team_id")
    assert table.loc[1].to_dict() == {
        "adopt": 2,
        "adapt": 0,
        "abandon": 1,
        "undecided": 4,
        "total": 7,
    }
    assert table.loc[2, "adapt"] == 3
    assert table.loc[3, "total"] == 0
    assert summary.cycle_totals(table.reset_index()) == {
        "adopt": 2,
        "adapt": 3,
        "abandon": 1,
        "undecided": 4,
        "total": 10,
    }


def test_progress_prefers_the_coordinators_score() -> None:
    scores = pd.DataFrame(
        [
            (1, month(0), "self", 2.0),
            (1, month(0), "coordinator", 1.5),
            (1, month(1), "self", 3.0),
            (2, month(1), "coordinator", 2.5),
        ],
        columns=["team_id", "period_start", "assessor", "score"],
    )
    table = summary.progress_table(scores, [1, 2, 3]).set_index("team_id")
    assert table.loc[1, "history"] == [1.5, 3.0]
    assert table.loc[1, "first"] == 1.5
    assert table.loc[1, "latest"] == 3.0
    assert table.loc[1, "latest_period"] == month(1)
    assert table.loc[2, "history"] == [2.5]
    assert table.loc[3, "history"] == []
    assert pd.isna(table.loc[3, "latest"])


@pytest.mark.parametrize(
    ("first", "latest", "words"),
    [
        (1.5, 3.0, "Up 1.5 from 1.5"),
        (3.0, 2.5, "Down 0.5 from 3.0"),
        (2.0, 2.0, "No change from 2.0"),
        (None, None, "No scores yet"),
    ],
)
def test_trend_words(first, latest, words) -> None:
    assert summary.trend_words(first, latest) == words


# The narrative ---------------------------------------------------------------------------------


def falls_totals(**overrides: int) -> summary.MeasureTotals:
    fields = {"teams": 8, "reporting": 8, "improving": 6, "worsening": 0, "reached": 0}
    fields |= overrides
    return summary.MeasureTotals(measure_id=1, name="Falls a month", **fields)


CYCLES = {"adopt": 7, "adapt": 9, "abandon": 2, "undecided": 3, "total": 21}
SINCE = summary.since_phrase(date(2026, 3, 15), review=True)


def story(*totals: summary.MeasureTotals, **overrides) -> list[str]:
    arguments = {
        "teams": 8,
        "measures": list(totals),
        "cycles": CYCLES,
        "progressing": 6,
        "scored": 8,
        "since": SINCE,
    }
    return summary.narrative(**(arguments | overrides))


def test_narrative_states_the_facts_in_plain_sentences() -> None:
    assert story(falls_totals(worsening=5, reached=6)) == [
        "6 of the 8 teams show a real improvement in Falls a month since the panel's review on "
        "15 March 2026.",
        "5 of the 8 teams show a change for the worse in Falls a month since the panel's review "
        "on 15 March 2026.",
        "6 of the 8 teams have reached the target for Falls a month.",
        "Teams ran 21 tests of change (PDSA cycles): 7 adopted, 9 adapted, 2 abandoned.",
        "6 of the 8 teams score 3.0 (modest improvement) or higher on progress.",
    ]


def test_narrative_tells_counts_of_teams_and_cycles_as_they_are() -> None:
    # Teams and tests of change are not people: small counts of them are told exactly (issue
    # 19: "fewer than 5 of 1 teams" hid nothing anyone needed hidden).
    sentences = story(falls_totals(improving=3, reached=1), progressing=2, teams=8)
    assert sentences[0].startswith("3 of the 8 teams show a real improvement")
    assert sentences[1] == "1 of the 8 teams has reached the target for Falls a month."
    assert sentences[-1].startswith("2 of the 8 teams score 3.0")
    one = story(falls_totals(teams=1, reporting=1, improving=1), teams=1, progressing=1)
    assert one[0].startswith("1 of the 1 team shows a real improvement")
    assert not any("fewer than" in sentence.lower() for sentence in sentences + one)


def test_narrative_when_nothing_has_happened_yet() -> None:
    quiet = story(
        falls_totals(improving=0),
        summary.MeasureTotals(2, "Care plans reviewed", 8, 0, 0, 0, 0),
        cycles={"total": 0},
        scored=0,
        since=summary.since_phrase(None, review=False),
    )
    assert quiet == [
        "No team shows a real improvement in Falls a month so far yet.",
        "No team has data for Care plans reviewed in this period yet.",
        "No tests of change (PDSA cycles) are recorded in this period.",
    ]
    assert story(teams=0) == ["No teams match these choices yet."]


@pytest.mark.parametrize(
    ("since", "review", "phrase"),
    [
        (date(2026, 3, 5), True, "since the panel's review on 5 March 2026"),
        (date(2026, 1, 1), False, "since 1 January 2026"),
        (None, False, "so far"),
    ],
)
def test_since_phrase(since, review, phrase) -> None:
    assert summary.since_phrase(since, review) == phrase


# Sparklines --------------------------------------------------------------------------------------


def test_sparkline_puts_higher_values_nearer_the_top_and_includes_the_target() -> None:
    spark = summary.sparkline(
        [2.0, 6.0, 4.0],
        ["common_cause", "special_cause_concern", "common_cause"],
        target=0.0,
        width=100,
        height=20,
        pad=0,
    )
    assert [(x, y) for x, y, _ in spark.points] == [(0.0, 13.3), (50.0, 0.0), (100.0, 6.7)]
    assert spark.points[1][2] == "special_cause_concern"
    assert spark.target_y == 20.0
    assert spark.line == "0.0,13.3 50.0,0.0 100.0,6.7"


def test_sparkline_of_one_flat_value_and_of_nothing() -> None:
    flat = summary.sparkline([5.0], ["common_cause"], width=100, height=20, pad=0)
    assert flat.points == [(0.0, 10.0, "common_cause")]
    assert flat.target_y is None
    assert summary.sparkline([], []).points == []


def test_records_turn_missing_values_into_none() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [date(2026, 1, 1), pd.NaT]})
    assert summary.records(frame) == [
        {"a": 1.0, "b": date(2026, 1, 1)},
        {"a": None, "b": None},
    ]
