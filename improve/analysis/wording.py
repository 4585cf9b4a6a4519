"""Plain-language sentences for signals, for care workers (DOMAIN.md section 5: always say which
rule produced a signal, in plain words)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from improve.analysis.runs import RunsAnalysis

if TYPE_CHECKING:
    from improve.analysis.series import SeriesAnalysis, SignalEvent


def _where(high: bool) -> str:
    return "above" if high else "below"


def centre_words(chart: str) -> str:
    """What the chart's centre line is, in words: "the median" on a run chart and on a g chart
    (whose gaps are skewed, so qicharts2 draws their median), "the centre line" on a t chart (an
    average found on another scale), else "the average"."""
    return {"run": "the median", "g": "the median", "t": "the centre line"}.get(
        chart, "the average"
    )


def rule_sentence(
    rule: str, high: bool, length: int | None = None, centre: str = "the average"
) -> str:
    """One sentence for a rule that fired, e.g. "7 points in a row above the average: this is
    unlikely to be chance". `high` is the side of the signal; `length` the run length used;
    `centre` names the centre line ("the median" on a run chart)."""
    if rule == "outside_limits":
        limit = "upper" if high else "lower"
        return (
            f"A point {_where(high)} the {limit} limit: this is unlikely to be chance, "
            "so look for what was different at the time."
        )
    if rule == "trend":
        way = "going up" if high else "going down"
        count = f"{length} or more points" if length else "Several points"
        return f"{count} in a row {way}: this is unlikely to be chance."
    if rule == "two_in_three":
        return (
            f"Two out of three points close to the {'upper' if high else 'lower'} limit: "
            "this is unlikely to be chance."
        )
    if rule == "shift":
        count = f"{length} or more points" if length else "Several points"
        return f"{count} in a row {_where(high)} {centre}: this is unlikely to be chance."
    if rule == "long_run":
        return (
            f"Part of a long run {_where(high)} {centre}: more points in a row on one side than "
            "chance would usually give."
        )
    raise ValueError(f"unknown rule {rule!r}")


def _points(count: int) -> str:
    return f"{count} point{'' if count == 1 else 's'}"


def event_sentence(event: SignalEvent, analysis: SeriesAnalysis) -> str:
    """One sentence for one signal (an episode of points, or a phase with too few crossings),
    e.g. "8 points in a row above the median, more than the 7 that chance would usually give:
    something has probably changed." The list it appears in names its periods."""
    centre = centre_words(analysis.chart_type)
    high = event.side > 0
    runs = analysis.runs[event.part - 1] if event.part - 1 < len(analysis.runs) else None
    if event.rule == "few_crossings" and runs is not None:
        crossings = runs.n_crossings
        return (
            f"The line crosses {centre} only {crossings} time{'' if crossings == 1 else 's'} "
            f"in this phase, fewer than the {runs.n_crossings_min} that chance would usually "
            "give: something has probably changed."
        )
    if event.rule == "long_run" and runs is not None:
        return (
            f"{event.size} points in a row {_where(high)} {centre}, more than the "
            f"{runs.longest_run_max} that chance would usually give: something has probably "
            "changed."
        )
    if event.rule == "outside_limits" and event.size > 1:
        limit = "upper" if high else "lower"
        return (
            f"{_points(event.size)} {_where(high)} the {limit} limit: this is unlikely to be "
            "chance, so look for what was different at the time."
        )
    if event.rule in ("shift", "trend"):
        way = ("going up" if high else "going down") if event.rule == "trend" else None
        where = way or f"{_where(high)} {centre}"
        needed = analysis.lengths[event.rule]
        return (
            f"{_points(event.size)} in a row {where} ({needed} or more make a signal): "
            "this is unlikely to be chance."
        )
    return rule_sentence(event.rule, high, analysis.lengths.get(event.rule), centre)


def runs_sentences(runs: RunsAnalysis) -> list[str]:
    """Sentences for the Anhøj runs analysis of one part (Anhøj & Olesen 2014)."""
    if not runs.enough_data:
        return [
            f"Not enough data yet: {runs.n_useful} useful points, and at least 10 are needed "
            "to look for patterns."
        ]
    sentences = []
    if runs.long_run_signal:
        sentences.append(
            f"{runs.longest_run} points in a row on one side of the middle line, more than the "
            f"{runs.longest_run_max} expected by chance: something has probably changed."
        )
    if runs.few_crossings_signal:
        sentences.append(
            f"The line crosses the middle only {runs.n_crossings} "
            f"time{'' if runs.n_crossings == 1 else 's'}, fewer than the "
            f"{runs.n_crossings_min} expected by chance: something has probably changed."
        )
    if not sentences:
        sentences.append("No unusual pattern: the ups and downs look like chance.")
    return sentences
