"""The records behind the one analysis of a measure (improve.analysis.series): a measure's
definition and its collaborative's settings as the engine's inputs, the team's points read in
one query however many series are wanted, and the results kept until their inputs change.

Every page, download and command that shows or uses a measure's chart, signals, icons or
latest value comes through `analyse_frame` (one series) or `analyse_series` (many): nothing
else calls the engine, and nothing draws a chart to learn a signal.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improve.analysis.series import Definition, Points, SeriesAnalysis, Settings, analyse
from improve.extensions import db
from improve.frames import day_as_text, parse_days, raw_query_frame, rows_frame
from improve.measures.queries import SERIES_COLUMNS
from improve.models import Collaborative, DataPoint, Measure, ValueKind

#: Kept analyses per worker process. A 200-team collaborative has about 4,000 series.
KEEP = 20_000


#: On a chart of the gaps between events, fewer events (lower is better) means longer gaps.
GAPS_DIRECTION = {"increase": "decrease", "decrease": "increase", "neutral": "neutral"}


def definition_of(measure: Measure) -> Definition:
    """The measure's definition as the engine reads it. For the dates of events the chart is
    of the gaps between them, so the direction people chose for the events turns round."""
    direction = measure.direction.value
    if measure.value_kind == ValueKind.EVENTS:
        direction = GAPS_DIRECTION[direction]
    return Definition(
        chart=measure.chart_type.value,
        value_kind=measure.value_kind.value,
        direction=direction,
        multiplier=float(measure.multiplier or 1.0),
        unit=measure.unit or "",
        target=measure.target_value,
        baseline_value=measure.baseline_value,
        baseline_start=measure.baseline_start,
        baseline_end=measure.baseline_end,
        freeze_points=measure.freeze_points,
        target_date=measure.target_date,
        trajectory=bool(measure.target_trajectory),
    )


def settings_of(collaborative: Collaborative) -> Settings:
    """The collaborative's analysis settings."""
    return Settings(
        run_rules=collaborative.run_chart_rules.value,
        sigma_method=collaborative.sigma_method.value,
        screen_outliers=bool(collaborative.screen_outliers),
        shift_length=int(collaborative.shift_length),
        trend_length=int(collaborative.trend_length),
    )


class _Kept:
    """Analyses kept by what they depend on: the definition, the settings and every input of
    every point. A change to any of them makes a new key, so nothing is ever stale; the oldest
    results are dropped beyond `KEEP`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.results: OrderedDict[Hashable, SeriesAnalysis | None] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, SeriesAnalysis | None]:
        with self.lock:
            if key not in self.results:
                return False, None
            self.results.move_to_end(key)
            return True, self.results[key]

    def put(self, key: Hashable, result: SeriesAnalysis | None) -> None:
        with self.lock:
            self.results[key] = result
            while len(self.results) > self.size:
                self.results.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.results.clear()


KEPT = _Kept(KEEP)


def _key(points: Points, definition: Definition, settings: Settings) -> Hashable:
    return (
        definition,
        settings,
        points.dates,
        points.value.tobytes(),
        points.denominator.tobytes(),
        points.excluded.tobytes(),
        points.new_phase.tobytes(),
    )


def analyse_points(
    points: Points, definition: Definition, settings: Settings
) -> SeriesAnalysis | None:
    """The analysis of one team's points, kept for reuse until any input changes."""
    key = _key(points, definition, settings)
    found, result = KEPT.get(key)
    if not found:
        result = analyse(points, definition, settings)
        KEPT.put(key, result)
    return result


def analyse_frame(
    frame: pd.DataFrame, definition: Definition, settings: Settings
) -> SeriesAnalysis | None:
    """`analyse_points` of a frame of one team's points (`SERIES_COLUMNS`, period order)."""
    return analyse_points(Points.of(frame), definition, settings)


def analyse_measure(
    measure: Measure, collaborative: Collaborative, points: pd.DataFrame
) -> SeriesAnalysis | None:
    return analyse_frame(points, definition_of(measure), settings_of(collaborative))


def moving_ranges_of(
    measure: Measure, collaborative: Collaborative, points: pd.DataFrame
) -> SeriesAnalysis | None:
    """The moving-range (MR) chart drawn beneath an I chart, as Making Data Count's XmR view
    shows it: the same points and settings through the one analysis, as an MR chart (no
    target: it is on another scale). None unless the measure's chart is an I chart."""
    definition = definition_of(measure)
    if definition.chart != "i":
        return None
    # The moving ranges of any I chart (counts too) are an MR chart of continuous changes.
    # Neither a large nor a small change is better in itself: its signals are neutral.
    moving = replace(
        definition,
        chart="mr",
        value_kind="continuous",
        direction="neutral",
        target=None,
        baseline_value=None,
    )
    return analyse_frame(points, moving, settings_of(collaborative))


def split_series(points: pd.DataFrame) -> Iterator[tuple[tuple[int, int], Points]]:
    """Each (measure id, team id) series of a frame ordered by measure, team and period, as
    `Points`: the columns become arrays once, not once per series."""
    if points.empty:
        return
    measure_ids = points["measure_id"].to_numpy(dtype=np.int64)
    team_ids = points["team_id"].to_numpy(dtype=np.int64)
    whole = Points.of(points)
    dates = list(whole.dates)
    change = np.flatnonzero((np.diff(measure_ids) != 0) | (np.diff(team_ids) != 0)) + 1
    starts = [0, *change.tolist()]
    stops = [*change.tolist(), len(measure_ids)]
    for start, stop in zip(starts, stops, strict=True):
        yield (
            (int(measure_ids[start]), int(team_ids[start])),
            Points(
                dates=tuple(dates[start:stop]),
                value=whole.value[start:stop],
                denominator=whole.denominator[start:stop],
                excluded=whole.excluded[start:stop],
                new_phase=whole.new_phase[start:stop],
            ),
        )


