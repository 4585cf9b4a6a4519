"""Time the vectorised analysis: 2,000 series of 104 weekly points (limits, runs, MDC rules).

Run from the repository root: PYTHONPATH=. .venv/bin/python bench/analysis_bench.py
(writes bench/analysis.json)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from improve.analysis.batch import batch_analysis

SERIES = 2_000
POINTS = 104
REPEATS = 5


def measure_analysis() -> dict[str, object]:
    """Best and median seconds per chart type; series_2000x104_s is the slowest median."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(SERIES), POINTS),
            "value": np.round(rng.normal(50, 5, SERIES * POINTS)),
            "denominator": rng.integers(80, 120, SERIES * POINTS).astype(float),
        }
    )
    results: dict[str, dict[str, float | int]] = {}
    for chart in ("i", "run", "p"):
        if chart == "p":
            frame["value"] = rng.binomial(80, 0.4, SERIES * POINTS).astype(float)
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            points, runs = batch_analysis(frame, chart=chart, direction="increase")
            timings.append(time.perf_counter() - start)
        results[chart] = {
            "best_seconds": round(min(timings), 4),
            "median_seconds": round(float(np.median(timings)), 4),
            "signals": int((points["point_type"] != "common_cause").sum()),
            "runs_signals": int(runs["runs_signal"].sum()),
        }
    slowest = max(float(result["median_seconds"]) for result in results.values())
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
