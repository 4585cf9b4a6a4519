"""The coordinator's view of a collaborative (pure: pandas frames in, frames out; no Flask, no
database): when each team last worked on a test of change or recorded data, which teams have
stalled, which measures have missing weeks or months, each team's report and scores for a
period, and which teams need a call this week, with the reasons in plain words.

SCIE Guide 34 asks the coordinator to "ensure progress" while staying "supportive rather than
scrutinising": the view points at who may need help, never ranks teams.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from improve.analysis.periods import Cadence, report_state

# Input columns, so an empty frame keeps its shape. Dates are datetime.date objects or None.
TEAM_COLUMNS = ["team_id", "name", "joined_on"]  # joined_on: when the team could first act
CYCLE_COLUMNS = ["team_id", "last_updated", "last_started"]  # one row per team, or per cycle
POINT_COLUMNS = ["measure_id", "team_id", "period_start", "created_on"]
MEASURE_COLUMNS = ["measure_id", "team_id", "name", "frequency", "baseline_start"]  # team_id None:
# a shared measure, which every team reports against.
REPORT_COLUMNS = ["team_id", "revision", "status", "suggested_score"]
SCORE_COLUMNS = ["team_id", "assessor", "score"]

# Output columns.
ACTIVITY_COLUMNS = [
    "team_id",
    "last_cycle",
    "last_data",
    "days_since_cycle",
    "days_since_data",
    "quiet_cycles",
    "quiet_data",
    "stalled",
]
MISSING_COLUMNS = ["team_id", "measure_id", "period_start"]
GAP_COLUMNS = ["team_id", "measure_id", "recorded", "missing", "no_data"]
TEAM_GAP_COLUMNS = ["team_id", "measures_with_gaps", "missing_periods", "measures_without_data"]
STATE_COLUMNS = ["team_id", "state", "suggested_score"]
SCORE_GAP_COLUMNS = ["team_id", "self_score", "coordinator_score", "gap"]
CALL_COLUMNS = ["team_id", "name", "kinds", "reasons"]

# Why a team needs a call, in the order the reasons are listed and counted.
REASONS = {
    "late": "Report late",
    "stalled": "Stalled",
    "scores": "Scores far apart",
    "data": "Missing data",
}
# Two steps on the 0.5 to 5.0 progress scale: a difference the team and coordinator should talk
# about (the gap between the self score and others' is informative, DOMAIN.md section 6).
FAR_APART = 1.0


def _timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), index=values.index, dtype=object))


def _dates(values: pd.Series) -> list[date | None]:
    return [None if pd.isna(value) else pd.Timestamp(value).date() for value in values]


def _days(values: pd.Series) -> pd.Series:
    return pd.Series(values.dt.days, dtype="Int64")


def activity(
    teams: pd.DataFrame,
    cycles: pd.DataFrame,
    points: pd.DataFrame,
    today: date,
    stall_weeks: int,
) -> pd.DataFrame:
    """One row per team: the last day it worked on a test of change (the latest cycle change,
    or the latest cycle start up to today) and the last day it recorded data (the latest data
    point entered, or the latest period with a value), never later than today; the days since
    each (missing when never); whether each has been quiet for `stall_weeks` weeks or more; and
    stalled, when both have. A team that has never done one of them counts as quiet from the
    day it joined."""
    now = pd.Timestamp(today)
    frame = teams[["team_id"]].reset_index(drop=True)
    joined = _timestamps(teams["joined_on"].reset_index(drop=True))
    started = _timestamps(cycles["last_started"])
    # A cycle planned to start later is activity on the day it was planned (its last change).
    started = started.mask(started > now)
    latest_cycle = pd.concat([_timestamps(cycles["last_updated"]), started], axis=1).max(axis=1)
    latest_point = pd.concat(
        [_timestamps(points["created_on"]), _timestamps(points["period_start"])], axis=1
    ).max(axis=1)
    by_cycle = latest_cycle.groupby(cycles["team_id"]).max()
    by_point = latest_point.groupby(points["team_id"]).max()
    limit = pd.Timedelta(weeks=stall_weeks)
    result: dict[str, Any] = {"team_id": frame["team_id"]}
    for name, latest, quiet in (
        ("cycle", by_cycle, "quiet_cycles"),
        ("data", by_point, "quiet_data"),
    ):
        found = latest.to_dict()
        last = _timestamps(pd.Series([found.get(t) for t in frame["team_id"]], dtype=object))
        last = last.mask(last > now, now)
        result[f"last_{name}"] = _dates(last)
        result[f"days_since_{name}"] = _days(now - last)
        result[quiet] = ((now - last.fillna(joined)) >= limit).astype(bool)
    output = pd.DataFrame(result)
    output["stalled"] = output["quiet_cycles"] & output["quiet_data"]
    return output.reindex(columns=ACTIVITY_COLUMNS)


def period_of(day: pd.Timestamp, frequency: str) -> pd.Timestamp:
    """The first day of the measure's period holding `day`: Monday for weekly, the 1st for
    monthly (as the data-entry table counts them)."""
    day = pd.Timestamp(day).normalize()
    if frequency == "weekly":
        return day - pd.Timedelta(days=day.weekday())
    return day.replace(day=1)


def last_complete_period(today: date, frequency: str) -> pd.Timestamp:
    """The latest week or month that has ended by today (the one before today's)."""
    current = period_of(pd.Timestamp(today), frequency)
    if frequency == "weekly":
        return current - pd.Timedelta(weeks=1)
    return current - pd.DateOffset(months=1)


def measure_pairs(measures: pd.DataFrame, team_ids: list[int]) -> pd.DataFrame:
    """Who reports what: each team measure with its own team (if listed) and each shared measure
    with every listed team. Columns: measure_id, team_id, frequency, baseline_start."""
    own = measures.loc[measures["team_id"].notna()].copy()
    own["team_id"] = own["team_id"].astype("int64")
    own = own.loc[own["team_id"].isin(team_ids)]
    shared = measures.loc[measures["team_id"].isna()].drop(columns="team_id")
    everyone = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    crossed = shared.merge(everyone, how="cross")
    columns = ["measure_id", "team_id", "frequency", "baseline_start"]
    pairs = pd.concat([own.reindex(columns=columns), crossed.reindex(columns=columns)])
    pairs = pairs.astype({"measure_id": "int64", "team_id": "int64"})
    return pairs.sort_values(["team_id", "measure_id"], ignore_index=True)


def missing_periods(
    measures: pd.DataFrame, team_ids: list[int], points: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Every week or month (by the measure's frequency) with no value for a team, from the
    measure's first point for that team or its baseline start, whichever is earlier, to the
    last complete period. A measure with neither has no range yet, so nothing is missing (see
    `measure_gaps` for "no data yet"). Columns: team_id, measure_id, period_start (a date)."""
    rows: list[tuple[int, int, date]] = []
    recorded = _recorded(measures, points)
    pairs = measure_pairs(measures, team_ids)
    for measure_id, team_id, frequency, baseline_start in zip(
        pairs["measure_id"].tolist(),
        pairs["team_id"].tolist(),
        pairs["frequency"].astype(str).tolist(),
        pairs["baseline_start"].tolist(),
        strict=True,
    ):
        have = recorded.get((measure_id, team_id), set())
        for period in _expected(have, baseline_start, frequency, today):
            if period not in have:
                rows.append((team_id, measure_id, period.date()))
    frame = pd.DataFrame(rows, columns=MISSING_COLUMNS)
    return frame.astype({"team_id": "int64", "measure_id": "int64"})


def _recorded(
    measures: pd.DataFrame, points: pd.DataFrame
) -> dict[tuple[int, int], set[pd.Timestamp]]:
    """The periods with a value, per (measure, team), each moved to its period's first day."""
    frequency = dict(zip(measures["measure_id"], measures["frequency"], strict=True))
    found: dict[tuple[int, int], set[pd.Timestamp]] = {}
    for measure_id, team_id, start in zip(
        points["measure_id"], points["team_id"], points["period_start"], strict=True
    ):
        if measure_id in frequency:
            key = (int(measure_id), int(team_id))
            found.setdefault(key, set()).add(period_of(start, str(frequency[measure_id])))
    return found


def _expected(
    have: set[pd.Timestamp], baseline_start: Any, frequency: str, today: date
) -> list[pd.Timestamp]:
    starts = list(have)
    if baseline_start is not None and not pd.isna(baseline_start):
        starts.append(period_of(pd.Timestamp(baseline_start), frequency))
    if not starts:
        return []
    step = "W-MON" if frequency == "weekly" else "MS"
    return list(pd.date_range(min(starts), last_complete_period(today, frequency), freq=step))


def measure_gaps(
    measures: pd.DataFrame, team_ids: list[int], points: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Per team and measure it reports: how many periods have a value, how many are missing
    (see `missing_periods`), and no_data when the team has no value at all for it."""
    pairs = measure_pairs(measures, team_ids)[["measure_id", "team_id"]]
    recorded = _recorded(measures, points)
    missing = missing_periods(measures, team_ids, points, today)
    counts = missing.groupby(["team_id", "measure_id"]).size().rename("missing").reset_index()
    frame = pairs.merge(counts, on=["team_id", "measure_id"], how="left")
    frame["missing"] = frame["missing"].fillna(0).astype("int64")
    frame["recorded"] = [
        len(recorded.get((int(m), int(t)), set()))
        for m, t in zip(frame["measure_id"], frame["team_id"], strict=True)
    ]
    frame["recorded"] = frame["recorded"].astype("int64")
    frame["no_data"] = (frame["recorded"] == 0).astype(bool)
    return frame.reindex(columns=GAP_COLUMNS)


def team_gaps(gaps: pd.DataFrame, team_ids: list[int]) -> pd.DataFrame:
    """Per team, from `measure_gaps`: measures with missing periods, missing periods in all,
    and measures with no data yet (zeros for a team with no measures)."""
    summary = gaps.assign(
        with_gaps=(gaps["missing"] > 0).astype("int64"),
        without=gaps["no_data"].astype("int64"),
    )
    totals = summary.groupby("team_id").agg(
        measures_with_gaps=("with_gaps", "sum"),
        missing_periods=("missing", "sum"),
        measures_without_data=("without", "sum"),
    )
    frame = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    frame = frame.merge(totals, left_on="team_id", right_index=True, how="left")
    counts = TEAM_GAP_COLUMNS[1:]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame.reindex(columns=TEAM_GAP_COLUMNS)


def report_states(
    team_ids: list[int],
    reports: pd.DataFrame,
    period: date,
    cadence: Cadence,
    due_day: int,
    today: date,
) -> pd.DataFrame:
    """Each team's report for the period (`reports` holds every revision for that period):
    submitted once any revision was submitted (a correction being written keeps it submitted),
    draft when the latest revision is a draft before the due date, late when nothing was
    submitted by the due date, due before then; with the suggested score of the latest
    revision (what the team's own records suggest)."""
    latest: dict[int, tuple[str, float | None]] = {}
    submitted: set[int] = set()
    ordered = reports.sort_values("revision")
    for team_id, status, suggested in zip(
        ordered["team_id"].tolist(),
        ordered["status"].astype(str).tolist(),
        ordered["suggested_score"].tolist(),
        strict=True,
    ):
        latest[team_id] = (status, None if pd.isna(suggested) else float(suggested))
        if status == "submitted":
            submitted.add(team_id)
    rows = []
    for team_id in team_ids:
        status, suggested = latest.get(team_id, ("", None))
        state = report_state(
            period, cadence, due_day, today, team_id in submitted, status == "draft"
        )
        rows.append((team_id, state, suggested))
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS)
    return frame.astype({"team_id": "int64", "suggested_score": "float64"})


def score_gaps(team_ids: list[int], scores: pd.DataFrame) -> pd.DataFrame:
    """Per team, its own score and the coordinator's for the period, and the gap (own minus
    coordinator's: positive when the team rates itself higher), missing where a score is."""
    wide = scores.pivot_table(index="team_id", columns="assessor", values="score", aggfunc="max")
    frame = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    for assessor in ("self", "coordinator"):
        column = wide[assessor] if assessor in wide.columns else pd.Series(dtype="float64")
        frame[f"{assessor}_score"] = frame["team_id"].map(column).astype("float64")
    frame["gap"] = frame["self_score"] - frame["coordinator_score"]
    return frame.reindex(columns=SCORE_GAP_COLUMNS)


def team_table(
    teams: pd.DataFrame,
    active: pd.DataFrame,
    states: pd.DataFrame,
    scores: pd.DataFrame,
    gaps: pd.DataFrame,
) -> pd.DataFrame:
    """The dashboard's rows, one per team in the order of `teams`: the outputs of `activity`,
    `report_states`, `score_gaps` and `team_gaps` side by side."""
    frame = teams[["team_id", "name"]].reset_index(drop=True)
    for part in (active, states, scores, gaps):
        frame = frame.merge(part, on="team_id", how="left")
    return frame


def _weeks(days: Any) -> int:
    return int(days) // 7


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def quiet_words(row: Any) -> str:
    """What a stalled team has not done, and for how long, in plain words."""
    cycles, data = row["days_since_cycle"], row["days_since_data"]
    if pd.isna(cycles) and pd.isna(data):
        return "No tests of change and no data recorded yet"
    tests = (
        "no tests of change yet"
        if pd.isna(cycles)
        else f"no work on tests of change for {_plural(_weeks(cycles), 'week')}"
    )
    numbers = (
        "no data recorded yet"
        if pd.isna(data)
        else f"no new data for {_plural(_weeks(data), 'week')}"
    )
    sentence = f"{tests} and {numbers}"
    return sentence[0].upper() + sentence[1:]


def _score_reason(row: Any) -> str | None:
    own, theirs, suggested = row["self_score"], row["coordinator_score"], row["suggested_score"]
    if pd.isna(own):
        return None
    if not pd.isna(theirs):
        if abs(own - theirs) >= FAR_APART:
            return f"The team scored itself {own:.1f}; the coordinator's score is {theirs:.1f}"
        return None
    if not pd.isna(suggested) and abs(own - suggested) >= FAR_APART:
        return f"The team scored itself {own:.1f}; its own records suggest {suggested:.1f}"
    return None


def _data_reason(row: Any) -> str | None:
    parts = []
    if row["measures_with_gaps"] > 0:
        periods = _plural(int(row["missing_periods"]), "week or month", "weeks or months")
        measures = _plural(int(row["measures_with_gaps"]), "measure")
        parts.append(f"{periods} of data missing in {measures}")
    if row["measures_without_data"] > 0:
        parts.append(f"no data yet for {_plural(int(row['measures_without_data']), 'measure')}")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


def late_teams(states: pd.DataFrame) -> set[int]:
    """The teams whose report is late, from `report_states`."""
    return {int(team_id) for team_id in states.loc[states["state"] == "late", "team_id"]}


def needs_a_call(
    table: pd.DataFrame,
    period_label: str,
    overdue: set[int] | frozenset[int] = frozenset(),
    overdue_label: str = "",
) -> pd.DataFrame:
    """The teams that need a call, from `team_table`: a late report for the period (or, for the
    teams in `overdue`, for the earlier period `overdue_label` whose report is due), stalled
    (no tests of change and no data for the collaborative's number of weeks), the team's own
    score at least FAR_APART from the coordinator's (or, before the coordinator scores, from
    what the team's records suggest), or measures with missing weeks or months or no data yet.
    Each with its reasons as codes (`kinds`, keys of REASONS) and sentences; most reasons
    first, then by team name."""
    rows = []
    for _, row in table.iterrows():
        found: list[tuple[str, str]] = []
        if row["state"] == "late":
            found.append(("late", f"The report for {period_label} is late"))
        elif int(row["team_id"]) in overdue:
            found.append(("late", f"The report for {overdue_label} is late"))
        if bool(row["stalled"]):
            found.append(("stalled", quiet_words(row)))
        scores = _score_reason(row)
        if scores:
            found.append(("scores", scores))
        data = _data_reason(row)
        if data:
            found.append(("data", data))
        if found:
            kinds, reasons = zip(*found, strict=True)
            rows.append((int(row["team_id"]), str(row["name"]), list(kinds), list(reasons)))
    rows.sort(key=lambda item: (-len(item[2]), item[1].casefold()))
    return pd.DataFrame(rows, columns=CALL_COLUMNS).astype({"team_id": "int64"})


def reason_counts(calls: pd.DataFrame) -> dict[str, int]:
    """How many teams need a call for each reason (a team may count under several)."""
    counts = dict.fromkeys(REASONS, 0)
    for kinds in calls["kinds"]:
        for kind in kinds:
            counts[kind] += 1
    return counts