def series_columns() -> list[Any]:
    """The columns every series is read with (measure, team, then SERIES_COLUMNS), the period
    as ISO text for `parse_days`; read them with `raw_query_frame`."""
    return [
        DataPoint.measure_id,
        DataPoint.team_id,
        day_as_text(DataPoint.period_start),
        DataPoint.value,
        DataPoint.denominator,
        DataPoint.excluded,
        DataPoint.starts_new_phase,
    ]


def points_frame(
    measure_ids: Iterable[int], team_ids: Iterable[int], until: date | None = None
) -> pd.DataFrame:
    """Every point of these measures for these teams (up to `until`), in one query, ordered by
    measure, team and period."""
    measures, teams = sorted(set(measure_ids)), sorted(set(team_ids))
    columns = ["measure_id", "team_id", *SERIES_COLUMNS]
    if not measures or not teams:
        return pd.DataFrame([], columns=columns)
    query = sa.select(*series_columns()).where(
        DataPoint.measure_id.in_(measures), DataPoint.team_id.in_(teams)
    )
    if until is not None:
        query = query.where(DataPoint.period_start <= until)
    query = query.order_by(DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start)
    return parse_days(raw_query_frame(query, columns), "period_start")


# Up to this many points a page's series are built straight from the rows: a frame costs more
# than the few points of one team's measures (a team, aim or cycle page); above it, the frame's
# column arithmetic wins (a panel or an export of every team).
FEW_POINTS = 2_000


def read_series(
    measure_ids: Iterable[int], team_ids: Iterable[int], until: date | None = None
) -> list[tuple[tuple[int, int], Points]]:
    """Each (measure id, team id) series of these measures and teams, in one query: the same
    `Points` as `split_series(points_frame(...))` (tests/measures/test_series_rows.py)."""
    measures, teams = sorted(set(measure_ids)), sorted(set(team_ids))
    if not measures or not teams:
        return []
    query = sa.select(*series_columns()).where(
        DataPoint.measure_id.in_(measures), DataPoint.team_id.in_(teams)
    )
    if until is not None:
        query = query.where(DataPoint.period_start <= until)
    query = query.order_by(DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start)
    db.session.flush()
    result = db.session.connection().execute(query)
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    if len(rows) > FEW_POINTS:
        columns = ["measure_id", "team_id", *SERIES_COLUMNS]
        return list(split_series(parse_days(rows_frame(rows, columns), "period_start")))
    return _series_of_rows(rows)


def _series_of_rows(rows: list[Any]) -> list[tuple[tuple[int, int], Points]]:
    """`read_series`'s rows (measure, team, ISO day, value, denominator, excluded, new phase),
    grouped into series without a frame."""
    days: dict[str, date] = {}
    grouped: dict[tuple[int, int], list[Any]] = {}
    for row in rows:
        grouped.setdefault((int(row[0]), int(row[1])), []).append(row)
    series = []
    for key, own in grouped.items():
        dates = tuple(
            days.get(text) or days.setdefault(text, date.fromisoformat(text[:10]))
            for text in (str(row[2]) for row in own)
        )
        series.append(
            (
                key,
                Points(
                    dates=dates,
                    value=np.array([_number(row[3]) for row in own], dtype=np.float64),
                    denominator=np.array([_number(row[4]) for row in own], dtype=np.float64),
                    excluded=np.array([bool(row[5]) for row in own], dtype=np.bool_),
                    new_phase=np.array([bool(row[6]) for row in own], dtype=np.bool_),
                ),
            )
        )
    return series


def _number(value: Any) -> float:
    return np.nan if value is None else float(value)


def analyse_series(
    measures: Iterable[Measure],
    collaborative: Collaborative,
    team_ids: Iterable[int],
    *,
    until: date | None = None,
    points: pd.DataFrame | None = None,
    series: Iterable[tuple[tuple[int, int], Points]] | None = None,
) -> dict[tuple[int, int], SeriesAnalysis]:
    """The analysis of every (measure, team) series with at least 2 points, keyed by
    (measure id, team id). One query for every point (or the `points` given, ordered by
    measure, team and period, or the `series` already read by `read_series`: a caller that
    needs the stored numbers too, such as the panel's small-number rule, reads them once)."""
    by_id = {measure.id: measure for measure in measures}
    teams = set(team_ids)
    if series is not None:
        series_list: Iterable[tuple[tuple[int, int], Points]] = series
    elif points is not None:
        series_list = split_series(points)
    else:
        series_list = read_series(by_id, teams, until)
    settings = settings_of(collaborative)
    definitions = {measure_id: definition_of(m) for measure_id, m in by_id.items()}
    result: dict[tuple[int, int], SeriesAnalysis] = {}
    for key, series in series_list:
        if key[0] not in definitions or key[1] not in teams:
            continue
        analysis = analyse_points(series, definitions[key[0]], settings)
        if analysis is not None:
            result[key] = analysis
    return result


def analyses_of(
    wanted: Iterable[tuple[int, int]], collaborative: Collaborative, **options: Any
) -> dict[tuple[int, int], SeriesAnalysis]:
    """`analyse_series` for the (measure id, team id) pairs wanted, only."""
    pairs = set(wanted)
    if not pairs:
        return {}
    measures = db.session.scalars(
        sa.select(Measure).where(Measure.id.in_(sorted({m for m, _ in pairs})))
    ).all()
    everything = analyse_series(measures, collaborative, {t for _, t in pairs}, **options)
    return {key: value for key, value in everything.items() if key in pairs}
