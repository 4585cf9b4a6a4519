"""`flask analyse`: the analysis engine from the command line (issue 4)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture
def analyse(app: Flask, runner, tmp_path: Path):
    """analyse(csv_text, *options) -> click Result, through the app's own `flask analyse`."""

    def run(text: str, *options: str):
        path = tmp_path / "data.csv"
        path.write_text(text)
        return runner.invoke(args=["analyse", str(path), *options])

    return run


def _csv(values: list[object], denominators: list[object] | None = None) -> str:
    if denominators is None:
        return "value\n" + "".join(f"{v}\n" for v in values)
    rows = "".join(f"{v},{d}\n" for v, d in zip(values, denominators, strict=True))
    return "value,denominator\n" + rows


I_VALUES = [10, 12, 11, 15, 13, 30, 12]


def test_json_shape_for_an_i_chart(analyse) -> None:
    result = analyse(_csv(I_VALUES), "--chart", "i", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert list(doc) == ["chart", "points", "runs", "signals", "variation", "assurance"]
    assert doc["chart"] == "i"
    first = doc["points"][0]
    assert list(first) == [
        "index",
        "value",
        "cl",
        "lcl",
        "ucl",
        "part",
        "excluded",
        "sigma_signal",
        "point_type",
        "rules",
    ]
    mean = sum(I_VALUES) / 7
    ranges = [abs(b - a) for a, b in zip(I_VALUES, I_VALUES[1:], strict=False)]
    width = 3 * (sum(ranges) / 6) / 1.128
    assert first["index"] == 1 and first["value"] == 10.0 and first["part"] == 1
    assert first["cl"] == pytest.approx(mean)
    assert first["ucl"] == pytest.approx(mean + width)
    assert first["lcl"] == pytest.approx(mean - width)
    assert doc["runs"] == [
        {
            "part": 1,
            "n_obs": 7,
            "n_useful": 7,
            "longest_run": 3,
            "longest_run_max": 6,
            "n_crossings": 4,
            "n_crossings_min": 1,
            "runs_signal": False,
        }
    ]
    assert doc["variation"] == "common_cause" and doc["assurance"] is None


def test_exclude_part_direction_target(analyse) -> None:
    values = [1, 2, 1, 2, 1, 2, 9, 10, 9, 10, 9, 40]
    result = analyse(
        _csv(values),
        "--chart",
        "i",
        "--part",
        "6",
        "--exclude",
        "12",
        "--direction",
        "increase",
        "--target",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    points = doc["points"]
    assert [p["part"] for p in points] == [1] * 6 + [2] * 6
    assert points[0]["cl"] == pytest.approx(1.5)
    assert points[6]["cl"] == pytest.approx(9.4)
    last = points[11]
    assert last["excluded"] is True and last["sigma_signal"] is True
    assert last["rules"] == ["outside_limits"]
    assert last["point_type"] == "special_cause_improvement"
    assert doc["variation"] == "special_cause_improvement"
    assert doc["assurance"] == "pass"  # target 5 below part 2's lower limit
    assert [r["n_obs"] for r in doc["runs"]] == [6, 5]


def test_run_chart_default_and_points_on_the_median(analyse) -> None:
    result = analyse(_csv([1, 2, 3, 2, 2, 5, 2, 1]), "--json")
    doc = json.loads(result.output)
    assert doc["chart"] == "run"
    assert doc["points"][0]["cl"] == 2.0
    assert doc["points"][0]["lcl"] is None and doc["points"][0]["ucl"] is None
    assert doc["runs"][0]["n_obs"] == 8 and doc["runs"][0]["n_useful"] == 4


def test_p_chart_values_times_multiplier(analyse) -> None:
    result = analyse(
        _csv([5, 10, 15], [50, 100, 150]), "--chart", "p", "--multiply", "100", "--json"
    )
    doc = json.loads(result.output)
    assert [p["value"] for p in doc["points"]] == pytest.approx([10.0, 10.0, 10.0])
    assert doc["points"][0]["ucl"] == pytest.approx(100 * (0.1 + 3 * math.sqrt(0.09 / 50)))
    assert doc["points"][0]["lcl"] == 0


def test_mr_chart_first_value_is_null(analyse) -> None:
    doc = json.loads(analyse(_csv(I_VALUES), "--chart", "mr", "--json").output)
    assert doc["points"][0]["value"] is None
    assert doc["points"][1]["value"] == 2.0
    assert doc["points"][0]["lcl"] == 0


def test_nhs_sigma_and_freeze(analyse) -> None:
    doc = json.loads(
        analyse(_csv(I_VALUES), "--chart", "i", "--sigma", "nhs", "--freeze", "5", "--json").output
    )
    # Baseline 10, 12, 11, 15, 13: mean 12.2, MR-bar 2.25.
    assert doc["points"][6]["ucl"] == pytest.approx(12.2 + 2.66 * 2.25)
    assert doc["points"][5]["rules"] == ["outside_limits"]


def test_short_series_gets_limits_but_no_runs_signal(analyse) -> None:
    doc = json.loads(analyse(_csv([4, 6, 5]), "--chart", "c", "--json").output)
    assert doc["points"][0]["cl"] == 5.0
    assert doc["runs"][0]["runs_signal"] is False


def test_readable_summary(analyse) -> None:
    result = analyse(_csv(I_VALUES), "--chart", "i", "--exclude", "6")
    assert result.exit_code == 0, result.output
    assert "trial limits" in result.output
    assert "Point 6: A point above the upper limit" in result.output
    assert "Not enough data yet" in result.output


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("amount\n1\n2\n", ["--chart", "i"], "no 'value' column"),
        ("value\n1\n2\n", ["--chart", "p"], "no 'denominator' column"),
        ("value\n1\nlots\n3\n", ["--chart", "i"], "row 3: value 'lots' is not a number"),
        (_csv([1, 2], [5, 0]), ["--chart", "p"], "point 2: the denominator must be more than 0"),
        (_csv([1, 6], [5, 5]), ["--chart", "p"], "numerator is more than the denominator"),
        (_csv([1, 2, 3]), ["--chart", "i", "--part", "2"], "part 2 has fewer than 2 points"),
        (_csv([1]), ["--chart", "i"], "part 1 has fewer than 2 points"),
        (_csv([1, 2, 3]), ["--exclude", "x"], "whole numbers"),
    ],
)
def test_bad_files(analyse, text: str, options: list[str], message: str) -> None:
    result = analyse(text, *options)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_summary_groups_a_run_with_its_dates(analyse) -> None:
    values = [5, 6, 7, 8, 9, 1, 2, 3, 4, 4, 1, 2]
    text = "date,value\n" + "".join(f"2025-{m:02d},{v}\n" for m, v in enumerate(values, 1))
    result = analyse(text, "--rules", "ihi", "--direction", "decrease")
    assert result.exit_code == 0, result.output
    assert (
        "Points 1-5 (2025-01 to 2025-05): 5 points in a row going up (5 or more make a signal): "
        "this is unlikely to be chance. [trend]"
    ) in result.output
    assert "crosses the middle only 1 time," in result.output


