"""The data table under a chart: one row per point, with its signal in plain words."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from improve.analysis.rules import Signals
from improve.analysis.series import SeriesAnalysis, SignalEvent
from improve.analysis.spc import Chart
from improve.analysis.wording import centre_words, event_sentence, rule_sentence
from improve.charts.svg import PLAIN_TYPES, labels_days, period_label, period_labels


def _number(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def chart_rows(
    chart: Chart,
    found: Signals,
    dates: Sequence[date] | None = None,
    *,
    lengths: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Per point: index, period label, value, centre, lower and upper limit (None where there
    is none), excluded, point type (code and words), the rules that fired and the signal in
    plain words (the highest-precedence rule's sentence; "" when there is none). `lengths` gives
    the run lengths used for the shift and trend rules, for the wording."""
    n = int(chart.value.size)
    if dates is not None and len(dates) != n:
        raise ValueError("there must be one date per point")
    centre = centre_words(chart.chart)
    lengths = lengths or {}
    labels = period_labels(dates) if dates is not None else None
    rows = []
    for i in range(n):
        rules = found.rules_at(i)
        signal = ""
        if rules:
            rule = rules[0]
            high = bool(found.side[rule][i] > 0)
            signal = rule_sentence(rule, high, lengths.get(rule), centre)
        kind = found.point_type[i]
        rows.append(
            {
                "index": i + 1,
                "period": labels[i] if labels is not None else str(i + 1),
                "value": _number(chart.value[i]),
                "centre": _number(chart.cl[i]),
                "lower": _number(chart.lcl[i]),
                "upper": _number(chart.ucl[i]),
                "part": int(chart.part[i]),
                "excluded": bool(chart.excluded[i]),
                "point_type": kind,
                "point_type_words": PLAIN_TYPES[kind],
                "rules": rules,
                "signal": signal,
            }
        )
    return rows


def analysis_rows(analysis: SeriesAnalysis) -> list[dict[str, Any]]:
    """`chart_rows` of the one analysis, each row with its period as a date too."""
    rows = chart_rows(
        analysis.chart, analysis.found, list(analysis.dates), lengths=analysis.lengths
    )
    for row, day in zip(rows, analysis.dates, strict=True):
        row["period_start"] = day
    return rows


def periods_label(event: SignalEvent, with_day: bool = False) -> str:
    """ "Mar 2026", or "Mar 2026 to Sep 2026" for a signal over several periods (weeks by their
    first day: "3 Aug 2026 to 14 Sep 2026")."""
    first, last = period_label(event.start, with_day), period_label(event.end, with_day)
    return first if event.start == event.end else f"{first} to {last}"


def signal_list(analysis: SeriesAnalysis) -> list[dict[str, Any]]:
    """Each signal of the analysis (one per episode, not per point) in words: its periods, its
    sentence, its kind and the event itself."""
    with_day = labels_days(analysis.dates)
    return [
        {
            "period": periods_label(event, with_day),
            "period_start": event.start,
            "signal": event_sentence(event, analysis),
            "point_type": event.kind,
            "event": event,
        }
        for event in analysis.events
    ]
