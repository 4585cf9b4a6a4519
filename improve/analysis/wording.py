"""Plain-language sentences for signals, for care workers (DOMAIN.md section 5: always say which
rule produced a signal, in plain words)."""

from __future__ import annotations

from improve.analysis.runs import RunsAnalysis


def _where(high: bool) -> str:
    return "above" if high else "below"


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
    raise ValueError(f"unknown rule {rule!r}")


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
