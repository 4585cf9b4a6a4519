"""Cross-team summaries for the strategic panel: where each team is against its target, what the
charts say, cycles by decision, progress scores, totals with small numbers hidden, and a short
narrative in plain words (issue 5, point 4).

Pure: pandas, numpy and the standard library only. Every team x measure series is analysed at
once with `batch.batch_analysis` (Making Data Count rules, DOMAIN.md section 5); the variation and
assurance icons follow `rules.variation` and `rules.assurance`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from improve.analysis.batch import BatchChart, batch_analysis
from improve.analysis.rules import (
    MDC_SHIFT_LENGTH,
    MDC_TREND_LENGTH,
    Assurance,
    Direction,
    PointType,
    assurance,
    variation,
)
from improve.analysis.spc import Chart, SigmaMethod

#: Columns of the data points frame the panel reads (one row per team, measure and period).
POINT_COLUMNS = [
    "measure_id",
    "team_id",
    "period_start",
    "value",
    "denominator",
    "excluded",
    "starts_new_phase",
]
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
ANALYSED_COLUMNS += ["point_type"]
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
]
DECISIONS = ("adopt", "adapt", "abandon")
CYCLE_COLUMNS = ["team_id", *DECISIONS, "undecided", "total"]
PROGRESS_COLUMNS = ["team_id", "latest", "latest_period", "first", "first_period", "history"]

# The engine's vectorised charts; a moving-range chart is read from its values (I chart).
BATCH_CHARTS: dict[str, BatchChart] = {
    "run": "run",
    "i": "i",
    "mr": "i",
    "p": "p",
    "u": "u",
    "c": "c",
}
#: Limits on fewer points than this are trial limits (DOMAIN.md section 3).
TRIAL_BELOW = 12
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


@dataclass(frozen=True)
class Settings:
    """The collaborative's analysis settings (the published tools differ, so each chooses)."""

    shift_length: int = MDC_SHIFT_LENGTH
    trend_length: int = MDC_TREND_LENGTH
    sigma_method: SigmaMethod = "classic"


# Series analysis ---------------------------------------------------------------------------------


def _parts(points: pd.DataFrame) -> pd.Series:
    """Each point's part (phase) within its team x measure series: a new phase starts where the
    team marked one, except that a phase of a single point stays with the one before (it cannot
    have limits of its own yet)."""
    series = [points["measure_id"], points["team_id"]]
    starts = points["starts_new_phase"].astype(bool) & points.groupby(series).cumcount().gt(0)
    part = starts.astype(int).groupby(series).cumsum()
    size = part.groupby([*series, part]).transform("size")
    return part.where((size > 1) | (part == 0), part - 1)


def analysed_points(
    points: pd.DataFrame, measures: pd.DataFrame, settings: Settings | None = None
) -> pd.DataFrame:
    """Every team's points of every measure with their limits and point type, from one
    `batch_analysis` call per kind of chart (not one per team). Excluded points, and rates or
    proportions without a denominator, are left out, as the measure page leaves them out of the
    calculations. Values are as plotted: a proportion as a fraction, a rate times its
    multiplier."""
    settings = settings or Settings()
    if points.empty or measures.empty:
        return pd.DataFrame([], columns=ANALYSED_COLUMNS)
    info = measures.set_index("measure_id")
    kept = points[~points["excluded"].astype(bool)].copy()
    kept["chart"] = kept["measure_id"].map(info["chart_type"]).map(BATCH_CHARTS)
    needs_den = kept["chart"].isin(["p", "u"])
    denominator = pd.to_numeric(kept["denominator"], errors="coerce")
    kept = kept[~needs_den | (denominator > 0)].dropna(subset=["value", "chart"])
    kept = kept.sort_values(["measure_id", "team_id", "period_start"], kind="stable")
    kept["part"] = _parts(kept)
    kept["series"] = kept.groupby(["measure_id", "team_id", "part"]).ngroup()
    kept["direction"] = kept["measure_id"].map(info["direction"])
    kept["multiplier"] = np.where(
        kept["chart"] == "u", kept["measure_id"].map(info["multiplier"]), 1.0
    )
    results = []
    for key, group in kept.groupby(["chart", "direction", "multiplier"], sort=False):
        chart, direction, multiplier = (str(part) for part in key)
        frame = group[["series", "value", "denominator"]].astype(
            {"value": float, "denominator": float}
        )
        analysed, _ = batch_analysis(
            frame,
            chart=BATCH_CHARTS[chart],
            direction=_direction(direction),
            multiplier=float(multiplier),
            sigma_method=settings.sigma_method,
            shift_length=settings.shift_length,
            trend_length=settings.trend_length,
        )
        # batch_analysis keeps each series' rows in the order given, one row per input row.
        ordered = group.sort_values("series", kind="stable")
        analysed = analysed.sort_values(["series", "index"], kind="stable")
        results.append(
            pd.DataFrame(
                {
                    "measure_id": ordered["measure_id"].to_numpy(),
                    "team_id": ordered["team_id"].to_numpy(),
                    "period_start": ordered["period_start"].to_numpy(),
                    "value": analysed["value"].to_numpy(),
                    "part": ordered["part"].to_numpy(),
                    "lcl": analysed["lcl"].to_numpy(),
                    "ucl": analysed["ucl"].to_numpy(),
                    "point_type": analysed["point_type"].to_numpy(),
                }
            )
        )
    combined = pd.concat(results, ignore_index=True)
    return combined.sort_values(["measure_id", "team_id", "period_start"], ignore_index=True)


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


