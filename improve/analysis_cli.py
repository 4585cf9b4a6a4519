"""`flask analyse FILE.csv`: the analysis engine on a CSV file, as a summary or JSON (issue 4)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NamedTuple

import click
import numpy as np
import pandas as pd
from flask import Flask

from improve.analysis.rules import (
    IHI_SHIFT_LENGTH,
    IHI_TREND_LENGTH,
    MDC_SHIFT_LENGTH,
    MDC_TREND_LENGTH,
    Signals,
    assurance,
    signals,
    variation,
)
from improve.analysis.spc import CHART_TYPES, AnalysisError, Chart, control_chart
from improve.analysis.wording import rule_sentence, runs_sentences


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


def _read(path: Path, chart: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise click.ClickException(f"cannot read {path.name}: {str(e).splitlines()[0]}") from e
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    needed = ["value", "denominator"] if chart in ("p", "u") else ["value"]
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise click.ClickException(f"the file has no {missing[0]!r} column")
    values = _numbers(frame, "value")
    # A run chart of a proportion or rate plots value ÷ denominator, as the app and qicharts2 do.
    with_denominator = chart in ("p", "u") or (chart == "run" and "denominator" in frame.columns)
    denominators = _numbers(frame, "denominator") if with_denominator else None
    return frame, values, denominators


def _shares(values: np.ndarray, denominators: np.ndarray, multiplier: float) -> np.ndarray:
    """value ÷ denominator × multiplier; a point without a positive denominator is an error."""
    present = ~np.isnan(values)
    bad = present & ~(denominators > 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise AnalysisError(f"point {row}: the denominator must be more than 0")
    shares: np.ndarray = values / np.where(present, denominators, 1.0) * multiplier
    return shares


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


class Analysis(NamedTuple):
    """The issue 4 JSON document, and the chart and signals it came from."""

    document: dict[str, Any]
    chart: Chart
    signals: Signals
    rules: str


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
    """The analysis of one series, with the issue 4 JSON document. A run chart given
    denominators plots value ÷ denominator × multiplier (improve.analysis.series does the same
    for the app's measures)."""
    if chart == "run" and denominators is not None:
        values, denominators = _shares(values, denominators, multiplier), None
    result = control_chart(
        values,
        denominators,
        chart=chart,  # type: ignore[arg-type]
        breaks=breaks or [],
        exclude=exclude or [],
        freeze=freeze,
        multiplier=multiplier,
        sigma_method=sigma,  # type: ignore[arg-type]
        screen_outliers=screen_outliers,
    )
    rule_set = rules or ("anhoej" if chart == "run" else "mdc")
    found = signals(
        result,
        rules=rule_set,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        shift_length=shift_length,
        trend_length=trend_length,
    )
    outside = result.sigma_points
    points = [
        {
            "index": i + 1,
            "value": _number(result.value[i]),
            "cl": _number(result.cl[i]),
            "lcl": _number(result.lcl[i]),
            "ucl": _number(result.ucl[i]),
            "part": int(result.part[i]),
            "excluded": bool(result.excluded[i]),
            "sigma_signal": bool(outside[i]),
            "point_type": found.point_type[i],
            "rules": found.rules_at(i),
        }
        for i in range(result.value.size)
    ]
    runs = [
        {"part": number, **vars(part_runs)}
        for (number, _), part_runs in zip(result.part_slices(), result.runs(), strict=True)
    ]
    document = {
        "chart": chart,
        "points": points,
        "runs": runs,
        "variation": variation(found.point_type),
        "assurance": assurance(result, target, direction),  # type: ignore[arg-type]
    }
    return Analysis(document, result, found, rule_set)


def _summary(result: Analysis, frame: pd.DataFrame, lengths: dict[str, int]) -> str:
    """A readable summary: centre and limits per part, each signal in plain words, the runs."""
    document, chart, found = result.document, result.chart, result.signals
    lines = [f"{document['chart']} chart, {len(document['points'])} points"]
    for (number, where), runs in zip(chart.part_slices(), chart.runs(), strict=True):
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
    dates = frame["date"].tolist() if "date" in frame.columns else None
    centre_name = "the median" if chart.chart == "run" else "the average"
    # Consecutive points flagged by the same rule on the same side read as one signal.
    groups: list[tuple[str, bool, list[int]]] = []
    for point in document["points"]:
        if not point["rules"]:
            continue
        index, rule = point["index"], point["rules"][0]
        high = bool(found.side[rule][index - 1] > 0)
        if groups and groups[-1][:2] == (rule, high) and groups[-1][2][-1] == index - 1:
            groups[-1][2].append(index)
        else:
            groups.append((rule, high, [index]))
    for rule, high, indices in groups:
        first, last = indices[0], indices[-1]
        label = f"Point {first}" if first == last else f"Points {first}-{last}"
        if dates:
            span = dates[first - 1] if first == last else f"{dates[first - 1]} to {dates[last - 1]}"
            label += f" ({span})"
        sentence = rule_sentence(rule, high, lengths.get(rule), centre_name)
        lines.append(f"{label}: {sentence} [{rule}]")
    lines.append(f"Variation: {document['variation']}")
    lines.append(f"Assurance: {document['assurance'] or 'none'}")
    return "\n".join(lines)


@click.command("analyse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--chart", type=click.Choice(CHART_TYPES), default="run", show_default=True)
@click.option("--freeze", type=click.IntRange(min=2), help="Limits from the first N points.")
@click.option("--exclude", help="Points to leave out of the limits, e.g. 15,23.")
@click.option("--part", help="Start a new part after these points, e.g. 30,60.")
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
    """Analyse a CSV file of values (and denominators for p and u charts)."""
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
    mdc = result.rules == "mdc"
    lengths = {
        "shift": shift_length or (MDC_SHIFT_LENGTH if mdc else IHI_SHIFT_LENGTH),
        "trend": trend_length or (MDC_TREND_LENGTH if mdc else IHI_TREND_LENGTH),
    }
    click.echo(_summary(result, frame, lengths))


def init_app(app: Flask) -> None:
    """Register the `analyse` command."""
    app.cli.add_command(analyse)
