"""The analysis engine: run charts, SPC charts and their signals. Pure: numpy, pandas and the
standard library only (STYLE.md), so the CLI, the web views and exports share it."""

from improve.analysis.rules import assurance, signals, variation
from improve.analysis.runs import RunsAnalysis, longest_run_max, n_crossings_min, runs_analysis
from improve.analysis.spc import AnalysisError, Chart, control_chart

__all__ = [
    "AnalysisError",
    "Chart",
    "RunsAnalysis",
    "assurance",
    "control_chart",
    "longest_run_max",
    "n_crossings_min",
    "runs_analysis",
    "signals",
    "variation",
]