def icon_assurance(
    lcl: float | None, ucl: float | None, target: float | None, direction: str
) -> Assurance | None:
    """The assurance icon for the latest limits (Making Data Count, `rules.assurance`)."""
    if _missing(lcl) or _missing(ucl) or direction not in ("increase", "decrease", "neutral"):
        return None
    chart = Chart(
        chart="i",
        value=np.array([0.0]),
        cl=np.array([np.nan]),
        lcl=np.array([float(lcl or 0.0)]),
        ucl=np.array([float(ucl or 0.0)]),
        sigma=np.array([np.nan]),
        part=np.zeros(1, dtype=np.int64),
        excluded=np.zeros(1, dtype=np.bool_),
        trial_parts=(),
    )
    return assurance(chart, None if _missing(target) else target, _direction(direction))


def _direction(value: str) -> Direction:
    if value == "increase":
        return "increase"
    return "decrease" if value == "decrease" else "neutral"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _optional(value: Any) -> Any:
    return None if _missing(value) or value is pd.NA else value


def series_table(
    analysed: pd.DataFrame,
    measures: pd.DataFrame,
    team_ids: Sequence[int],
    *,
    start: date | None = None,
    since: date | None = None,
) -> pd.DataFrame:
    """One row per team and measure (teams without data too): the baseline, the latest value in
    the period (from `start`), the target, the percentage of the way, whether it is reached, the
    variation and assurance icons of the latest point, and the number of improvement and concern
    signals since `since`.

    The baseline is the median of the team's own points in the measure's baseline period when
    the measure has one (a shared measure's teams start from different places), else the
    measure's baseline value, else none. `analysed` comes from `analysed_points` and holds the
    points up to the end of the period: earlier points count towards the limits."""
    grid = pd.MultiIndex.from_product(
        [list(team_ids), measures["measure_id"].tolist()], names=["team_id", "measure_id"]
    )
    table = pd.DataFrame(index=grid).reset_index()
    info = measures.set_index("measure_id")
    keys = ["team_id", "measure_id"]
    shown = analysed if start is None else analysed[analysed["period_start"] >= start]
    counts = shown.groupby(keys).size().rename("points")
    latest = shown.groupby(keys).tail(1).set_index(keys)
    last_part = analysed.groupby(keys)["part"].transform("max")
    part_points = analysed[analysed["part"] == last_part].groupby(keys).size()
    recent = analysed if since is None else analysed[analysed["period_start"] >= since]
    recent = recent if start is None else recent[recent["period_start"] >= start]
    improvements = (recent["point_type"] == "special_cause_improvement").groupby(
        [recent["team_id"], recent["measure_id"]]
    )
    concerns = (recent["point_type"] == "special_cause_concern").groupby(
        [recent["team_id"], recent["measure_id"]]
    )
    table = table.join(counts, on=keys)
    table = table.join(part_points.rename("part_points"), on=keys)
    table = table.join(
        latest[["value", "period_start", "lcl", "ucl", "point_type"]].rename(
            columns={"value": "latest", "period_start": "latest_period"}
        ),
        on=keys,
    )
    table = table.join(improvements.sum().rename("improvements"), on=keys)
    table = table.join(concerns.sum().rename("concerns"), on=keys)
    table = table.join(_baselines(analysed, measures), on=keys)
    for column in ("points", "part_points", "improvements", "concerns"):
        table[column] = table[column].fillna(0).astype(int)
    table["target"] = table["measure_id"].map(info["target_value"]).astype(float)
    direction = table["measure_id"].map(info["direction"])
    rows = []
    for row, way in zip(table.to_dict("records"), direction, strict=True):
        baseline, value, target = (_optional(row[k]) for k in ("baseline", "latest", "target"))
        kind = _optional(row["point_type"])
        rows.append(
            {
                "percent_of_way": percent_of_way(baseline, value, target, way),
                "target_reached": target_reached(value, target, way),
                "variation": variation([kind]) if kind else None,
                "assurance": icon_assurance(
                    _optional(row["lcl"]), _optional(row["ucl"]), target, way
                ),
            }
        )
    extra = pd.DataFrame(rows, index=table.index, columns=list(rows[0]) if rows else None)
    table = pd.concat([table, extra], axis=1) if rows else table.assign(**_empty_extra())
    return table.reindex(columns=SUMMARY_COLUMNS)


