"""`flask analyse FILE.csv`: the one analysis of a measure (improve.analysis.series) on a CSV
file, as a summary or JSON (issues 4 and 15). The flags describe a measure's definition and its
collaborative's settings, so the command gives what the app would show for the same numbers.

For a g or t chart the file holds the dates of rare events: a `date` column (YYYY-MM-DD), one row
per event, or one row per day with a `value` column saying how many happened that day. The
points are then the events in date order, each plotting the days since the one before."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import click
import numpy as np
import pandas as pd
from flask import Flask

from improve.analysis import series
from improve.analysis.events import gaps_between_events
from improve.analysis.rules import MDC_SHIFT_LENGTH, MDC_TREND_LENGTH
from improve.analysis.series import Definition, Points, SeriesAnalysis, Settings, ValueKind
from improve.analysis.spc import CHART_TYPES, RARE_EVENT_CHARTS, AnalysisError, control_chart
from improve.analysis.wording import event_sentence, runs_sentences


def _indices(text: str | None, option: str) -> list[int]:
    """'15,23' as [15, 23]; a one-line usage error for anything else."""
    if not text:
        return []
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as e:
        raise click.BadParameter("give whole numbers separated by commas", param_hint=option) from e


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats; empty cells are gaps; text is an error naming the first bad row."""
    text = frame[column].astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # 1-based, after the header line
        raise click.ClickException(f"row {row}: {column} {text[bad].iloc[0]!r} is not a number")
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def _dates(frame: pd.DataFrame) -> list[date]:
    """The `date` column as dates (YYYY-MM-DD); a missing or bad one is an error naming its row."""
    text = frame["date"].astype("string").str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 2  # 1-based, after the header line
        given = text.iloc[row - 2]
        if pd.isna(given) or given == "":
            raise click.ClickException(f"row {row}: the date is empty")
        raise click.ClickException(f"row {row}: date {given!r} is not a date (use YYYY-MM-DD)")
    return [stamp.date() for stamp in parsed]


def _event_counts(frame: pd.DataFrame) -> np.ndarray:
    """How many events each row stands for: its `value` (a whole number, 0 or more; empty for
    one), or one per row without a `value` column."""
    if "value" not in frame.columns:
        return np.ones(len(frame))
    counts = _numbers(frame, "value")
    bad = ~np.isnan(counts) & ((counts < 0) | (counts != np.round(counts)))
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise click.ClickException(
            f"row {index + 2}: value {frame['value'].iloc[index].strip()!r} is not a whole "
            "number of events"
        )
    return np.where(np.isnan(counts), 1.0, counts)


