"""Cross-team summaries for the strategic panel: where each team is against its target, what the
charts say, cycles by decision, progress scores, totals, and a short narrative in plain words
(issue 5, point 4).

Small numbers of people (improve.analysis.disclosure, issue 19 point 4): each point carries
whether it is hidden, and each team's row names the figures hidden with it (`hidden_fields`).
Hiding is for showing only: the analysis, its signals and the totals of teams use every number.

Pure: pandas, numpy and the standard library only. Every figure about a team's measure is read
from the one analysis of that series (improve.analysis.series), never analysed again here.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from improve.analysis.disclosure import Hidden, series_hidden
from improve.analysis.rules import PointType
from improve.analysis.series import Points, SeriesAnalysis

#: (measure id, team id): one series.
SeriesKey = tuple[int, int]

#: Columns of the shared measures frame.
MEASURE_COLUMNS = [
    "measure_id",
    "name",
    "chart_type",
    "direction",
    "multiplier",
    "baseline_value",
    "baseline_start",
    "baseline_end",
    "target_value",
]
ANALYSED_COLUMNS = ["measure_id", "team_id", "period_start", "value", "part", "lcl", "ucl"]
ANALYSED_COLUMNS += ["point_type", "hidden"]
SUMMARY_COLUMNS = [
    "team_id",
    "measure_id",
    "points",
    "part_points",
    "baseline",
    "latest",
    "latest_period",
    "target",
    "percent_of_way",
    "target_reached",
    "variation",
    "assurance",
    "improvements",
    "concerns",
    "trial",
    "hidden",
    "hidden_fields",
]
#: The figures of a row hidden with its latest point, and with its baseline.
HIDDEN_WITH_LATEST = ("latest", "percent_of_way", "target_reached")
HIDDEN_WITH_BASELINE = ("baseline", "percent_of_way")
DECISIONS = ("adopt", "adapt", "abandon")
CYCLE_COLUMNS = ["team_id", *DECISIONS, "undecided", "total"]
PROGRESS_COLUMNS = ["team_id", "latest", "latest_period", "first", "first_period", "history"]

#: A progress score at or above this is "modest improvement" or better on the IHI scale.
IMPROVING_SCORE = 3.0


#: The variation icon in words: (short label, one sentence explaining it). Making Data Count.
VARIATION_WORDS: dict[str, tuple[str, str]] = {
    "common_cause": (
        "No unusual change",
        "The ups and downs look like chance (common cause variation).",
    ),
    "special_cause_improvement": (
        "Real improvement",
        "A change that is unlikely to be chance, in the better direction (special cause "
        "improvement).",
    ),
    "special_cause_concern": (
        "Change for the worse",
        "A change that is unlikely to be chance, in the worse direction (special cause concern).",
    ),
    "special_cause_neutral_high": (
        "Unusually high",
        "Higher than chance would explain; this measure has no better direction.",
    ),
    "special_cause_neutral_low": (
        "Unusually low",
        "Lower than chance would explain; this measure has no better direction.",
    ),
}
#: The assurance icon in words: (short label, one sentence explaining it). Making Data Count.
ASSURANCE_WORDS: dict[str, tuple[str, str]] = {
    "pass": (
        "Meets the target reliably",
        "The target sits outside the control limits on the good side: if nothing changes, it "
        "will be met every time.",
    ),
    "fail": (
        "Will miss the target",
        "The target sits outside the control limits on the wrong side: it will not be met "
        "without a change to how things are done.",
    ),
    "inconsistent": (
        "Hit and miss",
        "The target sits between the control limits: it will be met some months and missed "
        "others, by chance.",
    ),
}


def analysed_frame(
    analyses: Mapping[SeriesKey, SeriesAnalysis],
    hidden: Mapping[SeriesKey, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Every point of the analyses (keyed by measure id and team id) as one frame: a slice of the
    one analysis of each series for the small charts and the review counts, never a second one.
    Values are as plotted (a proportion as a share, a rate times its multiplier); `hidden`: per
    series, whether each point is hidden (improve.analysis.disclosure.series_hidden)."""
    columns: dict[str, list[Any]] = {name: [] for name in ANALYSED_COLUMNS}
    for (measure_id, team_id), analysis in sorted(analyses.items()):
        chart, size = analysis.chart, len(analysis.dates)
        columns["measure_id"] += [measure_id] * size
        columns["team_id"] += [team_id] * size
        columns["period_start"] += list(analysis.dates)
        columns["value"] += chart.value.tolist()
        columns["part"] += chart.part.tolist()
        columns["lcl"] += chart.lcl.tolist()
        columns["ucl"] += chart.ucl.tolist()
        columns["point_type"] += list(analysis.point_types)
        columns["hidden"] += _flags(hidden, (measure_id, team_id), size).tolist()
    frame = pd.DataFrame(columns, columns=ANALYSED_COLUMNS).astype({"hidden": bool})
    return frame[frame["value"].notna()].reset_index(drop=True)