def _empty_extra() -> dict[str, list[Any]]:
    return {name: [] for name in ("percent_of_way", "target_reached", "variation", "assurance")}


def _baselines(analysed: pd.DataFrame, measures: pd.DataFrame) -> pd.Series:
    """Each team x measure baseline: the median of its points in the measure's baseline period,
    else the measure's baseline value."""
    info = measures.set_index("measure_id")
    first = analysed["measure_id"].map(info["baseline_start"])
    last = analysed["measure_id"].map(info["baseline_end"])
    has_period = last.notna()
    inside = has_period & (analysed["period_start"] <= last)
    inside &= first.isna() | (analysed["period_start"] >= first)
    own = analysed[inside].groupby(["team_id", "measure_id"])["value"].median()
    grid = pd.MultiIndex.from_product(
        [analysed["team_id"].unique().tolist(), info.index.tolist()],
        names=["team_id", "measure_id"],
    )
    fallback = pd.Series(
        info["baseline_value"].reindex(grid.get_level_values("measure_id")).to_numpy(),
        index=grid,
        dtype=float,
    )
    combined = own.reindex(own.index.union(grid)).astype(float)
    combined = combined.fillna(fallback.reindex(combined.index))
    return combined.rename("baseline")


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


# Totals, small numbers and the narrative ---------------------------------------------------------


def is_suppressed(count: int, threshold: int) -> bool:
    """Counts from 1 to threshold - 1 are hidden in figures across teams; zero says nothing about
    anyone, so it is shown."""
    return 0 < count < threshold


def shown(count: int, threshold: int) -> str:
    """A cross-team count as the panel sees it: the number, or "fewer than N" when small."""
    return f"fewer than {threshold}" if is_suppressed(count, threshold) else str(count)


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


def _count_of(count: int, total: int, threshold: int) -> tuple[str, bool]:
    """("3 of the 5 teams", whether the verb is singular), small numbers hidden."""
    if is_suppressed(count, threshold):
        return f"Fewer than {threshold} of the {_teams(total)}", False
    return f"{count} of the {_teams(total)}", count == 1


def narrative(
    *,
    teams: int,
    measures: Sequence[MeasureTotals],
    cycles: Mapping[str, int],
    progressing: int,
    scored: int,
    since: str,
    threshold: int,
) -> list[str]:
    """A few plain sentences from the figures, e.g. "3 of the 5 teams show a real improvement in
    Falls a month since the panel's review on 15 March 2026." Counts below `threshold` say
    "fewer than N" (`shown`); `scored` is the number of teams with a progress score."""
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
            count, one = _count_of(measure.improving, teams, threshold)
            verb = "shows" if one else "show"
            sentences.append(f"{count} {verb} a real improvement in {measure.name} {since}.")
        if measure.worsening:
            count, one = _count_of(measure.worsening, teams, threshold)
            verb = "shows" if one else "show"
            sentences.append(f"{count} {verb} a change for the worse in {measure.name} {since}.")
        if measure.reached:
            count, one = _count_of(measure.reached, teams, threshold)
            verb = "has" if one else "have"
            sentences.append(f"{count} {verb} reached the target for {measure.name}.")
    total = cycles.get("total", 0)
    if total == 0:
        sentences.append("No tests of change (PDSA cycles) are recorded in this period.")
    else:
        parts = ", ".join(
            f"{shown(cycles.get(name, 0), threshold)} {word}"
            for name, word in (("adopt", "adopted"), ("adapt", "adapted"), ("abandon", "abandoned"))
        )
        sentences.append(
            f"Teams ran {shown(total, threshold)} tests of change (PDSA cycles): {parts}."
        )
    if scored and progressing == 0:
        sentences.append("No team scores 3.0 (modest improvement) or higher on progress yet.")
    elif scored:
        count, one = _count_of(progressing, teams, threshold)
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