def test_flags_the_one_analysis_refuses_say_why(analyse) -> None:
    values = _csv([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    for options, message in [
        (["--rules", "mdc"], "Making Data Count rules are for control charts"),
        (["--chart", "i", "--rules", "ihi"], "control charts use the Making Data Count rules"),
        (["--rules", "ihi", "--shift-length", "8"], "the IHI rules keep their published lengths"),
    ]:
        result = analyse(values, *options)
        assert result.exit_code != 0 and message in result.output, options


def test_json_lists_each_signal_once_with_its_points(analyse) -> None:
    values = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 11, 10, 4, 5, 3, 4, 4, 5, 3, 4]
    doc = json.loads(
        analyse(_csv(values), "--chart", "i", "--direction", "decrease", "--json").output
    )
    assert doc["signals"] == [
        {"rule": "shift", "kind": "special_cause_concern", "first": 1, "last": 12, "points": 12},
        {
            "rule": "shift",
            "kind": "special_cause_improvement",
            "first": 13,
            "last": 20,
            "points": 8,
        },
    ]


# g and t charts of the dates of events ------------------------------------------------------------

# qicharts2 vignette, Case 3 (cabg): the dates of deaths 1-6 as printed by head(fatalities); the
# days between them are NA, 16, 20, 5, 13, 1 (read). The limits are derived by hand from
# qicharts2's qic.g and qic.t (see tests/analysis/test_rare_events.py for the arithmetic).
DEATHS = ["2011-07-21", "2011-08-06", "2011-08-26", "2011-08-31", "2011-09-13", "2011-09-14"]


def _dates_csv(days: list[str], counts: list[object] | None = None) -> str:
    if counts is None:
        return "date\n" + "".join(f"{day}\n" for day in days)
    return "date,value\n" + "".join(f"{d},{c}\n" for d, c in zip(days, counts, strict=True))


def test_g_chart_of_event_dates_one_row_per_event(analyse) -> None:
    result = analyse(_dates_csv(DEATHS), "--chart", "g", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["chart"] == "g"
    assert [p["value"] for p in doc["points"]] == [None, 16.0, 20.0, 5.0, 13.0, 1.0]
    first = doc["points"][0]
    # x̄ = 11, UCL = 11 + 3 × √(11 × 12) = 45.4674, LCL 0, centre line the median 13.
    assert first["cl"] == 13.0 and first["lcl"] == 0
    assert first["ucl"] == pytest.approx(45.4674, abs=1e-4)
    assert doc["runs"][0]["n_obs"] == 5


def test_t_chart_of_event_dates(analyse) -> None:
    doc = json.loads(analyse(_dates_csv(DEATHS), "--chart", "t", "--json").output)
    # y = t^(1/3.6): centre 1.81223^3.6 = 8.503, UCL 81.85, LCL 0.004661; values stay days.
    assert [p["value"] for p in doc["points"]][1:] == [16.0, 20.0, 5.0, 13.0, 1.0]
    assert doc["points"][1]["cl"] == pytest.approx(8.503, abs=1e-3)
    assert doc["points"][1]["ucl"] == pytest.approx(81.85, abs=1e-2)
    assert doc["points"][1]["lcl"] == pytest.approx(0.004661, abs=1e-6)


def test_a_count_column_gives_one_point_per_event(analyse) -> None:
    days = ["2025-03-01", "2025-03-04", "2025-03-10", "2025-03-12"]
    doc = json.loads(analyse(_dates_csv(days, [1, 2, "", 0]), "--chart", "g", "--json").output)
    # 4 March holds two events (0 days apart), an empty count is one event, 0 is none.
    assert [p["value"] for p in doc["points"]] == [None, 3.0, 0.0, 6.0]


def test_event_summary_labels_points_with_their_days(analyse) -> None:
    gaps = [3, 5, 2, 4, 6, 3, 5, 4, 2, 3, 90]
    days = [date(2024, 1, 1)]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    text = _dates_csv([day.isoformat() for day in days])
    result = analyse(text, "--chart", "g", "--direction", "increase", "--exclude", "2")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("g chart, 12 points")
    assert "Point 12 (2024-05-07): A point above the upper limit" in result.output
    assert "Variation: special_cause_improvement" in result.output
    doc = json.loads(analyse(text, "--chart", "g", "--exclude", "2", "--json").output)
    assert doc["points"][1]["excluded"] is True  # row 2 is the second event


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("value\n1\n2\n", ["--chart", "g"], "the file has no 'date' column"),
        (_dates_csv(["2025-01-01", "2025-13-01"]), ["--chart", "g"], "row 3: date '2025-13-01'"),
        (_dates_csv(["2025-01-01", ""], [1, 1]), ["--chart", "t"], "row 3: the date is empty"),
        (_dates_csv(["2025-01-01", "2025-01-05"], [1, 1.5]), ["--chart", "g"], "row 3: value"),
        (_dates_csv(["2025-01-01", "2025-01-05"]), ["--chart", "g"], "at least 3 events"),
        (
            _dates_csv(["2025-01-01", "2025-01-05", "2025-01-09"], [1, 2, 1]),
            ["--chart", "t"],
            "point 3: a t chart needs a time above 0",
        ),
        (_dates_csv(DEATHS), ["--chart", "g", "--exclude", "9"], "excluded row 9 is outside"),
        (_dates_csv(DEATHS), ["--chart", "g", "--rules", "ihi"], "Making Data Count rules"),
    ],
)
def test_bad_event_files(analyse, text: str, options: list[str], message: str) -> None:
    result = analyse(text, *options)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
