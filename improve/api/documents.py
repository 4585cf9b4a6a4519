"""Records as the API's JSON: stable snake_case names, dates and times in ISO 8601, no NaN
(a figure without a value is null).

The small-number rule of views across teams (improve.analysis.disclosure, the panel's own) is
applied here for people who see a team only through the strategic panel: a hidden figure is
null, with `hidden: true` and `hidden_reason`, and so is everything that would give it back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
from flask import url_for

from improve.analysis import disclosure
from improve.analysis.series import Definition, SeriesAnalysis
from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.api.queries import PointRow, Scope, SeriesKey
from improve.measures.analysis import definition_of
from improve.models import ApiToken, Collaborative, Measure, Team

ASSESSOR_LABELS = {"self": "Team's own score", "coordinator": "Coordinator's score"}


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def number(value: Any) -> float | None:
    """A finite number, else None (NaN and infinity are not JSON)."""
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _enum(value: Any) -> str | None:
    return None if value is None else str(value.value)


# Collaboratives, teams, measures ------------------------------------------------------------------


def collaborative(record: Collaborative, access: str) -> dict[str, Any]:
    ids: dict[str, Any] = {"collaborative_id": record.id, "_external": True}
    return {
        "id": record.id,
        "name": record.name,
        "topic": record.topic,
        "description": record.description,
        "starts_on": iso(record.starts_on),
        "ends_on": iso(record.ends_on),
        "reporting_cadence": _enum(record.reporting_cadence),
        "suppression_threshold": record.suppression_threshold,
        "access": access,
        "small_numbers_hidden": access == "panel_member",
        "links": {
            name.replace("-", "_"): url_for(f"api.{endpoint}", **ids)
            for name, endpoint in (
                ("teams", "teams"),
                ("measures", "measures"),
                ("data-points", "data_points"),
                ("series", "series"),
                ("cycles", "cycles"),
                ("scores", "scores"),
            )
        },
    }


def team(record: Team) -> dict[str, Any]:
    return {
        "id": record.id,
        "collaborative_id": record.collaborative_id,
        "name": record.name,
        "organisation": record.organisation,
        "organisation_kind": _enum(record.organisation_kind),
        "service": record.service,
        "created_at": iso(record.created_at),
    }


def measure(record: Measure) -> dict[str, Any]:
    return {
        "id": record.id,
        "collaborative_id": record.collaborative_id,
        "team_id": record.team_id,
        "shared": record.team_id is None,
        "aim_id": record.aim_id,
        "name": record.name,
        "measure_type": _enum(record.measure_type),
        "operational_definition": record.operational_definition,
        "numerator_definition": record.numerator_definition,
        "denominator_definition": record.denominator_definition,
        "inclusions": record.inclusions,
        "exclusions": record.exclusions,
        "data_source": record.data_source,
        "collected_by": record.collected_by,
        "frequency": _enum(record.frequency),
        "value_kind": _enum(record.value_kind),
        "multiplier": number(record.multiplier),
        "unit": record.unit,
        "direction": _enum(record.direction),
        "chart_type": _enum(record.chart_type),
        "baseline_start": iso(record.baseline_start),
        "baseline_end": iso(record.baseline_end),
        "baseline_value": number(record.baseline_value),
        "target_value": number(record.target_value),
        "target_date": iso(record.target_date),
        "target_trajectory": bool(record.target_trajectory),
        "freeze_points": record.freeze_points,
        "archived": bool(record.is_archived),
        "updated_at": iso(record.updated_at),
    }


# Small numbers ------------------------------------------------------------------------------------


def hidden_reason(threshold: int) -> str:
    low = "1" if threshold == 2 else f"1 to {threshold - 1}"
    return (
        f"Small number: it rests on a count of {low} people or events, so it is hidden from "
        "the strategic panel's view of other teams (see small_numbers.rule)."
    )


def small_numbers(scope: Scope, hidden: int) -> dict[str, Any]:
    """The top-level note on lists that carry team figures."""
    if scope.hides_small_numbers:
        for_you = (
            "You see these teams through the strategic panel, so the rule applies to them "
            "(never to a team you belong to)."
        )
    else:
        for_you = (
            "You see every figure in full: the rule applies to people who see teams only "
            "through the strategic panel."
        )
    return {
        "applies": scope.hides_small_numbers,
        "threshold": scope.threshold,
        "rule": disclosure.rule_words(scope.threshold),
        "for_you": for_you,
        "hidden_on_this_page": hidden,
    }


# Data points --------------------------------------------------------------------------------------


def charted_value(row: PointRow) -> float | None:
    """The point on the chart's scale: the number entered, or for a proportion or rate the
    numerator over the denominator times the definition's scale (x100 for a percentage, the
    multiplier for a rate), as the analysis plots it; None where the analysis cannot use it."""
    point = row.point
    definition = Definition("run", row.value_kind, multiplier=row.multiplier, unit=row.unit)  # type: ignore[arg-type]
    if not definition.uses_denominator:
        return number(point.value)
    numerator, denominator = number(point.value), number(point.denominator)
    if numerator is None or denominator is None or denominator <= 0:
        return None
    if row.value_kind == "proportion" and numerator > denominator:
        return None
    return number(numerator / denominator * definition.scale)


def data_point(row: PointRow, scope: Scope) -> dict[str, Any]:
    point = row.point
    hidden = scope.hides(point.team_id) and disclosure.point_hidden(
        row.value_kind, number(point.value), number(point.denominator), scope.threshold
    )
    shown = {
        "numerator": number(point.value),
        "denominator": number(point.denominator),
        "value": charted_value(row),
        # Free text may repeat the number ("2 falls, both at night").
        "note": point.note,
        "exclusion_reason": point.exclusion_reason,
        "phase_reason": point.phase_reason,
    }
    if hidden:
        shown = dict.fromkeys(shown)
    return {
        "id": point.id,
        "measure_id": point.measure_id,
        "team_id": point.team_id,
        "period_start": iso(point.period_start),
        **shown,
        "excluded": bool(point.excluded),
        "starts_new_phase": bool(point.starts_new_phase),
        "hidden": hidden,
        "hidden_reason": hidden_reason(scope.threshold) if hidden else None,
        "updated_at": iso(point.updated_at),
    }


# Series -------------------------------------------------------------------------------------------


def _label(words: dict[str, tuple[str, str]], key: str | None) -> str | None:
    return words[key][0] if key in words else None


def series(
    key: SeriesKey,
    record: Measure,
    analysis: SeriesAnalysis | None,
    flags: np.ndarray | None,
    threshold: int,
) -> tuple[dict[str, Any], int]:
    """One team's analysed series of one measure, read from its one analysis, and how many of
    its figures are hidden. `flags`: per point, whether it is hidden (None: none is)."""
    measure_id, team_id = key
    body: dict[str, Any] = {
        "measure_id": measure_id,
        "team_id": team_id,
        "chart_type": analysis.chart_type if analysis else definition_of(record).chart_drawn,
        "value_kind": _enum(record.value_kind),
        "direction": _enum(record.direction),
        "unit": record.unit,
        "analysed": analysis is not None,
        "trial_limits": bool(analysis.trial) if analysis else None,
        "frozen": bool(analysis.frozen) if analysis else None,
        "variation": analysis.variation if analysis else None,
        "variation_label": _label(VARIATION_WORDS, analysis.variation if analysis else None),
        "assurance": analysis.assurance if analysis else None,
        "assurance_label": _label(ASSURANCE_WORDS, analysis.assurance if analysis else None),
        "notes": list(analysis.notes) if analysis else ["Fewer than 2 points: not charted yet."],
    }
    points, hidden = _series_points(analysis, flags, threshold) if analysis else ([], 0)
    body["hidden_points"] = hidden
    body["points"] = points
    return body, hidden


def _series_points(
    analysis: SeriesAnalysis, flags: np.ndarray | None, threshold: int
) -> tuple[list[dict[str, Any]], int]:
    """Each plotted point with its phase's centre and limits. Where a point is hidden, so is its
    value, and so are the centre and limits of its whole phase: with the other points shown, a
    mean, a median or a p chart's limits (which follow each point's denominator) would give the
    hidden number back. For the dates of events, a hidden day's events are one point, so that
    how many there were is not told by counting them."""
    chart, size = analysis.chart, len(analysis.dates)
    hidden = np.zeros(size, dtype=np.bool_) if flags is None else np.asarray(flags, np.bool_)
    withheld_parts = set(chart.part[hidden].tolist())
    targets = _targets(analysis, withheld_parts)
    reason = hidden_reason(threshold)
    points: list[dict[str, Any]] = []
    for i in range(size):
        part = int(chart.part[i])
        if hidden[i] and i and hidden[i - 1] and analysis.dates[i] == analysis.dates[i - 1]:
            continue  # another event of a hidden day
        lines = part not in withheld_parts
        points.append(
            {
                "period_start": iso(analysis.dates[i]),
                "value": None if hidden[i] else number(chart.value[i]),
                "centre": number(chart.cl[i]) if lines else None,
                "lower_limit": number(chart.lcl[i]) if lines else None,
                "upper_limit": number(chart.ucl[i]) if lines else None,
                "target": targets[i],
                "phase": part,
                "excluded": bool(chart.excluded[i]),
                "point_type": analysis.point_types[i],
                "hidden": bool(hidden[i]),
                "hidden_reason": reason if hidden[i] else None,
            }
        )
    return points, sum(1 for point in points if point["hidden"])


def _targets(analysis: SeriesAnalysis, withheld_parts: set[int]) -> Sequence[float | None]:
    """The target at each point. A target reached step by step starts from the baseline, which
    on a frozen chart is the first phase's centre: withheld with that centre."""
    line = analysis.target_line
    if line is None:
        return [None] * len(analysis.dates)
    first_part = int(analysis.chart.part[0])
    if analysis.definition.trajectory and analysis.frozen and first_part in withheld_parts:
        return [None] * len(line)
    return [number(value) for value in line]


