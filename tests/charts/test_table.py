"""The data table under a chart."""

from __future__ import annotations

from datetime import date

from improve.analysis import control_chart, signals
from improve.charts import chart_rows

VALUES = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12, 20, 21, 22, 23, 24, 25, 26, 3, 12, 11]


def test_rows_per_point_with_signal_in_plain_words() -> None:
    chart = control_chart(VALUES, chart="i", exclude=[2])
    found = signals(chart, direction="increase")
    dates = [date(2024 + i // 12, i % 12 + 1, 1) for i in range(len(VALUES))]
    rows = chart_rows(chart, found, dates, lengths={"shift": 7, "trend": 7})
    assert len(rows) == len(VALUES)
    first = rows[0]
    assert first["index"] == 1 and first["period"] == "Jan 2024"
    assert first["value"] == 10.0
    assert first["centre"] == float(chart.cl[0])
    assert first["lower"] == float(chart.lcl[0]) and first["upper"] == float(chart.ucl[0])
    assert first["excluded"] is False and rows[1]["excluded"] is True
    assert all(row["signal"] == "" for row in rows if not row["rules"])
    flagged = [row for row in rows if row["signal"]]
    assert flagged
    for row in flagged:
        assert row["rules"] and row["point_type"] != "common_cause"
        assert "unlikely to be chance" in row["signal"]
    low = rows[17]
    assert low["rules"][0] == "outside_limits"
    assert low["signal"].startswith("A point below the lower limit")
    shift = [row for row in rows if row["rules"] and row["rules"][0] == "shift"]
    assert shift
    assert all(row["signal"].startswith("7 or more points in a row ") for row in shift)
    assert all("the average" in row["signal"] for row in shift)


def test_run_chart_rows_have_no_limits_and_index_periods() -> None:
    values = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12, 20, 22, 21, 23, 20, 22, 21, 23]
    chart = control_chart(values, chart="run")
    found = signals(chart, rules="ihi", direction="decrease")
    rows = chart_rows(chart, found)
    assert rows[0]["period"] == "1"
    assert all(row["lower"] is None and row["upper"] is None for row in rows)
    assert rows[0]["centre"] == float(chart.cl[0])
    shift = [row for row in rows if row["rules"] and row["rules"][0] == "shift"]
    assert shift and all("the median" in row["signal"] for row in shift)


def test_mr_rows_have_no_value_for_the_first_point() -> None:
    chart = control_chart(VALUES, chart="mr")
    rows = chart_rows(chart, signals(chart))
    assert rows[0]["value"] is None and rows[1]["value"] == 2.0