def percent_of_way(
    baseline: float | None, latest: float | None, target: float | None, direction: str
) -> float | None:
    """How far the latest value has moved from the baseline towards the target, in percent:
    (latest - baseline) / (target - baseline) x 100. 0 = still at the baseline, 100 = at the
    target, more than 100 = past it, negative = moved away. None without a baseline, a latest
    value or a target, for a neutral measure, or when the target is not on the better side of
    the baseline (nothing to travel)."""
    if _missing(baseline) or _missing(latest) or _missing(target) or direction == "neutral":
        return None
    assert baseline is not None and latest is not None and target is not None
    gap = target - baseline
    if gap == 0 or (gap > 0) != (direction == "increase"):
        return None
    return (latest - baseline) / gap * 100


def target_reached(latest: float | None, target: float | None, direction: str) -> bool | None:
    """Whether the latest value is at the target or on its better side; None for a neutral
    measure or without a target or a value."""
    if _missing(latest) or _missing(target) or direction == "neutral":
        return None
    assert latest is not None and target is not None
    return latest >= target if direction == "increase" else latest <= target


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _optional(value: Any) -> Any:
    return None if _missing(value) or value is pd.NA else value


def hidden_points(
    analyses: Mapping[SeriesKey, SeriesAnalysis],
    series: Mapping[SeriesKey, Points],
    threshold: int,
) -> dict[SeriesKey, np.ndarray]:
    """Per analysed series, whether each of its points is hidden in views across teams, from
    the numbers as stored (`series`: the points the analyses were made from). A series whose
    stored points cannot be matched to its analysis is hidden whole: when in doubt, hide."""
    result = {}
    for key, analysis in analyses.items():
        size = len(analysis.dates)
        points = series.get(key)
        flags = (
            None
            if points is None
            else series_hidden(analysis.definition.value_kind, points, threshold)
        )
        result[key] = flags if flags is not None and flags.size == size else np.ones(size, bool)
    return result


def _flags(hidden: Mapping[SeriesKey, np.ndarray] | None, key: SeriesKey, size: int) -> np.ndarray:
    """The series' hidden flags, or none hidden (no flags given, or a series without them)."""
    flags = None if hidden is None else hidden.get(key)
    return np.zeros(size, dtype=np.bool_) if flags is None else np.asarray(flags, dtype=np.bool_)


def baseline_points(analysis: SeriesAnalysis) -> np.ndarray:
    """The points the team's baseline rests on, as the engine chose them (improve.analysis.spc
    `control_chart`): in the first phase, the points used for its centre line (not left out,
    with a value), the first `freeze_points` of them, and of those the ones in the baseline
    period when at least 2 are. None are when the baseline is the measure's stated value."""
    chart = analysis.chart
    size = len(analysis.dates)
    if not analysis.frozen or size == 0:
        return np.zeros(size, dtype=np.bool_)
    first = chart.part == chart.part[0]
    base = first & ~chart.excluded & ~np.isnan(chart.value)
    definition = analysis.definition
    if definition.freeze_points is not None:
        base &= np.cumsum(first) <= definition.freeze_points
    if definition.baseline_end is not None:
        start, end = definition.baseline_start, definition.baseline_end
        inside = np.array(
            [day <= end and (start is None or day >= start) for day in analysis.dates]
        )
        if np.count_nonzero(base & inside) >= 2:
            base &= inside
    return np.asarray(base, dtype=np.bool_)