# Cycles, scores, tokens ---------------------------------------------------------------------------


def cycle(row: Any) -> dict[str, Any]:
    return {
        "id": row[0],
        "team_id": row[1],
        "aim_id": row[2],
        "change_idea_id": row[3],
        "change_idea": row[4],
        "ramp_id": row[5],
        "number": row[6],
        "title": row[7],
        "stage": _enum(row[8]),
        "starts_on": iso(row[9]),
        "ends_on": iso(row[10]),
        "improved": _enum(row[11]),
        "decision": _enum(row[12]),
        "closed_at": iso(row[13]),
        "created_at": iso(row[14]),
        "updated_at": iso(row[15]),
    }


def score(row: Any) -> dict[str, Any]:
    assessor = _enum(row[3])
    return {
        "id": row[0],
        "team_id": row[1],
        "period_start": iso(row[2]),
        "assessor": assessor,
        "assessor_label": ASSESSOR_LABELS.get(assessor or ""),
        "score": number(row[4]),
        "suggested_score": number(row[5]),
        "report_id": row[6],
        "updated_at": iso(row[7]),
    }


def token_status(token: ApiToken, today: date) -> str:
    """In words, for the tokens page: Active, Expired or Revoked."""
    if token.revoked_at is not None:
        return "Revoked"
    if token.expires_on is not None and token.expires_on < today:
        return "Expired"
    return "Active"
