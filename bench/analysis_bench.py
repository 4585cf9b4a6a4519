"""Time the one analysis of a measure (improve.analysis.series) on 2,000 series of 104 weekly
points: limits, phases, baseline, rules and signal episodes, as every page reads them.

Two figures per chart type: every series analysed from nothing (a worker's first request after
the data changed), and read back from the results kept by improve.measures.analysis (every later
request). Run from the repository root: PYTHONPATH=. .venv/bin/python bench/analysis_bench.py
(writes bench/analysis.json)
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from improve.analysis.series import Definition, Settings, analyse
from improve.measures.analysis import KEPT, analyse_frame

SERIES = 2_000
POINTS = 104
REPEATS = 3
KINDS = {"i": "continuous", "run": "continuous", "p": "proportion"}


def _series(rng: np.random.Generator, chart: str) -> list[pd.DataFrame]:
    weeks = [date(2024, 1, 1) + timedelta(weeks=w) for w in range(POINTS)]
    frames = []
    for _ in range(SERIES):
        if chart == "p":
            values = rng.binomial(80, 0.4, POINTS).astype(float)
        else:
            values = np.round(rng.normal(50, 5, POINTS))
        frames.append(
            pd.DataFrame(
                {
                    "period_start": weeks,
                    "value": values,
                    "denominator": rng.integers(80, 120, POINTS).astype(float),
                    "excluded": False,
                    "starts_new_phase": False,
                }
            )
        )
    return frames


def _timed(analyser, frames: list, definition: Definition, settings: Settings) -> float:  # type: ignore[no-untyped-def]
    """Seconds to analyse every series once with `analyser` (from nothing, or kept)."""
    start = time.perf_counter()
    for frame in frames:
        analyser(frame, definition, settings)
    return time.perf_counter() - start


def measure_analysis() -> dict[str, object]:
    """Median seconds per chart type, from nothing and from the kept results;
    series_2000x104_s is the slowest median from nothing."""
    rng = np.random.default_rng(4)
    settings = Settings()
    results: dict[str, dict[str, float | int]] = {}
    for chart, kind in KINDS.items():
        definition = Definition(chart=chart, value_kind=kind, direction="increase")  # type: ignore[arg-type]
        frames = _series(rng, chart)
        cold = [_timed(analyse, frames, definition, settings) for _ in range(2)]
        KEPT.clear()
        _timed(analyse_frame, frames, definition, settings)  # keeps every result
        kept = [_timed(analyse_frame, frames, definition, settings) for _ in range(REPEATS)]
        signals = sum(len(analyse_frame(f, definition, settings).events) for f in frames)  # type: ignore[union-attr]
        results[chart] = {
            "from_nothing_seconds": round(float(np.median(cold)), 4),
            "kept_seconds": round(float(np.median(kept)), 4),
            "signals": signals,
        }
    KEPT.clear()
    slowest = max(float(result["from_nothing_seconds"]) for result in results.values())
    return {
        "series": SERIES,
        "points_per_series": POINTS,
        "repeats": REPEATS,
        "series_2000x104_s": slowest,
        **results,
    }


def main() -> None:
    document = measure_analysis()
    path = Path(__file__).with_name("analysis.json")
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