def _read_frame(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise click.ClickException(f"cannot read {path.name}: {str(e).splitlines()[0]}") from e
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    return frame


def _read(path: Path, chart: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    frame = _read_frame(path)
    needed = ["value", "denominator"] if chart in ("p", "u") else ["value"]
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise click.ClickException(f"the file has no {missing[0]!r} column")
    values = _numbers(frame, "value")
    # A run chart of a proportion or rate plots value ÷ denominator, as the app and qicharts2 do.
    with_denominator = chart in ("p", "u") or (chart == "run" and "denominator" in frame.columns)
    denominators = _numbers(frame, "denominator") if with_denominator else None
    return frame, values, denominators


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


class Analysis(NamedTuple):
    """The issue 4 JSON document, and the one analysis it came from."""

    document: dict[str, Any]
    result: SeriesAnalysis
    rules: str


def _value_kind(chart: str, denominators: np.ndarray | None) -> ValueKind:
    kinds: dict[str, ValueKind] = {"p": "proportion", "u": "rate", "c": "count"}
    if chart == "run" and denominators is not None:
        return "rate"  # value ÷ denominator × multiplier, as a rate's definition says
    return kinds.get(chart, "continuous")


def _definition(
    chart: str,
    denominators: np.ndarray | None,
    multiplier: float,
    direction: str,
    target: float | None,
    freeze: int | None,
) -> Definition:
    """The measure definition the flags describe (what the app reads from a measure)."""
    kind = _value_kind(chart, denominators)
    unit = ""
    if kind == "proportion" and multiplier == 100:
        unit = "%"  # a p chart in percent
    elif kind == "proportion" and multiplier != 1:
        raise AnalysisError("--multiply on a p chart may be 1 (shares) or 100 (percentages)")
    return Definition(
        chart=chart,  # type: ignore[arg-type]
        value_kind=kind,
        direction=direction,  # type: ignore[arg-type]
        multiplier=multiplier if kind == "rate" else 1.0,
        unit=unit,
        target=target,
        freeze_points=freeze,
    )


def _settings(
    chart: str,
    rules: str | None,
    sigma: str,
    screen_outliers: bool,
    shift_length: int | None,
    trend_length: int | None,
) -> Settings:
    """The collaborative settings the flags describe."""
    if chart == "run" and rules == "mdc":
        raise AnalysisError("Making Data Count rules are for control charts: choose --chart i")
    if chart != "run" and rules not in (None, "mdc"):
        raise AnalysisError("control charts use the Making Data Count rules (--rules mdc)")
    if rules == "ihi" and (shift_length or trend_length):
        raise AnalysisError("the IHI rules keep their published lengths (shift 6, trend 5)")
    return Settings(
        run_rules="ihi" if rules == "ihi" else "anhoej",
        sigma_method=sigma,  # type: ignore[arg-type]
        screen_outliers=screen_outliers,
        shift_length=shift_length or MDC_SHIFT_LENGTH,
        trend_length=trend_length or MDC_TREND_LENGTH,
    )


def _points(
    values: np.ndarray, denominators: np.ndarray | None, exclude: list[int], breaks: list[int]
) -> pd.DataFrame:
    """The values as a team's points: one a month (the file's own dates only label them)."""
    size = values.size
    excluded = np.zeros(size, dtype=bool)
    excluded[[index - 1 for index in exclude]] = True
    new_phase = np.zeros(size, dtype=bool)
    new_phase[[after for after in breaks]] = True  # a part after point k starts at point k + 1
    return pd.DataFrame(
        {
            "period_start": [date(2000 + m // 12, m % 12 + 1, 1) for m in range(size)],
            "value": values,
            "denominator": denominators if denominators is not None else np.full(size, np.nan),
            "excluded": excluded,
            "starts_new_phase": new_phase,
        }
    )


def analysis(
    values: np.ndarray,
    denominators: np.ndarray | None,
    *,
    chart: str,
    freeze: int | None = None,
    exclude: list[int] | None = None,
    breaks: list[int] | None = None,
    multiplier: float = 1.0,
    sigma: str = "classic",
    screen_outliers: bool = False,
    rules: str | None = None,
    direction: str = "neutral",
    target: float | None = None,
    shift_length: int | None = None,
    trend_length: int | None = None,
) -> Analysis:
    """The one analysis of the values (improve.analysis.series, as the app's measures have it),
    from a definition and settings built from the flags, with the issue 4 JSON document. The
    file's problems (a part of one point, a denominator of 0) are refused first, with a message,
    where the app would leave such points undrawn."""
    # Refuse what the app would quietly leave out: the same checks and messages as before.
    control_chart(
        values,
        denominators if chart in ("p", "u") else None,
        chart=chart,  # type: ignore[arg-type]
        breaks=breaks or [],
        exclude=exclude or [],
        freeze=freeze,
    )
    definition = _definition(chart, denominators, multiplier, direction, target, freeze)
    settings = _settings(chart, rules, sigma, screen_outliers, shift_length, trend_length)
    points = _points(values, denominators, exclude or [], breaks or [])
    result = series.analyse(points, definition, settings)
    if result is None:
        raise AnalysisError("part 1 has fewer than 2 points")
    return Analysis(_document(result), result, result.rules)


def _event_days(
    days: list[date], counts: np.ndarray, exclude: list[int], breaks: list[int]
) -> pd.DataFrame:
    """The file's rows as the app stores them (one point per row; its value how many events),
    with --exclude and --part counted in rows, as a team marks its days."""
    size = len(days)
    for index in exclude:
        if not 1 <= index <= size:
            raise AnalysisError(f"excluded row {index} is outside the 1..{size} range")
    for after in breaks:
        if not 0 < after < size:
            raise AnalysisError(
                f"a part break after row {after} is outside the 1..{size - 1} range"
            )
    excluded = np.zeros(size, dtype=bool)
    excluded[[index - 1 for index in exclude]] = True
    new_phase = np.zeros(size, dtype=bool)
    new_phase[list(breaks)] = True  # a part after row k starts at row k + 1
    return pd.DataFrame(
        {
            "period_start": days,
            "value": counts,
            "denominator": np.full(size, np.nan),
            "excluded": excluded,
            "starts_new_phase": new_phase,
        }
    )


def event_analysis(
    days: list[date],
    counts: np.ndarray,
    *,
    chart: str,
    freeze: int | None = None,
    exclude: list[int] | None = None,
    breaks: list[int] | None = None,
    sigma: str = "classic",
    screen_outliers: bool = False,
    rules: str | None = None,
    direction: str = "neutral",
    target: float | None = None,
    shift_length: int | None = None,
    trend_length: int | None = None,
) -> Analysis:
    """The one analysis of the dates of events on a g or t chart, as the app has it for a
    measure of the dates of events: the rows (days, with how many events each) become the gaps
    between events (`gaps_between_events`), so the points, their indices and --freeze count
    events. What the app would quietly leave out (a t chart's time of 0) is refused first."""
    frame = _event_days(days, counts, exclude or [], breaks or [])
    events = gaps_between_events(Points.of(frame))
    if np.count_nonzero(~np.isnan(events.value)) < series.MINIMUM_POINTS:
        raise AnalysisError("a chart of the gaps between events needs at least 3 events")
    control_chart(
        events.value,
        chart=chart,  # type: ignore[arg-type]
        breaks=[int(i) for i in np.flatnonzero(events.new_phase) if i > 0],
        exclude=[int(i) + 1 for i in np.flatnonzero(events.excluded)],
        freeze=freeze,
    )
    definition = Definition(
        chart=chart,  # type: ignore[arg-type]
        value_kind="events",
        direction=direction,  # type: ignore[arg-type]
        target=target,
        freeze_points=freeze,
    )
    settings = _settings(chart, rules, sigma, screen_outliers, shift_length, trend_length)
    result = series.analyse(frame, definition, settings)
    if result is None:
        raise AnalysisError("a chart of the gaps between events needs at least 3 events")
    return Analysis(_document(result), result, result.rules)


def _document(result: SeriesAnalysis) -> dict[str, Any]:
    chart, found = result.chart, result.found
    outside = chart.sigma_points
    points = [
        {
            "index": i + 1,
            "value": _number(chart.value[i]),
            "cl": _number(chart.cl[i]),
            "lcl": _number(chart.lcl[i]),
            "ucl": _number(chart.ucl[i]),
            "part": int(chart.part[i]),
            "excluded": bool(chart.excluded[i]),
            "sigma_signal": bool(outside[i]),
            "point_type": found.point_type[i],
            "rules": found.rules_at(i),
        }
        for i in range(chart.value.size)
    ]
    runs = [
        {"part": number, **vars(part_runs)}
        for (number, _), part_runs in zip(chart.part_slices(), result.runs, strict=True)
    ]
    signals = [
        {
            "rule": event.rule,
            "kind": event.kind,
            "first": event.first + 1,
            "last": event.last + 1,
            "points": event.size,
        }
        for event in result.events
    ]
    return {
        "chart": chart.chart,
        "points": points,
        "runs": runs,
        "signals": signals,
        "variation": result.variation,
        "assurance": result.assurance,
    }


def _summary(result: Analysis, dates: list[str] | None) -> str:
    """A readable summary: centre and limits per part, each signal in plain words, the runs;
    `dates` label the points (the file's `date` column, or each event's day)."""
    document, analysed = result.document, result.result
    chart = analysed.chart
    lines = [f"{document['chart']} chart, {len(document['points'])} points"]
    for (number, where), runs in zip(chart.part_slices(), analysed.runs, strict=True):
        first = document["points"][where.start]
        limits = ""
        if first["ucl"] is not None:
            limits = f", limits {first['lcl']:.4g} to {first['ucl']:.4g}"
            if number in chart.trial_parts:
                limits += " (trial limits: fewer than 12 points)"
        centre = "n/a" if first["cl"] is None else f"{first['cl']:.4g}"
        lines.append(
            f"Part {number} (points {where.start + 1}-{where.stop}): centre {centre}{limits}"
        )
        for sentence in runs_sentences(runs):
            lines.append(f"  {sentence}")
    # One line per signal (an episode of points), as the app lists them.
    for event in analysed.events:
        if event.rule == "few_crossings":
            continue  # said under its part above
        first, last = event.first + 1, event.last + 1
        label = f"Point {first}" if first == last else f"Points {first}-{last}"
        if dates:
            span = dates[first - 1] if first == last else f"{dates[first - 1]} to {dates[last - 1]}"
            label += f" ({span})"
        lines.append(f"{label}: {event_sentence(event, analysed)} [{event.rule}]")
    lines.append(f"Variation: {document['variation']}")
    lines.append(f"Assurance: {document['assurance'] or 'none'}")
    return "\n".join(lines)


@click.command("analyse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--chart", type=click.Choice(CHART_TYPES), default="run", show_default=True)
@click.option("--freeze", type=click.IntRange(min=2), help="Limits from the first N points.")
@click.option(
    "--exclude", help="Points to leave out of the limits, e.g. 15,23 (g and t: rows of the file)."
)
@click.option(
    "--part", help="Start a new part after these points, e.g. 30,60 (g and t: rows of the file)."
)
@click.option("--multiply", type=float, default=1.0, help="Multiplier for p and u charts.")
@click.option("--sigma", type=click.Choice(["classic", "nhs"]), default="classic")
@click.option("--screen-outliers", is_flag=True, help="Screen moving ranges (XmR).")
@click.option("--rules", type=click.Choice(["anhoej", "ihi", "mdc"]))
@click.option(
    "--direction", type=click.Choice(["increase", "decrease", "neutral"]), default="neutral"
)
@click.option("--target", type=float)
@click.option("--shift-length", type=click.IntRange(min=2))
@click.option("--trend-length", type=click.IntRange(min=2))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def analyse(
    file: Path,
    chart: str,
    freeze: int | None,
    exclude: str | None,
    part: str | None,
    multiply: float,
    sigma: str,
    screen_outliers: bool,
    rules: str | None,
    direction: str,
    target: float | None,
    shift_length: int | None,
    trend_length: int | None,
    as_json: bool,
) -> None:
    """Analyse a CSV file of values (and denominators for p and u charts), or for g and t
    charts of the dates of events (a date column; a value column may say how many each day)."""
    if chart in RARE_EVENT_CHARTS:
        _analyse_events(
            file,
            chart=chart,
            freeze=freeze,
            exclude=_indices(exclude, "--exclude"),
            breaks=_indices(part, "--part"),
            sigma=sigma,
            screen_outliers=screen_outliers,
            rules=rules,
            direction=direction,
            target=target,
            shift_length=shift_length,
            trend_length=trend_length,
            as_json=as_json,
        )
        return
    frame, values, denominators = _read(file, chart)
    try:
        result = analysis(
            values,
            denominators,
            chart=chart,
            freeze=freeze,
            exclude=_indices(exclude, "--exclude"),
            breaks=_indices(part, "--part"),
            multiplier=multiply,
            sigma=sigma,
            screen_outliers=screen_outliers,
            rules=rules,
            direction=direction,
            target=target,
            shift_length=shift_length,
            trend_length=trend_length,
        )
    except AnalysisError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps(result.document))
        return
    click.echo(_summary(result, frame["date"].tolist() if "date" in frame.columns else None))


def _analyse_events(file: Path, *, as_json: bool, **options: Any) -> None:
    """`flask analyse --chart g|t`: the file's dates of events, as a summary or JSON."""
    frame = _read_frame(file)
    if "date" not in frame.columns:
        raise click.ClickException("the file has no 'date' column (the day of each event)")
    days, counts = _dates(frame), _event_counts(frame)
    try:
        result = event_analysis(days, counts, **options)
    except AnalysisError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps(result.document))
        return
    click.echo(_summary(result, [day.isoformat() for day in result.result.dates]))


def init_app(app: Flask) -> None:
    """Register the `analyse` command."""
    app.cli.add_command(analyse)
