"""The vectorised analysis agrees with the single-series functions (pure, no app)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from improve.analysis.batch import batch_analysis
from improve.analysis.rules import RULES, signals
from improve.analysis.spc import control_chart


def _frame(chart: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for series in range(40):
        n = int(rng.integers(2, 40))
        if chart in ("p", "u"):
            den = rng.integers(20, 60, n).astype(float)
            values = rng.binomial(den.astype(int), 0.3 + 0.2 * (series % 2)).astype(float)
        elif chart == "c":
            den = np.ones(n)
            values = rng.poisson(5, n).astype(float)
        else:
            den = np.ones(n)
            # Rounded values make ties and points on the centre line likely; a drift makes signals.
            values = np.round(rng.normal(10, 2, n) + np.linspace(0, series % 5, n))
        if n > 5 and series % 3 == 0:
            values[2] = np.nan
        rows += [
            {"series": f"s{series:02d}", "value": v, "denominator": d}
            for v, d in zip(values, den, strict=True)
        ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("chart", ["run", "i", "p", "u", "c"])
@pytest.mark.parametrize("direction", ["increase", "neutral"])
def test_batch_matches_single_series(chart: str, direction: str) -> None:
    frame = _frame(chart, seed=len(chart))
    points, runs = batch_analysis(frame, chart=chart, multiplier=100, direction=direction)  # type: ignore[arg-type]
    for (name, group), (_, got), (_, got_runs) in zip(
        frame.groupby("series"), points.groupby("series"), runs.groupby("series"), strict=True
    ):
        den = group["denominator"] if chart in ("p", "u") else None
        single = control_chart(group["value"], den, chart=chart, multiplier=100)  # type: ignore[arg-type]
        found = signals(single, rules="mdc", direction=direction)  # type: ignore[arg-type]
        np.testing.assert_allclose(got["value"], single.value, equal_nan=True, err_msg=name)
        np.testing.assert_allclose(got["cl"], single.cl, equal_nan=True)
        np.testing.assert_allclose(got["lcl"], single.lcl, equal_nan=True)
        np.testing.assert_allclose(got["ucl"], single.ucl, equal_nan=True)
        for rule in RULES:
            assert got[rule].tolist() == found.fired[rule].tolist(), (name, rule)
        assert got["point_type"].tolist() == found.point_type, name
        expected = single.runs()[0]
        row = got_runs.iloc[0]
        assert int(row["n_useful"]) == expected.n_useful
        assert int(row["longest_run"]) == expected.longest_run
        assert int(row["n_crossings"]) == expected.n_crossings
        assert bool(row["runs_signal"]) == expected.runs_signal


def test_batch_finds_signals() -> None:
    frame = pd.DataFrame(
        {"series": ["a"] * 12, "value": [1.0, 2, 1, 2, 1, 2, 9, 10, 11, 12, 13, 14]}
    )
    points, runs = batch_analysis(frame, chart="i", direction="increase")
    assert points["trend"].iloc[5:].all()
    assert points["point_type"].iloc[-1] == "special_cause_improvement"
    assert bool(runs["runs_signal"].iloc[0]) is True