def series_table(
    analyses: Mapping[SeriesKey, SeriesAnalysis],
    measures: pd.DataFrame,
    team_ids: Sequence[int],
    *,
    start: date | None = None,
    since: date | None = None,
    hidden: Mapping[SeriesKey, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per team and measure (teams without data too), read from the one analysis of
    each series: its points in the period (from `start`), the points of its latest phase, its
    baseline (the frozen baseline's centre, else the measure's baseline value), the latest value
    in the period, the target, the percentage of the way, whether it is reached, the variation
    and assurance icons, and the improvement and concern signals (episodes, not points) with a
    point in the period and on or after `since`. `measures`: measure_id, target_value,
    baseline_value and direction, for series without an analysis.

    `hidden` (per series, whether each point is hidden) marks each row: `hidden_fields` names
    the figures that rest on a small number (the latest value with the percentage of the way
    and whether the target is reached; the baseline, if any point it rests on is hidden, with
    the percentage of the way), `hidden` whether there is any. The figures stay in the table,
    for the totals of teams; `shown_rows` blanks them for pages and files."""
    info = {int(str(key)): row for key, row in measures.set_index("measure_id").iterrows()}
    details = {key: {str(k): v for k, v in row.items()} for key, row in info.items()}
    rows = []
    for team_id in team_ids:
        for measure_id, measure in details.items():
            key = (measure_id, int(team_id))
            analysis = analyses.get(key)
            flags = None if analysis is None else _flags(hidden, key, len(analysis.dates))
            row = _series_row(analysis, int(team_id), measure_id, measure, start, since, flags)
            rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _series_row(
    analysis: SeriesAnalysis | None,
    team_id: int,
    measure_id: int,
    measure: dict[str, Any],
    start: date | None,
    since: date | None,
    flags: np.ndarray | None,
) -> dict[str, Any]:
    direction = str(measure["direction"])
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
    row |= {"team_id": team_id, "measure_id": measure_id, "points": 0, "part_points": 0}
    row |= {"improvements": 0, "concerns": 0, "trial": False}
    row["target"] = _optional(measure["target_value"])
    row["baseline"] = _optional(measure["baseline_value"])
    fields: list[str] = []
    if analysis is not None:
        row |= _analysed_row(analysis, start, since)
        fields = _hidden_fields(analysis, flags, row["latest"] is not None)
    row["percent_of_way"] = percent_of_way(row["baseline"], row["latest"], row["target"], direction)
    row["target_reached"] = target_reached(row["latest"], row["target"], direction)
    row["hidden_fields"] = fields
    row["hidden"] = bool(fields)
    return row


def _analysed_row(
    analysis: SeriesAnalysis, start: date | None, since: date | None
) -> dict[str, Any]:
    present = ~np.isnan(analysis.chart.value)
    # Dates are in order: the period starts at the first on or after `start`.
    first = 0 if start is None else bisect.bisect_left(analysis.dates, start)
    last_part = analysis.chart.part == analysis.chart.part[-1]
    bounds = [day for day in (start, since) if day is not None]
    recent = analysis.events_touching(max(bounds) if bounds else None)
    latest_period = analysis.latest_period
    shown = latest_period is not None and (start is None or latest_period >= start)
    return {
        "points": int(np.count_nonzero(present[first:])),
        "part_points": int(np.count_nonzero(present & last_part)),
        "baseline": analysis.baseline,
        "target": analysis.target,
        "latest": analysis.latest if shown else None,
        "latest_period": latest_period if shown else None,
        "variation": analysis.variation if shown else None,
        "assurance": analysis.assurance,
        "trial": analysis.trial,
        "improvements": sum(event.improvement for event in recent),
        "concerns": sum(event.concern for event in recent),
    }


def _hidden_fields(
    analysis: SeriesAnalysis, flags: np.ndarray | None, latest_shown: bool
) -> list[str]:
    """The row's figures that rest on a hidden point, in `SUMMARY_COLUMNS` order."""
    if flags is None or not flags.any():
        return []
    names: set[str] = set()
    index = analysis.latest_index
    if latest_shown and index is not None and flags[index]:
        names.update(HIDDEN_WITH_LATEST)
    if analysis.baseline is not None and (flags & baseline_points(analysis)).any():
        names.update(HIDDEN_WITH_BASELINE)
    return [name for name in SUMMARY_COLUMNS if name in names]


def shown_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`records` of a series table as pages and files show them: every hidden figure blanked
    (None), its name still in `hidden_fields`, so nothing downstream can show it by mistake."""
    return [row | dict.fromkeys(row.get("hidden_fields") or ()) for row in rows]


def hidden_in_rows(rows: Sequence[Mapping[str, Any]]) -> Hidden:
    """How many team figures these rows of a series table hide (a latest value, a baseline),
    and from how many teams: what a file of the rows alone hides."""
    figures = _row_figures(rows)
    return Hidden(figures=len(figures), teams=len({figure[1] for figure in figures}))


def _row_figures(rows: Sequence[Mapping[str, Any]]) -> set[tuple[Any, ...]]:
    figures: set[tuple[Any, ...]] = set()
    for row in rows:
        fields, team = row.get("hidden_fields") or (), row["team_id"]
        if "latest" in fields:
            figures.add((row["measure_id"], team, row["latest_period"]))
        if "baseline" in fields:
            figures.add((row["measure_id"], team, "baseline"))
    return figures


def hidden_count(
    table: pd.DataFrame, analysed: pd.DataFrame, measure_ids: Sequence[int] = ()
) -> Hidden:
    """How many team figures a summary hides, and from how many teams: each hidden latest value
    and baseline of `table`, and each hidden point of `analysed` for the measures in
    `measure_ids` (those whose points are shown, in the small charts), each counted once."""
    hidden_rows = table[table["hidden"].astype(bool)]
    figures = _row_figures(
        [{str(k): v for k, v in row.items()} for row in hidden_rows.to_dict("records")]
    )
    shown = analysed[analysed["hidden"] & analysed["measure_id"].isin(list(measure_ids))]
    for measure_id, team, period in zip(
        shown["measure_id"], shown["team_id"], shown["period_start"], strict=True
    ):
        figures.add((int(measure_id), int(team), period))
    return Hidden(figures=len(figures), teams=len({figure[1] for figure in figures}))


# Cycles and progress scores ----------------------------------------------------------------------


def cycle_table(cycles: pd.DataFrame, team_ids: Sequence[int]) -> pd.DataFrame:
    """Per team, its cycles by Act decision (adopt, adapt, abandon), those not decided yet, and
    the total. `cycles`: team_id, decision (None if undecided), cycles (a count)."""
    decision = cycles["decision"].fillna("undecided").astype(str)
    wide = (
        cycles.assign(decision=decision)
        .pivot_table(
            index="team_id", columns="decision", values="cycles", aggfunc="sum", fill_value=0
        )
        .reindex(index=list(team_ids), columns=[*DECISIONS, "undecided"], fill_value=0)
        .fillna(0)
        .astype(int)
    )
    wide["total"] = wide.sum(axis=1)
    return wide.rename_axis(index="team_id", columns=None).reset_index()[CYCLE_COLUMNS]


def progress_table(scores: pd.DataFrame, team_ids: Sequence[int]) -> pd.DataFrame:
    """Per team, its progress scores in period order (the coordinator's where there is one, else
    the team's own: the IHI scale is meant to be scored by faculty), the first and the latest.
    `scores`: team_id, period_start, assessor (self or coordinator), score."""
    rank = scores["assessor"].map({"coordinator": 0, "self": 1}).fillna(2)
    chosen = (
        scores.assign(rank=rank)
        .sort_values(["team_id", "period_start", "rank"])
        .drop_duplicates(["team_id", "period_start"])
    )
    # Plain lists per team: a sub-frame per team cost more than the rest of the panel's scores.
    by_team: dict[int, list[tuple[Any, float]]] = {}
    for team_id, period, score in zip(
        chosen["team_id"].tolist(),
        chosen["period_start"].tolist(),
        chosen["score"].tolist(),
        strict=True,
    ):
        by_team.setdefault(int(team_id), []).append((period, float(score)))
    rows = []
    for team_id in team_ids:
        mine = by_team.get(team_id, [])
        history = [score for _period, score in mine]
        periods = [period for period, _score in mine]
        rows.append(
            {
                "team_id": team_id,
                "latest": history[-1] if history else None,
                "latest_period": periods[-1] if periods else None,
                "first": history[0] if history else None,
                "first_period": periods[0] if periods else None,
                "history": history,
            }
        )
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def trend_words(first: float | None, latest: float | None) -> str:
    """The change between the first and latest progress scores, in words."""
    if first is None or latest is None:
        return "No scores yet"
    change = latest - first
    if change > 0:
        return f"Up {change:.1f} from {first:.1f}"
    if change < 0:
        return f"Down {-change:.1f} from {first:.1f}"
    return f"No change from {first:.1f}"


# Totals and the narrative ------------------------------------------------------------------------
# Counts of teams and of tests of change are about the work, not about people: they are shown as
# they are (improve.analysis.disclosure). The totals read every team's figures, hidden or not.


@dataclass(frozen=True)
class MeasureTotals:
    """Across the teams in view, for one shared measure."""

    measure_id: int
    name: str
    teams: int
    reporting: int
    improving: int
    worsening: int
    reached: int


def measure_totals(table: pd.DataFrame, measures: pd.DataFrame) -> list[MeasureTotals]:
    """Per measure (in the measures' order): teams in view, teams with data in the period, teams
    with at least one improvement or concern signal, and teams at or past the target."""
    result = []
    for measure_id, name in zip(measures["measure_id"], measures["name"], strict=True):
        rows = table[table["measure_id"] == measure_id]
        result.append(
            MeasureTotals(
                measure_id=int(measure_id),
                name=str(name),
                teams=len(rows),
                reporting=int((rows["points"] > 0).sum()),
                improving=int((rows["improvements"] > 0).sum()),
                worsening=int((rows["concerns"] > 0).sum()),
                reached=int((rows["target_reached"] == True).sum()),  # noqa: E712 - None too
            )
        )
    return result


def cycle_totals(cycles: pd.DataFrame) -> dict[str, int]:
    """Cycles by decision across every team in `cycle_table`, with the total."""
    return {name: int(cycles[name].sum()) for name in [*DECISIONS, "undecided", "total"]}


def since_phrase(since: date | None, review: bool) -> str:
    """How the narrative names the start of "recently"."""
    if since is None:
        return "so far"
    day = f"{since.day} {since:%B %Y}"
    return f"since the panel's review on {day}" if review else f"since {day}"


def _teams(count: int) -> str:
    return f"{count} team" if count == 1 else f"{count} teams"


def _count_of(count: int, total: int) -> tuple[str, bool]:
    """("3 of the 5 teams", whether the verb is singular)."""
    return f"{count} of the {_teams(total)}", count == 1


def narrative(
    *,
    teams: int,
    measures: Sequence[MeasureTotals],
    cycles: Mapping[str, int],
    progressing: int,
    scored: int,
    since: str,
) -> list[str]:
    """A few plain sentences from the figures, e.g. "3 of the 5 teams show a real improvement in
    Falls a month since the panel's review on 15 March 2026." They count teams and tests of
    change only, never a team's own figure, so they hold no small number of people; `scored` is
    the number of teams with a progress score."""
    if teams == 0:
        return ["No teams match these choices yet."]
    sentences = []
    for measure in measures:
        if measure.reporting == 0:
            sentences.append(f"No team has data for {measure.name} in this period yet.")
            continue
        if measure.improving == 0:
            sentences.append(f"No team shows a real improvement in {measure.name} {since} yet.")
        else:
            count, one = _count_of(measure.improving, teams)
            verb = "shows" if one else "show"
            sentences.append(f"{count} {verb} a real improvement in {measure.name} {since}.")
        if measure.worsening:
            count, one = _count_of(measure.worsening, teams)
            verb = "shows" if one else "show"
            sentences.append(f"{count} {verb} a change for the worse in {measure.name} {since}.")
        if measure.reached:
            count, one = _count_of(measure.reached, teams)
            verb = "has" if one else "have"
            sentences.append(f"{count} {verb} reached the target for {measure.name}.")
    total = cycles.get("total", 0)
    if total == 0:
        sentences.append("No tests of change (PDSA cycles) are recorded in this period.")
    else:
        parts = ", ".join(
            f"{cycles.get(name, 0)} {word}"
            for name, word in (("adopt", "adopted"), ("adapt", "adapted"), ("abandon", "abandoned"))
        )
        sentences.append(f"Teams ran {total} tests of change (PDSA cycles): {parts}.")
    if scored and progressing == 0:
        sentences.append("No team scores 3.0 (modest improvement) or higher on progress yet.")
    elif scored:
        count, one = _count_of(progressing, teams)
        verb = "scores" if one else "score"
        sentences.append(f"{count} {verb} 3.0 (modest improvement) or higher on progress.")
    return sentences


# Sparklines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sparkline:
    """A small chart's geometry: the line's points ("x,y x,y"), each point's position and type,
    and the target's height (None without one), in a width x height box."""

    width: int
    height: int
    line: str
    points: list[tuple[float, float, str]]
    target_y: float | None


def sparkline(
    values: Sequence[float],
    point_types: Sequence[PointType | str],
    target: float | None = None,
    width: int = 160,
    height: int = 40,
    pad: float = 4.0,
) -> Sparkline:
    """Scale a series into a small box (higher values nearer the top), the target included in
    the range so its line shows."""
    finite = [float(v) for v in values if not _missing(v)]
    scale = [*finite, *([] if _missing(target) else [float(target or 0.0)])]
    low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / (high - low) * (height - 2 * pad), 1)

    placed = [
        (round(pad + index * step, 1), y(float(value)), str(kind))
        for index, (value, kind) in enumerate(zip(values, point_types, strict=True))
        if not _missing(value)
    ]
    return Sparkline(
        width=width,
        height=height,
        line=" ".join(f"{x},{y_}" for x, y_, _ in placed),
        points=placed,
        target_y=None if _missing(target) else y(float(target or 0.0)),
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts for templates and exports, with every missing value as None."""
    return [
        {str(key): _optional(value) for key, value in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]
