"""Charts from the analysis engine's results: accessible SVG and the data-table alternative.
Pure: no Flask, no database."""

from improve.charts.svg import Marker, chart_svg, describe, nice_ticks
from improve.charts.table import chart_rows

__all__ = ["Marker", "chart_rows", "chart_svg", "describe", "nice_ticks"]
